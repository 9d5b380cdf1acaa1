//! Temporal mappings: the loops allocated to each memory level of each operand, and the
//! quantities derived from them (reference `TemporalMapping`): the stationarity merge-down,
//! cycles per level, total cycles, and the outermost relevant / irrelevant loop products.
//!
//! Every operand's levels are consecutive slices of one loop ordering, so a mapping is
//! stored compactly as a [`LoopNest`]: the ordering plus, per operand, the level boundaries.
//! The merge-down only moves boundaries (the loops keep their order), which makes the
//! analysis allocation-free.

use crate::layer_info::{LayerInfo, in_mask};
use crate::spatial::{LevelLoops, Loop};

/// Maximum number of temporal loops in an ordering.
pub const MAX_LOOPS: usize = 48;
/// Maximum number of memory levels of one operand.
pub const MAX_LEVELS: usize = 6;
/// Maximum number of layer operands (output + two inputs).
pub const MAX_OPS: usize = 3;

/// Temporal loops per operand (layer operand index) per memory level, innermost first.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TemporalMapping {
    /// `levels[op][m]`.
    pub levels: Vec<Vec<LevelLoops>>,
}

/// A temporal mapping as one ordering with per-operand level boundaries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoopNest {
    /// The ordering, innermost first.
    pub loops: [Loop; MAX_LOOPS],
    /// Number of loops.
    pub len: u8,
    /// Number of operands.
    pub n_ops: u8,
    /// Memory levels per operand.
    pub n_levels: [u8; MAX_OPS],
    /// `cuts[op][m]` = index of the first loop of level `m`; `cuts[op][n_levels]` = `len`.
    pub cuts: [[u8; MAX_LEVELS + 1]; MAX_OPS],
}

impl Default for LoopNest {
    fn default() -> Self {
        LoopNest {
            loops: [Loop { dim: 0, size: 1.0 }; MAX_LOOPS],
            len: 0,
            n_ops: 0,
            n_levels: [0; MAX_OPS],
            cuts: [[0; MAX_LEVELS + 1]; MAX_OPS],
        }
    }
}

impl LoopNest {
    /// Loops of level `m` of operand `op`.
    #[inline]
    pub fn level(&self, op: usize, m: usize) -> &[Loop] {
        &self.loops[self.cuts[op][m] as usize..self.cuts[op][m + 1] as usize]
    }

    /// The per-level form.
    pub fn to_mapping(&self) -> TemporalMapping {
        TemporalMapping {
            levels: (0..self.n_ops as usize)
                .map(|op| {
                    (0..self.n_levels[op] as usize).map(|m| self.level(op, m).iter().copied().collect()).collect()
                })
                .collect(),
        }
    }
}

impl TemporalMapping {
    /// The compact form; fails when operands do not share one ordering or sizes exceed the bounds.
    pub fn to_nest(&self) -> Result<LoopNest, String> {
        let n_ops = self.levels.len();
        if n_ops == 0 || n_ops > MAX_OPS {
            return Err(format!("a temporal mapping needs 1 to {MAX_OPS} operands, got {n_ops}"));
        }
        let flat = |op: usize| self.levels[op].iter().flat_map(|l| l.iter().copied());
        let len = flat(0).count();
        if len > MAX_LOOPS {
            return Err(format!("more than {MAX_LOOPS} temporal loops"));
        }
        let mut nest = LoopNest {
            loops: [Loop { dim: 0, size: 1.0 }; MAX_LOOPS],
            len: len as u8,
            n_ops: n_ops as u8,
            n_levels: [0; MAX_OPS],
            cuts: [[0; MAX_LEVELS + 1]; MAX_OPS],
        };
        for (k, l) in flat(0).enumerate() {
            nest.loops[k] = l;
        }
        for op in 0..n_ops {
            if !flat(op).eq(flat(0)) {
                return Err("operands do not share one loop ordering".into());
            }
            let nl = self.levels[op].len();
            if nl > MAX_LEVELS {
                return Err(format!("more than {MAX_LEVELS} memory levels"));
            }
            nest.n_levels[op] = nl as u8;
            let mut c = 0;
            for m in 0..nl {
                nest.cuts[op][m] = c as u8;
                c += self.levels[op][m].len();
            }
            nest.cuts[op][nl] = c as u8;
        }
        Ok(nest)
    }
}

/// Derived temporal quantities of one operand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OperandTemporal {
    /// Level boundaries after the stationarity merge-down.
    pub cuts: [u8; MAX_LEVELS + 1],
    /// Number of memory levels.
    pub n_levels: usize,
    /// Number of irrelevant loops at the bottom of level 0 (MAC-level stationarity).
    pub mac_loops: u8,
    /// Product of those loops.
    pub mac_stationary: f64,
    /// Cycles of the current and lower levels, per memory level.
    pub cycles_cabl: [f64; MAX_LEVELS],
    /// Outermost consecutive relevant-loop product per architectural level (entry 0 = 1).
    pub top_r: [f64; MAX_LEVELS + 1],
    /// Outermost consecutive irrelevant-loop product per architectural level (entry 0 = 1).
    pub top_ir: [f64; MAX_LEVELS + 1],
}

/// Temporal analysis of a loop nest (the nest itself is passed alongside where loops are needed).
#[derive(Clone, Debug, PartialEq)]
pub struct TemporalAnalysis {
    /// Per operand.
    pub operands: [OperandTemporal; MAX_OPS],
    /// Total temporal cycles (identical for all operands).
    pub total_cycles: f64,
    /// `suffix[k]`: product of the loop sizes from loop `k` to the outermost one
    /// (`suffix[len]` = 1). Every size is an integer, so for totals below 2^53 this equals
    /// `total_cycles // (product of loops below k)`, the reference's period count.
    pub suffix: [f64; MAX_LOOPS + 1],
}

impl TemporalAnalysis {
    /// Stationary loops of level `m` of operand `op` of the analysed `nest`.
    #[inline]
    pub fn stationary<'n>(&self, nest: &'n LoopNest, op: usize, m: usize) -> &'n [Loop] {
        let c = &self.operands[op].cuts;
        &nest.loops[c[m] as usize..c[m + 1] as usize]
    }

    /// Analyses a loop nest. Fails when an operand's levels do not cover the whole ordering.
    pub fn new(layer: &LayerInfo, nest: &LoopNest) -> Result<Self, String> {
        Self::check(nest)?;
        let mut ta = Self::empty();
        ta.analyse(layer, nest);
        Ok(ta)
    }

    /// Nothing analysed yet: the starting point of [`Self::analyse`].
    pub fn empty() -> Self {
        let empty = OperandTemporal {
            cuts: [0; MAX_LEVELS + 1],
            n_levels: 0,
            mac_loops: 0,
            mac_stationary: 1.0,
            cycles_cabl: [1.0; MAX_LEVELS],
            top_r: [1.0; MAX_LEVELS + 1],
            top_ir: [1.0; MAX_LEVELS + 1],
        };
        TemporalAnalysis { operands: [empty; MAX_OPS], total_cycles: 1.0, suffix: [1.0; MAX_LOOPS + 1] }
    }

    /// Checks that every operand's levels cover the whole ordering (what [`Self::analyse`] assumes).
    #[inline]
    pub fn check(nest: &LoopNest) -> Result<(), String> {
        for op in 0..(nest.n_ops as usize).min(MAX_OPS) {
            let n = nest.n_levels[op] as usize;
            if n > MAX_LEVELS || (n > 0 && nest.cuts[op][n] != nest.len) {
                return Err(format!(
                    "temporal mapping of operand {op} does not cover the {} loops of the ordering in at most {MAX_LEVELS} levels",
                    nest.len
                ));
            }
        }
        Ok(())
    }

    /// Analyses a loop nest that passed [`Self::check`], in place: every value of the nest's
    /// operands and levels is overwritten (an earlier analysis may be reused).
    pub fn analyse(&mut self, layer: &LayerInfo, nest: &LoopNest) {
        let len = nest.len as usize;
        let loops = &nest.loops[..len];
        let ta = self;
        // Prefix and suffix products of the ordering, shared by every operand (exact integers).
        let mut prefix = [1.0; MAX_LOOPS + 1];
        for k in 0..len {
            prefix[k + 1] = prefix[k] * loops[k].size;
        }
        ta.suffix[len] = 1.0;
        for k in (0..len).rev() {
            ta.suffix[k] = ta.suffix[k + 1] * loops[k].size;
        }
        ta.total_cycles = prefix[len];
        for (op, o) in layer.operands.iter().enumerate().take(nest.n_ops as usize) {
            let is_ir = |k: usize| in_mask(o.ir_mask, loops[k].dim);
            let n = nest.n_levels[op] as usize;
            let t = &mut ta.operands[op];
            t.n_levels = n;
            t.cuts = nest.cuts[op];
            t.top_r[0] = 1.0;
            t.top_ir[0] = 1.0;
            // Merge-down: each boundary moves past the irrelevant loops that start its level,
            // bounded by the (final) boundary above it.
            for m in (1..n).rev() {
                let bound = t.cuts[m + 1] as usize;
                let mut c = t.cuts[m] as usize;
                while c < bound && is_ir(c) {
                    c += 1;
                }
                t.cuts[m] = c as u8;
            }
            let mut k = 0;
            let end0 = if n > 0 { t.cuts[1] as usize } else { 0 };
            while k < end0 && is_ir(k) {
                k += 1;
            }
            t.mac_loops = k as u8;
            t.mac_stationary = prefix[k];
            for m in 0..n {
                let (a, b) = (t.cuts[m] as usize, t.cuts[m + 1] as usize);
                t.cycles_cabl[m] = prefix[b];
                let level = &loops[a..b];
                let mut top_r = 1.0;
                for l in level.iter().rev() {
                    if !in_mask(o.r_mask, l.dim) {
                        break;
                    }
                    top_r *= l.size;
                }
                t.top_r[m + 1] = top_r;
                let mut top_ir = 1.0;
                for l in level.iter().rev() {
                    if !in_mask(o.ir_mask, l.dim) {
                        break;
                    }
                    top_ir *= l.size;
                }
                t.top_ir[m + 1] = top_ir;
            }
        }
    }
}

/// The temporal mapping after the stationarity merge-down (what ZigZag reports and prints).
pub fn stationary_levels(layer: &LayerInfo, tm: &TemporalMapping) -> Vec<Vec<LevelLoops>> {
    let Ok(nest) = tm.to_nest() else { return tm.levels.clone() };
    let Ok(ta) = TemporalAnalysis::new(layer, &nest) else { return tm.levels.clone() };
    (0..nest.n_ops as usize)
        .map(|op| {
            (0..nest.n_levels[op] as usize).map(|m| ta.stationary(&nest, op, m).iter().copied().collect()).collect()
        })
        .collect()
}
