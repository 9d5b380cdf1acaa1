//! The genetic-algorithm allocation of `zigzag-rs stream`: when the mapping and `--allocation`
//! leave some `(layer, group)` without a core, an NSGA-II search picks one ([`zigzag::stream`]),
//! with a progress bar over generations and a summary of the Pareto front; with `--output` it
//! writes `pareto.json` (every evaluated allocation, the front, the logbook and the chosen
//! allocation in the form `--allocation` replays), `pareto.png` (latency vs energy, chosen point
//! marked) and `allocation_mapping.yaml` (the mapping with the chosen cores fixed per layer).

use std::io::IsTerminal;
use std::path::Path;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use zigzag::stream::{
    self, Allocation, GaConstraints, GaObjective as Objective, GaOptions, GaResult, GaSearch, GenerationStats,
    ScheduleOptions, SchedulingOrder, StreamRun,
};

use super::StreamArgs;
use crate::Failure;

/// Options of the genetic algorithm (used only when some layer's core is left open).
#[derive(Args, Debug, Clone)]
pub struct GaArgs {
    /// Genetic algorithm: individuals in the initial population and offspring per generation
    /// (Stream's nb_ga_individuals); half of them survive each generation.
    #[arg(long, default_value_t = 4)]
    pub population: usize,
    /// Genetic algorithm: generations after the initial population (Stream's nb_ga_generations;
    /// default 4, unlimited with --ga-time).
    #[arg(long)]
    pub generations: Option<usize>,
    /// Genetic algorithm, beyond the reference: run generations until this many seconds have
    /// passed (at least one); with --generations, whichever ends first. The count run is printed
    /// and recorded in pareto.json (`generations_run`): `--generations N` with the seed replays it.
    #[arg(long)]
    pub ga_time: Option<f64>,
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
            let o: Objective = s.parse().map_err(|e: zigzag::UnknownChoice| {
                Failure::input(format!("--objectives: unknown objective `{s}`; choose from {}", e.choices.join(", ")))
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
        let time_budget = match self.ga_time {
            None => None,
            Some(t) if t.is_finite() && t > 0.0 => Some(std::time::Duration::from_secs_f64(t)),
            Some(t) => {
                return Err(Failure::input(format!("--ga-time: expected a positive number of seconds, got {t}")));
            }
        };
        let generations = match (self.generations, time_budget) {
            (Some(n), _) => n,
            (None, Some(_)) => usize::MAX,
            (None, None) => 4,
        };
        Ok(GaOptions {
            time_budget,
            population: self.population,
            generations,
            seed: self.seed,
            objectives,
            reference_core_filter: self.ga_reference_domains,
            ..Default::default()
        })
    }
}

/// Runs the search when some `(layer, group)` has no core yet and adds the chosen cores to
/// `allocation` (genetic-algorithm path). `Ok(None)` when everything is allocated already.
pub fn search_if_needed(
    args: &StreamArgs,
    prep: &StreamRun,
    allocation: &mut Allocation,
    order: &SchedulingOrder,
    sched: &ScheduleOptions,
) -> Result<Option<GaSearch>, Failure> {
    let opts = args.ga.options()?;
    let genes = prep.open_genes(allocation, &opts);
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
        let budget = match (opts.time_budget, opts.generations) {
            (Some(t), usize::MAX) => format!("generations for {} s", t.as_secs_f64()),
            (Some(t), n) => {
                format!("up to {n} generation{} within {} s", if n == 1 { "" } else { "s" }, t.as_secs_f64())
            }
            (None, n) => format!("{n} generation{}", if n == 1 { "" } else { "s" }),
        };
        println!(
            "Genetic algorithm: {} open (layer, group) allocation{} over {} layer{}; population {}, {}, seed {}, objectives {}",
            genes.len(),
            if genes.len() == 1 { "" } else { "s" },
            layers.len(),
            if layers.len() == 1 { "" } else { "s" },
            opts.population,
            budget,
            opts.seed,
            objectives.join(", ")
        );
    }
    let bar = if !args.quiet && std::io::stderr().is_terminal() {
        let len = if opts.time_budget.is_some() { None } else { Some(opts.generations as u64 + 1) };
        let b = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
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
    let mut on_generation = |s: &GenerationStats| {
        if s.min[0].is_finite() {
            best = best.min(s.min[0]);
        }
        if let Some(b) = &bar {
            b.set_message(format!("{} allocations scheduled, best {}", s.evaluated, stream::value_text(first, best)));
            b.inc(1);
        }
    };
    let t0 = std::time::Instant::now();
    let result = prep.genetic_search(allocation, order, sched, &opts, &mut on_generation);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut result = result?;
    report_against_exhaustive(args, prep, allocation, order, sched, &opts, &result)?;
    let constraints = GaConstraints { max_latency: args.ga.max_latency, max_memory: args.ga.max_memory };
    prep.apply_ga_constraints(&mut result, &constraints)?;
    allocation.chosen.extend(result.chosen_allocation());
    let seconds = t0.elapsed().as_secs_f64();
    if !args.quiet {
        print!("{}", stream::ga_summary(&result, seconds));
    }
    Ok(Some(GaSearch { result, seconds }))
}

/// Writes `pareto.json`, `pareto.png` and `allocation_mapping.yaml` into `dir`.
pub fn write_outputs(
    dir: &Path,
    args: &StreamArgs,
    prep: &StreamRun,
    input: &zigzag::stream::ScheduleInput,
    allocation: &Allocation,
    r: &GaResult,
) -> Result<(), Failure> {
    let opts = args.ga.options()?;
    let (_, warning) = prep.write_ga_outputs(dir, input, allocation, r, &opts)?;
    if let Some(w) = warning {
        eprintln!("{w}");
    }
    Ok(())
}

/// Allocation spaces up to this size are also scheduled exhaustively to report the optimum.
const EXHAUSTIVE_LIMIT: u128 = 100_000;

/// Prints how many allocations the GA evaluated out of how many exist and, when the space is at
/// most [`EXHAUSTIVE_LIMIT`], the exhaustive optimum and the GA's gap to it (the GA's choice is kept).
fn report_against_exhaustive(
    args: &StreamArgs,
    prep: &StreamRun,
    allocation: &Allocation,
    order: &SchedulingOrder,
    sched: &ScheduleOptions,
    opts: &GaOptions,
    result: &GaResult,
) -> Result<(), Failure> {
    if args.quiet {
        return Ok(());
    }
    let space = stream::space_size(&result.genes);
    println!(
        "GA: {} generation{} run, {} of {} allocations evaluated",
        result.generations_run(),
        if result.generations_run() == 1 { "" } else { "s" },
        result.evaluations.len(),
        space
    );
    let ex = prep.exhaustive_allocations(allocation, order, sched, opts, EXHAUSTIVE_LIMIT)?;
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
