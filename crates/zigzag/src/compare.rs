//! One workload on several (accelerator, mapping) designs (`zigzag-rs compare`): each design
//! searched with the same options, its area and on-chip memory, feasibility under the
//! constraints and a rank under the objective.
//!
//! Staged: [`evaluate_design`] per design (after reading its files, so their warnings can be
//! shown as they come), then [`Comparison::new`]. One call: [`compare`].

use serde_json::json;
use zz_ir::accelerator::Accelerator;
use zz_ir::mapping::Mapping;
use zz_ir::workload::Workload;
use zz_report::{LayerReport, RunReport};
use zz_search::Objective;

use crate::design::{DesignConstraints, area, design_row, onchip_memory_bits};
use crate::single_core::{MapOptions, check_finite, read_accelerator, read_mapping, read_workload, run_report};
use crate::{Error, Result, Source, Warning};

/// What every design is searched and ranked with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompareOptions {
    /// Objective of the per-layer search and of the ranking.
    pub objective: Objective,
    /// Loop-prime-factor limit of LOMA.
    pub lpf_limit: usize,
    /// Feasibility limits.
    pub constraints: DesignConstraints,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions { objective: Objective::Latency, lpf_limit: 6, constraints: DesignConstraints::default() }
    }
}

/// One design's result.
#[derive(Clone, Debug)]
pub struct DesignResult {
    /// The run's report.
    pub report: RunReport,
    /// Area: the IMC area (array + memories) for IMC arrays, else MAC units × unit area + memories.
    pub area: f64,
    /// On-chip memory, bits.
    pub onchip_memory_bits: f64,
}

/// Searches one design: `workload_label` and `accelerator_label` name the inputs in messages,
/// `workload_name` names the workload in the report.
pub fn evaluate_design(
    workload: &Workload,
    workload_label: &str,
    workload_name: &str,
    accelerator: &Accelerator,
    accelerator_label: &str,
    mapping: &Mapping,
    opts: &CompareOptions,
) -> Result<DesignResult> {
    let search =
        MapOptions::design_search(opts.objective, opts.lpf_limit).search_options(accelerator.operational_array.is_imc);
    let context = format!("{workload_label} on {accelerator_label}");
    let res = zz_search::search_network(workload, accelerator, mapping, &search, &|_| {})
        .map_err(|error| Error::Search { context: context.clone(), error: Box::new(error) })?;
    let report = run_report(&res, workload, accelerator, workload_name);
    check_finite(&report, &context)?;
    // IMC designs: the reference's IMC area (array + memories) instead of MAC units × unit_area.
    let area = report.area.unwrap_or_else(|| area(accelerator));
    Ok(DesignResult { report, area, onchip_memory_bits: onchip_memory_bits(accelerator) })
}

/// The designs side by side.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The workload's file name.
    pub workload_name: String,
    /// Per design, in the order given.
    pub designs: Vec<DesignResult>,
    /// Table labels: the accelerator's name, with `(k)` when several designs share it.
    pub labels: Vec<String>,
    /// Whether each design meets the constraints.
    pub feasible: Vec<bool>,
    /// Rank of each feasible design under the objective (1 = best).
    pub rank: Vec<Option<usize>>,
}

impl Comparison {
    /// Ranks the designs.
    pub fn new(workload_name: String, designs: Vec<DesignResult>, opts: &CompareOptions) -> Comparison {
        let n = designs.len();
        let feasible: Vec<bool> =
            designs.iter().map(|d| opts.constraints.admit(d.report.latency, d.area, d.onchip_memory_bits)).collect();
        let key = |r: &RunReport| match opts.objective {
            Objective::Latency => (r.latency, r.energy),
            Objective::Energy => (r.energy, r.latency),
            Objective::Edp => (r.latency * r.energy, 0.0),
        };
        let mut order: Vec<usize> = (0..n).filter(|&k| feasible[k]).collect();
        order.sort_by(|&a, &b| {
            key(&designs[a].report).partial_cmp(&key(&designs[b].report)).unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut rank = vec![None; n];
        for (i, &k) in order.iter().enumerate() {
            rank[k] = Some(i + 1);
        }
        let labels = designs
            .iter()
            .enumerate()
            .map(|(k, d)| {
                let name = &d.report.accelerator;
                let dup = designs.iter().filter(|o| &o.report.accelerator == name).count() > 1;
                if dup { format!("{name} ({})", k + 1) } else { name.clone() }
            })
            .collect();
        Comparison { workload_name, designs, labels, feasible, rank }
    }

    /// Every design's totals as one row of a combined report (for the grouped breakdown chart).
    pub fn combined_report(&self) -> RunReport {
        let rows: Vec<LayerReport> =
            self.labels.iter().zip(&self.designs).enumerate().map(|(k, (l, d))| design_row(k, l, &d.report)).collect();
        RunReport::new("comparison", self.workload_name.clone(), rows)
    }

    /// The JSON `compare --json` writes: every design's report and the ranking.
    pub fn to_json(&self) -> serde_json::Value {
        let meta: Vec<serde_json::Value> = (0..self.designs.len())
            .map(|k| {
                let d = &self.designs[k];
                json!({"label": self.labels[k], "area": d.area, "tclk": d.report.tclk,
                "onchip_memory_bits": d.onchip_memory_bits, "feasible": self.feasible[k], "rank": self.rank[k]})
            })
            .collect();
        let reports: Vec<&RunReport> = self.designs.iter().map(|d| &d.report).collect();
        json!({ "designs": reports, "ranking": meta })
    }
}

/// One (accelerator, mapping) design.
#[derive(Clone, Copy, Debug)]
pub struct Design<'a> {
    /// The accelerator.
    pub accelerator: Source<'a>,
    /// Its mapping.
    pub mapping: Source<'a>,
}

/// Compares designs on one workload in one call; returns the comparison and every warning.
pub fn compare(
    workload: &Source<'_>,
    designs: &[Design<'_>],
    opts: &CompareOptions,
) -> Result<(Comparison, Vec<Warning>)> {
    let w = read_workload(workload)?;
    let mut warnings = w.warnings;
    let mut results = Vec::new();
    for d in designs {
        let a = read_accelerator(&d.accelerator)?;
        warnings.extend(a.warnings);
        let m = read_mapping(&d.mapping)?;
        warnings.extend(m.warnings);
        results.push(evaluate_design(
            &w.value,
            &workload.label(),
            &workload.file_name(),
            &a.value,
            &d.accelerator.label(),
            &m.value,
            opts,
        )?);
    }
    Ok((Comparison::new(workload.file_name(), results, opts), warnings))
}
