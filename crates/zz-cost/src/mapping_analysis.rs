//! Mapping analysis (reference `Mapping`): combines the spatial loops of one variant
//! (fractional or integer) with the temporal mapping and derives, per operand and memory
//! level, data sizes, partial-sum precisions and the per-direction transfer records
//! (reference `DataMovePattern`).

use crate::decouple::Decoupler;
use crate::layer_info::LayerInfo;
use crate::numeric::{py_floordiv, py_int, py_round};
use crate::spatial::SpatialAnalysis;
use crate::temporal::TemporalAnalysis;
use smallvec::SmallVec;
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
    /// Instantaneous bandwidth (used by Stream).
    pub ibw: [f64; 4],
}

/// Analysis of one operand.
#[derive(Clone, Debug, PartialEq)]
pub struct OperandMapping {
    /// Elements held by one instance at each architectural level.
    pub elem_u: SmallVec<[f64; 5]>,
    /// Bits held by one instance at each architectural level.
    pub bit_u: SmallVec<[f64; 5]>,
    /// Effective bits (streamed outer relevant loops excluded).
    pub eff_bit: SmallVec<[f64; 5]>,
    /// Transfer records per memory level.
    pub records: SmallVec<[TransferRecord; 4]>,
}

/// Mapping analysis of all operands for one spatial variant.
#[derive(Clone, Debug, PartialEq)]
pub struct MappingAnalysis {
    /// Per layer operand (0 = output).
    pub operands: SmallVec<[OperandMapping; 3]>,
}

impl MappingAnalysis {
    /// Analyses one variant. `same_data_no_access` is the reference's
    /// `access_same_data_considered_as_no_access` (True in every API path).
    pub fn new(layer: &LayerInfo, sp: &SpatialAnalysis, ta: &TemporalAnalysis, same_data_no_access: bool) -> Self {
        let n_ops = layer.operands.len();
        let total = ta.total_cycles;
        let mut operands: SmallVec<[OperandMapping; 3]> = SmallVec::new();
        // Output first: its psum flags decide its precisions.
        for op in 0..n_ops {
            let t = &ta.operands[op];
            let sm = &sp.levels[op];
            let m_levels = t.stationary.len();
            let a_len = m_levels + 1;
            // c1 products
            let mut r1: SmallVec<[f64; 5]> = SmallVec::new();
            let mut i1: SmallVec<[f64; 5]> = SmallVec::new();
            let mut flag: SmallVec<[bool; 5]> = SmallVec::new();
            let mut dec = Decoupler::new(layer, op);
            for a in 0..a_len {
                let temporal = if a == 0 { None } else { Some(&t.stationary[a - 1]) };
                let it = temporal.into_iter().flat_map(|l| l.iter().copied()).chain(sm[a].iter().copied());
                let p = dec.level_products(it);
                r1.push(p.r);
                i1.push(p.ir);
                flag.push(p.ir_above_one);
            }
            // c2 products (levels 0..=M of [[]] + [seed[a+1] ++ sm[a]])
            let mut r2: SmallVec<[f64; 5]> = SmallVec::new();
            let mut dec2 = Decoupler::new(layer, op);
            r2.push(1.0);
            let _ = dec2.level_products(std::iter::empty());
            for a in 1..a_len {
                let temporal = if a <= m_levels { Some(&t.stationary[a - 1]) } else { None };
                let it = temporal.into_iter().flat_map(|l| l.iter().copied()).chain(sm[a - 1].iter().copied());
                let p = dec2.level_products(it);
                r2.push(p.r);
            }
            let _ = &r1;
            // precisions per architectural level
            let mut prec: SmallVec<[f64; 5]> = SmallVec::new();
            let mut psum: SmallVec<[bool; 5]> = SmallVec::new();
            if op == 0 {
                for k in 0..a_len {
                    psum.push(flag[k + 1..].iter().any(|&f| f));
                }
                for k in 0..a_len {
                    prec.push(if psum[k] { layer.operands[0].precision as f64 } else { layer.final_precision as f64 });
                }
            } else {
                prec.extend(std::iter::repeat_n(layer.operands[op].precision as f64, a_len));
            }
            let mut elem_u: SmallVec<[f64; 5]> = SmallVec::new();
            let mut bit_u: SmallVec<[f64; 5]> = SmallVec::new();
            let mut eff_bit: SmallVec<[f64; 5]> = SmallVec::new();
            for a in 0..a_len {
                let mut p = 1.0;
                for v in &r2[..=a] {
                    p *= v;
                }
                let e = py_round(py_round(p));
                elem_u.push(e);
                let b = e * prec[a];
                bit_u.push(b);
                eff_bit.push(py_floordiv(b, t.top_r[a]));
            }
            // cycles per level and boost
            let mut cyc: SmallVec<[f64; 5]> = SmallVec::new();
            cyc.push(if op != 0 && same_data_no_access { t.mac_stationary } else { 1.0 });
            cyc.extend(t.cycles_cabl.iter().copied());
            let boost = &sp.boost[op];
            let low: SmallVec<[f64; 5]> = (0..a_len).map(|a| elem_u[a] * prec[a] / cyc[a]).collect();
            let high: SmallVec<[f64; 5]> = (0..a_len).map(|a| low[a] * boost[a]).collect();
            let mut records: SmallVec<[TransferRecord; 4]> = SmallVec::new();
            if op == 0 {
                // caal[a] = prod(i1[a..=M]), then 1, 1
                let mut caal: SmallVec<[f64; 7]> = SmallVec::new();
                for a in 0..a_len {
                    let mut p = 1.0;
                    for v in &i1[a..] {
                        p *= v;
                    }
                    caal.push(p);
                }
                caal.push(1.0);
                caal.push(1.0);
                let size_o = layer.operands[0].size_elem;
                let p_o = layer.operands[0].precision as f64;
                let p_f = layer.final_precision as f64;
                for m in 0..m_levels {
                    let mut u = TransferRecord::default();
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
                    records.push(u);
                }
            } else {
                let p = layer.operands[op].precision as f64;
                for m in 0..m_levels {
                    let mut u = TransferRecord::default();
                    u.prec[TL] = p;
                    u.prec[FH] = p;
                    u.bw[TL] = py_int(high[m]);
                    u.bw[FH] = py_int(low[m + 1]);
                    u.pd[TL] = py_int(cyc[m]);
                    u.pd[FH] = py_int(cyc[m + 1]);
                    u.pc[TL] = py_int(py_floordiv(total, cyc[m]));
                    u.pc[FH] = py_int(py_floordiv(total, cyc[m + 1]));
                    u.da[TL] = elem_u[m] * boost[m];
                    u.da[FH] = elem_u[m + 1];
                    records.push(u);
                }
            }
            for (m, u) in records.iter_mut().enumerate() {
                let cur = py_int(t.top_ir[m]);
                let nxt = py_int(t.top_ir[m + 1]);
                let sc = [cur, cur, nxt, nxt];
                for d in 0..4 {
                    u.ibw[d] = py_int(u.bw[d] * sc[d]);
                    u.win[d] = py_int(u.pd[d] / sc[d]);
                }
            }
            if let Some(top) = records.last_mut() {
                for d in [TH, FH] {
                    top.prec[d] = 0.0;
                    top.bw[d] = 0.0;
                    top.pd[d] = 0.0;
                    top.pc[d] = 0.0;
                    top.da[d] = 0.0;
                    top.win[d] = 0.0;
                    top.ibw[d] = 0.0;
                }
            }
            operands.push(OperandMapping { elem_u, bit_u, eff_bit, records });
        }
        MappingAnalysis { operands }
    }
}
