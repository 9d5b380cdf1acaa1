//! Analysed layer: dimensions as small integer ids, sizes, derived (partially relevant)
//! dimensions, and per-operand relevancy (reference `LayerNode` + `LoopRelevancyInfo`).
//!
//! Dimension ids: loop dimensions `0..n_loop` in definition order, derived dimensions
//! (`IX`, `IY`) `PR_BASE + k`, and the pr-decoupled halves `R_BASE + k` (`IX_R`) and
//! `IR_BASE + k` (`IX_IR`). Sets of dimensions are `u128` bit masks.

use crate::error::CostError;
use crate::numeric::{gcd, py_int};
use zz_ir::workload::Layer;

/// A dimension id (see the module docs).
pub type Dim = u8;
/// Maximum number of loop dimensions of a layer.
pub const MAX_LOOP_DIMS: usize = 32;
/// First id of derived dimensions.
pub const PR_BASE: Dim = 32;
/// First id of the `_R` halves of decoupled derived dimensions.
pub const R_BASE: Dim = 64;
/// First id of the `_IR` halves.
pub const IR_BASE: Dim = 96;

/// Bit of a dimension in a mask.
#[inline]
pub fn bit(d: Dim) -> u128 {
    1u128 << d
}

/// Whether dimension `d` is in `mask` (a 64-bit test for loop and derived dimensions).
#[inline]
pub fn in_mask(mask: u128, d: Dim) -> bool {
    if d < 64 { (mask as u64 >> d) & 1 != 0 } else { mask & bit(d) != 0 }
}

/// A derived dimension `coef_a * a + coef_b * b`.
#[derive(Clone, Debug, PartialEq)]
pub struct DerivedDim {
    /// Name, e.g. `IX`.
    pub name: String,
    /// First related loop dimension.
    pub a: Dim,
    /// Its coefficient.
    pub coef_a: i64,
    /// Second related loop dimension.
    pub b: Dim,
    /// Its coefficient.
    pub coef_b: i64,
    /// Full size (given, or computed and reduced by the padding).
    pub total: i64,
    /// `coef_a / gcd(coef_a, coef_b)` (precomputed for [`pr_dimension_size`]).
    pub a_reduced: i64,
    /// `coef_b / gcd(coef_a, coef_b)`.
    pub b_reduced: i64,
}

/// Relevancy of one operand to the loop dimensions.
#[derive(Clone, Debug, PartialEq)]
pub struct OperandInfo {
    /// Operand name (`O`, `W`, `I`...).
    pub name: String,
    /// Relevant loop dims (`r`), in equation order.
    pub r: Vec<Dim>,
    /// `r` as a mask.
    pub r_mask: u128,
    /// Irrelevant loop dims (`ir`) as a mask.
    pub ir_mask: u128,
    /// Whether the operand is indexed by derived dimensions (then every derived dim is "pr" for it).
    pub has_pr: bool,
    /// pr-decoupled relevant set (`r` plus every `_R` half).
    pub r2_mask: u128,
    /// pr-decoupled irrelevant set (`ir` plus every `_IR` half).
    pub ir2_mask: u128,
    /// Precision in bits (for the output: the partial-sum precision).
    pub precision: u64,
    /// Number of elements of the whole tensor.
    pub size_elem: f64,
    /// Per dimension id, how the pr decoupling treats it (see [`dim_class`]).
    pub dim_class: [u16; 128],
}

/// Bits of [`OperandInfo::dim_class`].
pub mod dim_class {
    /// In the decoupled relevant set `r'`.
    pub const R2: u16 = 1;
    /// In the decoupled irrelevant set `ir'`.
    pub const IR2: u16 = 2;
    /// In `r` or `ir` (kept as is by the decoupling).
    pub const KEEP: u16 = 4;
    /// Bit `A0 << k`: first related dim of derived dim `k`.
    pub const A0: u16 = 1 << 4;
    /// Bit `B0 << k`: second related dim of derived dim `k`.
    pub const B0: u16 = 1 << 8;
    /// Related to some derived dim.
    pub const RELATED: u16 = 0xff0;
    /// Related to exactly one derived dim, `(class >> K_SHIFT) & 3`, as its second dim if `SLOT_B`.
    pub const SINGLE: u16 = 1 << 15;
    /// Shift of the derived dim index of a `SINGLE` dimension.
    pub const K_SHIFT: u16 = 12;
    /// A `SINGLE` dimension is the second related dim.
    pub const SLOT_B: u16 = 1 << 14;
}

/// An analysed layer.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerInfo {
    /// Layer name.
    pub name: String,
    /// Loop dimension names, definition order.
    pub dim_names: Vec<String>,
    /// Loop sizes.
    pub sizes: Vec<u64>,
    /// Derived dimensions, relation order.
    pub derived: Vec<DerivedDim>,
    /// Dims appearing in any relation (`pr_loop_list`), as a mask over loop and derived ids.
    pub pr_list_mask: u128,
    /// Operands: index 0 = output, then the inputs in equation order.
    pub operands: Vec<OperandInfo>,
    /// Final output precision (`O_final`).
    pub final_precision: u64,
    /// Product of all loop sizes.
    pub total_macs: u64,
    /// The weight operand (reference `get_weight_layer_op`), index into `operands`.
    pub weight_operand: usize,
    /// The activation operand (reference `get_act_layer_op`), index into `operands`.
    pub act_operand: usize,
}

pub use zz_ir::workload::pr_dimension_size;

/// `(weight, activation)` operand indices as reference `get_weight_layer_op` /
/// `get_act_layer_op` choose them from the constant operands (`operand_source` = the layer).
fn weight_and_act(layer: &Layer, operands: &[OperandInfo], derived: &[DerivedDim]) -> (usize, usize) {
    let idx = |name: &str| operands.iter().position(|o| o.name == name);
    let inputs: Vec<usize> = (1..operands.len()).collect();
    let constants: Vec<usize> = layer.constant_operands().iter().filter_map(|n| idx(n)).collect();
    let last_input = *inputs.last().unwrap_or(&0);
    match constants.len() {
        1 => {
            let w = constants[0];
            (w, inputs.iter().rev().copied().find(|&i| i != w).unwrap_or(last_input))
        }
        0 => (inputs.first().copied().unwrap_or(0), inputs.get(1).copied().unwrap_or(last_input)),
        _ => {
            let act = match derived.first() {
                None => inputs.first().copied().unwrap_or(0),
                Some(p) => (0..operands.len())
                    .rev()
                    .find(|&k| layer.operands.get(k).is_some_and(|o| o.dims.contains(&p.name)))
                    .unwrap_or(last_input),
            };
            (constants.iter().rev().copied().find(|&c| c != act).unwrap_or(act), act)
        }
    }
}

impl LayerInfo {
    /// Analyses a compute layer.
    pub fn new(layer: &Layer) -> Result<Self, CostError> {
        let err = |m: String| CostError::Layer { layer: layer.name.clone(), message: m };
        if layer.loop_dims.len() > MAX_LOOP_DIMS {
            return Err(err(format!("more than {MAX_LOOP_DIMS} loop dimensions")));
        }
        let dim_names: Vec<String> = layer.loop_dims.iter().map(|(d, _)| d.clone()).collect();
        let sizes: Vec<u64> = layer.loop_dims.iter().map(|(_, s)| *s).collect();
        let loop_id = |name: &str| dim_names.iter().position(|d| d == name).map(|i| i as Dim);
        let mut derived: Vec<DerivedDim> = Vec::new();
        let mut pr_list_mask = 0u128;
        for rel in &layer.relations {
            let a = loop_id(&rel.a)
                .ok_or_else(|| err(format!("relation of {} uses unknown dimension {}", rel.derived, rel.a)))?;
            let b = loop_id(&rel.b)
                .ok_or_else(|| err(format!("relation of {} uses unknown dimension {}", rel.derived, rel.b)))?;
            if let Some(k) = derived.iter().position(|p| p.name == rel.derived) {
                // reference quirk: a repeated relation overwrites the earlier one in the pr_loop dict.
                derived[k].a = a;
                derived[k].b = b;
                derived[k].coef_a = rel.coef_a as i64;
                derived[k].coef_b = rel.coef_b as i64;
            } else {
                if derived.len() >= 4 {
                    return Err(err("too many dimension relations".into()));
                }
                derived.push(DerivedDim {
                    name: rel.derived.clone(),
                    a,
                    coef_a: rel.coef_a as i64,
                    b,
                    coef_b: rel.coef_b as i64,
                    total: 0,
                    a_reduced: 0,
                    b_reduced: 0,
                });
            }
            let pid = PR_BASE + derived.iter().position(|p| p.name == rel.derived).unwrap_or(0) as Dim;
            pr_list_mask |= bit(pid) | bit(a) | bit(b);
        }
        // Full sizes of derived dims: given (ONNX) or computed minus padding.
        for p in derived.iter_mut() {
            let g = gcd(p.coef_a, p.coef_b).max(1);
            p.a_reduced = p.coef_a / g;
            p.b_reduced = p.coef_b / g;
            let given =
                layer.pr_sizes.as_ref().and_then(|v| v.iter().find(|(n, _)| *n == p.name).map(|(_, s)| *s as i64));
            p.total = match given {
                Some(s) => s,
                None => {
                    let full =
                        pr_dimension_size(p.coef_a, sizes[p.a as usize] as i64, p.coef_b, sizes[p.b as usize] as i64);
                    let (pb, pe) = layer.padding.iter().find(|(n, _)| *n == p.name).map(|(_, v)| *v).unwrap_or((0, 0));
                    full - (pb + pe)
                }
            };
        }
        let derived_id = |name: &str| derived.iter().position(|p| p.name == name).map(|k| PR_BASE + k as Dim);
        let all_r2: u128 = (0..derived.len()).fold(0, |m, k| m | bit(R_BASE + k as Dim));
        let all_ir2: u128 = (0..derived.len()).fold(0, |m, k| m | bit(IR_BASE + k as Dim));
        let final_precision =
            layer.precision_of("O_final").ok_or_else(|| err("operand_precision has no O_final".into()))?;
        let mut operands = Vec::with_capacity(layer.operands.len());
        for (k, op) in layer.operands.iter().enumerate() {
            let mut eq_ids: Vec<Dim> = Vec::with_capacity(op.dims.len());
            let mut indexed_by_pr = false;
            for d in &op.dims {
                if let Some(id) = loop_id(d) {
                    eq_ids.push(id);
                } else if let Some(id) = derived_id(d) {
                    eq_ids.push(id);
                    indexed_by_pr = true;
                } else {
                    return Err(err(format!(
                        "operand {} is indexed by {d}, which is neither a loop dimension nor a related dimension",
                        op.name
                    )));
                }
            }
            let eq_mask = eq_ids.iter().fold(0u128, |m, &d| m | bit(d));
            let size_of = |d: Dim| if (d as usize) < sizes.len() { sizes[d as usize] } else { 0 };
            let (r, ir_mask) = if indexed_by_pr {
                let r: Vec<Dim> = eq_ids.iter().copied().filter(|&d| pr_list_mask & bit(d) == 0).collect();
                let ir = (0..sizes.len() as Dim)
                    .filter(|&d| eq_mask & bit(d) == 0 && pr_list_mask & bit(d) == 0 && size_of(d) != 1)
                    .fold(0u128, |m, d| m | bit(d));
                (r, ir)
            } else {
                let r: Vec<Dim> = eq_ids.iter().copied().filter(|&d| size_of(d) != 1).collect();
                let ir = (0..sizes.len() as Dim)
                    .filter(|&d| eq_mask & bit(d) == 0 && size_of(d) != 1)
                    .fold(0u128, |m, d| m | bit(d));
                (r, ir)
            };
            let r_mask = r.iter().fold(0u128, |m, &d| m | bit(d));
            let precision = if k == 0 {
                layer.precision_of(&op.name).ok_or_else(|| err(format!("operand_precision has no {}", op.name)))?
            } else {
                layer.precision_of(&op.name).ok_or_else(|| err(format!("operand_precision has no {}", op.name)))?
            };
            operands.push(OperandInfo {
                name: op.name.clone(),
                r,
                r_mask,
                ir_mask,
                has_pr: indexed_by_pr,
                r2_mask: r_mask | all_r2,
                ir2_mask: ir_mask | all_ir2,
                precision,
                size_elem: 0.0,
                dim_class: [0; 128],
            });
        }
        if operands.len() < 2 {
            return Err(err("the equation needs an output and at least one input operand".into()));
        }
        let total_macs = sizes.iter().product();
        let (weight_operand, act_operand) = weight_and_act(layer, &operands, &derived);
        let mut info = LayerInfo {
            name: layer.name.clone(),
            dim_names,
            sizes,
            derived,
            pr_list_mask,
            operands,
            final_precision,
            total_macs,
            weight_operand,
            act_operand,
        };
        let full: Vec<f64> = info.sizes.iter().map(|&s| s as f64).collect();
        for k in 0..info.operands.len() {
            info.operands[k].size_elem = info.tensor_size_elems(k, &full);
        }
        for o in &mut info.operands {
            for (d, c) in o.dim_class.iter_mut().enumerate() {
                let d = d as Dim;
                *c = ((in_mask(o.r2_mask, d) as u16) * dim_class::R2)
                    | ((in_mask(o.ir2_mask, d) as u16) * dim_class::IR2)
                    | ((in_mask(o.r_mask | o.ir_mask, d) as u16) * dim_class::KEEP);
                // The decoupling steps a dimension once per derived dimension it is related to,
                // as the first related dimension when it is both.
                let mut hits = 0;
                for (k, p) in info.derived.iter().enumerate() {
                    if p.a == d {
                        *c |= (dim_class::A0 << k) | ((k as u16) << dim_class::K_SHIFT);
                    } else if p.b == d {
                        *c |= (dim_class::B0 << k) | ((k as u16) << dim_class::K_SHIFT) | dim_class::SLOT_B;
                    } else {
                        continue;
                    }
                    hits += 1;
                }
                if hits == 1 {
                    *c |= dim_class::SINGLE;
                } else {
                    *c &= !((3 << dim_class::K_SHIFT) | dim_class::SLOT_B);
                }
            }
        }
        Ok(info)
    }

    /// Number of loop dimensions.
    pub fn n_loop(&self) -> usize {
        self.sizes.len()
    }

    /// Name of any dimension id (loop, derived, or decoupled half).
    pub fn dim_name(&self, d: Dim) -> String {
        if d < PR_BASE {
            self.dim_names[d as usize].clone()
        } else if d < R_BASE {
            self.derived[(d - PR_BASE) as usize].name.clone()
        } else if d < IR_BASE {
            format!("{}_R", self.derived[(d - R_BASE) as usize].name)
        } else {
            format!("{}_IR", self.derived[(d - IR_BASE) as usize].name)
        }
    }

    /// Loop dimension id by name.
    pub fn dim_id(&self, name: &str) -> Option<Dim> {
        self.dim_names.iter().position(|d| d == name).map(|i| i as Dim)
    }

    /// Size of derived dim `k` given partial sizes of its two related dims (`calc_tensor_dim` for a pr dim):
    /// the related sizes are truncated with `int()` and the result is clipped to the full size.
    #[inline]
    pub fn derived_size(&self, k: usize, size_a: f64, size_b: f64) -> f64 {
        let p = &self.derived[k];
        let (a, b) = (py_int(size_a) as i64, py_int(size_b) as i64);
        // pr_dimension_size with the gcd-reduced coefficients precomputed
        let v = a * b - (b - p.a_reduced).max(0) * (a - p.b_reduced);
        p.total.min(v) as f64
    }

    /// `calc_tensor_size` in elements: product over `r(X)` then every derived dim (if X has pr dims)
    /// of the partial sizes in `acc` (indexed by loop dim id, missing = 1).
    #[inline]
    pub fn tensor_size_elems(&self, op: usize, acc: &[f64]) -> f64 {
        let o = &self.operands[op];
        let mut v = 1.0;
        for &d in &o.r {
            v *= acc[d as usize];
        }
        if o.has_pr {
            for (k, p) in self.derived.iter().enumerate() {
                v *= self.derived_size(k, acc[p.a as usize], acc[p.b as usize]);
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pr_size_formula() {
        // 3x3 kernel, stride 1 over 56 outputs: 58 inputs.
        assert_eq!(pr_dimension_size(1, 56, 1, 3), 58);
        // stride 2, 7x7 kernel over 112 outputs: 2*111 + 7 = 229.
        assert_eq!(pr_dimension_size(2, 112, 1, 7), 229);
    }
}
