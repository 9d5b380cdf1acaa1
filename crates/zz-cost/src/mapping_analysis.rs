//! Mapping analysis (reference `Mapping`): combines the spatial loops of one variant
//! (fractional or integer) with the temporal mapping and derives, per operand and memory
//! level, data sizes, partial-sum precisions and the per-direction transfer records
//! (reference `DataMovePattern`). Fixed-size arrays: nothing is allocated.

use crate::decouple::Decoupler;
use crate::layer_info::LayerInfo;
use crate::numeric::{py_floordiv, py_int, py_round};
use crate::spatial::SpatialAnalysis;
use crate::temporal::{LoopNest, MAX_LEVELS, MAX_OPS, TemporalAnalysis};
use zz_ir::accelerator::Direction;

const TL: usize = Direction::RdOutToLow as usize;
const FL: usize = Direction::WrInByLow as usize;
const TH: usize = Direction::RdOutToHigh as usize;
const FH: usize = Direction::WrInByHigh as usize;

/// Transfer attributes of one operand at one memory level, per direction (index by `Direction`).
///
/// A direction that moves nothing has `pc == 0` (every moving direction has at least one
/// period). The average bandwidth and the no-double-buffering window are derived on demand
/// ([`OperandMapping::bandwidth`], [`OperandMapping::window`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TransferRecord {
    /// Precision of each transferred element, bits.
    pub prec: [f64; 4],
    /// Transfer period, cycles.
    pub pd: [f64; 4],
    /// Number of periods.
    pub pc: [f64; 4],
    /// Elements moved per period.
    pub da: [f64; 4],
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
    /// Precision at each architectural level (partial or final sums for the output).
    pub prec: [f64; MAX_LEVELS + 1],
    /// Cycles between two transfers at each architectural level.
    pub cyc: [f64; MAX_LEVELS + 1],
    /// Bandwidth boost at each architectural level.
    pub boost: [f64; MAX_LEVELS + 1],
    /// `int(top_ir)` at each architectural level (window scale).
    pub top_ir: [f64; MAX_LEVELS + 1],
    /// Transfer records per memory level.
    pub records: [TransferRecord; MAX_LEVELS],
}

/// Whether a direction is served from the lower side of a memory level.
#[inline]
fn is_low_side(d: usize) -> bool {
    d == TL || d == FL
}

impl OperandMapping {
    /// Average required bandwidth of direction `d` at memory level `m` (reference `req_mem_bw_aver`).
    #[inline]
    pub fn bandwidth(&self, m: usize, d: usize) -> f64 {
        if self.records[m].pc[d] == 0.0 {
            return 0.0;
        }
        if is_low_side(d) {
            let low = self.elem_u[m] * self.prec[m] / self.cyc[m];
            py_int(low * self.boost[m])
        } else {
            py_int(self.elem_u[m + 1] * self.prec[m + 1] / self.cyc[m + 1])
        }
    }

    /// Window in which direction `d` at memory level `m` must transfer without double buffering.
    #[inline]
    pub fn window(&self, m: usize, d: usize) -> f64 {
        let scale = if is_low_side(d) { self.top_ir[m] } else { self.top_ir[m + 1] };
        py_int(self.records[m].pd[d] / scale)
    }

    /// No levels, all zero ([`MappingAnalysis::fill`] sets every entry of the levels in use).
    const EMPTY: OperandMapping = OperandMapping {
        n_levels: 0,
        elem_u: [0.0; MAX_LEVELS + 1],
        bit_u: [0.0; MAX_LEVELS + 1],
        eff_bit: [0.0; MAX_LEVELS + 1],
        prec: [0.0; MAX_LEVELS + 1],
        cyc: [0.0; MAX_LEVELS + 1],
        boost: [0.0; MAX_LEVELS + 1],
        top_ir: [0.0; MAX_LEVELS + 1],
        records: [TransferRecord::ZERO; MAX_LEVELS],
    };
}

impl TransferRecord {
    /// Sets the period, period count and amount of direction `d`.
    #[inline(always)]
    fn set(&mut self, d: usize, pd: f64, pc: f64, da: f64) {
        self.pd[d] = pd;
        self.pc[d] = pc;
        self.da[d] = da;
    }

    /// All zero.
    const ZERO: TransferRecord = TransferRecord { prec: [0.0; 4], pd: [0.0; 4], pc: [0.0; 4], da: [0.0; 4] };
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
    pub fn new(
        layer: &LayerInfo,
        sp: &SpatialAnalysis,
        nest: &LoopNest,
        ta: &TemporalAnalysis,
        same_data_no_access: bool,
    ) -> Self {
        let mut ma = MappingAnalysis::empty();
        ma.fill(layer, sp, nest, ta, same_data_no_access);
        ma
    }

    /// No operands: the starting point of [`Self::fill`].
    pub fn empty() -> Self {
        MappingAnalysis { operands: [OperandMapping::EMPTY; MAX_OPS] }
    }

    /// [`Self::new`] in place (nothing is copied around). Any earlier analysis may be reused:
    /// every value of the levels in use is overwritten (entries beyond them are left as they are).
    pub fn fill(
        &mut self,
        layer: &LayerInfo,
        sp: &SpatialAnalysis,
        nest: &LoopNest,
        ta: &TemporalAnalysis,
        same_data_no_access: bool,
    ) {
        let n_ops = layer.operands.len().min(MAX_OPS);
        for (op, om) in self.operands.iter_mut().enumerate().take(n_ops) {
            Self::operand(om, layer, sp, nest, ta, op, same_data_no_access);
        }
    }

    /// Analysis of operand `op` (per-level arrays indexed side by side, as the reference's lists).
    #[allow(clippy::needless_range_loop)]
    fn operand(
        om: &mut OperandMapping,
        layer: &LayerInfo,
        sp: &SpatialAnalysis,
        nest: &LoopNest,
        ta: &TemporalAnalysis,
        op: usize,
        same_data_no_access: bool,
    ) {
        let total = ta.total_cycles;
        let t = &ta.operands[op];
        let sm = &sp.tables;
        let m_levels = t.n_levels;
        let a_len = m_levels + 1;
        om.n_levels = m_levels;
        // c1 = [temporal level a-1] ++ [spatial level a]; c2 = [temporal level a-1] ++ [spatial level a-1].
        let mut i1 = [1.0; MAX_LEVELS + 1];
        let mut flag = [false; MAX_LEVELS + 1];
        let mut r2 = [1.0; MAX_LEVELS + 1];
        let mut dec = Decoupler::new(layer, op);
        if dec.is_active() {
            let mut dec2 = Decoupler::new(layer, op);
            for a in 0..a_len {
                let temporal: &[crate::spatial::Loop] = if a == 0 { &[] } else { ta.stationary(nest, op, a - 1) };
                (i1[a], flag[a]) = dec.ir_product2(temporal, sm.loops(op, a));
                if a > 0 {
                    r2[a] = dec2.r_product2(temporal, sm.loops(op, a - 1));
                }
            }
        } else {
            (i1[0], flag[0], _) = dec.plain_products(&[], sm.loops(op, 0), &[]);
            for a in 1..a_len {
                (i1[a], flag[a], r2[a]) =
                    dec.plain_products(ta.stationary(nest, op, a - 1), sm.loops(op, a), sm.loops(op, a - 1));
            }
        }
        // precisions per architectural level
        let mut psum = [false; MAX_LEVELS + 1];
        let prec = &mut om.prec;
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
            om.elem_u[a] = e;
            let b = e * om.prec[a];
            om.bit_u[a] = b;
            om.eff_bit[a] = py_floordiv(b, t.top_r[a]);
            om.top_ir[a] = py_int(t.top_ir[a]);
        }
        // cycles and period counts per level (period counts: total // cycles, exact integer products)
        let mut pcl = [0.0; MAX_LEVELS + 1];
        let mac_level = op != 0 && same_data_no_access;
        om.cyc[0] = if mac_level { t.mac_stationary } else { 1.0 };
        pcl[0] = if mac_level { ta.suffix[t.mac_loops as usize] } else { total };
        for a in 1..a_len {
            om.cyc[a] = t.cycles_cabl[a - 1];
            pcl[a] = ta.suffix[t.cuts[a] as usize];
        }
        if total >= 9007199254740992.0 {
            // beyond exact integers: the reference's floor division itself
            for a in 0..a_len {
                pcl[a] = py_int(py_floordiv(total, om.cyc[a]));
            }
        }
        om.boost[..a_len].copy_from_slice(&sm.boost[op][..a_len]);
        let (elem_u, cyc, boost) = (&om.elem_u, &om.cyc, &om.boost);
        let pd_l: [f64; MAX_LEVELS + 1] = std::array::from_fn(|a| py_int(cyc[a]));
        if op == 0 {
            // caal[a] = prod(i1[a..=M]), then 1, 1; reads back partial sums where size_o * (caal - 1) is nonzero
            let size_o = layer.operands[0].size_elem;
            let p_o = layer.operands[0].precision as f64;
            let p_f = layer.final_precision as f64;
            let mut caal = [1.0; MAX_LEVELS + 3];
            for a in 0..a_len {
                let mut q = 1.0;
                for v in &i1[a..a_len] {
                    q *= v;
                }
                caal[a] = q;
            }
            for m in 0..m_levels {
                let u = &mut om.records[m];
                *u = TransferRecord::ZERO;
                // outputs come up from below (fl) and, as partial sums, are read back down (tl)
                let reads_back = py_int(size_o * (caal[m + 1] - 1.0)) != 0.0;
                (u.prec[FL], u.prec[TL]) = if reads_back { (p_o, p_o) } else { (p_f, 0.0) };
                let da = py_int(elem_u[m] * boost[m]);
                u.set(FL, pd_l[m], pcl[m], da);
                if psum[m] {
                    u.set(TL, pd_l[m], pcl[m], da);
                }
                if m + 1 < m_levels {
                    // nothing moves above the top level
                    let written_back = py_int(size_o * (caal[m + 2] - 1.0)) != 0.0;
                    (u.prec[TH], u.prec[FH]) = if written_back { (p_o, p_o) } else { (p_f, 0.0) };
                    u.set(TH, pd_l[m + 1], pcl[m + 1], elem_u[m + 1]);
                    if psum[m + 1] {
                        u.set(FH, pd_l[m + 1], pcl[m + 1], elem_u[m + 1]);
                    }
                }
            }
        } else {
            let pr = layer.operands[op].precision as f64;
            for m in 0..m_levels {
                let u = &mut om.records[m];
                *u = TransferRecord::ZERO;
                u.prec[TL] = pr;
                u.set(TL, pd_l[m], pcl[m], elem_u[m] * boost[m]);
                if m + 1 < m_levels {
                    u.prec[FH] = pr;
                    u.set(FH, pd_l[m + 1], pcl[m + 1], elem_u[m + 1]);
                }
            }
        }
    }

    /// Instantaneous bandwidth of a record direction (reference `REQ_MEM_BW_INST`, used by Stream).
    pub fn instantaneous_bandwidth(&self, ta: &TemporalAnalysis, op: usize, m: usize, d: Direction) -> f64 {
        let t = &ta.operands[op];
        let scale = if d == Direction::RdOutToLow || d == Direction::WrInByLow { t.top_ir[m] } else { t.top_ir[m + 1] };
        py_int(self.operands[op].bandwidth(m, d.index()) * py_int(scale))
    }
}
