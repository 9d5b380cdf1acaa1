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
    /// Temporal search engine: loma (exhaustive over loop orderings), salsa (simulated annealing)
    /// or optimal (branch-and-bound over the full ordering space: the proven best temporal mapping).
    #[arg(long, default_value = "loma")]
    pub engine: String,
    /// Per spatial mapping, stop the loma or optimal temporal search after this many seconds and
    /// keep the best found (the output says so; optimal also prints the proven bound gap).
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Also run the optimal engine and report, per layer and in total, how far the chosen
    /// search is from the optimum (terminal; `gap.json` in --output DIR). Only `optimal`.
    #[arg(long)]
    pub against: Option<String>,
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
    args.inputs.use_cacti();
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
    let time_limit = match args.time_limit {
        None => None,
        Some(t) if t.is_finite() && t > 0.0 => Some(std::time::Duration::from_secs_f64(t)),
        Some(t) => return Err(Failure::input(format!("--time-limit: expected a positive number of seconds, got {t}"))),
    };
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
            time_limit,
        },
        optimal: (args.engine == "optimal")
            .then(|| zz_search::optimal::OptimalOptions { time_limit, ..Default::default() }),
        exploit_data_locality: args.exploit_data_locality,
        salsa: match args.engine.as_str() {
            "loma" | "optimal" => None,
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
            other => return Err(Failure::input(format!("--engine: expected loma, salsa or optimal, got `{other}`"))),
        },
    };
    // As ZigZag's `get_hardware_performance_zigzag_imc`: an IMC array runs with
    // `in_memory_compute` (mixed spatial mappings and inter-layer data locality).
    let opts = if acc.operational_array.is_imc { opts.in_memory_compute() } else { opts };
    let spaces = zz_search::network::search_spaces(&workload, &acc, &mapping, &opts)
        .map_err(|e| Failure::input(format!("{}: {e}", args.inputs.workload.display())))?;
    let total: u128 = spaces.iter().fold(0u128, |a, l| a.saturating_add(l.total()));
    if opts.salsa.is_none() {
        let rate = measure_rate(&workload, &acc, &mapping, &opts);
        print_spaces(&spaces, rate, &opts, args.quiet);
    }
    let bar = if !args.quiet && std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if opts.salsa.is_none() && total > 0 && total < u64::MAX as u128 {
            b.set_length(total as u64);
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg}: [{bar:30}] {human_pos}/{human_len} orderings, {elapsed} elapsed, ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        } else {
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg}: {human_pos} mappings evaluated, {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
        }
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
    print_search_outcome(&result, opts.loma.objective);
    let gap = match args.against.as_deref() {
        None => None,
        Some("optimal") => {
            let mut o = opts.clone();
            o.salsa = None;
            o.optimal = Some(zz_search::optimal::OptimalOptions { time_limit, ..Default::default() });
            let opt = zz_search::network::search_network(&workload, &acc, &mapping, &o, &|_| {})
                .map_err(|e| Failure::input(format!("{}: {e}", args.inputs.workload.display())))?;
            print_search_outcome(&opt, opts.loma.objective);
            Some(gap_report(&result, &opt, opts.loma.objective))
        }
        Some(other) => return Err(Failure::input(format!("--against: expected optimal, got `{other}`"))),
    };
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
        if let Some(g) = &gap {
            let p = dir.join("gap.json");
            std::fs::write(&p, serde_json::to_string_pretty(g).unwrap_or_default())
                .map_err(|e| Failure::other(format!("{}: {e}", p.display())))?;
        }
        eprintln!("wrote {}", dir.join("breakdown.png").display());
    }
    Ok(())
}

/// Orderings per second of this machine on the first layer (LOMA's default search, timed).
fn measure_rate(
    workload: &zz_ir::workload::Workload,
    acc: &zz_ir::accelerator::Accelerator,
    mapping: &zz_ir::mapping::Mapping,
    opts: &SearchOptions,
) -> Option<f64> {
    let hw = zz_cost::HierarchyInfo::new(acc);
    let idx = workload.topological_order().into_iter().find(|&i| {
        let l = &workload.layers[i];
        l.kind == zz_ir::workload::LayerKind::Compute && !zz_search::network::imc_skips(acc.operational_array.is_imc, l)
    })?;
    let layer = &workload.layers[idx];
    let entry = mapping.entry_for(&layer.name, &layer.operator_type)?;
    let info = zz_cost::LayerInfo::new(layer).ok()?;
    let mut o = opts.clone();
    o.optimal = None;
    o.salsa = None;
    o.loma.lpf_limit = 7;
    o.loma.time_limit = None;
    let mut e = entry.clone();
    e.temporal_ordering.clear();
    let t = std::time::Instant::now();
    let r = zz_search::network::search_layer(info, idx, &hw, &e, &o, &|_| {}).ok()?;
    let secs = t.elapsed().as_secs_f64();
    (r.orderings_generated > 0 && secs > 0.0).then(|| r.orderings_generated as f64 / secs)
}

fn human_seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{s:.2} s")
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 3.0 * 86400.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.0} days", s / 86400.0)
    }
}

/// Before searching: the exact number of orderings per layer, an estimated time at the
/// measured rate, and advice for layers beyond 10^8 orderings.
fn print_spaces(spaces: &[zz_search::network::LayerSpace], rate: Option<f64>, opts: &SearchOptions, quiet: bool) {
    let optimal = opts.optimal.is_some();
    let what = if optimal {
        "full ordering space".to_string()
    } else {
        format!("orderings at --lpf-limit {}", opts.loma.lpf_limit)
    };
    let est = |n: u128| match rate {
        Some(r) => human_seconds(n as f64 / r),
        None => "?".into(),
    };
    let total: u128 = spaces.iter().fold(0u128, |a, l| a.saturating_add(l.total()));
    if !quiet {
        let rate_s =
            rate.map(|r| format!("{:.0} orderings/s measured", r)).unwrap_or_else(|| "rate not measured".into());
        let kind = if optimal { "exhaustive time; branch-and-bound evaluates fewer" } else { "estimated" };
        eprintln!("Search space ({what}; {kind}, {rate_s}):");
        for l in spaces {
            let per: Vec<String> = l.orderings.iter().map(|n| n.to_string()).collect();
            eprintln!(
                "  {:<24} {:>22} orderings  ~{}  [per spatial mapping: {}]",
                l.layer,
                l.total(),
                est(l.total()),
                per.join(", ")
            );
        }
        eprintln!("  {:<24} {:>22} orderings  ~{}", "total", total, est(total));
    }
    for l in spaces {
        if l.orderings.iter().any(|&n| n > 100_000_000) {
            eprintln!(
                "warning: layer {}: {} orderings ({what}), about {} at this rate. Lower --lpf-limit, set --time-limit SECONDS (best found so far per spatial mapping), or use --engine salsa{}",
                l.layer,
                l.total(),
                est(l.total()),
                if optimal { " (the optimal engine prunes most of it, but may still take that long)" } else { "" }
            );
        }
    }
}

/// After searching: the optimal engine's counts per layer, and any layer a time limit stopped.
fn print_search_outcome(result: &zz_search::NetworkResult, objective: zz_search::Objective) {
    for l in &result.layers {
        if let Some(st) = &l.optimal {
            let status = if st.time_limit_hit {
                let best = objective.key(&l.cost).0;
                let gap = if best > 0.0 { 100.0 * (best - st.lower_bound) / best } else { 0.0 };
                format!(
                    "TIME LIMIT HIT: best found {best:.6e}, proven lower bound {:.6e} ({objective:?}), gap at most {gap:.2} %",
                    st.lower_bound
                )
            } else {
                "proven optimal".to_string()
            };
            eprintln!(
                "optimal: layer {}: space {} orderings, {} evaluations ({} of them subtrees of equal cost covering {} orderings), {} pruned, {:.2} s, {}{}",
                l.info.name,
                st.space,
                st.evaluated,
                st.classes,
                st.covered,
                st.pruned,
                st.seconds,
                status,
                if st.tie_break_exact {
                    ""
                } else {
                    " (tie between equal-cost orderings broken in tree order, not LOMA's)"
                }
            );
        } else if l.time_limit_hit {
            eprintln!(
                "warning: layer {}: the --time-limit stopped the search: best of {} orderings evaluated, not of the whole space",
                l.info.name, l.temporal_evaluated
            );
        }
    }
}

/// Per layer and in total: the chosen search's latency and energy, the optimum's, and the gap
/// of the objective (printed; returned as JSON).
fn gap_report(
    found: &zz_search::NetworkResult,
    opt: &zz_search::NetworkResult,
    objective: zz_search::Objective,
) -> serde_json::Value {
    let pct = |a: f64, b: f64| if b > 0.0 { 100.0 * (a - b) / b } else { 0.0 };
    println!();
    println!("Gap to the optimal temporal mapping ({objective:?}; same spatial mappings, full ordering space):");
    println!(
        "  {:<20} {:>16} {:>16} {:>18} {:>18} {:>9}  status",
        "layer", "latency", "optimal latency", "energy [pJ]", "optimal energy", "gap"
    );
    let mut layers = Vec::new();
    for (a, b) in found.layers.iter().zip(&opt.layers) {
        let (ka, kb) = (objective.key(&a.cost).0, objective.key(&b.cost).0);
        let proven = b.optimal.is_some_and(|s| !s.time_limit_hit);
        let status = if proven { "proven" } else { "time limit: best found" };
        println!(
            "  {:<20} {:>16.0} {:>16.0} {:>18.1} {:>18.1} {:>8.2}%  {status}",
            a.info.name,
            a.cost.latency_total2,
            b.cost.latency_total2,
            a.cost.energy_total,
            b.cost.energy_total,
            pct(ka, kb)
        );
        layers.push(serde_json::json!({
            "layer": a.info.name,
            "latency": a.cost.latency_total2,
            "energy": a.cost.energy_total,
            "optimal_latency": b.cost.latency_total2,
            "optimal_energy": b.cost.energy_total,
            "gap_percent": pct(ka, kb),
            "proven_optimal": proven,
            "optimal_lower_bound": b.optimal.map(|s| s.lower_bound),
        }));
    }
    let (ta, tb) = (&found.totals, &opt.totals);
    let (ka, kb) = match objective {
        zz_search::Objective::Latency => (ta.latency_total2, tb.latency_total2),
        zz_search::Objective::Energy => (ta.energy_total, tb.energy_total),
        zz_search::Objective::Edp => (ta.latency_total2 * ta.energy_total, tb.latency_total2 * tb.energy_total),
    };
    println!(
        "  {:<20} {:>16.0} {:>16.0} {:>18.1} {:>18.1} {:>8.2}%",
        "total",
        ta.latency_total2,
        tb.latency_total2,
        ta.energy_total,
        tb.energy_total,
        pct(ka, kb)
    );
    serde_json::json!({
        "objective": format!("{objective:?}").to_lowercase(),
        "layers": layers,
        "total": {
            "latency": ta.latency_total2,
            "energy": ta.energy_total,
            "optimal_latency": tb.latency_total2,
            "optimal_energy": tb.energy_total,
            "gap_percent": pct(ka, kb),
        },
    })
}
