//! Provably optimal temporal mapping for one (layer, spatial mapping): branch-and-bound over
//! the full ordering space (every prime factor its own loop), with LOMA's allocation rule,
//! objective and tie-break.
//!
//! Orderings are built innermost loop first, one position per tree level; identical loops
//! (same dimension and size) are one branch (multiset permutations), so no ordering is
//! visited twice. At a node (a prefix of the ordering) the allocator tells which memory
//! decisions no later loop can change ([`Allocator::allocate_nest_horizon`]); a level
//! boundary of an operand whose merged position (after ZigZag's stationarity merge-down) and
//! the loops below it are fixed by the prefix has the same transfer records in every
//! completion. The bound of a node is the cost model evaluated on one completion with only
//! those boundaries' transfers counted ([`Evaluator::partial_bounds`]: their energy, the
//! per-port stalls they imply, the on-/off-loading they imply); it never exceeds the cost of
//! any completion. A subtree is pruned only when its bound is strictly worse than the best
//! ordering found, so every ordering tied with the optimum is evaluated, and the tie is broken
//! as the exhaustive enumeration would: the first in LOMA's generation order (Williams' order
//! of the multiset), found by walking that order.
//!
//! Children are visited in increasing bound order. A short sequential dive gives a first
//! incumbent; then the subtrees of a frontier of nodes are searched in parallel, each on its
//! own from that incumbent, and merged in tree order, so the result and the counts do not
//! depend on the number of threads. Of two mirror-image orderings of a square convolution
//! (`OX, FX` exchanged with `OY, FY`, see [`mirror_of_types`]) only one is searched; the
//! images of the tied orderings join the tie-break.

use crate::loma::{self, LomaOptions, Objective};
use crate::lpf::loop_prime_factors;
use crate::permutations::MultisetPermutations;
use rayon::prelude::*;
use std::time::{Duration, Instant};
use zz_cost::layer_info::in_mask;
use zz_cost::temporal::{LoopNest, MAX_OPS};
use zz_cost::{
    Allocator, CostError, CostEvaluation, EvalContext, Evaluator, HierarchyInfo, KnownBoundaries, LayerInfo, Loop,
    MappingType, OperandBinding, PartialBounds, SpatialSetup,
};
use zz_ir::mapping::TemporalOrderingEntry;

/// Options of the optimal search.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct OptimalOptions {
    /// Stop after this long per spatial mapping and return the best found with the proven gap.
    pub time_limit: Option<Duration>,
    /// Walk LOMA's generation order at most this many steps to break ties as the exhaustive
    /// search does (default 2·10^9); beyond it the first tied ordering in tree order is kept and
    /// [`OptimalStats::tie_break_exact`] is false.
    pub tie_walk_limit: Option<u64>,
    /// Search mirror-image orderings too (see [`mirror_of_types`]); for tests and comparisons.
    pub no_mirror: bool,
    /// With an objective that ties often ([`BoundedObjective::ties_often`]): walk the
    /// generation order at most this many orderings for the first optimal one (default 10^6)
    /// before collecting the ties instead; for tests.
    pub walk_limit: Option<u64>,
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
    /// Orderings skipped as the mirror images of searched ones (see [`mirror_of_types`]).
    pub mirrored: u128,
    /// Evaluations of the short dive for a first incumbent (the tree search repeats that part;
    /// not counted in `evaluated`).
    pub dive_evaluations: u64,
    /// With an objective that ties often ([`BoundedObjective::ties_often`]): evaluations of the
    /// walk in generation order to the first optimal ordering.
    pub walk_evaluations: u64,
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

/// A ranking key: smaller is better, compared lexicographically.
pub type Key = (f64, f64);

fn gt(a: Key, b: Key) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 > b.1)
}

fn lt(a: Key, b: Key) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// What the optimal search minimises: a two-part key per evaluated ordering, compared
/// lexicographically (among equal keys the first ordering in LOMA's generation order wins),
/// and an admissible bound of that key over every completion of a prefix.
pub trait BoundedObjective: Sync {
    /// The key of an evaluated ordering (its loop nest as allocated and its evaluation).
    fn key(&self, ctx: &EvalContext<'_>, nest: &LoopNest, e: &CostEvaluation) -> Result<Key, CostError>;
    /// A key no completion of a prefix beats: it must not exceed (lexicographically) the key of
    /// any ordering whose level boundaries in `known` are the same as in `nest` (one completion
    /// of the prefix, as allocated); `b` are the cost model's partial bounds of those boundaries.
    fn bound(&self, ctx: &EvalContext<'_>, nest: &LoopNest, known: &KnownBoundaries, b: PartialBounds) -> Key;
    /// Whether many orderings share the optimal key (e.g. a truncated latency with no second
    /// part). Then the search first proves the optimum's value, pruning subtrees that cannot
    /// beat it *or only tie it*, and then walks LOMA's generation order to the first ordering
    /// with that value (the exhaustive search's pick); only if that walk is long does it fall
    /// back to collecting every tied ordering.
    fn ties_often(&self) -> bool {
        false
    }
}

impl BoundedObjective for Objective {
    fn key(&self, _: &EvalContext<'_>, _: &LoopNest, e: &CostEvaluation) -> Result<Key, CostError> {
        Ok(Objective::key(*self, e))
    }

    // Both bounds are lower bounds of non-negative quantities, so their product bounds the EDP.
    fn bound(&self, _: &EvalContext<'_>, _: &LoopNest, _: &KnownBoundaries, b: PartialBounds) -> Key {
        match self {
            Objective::Latency => (b.latency, b.energy),
            Objective::Energy => (b.energy, b.latency),
            Objective::Edp => (b.latency * b.energy, 0.0),
        }
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

/// The mirror symmetry of a layer, as a map of loop types: the two derived dimensions of a
/// convolution (`IX = f(OX, FX)`, `IY = f(OY, FY)`) with the same coefficients and sizes, and
/// `OX, FX` exchanged with `OY, FY` everywhere else (sizes, every operand's relevance) while the
/// spatial mapping unrolls none of them. Mirrored orderings then have the same allocation and
/// the same cost: every quantity of the model is a product or a sum over dimensions, computed
/// per dimension from the same values (the exhaustive-enumeration tests check this).
pub fn mirror_of_types(layer: &LayerInfo, setup: &SpatialSetup, types: &[Loop]) -> Option<Vec<u8>> {
    use zz_cost::layer_info::{IR_BASE, PR_BASE, R_BASE};
    if layer.derived.len() != 2 {
        return None;
    }
    let (d0, d1) = (&layer.derived[0], &layer.derived[1]);
    if (d0.coef_a, d0.coef_b, d0.total) != (d1.coef_a, d1.coef_b, d1.total) {
        return None;
    }
    let pairs = [(d0.a, d1.a), (d0.b, d1.b)];
    let moved: Vec<u8> = vec![d0.a, d1.a, d0.b, d1.b];
    let mut distinct = moved.clone();
    distinct.sort();
    distinct.dedup();
    if distinct.len() != 4 || moved.iter().any(|&d| d as usize >= layer.sizes.len()) {
        return None;
    }
    if pairs.iter().any(|&(x, y)| layer.sizes[x as usize] != layer.sizes[y as usize]) {
        return None;
    }
    let sigma = |d: u8| -> u8 {
        for &(x, y) in &pairs {
            if d == x {
                return y;
            }
            if d == y {
                return x;
            }
        }
        match d {
            _ if d == PR_BASE => PR_BASE + 1,
            _ if d == PR_BASE + 1 => PR_BASE,
            _ if d == R_BASE => R_BASE + 1,
            _ if d == R_BASE + 1 => R_BASE,
            _ if d == IR_BASE => IR_BASE + 1,
            _ if d == IR_BASE + 1 => IR_BASE,
            _ => d,
        }
    };
    let map_mask = |m: u128| -> u128 {
        let mut out = 0u128;
        for d in 0..128u8 {
            if m & (1u128 << d) != 0 {
                out |= 1u128 << sigma(d);
            }
        }
        out
    };
    if map_mask(layer.pr_list_mask) != layer.pr_list_mask {
        return None;
    }
    for o in &layer.operands {
        for m in [o.r_mask, o.ir_mask, o.r2_mask, o.ir2_mask] {
            if map_mask(m) != m {
                return None;
            }
        }
    }
    // The spatial mapping must not unroll a mirrored dimension.
    for an in [&setup.frac, &setup.int] {
        for op_levels in &an.levels {
            for lv in op_levels {
                if lv.iter().any(|l| moved.contains(&l.dim) && l.size != 1.0) {
                    return None;
                }
            }
        }
    }
    let mut map = Vec::with_capacity(types.len());
    for t in types {
        let m = types.iter().position(|u| u.dim == sigma(t.dim) && u.size == t.size)?;
        map.push(m as u8);
    }
    // the identity is no symmetry worth using
    map.iter().enumerate().any(|(i, &m)| m as usize != i).then_some(map)
}

struct Search<'s, 'c, 'a> {
    layer: &'s LayerInfo,
    alloc: &'s Allocator<'s>,
    ev: Evaluator<'c, 'a>,
    ctx: &'c EvalContext<'a>,
    obj: &'s dyn BoundedObjective,
    /// Distinct loops, how many of each the layer has, and how many remain.
    types: Vec<Loop>,
    all_counts: Vec<u32>,
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
    /// Stop after this many evaluations (the dive for an incumbent).
    budget: Option<u64>,
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
    /// The leaves' loop nest, reused.
    leaf_nest: LoopNest,
    /// The mirror symmetry as a map of loop types (see [`mirror_of_types`]): of two mirrored
    /// orderings only the one that is not larger, compared type by type, is searched.
    mirror: Option<Vec<u8>>,
    /// Only the optimum's value is sought: subtrees that can at best tie it are pruned too (the
    /// tied orderings are then not all collected).
    value_only: bool,
}

const MAX_TIES: usize = 1 << 21;

impl<'s, 'c, 'a> Search<'s, 'c, 'a> {
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

    /// The level boundaries whose transfer records every completion of `ord[..horizon]`
    /// shares (bit `b` of operand `x`: see [`KnownBoundaries`]).
    ///
    /// A boundary qualifies when the allocator has decided its raw cut and the stationarity
    /// merge-down, which moves it up past the irrelevant loops that start the level above,
    /// ends inside the prefix (or at the end of the nest): then the merged boundary and the
    /// multiset of loops below it are the same in every completion, and so are the
    /// boundary's amounts, precisions (an output reduction loop outside the prefix lies above
    /// it), periods and period counts.
    fn known_boundaries(&self, nest: &LoopNest, det: &[u8; MAX_OPS], horizon: usize) -> KnownBoundaries {
        let len = nest.len as usize;
        let mut known = [0u16; MAX_OPS];
        for (x, k) in known.iter_mut().enumerate().take(nest.n_ops as usize) {
            let n = nest.n_levels[x] as usize;
            let ir = self.layer.operands[x].ir_mask;
            for b in 0..n {
                if b > det[x] as usize {
                    break;
                }
                let mut c = nest.cuts[x][b] as usize;
                let merged_known = loop {
                    if c >= len {
                        break true;
                    }
                    if c >= horizon {
                        break false;
                    }
                    if !in_mask(ir, self.ord[c].dim) {
                        break true;
                    }
                    c += 1;
                };
                if merged_known {
                    *k |= 1 << b;
                }
            }
        }
        known
    }

    /// Operands all of whose boundaries below the top are known: every completion gives them
    /// the same transfer records.
    fn fully_known(&self, nest: &LoopNest, known: &KnownBoundaries) -> bool {
        (0..self.n_ops).all(|x| {
            let n = nest.n_levels[x] as u32;
            let need = if n == 0 { 0 } else { (1u16 << n) - 1 };
            known[x] & need == need
        })
    }

    fn leaf(&mut self) -> Result<(), CostError> {
        let len = self.ord.len();
        self.stats.evaluated += 1;
        let mut nest = std::mem::take(&mut self.leaf_nest);
        if self.alloc.allocate_nest_into(&self.ord[..len], &mut nest).is_ok() {
            match self.ev.evaluate(&nest) {
                Ok(_) => self.offer(&nest),
                Err(err) => {
                    if self.first_error.is_none() {
                        self.first_error = Some(err);
                    }
                }
            }
        }
        self.leaf_nest = nest;
        Ok(())
    }

    /// The evaluator's last result, standing for every ordering that starts with `self.prefix`
    /// (copied only when it is the new best).
    fn offer(&mut self, nest: &LoopNest) {
        let e = self.ev.last();
        if let Some(f) = self.front.as_mut() {
            f.offer(e.latency_total2, e.energy_total, 0, || nest.loops[..nest.len as usize].to_vec());
        }
        let key = match self.obj.key(self.ctx, nest, e) {
            // A NaN key neither beats nor ties: it would silently become the best.
            Ok(k) if k.0.is_nan() || k.1.is_nan() => {
                if self.first_error.is_none() {
                    self.first_error = Some(CostError::Mapping {
                        layer: self.layer.name.clone(),
                        message: format!(
                            "the objective of a loop ordering is not a number (latency {}, energy {}): check the accelerator's costs and sizes",
                            e.latency_total2, e.energy_total
                        ),
                    });
                }
                return;
            }
            Ok(k) => k,
            Err(err) => {
                if self.first_error.is_none() {
                    self.first_error = Some(err);
                }
                return;
            }
        };
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
                self.best = Some((key, *e, *nest));
                self.ties.clear();
                self.ties_overflow = false;
                self.ties.push(self.prefix.clone());
            }
        }
    }

    /// Puts the search at the node of `prefix` (type indices): ordering, prefix and counts.
    fn enter(&mut self, prefix: &[u8]) {
        self.left.copy_from_slice(&self.all_counts);
        self.prefix.clear();
        for (k, &t) in prefix.iter().enumerate() {
            self.left[t as usize] -= 1;
            self.ord[k] = self.types[t as usize];
            self.prefix.push(t);
        }
    }

    /// The children of the node at `depth` (bound `lb`, known boundaries `fixed`) that are not
    /// whole classes, in increasing bound order (ties in type order), with their bounds and
    /// known boundaries; classes (subtrees of one cost) are evaluated and offered here.
    fn children(&mut self, depth: usize, lb: Key, fixed: KnownBoundaries, sym: bool) -> Vec<Child> {
        let len = self.ord.len();
        let mut children: Vec<Child> = Vec::with_capacity(self.types.len());
        for t in 0..self.types.len() {
            if self.left[t] == 0 {
                continue;
            }
            // While the prefix is its own mirror image, the first differing type decides which of
            // the two is searched.
            let mt = match (&self.mirror, sym) {
                (Some(m), true) => m[t] as usize,
                _ => usize::MAX,
            };
            self.left[t] -= 1;
            if mt < t {
                let sub = multinomial(&self.left);
                self.stats.mirrored = self.stats.mirrored.saturating_add(sub);
                self.report(sub);
                self.left[t] += 1;
                continue;
            }
            self.ord[depth] = self.types[t];
            self.prefix.push(t as u8);
            let horizon = depth + 1;
            let mut child_lb = lb;
            let mut child_fixed = fixed;
            let mut class_done = false;
            // A small subtree is cheaper to enumerate than to bound (an allocation per child).
            if horizon < len && multinomial(&self.left) > SMALL_SUBTREE {
                self.complete_representative(horizon);
                if let Ok((nest, det)) = self.alloc.allocate_nest_horizon(&self.ord, horizon) {
                    let f = self.known_boundaries(&nest, &det, horizon);
                    if f.iter().zip(&fixed).any(|(a, b)| a & !b != 0) {
                        self.stats.bound_evaluations += 1;
                        let whole = self.collapse && self.fully_known(&nest, &f);
                        match self.ev.evaluate(&nest) {
                            Ok(_) if whole => {
                                // Every completion has this cost: one evaluation for the class.
                                let sub = multinomial(&self.left);
                                self.stats.evaluated += 1;
                                self.stats.classes += 1;
                                self.stats.covered = self.stats.covered.saturating_add(sub);
                                self.report(sub);
                                self.offer(&nest);
                                class_done = true;
                            }
                            Ok(_) => {
                                let k = self.obj.bound(self.ctx, &nest, &f, self.ev.partial_bounds(f));
                                // A deeper node's bound is at least its parent's (a NaN
                                // bound bounds nothing).
                                child_lb = if k.0.is_nan() || k.1.is_nan() || lt(k, lb) { lb } else { k };
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
            if !class_done {
                children.push((child_lb, t, child_fixed, mt == t));
            }
            self.prefix.pop();
            self.left[t] += 1;
        }
        // Good orderings are met early and prune the rest. The order does not change the
        // result: every ordering tied with the optimum is still collected.
        children.sort_by(|a, b| a.0.0.total_cmp(&b.0.0).then(a.0.1.total_cmp(&b.0.1)).then(a.1.cmp(&b.1)));
        children
    }

    fn prunes(&self, lb: Key) -> bool {
        match &self.best {
            Some((b, _, _)) if self.value_only => !lt(lb, *b),
            Some((b, _, _)) => gt(lb, *b),
            None => false,
        }
    }

    /// Checks the deadline and the work budget (every 1024 nodes).
    fn out_of_time(&mut self, lb: Key) -> bool {
        if !self.stopped
            && self.stats.nodes.is_multiple_of(1024)
            && (self.deadline.is_some_and(|d| Instant::now() >= d)
                || self.budget.is_some_and(|b| self.stats.evaluated + self.stats.bound_evaluations >= b))
        {
            self.stopped = true;
            // Every unexplored ordering lies below a node of the current path.
            self.stop_lb = self.path_lb.iter().map(|k| k.0).fold(lb.0, f64::min);
        }
        self.stopped
    }

    /// Depth-first search below a node whose bound is `lb` and whose known boundaries are `fixed`.
    fn dfs(&mut self, depth: usize, lb: Key, fixed: KnownBoundaries, sym: bool) -> Result<(), CostError> {
        let len = self.ord.len();
        if depth == len {
            self.report(1);
            return self.leaf();
        }
        self.stats.nodes += 1;
        if self.out_of_time(lb) {
            return Ok(());
        }
        self.path_lb.push(lb);
        for (child_lb, t, child_fixed, child_sym) in self.children(depth, lb, fixed, sym) {
            if self.stopped {
                break;
            }
            self.left[t] -= 1;
            self.ord[depth] = self.types[t];
            self.prefix.push(t as u8);
            if self.prunes(child_lb) {
                let sub = multinomial(&self.left);
                self.stats.pruned = self.stats.pruned.saturating_add(sub);
                self.report(sub);
            } else {
                self.dfs(depth + 1, child_lb, child_fixed, child_sym)?;
            }
            self.prefix.pop();
            self.left[t] += 1;
        }
        self.path_lb.pop();
        Ok(())
    }

    /// A search of its own for one subtree, starting from this search's best as the bound to beat.
    fn fork(&self) -> Search<'s, 'c, 'a> {
        Search {
            layer: self.layer,
            alloc: self.alloc,
            ev: Evaluator::new(self.ctx),
            ctx: self.ctx,
            obj: self.obj,
            types: self.types.clone(),
            all_counts: self.all_counts.clone(),
            left: self.all_counts.clone(),
            ord: self.ord.clone(),
            prefix: Vec::with_capacity(self.ord.len()),
            best: self.best,
            ties: Vec::new(),
            ties_overflow: false,
            path_lb: Vec::new(),
            stats: OptimalStats::default(),
            deadline: self.deadline,
            budget: None,
            stopped: false,
            n_ops: self.n_ops,
            collapse: self.collapse,
            stop_lb: f64::INFINITY,
            first_error: None,
            progress: self.progress,
            pending_progress: 0,
            front: self.front.as_ref().map(|_| crate::pareto::ParetoFront::default()),
            leaf_nest: LoopNest::default(),
            mirror: self.mirror.clone(),
            value_only: self.value_only,
        }
    }

    /// Adds what a subtree's search found (in a fixed order, so the result does not depend on
    /// which thread ran what).
    fn absorb(&mut self, sub: Search<'_, '_, '_>) {
        let st = &sub.stats;
        self.stats.evaluated += st.evaluated;
        self.stats.classes += st.classes;
        self.stats.covered = self.stats.covered.saturating_add(st.covered);
        self.stats.pruned = self.stats.pruned.saturating_add(st.pruned);
        self.stats.mirrored = self.stats.mirrored.saturating_add(st.mirrored);
        self.stats.bound_evaluations += st.bound_evaluations;
        self.stats.nodes += st.nodes;
        self.pending_progress += sub.pending_progress;
        if sub.stopped {
            self.stopped = true;
            self.stop_lb = self.stop_lb.min(sub.stop_lb);
        }
        if self.first_error.is_none() {
            self.first_error = sub.first_error;
        }
        if let (Some(f), Some(g)) = (self.front.as_mut(), sub.front) {
            f.merge(g);
        }
        match (&self.best, sub.best) {
            (_, None) => {}
            (Some((b, _, _)), Some((k, _, _))) if lt(*b, k) => {}
            (Some((b, _, _)), Some((k, _, _))) if *b == k => {
                self.ties_overflow |= sub.ties_overflow;
                for t in sub.ties {
                    if self.ties.len() < MAX_TIES {
                        self.ties.push(t);
                    } else {
                        self.ties_overflow = true;
                    }
                }
            }
            (_, Some(nb)) => {
                self.best = Some(nb);
                self.ties = sub.ties;
                self.ties_overflow = sub.ties_overflow;
            }
        }
    }

    /// The whole tree: a short sequential dive for a strong bound to beat, then the subtrees of
    /// a frontier of nodes searched in parallel, each on its own from that bound.
    fn run(&mut self, root_lb: Key) -> Result<(), CostError> {
        let len = self.ord.len();
        // The dive: the best-first depth-first search for a bounded amount of work. It only
        // provides the incumbent; the subtrees below cover the whole tree again.
        let dive_budget = (self.stats.space / 50).clamp(64, 20_000) as u64;
        if self.stats.space > 4 * dive_budget as u128 && self.deadline.is_none_or(|d| Instant::now() < d) {
            let saved_front = self.front.take();
            let mut dive = self.fork();
            dive.budget = Some(dive_budget);
            dive.progress = &|_| {};
            dive.dfs(0, root_lb, [0; MAX_OPS], dive.mirror.is_some())?;
            self.stats.dive_evaluations += dive.stats.evaluated + dive.stats.bound_evaluations;
            if dive.first_error.is_none()
                && let Some(nb) = dive.best
                && self.best.as_ref().is_none_or(|(b, _, _)| lt(nb.0, *b))
            {
                self.best = Some(nb);
            }
            // the subtrees meet every ordering again, the incumbent's included
            self.ties.clear();
            self.ties_overflow = false;
            self.front = saved_front;
        }
        // The frontier: expand level by level until there is enough parallel work.
        // A fixed size, not one per thread: the counts must not depend on the thread count.
        let target = 64;
        let mut frontier: Vec<(Vec<u8>, Key, KnownBoundaries, bool)> =
            vec![(Vec::new(), root_lb, [0; MAX_OPS], self.mirror.is_some())];
        let mut depth = 0;
        while frontier.len() < target && depth + 3 < len && !frontier.is_empty() {
            let mut next = Vec::new();
            for (prefix, lb, fixed, sym) in frontier {
                self.enter(&prefix);
                self.stats.nodes += 1;
                for (child_lb, t, child_fixed, child_sym) in self.children(depth, lb, fixed, sym) {
                    self.left[t] -= 1;
                    if self.prunes(child_lb) {
                        let sub = multinomial(&self.left);
                        self.stats.pruned = self.stats.pruned.saturating_add(sub);
                        self.report(sub);
                    } else {
                        let mut p = prefix.clone();
                        p.push(t as u8);
                        next.push((p, child_lb, child_fixed, child_sym));
                    }
                    self.left[t] += 1;
                }
            }
            frontier = next;
            depth += 1;
        }
        // Tree order, so merging is deterministic; the subtrees in parallel.
        let subs: Vec<Result<Search<'s, 'c, 'a>, CostError>> = frontier
            .par_iter()
            .map(|(prefix, lb, fixed, sym)| {
                let mut sub = self.fork();
                sub.enter(prefix);
                if sub.deadline.is_some_and(|d| Instant::now() >= d) {
                    sub.stopped = true;
                    sub.stop_lb = lb.0;
                } else {
                    sub.dfs(prefix.len(), *lb, *fixed, *sym)?;
                }
                Ok(sub)
            })
            .collect();
        for sub in subs {
            self.absorb(sub?);
        }
        Ok(())
    }
}

/// A child of a node: its bound, loop type, known boundaries and whether its prefix is still
/// its own mirror image.
type Child = (Key, usize, KnownBoundaries, bool);

/// Longest walk in generation order for the first optimal ordering (see
/// [`BoundedObjective::ties_often`]) before falling back to collecting the ties.
const WALK_LIMIT: u64 = 1_000_000;

/// Outcome of [`first_with_key`].
enum Walk {
    /// The first ordering in generation order with the key (evaluation, nest, steps walked).
    Found(Option<Box<(CostEvaluation, LoopNest, u64)>>),
    /// Not within the limit (the steps walked).
    TooLong(u64),
}

/// Walks LOMA's generation order of the full space and returns the first ordering whose key is
/// `key` (the proven optimum, so no earlier ordering is better).
fn first_with_key(s: &Search<'_, '_, '_>, items: &[(u8, u64, u8)], key: Key, limit: u64) -> Result<Walk, CostError> {
    let mut perms = MultisetPermutations::new(items.to_vec());
    let mut buf = Vec::new();
    let mut ord: Vec<Loop> = Vec::with_capacity(items.len());
    let mut ev = Evaluator::new(s.ctx);
    let mut nest = LoopNest::default();
    let mut steps = 0u64;
    while perms.next_into(&mut buf) {
        if steps >= limit || s.deadline.is_some_and(|d| steps.is_multiple_of(1024) && Instant::now() >= d) {
            return Ok(Walk::TooLong(steps));
        }
        steps += 1;
        ord.clear();
        ord.extend(buf.iter().map(|&(_, sz, d)| Loop { dim: d, size: sz as f64 }));
        if s.alloc.allocate_nest_into(&ord, &mut nest).is_err() {
            continue;
        }
        let e = *ev.evaluate(&nest)?;
        if s.obj.key(s.ctx, &nest, &e)? == key {
            return Ok(Walk::Found(Some(Box::new((e, nest, steps)))));
        }
    }
    // the optimum is the key of an ordering of the space, so the walk cannot end here
    Err(CostError::Invariant("the optimal ordering was not met in the generation order".into()))
}

/// Subtrees of at most this many orderings are enumerated without bounds.
const SMALL_SUBTREE: u128 = 24;

/// A set of prefixes (sequences over `0..n`) that tells in a few steps whether a sequence
/// starts with one of them: the tie-break walk asks it once per ordering of the space.
struct PrefixTrie {
    n: usize,
    /// `child[node * n + c]`: the node after `c`, 0 for none (the root is no one's child).
    child: Vec<u32>,
    /// Whether a prefix ends at the node.
    end: Vec<bool>,
}

impl PrefixTrie {
    fn new(n: usize) -> Self {
        PrefixTrie { n, child: vec![0; n], end: vec![false] }
    }

    fn insert(&mut self, seq: impl Iterator<Item = usize>) {
        let mut node = 0usize;
        for c in seq {
            let i = node * self.n + c;
            if self.child[i] == 0 {
                self.child[i] = self.end.len() as u32;
                self.end.push(false);
                self.child.extend(std::iter::repeat_n(0, self.n));
            }
            node = self.child[i] as usize;
        }
        self.end[node] = true;
    }

    fn matches(&self, seq: &[u8]) -> bool {
        let mut node = 0usize;
        for &c in seq {
            if self.end[node] {
                return true;
            }
            match self.child[node * self.n + c as usize] {
                0 => return false,
                next => node = next as usize,
            }
        }
        self.end[node]
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
    let incumbent = loma::search(layer, hw, bind, setup, &[], loma_opts, &|_| {})
        .ok()
        .map(|r| Incumbent { ordering: r.mapping.levels[0].iter().flatten().copied().collect(), front: r.front });
    let front = loma_opts.pareto.then(crate::pareto::ParetoFront::default);
    search_from(
        start,
        layer,
        hw,
        bind,
        setup,
        loma_opts.mapping_type,
        &loma_opts.objective,
        incumbent,
        front,
        opts,
        progress,
    )
}

/// A first ordering to beat (LOMA's best in its smaller space), and the Pareto front LOMA met.
struct Incumbent {
    ordering: Vec<Loop>,
    front: Option<crate::pareto::ParetoFront>,
}

/// LOMA's first-best rule on a [`BoundedObjective`]'s key (for the incumbent search).
struct AsOrderingObjective<'o>(&'o dyn BoundedObjective);

impl loma::OrderingObjective for AsOrderingObjective<'_> {
    type Key = Key;

    fn key(&self, ctx: &EvalContext<'_>, nest: &LoopNest, e: &CostEvaluation) -> Result<Key, CostError> {
        self.0.key(ctx, nest, e)
    }

    fn better(&self, a: &Key, b: &Key) -> bool {
        lt(*a, *b)
    }
}

/// Runs the optimal temporal search for one spatial mapping under any objective with an
/// admissible bound (Stream's per-CN objective, for one). The first incumbent is LOMA's best
/// under the same objective with `incumbent_lpf_limit` loop prime factors.
#[allow(clippy::too_many_arguments)]
pub fn search_with(
    layer: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
    setup: &SpatialSetup,
    mapping_type: MappingType,
    incumbent_lpf_limit: usize,
    obj: &dyn BoundedObjective,
    opts: &OptimalOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<OptimalResult, CostError> {
    let start = Instant::now();
    let ctx = setup.context(layer, hw, bind);
    let alloc = Allocator::new(layer, hw, bind, &setup.frac.levels, mapping_type);
    let found = loma::search_orderings(
        layer,
        setup,
        &ctx,
        &alloc,
        incumbent_lpf_limit,
        &[],
        opts.time_limit.map(|t| start + t),
        &|_| {},
        &AsOrderingObjective(obj),
        Default::default(),
    )?;
    let incumbent =
        found.best.map(|(_, nest, _)| Incumbent { ordering: nest.loops[..nest.len as usize].to_vec(), front: None });
    search_from(start, layer, hw, bind, setup, mapping_type, obj, incumbent, None, opts, progress)
}

/// The search proper, from a first incumbent; the deadline counts from `start`.
#[allow(clippy::too_many_arguments)]
fn search_from(
    start: Instant,
    layer: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
    setup: &SpatialSetup,
    mapping_type: MappingType,
    obj: &dyn BoundedObjective,
    incumbent: Option<Incumbent>,
    front: Option<crate::pareto::ParetoFront>,
    opts: &OptimalOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<OptimalResult, CostError> {
    let ctx = setup.context(layer, hw, bind);
    let alloc = Allocator::new(layer, hw, bind, &setup.frac.levels, mapping_type);
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
        ctx: &ctx,
        obj,
        types,
        all_counts: left.clone(),
        left,
        ord: vec![Loop { dim: 0, size: 1.0 }; len],
        prefix: Vec::with_capacity(len),
        best: None,
        ties: Vec::new(),
        ties_overflow: false,
        path_lb: Vec::new(),
        stats: OptimalStats { space, ..Default::default() },
        deadline: opts.time_limit.map(|t| start + t),
        budget: None,
        stopped: false,
        n_ops: layer.operands.len().min(MAX_OPS),
        collapse: !alloc.top_order_matters(),
        stop_lb: f64::INFINITY,
        first_error: None,
        progress,
        pending_progress: 0,
        front,
        leaf_nest: LoopNest::default(),
        mirror: None,
        value_only: obj.ties_often(),
    };
    s.mirror = if opts.no_mirror { None } else { mirror_of_types(layer, setup, &s.types) };
    // Without an incumbent, the root's bound is only known after a first evaluation.
    let mut root_lb = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    // A first incumbent: LOMA's best ordering, each loop split into its prime factors.
    if let Some(inc) = incumbent {
        if let (Some(f), Some(lf)) = (s.front.as_mut(), inc.front) {
            f.merge(lf);
        }
        let mut seq: Vec<u8> = Vec::with_capacity(len);
        for l in &inc.ordering {
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
                let none = [0; MAX_OPS];
                let b = s.obj.bound(s.ctx, &s.leaf_nest, &none, s.ev.partial_bounds(none));
                if !b.0.is_nan() && !b.1.is_nan() {
                    root_lb = b;
                }
            }
            s.prefix.clear();
            // The tree search meets this ordering again; keep it only as the bound to beat.
            s.ties.clear();
        }
    }
    s.run(root_lb)?;
    if s.value_only && !s.stopped && s.first_error.is_none() {
        let walked = match s.best {
            Some((v, _, _)) => first_with_key(&s, &items, v, opts.walk_limit.unwrap_or(WALK_LIMIT))?,
            None => Walk::Found(None),
        };
        match walked {
            Walk::Found(found) => {
                s.stats.walk_evaluations = found.as_ref().map_or(0, |f| f.2);
                if let Some(f) = found {
                    let (e, n, _) = *f;
                    let key = s.best.map(|b| b.0).unwrap_or((0.0, 0.0));
                    s.best = Some((key, e, n));
                }
                // The walk broke the tie: nothing is left for the tie walk below.
                s.ties.clear();
                s.ties_overflow = false;
            }
            Walk::TooLong(steps) => {
                // Fall back: search again from the proven optimum, collecting every tie.
                let done = s.stats;
                s.stats = OptimalStats {
                    space: done.space,
                    dive_evaluations: done.dive_evaluations + done.evaluated + done.bound_evaluations,
                    walk_evaluations: steps,
                    ..Default::default()
                };
                s.value_only = false;
                s.ties.clear();
                s.ties_overflow = false;
                s.pending_progress = 0;
                s.run(root_lb)?;
            }
        }
    }
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
    // The mirror images of the tied orderings are tied as well.
    if let Some(m) = &s.mirror {
        let n = s.ties.len();
        for k in 0..n {
            let img: Vec<u8> = s.ties[k].iter().map(|&t| m[t as usize]).collect();
            if img != s.ties[k] {
                if s.ties.len() < MAX_TIES {
                    s.ties.push(img);
                } else {
                    s.ties_overflow = true;
                }
            }
        }
    }
    // Tie-break: the first tied ordering in LOMA's generation order.
    s.stats.tie_break_exact = !s.stopped && !s.ties_overflow;
    let class_best = s.ties.len() > 1 || s.ties.first().is_some_and(|t| t.len() < len);
    if class_best && s.stats.tie_break_exact {
        let limit = opts.tie_walk_limit.unwrap_or(2_000_000_000) as u128;
        if space <= limit {
            // Type `t` as the value `n - 1 - t`: the same order as LOMA's items, so the same sequence.
            let n_types = distinct.len();
            let codes: Vec<u8> = items
                .iter()
                .map(|it| (n_types - 1 - distinct.iter().position(|x| x == it).unwrap_or(0)) as u8)
                .collect();
            // A trie of the tied prefixes (a hash set of them when the trie would be large).
            let trie_nodes: usize = s.ties.iter().map(|t| t.len()).sum();
            let mut trie = PrefixTrie::new(n_types);
            let mut set: rustc_hash::FxHashSet<Vec<u8>> = Default::default();
            let mut lengths: Vec<usize> = s.ties.iter().map(|t| t.len()).collect();
            lengths.sort();
            lengths.dedup();
            for t in &s.ties {
                let c = t.iter().map(|&t| (n_types - 1 - t as usize) as u8);
                if trie_nodes <= 4_000_000 {
                    trie.insert(c.map(|v| v as usize));
                } else {
                    set.insert(c.collect());
                }
            }
            let tied = |seq: &[u8]| {
                if trie_nodes <= 4_000_000 {
                    trie.matches(seq)
                } else {
                    lengths.iter().any(|&l| set.contains(&seq[..l]))
                }
            };
            let mut perms = MultisetPermutations::new(codes);
            let mut buf = Vec::new();
            let deadline = s.deadline;
            let mut steps = 0u64;
            while perms.next_into(&mut buf) {
                // the walk honours --time-limit too (then the tie is broken in tree order)
                steps += 1;
                if steps.is_multiple_of(1 << 20) && deadline.is_some_and(|d| Instant::now() >= d) {
                    s.stats.tie_break_exact = false;
                    break;
                }
                if tied(&buf) {
                    let ord: Vec<Loop> = buf.iter().map(|&v| s.types[n_types - 1 - v as usize]).collect();
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
    fn prefix_trie_finds_sequences_starting_with_a_prefix() {
        let mut t = PrefixTrie::new(3);
        t.insert([0usize, 1].into_iter());
        t.insert([2usize, 2, 1].into_iter());
        assert!(t.matches(&[0, 1, 2]));
        assert!(t.matches(&[2, 2, 1]));
        assert!(!t.matches(&[0, 2, 1]));
        assert!(!t.matches(&[2, 2, 0]));
        assert!(!t.matches(&[1, 0, 0]));
        assert!(!t.matches(&[]));
        t.insert(std::iter::empty());
        assert!(t.matches(&[1, 0, 0]));
    }

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
