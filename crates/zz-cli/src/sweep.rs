//! `zigzag-rs sweep`: evaluate the cross product of accelerator parameter values (a sweep
//! file) on one workload, in parallel, and report every point and the Pareto front.

use crate::Failure;
use crate::map::read_workload;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use zz_ir::accelerator::Accelerator;
use zz_report::pareto::{DesignPoint, pareto_front, pareto_plot};
use zz_search::{LomaOptions, SearchOptions, SpatialOptions};

/// Arguments of `sweep`.
#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Input files.
    #[command(flatten)]
    pub inputs: crate::args::CoreInputs,
    /// Sweep file: parameter paths with lists of values.
    #[arg(long, short = 's')]
    pub sweep: PathBuf,
    /// Objective per layer: latency, energy or edp.
    #[arg(long, default_value = "latency")]
    pub opt: String,
    /// Maximum number of loop prime factors.
    #[arg(long, default_value_t = 6)]
    pub lpf_limit: usize,
    /// Feasibility constraints.
    #[command(flatten)]
    pub constraints: crate::args::DesignConstraints,
    /// Output directory: sweep.csv, sweep.json, pareto.png, pareto.svg.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Area of an accelerator: MAC units × unit area + Σ memory area × number of instances.
pub fn area(acc: &Accelerator) -> f64 {
    let oa = &acc.operational_array;
    let mut a = oa.unit_area * oa.total_unit_count() as f64;
    for m in &acc.memories {
        a += m.area * acc.instances(m) as f64;
    }
    a
}

/// On-chip memory in bits: every memory but the last (top) one, times its instances.
pub fn onchip_memory_bits(acc: &Accelerator) -> f64 {
    let n = acc.memories.len().saturating_sub(1);
    acc.memories[..n].iter().map(|m| m.size as f64 * acc.instances(m) as f64).sum()
}

struct PointResult {
    values: Vec<String>,
    energy: f64,
    latency: f64,
    area: f64,
    /// Clock period of an IMC array (ns); `None` for digital arrays.
    tclk: Option<f64>,
    memory: f64,
    error: Option<String>,
}

fn csv_field(s: &str) -> String {
    if s.contains(',') || s.contains('"') { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Runs `sweep`.
pub fn run(args: SweepArgs) -> Result<(), Failure> {
    let objective = zz_search::network::objective_from_str(&args.opt)
        .ok_or_else(|| Failure::input(format!("--opt: expected latency, energy or edp, got `{}`", args.opt)))?;
    args.inputs.use_cacti();
    let (base, w) = zz_inputs::read_accelerator(&args.inputs.accelerator).map_err(|e| Failure::input(e.to_string()))?;
    w.iter().for_each(|w| eprintln!("{w}"));
    let workload = read_workload(&args.inputs.workload)?;
    let (mapping, w) = zz_inputs::read_mapping(&args.inputs.mapping).map_err(|e| Failure::input(e.to_string()))?;
    w.iter().for_each(|w| eprintln!("{w}"));
    let (spec, w) = zz_inputs::sweep::read_sweep(&args.sweep).map_err(|e| Failure::input(e.to_string()))?;
    w.iter().for_each(|w| eprintln!("{w}"));
    let n = spec.n_points();
    // Every point's accelerator is built up front so bad parameters fail before any work.
    let mut accs: Vec<Accelerator> =
        (0..n).map(|k| spec.apply(&base, k)).collect::<Result<_, _>>().map_err(|e| Failure::input(e.to_string()))?;
    // A memory costed by CACTI is re-costed at each point's size and ports.
    for (k, acc) in accs.iter_mut().enumerate() {
        zz_inputs::cacti::recost(acc).map_err(|e| Failure::input(format!("sweep point {k}: {e}")))?;
    }
    let opts = SearchOptions {
        spatial: SpatialOptions::default(),
        loma: LomaOptions { lpf_limit: args.lpf_limit, objective, ..Default::default() },
        ..Default::default()
    };
    let bar = if !args.quiet && std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(Some(n as u64), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} design points ({per_sec}, eta {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let done = AtomicU64::new(0);
    let start = std::time::Instant::now();
    let results: Vec<PointResult> = accs
        .par_iter()
        .enumerate()
        .map(|(k, acc)| {
            let idx = spec.point(k);
            let values: Vec<String> = spec.parameters.iter().zip(&idx).map(|(p, &i)| p.values[i].to_string()).collect();
            let opts = if acc.operational_array.is_imc { opts.clone().in_memory_compute() } else { opts.clone() };
            let r = zz_search::search_network(&workload, acc, &mapping, &opts, &|_| {});
            if let Some(b) = &bar {
                b.inc(1);
            }
            done.fetch_add(1, Ordering::Relaxed);
            // A point without numbers: the reason, the accelerator's own area and memory.
            let failed = |error: String| PointResult {
                values: values.clone(),
                energy: f64::NAN,
                latency: f64::NAN,
                area: area(acc),
                tclk: None,
                memory: onchip_memory_bits(acc),
                error: Some(error),
            };
            match r {
                Ok(r) if !(r.totals.energy_total.is_finite() && r.totals.latency_total2.is_finite()) => failed(
                    "non-finite energy or latency: a bandwidth, memory size or array size of 0 in this point".into(),
                ),
                Ok(r) => PointResult {
                    values,
                    energy: r.totals.energy_total,
                    latency: r.totals.latency_total2,
                    // IMC designs: the reference's IMC area (array + memories).
                    area: r.imc.map_or_else(|| area(acc), |(_, a)| a),
                    tclk: r.imc.map(|(t, _)| t),
                    memory: onchip_memory_bits(acc),
                    error: None,
                },
                Err(e) => failed(e.to_string()),
            }
        })
        .collect();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let secs = start.elapsed().as_secs_f64();
    let feasible: Vec<bool> =
        results.iter().map(|r| r.error.is_none() && args.constraints.admit(r.latency, r.area, r.memory)).collect();
    let feasible_idx: Vec<usize> = (0..n).filter(|&k| feasible[k]).collect();
    let front_sub =
        pareto_front(&feasible_idx.iter().map(|&k| (results[k].energy, results[k].latency)).collect::<Vec<_>>());
    let mut on_front = vec![false; n];
    for (j, &k) in feasible_idx.iter().enumerate() {
        on_front[k] = front_sub[j];
    }
    // Best: lowest EDP on the front.
    let best =
        feasible_idx.iter().copied().filter(|&k| on_front[k]).min_by(|&a, &b| {
            (results[a].energy * results[a].latency).total_cmp(&(results[b].energy * results[b].latency))
        });
    std::fs::create_dir_all(&args.output).map_err(|e| Failure::other(format!("{}: {e}", args.output.display())))?;
    let mut csv = String::new();
    csv.push_str("point,");
    for p in &spec.parameters {
        csv.push_str(&csv_field(&p.path));
        csv.push(',');
    }
    csv.push_str("energy_pJ,latency_cycles,edp,area,tclk_ns,onchip_memory_bits,feasible,pareto,error\n");
    let mut json_points = Vec::new();
    for (k, r) in results.iter().enumerate() {
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
            r.memory,
            feasible[k],
            on_front[k],
            csv_field(r.error.as_deref().unwrap_or(""))
        ));
        json_points.push(serde_json::json!({
            "point": k,
            "parameters": spec.parameters.iter().zip(&r.values).map(|(p, v)| (p.path.clone(), serde_json::Value::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
            "energy": r.energy, "latency": r.latency, "area": r.area, "tclk": r.tclk, "onchip_memory_bits": r.memory,
            "feasible": feasible[k], "pareto": on_front[k], "error": r.error,
        }));
    }
    let write = |name: &str, text: String| -> Result<(), Failure> {
        let p = args.output.join(name);
        std::fs::write(&p, text).map_err(|e| Failure::other(format!("{}: {e}", p.display())))
    };
    write("sweep.csv", csv)?;
    let json = serde_json::json!({ "points": json_points, "best": best, "seconds": secs });
    write("sweep.json", serde_json::to_string_pretty(&json).map_err(|e| Failure::other(e.to_string()))?)?;
    let pts: Vec<DesignPoint> = feasible_idx
        .iter()
        .map(|&k| DesignPoint {
            label: results[k].values.join(" "),
            energy: results[k].energy,
            latency: results[k].latency,
            area: Some(results[k].area),
        })
        .collect();
    let chosen = best.and_then(|b| feasible_idx.iter().position(|&k| k == b));
    let title = format!(
        "{} design points on {}",
        n,
        args.inputs.workload.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_default()
    );
    for f in ["pareto.png", "pareto.svg"] {
        pareto_plot(&pts, chosen, &title, args.output.join(f)).map_err(|e| Failure::other(e.to_string()))?;
    }
    let errors = results.iter().filter(|r| r.error.is_some()).count();
    println!(
        "{n} design points in {secs:.2} s ({:.1} points/s); {} feasible, {} on the Pareto front, {errors} failed",
        n as f64 / secs.max(1e-9),
        feasible_idx.len(),
        on_front.iter().filter(|&&f| f).count()
    );
    if let Some(b) = best {
        println!(
            "lowest EDP on the front: point {b} ({}): {} pJ, {} cycles",
            results[b].values.join(", "),
            zz_report::format::thousands(results[b].energy, 1),
            zz_report::format::thousands(results[b].latency, 0)
        );
    }
    println!("wrote {}", args.output.join("sweep.csv").display());
    let _ = done.load(Ordering::Relaxed);
    Ok(())
}
