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
pub enum MappingType {
    /// Operands may cut the ordering at different places in a shared memory (default).
    #[default]
    Uneven,
    /// Operands sharing a memory cut the ordering at the same place.
    Even,
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
    bind: &'a OperandBinding,
    spatial: &'a [Vec<LevelLoops>],
    mapping_type: MappingType,
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
        Allocator { layer, hw, bind, spatial, mapping_type }
    }

    /// Allocates an ordering (innermost loop first).
    pub fn allocate(&self, ordering: &[Loop]) -> Result<TemporalMapping, AllocationFailure> {
        self.allocate_nest(ordering).map(|n| n.to_mapping())
    }

    /// Allocates an ordering into the compact [`LoopNest`] form (no heap allocation).
    pub fn allocate_nest(&self, ordering: &[Loop]) -> Result<LoopNest, AllocationFailure> {
        if ordering.len() > MAX_LOOPS || self.layer.operands.len() > MAX_OPS {
            return Err(AllocationFailure::MemoryTooSmall(format!(
                "(ordering of {} loops exceeds the supported {MAX_LOOPS})",
                ordering.len()
            )));
        }
        let mut nest = LoopNest {
            loops: [Loop { dim: 0, size: 1.0 }; MAX_LOOPS],
            len: ordering.len() as u8,
            n_ops: self.layer.operands.len() as u8,
            n_levels: [0; MAX_OPS],
            cuts: [[0; MAX_LEVELS + 1]; MAX_OPS],
        };
        nest.loops[..ordering.len()].copy_from_slice(ordering);
        let layer = self.layer;
        let n_ops = layer.operands.len();
        let n_loop = layer.n_loop();
        // Per memory operand (by layer operand index): accumulated sizes of allocated loops per loop dim,
        // number of allocated temporal loops, current architectural level.
        let mut acc: SmallVec<[[f64; 32]; 3]> = SmallVec::from_elem([1.0; 32], n_ops);
        let mut n_alloc: SmallVec<[usize; 3]> = SmallVec::from_elem(0, n_ops);
        let mut level: SmallVec<[usize; 3]> = SmallVec::from_elem(1, n_ops);
        for x in 0..n_ops {
            for lp in &self.spatial[x][0] {
                acc[x][lp.dim as usize] *= lp.size;
            }
        }
        let top_of = |mo: MemOperand| *self.hw.levels[mo.index()].last().unwrap_or(&usize::MAX);
        for (mi, node) in self.hw.memories.iter().enumerate() {
            let ops: SmallVec<[usize; 3]> =
                node.operands.iter().filter_map(|mo| self.bind.layer_op_of[mo.index()].map(|x| x as usize)).collect();
            if ops.is_empty() {
                continue;
            }
            let cap = node.size;
            let db = node.force_double_buffering;
            // size slices per operand
            let mut sizes: SmallVec<[SmallVec<[f64; 12]>; 3]> = SmallVec::new();
            for &x in &ops {
                let rest = &ordering[n_alloc[x]..];
                let prec = if x == 0 {
                    let ir = layer.operands[0].ir_mask;
                    let spatial_left =
                        self.spatial[0][level[0]..].iter().flat_map(|l| l.iter()).any(|l| ir & (1u128 << l.dim) != 0);
                    let temporal_left = rest.iter().any(|l| ir & (1u128 << l.dim) != 0);
                    if spatial_left || temporal_left { layer.operands[0].precision } else { layer.final_precision }
                } else {
                    layer.operands[x].precision
                } as f64;
                let mut a = acc[x];
                let all_size = if db {
                    let mut b = a;
                    for l in rest {
                        b[l.dim as usize] *= l.size;
                    }
                    layer.tensor_size_elems(x, &b[..n_loop.max(1)]) * prec
                } else {
                    0.0
                };
                let mut list: SmallVec<[f64; 12]> = SmallVec::new();
                for i in 0..=rest.len() {
                    if i > 0 {
                        a[rest[i - 1].dim as usize] *= rest[i - 1].size;
                    }
                    let mut size = layer.tensor_size_elems(x, &a[..n_loop.max(1)]) * prec;
                    if db && i < rest.len() && size < all_size {
                        size *= 2.0;
                    }
                    if size <= cap {
                        list.push(size);
                    } else {
                        if i == 0 {
                            return Err(AllocationFailure::MemoryTooSmall(node.name.clone()));
                        }
                        break;
                    }
                }
                sizes.push(list);
            }
            // best combination
            let mut offset: SmallVec<[usize; 3]> = SmallVec::from_elem(0, ops.len());
            let mut accesses: SmallVec<[SmallVec<[f64; 12]>; 3]> = SmallVec::new();
            for (k, &x) in ops.iter().enumerate() {
                let is_top = top_of(self.bind.mem_op[x]) == mi;
                if is_top {
                    offset[k] = sizes[k].len() - 1;
                    let last = *sizes[k].last().unwrap_or(&0.0);
                    sizes[k].clear();
                    sizes[k].push(last);
                }
                let rest = &ordering[n_alloc[x]..];
                let mut av = SmallVec::new();
                for (i, &s) in sizes[k].iter().enumerate() {
                    if is_top {
                        av.push(0.0);
                    } else {
                        let mut it = 1.0;
                        for l in &rest[i + offset[k]..] {
                            it *= l.size;
                        }
                        av.push(it * s);
                    }
                }
                accesses.push(av);
            }
            let radix: SmallVec<[usize; 3]> = sizes.iter().map(|s| s.len()).collect();
            let n_comb: usize = radix.iter().product();
            let mut best: SmallVec<[usize; 3]> = SmallVec::from_elem(0, ops.len());
            let mut best_acc = f64::INFINITY;
            let mut cur: SmallVec<[usize; 3]> = SmallVec::from_elem(0, ops.len());
            for c in 0..n_comb {
                let mut size_comb = 0.0;
                let mut acc_comb = 0.0;
                let mut rem = c;
                for k in (0..ops.len()).rev() {
                    let i = rem % radix[k];
                    rem /= radix[k];
                    cur[k] = i;
                }
                for k in 0..ops.len() {
                    size_comb += sizes[k][cur[k]];
                    acc_comb += accesses[k][cur[k]];
                }
                if size_comb > cap {
                    if c == 0 {
                        return Err(AllocationFailure::MemoryTooSmall(node.name.clone()));
                    }
                    continue;
                }
                let idx: SmallVec<[usize; 3]> = (0..ops.len()).map(|k| cur[k] + offset[k]).collect();
                if acc_comb <= best_acc && self.even_ok(&ops, &idx, &n_alloc, ordering) {
                    best_acc = acc_comb;
                    best = idx;
                }
            }
            for (k, &x) in ops.iter().enumerate() {
                let take = best[k];
                let start = n_alloc[x];
                let end = (start + take).min(ordering.len());
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
                if top_of(self.bind.mem_op[x]) == mi && n_alloc[x] < ordering.len() {
                    return Err(AllocationFailure::HierarchyTooSmall(node.name.clone()));
                }
                level[x] += 1;
            }
        }
        Ok(nest)
    }

    /// The even-mapping rule: a loop position allocated now for one operand must not be left
    /// unallocated for another operand of the same memory.
    fn even_ok(&self, ops: &[usize], idx: &[usize], n_alloc: &[usize], ordering: &[Loop]) -> bool {
        if self.mapping_type == MappingType::Uneven {
            return true;
        }
        // reference compares (global position, loop) pairs; positions are global ordering indices here.
        for (k, &x) in ops.iter().enumerate() {
            let from = n_alloc[x];
            let to = (from + idx[k]).min(ordering.len());
            for pos in from..to {
                for (k2, &x2) in ops.iter().enumerate() {
                    let from2 = (n_alloc[x2] + idx[k2]).min(ordering.len());
                    if pos >= from2 && pos < ordering.len() {
                        return false;
                    }
                }
            }
        }
        true
    }
}
