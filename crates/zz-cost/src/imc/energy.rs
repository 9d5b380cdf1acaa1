//! Per-layer MAC energy of an IMC array (reference `ImcArray.get_energy_for_a_layer` with
//! `ImcUnit.get_mapped_oa_dim`, the diagonal-mapping row count and the regular adder-tree
//! energy). It depends on the layer and its user-level spatial mapping only, so it is computed
//! once per spatial mapping and shared by every temporal mapping.

use super::gates::Tech;
use super::{ImcCosts, ImcGeometry};
use crate::error::CostError;
use crate::layer_info::{Dim, LayerInfo, in_mask};

/// The MAC energy of one layer on an IMC array.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerImcEnergy {
    /// Components in [`super::ENERGY_KEYS`] order, pJ.
    pub breakdown: [f64; 8],
    /// Their sum (the layer's `mac_energy`).
    pub total: f64,
    /// Cycles per MAC operation (`act / bsp`).
    pub cycles_per_op: f64,
    /// Mapped rows per macro.
    pub rows: f64,
    /// Mapped columns per macro.
    pub cols: f64,
    /// Macro activations (`total MACs / unrolling inside the macro`).
    pub activations: f64,
}

fn unsupported(layer: &LayerInfo, msg: String) -> CostError {
    CostError::Unsupported(format!("layer {}: {msg}", layer.name))
}

/// The user mapping's loops on one array dimension, as (layer dimension id or `None` when the
/// layer has no such dimension, factor), in mapping order.
type OaLoops = Vec<(Option<Dim>, f64)>;

fn loops_on(
    layer: &LayerInfo,
    oa_names: &[String],
    user: &[(String, Vec<(String, u64)>)],
    oa: usize,
) -> Option<OaLoops> {
    user.iter()
        .find(|(name, _)| oa_names.get(oa) == Some(name))
        .map(|(_, loops)| loops.iter().map(|(d, f)| (layer.dim_id(d), *f as f64)).collect())
}

/// `(rows, cols, macro activations)` of reference `get_mapped_oa_dim`.
fn mapped_dims(
    layer: &LayerInfo,
    geo: &ImcGeometry,
    oa_names: &[String],
    user: &[(String, Vec<(String, u64)>)],
) -> Result<(f64, f64, f64), CostError> {
    let w = &layer.operands[layer.weight_operand];
    let wl = loops_on(layer, oa_names, user, geo.wl_dim);
    let bl = loops_on(layer, oa_names, user, geo.bl_dim);
    let mut in_macro = 1.0;
    for (name, loops) in user {
        let oa = oa_names.iter().position(|n| n == name);
        if oa == Some(geo.wl_dim) || oa == Some(geo.bl_dim) {
            in_macro *= loops.iter().fold(1.0, |p, (_, f)| p * *f as f64);
        }
    }
    let (cols, diag) = match &wl {
        None => (1.0, false),
        Some(l) => {
            (l.iter().fold(1.0, |p, (_, f)| p * f), l.iter().any(|(d, _)| d.is_some_and(|d| in_mask(w.ir_mask, d))))
        }
    };
    let rows = match &bl {
        None => 1.0,
        Some(b) => {
            let tot = b.iter().fold(1.0, |p, (_, f)| p * f).ceil();
            if !diag || tot == 1.0 { tot } else { diagonal_rows(layer, wl.as_deref().unwrap_or(&[]), b)? }
        }
    };
    Ok((rows, cols, layer.total_macs as f64 / in_macro))
}

/// Rows used when a weight-irrelevant dimension (OX, OY) is unrolled on the wordline: each
/// bitline unrolling of a partner dimension (FX, FY) grows by the partner's unrolling − 1.
fn diagonal_rows(layer: &LayerInfo, wl: &[(Option<Dim>, f64)], bl: &[(Option<Dim>, f64)]) -> Result<f64, CostError> {
    let w = &layer.operands[layer.weight_operand];
    let a = &layer.operands[layer.act_operand];
    // partner (bitline-side) dim -> (weight-ir dim, its wordline unrolling)
    let mut partner: Vec<(Dim, Dim, f64)> = Vec::new();
    if a.has_pr {
        for p in &layer.derived {
            if in_mask(w.ir_mask, p.a) {
                partner.push((p.b, p.a, 1.0));
            } else {
                partner.push((p.a, p.b, 1.0));
            }
        }
    }
    for d in 0..layer.sizes.len() as Dim {
        if !in_mask(w.ir_mask, d) {
            continue;
        }
        let Some(entry) = partner.iter_mut().find(|e| e.1 == d) else {
            // reference quirk: ZigZag 3.9.1 raises KeyError here.
            return Err(unsupported(
                layer,
                format!(
                    "weight-irrelevant dimension {} has no partially-relevant partner in the activation \
                     operand; ZigZag 3.9.1 crashes here (KeyError) on a diagonal IMC mapping",
                    layer.dim_names[d as usize]
                ),
            ));
        };
        for &(wd, f) in wl {
            if wd == Some(d) {
                entry.2 *= f;
            }
        }
    }
    if bl.len() == 1 {
        // reference quirk: ZigZag 3.9.1 indexes `unroll_sizes[1]` of a single loop (IndexError).
        return Err(unsupported(
            layer,
            "a diagonal IMC mapping with a single layer dimension on the bitline dimension crashes \
             ZigZag 3.9.1 (IndexError); unroll two dimensions there or none that is weight-irrelevant \
             on the wordline"
                .into(),
        ));
    }
    let mut rows = 1.0;
    for &(d, f) in bl {
        let extra = d.and_then(|d| partner.iter().find(|e| e.0 == d)).map(|e| e.2 - 1.0).unwrap_or(0.0);
        rows *= f + extra;
    }
    Ok(rows.ceil())
}

/// Energy of one regular (digital) adder tree with `active` of its `phys` inputs used.
fn regular_tree_energy(t: &Tech, p: f64, active: f64, phys: f64) -> Result<f64, CostError> {
    let depth = phys.log2().trunc();
    let n_fa = phys * (p + 1.0) - (p + depth + 1.0);
    if active < 1.0 {
        return Ok(0.0);
    }
    let (fa, ha) = if active >= phys {
        (n_fa, 0.0)
    } else {
        let (mut fa, mut ha) = (0.0, 0.0);
        let mut left = active;
        let mut base = phys;
        let mut steps = 0;
        while left != 0.0 {
            steps += 1;
            if steps > 4096 {
                return Err(CostError::Invariant(format!("adder-tree activity for {active} of {phys} inputs")));
            }
            base /= 2.0;
            let ad = base.log2().trunc();
            if left <= 1.0 && base == 1.0 {
                ha += p;
                left = 0.0;
            } else if left > base {
                fa += base * (p + 1.0) - (p + ad + 1.0) + (p + ad);
                left -= base;
            } else if left < base {
                ha += p + ad;
            } else {
                fa += base * (p + 1.0) - (p + ad + 1.0);
                ha += p + ad;
                left -= base;
            }
        }
        (fa, ha)
    };
    Ok(fa * t.fa_energy() + ha * t.fa_half_energy())
}

impl LayerImcEnergy {
    /// The MAC energy of `layer` under the user-level spatial mapping `user` (OA dim → loops).
    pub fn new(
        costs: &ImcCosts,
        layer: &LayerInfo,
        oa_names: &[String],
        user: &[(String, Vec<(String, u64)>)],
    ) -> Result<Self, CostError> {
        let g = &costs.geo;
        let t = Tech::new();
        if g.cells_size / g.wp > 1.0 {
            // reference quirk: 3.9.1's precharge model reads a missing attribute and crashes.
            return Err(unsupported(
                layer,
                format!(
                    "IMC `cells` of {} bits hold more than one weight of {} bits; ZigZag 3.9.1 crashes on \
                     this (local-bitline precharging, AttributeError), so it is not modelled: set the \
                     `cells` size to the weight precision",
                    g.cells_size, g.wp
                ),
            ));
        }
        let (rows, cols, act_times) = mapped_dims(layer, g, oa_names, user)?;
        let cpo = g.act / g.bsp;
        let vdd2 = t.vdd2();
        let (dacs, adcs, analog_bl) = if g.analog {
            let adc_e = t.adc(g.adc, g.bl).2;
            (
                t.dac_energy(g.bsp) * rows * cpo * act_times,
                adc_e * g.wp * cols * cpo * act_times,
                (t.bl_cap * vdd2 * g.wp) * cols * g.bl * cpo * act_times,
            )
        } else {
            (0.0, 0.0, 0.0)
        };
        let n_mult = if g.analog { g.wp * g.wl * rows } else { g.bsp * g.wp * g.wl * g.bl };
        let mults = t.mult_energy() * n_mult * cpo * act_times;
        let mut p_reg = 0.0;
        let mut adders_regular = 0.0;
        if !g.analog {
            let depth = g.bl.log2().trunc();
            p_reg = g.wp + depth;
            let trees = g.bsp * cols;
            adders_regular = regular_tree_energy(&t, g.wp, rows, g.bl)? * trees * cpo * act_times;
        }
        let (n_pv, p_pv) = g.pv_inputs(p_reg);
        let n_fa_pv = if n_pv == 1.0 { 0.0 } else { p_pv * (n_pv - 1.0) + n_pv * (n_pv.log2() - 0.5) };
        let adders_pv = t.fa_energy() * n_fa_pv * cols * cpo * act_times;
        let accumulators = if g.bsp == g.act {
            0.0
        } else {
            (t.fa_energy() + t.reg_energy()) * g.acc_precision() * cols * cpo * act_times
        };
        let breakdown = [0.0, dacs, adcs, mults, analog_bl, adders_regular, adders_pv, accumulators];
        let total = breakdown.iter().fold(0.0, |s, v| s + v);
        Ok(LayerImcEnergy { breakdown, total, cycles_per_op: cpo, rows, cols, activations: act_times })
    }
}
