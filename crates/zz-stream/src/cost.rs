//! Per-CN cost on each allowed core with the single-core engine (Stream 21e5ad80's
//! `ZigZagCoreMappingEstimationStage` and what `SetFixedAllocationPerformanceStage` derives
//! from each result).
//!
//! * Unique CNs: CNs of one layer with the same number of predecessors in other layers
//!   share one evaluation (the reference's `has_same_performance`); the first CN in graph
//!   order represents them.
//! * Too-large operands: a layer alone in its stack streams every operand from DRAM; otherwise
//!   per unique top memory of the core (in Python-set order), operands are kept from the
//!   smallest up while they fit, and more are moved out while the remaining capacity cannot
//!   hold the lowest level of the moved-out operands. For those operands the off-chip core's
//!   memory is added on top of the core's hierarchy.
//! * Search: spatial mappings from the core's `dataflows` (ZigZag's generator), LOMA temporal
//!   mappings, and Stream's reduction (`MinimalBandwidthLatencyStage`): the first mapping with
//!   the smallest `int(latency_total2)`, or with a DRAM level
//!   `ceil(used DRAM bandwidth / DRAM port bandwidth) × int(latency_total2)`, where the used
//!   bandwidth sums the instantaneous top-level bandwidth of the operands with the most levels
//!   (one of them counted once as broadcast, the others times the inter-core split).
//! * Derived per (CN, core): runtime `latency_total2`, off-chip energy = top-level (DRAM)
//!   energy of the too-large operands, on-chip energy = the rest, and the off-chip bandwidth
//!   per too-large operand scaled by `ideal_temporal_cycle / latency_total2`.
//!
//! One search runs per unique CN and class of identical cores (same array, memories and
//! dataflows), all in parallel (rayon); results do not depend on the thread count.

use std::sync::Arc;

use rayon::prelude::*;
use zz_cost::mapping_analysis::MappingAnalysis;
use zz_cost::numeric::{py_ceil, py_int};
use zz_cost::temporal::{LoopNest, TemporalAnalysis};
use zz_cost::{
    Allocator, CostError, CostEvaluation, EvalContext, HierarchyInfo, LayerInfo, MappingType, OperandBinding,
    SpatialSetup, TemporalMapping,
};
use zz_ir::accelerator::{Accelerator, Direction, MemOperand, Memory};
use zz_ir::mapping::{MappingEntry, UserSpatialMapping};
use zz_search::pyset::PySet;
use zz_search::spatial_generation::{self, ServedDimsOrder, SpatialOptions};

use crate::cn::CnGraph;
use zz_ir::stream::accelerator::{Core, StreamAccelerator};
use zz_ir::stream::workload::StreamWorkload;

/// Options of the per-CN search.
#[derive(Clone, Debug, PartialEq)]
pub struct CostOptions {
    /// LOMA loop-prime-factor limit (`loma_lpf_limit`, 6).
    pub lpf_limit: usize,
    /// Even or uneven temporal allocation (`temporal_mapping_type`, uneven).
    pub mapping_type: MappingType,
    /// Spatial-mapping generation (ZigZag defaults).
    pub spatial: SpatialOptions,
    /// Which latency becomes the CN runtime (and scales the off-chip bandwidth): Stream's
    /// fixed/GA flows use `latency_total2`, its constraint-optimisation flow `latency_total1`.
    pub latency_attr: LatencyAttr,
}

/// The ZigZag latency a CN's runtime is taken from (Stream's `latency_attr`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LatencyAttr {
    /// `latency_total1` (computation + on-loading).
    Total1,
    /// `latency_total2` (+ off-loading; the default).
    #[default]
    Total2,
}

impl LatencyAttr {
    /// The value of this latency in an evaluation.
    pub fn of(self, e: &CostEvaluation) -> f64 {
        match self {
            LatencyAttr::Total1 => e.latency_total1,
            LatencyAttr::Total2 => e.latency_total2,
        }
    }
}

impl Default for CostOptions {
    fn default() -> Self {
        CostOptions {
            lpf_limit: 6,
            mapping_type: MappingType::Uneven,
            spatial: SpatialOptions::default(),
            latency_attr: LatencyAttr::Total2,
        }
    }
}

/// A failed evaluation, with the CN and core.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("layer {layer} (CN {sub_id}) on core {core}: {error}")]
pub struct StreamCostError {
    /// Layer name.
    pub layer: String,
    /// Representative CN sub-id.
    pub sub_id: usize,
    /// Core id.
    pub core: usize,
    /// The single-core engine's error.
    pub error: CostError,
}

/// The chosen mapping of one (unique CN, core) evaluation.
#[derive(Clone, Debug)]
pub struct Cme {
    /// The cost-model numbers.
    pub eval: CostEvaluation,
    /// Spatial mapping (user form).
    pub spatial: UserSpatialMapping,
    /// Temporal mapping.
    pub temporal: TemporalMapping,
    /// Temporal mapping (compact form).
    pub nest: LoopNest,
    /// The hierarchy evaluated on (the core, with DRAM on top for too-large operands).
    pub accelerator: Arc<Accelerator>,
    /// Operands moved to DRAM for this evaluation.
    pub dram_operands: Vec<MemOperand>,
    /// Layer operand names in evaluation order (index = operand index of `eval`).
    pub operands: Vec<String>,
}

/// What the scheduler uses of a CN on a core.
#[derive(Clone, Debug)]
pub struct CoreCost {
    /// Core id.
    pub core: usize,
    /// The evaluation (shared between identical cores).
    pub cme: Arc<Cme>,
    /// Memory operands served from DRAM (more levels than the core has), in layer-operand order.
    pub too_large_operands: Vec<MemOperand>,
    /// `latency_total2` (the fixed-allocation path; the GA path truncates it), or
    /// `latency_total1` with [`LatencyAttr::Total1`].
    pub runtime: f64,
    /// Energy without the DRAM part of the too-large operands.
    pub onchip_energy: f64,
    /// DRAM energy of the too-large operands.
    pub offchip_energy: f64,
    /// DRAM energy per too-large operand.
    pub offchip_energy_per_operand: Vec<(MemOperand, f64)>,
    /// Required DRAM bandwidth per too-large operand `[rd_out_to_low, wr_in_by_low, rd_out_to_high, wr_in_by_high]`.
    pub offchip_bandwidth_per_op: Vec<(MemOperand, [u64; 4])>,
}

impl CoreCost {
    /// Runtime as the genetic-algorithm path sets it (`int(latency_total2)`).
    pub fn runtime_ga(&self) -> f64 {
        self.runtime.trunc()
    }
}

/// Costs of one unique CN.
#[derive(Clone, Debug)]
pub struct UniqueCost {
    /// Representative CN (index into [`CnGraph::cns`]).
    pub representative: usize,
    /// Its tiled layer (index into [`CnGraph::layers`]).
    pub layer: usize,
    /// Predecessors in other layers.
    pub nb_real_predecessors: usize,
    /// Per allowed compute core, ascending core id.
    pub cores: Vec<CoreCost>,
}

/// The cost look-up table.
#[derive(Clone, Debug)]
pub struct CostTable {
    /// Unique CNs in graph order.
    pub unique: Vec<UniqueCost>,
    /// Unique index of every CN.
    pub of_cn: Vec<usize>,
}

impl CostTable {
    /// The cost of CN `cn` on `core`.
    pub fn get(&self, cn: usize, core: usize) -> Option<&CoreCost> {
        self.unique.get(*self.of_cn.get(cn)?)?.cores.iter().find(|c| c.core == core)
    }
}

/// Stream's memory-operand links (always the default).
fn stream_links() -> Vec<(String, MemOperand)> {
    vec![("I".into(), MemOperand::I1), ("W".into(), MemOperand::I2), ("O".into(), MemOperand::O)]
}

/// Python's `hash(int(sha512(pickle.dumps(i)).hexdigest(), 16))` for small non-negative ints
/// (the hash of a ZigZag memory level with this id).
fn level_hash(id: usize) -> i64 {
    use sha2::Digest;
    let mut p: Vec<u8> = vec![0x80, 0x04];
    if id < 256 {
        p.extend_from_slice(&[0x4b, id as u8, 0x2e]);
    } else {
        p.extend_from_slice(&[0x95, 4, 0, 0, 0, 0, 0, 0, 0, 0x4d, (id & 0xff) as u8, ((id >> 8) & 0xff) as u8, 0x2e]);
    }
    let d = sha2::Sha512::digest(&p);
    const M: u128 = (1u128 << 61) - 1;
    let mut r: u128 = 0;
    for &b in d.iter() {
        r = ((r << 8) | u128::from(b)) % M;
    }
    r as i64
}

/// Memory operands of each top-level memory, in `set(top levels)` iteration order.
// reference quirk: the top memories are visited in Python `set` order (hash of the level id),
// which decides the order of the too-large operands and so of the DRAM level's ports.
fn top_memories_in_set_order(acc: &Accelerator) -> Vec<usize> {
    let mut first_seen: Vec<MemOperand> = Vec::new();
    for m in &acc.memories {
        for &op in &m.operands {
            if !first_seen.contains(&op) {
                first_seen.push(op);
            }
        }
    }
    let mut set: PySet<usize> = PySet::new();
    for op in first_seen {
        if let Some(top) = acc.memories.iter().rposition(|m| m.operands.contains(&op)) {
            set.add(level_hash(top), top);
        }
    }
    set.iter().copied().collect()
}

/// `check_core_capacity_for_node`.
fn too_large_for_capacity(core: &Core, info: &LayerInfo, alone: bool) -> Vec<MemOperand> {
    let links = stream_links();
    // reference quirk: a layer alone in its stack streams every operand from DRAM, however small.
    if alone {
        return links.iter().map(|(_, m)| *m).collect();
    }
    let acc = &core.accelerator;
    let bits_of = |m: MemOperand| -> u64 {
        let Some((lop, _)) = links.iter().find(|(_, x)| *x == m) else { return 0 };
        info.operands.iter().find(|o| &o.name == lop).map(|o| (o.size_elem * o.precision as f64) as u64).unwrap_or(0)
    };
    let lowest_capacity = |m: MemOperand| -> f64 {
        let Some(mem) = acc.memories.iter().find(|x| x.operands.contains(&m)) else { return 0.0 };
        mem.size as f64 * acc.instances(mem) as f64
    };
    let mut out = Vec::new();
    for top in top_memories_in_set_order(acc) {
        let mem = &acc.memories[top];
        let cap = mem.size;
        let mut bits: Vec<(MemOperand, u64)> = mem.operands.iter().map(|&m| (m, bits_of(m))).collect();
        let total: u64 = bits.iter().map(|b| b.1).sum();
        if cap >= total {
            continue;
        }
        bits.sort_by_key(|b| b.1);
        let mut n = bits.len();
        while cap < bits[..n].iter().map(|b| b.1).sum::<u64>() {
            n -= 1;
            if n == 0 {
                break;
            }
        }
        let rest = |n: usize| cap as i128 - bits[..n].iter().map(|b| b.1 as i128).sum::<i128>();
        let required = |n: usize| bits[n..].iter().map(|b| lowest_capacity(b.0)).sum::<f64>().round() as i128;
        if n > 0 && n < bits.len() {
            while rest(n) < required(n) {
                n -= 1;
                if n == 0 {
                    break;
                }
            }
        }
        out.extend(bits[n..].iter().map(|b| b.0));
    }
    out
}

/// The core with the off-chip memory added on top for `ops` (`add_offchip_to_core`).
fn add_offchip(core: &Accelerator, offchip: &Accelerator, ops: &[MemOperand]) -> Result<Accelerator, CostError> {
    if offchip.memories.len() != 1 {
        return Err(CostError::Invariant(format!(
            "the off-chip core must have exactly one memory, found {}",
            offchip.memories.len()
        )));
    }
    let dram = &offchip.memories[0];
    let mut m: Memory = dram.clone();
    m.operands = ops.to_vec();
    for p in &mut m.ports {
        p.allocation.retain(|(op, _)| ops.contains(op));
    }
    let mut acc = core.clone();
    acc.memories.push(m);
    Ok(acc)
}

/// Stream's `MinimalBandwidthLatencyStage` objective.
struct Objective {
    has_dram: bool,
    /// Operands with the most levels, in `set` order (`O`, `I1`, `I2`).
    with_dram: Vec<MemOperand>,
    total_dram_bw: f64,
    nb_parallel: f64,
}

impl Objective {
    fn new(acc: &Accelerator, has_dram: bool, nb_parallel: u64) -> Self {
        let mut o = Objective { has_dram, with_dram: Vec::new(), total_dram_bw: 0.0, nb_parallel: nb_parallel as f64 };
        if !has_dram {
            return o;
        }
        let ops: Vec<MemOperand> = [MemOperand::O, MemOperand::I1, MemOperand::I2]
            .into_iter()
            .filter(|op| acc.memories.iter().any(|m| m.operands.contains(op)))
            .collect();
        let levels = |op: MemOperand| acc.memories.iter().filter(|m| m.operands.contains(&op)).count();
        let max = ops.iter().map(|&op| levels(op)).max().unwrap_or(0);
        o.with_dram = ops.into_iter().filter(|&op| levels(op) == max).collect();
        if let Some(&first) = o.with_dram.first()
            && let Some(top) = acc.memories.iter().rev().find(|m| m.operands.contains(&first))
        {
            o.total_dram_bw = top.ports.iter().map(|p| p.bandwidth_max as f64).fold(0.0, f64::max);
        }
        o
    }

    fn value(&self, ctx: &EvalContext<'_>, nest: &LoopNest, e: &CostEvaluation) -> Result<f64, CostError> {
        // reference quirk: the reduction compares truncated latencies only (no energy tie-break), and
        // with DRAM the bandwidth factor counts the operands with the most levels, not the DRAM ones.
        let latency = py_int(e.latency_total2);
        if !self.has_dram {
            return Ok(latency);
        }
        let used = |op: MemOperand| -> Result<f64, CostError> {
            if !self.with_dram.contains(&op) {
                return Ok(0.0);
            }
            Ok(top_inst_bandwidth(ctx, nest, e, op, 1.0)?.iter().map(|&x| x as f64).sum())
        };
        let total = match self.with_dram.len() {
            1 => self.nb_parallel * used(self.with_dram[0])?,
            2 | 3 => {
                let Some(&b) = self.with_dram.iter().find(|&&op| op != MemOperand::O) else {
                    return Err(CostError::Invariant("no broadcast operand among the DRAM operands".into()));
                };
                let mut others = 0.0;
                for &op in self.with_dram.iter().filter(|&&op| op != b) {
                    others += used(op)?;
                }
                self.nb_parallel * others + used(b)?
            }
            _ => return Err(CostError::Invariant("no operand has a DRAM level".into())),
        };
        Ok(py_ceil(total / self.total_dram_bw) * latency)
    }
}

/// ZigZag's `get_inst_bandwidth` of the top memory level of `op` (`scaling` applied):
/// `[rd_out_to_low, wr_in_by_low, rd_out_to_high, wr_in_by_high]`.
pub fn top_inst_bandwidth(
    ctx: &EvalContext<'_>,
    nest: &LoopNest,
    e: &CostEvaluation,
    op: MemOperand,
    scaling: f64,
) -> Result<[u64; 4], CostError> {
    let (layer, hw, bind) = (ctx.layer, ctx.hw, ctx.bind);
    let cpo = ctx.cycles_per_op;
    let Some(x) = bind.layer_op_of[op.index()] else { return Ok([0; 4]) };
    let x = x as usize;
    let ta = TemporalAnalysis::new(layer, nest).map_err(CostError::Invariant)?;
    let im = MappingAnalysis::new(layer, ctx.spatial_int, nest, &ta, true);
    let n_levels = bind.n_levels[x];
    let top = n_levels - 1;
    let mut bw = [0u64; 4];
    for d in Direction::ALL {
        bw[d.index()] = py_ceil(im.instantaneous_bandwidth(&ta, x, top, d) * scaling / cpo) as u64;
    }
    // Bandwidth borrowed from the computation phase by the single-period (pc = 1) loads of
    // each port of this memory (`loading_bw_during_computation`).
    let mi = hw.levels[op.index()][top];
    let mem = &hw.memories[mi];
    let out_mo = bind.mem_op[0];
    let total_cycles = ta.total_cycles;
    let real = |x: usize, lv: usize, d: usize| -> f64 {
        let m_op = bind.mem_op[x];
        let u = &im.operands[x].records[lv];
        let bwm = hw.memory(m_op, lv).bandwidth(m_op, Direction::ALL[d]).map(|(_, mx)| mx).unwrap_or(0.0);
        if bwm == 0.0 { 0.0 } else { py_ceil(u.da[d] * u.prec[d] / bwm) }
    };
    for port in &mem.ports {
        if !port.served.iter().any(|s| s.0 == op) {
            continue;
        }
        let mut c1: Vec<(usize, usize, usize)> = Vec::new();
        let mut treq = 0.0;
        for &(mo, lv, d) in &port.served {
            if mo == out_mo && (d == Direction::RdOutToLow || d == Direction::WrInByHigh) {
                continue;
            }
            let Some(y) = bind.layer_op_of[mo.index()] else { continue };
            let r = &im.operands[y as usize].records[lv as usize];
            let pc = r.pc[d.index()];
            if pc == 0.0 {
                continue;
            }
            if pc == 1.0 {
                c1.push((y as usize, lv as usize, d.index()));
            } else {
                treq += py_ceil(im.operands[y as usize].bandwidth(lv as usize, d.index()) / cpo);
            }
        }
        let mut borrowed = 0.0;
        if !c1.is_empty() {
            let comp = py_ceil(total_cycles * cpo) + e.stall_slack_comb;
            let mut s = (((port.bw_max - treq) / port.bw_max) * comp).max(0.0);
            let tots: Vec<f64> = c1.iter().map(|&(y, lv, d)| real(y, lv, d)).collect();
            let mins: Vec<f64> = c1.iter().map(|&(y, _, _)| py_ceil(im.operands[y].bit_u[1] / port.bw_max)).collect();
            let mut red = vec![0.0; c1.len()];
            if s > 0.0 {
                let mut idx: Vec<usize> = (0..c1.len()).collect();
                idx.sort_by(|&a, &b| tots[b].partial_cmp(&tots[a]).unwrap_or(std::cmp::Ordering::Equal));
                for &i in &idx {
                    if s <= 0.0 {
                        break;
                    }
                    let r = (tots[i] - mins[i]).max(0.0).min(s);
                    red[i] += r;
                    s -= r;
                }
            }
            // Per memory operand the last (level, direction) of this port wins.
            for (k, &(y, _, _)) in c1.iter().enumerate() {
                if bind.mem_op[y] == op {
                    borrowed = py_ceil((red[k] / comp) * port.bw_max);
                }
            }
        }
        let add = py_ceil(borrowed * scaling) as u64;
        if mem.operands.contains(&MemOperand::O) {
            bw[Direction::WrInByHigh.index()] += add;
        } else {
            bw[Direction::RdOutToLow.index()] += add;
        }
    }
    Ok(bw)
}

/// Result of one search.
struct Found {
    eval: CostEvaluation,
    nest: LoopNest,
    spatial: UserSpatialMapping,
    setup_index: usize,
}

/// LOMA over one spatial mapping with the Stream objective; first best in generation order.
fn search_temporal(
    info: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
    setup: &SpatialSetup,
    opts: &CostOptions,
    obj: &Objective,
) -> Result<Option<(CostEvaluation, LoopNest, f64)>, CostError> {
    let ctx = setup.context(info, hw, bind);
    let alloc = Allocator::new(info, hw, bind, &setup.frac.levels, opts.mapping_type);
    let found = zz_search::loma::search_orderings(info, setup, &ctx, &alloc, opts.lpf_limit, &[], None, &|_| {}, obj)?;
    Ok(found.best)
}

impl zz_search::loma::OrderingObjective for Objective {
    type Key = f64;

    fn key(&self, ctx: &EvalContext<'_>, nest: &LoopNest, e: &CostEvaluation) -> Result<f64, CostError> {
        self.value(ctx, nest, e)
    }

    // reference quirk: a strictly smaller value replaces the best (the first best is kept).
    fn better(&self, a: &f64, b: &f64) -> bool {
        a < b
    }
}

/// Cycles per operation of an operator type (`get_cc_per_op`).
fn cc_per_op(op_type: &str) -> f64 {
    match op_type {
        "silu" | "sigmoid" | "exp" => 4.0,
        _ => 1.0,
    }
}

/// Runs the Stream ZigZag flow for one (layer of a CN, core).
#[allow(clippy::too_many_arguments)]
fn run_zigzag(
    tile: &zz_ir::workload::Layer,
    op_type: &str,
    core: &Core,
    offchip: &Core,
    too_large: &[MemOperand],
    spatial_mapping: Option<&UserSpatialMapping>,
    nb_parallel: u64,
    opts: &CostOptions,
) -> Result<Cme, CostError> {
    let acc = if too_large.is_empty() {
        (*core.accelerator).clone()
    } else {
        add_offchip(&core.accelerator, &offchip.accelerator, too_large)?
    };
    if acc.operational_array.is_imc {
        return Err(CostError::Unsupported(format!(
            "core `{}` is an in-memory-computing array (`is_imc: true`); classic Stream's IMC cores \
             are not modelled by `zigzag-rs stream` (use `zigzag-rs map` for a single IMC core)",
            acc.name
        )));
    }
    let hw = HierarchyInfo::new(&acc);
    let info = LayerInfo::new(tile)?;
    let links = stream_links();
    let bind = OperandBinding::new(&info, &hw, &links)?;
    let sm = core.dataflows.clone().or_else(|| spatial_mapping.cloned());
    let entry = MappingEntry {
        name: tile.name.clone(),
        spatial_mapping: sm,
        spatial_mapping_hint: Vec::new(),
        temporal_ordering: Vec::new(),
        memory_operand_links: links.clone(),
    };
    // The core is deep-copied by the reference when DRAM is added.
    // reference quirk: the core is deep-copied when DRAM is added, which re-orders the sets of
    // served array dimensions that the spatial generator's capacity clamp walks.
    let order = if too_large.is_empty() { ServedDimsOrder::AsParsed } else { ServedDimsOrder::DeepCopied };
    let candidates = spatial_generation::generate_with(&info, &hw, &bind, &entry, &opts.spatial, order)?;
    let obj = Objective::new(&acc, !too_large.is_empty(), nb_parallel);
    let mut best: Option<(Found, f64)> = None;
    let mut setups = Vec::with_capacity(candidates.len());
    for (i, sm) in candidates.into_iter().enumerate() {
        let setup = SpatialSetup::new(&info, &hw, &bind, &sm)?;
        if let Some((eval, nest, v)) = search_temporal(&info, &hw, &bind, &setup, opts, &obj)?
            && best.as_ref().is_none_or(|b| v < b.1)
        {
            best = Some((Found { eval, nest, spatial: sm, setup_index: i }, v));
        }
        setups.push(setup);
    }
    let Some((mut found, _)) = best else {
        return Err(CostError::Mapping {
            layer: tile.name.clone(),
            message: "no spatial/temporal mapping fits the core".into(),
        });
    };
    // `increase_cc_per_op`: the chosen mapping re-evaluated with the operator's cycles per op.
    let cpo = cc_per_op(op_type);
    if cpo != 1.0 {
        let setup = &setups[found.setup_index];
        let mut ctx = setup.context(&info, &hw, &bind);
        ctx.cycles_per_op = cpo;
        found.eval = zz_cost::evaluation::evaluate_nest(&ctx, &found.nest)?;
    }
    Ok(Cme {
        eval: found.eval,
        spatial: found.spatial,
        temporal: found.nest.to_mapping(),
        nest: found.nest,
        accelerator: Arc::new(acc),
        dram_operands: too_large.to_vec(),
        operands: info.operands.iter().map(|o| o.name.clone()).collect(),
    })
}

/// What the scheduler derives from a CME (`SetFixedAllocationPerformanceStage`).
fn derive(
    cme: Arc<Cme>,
    core: &Core,
    tile: &zz_ir::workload::Layer,
    op_type: &str,
    latency_attr: LatencyAttr,
) -> Result<CoreCost, CostError> {
    let links = stream_links();
    let mem_of = |lop: &str| links.iter().find(|(l, _)| l == lop).map(|(_, m)| *m);
    // Too large = more levels in the evaluated hierarchy than in the core.
    let mut too_large = Vec::new();
    for name in &cme.operands {
        let Some(m) = mem_of(name) else { continue };
        let evaluated = cme.accelerator.memories.iter().filter(|x| x.operands.contains(&m)).count();
        if evaluated > core.nb_levels(m) {
            too_large.push(m);
        }
    }
    let e = &cme.eval;
    let mut onchip = e.energy_total;
    let mut offchip = 0.0;
    let mut per_op = Vec::new();
    for &m in &too_large {
        let Some(k) = cme.operands.iter().position(|n| mem_of(n) == Some(m)) else { continue };
        let part = *e.mem_energy_breakdown[k].last().unwrap_or(&0.0);
        offchip += part;
        onchip -= part;
        per_op.push((m, part));
    }
    let latency = latency_attr.of(e);
    let mut bw = Vec::new();
    if !too_large.is_empty() {
        // Rebuild the evaluation context of the chosen mapping to get the instantaneous bandwidth.
        let hw = HierarchyInfo::new(&cme.accelerator);
        let info = LayerInfo::new(tile)?;
        let bind = OperandBinding::new(&info, &hw, &links)?;
        let setup = SpatialSetup::new(&info, &hw, &bind, &cme.spatial)?;
        let mut ctx = setup.context(&info, &hw, &bind);
        ctx.cycles_per_op = cc_per_op(op_type);
        let nest = cme.nest;
        let scaling = e.ideal_temporal_cycle / latency;
        for &m in &too_large {
            bw.push((m, top_inst_bandwidth(&ctx, &nest, e, m, scaling)?));
        }
    }
    Ok(CoreCost {
        core: core.id,
        cme,
        too_large_operands: too_large,
        runtime: latency,
        onchip_energy: onchip,
        offchip_energy: offchip,
        offchip_energy_per_operand: per_op,
        offchip_bandwidth_per_op: bw,
    })
}

/// Whether two cores give identical results (`Core.has_same_performance`).
fn same_performance(a: &Core, b: &Core) -> bool {
    a.accelerator.operational_array == b.accelerator.operational_array
        && a.accelerator.memories == b.accelerator.memories
        && a.dataflows == b.dataflows
}

/// Computes the cost table of a CN graph.
pub fn compute(
    graph: &CnGraph,
    wl: &StreamWorkload,
    acc: &StreamAccelerator,
    opts: &CostOptions,
) -> Result<CostTable, StreamCostError> {
    // Unique CNs.
    let mut unique: Vec<UniqueCost> = Vec::new();
    let mut of_cn = Vec::with_capacity(graph.cns.len());
    for (i, cn) in graph.cns.iter().enumerate() {
        let k = match unique
            .iter()
            .position(|u| u.layer == cn.layer && u.nb_real_predecessors == cn.nb_real_predecessors)
        {
            Some(k) => k,
            None => {
                unique.push(UniqueCost {
                    representative: i,
                    layer: cn.layer,
                    nb_real_predecessors: cn.nb_real_predecessors,
                    cores: Vec::new(),
                });
                unique.len() - 1
            }
        };
        of_cn.push(k);
    }
    // Jobs: (unique, core) with a representative core per class of identical cores.
    struct Job {
        unique: usize,
        core: usize,
        rep: usize,
    }
    let mut jobs: Vec<Job> = Vec::new();
    for (u, uc) in unique.iter().enumerate() {
        let tl = &graph.layers[uc.layer];
        let mut reps: Vec<usize> = Vec::new();
        for &c in &tl.possible_core_allocation {
            let Some(core) = acc.core(c) else { continue };
            if core.total_unit_count() == 0 || jobs.iter().any(|j| j.unique == u && j.core == c) {
                continue;
            }
            let rep = reps.iter().copied().find(|&r| same_performance(&acc.cores[r], core)).unwrap_or(c);
            if rep == c {
                reps.push(c);
            }
            jobs.push(Job { unique: u, core: c, rep });
        }
    }
    let offchip = acc.offchip_core();
    let run = |u: usize, c: usize| -> Result<(CoreCost, Arc<Cme>), StreamCostError> {
        let uc = &unique[u];
        let tl = &graph.layers[uc.layer];
        let core = &acc.cores[c];
        let node = wl.nodes[tl.node].computation();
        let err = |error: CostError| StreamCostError {
            layer: tl.name.clone(),
            sub_id: graph.cns[uc.representative].sub_id,
            core: c,
            error,
        };
        let info = LayerInfo::new(&tl.tile_layer).map_err(err)?;
        let alone = graph.layer_stacks.get(tl.stack).is_some_and(|s| s.len() == 1);
        let too_large = too_large_for_capacity(core, &info, alone);
        let nb_parallel = if tl.inter_core_tiling.iter().any(|(_, f)| f.is_none()) {
            1
        } else {
            tl.inter_core_tiling.iter().map(|(_, f)| f.unwrap_or(1)).product()
        };
        let cme = run_zigzag(
            &tl.tile_layer,
            &tl.op_type,
            core,
            offchip,
            &too_large,
            node.and_then(|n| n.spatial_mapping.as_ref()),
            nb_parallel,
            opts,
        )
        .map_err(err)?;
        let cme = Arc::new(cme);
        let cc = derive(cme.clone(), core, &tl.tile_layer, &tl.op_type, opts.latency_attr).map_err(err)?;
        Ok((cc, cme))
    };
    let reps: Vec<(usize, usize)> = jobs.iter().filter(|j| j.rep == j.core).map(|j| (j.unique, j.core)).collect();
    type Done = (CoreCost, Arc<Cme>);
    let results: Vec<Result<Done, StreamCostError>> = reps.par_iter().map(|&(u, c)| run(u, c)).collect();
    let mut done: Vec<((usize, usize), Done)> = Vec::with_capacity(results.len());
    for (k, r) in reps.iter().zip(results) {
        done.push((*k, r?));
    }
    for j in &jobs {
        let (cc, cme) =
            &done.iter().find(|(k, _)| *k == (j.unique, j.rep)).map(|(_, v)| v).ok_or_else(|| StreamCostError {
                layer: graph.layers[unique[j.unique].layer].name.clone(),
                sub_id: 0,
                core: j.core,
                error: CostError::Invariant("missing evaluation".into()),
            })?;
        let mut cc = cc.clone();
        if j.core != j.rep {
            let tl = &graph.layers[unique[j.unique].layer];
            cc = derive(cme.clone(), &acc.cores[j.core], &tl.tile_layer, &tl.op_type, opts.latency_attr)
                .map_err(|error| StreamCostError { layer: tl.name.clone(), sub_id: 0, core: j.core, error })?;
        }
        unique[j.unique].cores.push(cc);
    }
    for u in &mut unique {
        u.cores.sort_by_key(|c| c.core);
    }
    Ok(CostTable { unique, of_cn })
}
