//! A schedule: per-CN times and cores, transfers, link and memory usage, and energy.

use super::*;

/// Energy of a schedule in the nine categories of Stream's `StreamCostModelEvaluation`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EnergyBreakdown {
    /// Σ CN energy excluding the DRAM-level part.
    pub cn_onchip: f64,
    /// Link energy of transfers from the off-chip core.
    pub cn_offchip_link: f64,
    /// Memory energy of transfers from the off-chip core + Σ CN DRAM-level energy.
    pub cn_offchip_memory: f64,
    /// Link energy of write-backs caused by evictions / memory clearing.
    pub eviction_to_offchip_link: f64,
    /// Memory energy of those write-backs.
    pub eviction_to_offchip_memory: f64,
    /// Link energy of final-output write-backs.
    pub sink_layer_output_offchip_link: f64,
    /// Memory energy of final-output write-backs.
    pub sink_layer_output_offchip_memory: f64,
    /// Link energy of core-to-core transfers.
    pub core_to_core_link: f64,
    /// Memory energy of core-to-core transfers.
    pub core_to_core_memory: f64,
}

impl EnergyBreakdown {
    /// Sum of the nine categories (in the reference's order).
    pub fn total(&self) -> f64 {
        self.cn_onchip
            + self.cn_offchip_link
            + self.cn_offchip_memory
            + self.eviction_to_offchip_link
            + self.eviction_to_offchip_memory
            + self.sink_layer_output_offchip_link
            + self.sink_layer_output_offchip_memory
            + self.core_to_core_link
            + self.core_to_core_memory
    }

    pub(super) fn add(&mut self, cause: TransferCause, link: f64, mem: f64) {
        let (l, m) = match cause {
            TransferCause::OffChip => (&mut self.cn_offchip_link, &mut self.cn_offchip_memory),
            TransferCause::CoreToCore => (&mut self.core_to_core_link, &mut self.core_to_core_memory),
            TransferCause::Eviction => (&mut self.eviction_to_offchip_link, &mut self.eviction_to_offchip_memory),
            TransferCause::SinkLayer => {
                (&mut self.sink_layer_output_offchip_link, &mut self.sink_layer_output_offchip_memory)
            }
        };
        *l += link;
        *m += mem;
    }
}

/// Why a tensor was transferred (the energy category it is booked in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferCause {
    /// Input fetched from the off-chip core.
    OffChip,
    /// Input fetched from another core.
    CoreToCore,
    /// Write-back of an evicted tensor (or of a memory cleared for a too-large operand).
    Eviction,
    /// Write-back of a final output.
    SinkLayer,
}

/// Why a tensor was removed from a memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemovalCause {
    /// Evicted (written back first if DRAM lacks it).
    Eviction,
    /// Final output written back to DRAM.
    SinkLayer,
    /// No CN needs it any more (no write-back).
    Released,
}

/// One scheduled CN.
#[derive(Clone, Debug)]
pub struct ScheduledCn {
    /// Layer id.
    pub layer: u32,
    /// Sub id.
    pub sub_id: u32,
    /// Core it ran on.
    pub core: CoreId,
    /// Start time.
    pub start: Time,
    /// End time.
    pub end: Time,
    /// Too-large operands as finally used (the scheduler clears them when the needed tensors fit after all).
    pub too_large_operands: Vec<MemOperand>,
}

/// A tensor transfer between two cores.
#[derive(Clone, Debug)]
pub struct Transfer {
    /// Index of the scheduling step (`None`: before the first CN, i.e. prefetching).
    pub step: Option<usize>,
    /// The tensor (an input tensor or a sub-tensor, see [`Schedule::sub_tensors`]).
    pub tensor: TensorId,
    /// Bits.
    pub size: u64,
    /// Sending core.
    pub sender: CoreId,
    /// Receiving core.
    pub receiver: CoreId,
    /// Memory operand under which the receiver stores it.
    pub receiver_memory_operand: MemOperand,
    /// Start time.
    pub start: Time,
    /// End time.
    pub end: Time,
    /// Links used.
    pub links: Vec<LinkId>,
    /// Fraction of each link's bandwidth used.
    pub bandwidth_fraction: f64,
    /// Link energy booked (0 for a repeated broadcast).
    pub link_energy: f64,
    /// Memory read + write energy.
    pub memory_energy: f64,
    /// Energy category.
    pub cause: TransferCause,
}

/// DRAM links reserved while a CN streams its too-large operands.
#[derive(Clone, Debug)]
pub struct Block {
    /// Scheduling step.
    pub step: usize,
    /// The CN.
    pub cn: CnId,
    /// Its core.
    pub core: CoreId,
    /// Its too-large operands.
    pub too_large_operands: Vec<MemOperand>,
    /// Earliest start asked for.
    pub requested: Time,
    /// Start of the reserved window.
    pub start: Time,
    /// Length of the window (the CN's runtime).
    pub duration: Time,
}

/// A removal of a tensor from a core's memory.
#[derive(Clone, Debug)]
pub struct Removal {
    /// Scheduling step (`None`: before the first CN).
    pub step: Option<usize>,
    /// The tensor.
    pub tensor: TensorId,
    /// The core it is removed from.
    pub core: CoreId,
    /// Memory operand used to find the memory.
    pub memory_operand: MemOperand,
    /// Time asked for.
    pub requested: Time,
    /// Time of the removal (after the write-back, if any).
    pub removed: Time,
    /// Whether a write-back to DRAM was asked for.
    pub write_back: bool,
    /// Why.
    pub cause: RemovalCause,
}

/// Kind of a communication event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A tensor transfer.
    Transfer,
    /// A DRAM-link reservation for a streamed operand.
    Block,
}

/// One event on one link.
#[derive(Clone, Debug)]
pub struct LinkTask {
    /// The link.
    pub link: LinkId,
    /// The tensor moved or streamed.
    pub tensor: TensorId,
    /// Bits/cycle used.
    pub activity: f64,
    /// Energy attributed (for blocks the CN's DRAM energy, which is not added to the totals again).
    pub energy: f64,
}

/// A communication event (Stream's `CommunicationEvent`): the same event on all links of a path.
#[derive(Clone, Debug)]
pub struct CommunicationEvent {
    /// Transfer or block.
    pub kind: EventKind,
    /// Start time.
    pub start: Time,
    /// End time.
    pub end: Time,
    /// Σ task energies.
    pub energy: f64,
    /// Sending core.
    pub sender: CoreId,
    /// Receiving core.
    pub receiver: CoreId,
    /// Per-link parts.
    pub tasks: Vec<LinkTask>,
}

/// Usage over time of one memory instance.
#[derive(Clone, Debug)]
pub struct MemoryUsage {
    /// `(time, bits)` breakpoints of the usage step function.
    pub timeline: Vec<(Time, i64)>,
    /// Maximum usage.
    pub peak: i64,
    /// Tensors still stored at the end, in storage order.
    pub stored_at_end: Vec<TensorId>,
}

/// Activity over time of one link.
#[derive(Clone, Debug)]
pub struct LinkUsage {
    /// `(time, bits/cycle in use)` breakpoints of the activity step function; the last one is at infinity.
    pub activity: Vec<(Time, i64)>,
    /// Maximum activity (blocks use the CNs' average DRAM bandwidth, so it can exceed the link bandwidth).
    pub peak: i64,
}

/// The result of [`schedule`].
#[derive(Clone, Debug)]
pub struct Schedule {
    /// Per CN (indexed like [`ScheduleInput::cns`]).
    pub cns: Vec<ScheduledCn>,
    /// CNs in the order they were scheduled.
    pub execution_order: Vec<CnId>,
    /// All transfers, in the order they were registered.
    pub transfers: Vec<Transfer>,
    /// DRAM-link blocks.
    pub blocks: Vec<Block>,
    /// All removal requests (evictions, releases, final write-backs).
    pub removals: Vec<Removal>,
    /// Communication events (transfers and blocks that added activity).
    pub communication_events: Vec<CommunicationEvent>,
    /// Per memory instance (indexed like [`crate::schedule_input::Topology::memories`]).
    pub memories: Vec<MemoryUsage>,
    /// Per link (indexed like [`crate::schedule_input::Topology::links`]).
    pub links: Vec<LinkUsage>,
    /// Sub-tensors created by cutting DRAM tensors to the slice a CN needs; their [`TensorId`]s follow the
    /// input tensors.
    pub sub_tensors: Vec<Tensor>,
    /// CNs (layer, sub-id) that needed only a slice of an input tensor held on chip only (not in DRAM), with
    /// the tensor's name: the reference stops with an AssertionError there; zigzag-rs fetches the whole tensor
    /// from the core holding it. Empty on every input the reference can schedule.
    pub unsplit_on_chip: Vec<(u32, u32, String)>,
    /// Max of all CN ends and communication-event ends.
    pub latency: Time,
    /// Energy per category.
    pub energy: EnergyBreakdown,
}
