//! Multi-core (Stream) result DTOs: plain, serde-serialisable data that the CLI fills from the
//! scheduler's output.
//!
//! Units: times in **cycles** (the schedule's clock), energies in **pJ**, sizes in **bits**,
//! link bandwidths in **bits/cycle**. Cores and links are referred to by their `id`, not by
//! their position in [`StreamReport::cores`] / [`StreamReport::links`].
//!
//! JSON contract: the first two keys of a serialised [`StreamReport`] are `latency` then
//! `energy`; f64 values that are integers serialise as `8194.0`; a memory timeline point is a
//! two-element array `[time, used_bits]`.

use serde::{Deserialize, Serialize};

use crate::ordered_map::OrderedMap;

/// Result of one multi-core schedule (a Stream cost-model evaluation).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamReport {
    /// Schedule latency in cycles (end of the last CN or transfer).
    pub latency: f64,
    /// Total energy in pJ (the sum of [`StreamReport::energy_buckets`]).
    pub energy: f64,
    /// Accelerator name.
    pub accelerator: String,
    /// Workload name.
    pub workload: String,
    /// Scheduling mode, e.g. `fused` or `lbl` (layer by layer).
    pub mode: String,
    /// Energy in pJ per cause, in display order, e.g. `onchip compute`, `offchip link`,
    /// `offchip memory`, `eviction link`, `eviction memory`, `sink writeback`,
    /// `core-to-core link`, `core-to-core memory`.
    pub energy_buckets: OrderedMap<f64>,
    /// Every core of the accelerator, offchip core included.
    pub cores: Vec<CoreReport>,
    /// Every communication link (core-to-core links, buses, offchip links).
    pub links: Vec<LinkReport>,
    /// Point-to-point links of the accelerator file that carry no traffic because a later bus
    /// entry connects the same cores (the reference keeps only the last connection per pair).
    pub replaced_links: usize,
    /// Every scheduled computation node (CN).
    pub cns: Vec<CnReport>,
    /// Every data transfer over one or more links.
    pub transfers: Vec<TransferReport>,
    /// Memory usage over time of the memory instances worth showing (typically the top memory
    /// of each core).
    pub memory: Vec<MemoryTimeline>,
    /// The constraint-optimisation allocation (per stack: steady state, solver status,
    /// objective, resolved split and cores per layer), when that allocator ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co: Option<serde_json::Value>,
    /// CNs that needed a slice of an input tensor held only on another core (not in DRAM), as
    /// `"CN (layer, sub-id) <- tensor"`: the reference stops with an AssertionError there;
    /// zigzag-rs fetched the whole tensor from the core holding it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsplit_on_chip_inputs: Vec<String>,
    /// What the per-CN temporal search did, when it was not the reference's LOMA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporal_search: Option<TemporalSearchReport>,
}

/// The optimal engine's per-CN searches, summed over the (unique CN, core) evaluations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TemporalSearchReport {
    /// Engine name (`optimal`).
    pub engine: String,
    /// (Unique CN, class of identical cores) evaluations.
    pub evaluations: usize,
    /// Spatial mappings searched over all evaluations.
    pub spatial_mappings: u64,
    /// Orderings of their full spaces (a float: the count can exceed 2^64).
    pub orderings: f64,
    /// Cost-model evaluations.
    pub evaluated: u64,
    /// Orderings in pruned subtrees.
    pub pruned: f64,
    /// Searches a time limit stopped (best found, not proven optimal).
    pub stopped: u64,
    /// Searches whose tie was broken in tree order instead of LOMA's generation order.
    pub inexact_ties: u64,
    /// Summed wall time of the searches in seconds (they run in parallel).
    pub seconds: f64,
}

/// One core of the accelerator and how busy it was.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoreReport {
    /// Core id, as referred to by [`CnReport::core`] and the transfers.
    pub id: usize,
    /// Display name, e.g. `core0` or `offchip`.
    pub name: String,
    /// `compute`, `pooling`, `simd` or `offchip`.
    pub kind: String,
    /// Busy fraction of the schedule, `busy_cycles / latency`, in `[0, 1]`.
    pub utilization: f64,
    /// Cycles during which a CN ran on the core.
    pub busy_cycles: f64,
    /// Peak occupancy of the core's top memory, in bits.
    pub peak_memory_bits: f64,
    /// Capacity of the core's top memory, in bits.
    pub memory_capacity_bits: f64,
}

/// One communication link.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkReport {
    /// Link id, as referred to by [`TransferReport::links`].
    pub id: usize,
    /// Display name, e.g. `core0<->core1` or `bus`.
    pub name: String,
    /// Bandwidth in bits per cycle.
    pub bandwidth: f64,
}

/// One scheduled computation node (a tile of a layer).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CnReport {
    /// Id of the layer the CN belongs to.
    pub layer: usize,
    /// Index of the CN within its layer.
    pub sub_id: usize,
    /// Layer name.
    pub name: String,
    /// Id of the core the CN ran on.
    pub core: usize,
    /// Start time in cycles.
    pub start: f64,
    /// End time in cycles.
    pub end: f64,
    /// Energy of the CN in pJ.
    pub energy: f64,
}

/// One data transfer (a tensor moved between two cores over one or more links).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransferReport {
    /// Tensor name, e.g. `I[L3, #5]`.
    pub tensor: String,
    /// Id of the layer that owns the tensor.
    pub layer: usize,
    /// Layer operand of the tensor (`I`, `W`, `O`, ...).
    pub operand: String,
    /// Id of the sending core.
    pub src_core: usize,
    /// Id of the receiving core.
    pub dst_core: usize,
    /// Ids of the links occupied by the transfer (empty for a local move).
    pub links: Vec<usize>,
    /// Start time in cycles.
    pub start: f64,
    /// End time in cycles.
    pub end: f64,
    /// Size in bits.
    pub bits: f64,
    /// Why the transfer happened: `fetch`, `eviction`, `sink`, ...
    pub cause: String,
}

/// Occupancy over time of one memory instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryTimeline {
    /// Id of the core the memory belongs to.
    pub core: usize,
    /// Memory instance name, e.g. `sram_1MB`.
    pub instance: String,
    /// Capacity in bits.
    pub capacity_bits: f64,
    /// `(time in cycles, used bits)` in time order; the usage holds from that time until the next
    /// point (a step function).
    pub points: Vec<(f64, f64)>,
}

/// A layer that appears in the schedule, with the colour index the plots give it.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerInfo {
    /// Layer id.
    pub id: usize,
    /// Layer name (of its first CN).
    pub name: String,
    /// Number of CNs of the layer.
    pub cns: usize,
}

impl StreamReport {
    /// An empty report for `accelerator` and `workload` scheduled in `mode`.
    pub fn new(accelerator: impl Into<String>, workload: impl Into<String>, mode: impl Into<String>) -> Self {
        Self { accelerator: accelerator.into(), workload: workload.into(), mode: mode.into(), ..Self::default() }
    }

    /// The core with id `id`.
    pub fn core(&self, id: usize) -> Option<&CoreReport> {
        self.cores.iter().find(|c| c.id == id)
    }

    /// Display name of core `id` (`core<id>` when unknown).
    pub fn core_name(&self, id: usize) -> String {
        self.core(id).map_or_else(|| format!("core{id}"), |c| c.name.clone())
    }

    /// The link with id `id`.
    pub fn link(&self, id: usize) -> Option<&LinkReport> {
        self.links.iter().find(|l| l.id == id)
    }

    /// Display name of link `id` (`link<id>` when unknown).
    pub fn link_name(&self, id: usize) -> String {
        self.link(id).map_or_else(|| format!("link{id}"), |l| l.name.clone())
    }

    /// The layers of the CNs, sorted by id, each named after its first CN.
    pub fn layers(&self) -> Vec<LayerInfo> {
        let mut layers: Vec<LayerInfo> = Vec::new();
        for cn in &self.cns {
            match layers.binary_search_by_key(&cn.layer, |l| l.id) {
                Ok(i) => layers[i].cns += 1,
                Err(i) => layers.insert(i, LayerInfo { id: cn.layer, name: cn.name.clone(), cns: 1 }),
            }
        }
        layers
    }

    /// End of the time axis of the plots: the latency, or the last CN / transfer / memory event
    /// when later (never below 1).
    pub fn time_span(&self) -> f64 {
        let mut t = if self.latency.is_finite() { self.latency } else { 0.0 };
        t = self.cns.iter().map(|c| c.end).fold(t, f64_max);
        t = self.transfers.iter().map(|x| x.end).fold(t, f64_max);
        for m in &self.memory {
            t = m.points.iter().map(|p| p.0).fold(t, f64_max);
        }
        if t > 0.0 { t } else { 1.0 }
    }

    /// Rows of the Gantt charts: every core (in [`StreamReport::cores`] order, then cores that
    /// only CNs or transfers mention), then every link.
    pub fn gantt_rows(&self) -> Vec<GanttRow> {
        let mut rows: Vec<GanttRow> =
            self.cores.iter().map(|c| GanttRow::Core { id: c.id, name: c.name.clone() }).collect();
        let mut extra: Vec<usize> = self.cns.iter().map(|c| c.core).filter(|&id| self.core(id).is_none()).collect();
        extra.sort_unstable();
        extra.dedup();
        rows.extend(extra.into_iter().map(|id| GanttRow::Core { id, name: format!("core{id}") }));
        rows.extend(self.links.iter().map(|l| GanttRow::Link { id: l.id, name: l.name.clone() }));
        let mut extra: Vec<usize> =
            self.transfers.iter().flat_map(|t| t.links.iter().copied()).filter(|&id| self.link(id).is_none()).collect();
        extra.sort_unstable();
        extra.dedup();
        rows.extend(extra.into_iter().map(|id| GanttRow::Link { id, name: format!("link{id}") }));
        rows
    }
}

/// One row of a Gantt chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GanttRow {
    /// A core row (CN bars).
    Core {
        /// Core id.
        id: usize,
        /// Core name.
        name: String,
    },
    /// A link row (transfer bars).
    Link {
        /// Link id.
        id: usize,
        /// Link name.
        name: String,
    },
}

impl GanttRow {
    /// The row's label.
    pub fn name(&self) -> &str {
        match self {
            Self::Core { name, .. } | Self::Link { name, .. } => name,
        }
    }
}

/// `f64::max` that ignores NaN on either side.
pub(crate) fn f64_max(a: f64, b: f64) -> f64 {
    if b.is_finite() && b > a { b } else { a }
}
