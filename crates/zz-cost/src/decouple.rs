//! pr-loop decoupling (reference `decouple_pr_loop`), evaluated on the fly.
//!
//! For an operand indexed by derived dimensions (the activation of a convolution), every
//! loop over a related dimension (`OX`, `FX`...) is replaced, in place, by two loops: the
//! growth of the derived footprint (`IX_R`) and the reuse it brings (`IX_IR`). The state
//! spans all levels of one list. Instead of building the rewritten lists, [`Decoupler`]
//! returns the per-level products the cost model needs, multiplying in list order so the
//! floating-point results equal the reference's.

use crate::layer_info::{Dim, LayerInfo, dim_class};
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
    class: &'a [u16; 128],
    active: bool,
    acc: [[f64; 2]; 4],
    prev_size: [f64; 4],
    prev_reuse: [f64; 4],
}

/// Class of a dimension (dimension ids are below 128).
#[inline(always)]
fn class_of(class: &[u16; 128], d: Dim) -> u16 {
    class[d as usize & 127]
}

/// Multiplies the sizes of the loops of `loops` in `r'` into `r`, in order.
#[inline(always)]
fn fold_r(class: &[u16; 128], loops: &[Loop], r: &mut f64) {
    for lp in loops {
        if class_of(class, lp.dim) & dim_class::R2 != 0 {
            *r *= lp.size;
        }
    }
}

/// Multiplies the sizes of the loops of `loops` in `ir'` into `ir`, in order, noting a size above 1.
#[inline(always)]
fn fold_ir(class: &[u16; 128], loops: &[Loop], ir: &mut f64, above: &mut bool) {
    for lp in loops {
        if class_of(class, lp.dim) & dim_class::IR2 != 0 {
            *ir *= lp.size;
            *above |= lp.size > 1.0;
        }
    }
}

impl<'a> Decoupler<'a> {
    /// Fresh state for operand `op`.
    #[inline]
    pub fn new(layer: &'a LayerInfo, op: usize) -> Self {
        let o = &layer.operands[op];
        Decoupler {
            layer,
            class: &o.dim_class,
            active: o.has_pr && !layer.derived.is_empty(),
            acc: [[1.0; 2]; 4],
            prev_size: [1.0; 4],
            prev_reuse: [1.0; 4],
        }
    }

    #[inline(always)]
    fn add(p: &mut LevelProducts, c: u16, s: f64) {
        p.all *= s;
        if c & dim_class::R2 != 0 {
            p.r *= s;
        }
        if c & dim_class::IR2 != 0 {
            p.ir *= s;
            if s > 1.0 {
                p.ir_above_one = true;
            }
        }
    }

    /// `r` product of the next level given as two consecutive slices (temporal loops, then
    /// spatial), as [`Self::level_products`] computes it over their concatenation.
    /// A decoupler used for `r` products must be used for nothing else.
    #[inline]
    pub fn r_product2(&mut self, first: &[Loop], second: &[Loop]) -> f64 {
        if self.active {
            let mut p = LevelProducts { r: 1.0, ir: 1.0, all: 1.0, ir_above_one: false };
            for &lp in first.iter().chain(second) {
                self.step_with::<true, false>(&mut p, lp);
            }
            return p.r;
        }
        let mut r = 1.0;
        fold_r(self.class, first, &mut r);
        fold_r(self.class, second, &mut r);
        r
    }

    /// `ir` product of the next level (two consecutive slices) and whether some `ir` factor
    /// exceeds 1, as [`Self::level_products`] computes them. A decoupler used for `ir` products must be
    /// used for nothing else.
    #[inline]
    pub fn ir_product2(&mut self, first: &[Loop], second: &[Loop]) -> (f64, bool) {
        if self.active {
            let mut p = LevelProducts { r: 1.0, ir: 1.0, all: 1.0, ir_above_one: false };
            for &lp in first.iter().chain(second) {
                self.step_with::<false, true>(&mut p, lp);
            }
            return (p.ir, p.ir_above_one);
        }
        let (mut ir, mut above) = (1.0, false);
        fold_ir(self.class, first, &mut ir, &mut above);
        fold_ir(self.class, second, &mut ir, &mut above);
        (ir, above)
    }

    /// Whether the operand is decoupled (indexed by derived dimensions).
    #[inline]
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// For an operand that is not decoupled: the `ir` product (and whether an `ir` factor
    /// exceeds 1) of `temporal ++ spatial_ir` and the `r` product of `temporal ++ spatial_r`,
    /// as [`Self::ir_product2`] and [`Self::r_product2`] compute them, in one pass over `temporal`.
    #[inline]
    pub fn plain_products(&self, temporal: &[Loop], spatial_ir: &[Loop], spatial_r: &[Loop]) -> (f64, bool, f64) {
        debug_assert!(!self.active);
        let (mut ir, mut above, mut r) = (1.0, false, 1.0);
        for lp in temporal {
            let c = class_of(self.class, lp.dim);
            if c & dim_class::IR2 != 0 {
                ir *= lp.size;
                above |= lp.size > 1.0;
            }
            if c & dim_class::R2 != 0 {
                r *= lp.size;
            }
        }
        fold_ir(self.class, spatial_ir, &mut ir, &mut above);
        fold_r(self.class, spatial_r, &mut r);
        (ir, above, r)
    }

    /// One loop of the active (decoupling) state machine. `R` / `IR` select which products are
    /// wanted: the others (and the divisions only they need) are skipped, the state kept exact.
    /// A decoupler must always be stepped with the same selection.
    #[inline(always)]
    fn step_with<const R: bool, const IR: bool>(&mut self, p: &mut LevelProducts, lp: Loop) {
        let c = class_of(self.class, lp.dim);
        if c & dim_class::KEEP != 0 || c & dim_class::RELATED == 0 {
            Self::add(p, c, lp.size);
            return;
        }
        if c & dim_class::SINGLE != 0 {
            let k = ((c >> dim_class::K_SHIFT) & 3) as usize;
            let slot = (c & dim_class::SLOT_B != 0) as usize;
            self.derived_step::<R, IR>(p, k, slot, lp.size);
            return;
        }
        for k in 0..self.layer.derived.len().min(4) {
            let slot = if c & (dim_class::A0 << k) != 0 {
                0
            } else if c & (dim_class::B0 << k) != 0 {
                1
            } else {
                continue;
            };
            self.derived_step::<R, IR>(p, k, slot, lp.size);
        }
    }

    /// A loop over related dim `slot` of derived dim `k`: the growth of the derived footprint
    /// (`_R`) and the reuse it brings (`_IR`).
    #[inline(always)]
    fn derived_step<const R: bool, const IR: bool>(&mut self, p: &mut LevelProducts, k: usize, slot: usize, s: f64) {
        self.acc[k][slot] *= s;
        let size = self.layer.derived_size(k, self.acc[k][0], self.acc[k][1]);
        // As `add` would do: every `_R` half is in `r'`, every `_IR` half in `ir'` (by construction).
        if R {
            let r_val = size / self.prev_size[k];
            p.all *= r_val;
            p.r *= r_val;
        }
        self.prev_size[k] = size;
        if IR {
            let reuse = (1.0 * self.acc[k][0]) * self.acc[k][1] / size;
            let ir_val = reuse / self.prev_reuse[k];
            self.prev_reuse[k] = reuse;
            p.all *= ir_val;
            p.ir *= ir_val;
            if ir_val > 1.0 {
                p.ir_above_one = true;
            }
        }
    }

    #[inline(always)]
    fn step(&mut self, p: &mut LevelProducts, lp: Loop) {
        self.step_with::<true, true>(p, lp);
    }

    /// Products of the next level of the list.
    #[inline]
    pub fn level_products(&mut self, loops: impl Iterator<Item = Loop>) -> LevelProducts {
        let mut p = LevelProducts { r: 1.0, ir: 1.0, all: 1.0, ir_above_one: false };
        for lp in loops {
            if self.active {
                self.step(&mut p, lp);
            } else {
                Self::add(&mut p, class_of(self.class, lp.dim), lp.size);
            }
        }
        p
    }
}
