//! pr-loop decoupling (reference `decouple_pr_loop`), evaluated on the fly.
//!
//! For an operand indexed by derived dimensions (the activation of a convolution), every
//! loop over a related dimension (`OX`, `FX`...) is replaced, in place, by two loops: the
//! growth of the derived footprint (`IX_R`) and the reuse it brings (`IX_IR`). The state
//! spans all levels of one list. Instead of building the rewritten lists, [`Decoupler`]
//! returns the per-level products the cost model needs, multiplying in list order so the
//! floating-point results equal the reference's.

use crate::layer_info::{Dim, IR_BASE, LayerInfo, R_BASE, bit};
use crate::spatial::Loop;

/// Products of one decoupled level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelProducts {
    /// Product of the factors whose dim is in the decoupled relevant set `r'`.
    pub r: f64,
    /// Product of the factors whose dim is in the decoupled irrelevant set `ir'`.
    pub ir: f64,
    /// Product of all factors.
    pub all: f64,
    /// Some factor with dim in `ir'` is larger than 1.
    pub ir_above_one: bool,
}

/// Running decoupling state of one operand over one list of levels.
pub struct Decoupler<'a> {
    layer: &'a LayerInfo,
    keep: u128,
    r2: u128,
    ir2: u128,
    active: bool,
    acc: [[f64; 2]; 4],
    prev_size: [f64; 4],
    prev_reuse: [f64; 4],
}

impl<'a> Decoupler<'a> {
    /// Fresh state for operand `op`.
    #[inline]
    pub fn new(layer: &'a LayerInfo, op: usize) -> Self {
        let o = &layer.operands[op];
        Decoupler {
            layer,
            keep: o.r_mask | o.ir_mask,
            r2: o.r2_mask,
            ir2: o.ir2_mask,
            active: o.has_pr && !layer.derived.is_empty(),
            acc: [[1.0; 2]; 4],
            prev_size: [1.0; 4],
            prev_reuse: [1.0; 4],
        }
    }

    #[inline]
    fn add(&self, p: &mut LevelProducts, d: Dim, s: f64) {
        p.all *= s;
        let b = bit(d);
        if self.r2 & b != 0 {
            p.r *= s;
        }
        if self.ir2 & b != 0 {
            p.ir *= s;
            if s > 1.0 {
                p.ir_above_one = true;
            }
        }
    }

    /// Products of the next level given as two consecutive slices (temporal loops, then spatial).
    #[inline]
    pub fn level_products2(&mut self, first: &[Loop], second: &[Loop]) -> LevelProducts {
        if self.active {
            return self.level_products(first.iter().copied().chain(second.iter().copied()));
        }
        // Fast path (no derived dimensions): plain products in list order.
        let mut p = LevelProducts { r: 1.0, ir: 1.0, all: 1.0, ir_above_one: false };
        for lp in first.iter().chain(second) {
            self.add(&mut p, lp.dim, lp.size);
        }
        p
    }

    /// Products of the next level of the list.
    #[inline]
    pub fn level_products(&mut self, loops: impl Iterator<Item = Loop>) -> LevelProducts {
        let mut p = LevelProducts { r: 1.0, ir: 1.0, all: 1.0, ir_above_one: false };
        for lp in loops {
            let b = bit(lp.dim);
            if !self.active || self.keep & b != 0 {
                self.add(&mut p, lp.dim, lp.size);
                continue;
            }
            let mut hit = false;
            for k in 0..self.layer.derived.len().min(4) {
                let dd = &self.layer.derived[k];
                let slot = if dd.a == lp.dim {
                    0
                } else if dd.b == lp.dim {
                    1
                } else {
                    continue;
                };
                hit = true;
                self.acc[k][slot] *= lp.size;
                let size = self.layer.derived_size(k, self.acc[k][0], self.acc[k][1]);
                let reuse = (1.0 * self.acc[k][0]) * self.acc[k][1] / size;
                let r_val = size / self.prev_size[k];
                let ir_val = reuse / self.prev_reuse[k];
                self.prev_size[k] = size;
                self.prev_reuse[k] = reuse;
                self.add(&mut p, R_BASE + k as Dim, r_val);
                self.add(&mut p, IR_BASE + k as Dim, ir_val);
            }
            if !hit {
                self.add(&mut p, lp.dim, lp.size);
            }
        }
        p
    }
}
