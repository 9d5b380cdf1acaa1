//! Input contract of the Stream list scheduler ([`crate::scheduler`]).
//!
//! Plain data only: the accelerator topology as the scheduler sees it (cores, their top-level memory
//! instances, links and the chosen path between every core pair), the computation nodes (CNs) with their
//! operand tensors, the dependency edges, the per-CN cost on the allocated core, and the scheduling order.
//! Everything is addressed by dense indices ([`CoreId`], [`MemoryId`], [`LinkId`], [`CnId`], [`TensorId`]).
//!
//! The CN-generation / cost stages produce a [`ScheduleInput`]; the test-support crate builds one from a
//! reference oracle fixture (JSON) so the scheduler can be checked in isolation.
//!
//! Conventions (those of Stream at commit 21e5ad80): times are clock cycles and may be fractional (a CN
//! runtime is ZigZag's `latency_total2`, which can end in `.5`), sizes are bits, energies are in the unit of
//! the hardware description (pJ).

pub use zz_ir::accelerator::MemOperand;

/// Index of a core; equals the core id of the hardware description (Stream requires ids `0..N`).
pub type CoreId = usize;
/// Index into [`Topology::memories`].
pub type MemoryId = usize;
/// Index into [`Topology::links`].
pub type LinkId = usize;
/// Index into [`ScheduleInput::cns`].
pub type CnId = usize;
/// Index into [`ScheduleInput::tensors`] (the scheduler appends sub-tensors after these).
pub type TensorId = usize;
/// Clock cycles (fractional values occur, see the module documentation).
pub type Time = f64;

/// Everything the scheduler needs for one schedule.
#[derive(Clone, Debug, Default)]
pub struct ScheduleInput {
    /// Cores, memories and interconnect.
    pub topology: Topology,
    /// The computation nodes, in the workload graph's node order (this order decides the order of the initial
    /// off-chip placement and of prefetching).
    pub cns: Vec<SchedulerCn>,
    /// All distinct operand tensors of all CNs. CNs of one layer that use the same data (same layer operand and
    /// loop ranges, e.g. the weights of a layer tiled along OY) refer to the same tensor.
    pub tensors: Vec<Tensor>,
    /// Dependencies; at most one edge per (src, dst) pair.
    pub edges: Vec<Edge>,
    /// Candidate priority: `scheduling_order[0]` is picked first whenever it is ready. Must list every CN once.
    pub scheduling_order: Vec<CnId>,
}

/// The accelerator as the scheduler sees it.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    /// Cores indexed by id, including the off-chip (DRAM) core.
    pub cores: Vec<Core>,
    /// Unique top-level memory instances. A memory shared by several cores appears once. The order is the order
    /// in which Stream's memory manager discovers them (cores in core-graph order, then each core's top levels);
    /// it breaks ties when several copies of a tensor became available at the same time.
    pub memories: Vec<MemoryInstance>,
    /// Unique communication links (a bus is one link shared by all its cores).
    pub links: Vec<Link>,
    /// The path used between each ordered core pair (Stream uses the first shortest path).
    pub paths: Vec<Path>,
    /// The off-chip core, whose memory holds constant tensors and receives write-backs.
    pub offchip_core: CoreId,
}

/// One core.
#[derive(Clone, Debug, Default)]
pub struct Core {
    /// Core id (equal to its index in [`Topology::cores`]).
    pub id: CoreId,
    /// Human-readable name.
    pub name: String,
    /// The top level of each memory chain, in the order of the core's memory hierarchy graph. A memory operand
    /// is looked up in the first entry that serves it.
    pub top_memories: Vec<TopMemory>,
}

/// A top-level memory of a core and the memory operands it serves there.
#[derive(Clone, Debug, Default)]
pub struct TopMemory {
    /// The memory instance.
    pub memory: MemoryId,
    /// Memory operands stored in it by this core.
    pub operands: Vec<MemOperand>,
}

/// A top-level memory instance (capacity and access costs).
#[derive(Clone, Debug, Default)]
pub struct MemoryInstance {
    /// Name (e.g. `sram_2MB`); with the cores, as in `sram_2MB@0`.
    pub name: String,
    /// Capacity in bits.
    pub capacity: u64,
    /// Energy per read access of `port_bw_max` bits.
    pub read_cost: f64,
    /// Energy per write access of `port_bw_max` bits.
    pub write_cost: f64,
    /// Minimal bandwidth of the first port (bits per access at the finest granularity).
    pub port_bw_min: f64,
    /// Maximal bandwidth of the first port (bits/cycle).
    pub port_bw_max: f64,
    /// Cores that have this instance as a top memory, in core-graph order (the first one acts as the sender
    /// when the tensor leaves a shared memory).
    pub cores: Vec<CoreId>,
}

/// Kind of a communication link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkKind {
    /// One link object shared by all cores of a bus (`Any -> Any`).
    #[default]
    Bus,
    /// A directed point-to-point link.
    PointToPoint,
}

/// A communication link.
#[derive(Clone, Debug, Default)]
pub struct Link {
    /// Bits per cycle.
    pub bandwidth: f64,
    /// Energy per cycle of activity (scaled by the used bandwidth fraction).
    pub unit_energy_cost: f64,
    /// Bus or point-to-point.
    pub kind: LinkKind,
    /// Sender and receiver core of a point-to-point link.
    pub endpoints: Option<(CoreId, CoreId)>,
}

/// The links traversed from `sender` to `receiver`.
#[derive(Clone, Debug, Default)]
pub struct Path {
    /// Sending core.
    pub sender: CoreId,
    /// Receiving core.
    pub receiver: CoreId,
    /// Links in traversal order.
    pub links: Vec<LinkId>,
}

/// A computation node with its cost on the allocated core.
#[derive(Clone, Debug, Default)]
pub struct SchedulerCn {
    /// Layer id.
    pub layer: u32,
    /// Index of the CN within its layer; sub id 0 is the layer's first CN (where the cores are synchronised).
    pub sub_id: u32,
    /// Allocated core.
    pub core: CoreId,
    /// Runtime in cycles on that core.
    pub runtime: Time,
    /// Energy of the CN excluding the part spent at an added DRAM level.
    pub onchip_energy: f64,
    /// Energy spent at the DRAM level for the too-large operands.
    pub offchip_energy: f64,
    /// Memory operands that do not fit on the core and are streamed from/to DRAM during the run (order kept: it
    /// is the order in which memories are cleared and links blocked).
    pub too_large_operands: Vec<MemOperand>,
    /// Average DRAM bandwidth needed per too-large memory operand while the CN runs.
    pub offchip_bandwidth: Vec<(MemOperand, OffchipBandwidth)>,
    /// All output-irrelevant loops are at their last iteration (the CN completes its outputs; in a sink layer
    /// these outputs are written back to DRAM).
    pub produces_final_output: bool,
    /// Over how many cores the layer is split (the CN's transfers use `1 / splits` of a link's bandwidth).
    pub total_inter_core_splits: u32,
    /// All layer operands of the CN (e.g. `O`, `W`, `I`) with their memory operand and tensor.
    pub operands: Vec<CnOperand>,
    /// Index into `operands` of the output operand.
    pub output_operand: usize,
    /// Indices into `operands` of the constant operands (weights, or the network input), in the layer's order.
    pub constant_operands: Vec<usize>,
    /// Indices into `operands` of the partially constant operands.
    pub partially_constant_operands: Vec<usize>,
    /// The dimensions of the intra-core tiling (used to cut a needed DRAM tensor to the slice this CN uses).
    pub intra_core_tiling_dims: Vec<String>,
    /// The CN's loop ranges per dimension (half-open), incl. partially relevant ones such as `IY`.
    pub loop_ranges: Vec<(String, (i64, i64))>,
}

/// A layer operand of a CN.
#[derive(Clone, Debug)]
pub struct CnOperand {
    /// Layer operand name (`O`, `W`, `I`, ...).
    pub name: String,
    /// The memory operand it is linked to in this layer (`O`, `I2`, `I1`, ...).
    pub memory_operand: MemOperand,
    /// The tensor of this operand.
    pub tensor: TensorId,
}

/// Required DRAM bandwidth of a too-large operand (bits/cycle), per data direction as in ZigZag.
#[derive(Clone, Copy, Debug, Default)]
pub struct OffchipBandwidth {
    /// Read from DRAM towards the core (used for input operands).
    pub rd_out_to_low: f64,
    /// Written into DRAM by the core (used for the output operand).
    pub wr_in_by_low: f64,
    /// Read from DRAM towards a higher level.
    pub rd_out_to_high: f64,
    /// Written into DRAM from a higher level.
    pub wr_in_by_high: f64,
}

/// An operand tensor (a slice of one layer operand).
#[derive(Clone, Debug)]
pub struct Tensor {
    /// Layer that owns the data.
    pub layer: u32,
    /// The CN that created the tensor (the first CN of the layer using it).
    pub origin: CnId,
    /// Layer operand name.
    pub layer_operand: String,
    /// Memory operand on the producing side (`O` for activations produced by a CN); Stream keys several memory
    /// lookups on this operand rather than on the consumer's.
    pub memory_operand: MemOperand,
    /// Loop dimensions of the operand, in index order (e.g. `B, K, OY, OX`).
    pub loop_dims: Vec<String>,
    /// Half-open range per loop dimension.
    pub loop_ranges: Vec<(i64, i64)>,
    /// Size in bits.
    pub size: u64,
    /// Reuse factor of a constant operand (how many CNs use it); `None` for activations.
    pub base_priority: Option<i64>,
}

/// A dependency edge.
#[derive(Clone, Debug, Default)]
pub struct Edge {
    /// Producer CN.
    pub src: CnId,
    /// Consumer CN.
    pub dst: CnId,
    /// Consumer layer operand fed by the producer's output; `None` for intra-layer ordering edges.
    pub operand: Option<String>,
    /// Bits carried (0 for intra-layer edges).
    pub bits: u64,
}

/// A structural problem in a [`ScheduleInput`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid schedule input: {0}")]
pub struct ScheduleInputError(pub String);

impl ScheduleInput {
    /// Finds the CN with the given layer and sub id.
    pub fn find_cn(&self, layer: u32, sub_id: u32) -> Option<CnId> {
        self.cns.iter().position(|c| c.layer == layer && c.sub_id == sub_id)
    }

    /// Checks indices and the basic invariants the scheduler relies on.
    pub fn validate(&self) -> Result<(), ScheduleInputError> {
        let err = |m: String| Err(ScheduleInputError(m));
        let t = &self.topology;
        let nc = t.cores.len();
        if t.offchip_core >= nc {
            return err(format!("off-chip core {} does not exist", t.offchip_core));
        }
        for (i, core) in t.cores.iter().enumerate() {
            if core.id != i {
                return err(format!("core at index {i} has id {}", core.id));
            }
            for tm in &core.top_memories {
                if tm.memory >= t.memories.len() {
                    return err(format!("core {i}: unknown memory {}", tm.memory));
                }
            }
        }
        for (i, m) in t.memories.iter().enumerate() {
            if m.cores.is_empty() || m.cores.iter().any(|&c| c >= nc) {
                return err(format!("memory {i} ({}) has no or unknown cores", m.name));
            }
        }
        for p in &t.paths {
            if p.sender >= nc || p.receiver >= nc || p.links.iter().any(|&l| l >= t.links.len()) {
                return err(format!("path {}->{} refers to unknown cores or links", p.sender, p.receiver));
            }
        }
        for (i, cn) in self.cns.iter().enumerate() {
            if cn.core >= nc {
                return err(format!("CN ({}, {}) allocated to unknown core {}", cn.layer, cn.sub_id, cn.core));
            }
            if cn.output_operand >= cn.operands.len()
                || cn.constant_operands.iter().chain(&cn.partially_constant_operands).any(|&o| o >= cn.operands.len())
            {
                return err(format!("CN {i}: operand index out of range"));
            }
            if cn.operands.iter().any(|o| o.tensor >= self.tensors.len()) {
                return err(format!("CN {i}: unknown tensor"));
            }
            if cn.total_inter_core_splits == 0 {
                return err(format!("CN {i}: total_inter_core_splits is 0"));
            }
            if cn.runtime.is_nan() || cn.runtime < 0.0 {
                return err(format!("CN {i}: negative or NaN runtime"));
            }
        }
        for (i, tensor) in self.tensors.iter().enumerate() {
            if tensor.origin >= self.cns.len() {
                return err(format!("tensor {i}: unknown origin CN"));
            }
            if tensor.loop_dims.len() != tensor.loop_ranges.len() {
                return err(format!("tensor {i}: loop dims and ranges differ in length"));
            }
        }
        for e in &self.edges {
            if e.src >= self.cns.len() || e.dst >= self.cns.len() {
                return err("edge refers to an unknown CN".into());
            }
        }
        let mut seen = vec![false; self.cns.len()];
        for &c in &self.scheduling_order {
            if c >= self.cns.len() || std::mem::replace(&mut seen[c], true) {
                return err(format!("scheduling order entry {c} is unknown or repeated"));
            }
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
            let c = &self.cns[missing];
            return err(format!("CN ({}, {}) is missing from the scheduling order", c.layer, c.sub_id));
        }
        Ok(())
    }
}
