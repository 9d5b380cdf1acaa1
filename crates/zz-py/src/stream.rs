//! The Stream drop-in's engine call: prepare the CNs, allocate the open layers with the genetic
//! algorithm or constraint optimisation, schedule, and write what `zigzag-rs stream --output`
//! writes (schedule JSON, Gantt chart and HTML, memory plot, Perfetto trace, CN graph, and for a
//! genetic-algorithm run `pareto.json`, `pareto.png` and `allocation_mapping.yaml`).

use std::path::PathBuf;

use zigzag::Error;
use zigzag::stream::{
    Allocation, Allocator, CoOptions, GaConstraints, GaOptions, Mode, PrepareOptions, ScheduleOptions, SchedulingOrder,
    StreamInputs,
};

use crate::input::Input;

/// One Stream run as `stream.api.optimize_allocation_ga` / `_co` ask for it.
#[derive(Clone, Debug)]
pub struct StreamJob {
    /// Stream accelerator (a path: it names its core files relative to itself).
    pub accelerator: Input,
    /// Workload (ONNX or YAML).
    pub workload: Input,
    /// Stream mapping.
    pub mapping: Input,
    /// `lbl` or `fused`.
    pub mode: String,
    /// Layer stacks, or Stream's default.
    pub layer_stacks: Option<Vec<Vec<usize>>>,
    /// `ga` or `co`.
    pub allocator: String,
    /// GA individuals.
    pub population: usize,
    /// GA generations.
    pub generations: usize,
    /// GA seed.
    pub seed: u64,
    /// LOMA loop-prime-factor limit of the per-CN costs.
    pub lpf_limit: usize,
    /// `uneven` or `even` (Stream's `temporal_mapping_type`).
    pub mapping_type: String,
    /// Where to write the CLI's output files, if anywhere.
    pub output: Option<PathBuf>,
    /// Per-CN temporal search engine: `loma` (Stream's) or `optimal`.
    pub engine: String,
    /// Per (CN, core, spatial mapping) time limit of the temporal search, in seconds.
    pub time_limit: Option<f64>,
}

fn invalid(option: &str, e: impl std::fmt::Display) -> Error {
    Error::InvalidOption { message: format!("{option}: {e}") }
}

/// Runs the job; returns the report JSON (as `zigzag-rs stream --json` writes it) and the
/// readers' warnings.
pub fn run_stream(job: &StreamJob) -> Result<(String, Vec<String>), Error> {
    let mode: Mode = job.mode.parse().map_err(|e| invalid("mode", e))?;
    let allocator: Allocator = job.allocator.parse().map_err(|e| invalid("allocator", e))?;
    let inputs = StreamInputs {
        accelerator: job.accelerator.source(),
        workload: job.workload.source(),
        mapping: job.mapping.source(),
        stream_inputs: None,
    };
    let prep = zigzag::stream::prepare(
        &inputs,
        &PrepareOptions {
            mode,
            layer_stacks: job.layer_stacks.clone(),
            lpf_limit: job.lpf_limit,
            mapping_type: job.mapping_type.parse().map_err(|e| invalid("temporal_mapping_type", e))?,
            engine: job.engine.parse().map_err(|e| invalid("engine", e))?,
            time_limit: crate::calls::time_limit(job.time_limit)?,
        },
    )?;
    let warnings: Vec<String> = prep.warnings().iter().map(|w| w.to_string()).collect();
    let sched = ScheduleOptions::default();
    let mut allocation = Allocation::default();
    let mut ga = None;
    let (run, co, order) = if allocator == Allocator::Co {
        let co = prep.allocate_co(&CoOptions::default())?;
        let order = co.order();
        (None, Some(co), order)
    } else {
        (Some(prep), None, SchedulingOrder::Stream)
    };
    let run = match (&run, &co) {
        (Some(r), _) => r,
        (None, Some(c)) => &c.run,
        (None, None) => return Err(Error::Other("no Stream run".into())),
    };
    if allocator == Allocator::Ga {
        if job.population < 2 {
            return Err(invalid(
                "nb_ga_individuals",
                format!("at least 2 individuals are needed, got {}", job.population),
            ));
        }
        let opts = GaOptions {
            population: job.population,
            generations: job.generations,
            seed: job.seed,
            ..Default::default()
        };
        if !run.open_genes(&allocation, &opts).is_empty() {
            let mut result = run.genetic_search(&allocation, &order, &sched, &opts, &mut |_| {})?;
            run.apply_ga_constraints(&mut result, &GaConstraints::default())?;
            allocation.chosen.extend(result.chosen_allocation());
            ga = Some((result, opts));
        }
    }
    let scheduled = run.schedule(&allocation, &order, &sched)?;
    let mut report = run.report(&scheduled);
    if let Some(c) = &co {
        report.co = Some(c.report_json());
    }
    if let Some(dir) = &job.output {
        std::fs::create_dir_all(dir).map_err(|e| Error::Other(format!("{}: {e}", dir.display())))?;
        let f = |r: Result<(), zz_report::ReportError>| r.map_err(|e| Error::Other(e.to_string()));
        f(zz_report::stream::write_stream_json(&report, dir.join("schedule.json")))?;
        f(zz_report::stream::gantt_chart(&report, dir.join("gantt.png")))?;
        f(zz_report::stream::write_gantt_html(&report, dir.join("gantt.html")))?;
        f(zz_report::stream::memory_usage_plot(&report, dir.join("memory.png")))?;
        f(zz_report::stream::write_trace_json(&report, dir.join("trace.json")))?;
        let graph = run.cn_graph(Some(&scheduled));
        f(zz_report::stream::write_graph_json(&graph, dir.join("graph.json")))?;
        f(zz_report::stream::write_graph_dot(&graph, dir.join("graph.dot")))?;
        if let Some((result, opts)) = &ga {
            run.write_ga_outputs(dir, &scheduled.input, &allocation, result, opts)?;
        }
        if let Some(c) = &co {
            let p = dir.join("co_mapping.yaml");
            std::fs::write(&p, c.mapping_yaml()?).map_err(|e| Error::Other(format!("{}: {e}", p.display())))?;
        }
    }
    let json = zz_report::stream::stream_json_string(&report).map_err(|e| Error::Other(e.to_string()))?;
    Ok((json, warnings))
}
