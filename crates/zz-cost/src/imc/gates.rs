//! The reference's 28 nm technology table and the primitive costs derived from it: 1-bit full
//! adder, multiplier and register, DAC and ADC (reference `ImcUnit.TECH_PARAM_28NM`,
//! `get_1b_*`, `ImcArray.get_dac_cost` / `get_adc_cost`). Units: pF, mm², ns, V, pJ.

/// The technology constants, computed with the reference's expressions (not rounded decimals).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tech {
    /// Supply voltage.
    pub vdd: f64,
    /// NAND2 capacitance.
    pub nd2_cap: f64,
    /// Wordline capacitance per cell.
    pub wl_cap: f64,
    /// Bitline capacitance per cell.
    pub bl_cap: f64,
    /// XOR2 capacitance.
    pub xor2_cap: f64,
    /// DFF capacitance.
    pub dff_cap: f64,
    /// NAND2 area.
    pub nd2_area: f64,
    /// XOR2 area.
    pub xor2_area: f64,
    /// DFF area.
    pub dff_area: f64,
    /// NAND2 delay.
    pub nd2_dly: f64,
    /// XOR2 delay.
    pub xor2_dly: f64,
}

impl Default for Tech {
    fn default() -> Self {
        Self::new()
    }
}

impl Tech {
    /// The 28 nm table (the only one of ZigZag 3.9.1).
    pub fn new() -> Self {
        Tech {
            vdd: 0.9,
            nd2_cap: 0.7 / 1e3,
            wl_cap: 0.7 / 2.0 / 1e3,
            bl_cap: 0.7 / 2.0 / 1e3,
            xor2_cap: 0.7 * 1.5 / 1e3,
            dff_cap: 0.7 * 3.0 / 1e3,
            nd2_area: 0.614 / 1e6,
            xor2_area: 0.614 * 2.4 / 1e6,
            dff_area: 0.614 * 6.0 / 1e6,
            nd2_dly: 0.0478,
            xor2_dly: 0.0478 * 2.4,
        }
    }

    /// `vdd ** 2` as Python evaluates it (C `pow`).
    pub fn vdd2(&self) -> f64 {
        self.vdd.powf(2.0)
    }

    /// 1-bit full adder energy.
    pub fn fa_energy(&self) -> f64 {
        (3.0 * self.nd2_cap + 2.0 * self.xor2_cap) * self.vdd2()
    }

    /// 1-bit full adder energy with one input at 0.
    pub fn fa_half_energy(&self) -> f64 {
        (2.0 * self.xor2_cap) * self.vdd2()
    }

    /// 1-bit multiplier energy (0.5: the weight input is static).
    pub fn mult_energy(&self) -> f64 {
        0.5 * self.nd2_cap * self.vdd2()
    }

    /// 1-bit register energy.
    pub fn reg_energy(&self) -> f64 {
        self.dff_cap * self.vdd2()
    }

    /// 1-bit full adder area.
    pub fn fa_area(&self) -> f64 {
        3.0 * self.nd2_area + 2.0 * self.xor2_area
    }

    /// Full adder delay, input to sum.
    pub fn fa_in2sum(&self) -> f64 {
        2.0 * self.xor2_dly
    }

    /// Full adder delay, input to carry-out.
    pub fn fa_in2cout(&self) -> f64 {
        self.xor2_dly + 2.0 * self.nd2_dly
    }

    /// Full adder delay, carry-in to carry-out.
    pub fn fa_cin2cout(&self) -> f64 {
        2.0 * self.nd2_dly
    }

    /// DAC energy per conversion (area and delay are neglected by the reference).
    pub fn dac_energy(&self, bsp: f64) -> f64 {
        if bsp == 1.0 { 0.0 } else { 50e-3 * bsp * self.vdd2() }
    }

    /// ADC `(area mm², delay ns, energy pJ)` for resolution `r` on a bitline of `bl` cells.
    pub fn adc(&self, r: f64, bl: f64) -> (f64, f64, f64) {
        let (k1, k2, k3, k4, k5, k6) = (-0.0369, 1.206, 0.00653, 0.640, 100.0, 0.001);
        let area = if r == 0.0 || r == 1.0 { 0.0 } else { 10f64.powf(k1 * r + k2) * 2f64.powf(r) * 1e-6 };
        let delay = if r == 0.0 { 0.0 } else { r * (k3 * bl + k4) };
        let energy = if r == 0.0 { 0.0 } else { (k5 * r + k6 * 4f64.powf(r)) * self.vdd2() / 1000.0 };
        (area, delay, energy)
    }
}
