//! Genetic-algorithm layer–core allocation (Stream's `GeneticAlgorithmAllocationStage`): an NSGA-II
//! search over the `(layer, group)` pairs whose core the mapping leaves open.
//!
//! * Genes: one per flexible `(layer id, group)`, ascending; a gene's value is a core id, its domain
//!   the cores the layer was costed on ([`genes`]). With [`GaOptions::reference_core_filter`] the
//!   domain is cut like the reference does (only core ids below the number of flexible unique CNs).
//! * Fitness: a full schedule of the allocation on the genetic-algorithm path (runtime
//!   `int(latency_total2)` for the allocated CNs), reduced to the chosen [`AllocationObjective`]s, all
//!   minimised. An allocation the scheduler rejects is infeasible: it ranks behind every feasible one.
//! * Algorithm (DEAP's `eaMuPlusLambda` with `selNSGA2`): a random initial population of N
//!   individuals; per generation λ = N offspring, each by crossover of two distinct random parents
//!   (probability `cxpb`, first child kept) or else by mutating a random parent (`mutpb`) or else a
//!   copy; the μ = N/2 survivors are chosen from parents ∪ offspring by non-dominated sorting with
//!   crowding distance. Crossover is always two-point (the reference switches to a permutation
//!   crossover for more than 10 genes, which is meaningless on core ids). Mutation: with probability
//!   0.75 each gene is, with probability 1/len, replaced by a different core of its domain; otherwise
//!   two random genes swap values (skipped when a value is outside the other gene's domain, where the
//!   reference would produce an invalid allocation).
//! * Result: the hall of fame is the Pareto front of every evaluated allocation; the chosen one is
//!   the front member that is lexicographically best in the order the objectives were given, ties to
//!   the earliest evaluated. For `latency, energy` this is the reference's `hof[-1]` (its objectives
//!   are `(energy, latency)` and DEAP keeps the front sorted so that the last member has the lowest
//!   latency).
//! * Determinism: every random draw comes from one ChaCha generator seeded with [`GaOptions::seed`],
//!   in a fixed sequential order; only the schedules of a batch run in parallel (rayon), collected by
//!   position, and fitness is memoised per genome. The result does not depend on the thread count.

mod evaluator;
mod nsga2;
mod operators;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::pipeline::{self, Allocation, Prepared, SchedulingOrder, StreamError};
use crate::schedule_input::{OffchipBandwidth, ScheduleInput};
use crate::scheduler::{self, ScheduleOptions};

pub use evaluator::AllocationEvaluator;
#[cfg(test)]
use nsga2::{crowding, sort_nondominated};
use nsga2::{dominates, select_nsga2};
use operators::{crossover, mutate, two_distinct};

/// A quantity to minimise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AllocationObjective {
    /// Schedule latency (cycles).
    Latency,
    /// Total energy (all nine buckets).
    Energy,
    /// Energy-delay product.
    Edp,
    /// Peak on-chip memory: the largest peak usage (bits) of any top memory instance not on the off-chip core.
    Memory,
}

impl AllocationObjective {
    /// All objectives with their command-line names.
    pub const ALL: [AllocationObjective; 4] = [
        AllocationObjective::Latency,
        AllocationObjective::Energy,
        AllocationObjective::Edp,
        AllocationObjective::Memory,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            AllocationObjective::Latency => "latency",
            AllocationObjective::Energy => "energy",
            AllocationObjective::Edp => "edp",
            AllocationObjective::Memory => "memory",
        }
    }

    /// Parses `latency`, `energy`, `edp` or `memory` (case-insensitive; `peak_memory` is accepted).
    pub fn parse(s: &str) -> Option<AllocationObjective> {
        match s.trim().to_ascii_lowercase().as_str() {
            "latency" => Some(AllocationObjective::Latency),
            "energy" => Some(AllocationObjective::Energy),
            "edp" => Some(AllocationObjective::Edp),
            "memory" | "peak_memory" | "peak-memory" => Some(AllocationObjective::Memory),
            _ => None,
        }
    }
}

impl std::fmt::Display for AllocationObjective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One flexible `(layer, group)` and the cores it may take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gene {
    /// Layer id.
    pub layer: usize,
    /// Group (inter-core tile) within the layer.
    pub group: usize,
    /// Layer name.
    pub name: String,
    /// Allowed core ids, ascending.
    pub cores: Vec<usize>,
}

/// Options of the search.
#[derive(Clone, Debug, PartialEq)]
pub struct GaOptions {
    /// Initial population and offspring per generation (Stream's `nb_ga_individuals`); μ = N/2 survive.
    pub population: usize,
    /// Generations after the initial population (Stream's `nb_ga_generations`).
    pub generations: usize,
    /// Seed of the random generator.
    pub seed: u64,
    /// Probability that an offspring comes from crossover.
    pub cxpb: f64,
    /// Probability that an offspring comes from mutation (the rest are copies).
    pub mutpb: f64,
    /// Objectives, all minimised; the first decides the chosen allocation, the others break ties.
    pub objectives: Vec<AllocationObjective>,
    /// Cut gene domains like the reference: only cores with an id below the number of flexible unique CNs.
    pub reference_core_filter: bool,
    /// Beyond the reference: stop starting generations once this much time has passed since the
    /// search began (at least one generation runs; `generations` still caps the count). The
    /// count run is `logbook.len() - 1`; replaying it with `generations` reproduces the result.
    pub time_budget: Option<std::time::Duration>,
}

impl Default for GaOptions {
    fn default() -> Self {
        Self {
            population: 4,
            generations: 4,
            seed: 0,
            cxpb: 0.3,
            mutpb: 0.7,
            objectives: vec![AllocationObjective::Latency, AllocationObjective::Energy],
            reference_core_filter: false,
            time_budget: None,
        }
    }
}

/// What one schedule gave.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Latency, cycles.
    pub latency: f64,
    /// Total energy.
    pub energy: f64,
    /// Peak on-chip memory usage, bits (see [`AllocationObjective::Memory`]).
    pub peak_memory: f64,
}

impl Metrics {
    /// The value of an objective.
    pub fn value(&self, o: AllocationObjective) -> f64 {
        match o {
            AllocationObjective::Latency => self.latency,
            AllocationObjective::Energy => self.energy,
            AllocationObjective::Edp => self.latency * self.energy,
            AllocationObjective::Memory => self.peak_memory,
        }
    }
}

/// One evaluated allocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Core per gene.
    pub genome: Vec<usize>,
    /// Generation in which it was first evaluated (0 = initial population).
    pub generation: usize,
    /// The schedule's numbers, or why the scheduler rejected the allocation.
    pub outcome: Result<Metrics, String>,
}

/// Statistics of one generation's population (after selection), per objective over feasible members.
#[derive(Clone, Debug, PartialEq)]
pub struct GenerationStats {
    /// 0 = the initial population.
    pub generation: usize,
    /// Individuals created (N for the initial population, λ afterwards).
    pub offspring: usize,
    /// Schedules run (allocations not evaluated before).
    pub schedules: usize,
    /// Distinct allocations evaluated so far.
    pub evaluated: usize,
    /// Minimum per objective.
    pub min: Vec<f64>,
    /// Mean per objective.
    pub avg: Vec<f64>,
    /// Population standard deviation per objective.
    pub std: Vec<f64>,
    /// Maximum per objective.
    pub max: Vec<f64>,
    /// Population members the scheduler rejected.
    pub infeasible: usize,
}

/// The outcome of a search.
#[derive(Clone, Debug, PartialEq)]
pub struct GaResult {
    /// The genes searched.
    pub genes: Vec<Gene>,
    /// The objectives.
    pub objectives: Vec<AllocationObjective>,
    /// Every distinct allocation evaluated, in evaluation order.
    pub evaluations: Vec<Evaluation>,
    /// The Pareto front (indices into `evaluations`), best first in objective order.
    pub front: Vec<usize>,
    /// The chosen allocation (index into `evaluations`; `front[0]`).
    pub chosen: usize,
    /// The final population (indices into `evaluations`; an allocation may appear more than once).
    pub population: Vec<usize>,
    /// Per-generation statistics (the logbook).
    pub logbook: Vec<GenerationStats>,
}

impl GaResult {
    /// Generations run after the initial population (`--generations` replays the search).
    pub fn generations_run(&self) -> usize {
        self.logbook.len().saturating_sub(1)
    }
}

impl GaResult {
    /// `(layer, group, core)` of an evaluated allocation, for [`Allocation::chosen`].
    pub fn allocation_of(&self, evaluation: usize) -> Vec<(usize, usize, usize)> {
        self.genes.iter().zip(&self.evaluations[evaluation].genome).map(|(g, &c)| (g.layer, g.group, c)).collect()
    }

    /// `(layer, group, core)` of the chosen allocation.
    pub fn chosen_allocation(&self) -> Vec<(usize, usize, usize)> {
        self.allocation_of(self.chosen)
    }

    /// The chosen allocation's numbers.
    pub fn chosen_metrics(&self) -> Metrics {
        match &self.evaluations[self.chosen].outcome {
            Ok(m) => *m,
            Err(_) => unreachable!("the chosen allocation is feasible"),
        }
    }
}

/// Why the search could not run or found nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GaError {
    /// Bad options.
    #[error("genetic algorithm: {0}")]
    Options(String),
    /// No `(layer, group)` is left open.
    #[error("genetic algorithm: every (layer, group) already has a core; nothing to search")]
    NothingToSearch,
    /// The allocation could not be turned into a scheduler input.
    #[error(transparent)]
    Pipeline(#[from] StreamError),
    /// Every evaluated allocation was rejected by the scheduler.
    #[error("genetic algorithm: none of the {evaluated} allocations tried could be scheduled; first error: {first}")]
    NoFeasible {
        /// Distinct allocations evaluated.
        evaluated: usize,
        /// The scheduler's message for the first one.
        first: String,
    },
}

/// The core a CN gets without the search (mapping, then `allocation.fixed`, then `allocation.chosen`).
fn preset_core(prep: &Prepared, allocation: &Allocation, cn: usize) -> Option<usize> {
    let c = &prep.graph.cns[cn];
    allocation
        .fixed
        .iter()
        .find(|&&(l, g, _)| l == c.id && g.is_none_or(|g| g == c.group))
        .map(|x| x.2)
        .or(c.chosen_core)
        .or_else(|| allocation.chosen.iter().find(|&&(l, g, _)| l == c.id && g == c.group).map(|x| x.2))
}

/// The flexible `(layer, group)` pairs (ascending) with their allowed cores: those whose CNs get no
/// core from the mapping or `allocation`. A gene's cores are the ones the layer's first unique CN was
/// costed on; `reference_core_filter` keeps only core ids below the number of flexible unique CNs
/// (the reference's rule).
pub fn genes(prep: &Prepared, allocation: &Allocation, reference_core_filter: bool) -> Vec<Gene> {
    let graph = &prep.graph;
    let mut pairs: Vec<(usize, usize)> = (0..graph.cns.len())
        .filter(|&i| preset_core(prep, allocation, i).is_none())
        .map(|i| (graph.cns[i].id, graph.cns[i].group))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let flexible_unique =
        prep.costs.unique.iter().filter(|u| preset_core(prep, allocation, u.representative).is_none()).count();
    pairs
        .into_iter()
        .map(|(layer, group)| {
            let first = prep.costs.unique.iter().find(|u| graph.layers[u.layer].id == layer);
            let mut cores: Vec<usize> = first.map(|u| u.cores.iter().map(|c| c.core).collect()).unwrap_or_default();
            if reference_core_filter {
                cores.retain(|&c| c < flexible_unique);
            }
            cores.sort_unstable();
            cores.dedup();
            let name = graph.layer_by_id(layer).map(|l| l.name.clone()).unwrap_or_else(|| format!("layer {layer}"));
            Gene { layer, group, name, cores }
        })
        .collect()
}

/// Runs the search. `base` holds the cores given by the user (not searched); `on_generation` is called
/// after the initial population and after every generation.
pub fn run(
    prep: &Prepared,
    base: &Allocation,
    order: &SchedulingOrder,
    sched_opts: &ScheduleOptions,
    opts: &GaOptions,
    on_generation: &mut dyn FnMut(&GenerationStats),
) -> Result<GaResult, GaError> {
    if opts.population < 2 {
        return Err(GaError::Options(format!("the population must be at least 2 (got {})", opts.population)));
    }
    if opts.objectives.is_empty() {
        return Err(GaError::Options("at least one objective is needed".into()));
    }
    if !(0.0..=1.0).contains(&opts.cxpb) || !(0.0..=1.0).contains(&opts.mutpb) {
        return Err(GaError::Options("crossover and mutation probabilities must lie in [0, 1]".into()));
    }
    let genes = genes(prep, base, opts.reference_core_filter);
    if genes.is_empty() {
        return Err(GaError::NothingToSearch);
    }
    if let Some(g) = genes.iter().find(|g| g.cores.is_empty()) {
        return Err(GaError::Options(format!("layer {} (group {}) has no core it can run on", g.name, g.group)));
    }
    let started = std::time::Instant::now();
    let evaluator = AllocationEvaluator::new(prep, base, &genes, order, sched_opts)?;
    let mu = opts.population / 2;
    let lambda = opts.population;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut evaluations: Vec<Evaluation> = Vec::new();
    let mut fitness: Vec<Option<Vec<f64>>> = Vec::new();
    let mut memo: FxHashMap<Vec<usize>, usize> = FxHashMap::default();
    let mut logbook = Vec::new();

    // Evaluates the genomes not seen before (in parallel, collected by position) and returns every
    // genome's evaluation index and the number of schedules run.
    let mut evaluate_batch = |batch: Vec<Vec<usize>>,
                              generation: usize,
                              evaluations: &mut Vec<Evaluation>,
                              fitness: &mut Vec<Option<Vec<f64>>>|
     -> (Vec<usize>, usize) {
        let mut new: Vec<Vec<usize>> = Vec::new();
        for g in &batch {
            if !memo.contains_key(g) && !new.contains(g) {
                new.push(g.clone());
            }
        }
        let outcomes: Vec<Result<Metrics, String>> = new.par_iter().map(|g| evaluator.evaluate(g)).collect();
        let n_new = new.len();
        for (g, outcome) in new.into_iter().zip(outcomes) {
            fitness.push(outcome.as_ref().ok().map(|m| opts.objectives.iter().map(|&o| m.value(o)).collect()));
            memo.insert(g.clone(), evaluations.len());
            evaluations.push(Evaluation { genome: g, generation, outcome });
        }
        (batch.iter().map(|g| memo[g]).collect(), n_new)
    };
    let stats = |generation: usize,
                 offspring: usize,
                 schedules: usize,
                 pop: &[usize],
                 fitness: &[Option<Vec<f64>>],
                 evaluated: usize| {
        let nobj = opts.objectives.len();
        let vals: Vec<&Vec<f64>> = pop.iter().filter_map(|&i| fitness[i].as_ref()).collect();
        let n = vals.len() as f64;
        let mut s = GenerationStats {
            generation,
            offspring,
            schedules,
            evaluated,
            min: vec![f64::NAN; nobj],
            avg: vec![f64::NAN; nobj],
            std: vec![f64::NAN; nobj],
            max: vec![f64::NAN; nobj],
            infeasible: pop.len() - vals.len(),
        };
        if !vals.is_empty() {
            for o in 0..nobj {
                let avg = vals.iter().map(|v| v[o]).sum::<f64>() / n;
                s.avg[o] = avg;
                s.std[o] = (vals.iter().map(|v| (v[o] - avg).powi(2)).sum::<f64>() / n).sqrt();
                s.min[o] = vals.iter().map(|v| v[o]).fold(f64::INFINITY, f64::min);
                s.max[o] = vals.iter().map(|v| v[o]).fold(f64::NEG_INFINITY, f64::max);
            }
        }
        s
    };

    // Initial population.
    let init: Vec<Vec<usize>> = (0..opts.population)
        .map(|_| genes.iter().map(|g| g.cores[rng.random_range(0..g.cores.len())]).collect())
        .collect();
    let (mut population, n_new) = evaluate_batch(init, 0, &mut evaluations, &mut fitness);
    let s = stats(0, opts.population, n_new, &population, &fitness, evaluations.len());
    on_generation(&s);
    logbook.push(s);

    for generation in 1..=opts.generations {
        if generation > 1
            && let Some(budget) = opts.time_budget
            && started.elapsed() >= budget
        {
            break;
        }
        // Offspring (DEAP's varOr), all draws sequential.
        let mut offspring: Vec<Vec<usize>> = Vec::with_capacity(lambda);
        for _ in 0..lambda {
            let u = rng.random::<f64>();
            let n = population.len();
            let cx = u < opts.cxpb;
            if cx && n >= 2 {
                let (a, b) = two_distinct(&mut rng, n);
                let (ga, gb) = (&evaluations[population[a]].genome, &evaluations[population[b]].genome);
                offspring.push(crossover(&mut rng, ga, gb));
            } else if cx || u < opts.cxpb + opts.mutpb {
                let p = rng.random_range(0..n);
                let mut child = evaluations[population[p]].genome.clone();
                mutate(&mut rng, &genes, &mut child);
                offspring.push(child);
            } else {
                let p = rng.random_range(0..n);
                offspring.push(evaluations[population[p]].genome.clone());
            }
        }
        let (children, n_new) = evaluate_batch(offspring, generation, &mut evaluations, &mut fitness);
        // (μ + λ) survivors.
        let pool: Vec<usize> = population.iter().chain(&children).copied().collect();
        let fits: Vec<Option<&[f64]>> = pool.iter().map(|&i| fitness[i].as_deref()).collect();
        population = select_nsga2(&fits, mu).into_iter().map(|p| pool[p]).collect();
        let s = stats(generation, lambda, n_new, &population, &fitness, evaluations.len());
        on_generation(&s);
        logbook.push(s);
    }

    // Hall of fame: the front of every feasible evaluation, lexicographic in objective order.
    let feasible: Vec<usize> = (0..evaluations.len()).filter(|&i| fitness[i].is_some()).collect();
    if feasible.is_empty() {
        let first = evaluations.iter().find_map(|e| e.outcome.as_ref().err().cloned()).unwrap_or_default();
        return Err(GaError::NoFeasible { evaluated: evaluations.len(), first });
    }
    let fit = |i: usize| fitness[i].as_deref().unwrap_or(&[]);
    let mut front: Vec<usize> =
        feasible.iter().copied().filter(|&i| !feasible.iter().any(|&j| dominates(fit(j), fit(i)))).collect();
    front.sort_by(|&a, &b| {
        fit(a).iter().zip(fit(b)).map(|(x, y)| x.total_cmp(y)).find(|o| o.is_ne()).unwrap_or(a.cmp(&b))
    });
    let chosen = front[0];
    Ok(GaResult { genes, objectives: opts.objectives.clone(), evaluations, front, chosen, population, logbook })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nondominated_fronts_and_crowding() {
        let pts: Vec<Vec<f64>> = vec![vec![1.0, 5.0], vec![2.0, 2.0], vec![3.0, 3.0], vec![5.0, 1.0], vec![2.0, 2.0]];
        let refs: Vec<&[f64]> = pts.iter().map(|p| p.as_slice()).collect();
        let fronts = sort_nondominated(&refs, 5);
        assert_eq!(fronts, vec![vec![0, 1, 4, 3], vec![2]]);
        let d = crowding(&[&[1.0, 5.0], &[2.0, 2.0], &[5.0, 1.0]]);
        assert!(d[0].is_infinite() && d[2].is_infinite());
        assert!((d[1] - (4.0 / 8.0 + 4.0 / 8.0)).abs() < 1e-12);
        // Select 2 of the first front (4 members): the two extremes (infinite crowding), in front order.
        let fits: Vec<Option<&[f64]>> = refs.iter().map(|r| Some(*r)).collect();
        assert_eq!(select_nsga2(&fits, 2), vec![0, 3]);
        // Infeasible individuals come last.
        let fits = vec![None, Some(&[1.0, 1.0][..])];
        assert_eq!(select_nsga2(&fits, 2), vec![1, 0]);
    }

    #[test]
    fn operators_keep_genes_in_their_domains() {
        let genes: Vec<Gene> = (0..6)
            .map(|i| Gene {
                layer: i,
                group: 0,
                name: format!("L{i}"),
                cores: if i % 2 == 0 { vec![0, 1] } else { vec![2, 3, 4] },
            })
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let a = vec![0, 2, 1, 3, 0, 4];
        let b = vec![1, 4, 0, 2, 1, 3];
        for _ in 0..500 {
            let mut c = crossover(&mut rng, &a, &b);
            assert!(c.iter().enumerate().all(|(i, &x)| x == a[i] || x == b[i]));
            mutate(&mut rng, &genes, &mut c);
            assert!(c.iter().zip(&genes).all(|(x, g)| g.cores.contains(x)), "{c:?}");
        }
    }
}

/// The whole allocation space, scheduled allocation by allocation (see [`exhaustive`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ExhaustiveResult {
    /// Allocations in the space (product of the genes' core counts).
    pub space: u128,
    /// The best allocation (core per gene): smallest objectives in order, the first in
    /// enumeration order (last gene fastest) among equals.
    pub genome: Vec<usize>,
    /// Its numbers.
    pub metrics: Metrics,
    /// Allocations the scheduler rejected.
    pub infeasible: usize,
}

/// Number of allocations the genes span (saturating).
pub fn space_size(genes: &[Gene]) -> u128 {
    genes.iter().fold(1u128, |a, g| a.saturating_mul(g.cores.len() as u128))
}

/// Schedules every allocation when there are at most `limit` of them (in parallel; the result
/// does not depend on the thread count) and returns the optimum; `Ok(None)` when the space is
/// larger or empty of feasible allocations.
pub fn exhaustive(
    prep: &Prepared,
    base: &Allocation,
    order: &SchedulingOrder,
    sched_opts: &ScheduleOptions,
    opts: &GaOptions,
    limit: u128,
) -> Result<Option<ExhaustiveResult>, GaError> {
    let genes = genes(prep, base, opts.reference_core_filter);
    let space = space_size(&genes);
    if genes.is_empty() || space > limit || genes.iter().any(|g| g.cores.is_empty()) {
        return Ok(None);
    }
    let evaluator = AllocationEvaluator::new(prep, base, &genes, order, sched_opts)?;
    let genomes: Vec<Vec<usize>> = (0..space as usize)
        .map(|mut k| {
            let mut g = vec![0; genes.len()];
            for (i, gene) in genes.iter().enumerate().rev() {
                let n = gene.cores.len();
                g[i] = gene.cores[k % n];
                k /= n;
            }
            g
        })
        .collect();
    let outcomes: Vec<Result<Metrics, String>> = genomes.par_iter().map(|g| evaluator.evaluate(g)).collect();
    let mut best: Option<(Vec<f64>, usize)> = None;
    let mut infeasible = 0;
    for (k, o) in outcomes.iter().enumerate() {
        match o {
            Ok(m) => {
                let key: Vec<f64> = opts.objectives.iter().map(|&ob| m.value(ob)).collect();
                if best.as_ref().is_none_or(|(b, _)| key.partial_cmp(b) == Some(std::cmp::Ordering::Less)) {
                    best = Some((key, k));
                }
            }
            Err(_) => infeasible += 1,
        }
    }
    Ok(best.map(|(_, k)| ExhaustiveResult {
        space,
        genome: genomes[k].clone(),
        metrics: *outcomes[k].as_ref().unwrap_or_else(|_| unreachable!("the best allocation is feasible")),
        infeasible,
    }))
}
