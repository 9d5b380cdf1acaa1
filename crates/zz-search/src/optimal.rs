//! Provably optimal temporal mapping for one (layer, spatial mapping): branch-and-bound over
//! the full ordering space (every prime factor its own loop), with LOMA's allocation rule,
//! objective and tie-break.
//!
//! Orderings are built innermost loop first, one position per tree level; identical loops
//! (same dimension and size) are one branch (multiset permutations), so no ordering is
//! visited twice. At a node (a prefix of the ordering) the allocator tells which memory
//! decisions no later loop can change ([`Allocator::allocate_nest_horizon`]); an operand
//! whose level boundaries, after ZigZag's stationarity merge-down, are all fixed by the
//! prefix gets transfer records that every completion shares. The bound of a node is then
//! the cost model evaluated on one completion with the other operands' memory energy,
//! the on-/off-loading and every stall not implied by the fixed operands' own transfers
//! left out ([`Evaluator::partial_bounds`]); it never exceeds the cost of any completion.
//! A subtree is pruned only when its bound is strictly worse than the best ordering found,
//! so every ordering tied with the optimum is evaluated, and the tie is broken as the
//! exhaustive enumeration would: the first in LOMA's generation order (Williams' order of
//! the multiset), found by walking that order.

use crate::loma::{self, LomaOptions, Objective};
use crate::lpf::loop_prime_factors;
use crate::permutations::MultisetPermutations;
use std::time::{Duration, Instant};
use zz_cost::layer_info::in_mask;
use zz_cost::temporal::{LoopNest, MAX_OPS};
use zz_cost::{
    Allocator, CostError, CostEvaluation, Evaluator, HierarchyInfo, LayerInfo, Loop, OperandBinding, SpatialSetup,
};
use zz_ir::mapping::TemporalOrderingEntry;

/// Options of the optimal search.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct OptimalOptions {
    /// Stop after this long per spatial mapping and return the best found with the proven gap.
    pub time_limit: Option<Duration>,
    /// Walk LOMA's generation order at most this many steps to break ties as the exhaustive
    /// search does (default 2·10^8); beyond it the first tied ordering in tree order is kept and
    /// [`OptimalStats::tie_break_exact`] is false.
    pub tie_walk_limit: Option<u64>,
}

/// What an optimal search did.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct OptimalStats {
    /// Orderings of the full space (multiset-permutation count, saturating).
    pub space: u128,
    /// Cost-model evaluations of orderings (single orderings and classes).
    pub evaluated: u64,
    /// Classes: subtrees all of whose orderings provably have the same cost, evaluated once.
    pub classes: u64,
    /// Orderings covered by those classes.
    pub covered: u128,
    /// Orderings in pruned subtrees (never evaluated).
    pub pruned: u128,
    /// Bound evaluations at inner nodes.
    pub bound_evaluations: u64,
    /// Tree nodes visited.
    pub nodes: u64,
    /// Wall time.
    pub seconds: f64,
    /// The time limit stopped the search: the result is the best found, not proven optimal.
    pub time_limit_hit: bool,
    /// Proven lower bound on the objective's first key over the whole space (equals the
    /// result's first key when the search completed).
    pub lower_bound: f64,
    /// The tie among equally good orderings was broken exactly as the exhaustive enumeration.
    pub tie_break_exact: bool,
}

/// Result of the optimal search for one spatial mapping.
#[derive(Clone, Debug)]
pub struct OptimalResult {
    /// As for LOMA (`orderings_generated` = orderings evaluated here).
    pub result: loma::TemporalSearchResult,
    /// Counts and proof status.
    pub stats: OptimalStats,
}

type Key = (f64, f64);

fn gt(a: Key, b: Key) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 > b.1)
}

fn lt(a: Key, b: Key) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

fn bound_key(obj: Objective, b: zz_cost::PartialBounds) -> Key {
    match obj {
        Objective::Latency => (b.latency, b.energy),
        Objective::Energy => (b.energy, b.latency),
        Objective::Edp => (b.latency * b.energy, 0.0),
    }
}

/// Number of distinct orderings of loops with these multiplicities (saturating).
pub fn multinomial(counts: &[u32]) -> u128 {
    let mut res: u128 = 1;
    let mut k: u128 = 0;
    for &c in counts {
        for j in 1..=c as u128 {
            k += 1;
            res = res.saturating_mul(k) / j;
        }
    }
    res
}

/// The full-space loops of a spatial mapping, as LOMA's items `(name rank, size, dim)`.
pub fn full_space_items(layer: &LayerInfo, setup: &SpatialSetup) -> Vec<(u8, u64, u8)> {
    let temporal = setup.temporal_loop_sizes(layer);
    let lpfs = loop_prime_factors(&temporal, None, 0u8);
    let mut names: Vec<(String, u8)> = (0..layer.n_loop() as u8).map(|d| (layer.dim_name(d), d)).collect();
    names.sort();
    let rank = |d: u8| names.iter().position(|(_, x)| *x == d).unwrap_or(0) as u8;
    lpfs.iter().map(|&(d, s)| (rank(d), s, d)).collect()
}

/// Size of the full ordering space of a spatial mapping.
pub fn space_size(layer: &LayerInfo, setup: &SpatialSetup) -> u128 {
    crate::permutations::count(&full_space_items(layer, setup))
}

struct Search<'s, 'c, 'a> {
    layer: &'s LayerInfo,
    alloc: &'s Allocator<'s>,
    ev: Evaluator<'c, 'a>,
    obj: Objective,
    /// Distinct loops and how many of each remain.
    types: Vec<Loop>,
    left: Vec<u32>,
    /// The ordering being built (positions `..depth` fixed), then the representative completion.
    ord: Vec<Loop>,
    /// Type index per position of the prefix.
    prefix: Vec<u8>,
    best: Option<(Key, CostEvaluation, LoopNest)>,
    /// Every ordering (as type indices) tied with the best.
    ties: Vec<Vec<u8>>,
    ties_overflow: bool,
    /// Lower bound of each node on the current path (for the gap on a time-out).
    path_lb: Vec<Key>,
    stats: OptimalStats,
    deadline: Option<Instant>,
    stopped: bool,
    /// Operands of the layer.
    n_ops: usize,
    /// Subtrees whose operands are all fixed are evaluated once (see [`Allocator::top_order_matters`]).
    collapse: bool,
    /// The smallest bound of the unexplored subtrees when the time limit stopped the search.
    stop_lb: f64,
    first_error: Option<CostError>,
    progress: &'s (dyn Fn(u64) + Sync),
    pending_progress: u64,
    /// With `--pareto`: the latency–energy front of the evaluations.
    front: Option<crate::pareto::ParetoFront>,
}

const MAX_TIES: usize = 1 << 21;

impl Search<'_, '_, '_> {
    fn report(&mut self, n: u128) {
        self.pending_progress = self.pending_progress.saturating_add(n.min(u64::MAX as u128) as u64);
        if self.pending_progress >= 4096 {
            (self.progress)(self.pending_progress);
            self.pending_progress = 0;
        }
    }

    /// Fills `ord[depth..]` with the remaining loops in type order.
    fn complete_representative(&mut self, depth: usize) {
        let mut p = depth;
        for (t, &c) in self.left.iter().enumerate() {
            for _ in 0..c {
                self.ord[p] = self.types[t];
                p += 1;
            }
        }
    }

    /// Operands whose transfer records every completion of `ord[..horizon]` shares.
    fn fixed_operands(&self, nest: &LoopNest, det: &[u8; MAX_OPS], horizon: usize) -> [bool; MAX_OPS] {
        let len = nest.len as usize;
        let mut fixed = [false; MAX_OPS];
        for (x, f) in fixed.iter_mut().enumerate().take(nest.n_ops as usize) {
            let n = nest.n_levels[x] as usize;
            if n == 0 || (det[x] as usize) < n - 1 {
                continue;
            }
            let ir = self.layer.operands[x].ir_mask;
            let is_ir = |k: usize| in_mask(ir, self.ord[k].dim);
            // The merge-down moves each boundary past the irrelevant loops that start its level,
            // bounded by the merged boundary above: known while the scan stays inside the horizon.
            let merge = |start: usize, bound: usize| -> Option<usize> {
                let mut c = start;
                loop {
                    if c >= bound {
                        return Some(c);
                    }
                    if c >= horizon {
                        return None;
                    }
                    if !is_ir(c) {
                        return Some(c);
                    }
                    c += 1;
                }
            };
            let mut bound = len;
            let mut ok = true;
            for m in (1..n).rev() {
                match merge(nest.cuts[x][m] as usize, bound) {
                    Some(c) => bound = c,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            // The stationary loops at the bottom of level 0 (MAC-level reuse of inputs).
            *f = ok && merge(0, bound).is_some();
        }
        fixed
    }

    fn leaf(&mut self) -> Result<(), CostError> {
        let len = self.ord.len();
        self.stats.evaluated += 1;
        let Ok(nest) = self.alloc.allocate_nest(&self.ord[..len]) else { return Ok(()) };
        let e = match self.ev.evaluate(&nest) {
            Ok(e) => *e,
            Err(err) => {
                if self.first_error.is_none() {
                    self.first_error = Some(err);
                }
                return Ok(());
            }
        };
        self.offer(e, nest);
        Ok(())
    }

    /// A complete evaluation standing for every ordering that starts with `self.prefix`.
    fn offer(&mut self, e: CostEvaluation, nest: LoopNest) {
        if let Some(f) = self.front.as_mut() {
            f.offer(e.latency_total2, e.energy_total, 0, || nest.loops[..nest.len as usize].to_vec());
        }
        let key = self.obj.key(&e);
        match &self.best {
            Some((b, _, _)) if lt(*b, key) => {}
            Some((b, _, _)) if *b == key => {
                if self.ties.len() < MAX_TIES {
                    self.ties.push(self.prefix.clone());
                } else {
                    self.ties_overflow = true;
                }
            }
            _ => {
                self.best = Some((key, e, nest));
                self.ties.clear();
                self.ties_overflow = false;
                self.ties.push(self.prefix.clone());
            }
        }
    }

    /// Depth-first search below a node whose bound is `lb` and whose fixed operands are `fixed`.
    fn dfs(&mut self, depth: usize, lb: Key, fixed: [bool; MAX_OPS]) -> Result<(), CostError> {
        let len = self.ord.len();
        if depth == len {
            self.report(1);
            return self.leaf();
        }
        self.stats.nodes += 1;
        if self.stats.nodes.is_multiple_of(1024)
            && let Some(d) = self.deadline
            && Instant::now() >= d
        {
            self.stopped = true;
            // Every unexplored ordering lies below a node of the current path.
            self.stop_lb = self.path_lb.iter().map(|k| k.0).fold(lb.0, f64::min);
        }
        if self.stopped {
            return Ok(());
        }
        self.path_lb.push(lb);
        for t in 0..self.types.len() {
            if self.left[t] == 0 {
                continue;
            }
            if self.stopped {
                break;
            }
            self.left[t] -= 1;
            self.ord[depth] = self.types[t];
            self.prefix.push(t as u8);
            let horizon = depth + 1;
            let mut child_lb = lb;
            let mut child_fixed = fixed;
            if horizon < len {
                self.complete_representative(horizon);
                if let Ok((nest, det)) = self.alloc.allocate_nest_horizon(&self.ord, horizon) {
                    let f = self.fixed_operands(&nest, &det, horizon);
                    if f.iter().zip(&fixed).any(|(a, b)| *a && !*b) {
                        self.stats.bound_evaluations += 1;
                        match self.ev.evaluate(&nest) {
                            Ok(e) if self.collapse && f[..self.n_ops].iter().all(|&x| x) => {
                                // Every completion has this cost: one evaluation for the class.
                                let e = *e;
                                let sub = multinomial(&self.left);
                                self.stats.evaluated += 1;
                                self.stats.classes += 1;
                                self.stats.covered = self.stats.covered.saturating_add(sub);
                                self.report(sub);
                                self.offer(e, nest);
                                self.prefix.pop();
                                self.left[t] += 1;
                                continue;
                            }
                            Ok(_) => {
                                let k = bound_key(self.obj, self.ev.partial_bounds(f));
                                // A deeper node's bound is at least its parent's.
                                child_lb = if lt(k, lb) { lb } else { k };
                                child_fixed = f;
                            }
                            Err(err) => {
                                if self.first_error.is_none() {
                                    self.first_error = Some(err);
                                }
                            }
                        }
                    }
                }
            }
            let prune = matches!(&self.best, Some((b, _, _)) if gt(child_lb, *b));
            if prune {
                let sub = multinomial(&self.left);
                self.stats.pruned = self.stats.pruned.saturating_add(sub);
                self.report(sub);
            } else {
                self.dfs(horizon, child_lb, child_fixed)?;
            }
            self.prefix.pop();
            self.left[t] += 1;
        }
        self.path_lb.pop();
        Ok(())
    }
}

/// Runs the optimal temporal search for one spatial mapping.
#[allow(clippy::too_many_arguments)]
pub fn search(
    layer: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
    setup: &SpatialSetup,
    user_ordering: &[TemporalOrderingEntry],
    loma_opts: &LomaOptions,
    opts: &OptimalOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<OptimalResult, CostError> {
    let start = Instant::now();
    if !user_ordering.is_empty() {
        if loma::complete_ordering(layer, setup, user_ordering).is_some() {
            let r = loma::search(layer, hw, bind, setup, user_ordering, loma_opts, progress)?;
            let stats = OptimalStats {
                space: 1,
                evaluated: 1,
                lower_bound: loma_opts.objective.key(&r.best).0,
                tie_break_exact: true,
                seconds: start.elapsed().as_secs_f64(),
                ..Default::default()
            };
            return Ok(OptimalResult { result: r, stats });
        }
        return Err(CostError::Mapping {
            layer: layer.name.clone(),
            message: "--engine optimal does not take a partial temporal_ordering constraint; remove it from the mapping file or use --engine loma".into(),
        });
    }
    let ctx = setup.context(layer, hw, bind);
    let alloc = Allocator::new(layer, hw, bind, &setup.frac.levels, loma_opts.mapping_type);
    let items = full_space_items(layer, setup);
    // Distinct loops, in LOMA's item order (largest first, as the first ordering it generates).
    let mut distinct: Vec<(u8, u64, u8)> = items.clone();
    distinct.sort();
    distinct.reverse();
    distinct.dedup();
    let types: Vec<Loop> = distinct.iter().map(|&(_, s, d)| Loop { dim: d, size: s as f64 }).collect();
    let left: Vec<u32> = distinct.iter().map(|it| items.iter().filter(|x| *x == it).count() as u32).collect();
    let len = items.len();
    let space = multinomial(&left);
    let mut s = Search {
        layer,
        alloc: &alloc,
        ev: Evaluator::new(&ctx),
        obj: loma_opts.objective,
        types,
        left,
        ord: vec![Loop { dim: 0, size: 1.0 }; len],
        prefix: Vec::with_capacity(len),
        best: None,
        ties: Vec::new(),
        ties_overflow: false,
        path_lb: Vec::new(),
        stats: OptimalStats { space, ..Default::default() },
        deadline: opts.time_limit.map(|t| start + t),
        stopped: false,
        n_ops: layer.operands.len().min(MAX_OPS),
        collapse: !alloc.top_order_matters(),
        stop_lb: f64::NEG_INFINITY,
        first_error: None,
        progress,
        pending_progress: 0,
        front: loma_opts.pareto.then(crate::pareto::ParetoFront::default),
    };
    // Without an incumbent, the root's bound is only known after a first evaluation.
    let mut root_lb = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    // A first incumbent: LOMA's best ordering, each loop split into its prime factors.
    if let Ok(r) = loma::search(layer, hw, bind, setup, &[], loma_opts, &|_| {}) {
        if let (Some(f), Some(lf)) = (s.front.as_mut(), r.front.clone()) {
            f.merge(lf);
        }
        let flat: Vec<Loop> = r.mapping.levels[0].iter().flatten().copied().collect();
        let mut seq: Vec<u8> = Vec::with_capacity(len);
        for l in &flat {
            for (p, c) in crate::lpf::factorize(l.size as u64) {
                for _ in 0..c {
                    if let Some(t) = s.types.iter().position(|x| x.dim == l.dim && x.size == p as f64) {
                        seq.push(t as u8);
                    }
                }
            }
        }
        let mut counts = vec![0u32; s.types.len()];
        seq.iter().for_each(|&t| counts[t as usize] += 1);
        if seq.len() == len && counts == s.left {
            for (k, &t) in seq.iter().enumerate() {
                s.ord[k] = s.types[t as usize];
            }
            s.prefix = seq;
            s.leaf()?;
            s.stats.evaluated -= 1;
            if s.best.is_some() {
                root_lb = bound_key(s.obj, s.ev.partial_bounds([false; MAX_OPS]));
            }
            s.prefix.clear();
            // The tree search meets this ordering again; keep it only as the bound to beat.
            s.ties.clear();
        }
    }
    s.dfs(0, root_lb, [false; MAX_OPS])?;
    (s.progress)(s.pending_progress);
    if let Some(e) = s.first_error.take() {
        return Err(e);
    }
    let Some((best_key, mut best, mut nest)) = s.best else {
        return Err(CostError::Mapping {
            layer: layer.name.clone(),
            message: "no loop ordering fits the memory hierarchy (memories too small for the spatial unrolling)".into(),
        });
    };
    s.stats.time_limit_hit = s.stopped;
    s.stats.lower_bound = if s.stopped { s.stop_lb.min(best_key.0) } else { best_key.0 };
    // Tie-break: the first tied ordering in LOMA's generation order.
    s.stats.tie_break_exact = !s.stopped && !s.ties_overflow;
    let class_best = s.ties.len() > 1 || s.ties.first().is_some_and(|t| t.len() < len);
    if class_best && s.stats.tie_break_exact {
        let limit = opts.tie_walk_limit.unwrap_or(200_000_000) as u128;
        if space <= limit {
            let tied: rustc_hash::FxHashSet<Vec<u8>> = s.ties.iter().cloned().collect();
            let mut lengths: Vec<usize> = s.ties.iter().map(|t| t.len()).collect();
            lengths.sort();
            lengths.dedup();
            // Type `t` as the value `n - 1 - t`: the same order as LOMA's items, so the same sequence.
            let n_types = distinct.len();
            let codes: Vec<u8> = items
                .iter()
                .map(|it| (n_types - 1 - distinct.iter().position(|x| x == it).unwrap_or(0)) as u8)
                .collect();
            let mut perms = MultisetPermutations::new(codes);
            let mut buf = Vec::new();
            let mut seq = Vec::with_capacity(len);
            while perms.next_into(&mut buf) {
                seq.clear();
                seq.extend(buf.iter().map(|&v| (n_types - 1) as u8 - v));
                if lengths.iter().any(|&l| tied.contains(&seq[..l])) {
                    let ord: Vec<Loop> = seq.iter().map(|&t| s.types[t as usize]).collect();
                    if let Ok(n) = alloc.allocate_nest(&ord) {
                        best = *s.ev.evaluate(&n)?;
                        nest = n;
                    }
                    break;
                }
            }
        } else {
            s.stats.tie_break_exact = false;
        }
    }
    s.stats.seconds = start.elapsed().as_secs_f64();
    let result = loma::TemporalSearchResult {
        best,
        mapping: nest.to_mapping(),
        orderings_generated: s.stats.evaluated,
        evaluated: s.stats.evaluated,
        time_limit_hit: s.stopped,
        front: s.front.take(),
    };
    Ok(OptimalResult { result, stats: s.stats })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multinomial_counts_distinct_orderings() {
        assert_eq!(multinomial(&[2, 1, 1]), 12);
        assert_eq!(multinomial(&[4, 4, 1, 1, 1, 1, 1]), 10_810_800);
        assert_eq!(multinomial(&[]), 1);
        let items = [1u8, 1, 2, 3, 3, 3];
        assert_eq!(multinomial(&[2, 1, 3]), crate::permutations::count(&items));
        assert_eq!(MultisetPermutations::new(items.to_vec()).count() as u128, multinomial(&[2, 1, 3]));
    }
}
