//! The cross product of accelerator parameter values on one workload (`zigzag-rs sweep`):
//! every point's accelerator built up front (bad parameters fail before any work, CACTI
//! memories re-costed), all points searched in parallel, feasibility, the energy–latency
//! Pareto front and the lowest-EDP front point.
//!
//! Staged: [`read_sweep`], [`point_accelerators`], [`run`]. One call: [`sweep`].

use rayon::prelude::*;
use serde_json::json;
pub use zz_inputs::sweep::SweepSpec;
use zz_ir::accelerator::Accelerator;
use zz_ir::mapping::Mapping;
use zz_ir::workload::Workload;
use zz_report::pareto::{DesignPoint, pareto_front};
use zz_search::Objective;

use crate::design::{DesignConstraints, area, onchip_memory_bits};
use crate::single_core::{MapOptions, read_accelerator, read_mapping, read_workload};
use crate::source::{Read, Source};
use crate::{Error, Result, Warning};

/// What every point is searched with and must meet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweepOptions {
    /// Objective per layer.
    pub objective: Objective,
    /// Loop-prime-factor limit of LOMA.
    pub lpf_limit: usize,
    /// Feasibility limits.
    pub constraints: DesignConstraints,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions { objective: Objective::Latency, lpf_limit: 6, constraints: DesignConstraints::default() }
    }
}

/// One design point.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// The parameter values of this point, in the sweep file's parameter order.
    pub values: Vec<String>,
    /// Energy, pJ (NaN when the point failed).
    pub energy: f64,
    /// Latency, cycles (NaN when the point failed).
    pub latency: f64,
    /// Area (the IMC area for IMC arrays).
    pub area: f64,
    /// Clock period of an IMC array, ns; `None` for digital arrays.
    pub tclk: Option<f64>,
    /// On-chip memory, bits.
    pub onchip_memory_bits: f64,
    /// Why the point has no numbers, if it has none.
    pub error: Option<String>,
    /// Whether the point has numbers and meets the constraints.
    pub feasible: bool,
    /// Whether the point is on the energy–latency Pareto front of the feasible points.
    pub pareto: bool,
}

/// Every point of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepResult {
    /// The parameter paths, in file order.
    pub parameters: Vec<String>,
    /// The points, in cross-product order (the last parameter varies fastest).
    pub points: Vec<SweepPoint>,
    /// The lowest-EDP point on the front.
    pub best: Option<usize>,
    /// Wall seconds of the searches.
    pub seconds: f64,
}

impl SweepResult {
    /// The points as the one-file HTML report (`report.html`) shows them; `is_imc` gives the
    /// areas their unit (mm², ZigZag's IMC area), digital areas keep the accelerator file's.
    pub fn html_report(&self, workload: &str, accelerator: &str, is_imc: bool) -> zz_report::SweepReport {
        zz_report::SweepReport {
            workload: workload.to_string(),
            accelerator: accelerator.to_string(),
            parameters: self.parameters.clone(),
            area_unit: if is_imc { "mm²".into() } else { String::new() },
            points: self
                .points
                .iter()
                .map(|p| zz_report::SweepPoint {
                    values: p.values.clone(),
                    energy: p.energy,
                    latency: p.latency,
                    area: Some(p.area),
                    onchip_memory_bits: p.onchip_memory_bits,
                    feasible: p.feasible,
                    pareto: p.pareto,
                    error: p.error.clone(),
                })
                .collect(),
            best: self.best,
        }
    }
}

/// Reads a sweep file (parameter paths with lists of values).
pub fn read_sweep(src: &Source<'_>) -> Result<Read<SweepSpec>> {
    let r = match src {
        Source::Path(p) => zz_inputs::sweep::read_sweep(p)?,
        other => {
            let (name, text) = other.yaml_text()?;
            zz_inputs::sweep::read_sweep_str(name, text)?
        }
    };
    Ok(Read::new(r))
}

/// Every point's accelerator (a memory costed by CACTI re-costed at the point's size and ports).
pub fn point_accelerators(base: &Accelerator, spec: &SweepSpec) -> Result<Vec<Accelerator>> {
    let mut accs: Vec<Accelerator> = (0..spec.n_points()).map(|k| spec.apply(base, k)).collect::<Result<_, _>>()?;
    for (k, acc) in accs.iter_mut().enumerate() {
        zz_inputs::cacti::recost(acc).map_err(|e| Error::InvalidOption { message: format!("sweep point {k}: {e}") })?;
    }
    Ok(accs)
}

/// A point without numbers: the reason, the accelerator's own area and memory.
fn failed(values: Vec<String>, acc: &Accelerator, error: String) -> SweepPoint {
    SweepPoint {
        values,
        energy: f64::NAN,
        latency: f64::NAN,
        area: area(acc),
        tclk: None,
        onchip_memory_bits: onchip_memory_bits(acc),
        error: Some(error),
        feasible: false,
        pareto: false,
    }
}

/// Searches every point in parallel; `on_point` is called as each point finishes.
pub fn run(
    workload: &Workload,
    mapping: &Mapping,
    spec: &SweepSpec,
    accelerators: &[Accelerator],
    opts: &SweepOptions,
    on_point: &(dyn Fn() + Sync),
) -> SweepResult {
    let start = std::time::Instant::now();
    let design = MapOptions::design_search(opts.objective, opts.lpf_limit);
    let mut points: Vec<SweepPoint> = accelerators
        .par_iter()
        .enumerate()
        .map(|(k, acc)| {
            let idx = spec.point(k);
            let values: Vec<String> = spec.parameters.iter().zip(&idx).map(|(p, &i)| p.values[i].to_string()).collect();
            let search = design.search_options(acc.operational_array.is_imc);
            let r = zz_search::search_network(workload, acc, mapping, &search, &|_| {});
            on_point();
            match r {
                Ok(r) if !(r.totals.energy_total.is_finite() && r.totals.latency_total2.is_finite()) => failed(
                    values,
                    acc,
                    "non-finite energy or latency: a bandwidth, memory size or array size of 0 in this point".into(),
                ),
                Ok(r) => SweepPoint {
                    values,
                    energy: r.totals.energy_total,
                    latency: r.totals.latency_total2,
                    // IMC designs: the reference's IMC area (array + memories).
                    area: r.imc.map_or_else(|| area(acc), |(_, a)| a),
                    tclk: r.imc.map(|(t, _)| t),
                    onchip_memory_bits: onchip_memory_bits(acc),
                    error: None,
                    feasible: false,
                    pareto: false,
                },
                Err(e) => failed(values, acc, e.to_string()),
            }
        })
        .collect();
    let seconds = start.elapsed().as_secs_f64();
    for p in points.iter_mut() {
        p.feasible = p.error.is_none() && opts.constraints.admit(p.latency, p.area, p.onchip_memory_bits);
    }
    let feasible_idx: Vec<usize> = (0..points.len()).filter(|&k| points[k].feasible).collect();
    let front = pareto_front(&feasible_idx.iter().map(|&k| (points[k].energy, points[k].latency)).collect::<Vec<_>>());
    for (j, &k) in feasible_idx.iter().enumerate() {
        points[k].pareto = front[j];
    }
    let best = feasible_idx
        .iter()
        .copied()
        .filter(|&k| points[k].pareto)
        .min_by(|&a, &b| (points[a].energy * points[a].latency).total_cmp(&(points[b].energy * points[b].latency)));
    SweepResult { parameters: spec.parameters.iter().map(|p| p.path.clone()).collect(), points, best, seconds }
}

fn csv_field(s: &str) -> String {
    if s.contains(',') || s.contains('"') { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

impl SweepResult {
    /// Indices of the feasible points.
    pub fn feasible(&self) -> Vec<usize> {
        (0..self.points.len()).filter(|&k| self.points[k].feasible).collect()
    }

    /// `sweep.csv`: one row per point with its parameters, numbers, feasibility and front flag.
    pub fn csv(&self) -> String {
        let mut csv = String::new();
        csv.push_str("point,");
        for p in &self.parameters {
            csv.push_str(&csv_field(p));
            csv.push(',');
        }
        csv.push_str("energy_pJ,latency_cycles,edp,area,tclk_ns,onchip_memory_bits,feasible,pareto,error\n");
        for (k, r) in self.points.iter().enumerate() {
            csv.push_str(&format!("{k},"));
            for v in &r.values {
                csv.push_str(&csv_field(v));
                csv.push(',');
            }
            csv.push_str(&format!(
                "{:?},{:?},{:?},{:?},{},{:?},{},{},{}\n",
                r.energy,
                r.latency,
                r.energy * r.latency,
                r.area,
                r.tclk.map_or(String::new(), |t| format!("{t:?}")),
                r.onchip_memory_bits,
                r.feasible,
                r.pareto,
                csv_field(r.error.as_deref().unwrap_or(""))
            ));
        }
        csv
    }

    /// `sweep.json`: every point, the best point and the wall seconds.
    pub fn to_json(&self) -> serde_json::Value {
        let points: Vec<serde_json::Value> = self
            .points
            .iter()
            .enumerate()
            .map(|(k, r)| {
                json!({
                    "point": k,
                    "parameters": self.parameters.iter().zip(&r.values).map(|(p, v)| (p.clone(), serde_json::Value::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
                    "energy": r.energy, "latency": r.latency, "area": r.area, "tclk": r.tclk, "onchip_memory_bits": r.onchip_memory_bits,
                    "feasible": r.feasible, "pareto": r.pareto, "error": r.error,
                })
            })
            .collect();
        json!({ "points": points, "best": self.best, "seconds": self.seconds })
    }

    /// The feasible points for the Pareto plot, and the position of the best among them.
    pub fn design_points(&self) -> (Vec<DesignPoint>, Option<usize>) {
        let feasible = self.feasible();
        let pts = feasible
            .iter()
            .map(|&k| DesignPoint {
                label: zz_report::pareto::parameter_label(&self.parameters, &self.points[k].values),
                energy: self.points[k].energy,
                latency: self.points[k].latency,
                area: Some(self.points[k].area),
            })
            .collect();
        let chosen = self.best.and_then(|b| feasible.iter().position(|&k| k == b));
        (pts, chosen)
    }
}

/// Runs a sweep in one call; returns the result and every warning of the readers.
pub fn sweep(
    accelerator: &Source<'_>,
    workload: &Source<'_>,
    mapping: &Source<'_>,
    sweep_file: &Source<'_>,
    opts: &SweepOptions,
) -> Result<(SweepResult, Vec<Warning>)> {
    let a = read_accelerator(accelerator)?;
    let w = read_workload(workload)?;
    let m = read_mapping(mapping)?;
    let s = read_sweep(sweep_file)?;
    let mut warnings = a.warnings;
    warnings.extend(w.warnings);
    warnings.extend(m.warnings);
    warnings.extend(s.warnings);
    warnings.extend(crate::single_core::check_mapping_dimensions(&m.value, mapping, &w.value)?);
    let accs = point_accelerators(&a.value, &s.value)?;
    Ok((run(&w.value, &m.value, &s.value, &accs, opts, &|| {}), warnings))
}
