//! `zigzag-rs map`: single-core mapping and cost evaluation of a whole workload.

use crate::Failure;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zz_cost::MappingType;
use zz_search::{LomaOptions, SearchOptions, SpatialOptions};

/// Arguments of `map`.
#[derive(Args, Debug)]
pub struct MapArgs {
    /// Input files.
    #[command(flatten)]
    pub inputs: crate::args::CoreInputs,
    /// Objective: latency (then energy), energy (then latency), or edp.
    #[arg(long, default_value = "latency")]
    pub opt: String,
    /// Maximum number of loop prime factors in the temporal search.
    #[arg(long, default_value_t = 6)]
    pub lpf_limit: usize,
    /// Number of spatial mappings generated per layer.
    #[arg(long, default_value_t = 3)]
    pub spatial_mappings: usize,
    /// Also generate mixed spatial mappings (several layer dims on one array dim).
    #[arg(long)]
    pub mixed_spatial: bool,
    /// Keep data between layers in lower memories when they fit (ZigZag `exploit_data_locality`).
    /// Always on with --mixed-spatial, as in ZigZag.
    #[arg(long)]
    pub exploit_data_locality: bool,
    /// Temporal mapping type: uneven (default) or even.
    #[arg(long, default_value = "uneven")]
    pub mapping_type: String,
    /// Fix of ZigZag issue #97 (the reference's behaviour is the default): when the innermost
    /// memory's capacity clamps a spatial mapping, write each reduced factor to its own position.
    #[arg(long)]
    pub fix_capacity_clamp: bool,
    /// Fix (the reference's behaviour is the default): sum an operand's half-shared on-loading
    /// links instead of keeping only the last one.
    #[arg(long)]
    pub fix_onloading_sum: bool,
    /// Temporal search engine: loma (exhaustive over loop orderings) or salsa (simulated annealing).
    #[arg(long, default_value = "loma")]
    pub engine: String,
    /// Seed of the SALSA annealing chains (the reference is unseeded).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// SALSA steps per chain.
    #[arg(long, default_value_t = 1000)]
    pub salsa_iterations: usize,
    /// SALSA chains (run in parallel; the best is kept).
    #[arg(long, default_value_t = 1)]
    pub salsa_chains: usize,
    /// What SALSA chains minimise: energy (reference default, whatever --opt says) or latency.
    #[arg(long, default_value = "energy")]
    pub salsa_criterion: String,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write plots (energy/latency breakdown PNG + SVG) and the JSON into this directory.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Print only the totals (no per-layer loop nests, no progress bar).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn warn_all(warnings: &[zz_inputs::Warning]) {
    for w in warnings {
        eprintln!("{w}");
    }
}

/// Reads a workload by extension (`.onnx` → ONNX, otherwise YAML).
pub fn read_workload(path: &Path) -> Result<zz_ir::workload::Workload, Failure> {
    let is_onnx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx"));
    let (w, warnings) = if is_onnx { zz_inputs::read_workload_onnx(path) } else { zz_inputs::read_workload_yaml(path) }
        .map_err(|e| Failure::input(e.to_string()))?;
    warn_all(&warnings);
    Ok(w)
}

/// Runs `map`.
pub fn run(args: MapArgs) -> Result<(), Failure> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .map_err(|e| Failure::other(format!("cannot start {n} threads: {e}")))?;
    }
    let objective = zz_search::network::objective_from_str(&args.opt)
        .ok_or_else(|| Failure::input(format!("--opt: expected latency, energy or edp, got `{}`", args.opt)))?;
    let mapping_type = match args.mapping_type.as_str() {
        "uneven" => MappingType::Uneven,
        "even" => MappingType::Even,
        other => return Err(Failure::input(format!("--mapping-type: expected even or uneven, got `{other}`"))),
    };
    let (acc, w1) = zz_inputs::read_accelerator(&args.inputs.accelerator).map_err(|e| Failure::input(e.to_string()))?;
    warn_all(&w1);
    let workload = read_workload(&args.inputs.workload)?;
    let (mapping, w2) = zz_inputs::read_mapping(&args.inputs.mapping).map_err(|e| Failure::input(e.to_string()))?;
    warn_all(&w2);
    zz_inputs::check_mapping_against_accelerator(&mapping, &args.inputs.mapping.display().to_string(), &acc)
        .map_err(|e| Failure::input(e.to_string()))?;
    let w3 = zz_inputs::check_mapping_against_workload(&mapping, &args.inputs.mapping.display().to_string(), &workload)
        .map_err(|e| Failure::input(e.to_string()))?;
    warn_all(&w3);
    let opts = SearchOptions {
        spatial: SpatialOptions {
            nb_mappings: args.spatial_mappings,
            mixed: args.mixed_spatial,
            fix_capacity_clamp: args.fix_capacity_clamp,
        },
        loma: LomaOptions {
            lpf_limit: args.lpf_limit,
            mapping_type,
            objective,
            sum_half_shared_onloading: args.fix_onloading_sum,
        },
        exploit_data_locality: args.exploit_data_locality,
        salsa: match args.engine.as_str() {
            "loma" => None,
            "salsa" => Some(zz_search::salsa::SalsaOptions {
                iterations: args.salsa_iterations,
                criterion: match args.salsa_criterion.as_str() {
                    "energy" => zz_search::salsa::SalsaCriterion::Energy,
                    "latency" => zz_search::salsa::SalsaCriterion::Latency,
                    other => {
                        return Err(Failure::input(format!(
                            "--salsa-criterion: expected energy or latency, got `{other}`"
                        )));
                    }
                },
                chains: args.salsa_chains,
                seed: args.seed,
                mapping_type,
                ..Default::default()
            }),
            other => return Err(Failure::input(format!("--engine: expected loma or salsa, got `{other}`"))),
        },
    };
    let bar = if !args.quiet && std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{spinner} {msg}: {human_pos} mappings evaluated, {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Some(b)
    } else {
        None
    };
    let progress = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let on_layer = |i: usize, n: usize, name: &str| {
        if let Some(b) = &bar {
            b.set_message(format!("layer {}/{n} {name}", i + 1));
        }
    };
    let result = zz_search::network::search_network_observed(&workload, &acc, &mapping, &opts, &progress, &on_layer)
        .map_err(|e| Failure::input(format!("{}: {e}", args.inputs.workload.display())))?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let wl_name = args.inputs.workload.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    let report = crate::report::run_report(&result, &workload, &acc, &wl_name);
    crate::report::check_finite(
        &report,
        &format!("{} on {}", args.inputs.workload.display(), args.inputs.accelerator.display()),
    )?;
    print!("{}", zz_report::summary(&report));
    if !args.quiet {
        for l in &report.layers {
            println!();
            print!("{}", zz_report::loop_nest_table(l));
        }
    }
    if let Some(p) = &args.json {
        zz_report::write_json(&report, p).map_err(|e| Failure::other(format!("{}: {e}", p.display())))?;
    }
    if let Some(dir) = &args.output {
        std::fs::create_dir_all(dir).map_err(|e| Failure::other(format!("{}: {e}", dir.display())))?;
        zz_report::write_json(&report, dir.join("results.json")).map_err(|e| Failure::other(e.to_string()))?;
        zz_report::bar_chart_breakdown(&report, dir.join("breakdown.png"))
            .map_err(|e| Failure::other(e.to_string()))?;
        zz_report::bar_chart_breakdown_svg(&report, dir.join("breakdown.svg"))
            .map_err(|e| Failure::other(e.to_string()))?;
        eprintln!("wrote {}", dir.join("breakdown.png").display());
    }
    Ok(())
}
