//! Memory allocation of a loop ordering (reference LOMA `MemoryAllocator`): walking the
//! memories bottom-up, each memory takes the prefix of the remaining loops of each of its
//! operands that fits and minimises the bits fetched from the level above.

use crate::error::CostError;
use crate::hierarchy::HierarchyInfo;
use crate::layer_info::LayerInfo;
use crate::spatial::{LevelLoops, Loop, OperandBinding};
use crate::temporal::{LoopNest, MAX_LEVELS, MAX_LOOPS, MAX_OPS, TemporalMapping};
use smallvec::SmallVec;
use zz_ir::accelerator::MemOperand;

/// Even or uneven temporal mappings (reference `TemporalMappingType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum MappingType {
    /// Operands may cut the ordering at different places in a shared memory (default).
    #[default]
    Uneven,
    /// Operands sharing a memory cut the ordering at the same place.
    Even,
}

impl std::str::FromStr for MappingType {
    type Err = zz_ir::choice::UnknownChoice;

    /// `uneven` or `even`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "uneven" => Ok(MappingType::Uneven),
            "even" => Ok(MappingType::Even),
            _ => Err(zz_ir::choice::UnknownChoice::new(s, &["even", "uneven"])),
        }
    }
}

/// Why an ordering could not be allocated (the search skips such orderings).
#[derive(Clone, Debug, PartialEq)]
pub enum AllocationFailure {
    /// Even the loops already allocated below do not fit in this memory.
    MemoryTooSmall(String),
    /// The top memory of an operand cannot hold all remaining loops.
    HierarchyTooSmall(String),
}

impl From<AllocationFailure> for CostError {
    fn from(f: AllocationFailure) -> Self {
        match f {
            AllocationFailure::MemoryTooSmall(m) => {
                CostError::MemoryTooSmall { memory: m, message: "cannot hold the loops allocated below it".into() }
            }
            AllocationFailure::HierarchyTooSmall(m) => CostError::MemoryTooSmall {
                memory: m,
                message: "top memory of an operand cannot hold all remaining loops".into(),
            },
        }
    }
}

/// Reusable allocator state for one (layer, spatial mapping) pair.
pub struct Allocator<'a> {
    layer: &'a LayerInfo,
    hw: &'a HierarchyInfo,
    spatial: &'a [Vec<LevelLoops>],
    mapping_type: MappingType,
    /// The memories holding linked operands, bottom-up, resolved once.
    memories: Vec<MemoryPlan>,
    /// `spatial_ir_from[a]`: some output-irrelevant spatial loop sits at architectural level `a` or above.
    spatial_ir_from: SmallVec<[bool; 8]>,
}

/// One memory as the allocator sees it.
struct MemoryPlan {
    /// Index into `HierarchyInfo::memories` (for its name in errors).
    index: usize,
    /// Layer operands stored, in the memory's operand order.
    ops: SmallVec<[usize; 3]>,
    /// Whether this memory is the top level of each of those operands.
    is_top: SmallVec<[bool; 3]>,
    /// Capacity, bits.
    cap: f64,
    /// Double buffering forced.
    db: bool,
}

/// Most loops one memory can consider for an operand (all remaining loops, plus "none").
const MAX_CANDIDATES: usize = MAX_LOOPS + 1;

/// Advances `cur` to the next combination of candidate indices, the last operand's fastest
/// (the reference's enumeration order); false after the last one.
fn next_combination(cur: &mut [usize], radix: &[usize]) -> bool {
    for k in (0..cur.len()).rev() {
        cur[k] += 1;
        if cur[k] < radix[k] {
            return true;
        }
        cur[k] = 0;
    }
    false
}

impl<'a> Allocator<'a> {
    /// Creates an allocator; `spatial` is the fractional spatial mapping per operand per architectural level.
    pub fn new(
        layer: &'a LayerInfo,
        hw: &'a HierarchyInfo,
        bind: &'a OperandBinding,
        spatial: &'a [Vec<LevelLoops>],
        mapping_type: MappingType,
    ) -> Self {
        let top_of = |mo: MemOperand| *hw.levels[mo.index()].last().unwrap_or(&usize::MAX);
        let memories = hw
            .memories
            .iter()
            .enumerate()
            .filter_map(|(index, node)| {
                let ops: SmallVec<[usize; 3]> =
                    node.operands.iter().filter_map(|mo| bind.layer_op_of[mo.index()].map(|x| x as usize)).collect();
                let is_top = ops.iter().map(|&x| top_of(bind.mem_op[x]) == index).collect();
                (!ops.is_empty()).then_some(MemoryPlan {
                    index,
                    ops,
                    is_top,
                    cap: node.size,
                    db: node.force_double_buffering,
                })
            })
            .collect();
        let ir = layer.operands.first().map(|o| o.ir_mask).unwrap_or(0);
        let out_levels: &[LevelLoops] = spatial.first().map(|v| v.as_slice()).unwrap_or(&[]);
        let mut spatial_ir_from: SmallVec<[bool; 8]> = SmallVec::from_elem(false, out_levels.len() + 1);
        for a in (0..out_levels.len()).rev() {
            spatial_ir_from[a] = spatial_ir_from[a + 1] || out_levels[a].iter().any(|l| ir & (1u128 << l.dim) != 0);
        }
        Allocator { layer, hw, spatial, mapping_type, memories, spatial_ir_from }
    }

    /// Whether the order of the loops inside every operand's top level can change a cost:
    /// true when some memory is the top level of one operand and a lower level of another
    /// (the top level's stationarity then feeds the other's double-buffering decision) or a
    /// top level is force-double-buffered (its candidate sizes, hence the feasibility, depend
    /// on the order).
    pub fn top_order_matters(&self) -> bool {
        self.memories.iter().any(|m| {
            let tops = m.is_top.iter().filter(|&&t| t).count();
            tops > 0 && (tops < m.is_top.len() || m.db)
        })
    }

    /// Allocates an ordering (innermost loop first).
    pub fn allocate(&self, ordering: &[Loop]) -> Result<TemporalMapping, AllocationFailure> {
        self.allocate_nest(ordering).map(|n| n.to_mapping())
    }

    /// Allocates an ordering into the compact [`LoopNest`] form (no heap allocation).
    pub fn allocate_nest(&self, ordering: &[Loop]) -> Result<LoopNest, AllocationFailure> {
        let mut det = [0u8; MAX_OPS];
        let mut nest = LoopNest::default();
        self.allocate_tracked(ordering, ordering.len(), &mut det, &mut nest)?;
        Ok(nest)
    }

    /// [`Self::allocate_nest`] into a caller's nest (no copy of the result: searches call
    /// this once per ordering).
    pub fn allocate_nest_into(&self, ordering: &[Loop], nest: &mut LoopNest) -> Result<(), AllocationFailure> {
        let mut det = [0u8; MAX_OPS];
        self.allocate_tracked(ordering, ordering.len(), &mut det, nest)
    }

    /// [`Self::allocate_nest`], also telling which decisions only depend on the first `horizon`
    /// loops of `ordering` (and on the multiset of all its loops): `determined[op]` is the number
    /// of the operand's lowest memory levels (non-top ones) whose upper cut is the same for every
    /// ordering that starts with `ordering[..horizon]` and can be allocated. A non-top memory's
    /// choice is determined when each of its operands' candidate lists ends (capacity exceeded)
    /// within the horizon and the operands' lower cuts are determined; the top memory of an
    /// operand always takes every remaining loop.
    pub fn allocate_nest_horizon(
        &self,
        ordering: &[Loop],
        horizon: usize,
    ) -> Result<(LoopNest, [u8; MAX_OPS]), AllocationFailure> {
        let mut det = [0u8; MAX_OPS];
        let mut nest = LoopNest::default();
        self.allocate_tracked(ordering, horizon.min(ordering.len()), &mut det, &mut nest)?;
        Ok((nest, det))
    }

    fn allocate_tracked(
        &self,
        ordering: &[Loop],
        horizon: usize,
        det: &mut [u8; MAX_OPS],
        nest: &mut LoopNest,
    ) -> Result<(), AllocationFailure> {
        if ordering.len() > MAX_LOOPS || self.layer.operands.len() > MAX_OPS {
            return Err(AllocationFailure::MemoryTooSmall(format!(
                "(ordering of {} loops exceeds the supported {MAX_LOOPS})",
                ordering.len()
            )));
        }
        // a reused nest: the loops past the new length go back to their default
        let prev = (nest.len as usize).min(MAX_LOOPS);
        if prev > ordering.len() {
            nest.loops[ordering.len()..prev].fill(Loop { dim: 0, size: 1.0 });
        }
        nest.len = ordering.len() as u8;
        nest.n_ops = self.layer.operands.len() as u8;
        nest.n_levels = [0; MAX_OPS];
        nest.cuts = [[0; MAX_LEVELS + 1]; MAX_OPS];
        nest.loops[..ordering.len()].copy_from_slice(ordering);
        let layer = self.layer;
        let n_ops = layer.operands.len();
        let n_loop = layer.n_loop().max(1);
        let len = ordering.len();
        // suffix[j]: product of the loop sizes from j to the end (exact integers).
        let mut suffix = [1.0; MAX_LOOPS + 1];
        for j in (0..len).rev() {
            suffix[j] = ordering[j].size * suffix[j + 1];
        }
        // Whether some output-irrelevant loop remains at position j or above.
        let out_ir = layer.operands[0].ir_mask;
        let mut ir_left = [false; MAX_LOOPS + 1];
        for j in (0..len).rev() {
            ir_left[j] = ir_left[j + 1] || out_ir & (1u128 << ordering[j].dim) != 0;
        }
        // Per layer operand: accumulated sizes of allocated loops per loop dim, number of
        // allocated temporal loops, current architectural level.
        let mut acc = [[1.0; 32]; MAX_OPS];
        let mut n_alloc = [0usize; MAX_OPS];
        let mut level = [1usize; MAX_OPS];
        for (a, sp) in acc.iter_mut().zip(self.spatial).take(n_ops) {
            for lp in &sp[0] {
                a[lp.dim as usize] *= lp.size;
            }
        }
        // Candidate sizes and accesses per operand of the current memory.
        let mut sizes = [[0.0; MAX_CANDIDATES]; MAX_OPS];
        let mut accesses = [[0.0; MAX_CANDIDATES]; MAX_OPS];
        let mut radix = [0usize; MAX_OPS];
        let mut offset = [0usize; MAX_OPS];
        // Whether each operand's allocation so far is determined by the horizon.
        let mut known = [true; MAX_OPS];
        for mem in &self.memories {
            let mut decided = mem.ops.iter().all(|&x| known[x]);
            let too_small = || AllocationFailure::MemoryTooSmall(self.hw.memories[mem.index].name.clone());
            let (cap, db) = (mem.cap, mem.db);
            let n_mem_ops = mem.ops.len();
            for (k, &x) in mem.ops.iter().enumerate() {
                let rest = &ordering[n_alloc[x]..];
                let prec = if x == 0 {
                    let spatial_left = self.spatial_ir_from.get(level[0]).copied().unwrap_or(false);
                    if spatial_left || ir_left[n_alloc[x]] {
                        layer.operands[0].precision
                    } else {
                        layer.final_precision
                    }
                } else {
                    layer.operands[x].precision
                } as f64;
                // copies of the used dims only (whole 32-dim arrays cost more than the rest)
                let mut a = [1.0f64; 32];
                a[..n_loop].copy_from_slice(&acc[x][..n_loop]);
                let all_size = if db {
                    let mut b = [1.0f64; 32];
                    b[..n_loop].copy_from_slice(&a[..n_loop]);
                    for l in rest {
                        b[l.dim as usize] *= l.size;
                    }
                    layer.tensor_size_elems(x, &b[..n_loop]) * prec
                } else {
                    0.0
                };
                let mut n = 0;
                for i in 0..=rest.len() {
                    if i > 0 {
                        a[rest[i - 1].dim as usize] *= rest[i - 1].size;
                    }
                    let mut size = layer.tensor_size_elems(x, &a[..n_loop]) * prec;
                    if db && i < rest.len() && size < all_size {
                        size *= 2.0;
                    }
                    if size > cap {
                        if i == 0 {
                            return Err(too_small());
                        }
                        // The candidate list ends at a loop inside the horizon.
                        if n_alloc[x] + i > horizon && !mem.is_top[k] {
                            decided = false;
                        }
                        break;
                    }
                    sizes[k][n] = size;
                    n += 1;
                }
                // Every remaining loop fits: the list is only complete if the horizon covers them all
                // (a top memory takes them all anyway).
                // One exception: a memory of one operand without double buffering whose data
                // are plain products of loop sizes (no derived dims) takes every remaining loop,
                // whatever their order: the sizes grow with each loop, so nothing overflows, and
                // taking all costs `size(all)`, never more than `suffix · size(prefix)`.
                let takes_all = n_mem_ops == 1 && !db && !layer.operands[x].has_pr;
                if n == rest.len() + 1 && len > horizon && !mem.is_top[k] && !takes_all {
                    decided = false;
                }
                // The top memory of an operand takes every remaining loop (the largest candidate).
                if mem.is_top[k] {
                    offset[k] = n - 1;
                    sizes[k][0] = sizes[k][n - 1];
                    accesses[k][0] = 0.0;
                    radix[k] = 1;
                } else {
                    offset[k] = 0;
                    let start = n_alloc[x];
                    for i in 0..n {
                        accesses[k][i] = suffix[start + i] * sizes[k][i];
                    }
                    radix[k] = n;
                }
            }
            // Best combination: the fewest accesses, the last of equals in enumeration order
            // (the last operand's candidate varies fastest).
            // The best is kept as its number in the enumeration and decoded after the loop
            // (copying index arrays in the loop costs more than the loop itself).
            let mut best_comb: Option<usize> = None;
            let mut best_acc = f64::INFINITY;
            let mut cur = [0usize; MAX_OPS];
            let mut comb = 0usize;
            loop {
                let mut size_comb = 0.0;
                let mut acc_comb = 0.0;
                for k in 0..n_mem_ops {
                    size_comb += sizes[k][cur[k]];
                    acc_comb += accesses[k][cur[k]];
                }
                if size_comb > cap {
                    if comb == 0 {
                        return Err(too_small());
                    }
                    // Without double buffering every operand's candidates only grow: the rest of
                    // the last operand's candidates overflow too.
                    if !db && n_mem_ops >= 2 {
                        let l = n_mem_ops - 1;
                        comb += radix[l] - 1 - cur[l];
                        cur[l] = radix[l] - 1;
                    }
                } else {
                    let mut idx = [0usize; MAX_OPS];
                    for k in 0..n_mem_ops {
                        idx[k] = cur[k] + offset[k];
                    }
                    if acc_comb <= best_acc && self.even_ok(&mem.ops, &idx[..n_mem_ops], &n_alloc, ordering) {
                        best_acc = acc_comb;
                        best_comb = Some(comb);
                    }
                }
                comb += 1;
                if !next_combination(&mut cur[..n_mem_ops], &radix[..n_mem_ops]) {
                    break;
                }
            }
            // Mixed radix, the last operand fastest; no admissible combination takes nothing.
            let mut best = [0usize; MAX_OPS];
            if let Some(mut c) = best_comb {
                for k in (0..n_mem_ops).rev() {
                    best[k] = c % radix[k] + offset[k];
                    c /= radix[k];
                }
            }
            for (k, &x) in mem.ops.iter().enumerate() {
                let take = best[k];
                let start = n_alloc[x];
                let end = (start + take).min(len);
                for l in &ordering[start..end] {
                    acc[x][l.dim as usize] *= l.size;
                }
                n_alloc[x] = end;
                let lvl = nest.n_levels[x] as usize;
                if lvl >= MAX_LEVELS {
                    return Err(AllocationFailure::HierarchyTooSmall(format!("(more than {MAX_LEVELS} levels)")));
                }
                nest.cuts[x][lvl] = start as u8;
                nest.cuts[x][lvl + 1] = end as u8;
                nest.n_levels[x] += 1;
                if let Some(sp) = self.spatial[x].get(level[x]) {
                    for l in sp {
                        acc[x][l.dim as usize] *= l.size;
                    }
                }
                if mem.is_top[k] && n_alloc[x] < len {
                    return Err(AllocationFailure::HierarchyTooSmall(self.hw.memories[mem.index].name.clone()));
                }
                if decided && !mem.is_top[k] {
                    det[x] += 1;
                }
                known[x] = decided;
                level[x] += 1;
            }
        }
        Ok(())
    }

    /// The even-mapping rule: a loop position allocated now for one operand must not be left
    /// unallocated for another operand of the same memory.
    fn even_ok(&self, ops: &[usize], idx: &[usize], n_alloc: &[usize], ordering: &[Loop]) -> bool {
        if self.mapping_type == MappingType::Uneven {
            return true;
        }
        let mut from = [0usize; MAX_OPS];
        for (k, &x) in ops.iter().enumerate() {
            from[k] = n_alloc[x];
        }
        even_positions_ok(&from[..ops.len()], idx, ordering.len())
    }
}

/// The even-mapping rule on positions: operand `k` takes `from[k]..from[k] + idx[k]` (clipped to
/// `len`). The reference compares (global position, loop) pairs: a position taken now by one
/// operand must not lie at or above the first position another operand leaves unallocated (its
/// own end). So every non-empty allocation ends at or below every operand's end.
fn even_positions_ok(from: &[usize], idx: &[usize], len: usize) -> bool {
    let end = |k: usize| (from[k] + idx[k]).min(len);
    let min_end = (0..from.len()).map(end).min().unwrap_or(len);
    (0..from.len()).all(|k| end(k) <= from[k].min(len) || end(k) <= min_end)
}

#[cfg(test)]
mod tests {
    use super::even_positions_ok;

    /// The rule position by position, as the reference states it.
    fn pairwise(from: &[usize], idx: &[usize], len: usize) -> bool {
        for k in 0..from.len() {
            for pos in from[k]..(from[k] + idx[k]).min(len) {
                for k2 in 0..from.len() {
                    if pos >= (from[k2] + idx[k2]).min(len) && pos < len {
                        return false;
                    }
                }
            }
        }
        true
    }

    #[test]
    fn even_rule_matches_the_position_by_position_check() {
        let len = 5;
        let mut n = 0;
        for f0 in 0..=len {
            for f1 in 0..=len {
                for f2 in 0..=len {
                    for i0 in 0..=len + 1 {
                        for i1 in 0..=len + 1 {
                            for i2 in 0..=2 {
                                let (from, idx) = ([f0, f1, f2], [i0, i1, i2]);
                                for m in 1..=3 {
                                    assert_eq!(
                                        even_positions_ok(&from[..m], &idx[..m], len),
                                        pairwise(&from[..m], &idx[..m], len),
                                        "from {:?} idx {:?}",
                                        &from[..m],
                                        &idx[..m]
                                    );
                                    n += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(n > 10_000);
    }
}
