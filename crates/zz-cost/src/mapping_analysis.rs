//! Mapping analysis (reference `Mapping`): combines the spatial loops of one variant
//! (fractional or integer) with the temporal mapping and derives, per operand and memory
//! level, data sizes, partial-sum precisions and the per-direction transfer records
//! (reference `DataMovePattern`). Fixed-size arrays: nothing is allocated.

use crate::decouple::Decoupler;
use crate::layer_info::LayerInfo;
use crate::numeric::{py_floordiv, py_int, py_round};
use crate::spatial::SpatialAnalysis;
use crate::temporal::{MAX_LEVELS, MAX_OPS, TemporalAnalysis};
use zz_ir::accelerator::Direction;

const TL: usize = Direction::RdOutToLow as usize;
const FL: usize = Direction::WrInByLow as usize;
const TH: usize = Direction::RdOutToHigh as usize;
const FH: usize = Direction::WrInByHigh as usize;

/// Transfer attributes of one operand at one memory level, per direction (index by `Direction`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TransferRecord {
    /// Precision of each transferred element, bits.
    pub prec: [f64; 4],
    /// Average required bandwidth.
    pub bw: [f64; 4],
    /// Transfer period, cycles.
    pub pd: [f64; 4],
    /// Number of periods.
    pub pc: [f64; 4],
    /// Elements moved per period.
    pub da: [f64; 4],
    /// Window in which the transfer must happen without double buffering.
    pub win: [f64; 4],
}

/// Analysis of one operand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OperandMapping {
    /// Number of memory levels.
    pub n_levels: usize,
    /// Elements held by one instance at each architectural level.
    pub elem_u: [f64; MAX_LEVELS + 1],
    /// Bits held by one instance at each architectural level.
    pub bit_u: [f64; MAX_LEVELS + 1],
    /// Effective bits (streamed outer relevant loops excluded).
    pub eff_bit: [f64; MAX_LEVELS + 1],
    /// Transfer records per memory level.
    pub records: [TransferRecord; MAX_LEVELS],
}

impl OperandMapping {
    /// No levels, all zero.
    const EMPTY: OperandMapping = OperandMapping {
        n_levels: 0,
        elem_u: [0.0; MAX_LEVELS + 1],
        bit_u: [0.0; MAX_LEVELS + 1],
        eff_bit: [0.0; MAX_LEVELS + 1],
        records: [TransferRecord::ZERO; MAX_LEVELS],
    };
}

impl TransferRecord {
    /// All zero.
    const ZERO: TransferRecord =
        TransferRecord { prec: [0.0; 4], bw: [0.0; 4], pd: [0.0; 4], pc: [0.0; 4], da: [0.0; 4], win: [0.0; 4] };
}

/// Mapping analysis of all operands for one spatial variant.
#[derive(Clone, Debug, PartialEq)]
pub struct MappingAnalysis {
    /// Per layer operand (0 = output).
    pub operands: [OperandMapping; MAX_OPS],
}

impl MappingAnalysis {
    /// Analyses one variant. `same_data_no_access` is the reference's
    /// `access_same_data_considered_as_no_access` (True in every API path).
    pub fn new(layer: &LayerInfo, sp: &SpatialAnalysis, ta: &TemporalAnalysis<'_>, same_data_no_access: bool) -> Self {
        let n_ops = layer.operands.len();
        MappingAnalysis {
            operands: std::array::from_fn(|op| {
                if op < n_ops { Self::operand(layer, sp, ta, op, same_data_no_access) } else { OperandMapping::EMPTY }
            }),
        }
    }

    /// Analysis of operand `op`.
    fn operand(
        layer: &LayerInfo,
        sp: &SpatialAnalysis,
        ta: &TemporalAnalysis<'_>,
        op: usize,
        same_data_no_access: bool,
    ) -> OperandMapping {
        let total = ta.total_cycles;
        let t = &ta.operands[op];
        let sm = &sp.levels[op];
        let m_levels = t.n_levels;
        let a_len = m_levels + 1;
        let mut elem_u = [0.0; MAX_LEVELS + 1];
        let mut bit_u = [0.0; MAX_LEVELS + 1];
        let mut eff_bit = [0.0; MAX_LEVELS + 1];
        // c1 = [temporal level a-1] ++ [spatial level a]; c2 = [temporal level a-1] ++ [spatial level a-1].
        let mut i1 = [1.0; MAX_LEVELS + 1];
        let mut flag = [false; MAX_LEVELS + 1];
        let mut r2 = [1.0; MAX_LEVELS + 1];
        let mut dec = Decoupler::new(layer, op);
        let mut dec2 = Decoupler::new(layer, op);
        for a in 0..a_len {
            let temporal: &[crate::spatial::Loop] = if a == 0 { &[] } else { ta.stationary(op, a - 1) };
            (i1[a], flag[a]) = dec.ir_product2(temporal, &sm[a]);
            if a > 0 {
                r2[a] = dec2.r_product2(temporal, &sm[a - 1]);
            }
        }
        // precisions per architectural level
        let mut prec = [0.0; MAX_LEVELS + 1];
        let mut psum = [false; MAX_LEVELS + 1];
        if op == 0 {
            let mut any_above = false;
            for k in (0..a_len).rev() {
                psum[k] = any_above;
                any_above |= flag[k];
            }
            for k in 0..a_len {
                prec[k] = if psum[k] { layer.operands[0].precision as f64 } else { layer.final_precision as f64 };
            }
        } else {
            prec[..a_len].fill(layer.operands[op].precision as f64);
        }
        let mut p = 1.0;
        for a in 0..a_len {
            p *= r2[a];
            let e = py_round(py_round(p));
            elem_u[a] = e;
            let b = e * prec[a];
            bit_u[a] = b;
            eff_bit[a] = py_floordiv(b, t.top_r[a]);
        }
        // cycles per level and boost
        let mut cyc = [1.0; MAX_LEVELS + 1];
        cyc[0] = if op != 0 && same_data_no_access { t.mac_stationary } else { 1.0 };
        cyc[1..a_len].copy_from_slice(&t.cycles_cabl[..m_levels]);
        let boost = &sp.boost[op];
        let mut low = [0.0; MAX_LEVELS + 1];
        let mut high = [0.0; MAX_LEVELS + 1];
        for a in 0..a_len {
            low[a] = elem_u[a] * prec[a] / cyc[a];
            high[a] = low[a] * boost[a];
        }
        // caal[a] = prod(i1[a..=M]), then 1, 1 (output only)
        let mut caal = [1.0; MAX_LEVELS + 3];
        if op == 0 {
            for a in 0..a_len {
                let mut q = 1.0;
                for v in &i1[a..a_len] {
                    q *= v;
                }
                caal[a] = q;
            }
        }
        let size_o = layer.operands[0].size_elem;
        let p_o = layer.operands[0].precision as f64;
        let p_f = layer.final_precision as f64;
        let pr = layer.operands[op].precision as f64;
        // Each record is built in place; levels above the operand's stay zero.
        let records = std::array::from_fn(|m| {
            let mut rec = TransferRecord::ZERO;
            if m >= m_levels {
                return rec;
            }
            let u = &mut rec;
            if op == 0 {
                let rtl = py_int(size_o * (caal[m + 1] - 1.0));
                let wfh = py_int(size_o * (caal[m + 2] - 1.0));
                if rtl != 0.0 {
                    u.prec[FL] = p_o;
                    u.prec[TL] = p_o;
                } else {
                    u.prec[FL] = p_f;
                }
                if wfh != 0.0 {
                    u.prec[FH] = p_o;
                    u.prec[TH] = p_o;
                } else {
                    u.prec[TH] = p_f;
                }
                u.bw[FL] = py_int(high[m]);
                u.bw[TH] = py_int(low[m + 1]);
                u.pd[FL] = py_int(cyc[m]);
                u.pd[TH] = py_int(cyc[m + 1]);
                u.pc[FL] = py_int(py_floordiv(total, cyc[m]));
                u.pc[TH] = py_int(py_floordiv(total, cyc[m + 1]));
                u.da[FL] = py_int(elem_u[m] * boost[m]);
                u.da[TH] = elem_u[m + 1];
                if psum[m] {
                    u.bw[TL] = u.bw[FL];
                    u.pd[TL] = u.pd[FL];
                    u.pc[TL] = u.pc[FL];
                    u.da[TL] = u.da[FL];
                }
                if psum[m + 1] {
                    u.bw[FH] = u.bw[TH];
                    u.pd[FH] = u.pd[TH];
                    u.pc[FH] = u.pc[TH];
                    u.da[FH] = u.da[TH];
                }
            } else {
                u.prec[TL] = pr;
                u.prec[FH] = pr;
                u.bw[TL] = py_int(high[m]);
                u.bw[FH] = py_int(low[m + 1]);
                u.pd[TL] = py_int(cyc[m]);
                u.pd[FH] = py_int(cyc[m + 1]);
                u.pc[TL] = py_int(py_floordiv(total, cyc[m]));
                u.pc[FH] = py_int(py_floordiv(total, cyc[m + 1]));
                u.da[TL] = elem_u[m] * boost[m];
                u.da[FH] = elem_u[m + 1];
            }
            let cur = py_int(t.top_ir[m]);
            let nxt = py_int(t.top_ir[m + 1]);
            let sc = [cur, cur, nxt, nxt];
            for (w, (pd, s)) in u.win.iter_mut().zip(u.pd.iter().zip(sc)) {
                *w = py_int(pd / s);
            }
            if m == m_levels - 1 {
                // nothing moves above the top level
                for d in [TH, FH] {
                    u.prec[d] = 0.0;
                    u.bw[d] = 0.0;
                    u.pd[d] = 0.0;
                    u.pc[d] = 0.0;
                    u.da[d] = 0.0;
                    u.win[d] = 0.0;
                }
            }
            rec
        });
        OperandMapping { n_levels: m_levels, elem_u, bit_u, eff_bit, records }
    }

    /// Instantaneous bandwidth of a record direction (reference `REQ_MEM_BW_INST`, used by Stream).
    pub fn instantaneous_bandwidth(&self, ta: &TemporalAnalysis<'_>, op: usize, m: usize, d: Direction) -> f64 {
        let t = &ta.operands[op];
        let scale = if d == Direction::RdOutToLow || d == Direction::WrInByLow { t.top_ir[m] } else { t.top_ir[m + 1] };
        py_int(self.operands[op].records[m].bw[d.index()] * py_int(scale))
    }
}
