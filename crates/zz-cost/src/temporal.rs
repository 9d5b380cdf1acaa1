//! Temporal mappings: the loops allocated to each memory level of each operand, and the
//! quantities derived from them (reference `TemporalMapping`): the stationarity merge-down,
//! cycles per level, total cycles, and the outermost relevant / irrelevant loop products.

use crate::layer_info::LayerInfo;
use crate::spatial::{LevelLoops, Loop};
use smallvec::SmallVec;

/// Temporal loops per operand (layer operand index) per memory level, innermost first.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TemporalMapping {
    /// `levels[op][m]`.
    pub levels: Vec<Vec<LevelLoops>>,
}

/// Derived temporal quantities of one operand.
#[derive(Clone, Debug, PartialEq)]
pub struct OperandTemporal {
    /// Loops per memory level after the stationarity merge-down.
    pub stationary: SmallVec<[LevelLoops; 4]>,
    /// Product of the irrelevant loops at the bottom of level 0 (MAC-level stationarity).
    pub mac_stationary: f64,
    /// Cycles of the current and lower levels, per memory level.
    pub cycles_cabl: SmallVec<[f64; 4]>,
    /// Outermost consecutive relevant-loop product per architectural level (entry 0 = 1).
    pub top_r: SmallVec<[f64; 5]>,
    /// Outermost consecutive irrelevant-loop product per architectural level (entry 0 = 1).
    pub top_ir: SmallVec<[f64; 5]>,
}

/// Temporal analysis of a temporal mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct TemporalAnalysis {
    /// Per operand.
    pub operands: SmallVec<[OperandTemporal; 3]>,
    /// Total temporal cycles (identical for all operands).
    pub total_cycles: f64,
}

/// Moves, for every level, the leading irrelevant loops down into the level below, to a fixed point.
fn merge_down(layer: &LayerInfo, op: usize, levels: &[LevelLoops]) -> (SmallVec<[LevelLoops; 4]>, f64) {
    let ir = layer.operands[op].ir_mask;
    let is_ir = |l: &Loop| ir & (1u128 << l.dim) != 0;
    let mut cur: SmallVec<[LevelLoops; 4]> = levels.iter().cloned().collect();
    loop {
        let mut new: SmallVec<[LevelLoops; 4]> = (0..cur.len()).map(|_| LevelLoops::new()).collect();
        let mut mac = 1.0;
        for (lv, loops) in cur.iter().enumerate() {
            let k = loops.iter().take_while(|l| is_ir(l)).count();
            for l in &loops[..k] {
                if lv == 0 {
                    mac *= l.size;
                    new[0].push(*l);
                } else {
                    new[lv - 1].push(*l);
                }
            }
            new[lv].extend(loops[k..].iter().copied());
        }
        if new == cur {
            return (cur, mac);
        }
        cur = new;
    }
}

impl TemporalAnalysis {
    /// Analyses a temporal mapping. Fails when operands disagree on the total cycle count.
    pub fn new(layer: &LayerInfo, tm: &TemporalMapping) -> Result<Self, String> {
        let mut operands: SmallVec<[OperandTemporal; 3]> = SmallVec::new();
        for (op, levels) in tm.levels.iter().enumerate() {
            let (stationary, mac_stationary) = merge_down(layer, op, levels);
            let mut cycles_cabl = SmallVec::new();
            let mut acc = 1.0;
            let mut its: SmallVec<[f64; 4]> = SmallVec::new();
            for l in &stationary {
                let mut it = 1.0;
                for lp in l {
                    it *= lp.size;
                }
                its.push(it);
            }
            for m in 0..stationary.len() {
                // prod(it[..=m]) computed afresh, as the reference does.
                acc = 1.0;
                for v in &its[..=m] {
                    acc *= v;
                }
                cycles_cabl.push(acc);
            }
            let _ = acc;
            let o = &layer.operands[op];
            let mut top_r: SmallVec<[f64; 5]> = SmallVec::from_elem(1.0, stationary.len() + 1);
            let mut top_ir: SmallVec<[f64; 5]> = SmallVec::from_elem(1.0, stationary.len() + 1);
            for (m, l) in stationary.iter().enumerate() {
                for lp in l.iter().rev() {
                    if o.r_mask & (1u128 << lp.dim) != 0 {
                        top_r[m + 1] *= lp.size;
                    } else {
                        break;
                    }
                }
                for lp in l.iter().rev() {
                    if o.ir_mask & (1u128 << lp.dim) != 0 {
                        top_ir[m + 1] *= lp.size;
                    } else {
                        break;
                    }
                }
            }
            operands.push(OperandTemporal { stationary, mac_stationary, cycles_cabl, top_r, top_ir });
        }
        let total = operands.first().and_then(|o| o.cycles_cabl.last().copied()).unwrap_or(1.0);
        for o in &operands {
            if o.cycles_cabl.last().copied().unwrap_or(1.0) != total {
                return Err(format!(
                    "temporal mapping covers a different number of cycles per operand ({} vs {total})",
                    o.cycles_cabl.last().copied().unwrap_or(1.0)
                ));
            }
        }
        Ok(TemporalAnalysis { operands, total_cycles: total })
    }
}

/// The temporal mapping after the stationarity merge-down (what ZigZag reports and prints).
pub fn stationary_levels(layer: &LayerInfo, tm: &TemporalMapping) -> Vec<Vec<LevelLoops>> {
    (0..tm.levels.len()).map(|op| merge_down(layer, op, &tm.levels[op]).0.into_vec()).collect()
}
