//! pr-loop decoupling (reference `decouple_pr_loop`), evaluated on the fly.
//!
//! For an operand indexed by derived dimensions (the activation of a convolution), every
//! loop over a related dimension (`OX`, `FX`...) is replaced, in place, by two loops: the
//! growth of the derived footprint (`IX_R`) and the reuse it brings (`IX_IR`). The state
//! spans all levels of one list. Instead of building the rewritten lists, [`Decoupler`]
//! returns the per-level products the cost model needs, multiplying in list order so the
//! floating-point results equal the reference's.

use crate::layer_info::{Dim, LayerInfo, in_mask};
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
        if in_mask(self.r2, d) {
            p.r *= s;
        }
        if in_mask(self.ir2, d) {
            p.ir *= s;
            if s > 1.0 {
                p.ir_above_one = true;
            }
        }
    }

    /// Products of the next level given as two consecutive slices (temporal loops, then spatial).
    #[inline]
    pub fn level_products2(&mut self, first: &[Loop], second: &[Loop]) -> LevelProducts {
        let mut p = LevelProducts { r: 1.0, ir: 1.0, all: 1.0, ir_above_one: false };
        if self.active {
            for &lp in first {
                self.step(&mut p, lp);
            }
            for &lp in second {
                self.step(&mut p, lp);
            }
            return p;
        }
        // Fast path (no derived dimensions): plain products in list order.
        for lp in first.iter().chain(second) {
            self.add(&mut p, lp.dim, lp.size);
        }
        p
    }

    /// `r` product of the next level (two consecutive slices), as [`Self::level_products2`] computes it.
    #[inline]
    pub fn r_product2(&mut self, first: &[Loop], second: &[Loop]) -> f64 {
        if self.active {
            return self.level_products2(first, second).r;
        }
        let mask = self.r2;
        let mut r = 1.0;
        for lp in first.iter().chain(second) {
            if in_mask(mask, lp.dim) {
                r *= lp.size;
            }
        }
        r
    }

    /// `ir` product of the next level and whether some `ir` factor exceeds 1
    /// (as [`Self::level_products2`] computes them).
    #[inline]
    pub fn ir_product2(&mut self, first: &[Loop], second: &[Loop]) -> (f64, bool) {
        if self.active {
            let p = self.level_products2(first, second);
            return (p.ir, p.ir_above_one);
        }
        let mask = self.ir2;
        let mut ir = 1.0;
        let mut above = false;
        for lp in first.iter().chain(second) {
            if in_mask(mask, lp.dim) {
                ir *= lp.size;
                above |= lp.size > 1.0;
            }
        }
        (ir, above)
    }

    /// One loop of the active (decoupling) state machine.
    #[inline(always)]
    fn step(&mut self, p: &mut LevelProducts, lp: Loop) {
        if in_mask(self.keep, lp.dim) {
            self.add(p, lp.dim, lp.size);
            return;
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
            // As `add` would do: every `_R` half is in `r'`, every `_IR` half in `ir'` (by construction).
            p.all *= r_val;
            p.r *= r_val;
            p.all *= ir_val;
            p.ir *= ir_val;
            if ir_val > 1.0 {
                p.ir_above_one = true;
            }
        }
        if !hit {
            self.add(p, lp.dim, lp.size);
        }
    }

    /// Products of the next level of the list.
    #[inline]
    pub fn level_products(&mut self, loops: impl Iterator<Item = Loop>) -> LevelProducts {
        let mut p = LevelProducts { r: 1.0, ir: 1.0, all: 1.0, ir_above_one: false };
        for lp in loops {
            if self.active {
                self.step(&mut p, lp);
            } else {
                self.add(&mut p, lp.dim, lp.size);
            }
        }
        p
    }
}
