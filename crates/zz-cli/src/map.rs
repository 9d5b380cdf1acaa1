//! `zigzag-rs map`: single-core mapping and cost evaluation of a whole workload.

use crate::Failure;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zigzag::single_core::{self, Observer, SingleCoreInputs};
use zigzag::single_core::{LayerSpace, NetworkResult, SearchOptions};
use zigzag::single_core::{SalsaSettings, TieBreak};
use zigzag::{Engine, MapOptions, MappingType, Objective, SalsaCriterion, Source};

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
    /// Per spatial mapping, stop the loma, salsa or optimal temporal search after this many
    /// seconds and keep the best found (the output says so; optimal also prints the proven bound gap).
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Also run the optimal engine and report, per layer and in total, how far the chosen
    /// search is from the optimum (terminal; `gap.json` and the chart `gap.png` in --output DIR). Only `optimal`.
    #[arg(long)]
    pub against: Option<String>,
    /// The optimal engine searches the mirror image of every ordering of a square convolution
    /// too (OX, FX exchanged with OY, FY), instead of deriving it: slower, for checking.
    #[arg(long)]
    pub no_mirror: bool,
    /// Beyond the reference: per layer, report the latency–energy Pareto front of every
    /// (spatial mapping, ordering) the search evaluated (terminal; `pareto_front` in the JSON).
    #[arg(long)]
    pub pareto: bool,
    /// Beyond the reference: how equally good candidates are resolved: first (the reference's
    /// first-best rule, default) or lexicographic (objective, then the other of latency/energy,
    /// then EDP, then spatial mapping and loop order; independent of the generation order).
    #[arg(long, default_value = "first")]
    pub tie_break: String,
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

pub(crate) fn warn_all(warnings: &[zigzag::Warning]) {
    for w in warnings {
        eprintln!("{w}");
    }
}

/// Reads a workload by extension (`.onnx` → ONNX, otherwise YAML), printing its warnings.
pub fn read_workload(path: &Path) -> Result<zigzag::single_core::Workload, Failure> {
    let r = zigzag::single_core::read_workload(&Source::Path(path))?;
    warn_all(&r.warnings);
    Ok(r.value)
}

/// `--time-limit SECONDS`: positive and finite.
pub(crate) fn parse_time_limit(t: Option<f64>) -> Result<Option<std::time::Duration>, Failure> {
    match t {
        None => Ok(None),
        Some(t) if t.is_finite() && t > 0.0 => Ok(Some(std::time::Duration::from_secs_f64(t))),
        Some(t) => Err(Failure::input(format!("--time-limit: expected a positive number of seconds, got {t}"))),
    }
}

/// The facade's options of the command line's flags.
fn map_options(args: &MapArgs) -> Result<MapOptions, Failure> {
    let objective: Objective = args.opt.parse().map_err(|e| Failure::input(format!("--opt: {e}")))?;
    let mapping_type: MappingType =
        args.mapping_type.parse().map_err(|e| Failure::input(format!("--mapping-type: {e}")))?;
    let time_limit = parse_time_limit(args.time_limit)?;
    let engine: Engine = args.engine.parse().map_err(|e| Failure::input(format!("--engine: {e}")))?;
    if args.no_mirror && engine != Engine::Optimal && args.against.is_none() {
        return Err(Failure::input(
            "--no-mirror: only the optimal search uses the mirror symmetry; add --engine optimal or --against optimal, or drop --no-mirror",
        ));
    }
    // The criterion is only read (and checked) when SALSA runs.
    let criterion = if engine == Engine::Salsa {
        args.salsa_criterion.parse().map_err(|e| Failure::input(format!("--salsa-criterion: {e}")))?
    } else {
        SalsaCriterion::Energy
    };
    let tie_break: TieBreak = args.tie_break.parse().map_err(|e| Failure::input(format!("--tie-break: {e}")))?;
    Ok(MapOptions {
        pareto: args.pareto,
        tie_break,
        objective,
        lpf_limit: args.lpf_limit,
        spatial_mappings: args.spatial_mappings,
        mixed_spatial: args.mixed_spatial,
        exploit_data_locality: args.exploit_data_locality,
        mapping_type,
        fix_capacity_clamp: args.fix_capacity_clamp,
        fix_onloading_sum: args.fix_onloading_sum,
        engine,
        time_limit,
        no_mirror: args.no_mirror,
        salsa: SalsaSettings {
            seed: args.seed,
            iterations: args.salsa_iterations,
            chains: args.salsa_chains,
            criterion,
        },
    })
}

/// Runs `map`.
pub fn run(args: MapArgs) -> Result<(), Failure> {
    if let Some(n) = args.threads {
        zigzag::set_thread_count(n)?;
    }
    // Checked in the order the flags were always checked: these two before reading the inputs,
    // the others after.
    let _: Objective = args.opt.parse().map_err(|e| Failure::input(format!("--opt: {e}")))?;
    let _: MappingType = args.mapping_type.parse().map_err(|e| Failure::input(format!("--mapping-type: {e}")))?;
    args.inputs.use_cacti();
    let (acc_src, wl_src, map_src) = (
        Source::Path(&args.inputs.accelerator),
        Source::Path(&args.inputs.workload),
        Source::Path(&args.inputs.mapping),
    );
    let acc = single_core::read_accelerator(&acc_src)?;
    warn_all(&acc.warnings);
    let workload = read_workload(&args.inputs.workload)?;
    let mapping = single_core::read_mapping(&map_src)?;
    warn_all(&mapping.warnings);
    let (inputs, w3) = SingleCoreInputs::new((acc.value, &acc_src), (workload, &wl_src), (mapping.value, &map_src))?;
    warn_all(&w3);
    let map_opts = map_options(&args)?;
    let opts = inputs.search_options(&map_opts);
    let spaces = inputs.search_spaces(&map_opts)?;
    let total: u128 = spaces.iter().fold(0u128, |a, l| a.saturating_add(l.total()));
    if opts.salsa.is_none() {
        let rate = inputs.measure_rate(&map_opts);
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
    let result = inputs.search(&map_opts, Some(&Observer { progress: &progress, on_layer: &on_layer }))?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    print_search_outcome(&result, map_opts.objective);
    let against_optimal = match args.against.as_deref() {
        None => false,
        Some("optimal") => true,
        Some(other) => return Err(Failure::input(format!("--against: expected optimal, got `{other}`"))),
    };
    let gap = if against_optimal {
        let (optimal, gap) = inputs.gap_to_optimal(&map_opts, &result)?;
        print_search_outcome(&optimal, map_opts.objective);
        print_gap(&gap, map_opts.objective);
        Some(gap)
    } else {
        None
    };
    let report = inputs.report(&result)?;
    print!("{}", zz_report::summary(&report));
    if !args.quiet {
        for l in &report.layers {
            println!();
            print!("{}", zz_report::loop_nest_table(l));
        }
    }
    if args.pareto {
        print_pareto(&report);
    }
    let mut written = Vec::new();
    if let Some(p) = &args.json {
        zz_report::write_json(&report, p).map_err(|e| Failure::other(format!("{}: {e}", p.display())))?;
        written.push(p.clone());
    }
    if let Some(dir) = &args.output {
        std::fs::create_dir_all(dir).map_err(|e| Failure::other(format!("{}: {e}", dir.display())))?;
        zz_report::write_json(&report, dir.join("results.json")).map_err(|e| Failure::other(e.to_string()))?;
        zz_report::bar_chart_breakdown(&report, dir.join("breakdown.png"))
            .map_err(|e| Failure::other(e.to_string()))?;
        zz_report::bar_chart_breakdown_svg(&report, dir.join("breakdown.svg"))
            .map_err(|e| Failure::other(e.to_string()))?;
        let hierarchy = zigzag::hierarchy::memory_hierarchy(&inputs.accelerator);
        zz_report::write_run_report_html(&report, Some(&hierarchy), dir.join("report.html"))
            .map_err(|e| Failure::other(e.to_string()))?;
        written.extend(["results.json", "breakdown.png", "breakdown.svg", "report.html"].map(|f| dir.join(f)));
        if let Some(g) = &gap {
            let p = dir.join("gap.json");
            std::fs::write(&p, serde_json::to_string_pretty(g).unwrap_or_default())
                .map_err(|e| Failure::other(format!("{}: {e}", p.display())))?;
            written.push(p);
            let bars: Vec<zz_report::GapBar> = g
                .layers
                .iter()
                .map(|l| zz_report::GapBar {
                    layer: l.layer.clone(),
                    gap_percent: l.gap_percent,
                    proven: l.proven_optimal,
                })
                .collect();
            let title =
                format!("{} of the chosen search above the optimum (total {:.2} %)", g.objective, g.total.gap_percent);
            let p = dir.join("gap.png");
            zz_report::gap_chart(&bars, &title, &p).map_err(|e| Failure::other(e.to_string()))?;
            written.push(p);
        }
    }
    crate::print_written(&written);
    Ok(())
}

/// Per layer: the latency–energy Pareto front (up to 10 points, by increasing latency).
fn print_pareto(report: &zz_report::RunReport) {
    println!();
    println!("Latency–energy Pareto front of the evaluated mappings (per layer):");
    for l in &report.layers {
        let Some(front) = &l.pareto_front else { continue };
        println!("  layer {} {}: {} point(s)", l.id, l.name, front.len());
        for p in front.iter().take(10) {
            let ord: Vec<String> = p.temporal_ordering.iter().map(|(d, s)| format!("{d}{s}")).collect();
            let sm: Vec<String> = p
                .spatial_mapping
                .iter()
                .map(|(oa, m)| {
                    let inner: Vec<String> = m.iter().map(|(d, f)| format!("{d}{f}")).collect();
                    format!("{oa}:{}", inner.join("*"))
                })
                .collect();
            println!(
                "    latency {:>14.0} cycles  energy {:>18.1} pJ  [{}]  ordering (innermost first) {}",
                p.latency,
                p.energy,
                sm.join(" "),
                ord.join(" ")
            );
        }
        if front.len() > 10 {
            println!("    ... {} more", front.len() - 10);
        }
    }
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
fn print_spaces(spaces: &[LayerSpace], rate: Option<f64>, opts: &SearchOptions, quiet: bool) {
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
fn print_search_outcome(result: &NetworkResult, objective: Objective) {
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
                "optimal: layer {}: space {} orderings, {} evaluations ({} of them subtrees of equal cost covering {} orderings), {} pruned, {} skipped as mirror images, {:.2} s, {}{}",
                l.info.name,
                st.space,
                st.evaluated,
                st.classes,
                st.covered,
                st.pruned,
                st.mirrored,
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

/// Prints the gap to the optimal temporal mapping per layer and in total.
fn print_gap(gap: &zigzag::single_core::GapReport, objective: Objective) {
    println!();
    println!("Gap to the optimal temporal mapping ({objective:?}; same spatial mappings, full ordering space):");
    println!(
        "  {:<20} {:>16} {:>16} {:>18} {:>18} {:>9}  status",
        "layer", "latency", "optimal latency", "energy [pJ]", "optimal energy", "gap"
    );
    for l in &gap.layers {
        let status = if l.proven_optimal { "proven" } else { "time limit: best found" };
        println!(
            "  {:<20} {:>16.0} {:>16.0} {:>18.1} {:>18.1} {:>8.2}%  {status}",
            l.layer, l.latency, l.optimal_latency, l.energy, l.optimal_energy, l.gap_percent
        );
    }
    let t = &gap.total;
    println!(
        "  {:<20} {:>16.0} {:>16.0} {:>18.1} {:>18.1} {:>8.2}%",
        "total", t.latency, t.optimal_latency, t.energy, t.optimal_energy, t.gap_percent
    );
}
