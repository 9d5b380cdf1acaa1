//! The files a Stream run's output folder holds beyond the schedule (`pareto.json`,
//! `pareto.png`, `allocation_mapping.yaml` of a genetic-algorithm run), written the same way
//! for the command line and the Python package.

use std::path::Path;

use zz_stream::ga::{GaOptions, GaResult};

use super::{Allocation, ScheduleInput, StreamRun, ga_design_points, pareto_json};
use crate::{Error, Result};

fn io(p: &Path, e: impl std::fmt::Display) -> Error {
    Error::Other(format!("{}: {e}", p.display()))
}

impl StreamRun {
    /// Writes `pareto.json` (every evaluated allocation, the front, the logbook and the chosen
    /// allocation), `pareto.png` and `allocation_mapping.yaml` (the mapping with the chosen cores
    /// fixed) into `dir`; returns their names and the warning of the mapping writer, if any.
    pub fn write_ga_outputs(
        &self,
        dir: &Path,
        input: &ScheduleInput,
        allocation: &Allocation,
        result: &GaResult,
        opts: &GaOptions,
    ) -> Result<(Vec<&'static str>, Option<String>)> {
        let p = dir.join("pareto.json");
        let text = serde_json::to_string_pretty(&pareto_json(result, opts)).map_err(|e| io(&p, e))?;
        std::fs::write(&p, text + "\n").map_err(|e| io(&p, e))?;
        let (points, chosen) = ga_design_points(result);
        let title =
            format!("GA allocations: {} on {} (seed {})", self.workload_name(), self.accelerator_name(), opts.seed);
        let p = dir.join("pareto.png");
        zz_report::pareto::pareto_plot(&points, chosen, &title, &p).map_err(|e| io(&p, e))?;
        let p = dir.join("allocation_mapping.yaml");
        let (yaml, warning) = self.allocation_mapping_yaml(input, allocation, opts.seed)?;
        std::fs::write(&p, yaml).map_err(|e| io(&p, e))?;
        Ok((vec!["pareto.json", "pareto.png", "allocation_mapping.yaml"], warning))
    }
}
