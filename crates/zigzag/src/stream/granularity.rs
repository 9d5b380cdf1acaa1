//! How finely to split layers into computation nodes (`zigzag-rs granularity`): one Stream
//! run per candidate intra-core tiling (layer by layer, `OY,2`, `OY,all`, ...), its CNs,
//! latency, energy and peak on-chip memory, and the best candidate under the constraints.

use rayon::prelude::*;
use zz_ir::stream::accelerator::CoreType;
use zz_ir::stream::mapping::{Tiling, TilingFactor};
use zz_stream::pipeline::{Allocation, SchedulingOrder};
use zz_stream::scheduler::ScheduleOptions;

use super::{Mode, PrepareOptions, StreamInputs, prepare_with_tiling};
use crate::{Error, Objective, Result};

/// One candidate: its label and tiling (`None`: layer by layer).
#[derive(Clone, Debug, PartialEq)]
pub struct GranularityCandidate {
    /// As given, e.g. `OY,2`.
    pub label: String,
    /// The intra-core tiling applied to every layer that has its dimensions; `None` = `lbl`.
    pub tiling: Option<Tiling>,
}

/// `lbl` (layer by layer) or `DIM,N` / `DIM,all`, several dims separated by `;` (e.g. `OY,2;K,2`).
pub fn parse_tiling(s: &str) -> Result<GranularityCandidate> {
    let label = s.to_string();
    if s.trim().eq_ignore_ascii_case("lbl") {
        return Ok(GranularityCandidate { label, tiling: None });
    }
    let invalid = |message: String| Error::InvalidOption { message };
    let mut t = Vec::new();
    for part in s.split(';') {
        let (d, f) = part
            .split_once(',')
            .ok_or_else(|| invalid(format!("--tiling `{s}`: expected `lbl` or `DIM,N` / `DIM,all`")))?;
        let f = f.trim();
        let factor = if f.eq_ignore_ascii_case("all") {
            TilingFactor::All
        } else {
            TilingFactor::N(f.parse().map_err(|_| invalid(format!("--tiling `{s}`: `{f}` is not a number or `all`")))?)
        };
        t.push((d.trim().to_uppercase(), factor));
    }
    Ok(GranularityCandidate { label, tiling: Some(t) })
}

/// One candidate's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct GranularityRow {
    /// The candidate's label.
    pub tiling: String,
    /// Computation nodes.
    pub cns: usize,
    /// Latency, cycles (NaN when it failed).
    pub latency: f64,
    /// Energy, pJ (NaN when it failed).
    pub energy: f64,
    /// Peak memory use over the compute cores' top memories, bits.
    pub peak_memory: f64,
    /// Why the scheduler could not handle it.
    pub error: Option<String>,
    /// Whether it succeeded and meets the constraints.
    pub feasible: bool,
    /// Whether it is the best feasible candidate.
    pub best: bool,
}

/// Every candidate's row.
#[derive(Clone, Debug, PartialEq)]
pub struct GranularityResult {
    /// In the order given.
    pub rows: Vec<GranularityRow>,
    /// The best feasible row.
    pub best: Option<usize>,
}

/// Runs every candidate (in parallel). A bad input file or an unknown tiling dimension is an
/// error; a candidate the scheduler cannot handle is a row with the reason. Latency and energy
/// rank the candidates under `objective`; `max_latency` / `max_memory` (bits) bound them.
pub fn granularity(
    inputs: &StreamInputs<'_>,
    candidates: &[GranularityCandidate],
    layer_stacks: Option<&Vec<Vec<usize>>>,
    allocation: &Allocation,
    objective: Objective,
    max_latency: Option<f64>,
    max_memory: Option<f64>,
) -> Result<GranularityResult> {
    let mut rows: Vec<GranularityRow> = candidates
        .par_iter()
        .map(|c| {
            let opts = PrepareOptions {
                mode: if c.tiling.is_some() { Mode::Fused } else { Mode::Lbl },
                layer_stacks: if c.tiling.is_some() { layer_stacks.cloned() } else { None },
                ..Default::default()
            };
            let fail = |e: String| GranularityRow {
                tiling: c.label.clone(),
                cns: 0,
                latency: f64::NAN,
                energy: f64::NAN,
                peak_memory: f64::NAN,
                error: Some(e),
                feasible: false,
                best: false,
            };
            let run = match prepare_with_tiling(inputs, &opts, c.tiling.as_ref()) {
                Ok(r) => r,
                Err(e @ (Error::Input(_) | Error::Unsupported(_) | Error::Io { .. })) => return Err(e),
                Err(Error::Stream { message, .. }) => return Ok(fail(message)),
                Err(e) => return Ok(fail(e.to_string())),
            };
            let input = match zz_stream::pipeline::schedule_input(&run.prep, allocation, &SchedulingOrder::Stream) {
                Ok(i) => i,
                Err(e) => return Ok(fail(e.to_string())),
            };
            match zz_stream::scheduler::schedule(&input, &ScheduleOptions::default()) {
                Ok(s) => {
                    // Peak over the top memories of compute cores (the off-chip DRAM is not on chip).
                    let offchip: Vec<usize> = run
                        .prep
                        .accelerator
                        .cores
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.core_type == CoreType::Memory)
                        .map(|(k, _)| k)
                        .collect();
                    let peak = s
                        .memories
                        .iter()
                        .enumerate()
                        .filter(|(m, _)| !input.topology.memories[*m].cores.iter().all(|c| offchip.contains(c)))
                        .map(|(_, u)| u.peak as f64)
                        .fold(0.0, f64::max);
                    Ok(GranularityRow {
                        tiling: c.label.clone(),
                        cns: input.cns.len(),
                        latency: s.latency,
                        energy: s.energy.total(),
                        peak_memory: peak,
                        error: None,
                        feasible: false,
                        best: false,
                    })
                }
                Err(e) => Ok(fail(e.to_string())),
            }
        })
        .collect::<Result<Vec<GranularityRow>>>()?;
    let key = |r: &GranularityRow| match objective {
        Objective::Energy => (r.energy, r.latency),
        Objective::Edp => (r.energy * r.latency, 0.0),
        Objective::Latency => (r.latency, r.energy),
    };
    for r in rows.iter_mut() {
        r.feasible = r.error.is_none()
            && max_latency.is_none_or(|m| r.latency <= m)
            && max_memory.is_none_or(|m| r.peak_memory <= m);
    }
    let best = (0..rows.len())
        .filter(|&k| rows[k].feasible)
        .min_by(|&a, &b| key(&rows[a]).partial_cmp(&key(&rows[b])).unwrap_or(std::cmp::Ordering::Equal));
    if let Some(b) = best {
        rows[b].best = true;
    }
    Ok(GranularityResult { rows, best })
}

impl GranularityResult {
    /// `granularity.csv`.
    pub fn csv(&self) -> String {
        let mut csv = String::from("tiling,cns,latency_cycles,energy_pJ,peak_memory_bits,feasible,best,error\n");
        for r in &self.rows {
            csv.push_str(&format!(
                "\"{}\",{},{:?},{:?},{:?},{},{},\"{}\"\n",
                r.tiling,
                r.cns,
                r.latency,
                r.energy,
                r.peak_memory,
                r.feasible,
                r.best,
                r.error.as_deref().unwrap_or("").replace('"', "'")
            ));
        }
        csv
    }

    /// `granularity.json`.
    pub fn to_json(&self) -> serde_json::Value {
        self.rows
            .iter()
            .map(|r| {
                serde_json::json!({"tiling": r.tiling, "cns": r.cns, "latency": r.latency, "energy": r.energy,
                "peak_memory_bits": r.peak_memory, "feasible": r.feasible, "best": r.best, "error": r.error})
            })
            .collect()
    }
}
