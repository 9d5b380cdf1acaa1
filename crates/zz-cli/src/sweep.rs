//! `zigzag-rs sweep`: evaluate the cross product of accelerator parameter values (a sweep
//! file) on one workload, in parallel, and report every point and the Pareto front.

use crate::Failure;
use crate::map::{read_workload, warn_all};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use zigzag::sweep::{self, SweepOptions};
use zigzag::{Objective, Source, single_core};
use zz_report::pareto::pareto_plot;

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

/// Runs `sweep`.
pub fn run(args: SweepArgs) -> Result<(), Failure> {
    let objective: Objective = args.opt.parse().map_err(|e| Failure::input(format!("--opt: {e}")))?;
    args.inputs.use_cacti();
    let base = single_core::read_accelerator(&Source::Path(&args.inputs.accelerator))?;
    warn_all(&base.warnings);
    let workload = read_workload(&args.inputs.workload)?;
    let mapping = single_core::read_mapping(&Source::Path(&args.inputs.mapping))?;
    warn_all(&mapping.warnings);
    let spec = sweep::read_sweep(&Source::Path(&args.sweep))?;
    warn_all(&spec.warnings);
    let spec = spec.value;
    let n = spec.n_points();
    // Every point's accelerator is built up front so bad parameters fail before any work.
    let accs = sweep::point_accelerators(&base.value, &spec)?;
    let opts = SweepOptions { objective, lpf_limit: args.lpf_limit, constraints: args.constraints.constraints() };
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
    let on_point = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let result = sweep::run(&workload, &mapping.value, &spec, &accs, &opts, &on_point);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let secs = result.seconds;
    let feasible_idx = result.feasible();
    let best = result.best;
    std::fs::create_dir_all(&args.output).map_err(|e| Failure::other(format!("{}: {e}", args.output.display())))?;
    let write = |name: &str, text: String| -> Result<(), Failure> {
        let p = args.output.join(name);
        std::fs::write(&p, text).map_err(|e| Failure::other(format!("{}: {e}", p.display())))
    };
    write("sweep.csv", result.csv())?;
    write("sweep.json", serde_json::to_string_pretty(&result.to_json()).map_err(|e| Failure::other(e.to_string()))?)?;
    let (pts, chosen) = result.design_points();
    let title = format!(
        "{} design points on {}",
        n,
        args.inputs.workload.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_default()
    );
    for f in ["pareto.png", "pareto.svg"] {
        pareto_plot(&pts, chosen, &title, args.output.join(f)).map_err(|e| Failure::other(e.to_string()))?;
    }
    let results = &result.points;
    let errors = results.iter().filter(|r| r.error.is_some()).count();
    println!(
        "{n} design points in {secs:.2} s ({:.1} points/s); {} feasible, {} on the Pareto front, {errors} failed",
        n as f64 / secs.max(1e-9),
        feasible_idx.len(),
        results.iter().filter(|r| r.pareto).count()
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
    Ok(())
}
