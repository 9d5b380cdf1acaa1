//! The genetic-algorithm allocation of `zigzag-rs stream`: when the mapping and `--allocation`
//! leave some `(layer, group)` without a core, an NSGA-II search picks one ([`zz_stream::ga`]),
//! with a progress bar over generations and a summary of the Pareto front; with `--output` it
//! writes `pareto.json` (every evaluated allocation, the front, the logbook and the chosen
//! allocation in the form `--allocation` replays), `pareto.png` (latency vs energy, chosen point
//! marked) and `allocation_mapping.yaml` (the mapping with the chosen cores fixed per layer).

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use zz_inputs::stream::{read_stream_mapping, read_stream_mapping_str};
use zz_ir::stream::mapping::{StreamMappingEntry, TilingFactor};
use zz_report::format::{cycles, sci, thousands};
use zz_report::pareto::{DesignPoint, pareto_plot};
use zz_stream::ga::{self, AllocationObjective, GaError, GaOptions, GaResult, Metrics};
use zz_stream::pipeline::{Allocation, Prepared, SchedulingOrder};
use zz_stream::schedule_input::ScheduleInput;
use zz_stream::scheduler::ScheduleOptions;

use super::StreamArgs;
use crate::Failure;

/// Options of the genetic algorithm (used only when some layer's core is left open).
#[derive(Args, Debug, Clone)]
pub struct GaArgs {
    /// Genetic algorithm: individuals in the initial population and offspring per generation
    /// (Stream's nb_ga_individuals); half of them survive each generation.
    #[arg(long, default_value_t = 4)]
    pub population: usize,
    /// Genetic algorithm: generations after the initial population (Stream's nb_ga_generations).
    #[arg(long, default_value_t = 4)]
    pub generations: usize,
    /// Genetic algorithm: random seed; a seed gives the same result whatever the number of threads.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Genetic algorithm: objectives to minimise, comma-separated: latency, energy, edp, memory
    /// (peak on-chip memory). The first decides which Pareto-optimal allocation is used, the others
    /// break ties.
    #[arg(long, value_delimiter = ',', default_value = "latency,energy")]
    pub objectives: Vec<String>,
    /// Quirk: restrict each layer's candidate cores like the reference (core ids below the number of
    /// flexible unique CNs).
    #[arg(long)]
    pub ga_reference_domains: bool,
    /// Genetic algorithm: use only allocations with latency (cycles) at most this.
    #[arg(long)]
    pub max_latency: Option<f64>,
    /// Genetic algorithm: use only allocations whose peak on-chip memory use (bits) is at most this. Units: 2MiB, 16Mb, ... (a plain number is bits).
    #[arg(long, value_parser = crate::args::parse_bits)]
    pub max_memory: Option<f64>,
}

impl GaArgs {
    fn options(&self) -> Result<GaOptions, Failure> {
        let mut objectives = Vec::new();
        for s in &self.objectives {
            let o = AllocationObjective::parse(s).ok_or_else(|| {
                Failure::input(format!(
                    "--objectives: unknown objective `{s}`; choose from latency, energy, edp, memory"
                ))
            })?;
            if !objectives.contains(&o) {
                objectives.push(o);
            }
        }
        if self.population < 2 {
            return Err(Failure::input(format!(
                "--population: at least 2 individuals are needed, got {}",
                self.population
            )));
        }
        Ok(GaOptions {
            population: self.population,
            generations: self.generations,
            seed: self.seed,
            objectives,
            reference_core_filter: self.ga_reference_domains,
            ..Default::default()
        })
    }
}

/// A GA run and how long it took.
pub struct Search {
    /// The result.
    pub result: GaResult,
    /// Wall seconds.
    pub seconds: f64,
}

fn value_text(o: AllocationObjective, v: f64) -> String {
    match o {
        AllocationObjective::Latency => format!("{} cycles", cycles(v)),
        AllocationObjective::Energy => format!("{} pJ", thousands(v, 1)),
        AllocationObjective::Edp => format!("EDP {}", sci(v, 3)),
        AllocationObjective::Memory => format!("peak {}", zz_report::stream::human_bits(v)),
    }
}

/// Runs the search when some `(layer, group)` has no core yet and adds the chosen cores to
/// `allocation` (genetic-algorithm path). `Ok(None)` when everything is allocated already.
pub fn search_if_needed(
    args: &StreamArgs,
    prep: &Prepared,
    allocation: &mut Allocation,
    order: &SchedulingOrder,
    sched: &ScheduleOptions,
    pipeline_failure: &dyn Fn(zz_stream::pipeline::StreamError) -> Failure,
) -> Result<Option<Search>, Failure> {
    let opts = args.ga.options()?;
    let genes = ga::genes(prep, allocation, opts.reference_core_filter);
    if genes.is_empty() {
        return Ok(None);
    }
    let names: Vec<&str> = genes.iter().map(|g| g.name.as_str()).collect();
    let mut layers: Vec<&str> = Vec::new();
    for n in &names {
        if !layers.contains(n) {
            layers.push(n);
        }
    }
    if !args.quiet {
        let objectives: Vec<&str> = opts.objectives.iter().map(|o| o.name()).collect();
        println!(
            "Genetic algorithm: {} open (layer, group) allocation{} over {} layer{}; population {}, {} generation{}, seed {}, objectives {}",
            genes.len(),
            if genes.len() == 1 { "" } else { "s" },
            layers.len(),
            if layers.len() == 1 { "" } else { "s" },
            opts.population,
            opts.generations,
            if opts.generations == 1 { "" } else { "s" },
            opts.seed,
            objectives.join(", ")
        );
    }
    let bar = if !args.quiet && std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(Some(opts.generations as u64 + 1), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} populations {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let first = opts.objectives[0];
    let mut best = f64::INFINITY;
    let mut on_generation = |s: &ga::GenerationStats| {
        if s.min[0].is_finite() {
            best = best.min(s.min[0]);
        }
        if let Some(b) = &bar {
            b.set_message(format!("{} allocations scheduled, best {}", s.evaluated, value_text(first, best)));
            b.inc(1);
        }
    };
    let t0 = std::time::Instant::now();
    let result = ga::run(prep, allocation, order, sched, &opts, &mut on_generation);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let result = result.map_err(|e| match e {
        GaError::Pipeline(e) => pipeline_failure(e),
        GaError::NoFeasible { .. } => Failure::input(format!(
            "{}: {e}\nhint: try more individuals or generations (--population, --generations), another --seed, or fix some layers' cores with --allocation",
            args.inputs.mapping.display()
        )),
        other => Failure::input(other.to_string()),
    })?;
    let mut result = result;
    report_against_exhaustive(args, prep, allocation, order, sched, &opts, &result)?;
    if args.ga.max_latency.is_some() || args.ga.max_memory.is_some() {
        // Constraints: the first front member that meets them; else the best evaluated allocation that does.
        let ok = |k: usize| {
            result.evaluations[k].outcome.as_ref().is_ok_and(|m| {
                args.ga.max_latency.is_none_or(|x| m.latency <= x)
                    && args.ga.max_memory.is_none_or(|x| m.peak_memory <= x)
            })
        };
        let key = |k: usize| -> Vec<f64> {
            let m = result.evaluations[k].outcome.as_ref().map(|m| *m).unwrap_or(ga::Metrics {
                latency: f64::INFINITY,
                energy: f64::INFINITY,
                peak_memory: f64::INFINITY,
            });
            result.objectives.iter().map(|&o| m.value(o)).collect()
        };
        let pick = result.front.iter().copied().find(|&k| ok(k)).or_else(|| {
            (0..result.evaluations.len())
                .filter(|&k| ok(k))
                .min_by(|&a, &b| key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal))
        });
        match pick {
            Some(k) => result.chosen = k,
            None => {
                return Err(Failure::input(format!(
                    "{}: no allocation the genetic algorithm evaluated meets --max-latency/--max-memory\nhint: relax the constraints or search longer (--population, --generations)",
                    args.inputs.mapping.display()
                )));
            }
        }
    }
    allocation.chosen.extend(result.chosen_allocation());
    let seconds = t0.elapsed().as_secs_f64();
    if !args.quiet {
        print!("{}", summary(&result, seconds));
    }
    Ok(Some(Search { result, seconds }))
}

/// The GA's summary: schedules run, the front (up to 10 members) and the chosen allocation.
fn summary(r: &GaResult, seconds: f64) -> String {
    let mut s = String::new();
    let individuals: usize = r.logbook.iter().map(|g| g.offspring).sum();
    let infeasible = r.evaluations.iter().filter(|e| e.outcome.is_err()).count();
    let _ = writeln!(
        s,
        "  {individuals} individuals, {} distinct allocations scheduled{} in {seconds:.2} s; Pareto front of {}:",
        r.evaluations.len(),
        if infeasible > 0 { format!(" ({infeasible} could not be scheduled)") } else { String::new() },
        r.front.len()
    );
    for &f in r.front.iter().take(10) {
        let Ok(m) = &r.evaluations[f].outcome else { continue };
        let mut cols: Vec<String> = r.objectives.iter().map(|&o| value_text(o, m.value(o))).collect();
        for o in [AllocationObjective::Latency, AllocationObjective::Energy] {
            if !r.objectives.contains(&o) {
                cols.push(format!("({})", value_text(o, m.value(o))));
            }
        }
        let _ = writeln!(s, "    {}{}", cols.join("  "), if f == r.chosen { "   <- chosen" } else { "" });
    }
    if r.front.len() > 10 {
        let _ = writeln!(s, "    ... {} more", r.front.len() - 10);
    }
    let genome = &r.evaluations[r.chosen].genome;
    if r.genes.len() <= 8 {
        let chosen: Vec<String> = r
            .genes
            .iter()
            .zip(genome)
            .map(|(g, c)| format!("{} ({}:{}) -> core {c}", g.name, g.layer, g.group))
            .collect();
        let _ = writeln!(s, "  Chosen: {}", chosen.join(", "));
    } else {
        let chosen: Vec<String> =
            r.genes.iter().zip(genome).map(|(g, c)| format!("{}:{}->{c}", g.layer, g.group)).collect();
        let _ = writeln!(s, "  Chosen (layer:group->core): {}", chosen.join(" "));
    }
    s
}

fn metrics_json(m: &Metrics) -> Value {
    json!({"latency": m.latency, "energy": m.energy, "edp": m.latency * m.energy, "peak_memory_bits": m.peak_memory})
}

/// `pareto.json`: the chosen allocation first (as `--allocation` reads it), then the search.
pub fn pareto_json(args: &StreamArgs, r: &GaResult) -> Value {
    let alloc: serde_json::Map<String, Value> =
        r.chosen_allocation().into_iter().map(|(l, g, c)| (format!("{l}:{g}"), json!(c))).collect();
    let front: std::collections::HashSet<usize> = r.front.iter().copied().collect();
    let evaluation = |k: usize| {
        let e = &r.evaluations[k];
        let mut v = json!({"index": k, "allocation": e.genome, "generation": e.generation});
        match &e.outcome {
            Ok(m) => {
                for (key, x) in metrics_json(m).as_object().into_iter().flatten() {
                    v[key] = x.clone();
                }
                v["on_front"] = json!(front.contains(&k));
            }
            Err(msg) => v["error"] = json!(msg),
        }
        v
    };
    let stats = |v: &[f64]| -> Value {
        r.objectives
            .iter()
            .zip(v)
            .map(|(o, x)| (o.name().to_string(), json!(x)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    json!({
        "path": "ga",
        "allocation": alloc,
        "objectives": r.objectives.iter().map(|o| o.name()).collect::<Vec<_>>(),
        "seed": args.ga.seed,
        "population": args.ga.population,
        "generations": args.ga.generations,
        "genes": r.genes.iter().map(|g| json!({"layer": g.layer, "group": g.group, "name": g.name, "cores": g.cores})).collect::<Vec<_>>(),
        "chosen": evaluation(r.chosen),
        "front": r.front.iter().map(|&k| evaluation(k)).collect::<Vec<_>>(),
        "final_population": r.population,
        "logbook": r.logbook.iter().map(|g| json!({
            "generation": g.generation, "offspring": g.offspring, "schedules": g.schedules, "evaluated": g.evaluated,
            "infeasible": g.infeasible, "min": stats(&g.min), "avg": stats(&g.avg), "std": stats(&g.std), "max": stats(&g.max),
        })).collect::<Vec<_>>(),
        "evaluations": (0..r.evaluations.len()).map(evaluation).collect::<Vec<_>>(),
    })
}

fn factor(f: &TilingFactor) -> String {
    match f {
        TilingFactor::N(n) => n.to_string(),
        TilingFactor::All => "all".into(),
        TilingFactor::Wildcard => "*".into(),
    }
}

/// One mapping entry as block YAML (the name double-quoted, which YAML reads like JSON).
pub(crate) fn entry_yaml(e: &StreamMappingEntry, name: &str, cores: &[usize]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "- name: {}", Value::from(name));
    let list: Vec<String> = cores.iter().map(|c| c.to_string()).collect();
    let _ = writeln!(s, "  core_allocation: [{}]", list.join(", "));
    for (key, tiling) in [("intra_core_tiling", &e.intra_core_tiling), ("inter_core_tiling", &e.inter_core_tiling)] {
        if !tiling.is_empty() {
            let _ = writeln!(s, "  {key}:");
            for (d, f) in tiling {
                let _ = writeln!(s, "    - {d}, {}", factor(f));
            }
        }
    }
    if !e.layer_dimension_names.is_empty() {
        let names: Vec<String> = e.layer_dimension_names.iter().map(|n| Value::from(n.as_str()).to_string()).collect();
        let _ = writeln!(s, "  layer_dimension_names: [{}]", names.join(", "));
    }
    if let Some(sm) = &e.spatial_mapping {
        let _ = writeln!(s, "  spatial_mapping:");
        for (dim, loops) in sm {
            let _ = writeln!(s, "    {dim}:");
            for (d, n) in loops {
                let _ = writeln!(s, "      - {d}, {n}");
            }
        }
    }
    s
}

/// The mapping with one fixed core per inter-core group for every layer whose cores did not all come
/// from the mapping (the GA's choices and any `--allocation`), appended as per-layer entries (a
/// later entry of the same name wins). Re-running with it takes Stream's fixed-allocation path, whose
/// CN runtimes are not truncated: numbers can differ from the GA's by that truncation (reference quirk).
pub fn allocation_mapping_yaml(
    args: &StreamArgs,
    prep: &Prepared,
    input: &ScheduleInput,
    allocation: &Allocation,
) -> Result<String, Failure> {
    let bad = |e: String| Failure::other(format!("{}: {e}", args.inputs.mapping.display()));
    let (mapping, _) = read_stream_mapping(&args.inputs.mapping).map_err(|e| bad(e.to_string()))?;
    let original = std::fs::read_to_string(&args.inputs.mapping).map_err(|e| bad(e.to_string()))?;
    let graph = &prep.graph;
    let mut layers: Vec<usize> = (0..graph.layers.len()).collect();
    layers.sort_by_key(|&l| graph.layers[l].id);
    let mut entries = String::new();
    let mut names: Vec<(String, Vec<usize>)> = Vec::new();
    let mut conflicts: Vec<String> = Vec::new();
    for l in layers {
        let tl = &graph.layers[l];
        let overridden = allocation.fixed.iter().any(|x| x.0 == tl.id);
        if !overridden && graph.cns[tl.cns.clone()].iter().all(|c| c.chosen_core.is_some()) {
            continue;
        }
        // Group g runs on `list[g]` when the list is as long as the inter-core split.
        let mut cores: Vec<Option<usize>> = vec![None; (tl.total_inter_core_splits as usize).max(1)];
        for i in tl.cns.clone() {
            let g = graph.cns[i].group;
            if g >= cores.len() {
                cores.resize(g + 1, None);
            }
            cores[g] = Some(input.cns[i].core);
        }
        let any = cores.iter().flatten().next().copied().unwrap_or(0);
        let cores: Vec<usize> = cores.into_iter().map(|c| c.unwrap_or(any)).collect();
        // The mapping is looked up by the node's name, then its operator type.
        let node = &prep.workload.nodes[tl.node];
        if let Some((_, other)) = names.iter().find(|(n, _)| *n == node.name) {
            if *other != cores {
                conflicts.push(node.name.clone());
            }
            continue;
        }
        entries.push_str(&entry_yaml(mapping.entry_for(&node.name, &node.operator_type), &node.name, &cores));
        names.push((node.name.clone(), cores));
    }
    if !conflicts.is_empty() {
        eprintln!(
            "warning: allocation_mapping.yaml cannot fix the cores of layers sharing a name with another layer on other cores: {}",
            conflicts.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
        );
    }
    let header = format!(
        "# Cores chosen by `zigzag-rs stream` (genetic algorithm, seed {}): one fixed core per inter-core group\n\
         # for {} layer{}, so that this file re-runs the allocation without a search.\n",
        args.ga.seed,
        names.len(),
        if names.len() == 1 { "" } else { "s" }
    );
    let appended = format!("{}\n\n{header}{entries}", original.trim_end());
    if read_stream_mapping_str("allocation_mapping.yaml", &appended).is_ok() {
        return Ok(appended);
    }
    // The original is not a block list we can append to: write every entry out.
    let mut full = header;
    for e in &mapping.entries {
        full.push_str(&entry_yaml(e, &e.name, &e.core_allocation));
    }
    full.push_str(&entries);
    read_stream_mapping_str("allocation_mapping.yaml", &full).map_err(|e| bad(format!("allocation mapping: {e}")))?;
    Ok(full)
}

/// Writes `pareto.json`, `pareto.png` and `allocation_mapping.yaml` into `dir`.
pub fn write_outputs(
    dir: &Path,
    args: &StreamArgs,
    prep: &Prepared,
    input: &ScheduleInput,
    allocation: &Allocation,
    r: &GaResult,
) -> Result<(), Failure> {
    let io = |p: &Path, e: std::io::Error| Failure::other(format!("{}: {e}", p.display()));
    let p = dir.join("pareto.json");
    let text = serde_json::to_string_pretty(&pareto_json(args, r)).map_err(|e| Failure::other(e.to_string()))?;
    std::fs::write(&p, text + "\n").map_err(|e| io(&p, e))?;
    let mut points = Vec::new();
    let mut chosen = None;
    for (k, e) in r.evaluations.iter().enumerate() {
        if let Ok(m) = &e.outcome {
            if k == r.chosen {
                chosen = Some(points.len());
            }
            let genome: Vec<String> = e.genome.iter().map(|c| c.to_string()).collect();
            points.push(DesignPoint {
                label: format!("cores [{}]", genome.join(",")),
                energy: m.energy,
                latency: m.latency,
                area: None,
            });
        }
    }
    let workload = args.inputs.workload.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let title = format!("GA allocations: {workload} on {} (seed {})", prep.accelerator.name, args.ga.seed);
    pareto_plot(&points, chosen, &title, dir.join("pareto.png")).map_err(|e| Failure::other(e.to_string()))?;
    let p = dir.join("allocation_mapping.yaml");
    std::fs::write(&p, allocation_mapping_yaml(args, prep, input, allocation)?).map_err(|e| io(&p, e))?;
    Ok(())
}

/// Allocation spaces up to this size are also scheduled exhaustively to report the optimum.
const EXHAUSTIVE_LIMIT: u128 = 100_000;

/// Prints how many allocations the GA evaluated out of how many exist and, when the space is at
/// most [`EXHAUSTIVE_LIMIT`], the exhaustive optimum and the GA's gap to it (the GA's choice is kept).
fn report_against_exhaustive(
    args: &StreamArgs,
    prep: &Prepared,
    allocation: &Allocation,
    order: &SchedulingOrder,
    sched: &ScheduleOptions,
    opts: &ga::GaOptions,
    result: &ga::GaResult,
) -> Result<(), Failure> {
    if args.quiet {
        return Ok(());
    }
    let space = ga::space_size(&result.genes);
    println!("GA: {} of {} allocations evaluated", result.evaluations.len(), space);
    let ex = ga::exhaustive(prep, allocation, order, sched, opts, EXHAUSTIVE_LIMIT)
        .map_err(|e| Failure::input(e.to_string()))?;
    let Some(ex) = ex else {
        if space > EXHAUSTIVE_LIMIT {
            println!(
                "GA: the space exceeds {EXHAUSTIVE_LIMIT} allocations: not searched exhaustively, optimum unknown"
            );
        }
        return Ok(());
    };
    let ga_m = result.chosen_metrics();
    let first = opts.objectives[0];
    let (a, b) = (ga_m.value(first), ex.metrics.value(first));
    let gap = if b > 0.0 { 100.0 * (a - b) / b } else { 0.0 };
    let cores: Vec<String> =
        result.genes.iter().zip(&ex.genome).map(|(g, c)| format!("{}:{}→{}", g.layer, g.group, c)).collect();
    println!(
        "Exhaustive allocation optimum ({} allocations, {} infeasible): latency {:.0}, energy {:.1} pJ [{}]; the GA's choice is {:.2} % above it in {}",
        ex.space,
        ex.infeasible,
        ex.metrics.latency,
        ex.metrics.energy,
        cores.join(", "),
        gap,
        first.name()
    );
    Ok(())
}
