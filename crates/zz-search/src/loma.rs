//! LOMA temporal-mapping search for one (layer, spatial mapping): loop prime factors,
//! ordering enumeration in the reference's order, allocation of each ordering to the
//! memories, evaluation, and the reduction that keeps the first best.
//!
//! Orderings are enumerated sequentially (cheap) in batches and evaluated in parallel;
//! the reduction is by (cost key, ordering index), so the winner is the one the sequential
//! reference keeps, whatever the thread count. The loop itself ([`search_orderings`]) takes
//! the objective as a parameter ([`OrderingObjective`]): the multi-core engine's per-CN search
//! runs it with Stream's objective.

use crate::lpf::loop_prime_factors;
use crate::pareto::ParetoFront;
use crate::permutations::MultisetPermutations;
use rayon::prelude::*;
use zz_cost::temporal::LoopNest;
use zz_cost::{
    Allocator, CostError, CostEvaluation, EvalContext, Evaluator, LayerInfo, Loop, MappingType, SpatialSetup,
    TemporalMapping,
};
use zz_cost::{HierarchyInfo, OperandBinding};
use zz_ir::mapping::TemporalOrderingEntry;

/// What to minimise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Objective {
    /// `latency_total2`, then energy.
    #[default]
    Latency,
    /// Energy, then latency.
    Energy,
    /// Energy-delay product.
    Edp,
}

impl std::str::FromStr for Objective {
    type Err = zz_ir::choice::UnknownChoice;

    /// `latency`, `energy` or `edp`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "latency" => Ok(Objective::Latency),
            "energy" => Ok(Objective::Energy),
            "edp" => Ok(Objective::Edp),
            _ => Err(zz_ir::choice::UnknownChoice::new(s, &["latency", "energy", "edp"])),
        }
    }
}

impl Objective {
    /// Sort key: smaller is better; ties broken by the caller with the generation index.
    #[inline]
    pub fn key(self, e: &CostEvaluation) -> (f64, f64) {
        match self {
            Objective::Latency => (e.latency_total2, e.energy_total),
            Objective::Energy => (e.energy_total, e.latency_total2),
            Objective::Edp => (e.latency_total2 * e.energy_total, 0.0),
        }
    }

    /// True if `a` (generated later) replaces `b` under the reference's strict rule.
    #[inline]
    pub fn better(self, a: &CostEvaluation, b: &CostEvaluation) -> bool {
        let (ka, kb) = (self.key(a), self.key(b));
        ka.0 < kb.0 || (ka.0 == kb.0 && ka.1 < kb.1)
    }
}

/// Options of the temporal search.
#[derive(Clone, Debug, PartialEq)]
pub struct LomaOptions {
    /// Maximum number of loop prime factors (raised to the number of temporal dims).
    pub lpf_limit: usize,
    /// Even or uneven allocation.
    pub mapping_type: MappingType,
    /// Objective.
    pub objective: Objective,
    /// Fix (off by default, for parity): sum the half-shared on-loading links (the reference keeps
    /// only the last one).
    pub sum_half_shared_onloading: bool,
    /// Stop a spatial mapping's search after this long and keep the best found so far
    /// (checked between batches of orderings; the result then depends on the machine's speed).
    pub time_limit: Option<std::time::Duration>,
    /// Beyond the reference: also keep the latency–energy Pareto front of the evaluated orderings.
    pub pareto: bool,
    /// Beyond the reference: how equal keys are resolved (default: the first generated is kept).
    pub tie_break: crate::pareto::TieBreak,
}

impl Default for LomaOptions {
    fn default() -> Self {
        LomaOptions {
            lpf_limit: 6,
            mapping_type: MappingType::Uneven,
            objective: Objective::Latency,
            sum_half_shared_onloading: false,
            time_limit: None,
            pareto: false,
            tie_break: crate::pareto::TieBreak::First,
        }
    }
}

/// Result of a temporal search for one spatial mapping.
#[derive(Clone, Debug)]
pub struct TemporalSearchResult {
    /// The best evaluation.
    pub best: CostEvaluation,
    /// Its temporal mapping (as allocated).
    pub mapping: TemporalMapping,
    /// Orderings yielded by LOMA (after constraint filtering; 0 for a complete user ordering).
    pub orderings_generated: u64,
    /// Orderings that could be allocated and were evaluated.
    pub evaluated: u64,
    /// The time limit stopped the search before the whole space was searched.
    pub time_limit_hit: bool,
    /// With [`LomaOptions::pareto`]: the latency–energy front of the evaluated orderings.
    pub front: Option<ParetoFront>,
}

/// A position constraint from a partial user ordering.
#[derive(Clone, Debug, PartialEq)]
struct Constraint {
    pos: isize,
    dim: u8,
    size: Option<u64>,
}

fn constraints(layer: &LayerInfo, ordering: &[TemporalOrderingEntry]) -> Vec<Constraint> {
    let mut out = Vec::new();
    let mut outer = false;
    let n = ordering.len() as isize;
    for (k, e) in ordering.iter().enumerate() {
        if e.dim == "*" && e.size.is_none() {
            outer = true;
            continue;
        }
        let Some(d) = layer.dim_id(&e.dim) else { continue };
        let pos = if outer { k as isize - n } else { k as isize };
        out.push(Constraint { pos, dim: d, size: e.size });
    }
    out
}

fn satisfies(ord: &[Loop], cons: &[Constraint]) -> bool {
    let n = ord.len() as isize;
    cons.iter().all(|c| {
        let p = if c.pos < 0 { n + c.pos } else { c.pos };
        if p < 0 || p >= n {
            return false;
        }
        let l = ord[p as usize];
        l.dim == c.dim && c.size.is_none_or(|s| l.size == s as f64)
    })
}

/// A complete user ordering: every size given and the per-dim products equal the temporal loops.
pub fn complete_ordering(
    layer: &LayerInfo,
    setup: &SpatialSetup,
    ordering: &[TemporalOrderingEntry],
) -> Option<Vec<Loop>> {
    let entries: Vec<(u8, u64)> = ordering
        .iter()
        .filter_map(|e| layer.dim_id(&e.dim).map(|d| (d, e.size)))
        .map(|(d, s)| s.map(|s| (d, s)))
        .collect::<Option<Vec<_>>>()?;
    if entries.is_empty() {
        return None;
    }
    let mut prod = vec![1u64; layer.n_loop()];
    for &(d, s) in &entries {
        prod[d as usize] = prod[d as usize].saturating_mul(s);
    }
    let want = setup.temporal_loop_sizes(layer);
    let got: Vec<(u8, u64)> = prod.iter().enumerate().filter(|(_, p)| **p != 1).map(|(d, p)| (d as u8, *p)).collect();
    if got != want {
        return None;
    }
    Some(entries.into_iter().map(|(d, s)| Loop { dim: d, size: s as f64 }).collect())
}

/// Runs the temporal search for one spatial mapping.
#[allow(clippy::too_many_arguments)]
pub fn search(
    layer: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
    setup: &SpatialSetup,
    user_ordering: &[TemporalOrderingEntry],
    opts: &LomaOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<TemporalSearchResult, CostError> {
    let ctx = setup.context(layer, hw, bind);
    let alloc = Allocator::new(layer, hw, bind, &setup.frac.levels, opts.mapping_type);
    if let Some(ord) = complete_ordering(layer, setup, user_ordering) {
        let tm = alloc.allocate(&ord).map_err(CostError::from)?;
        let best = zz_cost::evaluate(&ctx, &tm)?;
        progress(1);
        // The reference bypasses LOMA for a complete ordering: no ordering is "generated".
        return Ok(TemporalSearchResult {
            best,
            mapping: tm,
            orderings_generated: 0,
            evaluated: 1,
            time_limit_hit: false,
            front: opts.pareto.then(|| {
                let mut f = ParetoFront::default();
                f.offer(best.latency_total2, best.energy_total, 0, || ord.clone());
                f
            }),
        });
    }
    let deadline = opts.time_limit.map(|t| std::time::Instant::now() + t);
    let extras =
        SearchExtras { pareto: opts.pareto, structural_ties: opts.tie_break == crate::pareto::TieBreak::Lexicographic };
    let found = if extras.structural_ties {
        search_orderings(
            layer,
            setup,
            &ctx,
            &alloc,
            opts.lpf_limit,
            user_ordering,
            deadline,
            progress,
            &LexObjective(opts.objective),
            extras,
        )?
        .map_key(|_| ())
    } else {
        search_orderings(
            layer,
            setup,
            &ctx,
            &alloc,
            opts.lpf_limit,
            user_ordering,
            deadline,
            progress,
            &opts.objective,
            extras,
        )?
        .map_key(|_| ())
    };
    let (generated, evaluated, time_limit_hit) = (found.generated, found.evaluated, found.time_limit_hit);
    let front = found.front;
    match found.best.map(|(e, nest, _)| (e, nest)) {
        Some((best, nest)) => {
            Ok(TemporalSearchResult {
                best,
                mapping: nest.to_mapping(),
                orderings_generated: generated,
                evaluated,
                time_limit_hit,
                front,
            })
        }
        None => Err(CostError::Mapping {
            layer: layer.name.clone(),
            message: "no loop ordering fits the memory hierarchy (memories too small for the spatial unrolling, or the temporal ordering constraints cannot be met)".into(),
        }),
    }
}

/// What an ordering search minimises: a key per evaluated ordering and a strict order on keys.
/// Among equally good orderings the first generated is kept (the reference's sequential
/// reduction), whatever the thread count.
pub trait OrderingObjective: Sync {
    /// The ranking key of one evaluated ordering.
    type Key: Copy + Send;
    /// The key of an evaluated ordering (its loop nest as allocated and its evaluation).
    fn key(&self, ctx: &EvalContext<'_>, nest: &LoopNest, e: &CostEvaluation) -> Result<Self::Key, CostError>;
    /// Whether `a` (generated later) replaces `b`.
    fn better(&self, a: &Self::Key, b: &Self::Key) -> bool;
}

impl OrderingObjective for Objective {
    type Key = (f64, f64);

    fn key(&self, _: &EvalContext<'_>, _: &LoopNest, e: &CostEvaluation) -> Result<(f64, f64), CostError> {
        Ok(Objective::key(*self, e))
    }

    fn better(&self, a: &(f64, f64), b: &(f64, f64)) -> bool {
        a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
    }
}

/// Beyond the reference: the lexicographic key (objective, other of latency/energy, EDP), see
/// [`crate::pareto::TieBreak::Lexicographic`]; with structural ties in [`search_orderings`].
#[derive(Clone, Copy, Debug)]
pub struct LexObjective(pub Objective);

impl OrderingObjective for LexObjective {
    type Key = (f64, f64, f64);

    fn key(&self, _: &EvalContext<'_>, _: &LoopNest, e: &CostEvaluation) -> Result<(f64, f64, f64), CostError> {
        Ok(crate::pareto::lex_key(self.0, e))
    }

    fn better(&self, a: &(f64, f64, f64), b: &(f64, f64, f64)) -> bool {
        crate::pareto::cmp3(*a, *b) == std::cmp::Ordering::Less
    }
}

/// Optional additions to [`search_orderings`] (all off: the reference's loop, unchanged).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchExtras {
    /// Keep the latency–energy Pareto front of the evaluated orderings.
    pub pareto: bool,
    /// Resolve equal keys by the ordering's structural order (smallest kept) instead of the
    /// generation order.
    pub structural_ties: bool,
}

/// What [`search_orderings`] found.
#[derive(Clone, Debug)]
pub struct OrderingSearch<K> {
    /// The first best ordering: its evaluation, loop nest and key (`None` if no ordering fits).
    pub best: Option<(CostEvaluation, LoopNest, K)>,
    /// Orderings yielded (after constraint filtering).
    pub generated: u64,
    /// Orderings that could be allocated and were evaluated.
    pub evaluated: u64,
    /// The deadline stopped the search before the whole space was searched.
    pub time_limit_hit: bool,
    /// With [`SearchExtras::pareto`]: the latency–energy front of the evaluated orderings.
    pub front: Option<ParetoFront>,
}

impl<K> OrderingSearch<K> {
    /// The same result with the key mapped.
    pub fn map_key<L>(self, f: impl Fn(K) -> L) -> OrderingSearch<L> {
        OrderingSearch {
            best: self.best.map(|(e, n, k)| (e, n, f(k))),
            generated: self.generated,
            evaluated: self.evaluated,
            time_limit_hit: self.time_limit_hit,
            front: self.front,
        }
    }
}

/// LOMA's ordering loop for one (layer, spatial mapping): the loop prime factors of the
/// temporal loops (at most `lpf_limit`), every ordering in the reference's order (those
/// satisfying the partial `user_ordering`), allocated with `alloc` and evaluated in batches in
/// parallel, keeping the first best under `objective`. An evaluation error is reported after
/// the search (the first in generation order); `deadline` is checked between batches.
/// `extras` switches on beyond-reference additions ([`SearchExtras::default`]: none).
#[allow(clippy::too_many_arguments)]
pub fn search_orderings<O: OrderingObjective>(
    layer: &LayerInfo,
    setup: &SpatialSetup,
    ctx: &EvalContext<'_>,
    alloc: &Allocator<'_>,
    lpf_limit: usize,
    user_ordering: &[TemporalOrderingEntry],
    deadline: Option<std::time::Instant>,
    progress: &(dyn Fn(u64) + Sync),
    objective: &O,
    extras: SearchExtras,
) -> Result<OrderingSearch<O::Key>, CostError> {
    let mut front = extras.pareto.then(ParetoFront::default);
    let mut best_ord: Vec<Loop> = Vec::new();
    let cons = constraints(layer, user_ordering);
    let temporal = setup.temporal_loop_sizes(layer);
    let lpfs = loop_prime_factors(&temporal, Some(lpf_limit), 0u8);
    // Sort key of the reference: (dimension name, size).
    let mut names: Vec<(String, u8)> = (0..layer.n_loop() as u8).map(|d| (layer.dim_name(d), d)).collect();
    names.sort();
    let rank = |d: u8| names.iter().position(|(_, x)| *x == d).unwrap_or(0) as u8;
    let items: Vec<(u8, u64, u8)> = lpfs.iter().map(|&(d, s)| (rank(d), s, d)).collect();
    let mut perms = MultisetPermutations::new(items);
    const BATCH: usize = 2048;
    // Orderings of one search all have the same length: one flat, reused buffer, no allocation per ordering.
    let width = lpfs.len().max(1);
    let mut flat: Vec<Loop> = Vec::with_capacity(BATCH * width);
    let mut ord: Vec<Loop> = Vec::with_capacity(width);
    let mut buf = Vec::new();
    let mut generated: u64 = 0;
    let mut evaluated: u64 = 0;
    let mut best: Option<(CostEvaluation, LoopNest, O::Key)> = None;
    let mut first_error: Option<CostError> = None;
    let mut evaluator = Evaluator::new(ctx);
    let mut time_limit_hit = false;
    loop {
        if let Some(d) = deadline
            && std::time::Instant::now() >= d
        {
            time_limit_hit = true;
            break;
        }
        flat.clear();
        let mut n = 0;
        while n < BATCH && perms.next_into(&mut buf) {
            ord.clear();
            ord.extend(buf.iter().map(|&(_, s, d)| Loop { dim: d, size: s as f64 }));
            // Constrained enumeration walks every permutation but yields only those that satisfy the constraints.
            if cons.is_empty() || satisfies(&ord, &cons) {
                generated += 1;
                flat.extend_from_slice(&ord);
                n += 1;
            }
        }
        if n == 0 {
            break;
        }
        // Evaluate in parallel, keeping only the ranking key; the reduction below is sequential in
        // generation order, so the first best is kept whatever the thread count.
        type Scored<K> = Option<Result<(K, f64, f64), CostError>>;
        let keys: Vec<Scored<O::Key>> = flat
            .par_chunks(width)
            .map_init(
                || Evaluator::new(ctx),
                |ev, o| {
                    ev.evaluate_ordering(alloc, o).map(|r| {
                        r.and_then(|(e, nest)| {
                            let (l, en) = (e.latency_total2, e.energy_total);
                            objective.key(ctx, &nest, e).map(|k| (k, l, en))
                        })
                    })
                },
            )
            .collect();
        let slice = |k: usize| &flat[k * width..(k + 1) * width];
        progress(n as u64);
        let mut batch_best: Option<(usize, O::Key)> = None;
        for (k, r) in keys.into_iter().enumerate() {
            match r {
                None => {}
                Some(Ok((key, l, en))) => {
                    evaluated += 1;
                    if let Some(f) = front.as_mut() {
                        f.offer(l, en, 0, || slice(k).to_vec());
                    }
                    let replace = match &batch_best {
                        None => true,
                        Some((bk, b)) => {
                            objective.better(&key, b)
                                || (extras.structural_ties
                                    && !objective.better(b, &key)
                                    && crate::pareto::cmp_ordering(slice(k), slice(*bk)).is_lt())
                        }
                    };
                    if replace {
                        batch_best = Some((k, key));
                    }
                }
                Some(Err(e)) if first_error.is_none() => first_error = Some(e),
                Some(Err(_)) => {}
            }
        }
        if let Some((k, key)) = batch_best
            && let Some(Ok((e, nest))) = evaluator.evaluate_ordering(alloc, slice(k))
        {
            let replace = match &best {
                None => true,
                Some((_, _, b)) => {
                    objective.better(&key, b)
                        || (extras.structural_ties
                            && !objective.better(b, &key)
                            && crate::pareto::cmp_ordering(slice(k), &best_ord).is_lt())
                }
            };
            if replace {
                best = Some((*e, nest, key));
                if extras.structural_ties {
                    best_ord.clear();
                    best_ord.extend_from_slice(slice(k));
                }
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok(OrderingSearch { best, generated, evaluated, time_limit_hit, front })
}
