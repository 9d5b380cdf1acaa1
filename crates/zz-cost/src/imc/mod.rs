//! In-memory-computing (IMC) arrays, analog and digital (reference `ImcUnit` / `ImcArray`
//! of ZigZag 3.9.1): the array's geometry, its 28 nm gate costs, its area and clock period
//! ([`ImcCosts`], once per accelerator) and the per-layer MAC energy breakdown
//! ([`energy::LayerImcEnergy`], once per spatial mapping).
//!
//! Every constant is computed with the reference's own expressions and every sum and product
//! runs in the reference's order, so the results are bit-identical.

pub mod energy;
pub mod gates;

use crate::error::CostError;
use gates::Tech;
use zz_ir::accelerator::{ImcArray, OperationalArray};

/// Names of the area and clock-period components, in the reference's dict order.
pub const AREA_KEYS: [&str; 7] = ["cells", "dacs", "adcs", "mults", "adders_regular", "adders_pv", "accumulators"];

/// Names of the MAC energy components, in the reference's dict order.
pub const ENERGY_KEYS: [&str; 8] = [
    "local_bl_precharging",
    "dacs",
    "adcs",
    "mults",
    "analog_bl_addition",
    "adders_regular",
    "adders_pv",
    "accumulators",
];

/// The array's geometry and derived precisions.
#[derive(Clone, Debug, PartialEq)]
pub struct ImcGeometry {
    /// Analog array.
    pub analog: bool,
    /// Activation precision (bits).
    pub act: f64,
    /// Weight precision (bits).
    pub wp: f64,
    /// Bit-serial precision (bits per cycle).
    pub bsp: f64,
    /// ADC resolution (bits).
    pub adc: f64,
    /// Cells bits per multiplier position.
    pub cells_size: f64,
    /// Index (in the array's dimension list) of the wordline dimension: first by name.
    pub wl_dim: usize,
    /// Index of the bitline dimension: second by name.
    pub bl_dim: usize,
    /// Wordline dimension size.
    pub wl: f64,
    /// Bitline dimension size.
    pub bl: f64,
    /// Product of the remaining dimension sizes.
    pub banks: f64,
    /// Product of all sizes.
    pub total_units: f64,
}

/// Area (mm²) and clock period (ns) of an IMC array with their breakdowns, plus its geometry.
#[derive(Clone, Debug, PartialEq)]
pub struct ImcCosts {
    /// Geometry and precisions.
    pub geo: ImcGeometry,
    /// Area per component ([`AREA_KEYS`] order), mm².
    pub area_breakdown: [f64; 7],
    /// Their sum.
    pub area: f64,
    /// Clock period per component ([`AREA_KEYS`] order), ns.
    pub tclk_breakdown: [f64; 7],
    /// Their sum.
    pub tclk: f64,
}

fn invalid(msg: String) -> CostError {
    CostError::Unsupported(msg)
}

/// Python `int(math.log2(x))` with the check that the logarithm is integral.
fn exact_log2(x: f64, what: &str) -> Result<f64, CostError> {
    let l = x.log2();
    if l.fract() != 0.0 {
        return Err(invalid(format!("{what} ({x}) must be a power of two (ZigZag 3.9.1 asserts this)")));
    }
    Ok(l.trunc())
}

impl ImcGeometry {
    /// The geometry of an IMC operational array.
    pub fn new(oa: &OperationalArray, imc: &ImcArray) -> Result<Self, CostError> {
        if oa.dimensions.len() < 2 {
            return Err(invalid("an IMC array needs at least two dimensions (wordline and bitline)".into()));
        }
        // reference quirk: dimensions are ordered by name string ("D10" before "D2").
        let mut order: Vec<usize> = (0..oa.dimensions.len()).collect();
        order.sort_by(|&a, &b| oa.dimensions[a].cmp(&oa.dimensions[b]));
        let size = |i: usize| oa.sizes[i] as f64;
        let banks = order[2..].iter().fold(1u64, |p, &i| p * oa.sizes[i]) as f64;
        Ok(ImcGeometry {
            analog: imc.analog,
            act: imc.activation_precision as f64,
            wp: imc.weight_precision as f64,
            bsp: imc.bit_serial_precision,
            adc: imc.adc_resolution,
            cells_size: imc.cells_size as f64,
            wl_dim: order[0],
            bl_dim: order[1],
            wl: size(order[0]),
            bl: size(order[1]),
            banks,
            total_units: oa.sizes.iter().product::<u64>() as f64,
        })
    }

    /// Cycles per MAC operation: `act / bsp`.
    pub fn cycles_per_op(&self) -> f64 {
        self.act / self.bsp
    }

    /// Digital regular adder tree: (depth, output precision, full adders per tree).
    fn regular_tree(&self) -> Result<(f64, f64, f64), CostError> {
        let p = self.wp;
        let d = exact_log2(self.bl, "the bitline dimension size of a digital IMC array")?;
        Ok((d, p + d, self.bl * (p + 1.0) - (p + d + 1.0)))
    }

    /// Place-value adder tree: (number of inputs, input precision).
    fn pv_inputs(&self, p_reg: f64) -> (f64, f64) {
        if self.analog { (self.wp, self.adc) } else { (self.bsp, p_reg) }
    }

    /// Accumulator output precision.
    fn acc_precision(&self) -> f64 {
        if self.analog { self.act + self.adc + self.wp } else { self.act + self.bl.log2() + self.wp }
    }
}

impl ImcCosts {
    /// Area and clock period of the array (reference `ImcArray.get_area` / `get_tclk`).
    /// `cells_cacti_area` is CACTI's area of one bank's cell array, required when the cells use
    /// cost extraction.
    pub fn new(oa: &OperationalArray, imc: &ImcArray) -> Result<Self, CostError> {
        let geo = ImcGeometry::new(oa, imc)?;
        let t = Tech::new();
        let g = &geo;
        let (wl, bl, b) = (g.wl, g.bl, g.banks);
        // Area.
        let area_cells = if imc.cells_auto_cost {
            let a = imc.cells_cacti_area.ok_or_else(|| {
                invalid("the IMC `cells` use auto_cost_extraction but no CACTI cell-array area was supplied".into())
            })?;
            a * b
        } else {
            g.total_units * imc.cells_area
        };
        let (adc_area, adc_delay, _) = t.adc(g.adc, bl);
        let area_dacs = if g.analog { 0.0 * bl * b } else { 0.0 };
        let area_adcs = if g.analog { adc_area * g.wp * wl * b } else { 0.0 };
        let n_mult = if g.analog { g.wp * wl * bl * b } else { g.bsp * g.wp * wl * bl * b };
        let area_mults = t.nd2_area * n_mult;
        let mut p_reg = 0.0;
        let mut area_adders_regular = 0.0;
        let mut dly_adders_regular = 0.0;
        if !g.analog {
            let (d, p_out, n_fa) = g.regular_tree()?;
            p_reg = p_out;
            let trees = g.bsp * wl * b;
            area_adders_regular = t.fa_area() * n_fa * trees;
            dly_adders_regular = (d - 1.0) * t.fa_in2sum() + t.fa_in2cout() + (p_out - 1.0 - 1.0) * t.fa_cin2cout();
        }
        let (n_pv, p_pv) = g.pv_inputs(p_reg);
        let (area_adders_pv, p_pvo, dly_adders_pv) = if n_pv == 1.0 {
            (t.fa_area() * 0.0 * (wl * b), p_pv, 0.0)
        } else {
            let depth = exact_log2(n_pv, "the number of place-value adder inputs")?;
            let n_fa = p_pv * (n_pv - 1.0) + n_pv * (depth - 0.5);
            let p_out = n_pv + p_pv;
            let dly = (depth - 1.0) * t.fa_in2sum() + t.fa_in2cout() + (p_out - p_pv - 1.0) * t.fa_cin2cout();
            (t.fa_area() * n_fa * (wl * b), p_out, dly)
        };
        let (area_acc, dly_acc) = if g.bsp == g.act {
            (0.0, 0.0)
        } else {
            let p_acc = g.acc_precision();
            let n = p_acc * wl * b;
            let area = t.fa_area() * n + t.dff_area * n;
            if p_pvo >= p_acc {
                return Err(invalid(format!(
                    "IMC accumulator input precision {p_pvo} must be smaller than its output precision {p_acc} \
                     (ZigZag 3.9.1 asserts this)"
                )));
            }
            (area, t.fa_in2cout() + (p_acc - p_pvo - 1.0) * t.fa_cin2cout())
        };
        let area_breakdown =
            [area_cells, area_dacs, area_adcs, area_mults, area_adders_regular, area_adders_pv, area_acc];
        let area = area_breakdown.iter().fold(0.0, |s, v| s + v);
        let tclk_breakdown =
            [0.0, 0.0, if g.analog { adc_delay } else { 0.0 }, t.nd2_dly, dly_adders_regular, dly_adders_pv, dly_acc];
        let tclk = tclk_breakdown.iter().fold(0.0, |s, v| s + v);
        Ok(ImcCosts { geo, area_breakdown, area, tclk_breakdown, tclk })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oa(sizes: &[u64]) -> OperationalArray {
        OperationalArray {
            dimensions: (1..=sizes.len()).map(|i| format!("D{i}")).collect(),
            sizes: sizes.to_vec(),
            unit_energy: 0.0,
            unit_area: 0.0,
            systolic_dimensions: vec![],
            is_imc: true,
            imc: None,
        }
    }

    fn aimc() -> ImcArray {
        ImcArray {
            analog: true,
            activation_precision: 8,
            weight_precision: 8,
            bit_serial_precision: 2.0,
            adc_resolution: 8.0,
            cells_size: 8,
            cells_area: 0.0,
            cells_auto_cost: false,
            cells_cacti_area: None,
        }
    }

    /// The worked example of the spec (aimc.yaml): tclk 14.07244 ns, area 2.2878123152749223 mm².
    #[test]
    fn analog_128x128_matches_the_reference() {
        let c = ImcCosts::new(&oa(&[128, 128]), &aimc()).unwrap();
        assert_eq!(c.tclk, 14.07244);
        assert_eq!(c.area, 2.2878123152749223);
        assert_eq!(c.area_breakdown[2], 2.1347150992749224);
        assert_eq!(c.tclk_breakdown[6], 0.8795200000000001);
    }

    #[test]
    fn cacti_cells_without_a_result_are_refused() {
        let mut imc = aimc();
        imc.cells_auto_cost = true;
        assert!(ImcCosts::new(&oa(&[128, 128]), &imc).is_err());
    }

    #[test]
    fn digital_bitline_must_be_a_power_of_two() {
        let mut imc = aimc();
        imc.analog = false;
        imc.adc_resolution = 0.0;
        assert!(ImcCosts::new(&oa(&[128, 96]), &imc).is_err());
        assert!(ImcCosts::new(&oa(&[128, 128]), &imc).is_ok());
    }
}
