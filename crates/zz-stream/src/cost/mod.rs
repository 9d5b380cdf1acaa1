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

mod bandwidth;
mod memories;
mod objective;
mod search;

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
use zz_ir::stream::accelerator::{StreamAccelerator, StreamCore};
use zz_ir::stream::workload::StreamWorkload;

use bandwidth::top_downward_bandwidth;
pub use bandwidth::top_inst_bandwidth;
use memories::{add_offchip, stream_links, too_large_for_capacity};
use objective::Objective;
use search::{derive, run_zigzag};

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
    /// Beyond the reference: the optimal engine instead of LOMA (the best temporal mapping of
    /// the full ordering space under Stream's objective; LOMA at `lpf_limit` gives its first
    /// incumbent).
    pub optimal: Option<zz_search::optimal::OptimalOptions>,
}

/// What the optimal engine did for one (CN, core), summed over its spatial mappings.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SearchStats {
    /// Spatial mappings searched.
    pub searches: u32,
    /// Orderings of their full spaces.
    pub space: u128,
    /// Cost-model evaluations.
    pub evaluated: u64,
    /// Orderings in pruned subtrees.
    pub pruned: u128,
    /// Searches a time limit stopped (their results are the best found, not proven).
    pub stopped: u32,
    /// Searches whose tie among equally good orderings was not broken as exhaustive enumeration
    /// would (see [`zz_search::optimal::OptimalStats::tie_break_exact`]).
    pub inexact_ties: u32,
    /// Wall time of the searches.
    pub seconds: f64,
}

impl SearchStats {
    /// Adds another (CN, core)'s searches.
    pub fn merge(&mut self, o: &SearchStats) {
        self.searches += o.searches;
        self.space = self.space.saturating_add(o.space);
        self.evaluated += o.evaluated;
        self.pruned = self.pruned.saturating_add(o.pruned);
        self.stopped += o.stopped;
        self.inexact_ties += o.inexact_ties;
        self.seconds += o.seconds;
    }

    /// Adds one spatial mapping's search.
    pub fn add(&mut self, s: &zz_search::optimal::OptimalStats) {
        self.searches += 1;
        self.space = self.space.saturating_add(s.space);
        self.evaluated += s.evaluated;
        self.pruned = self.pruned.saturating_add(s.pruned);
        self.stopped += s.time_limit_hit as u32;
        self.inexact_ties += !s.tie_break_exact as u32;
        self.seconds += s.seconds;
    }
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
            optimal: None,
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
    /// With the optimal engine: what its searches did.
    pub search: Option<SearchStats>,
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

    /// With the optimal engine: its searches summed over the evaluations (one per unique CN and
    /// class of identical cores) and the number of evaluations.
    pub fn search_stats(&self) -> Option<(SearchStats, usize)> {
        let mut seen: Vec<&Arc<Cme>> = Vec::new();
        let mut total: Option<SearchStats> = None;
        for c in self.unique.iter().flat_map(|u| &u.cores) {
            if seen.iter().any(|s| Arc::ptr_eq(s, &c.cme)) {
                continue;
            }
            seen.push(&c.cme);
            if let Some(st) = &c.cme.search {
                total.get_or_insert_with(SearchStats::default).merge(st);
            }
        }
        total.map(|t| (t, seen.len()))
    }
}

/// Whether two cores give identical results (`Core.has_same_performance`).
fn same_performance(a: &StreamCore, b: &StreamCore) -> bool {
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
