//! The evaluation plan: everything about a (layer, spatial mapping) pair on an accelerator that
//! stays fixed while temporal mappings vary — the context an [`crate::Evaluator`] works in and the
//! per-level, per-port tables precomputed once so the per-ordering evaluation only indexes them.

use crate::hierarchy::HierarchyInfo;
use crate::layer_info::LayerInfo;
use crate::spatial::{OperandBinding, SpatialAnalysis};
use crate::temporal::{MAX_LEVELS, MAX_OPS};
use smallvec::SmallVec;
use zz_ir::accelerator::Direction;

/// Everything about a layer and spatial mapping that stays fixed while temporal mappings vary.
#[derive(Clone, Debug)]
pub struct EvalContext<'a> {
    /// The analysed layer.
    pub layer: &'a LayerInfo,
    /// The analysed accelerator.
    pub hw: &'a HierarchyInfo,
    /// Operand → memory operand bindings.
    pub bind: &'a OperandBinding,
    /// Fractional spatial mapping (energy, allocation).
    pub spatial_frac: &'a SpatialAnalysis,
    /// Integer spatial mapping (latency).
    pub spatial_int: &'a SpatialAnalysis,
    /// Systolic drain cycles of the spatial mapping.
    pub systolic_drain: f64,
    /// Cycles per MAC operation (1.0 for digital arrays).
    pub cycles_per_op: f64,
    /// The layer's MAC energy when it does not follow from `unit_energy` (IMC arrays).
    pub mac_energy: Option<f64>,
    /// Hardware lookups resolved once for this (layer, accelerator, binding, spatial mapping).
    pub plan: EvalPlan,
    /// Fix (off by default, for parity): sum the half-shared on-loading links of an operand
    /// instead of keeping only the last one, as the reference does.
    pub sum_half_shared_onloading: bool,
}

/// Most functions one port can serve: one level per memory operand, four directions each.
pub(crate) const MAX_SERVED: usize = 3 * 4;

/// The memory attributes one operand's memory level contributes to an evaluation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LevelPlan {
    /// Capacity in bits.
    pub size: f64,
    /// Read cost per word.
    pub r_cost: f64,
    /// Write cost per word.
    pub w_cost: f64,
    /// `(bw_min, bw_max, bw_min / bw_max)` of the port serving each direction, if any.
    pub bw: [Option<(f64, f64, f64)>; 4],
    /// Index into [`EvalPlan::sharing`] of the first sharing group holding this level.
    pub share: Option<u8>,
}

/// One served function of a port, resolved to layer operand indices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServedEntry {
    /// Layer operand.
    pub op: u8,
    /// Memory level of that operand.
    pub level: u8,
    /// Direction index.
    pub dir: u8,
    /// Output reads towards low / writes from high: not part of on-/off-loading.
    pub skip_loading: bool,
    /// Widest access of this memory for this operand and direction, bits (0 if none).
    pub bw_max: f64,
}

/// A port with its served functions restricted to linked operands (reference order kept).
#[derive(Clone, Debug, PartialEq)]
pub struct PortPlan {
    /// Widest access, bits.
    pub bw_max: f64,
    /// The port serves both `I1` and `I2`.
    pub shared_by_two_inputs: bool,
    /// Range of [`EvalPlan::served`] holding this port's served functions of linked operands
    /// that can move data (an input never moves data upwards and nothing moves above an
    /// operand's top level, so those entries are left out).
    pub served: (u16, u16),
}

/// Everything [`evaluate_nest`] would otherwise look up in the hierarchy per evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalPlan {
    /// The integer spatial variant equals the fractional one (one mapping analysis suffices).
    pub same_variant: bool,
    /// Per layer operand and memory level (only the first `bind.n_levels[op]` entries are used).
    pub levels: [[LevelPlan; MAX_LEVELS]; MAX_OPS],
    /// Sharing groups as ranges of [`Self::sharing_members`].
    pub sharing: Vec<(u16, u16)>,
    /// Members `(layer operand, level)` of the sharing groups, unlinked memory operands dropped.
    pub sharing_members: Vec<(u8, u8)>,
    /// All ports that serve something, memory by memory in file order.
    pub ports: Vec<PortPlan>,
    /// The ports' served functions, port after port.
    pub served: Vec<ServedEntry>,
    /// Some port serves more functions than an evaluation handles (12; a memory listing an operand twice).
    pub oversized_port: bool,
}

impl EvalPlan {
    /// Resolves the lookups. Operands or levels beyond the fixed bounds are left out
    /// ([`evaluate_nest`] rejects such inputs before using the plan).
    pub fn new(
        layer: &LayerInfo,
        hw: &HierarchyInfo,
        bind: &OperandBinding,
        frac: &SpatialAnalysis,
        int: &SpatialAnalysis,
    ) -> Self {
        let n_ops = layer.operands.len().min(MAX_OPS).min(bind.mem_op.len());
        let fits = |x: usize, lv: usize| x < MAX_OPS && lv < MAX_LEVELS;
        let mut sharing = Vec::with_capacity(hw.sharing.len());
        let mut sharing_members = Vec::new();
        for grp in &hw.sharing {
            let start = sharing_members.len() as u16;
            sharing_members.extend(
                grp.iter()
                    .filter_map(|&(mo, lv)| bind.layer_op_of[mo.index()].map(|x| (x, lv)))
                    .filter(|&(x, lv)| fits(x as usize, lv as usize)),
            );
            sharing.push((start, sharing_members.len() as u16));
        }
        let mut levels = [[LevelPlan::default(); MAX_LEVELS]; MAX_OPS];
        for (op, row) in levels.iter_mut().enumerate().take(n_ops) {
            let m_op = bind.mem_op[op];
            for (m, lp) in row.iter_mut().enumerate().take(bind.n_levels[op].min(MAX_LEVELS)) {
                let mem = hw.memory(m_op, m);
                lp.size = mem.size;
                lp.r_cost = mem.r_cost;
                lp.w_cost = mem.w_cost;
                for d in Direction::ALL {
                    lp.bw[d.index()] = mem.bandwidth(m_op, d).map(|(mn, mx)| (mn, mx, mn / mx));
                }
                lp.share = hw
                    .sharing
                    .iter()
                    .position(|g| g.iter().any(|&(mo, lv)| mo == m_op && lv as usize == m))
                    .map(|i| i as u8);
            }
        }
        let out_mo = bind.mem_op.first().copied();
        let mut ports = Vec::new();
        let mut served_all = Vec::new();
        for mem in &hw.memories {
            for port in &mem.ports {
                let served: SmallVec<[ServedEntry; 8]> = port
                    .served
                    .iter()
                    .filter_map(|&(mo, lv, d)| {
                        let x = bind.layer_op_of[mo.index()]?;
                        let upward = d == Direction::WrInByLow || d == Direction::RdOutToHigh;
                        let above_top = lv as usize + 1 >= bind.n_levels[x as usize]
                            && (d == Direction::RdOutToHigh || d == Direction::WrInByHigh);
                        if (x != 0 && upward) || above_top {
                            return None;
                        }
                        fits(x as usize, lv as usize).then(|| ServedEntry {
                            op: x,
                            level: lv,
                            dir: d.index() as u8,
                            skip_loading: Some(mo) == out_mo
                                && (d == Direction::RdOutToLow || d == Direction::WrInByHigh),
                            bw_max: levels[x as usize][lv as usize].bw[d.index()].map(|(_, mx, _)| mx).unwrap_or(0.0),
                        })
                    })
                    .collect();
                let start = served_all.len() as u16;
                served_all.extend_from_slice(&served);
                let range = (start, served_all.len() as u16);
                ports.push(PortPlan {
                    bw_max: port.bw_max,
                    shared_by_two_inputs: port.shared_by_two_inputs,
                    served: range,
                });
            }
        }
        let oversized_port = ports.iter().any(|p| (p.served.1 - p.served.0) as usize > MAX_SERVED);
        EvalPlan {
            same_variant: int.levels == frac.levels,
            levels,
            sharing,
            sharing_members,
            ports,
            served: served_all,
            oversized_port,
        }
    }

    /// The served functions of a port.
    #[inline]
    pub fn served(&self, port: &PortPlan) -> &[ServedEntry] {
        &self.served[port.served.0 as usize..port.served.1 as usize]
    }

    /// The members of sharing group `g`.
    #[inline]
    pub fn group(&self, g: usize) -> &[(u8, u8)] {
        let (s, e) = self.sharing[g];
        &self.sharing_members[s as usize..e as usize]
    }
}
