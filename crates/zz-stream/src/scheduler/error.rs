//! Why the list scheduler cannot produce a schedule.

use super::*;

/// Why the scheduler cannot produce a schedule (the cases in which the reference raises).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    /// The input is inconsistent.
    #[error(transparent)]
    Input(#[from] ScheduleInputError),
    /// A tensor does not fit in a memory even when it is empty.
    #[error("tensor {tensor} ({size} bit) is larger than the capacity of memory {memory} ({capacity} bit)")]
    TensorLargerThanMemory { tensor: String, size: u64, memory: String, capacity: u64 },
    /// Storing a tensor exceeds a memory's capacity at a later point of the usage timeline.
    #[error("adding tensor {tensor} to memory {memory} at t={time} overflows it")]
    MemoryOverflow { tensor: String, memory: String, time: Time },
    /// The tensors that may be evicted are too small to make room.
    #[error("memory {memory}: evictable tensors ({available} bit) are too small to free {needed} bit for {tensor}")]
    NotEnoughEvictable { tensor: String, memory: String, needed: i64, available: u64 },
    /// Making room would require evicting from the off-chip memory.
    #[error("evictions required in off-chip memory {memory} to store {tensor}; consider making it larger")]
    OffchipEviction { tensor: String, memory: String },
    /// No window with enough bandwidth on a link.
    #[error("no window of {duration} cycles with {bandwidth} bit/cycle free on link {link}")]
    NoLinkWindow { link: LinkId, duration: Time, bandwidth: f64 },
    /// No path between two cores.
    #[error("no communication path from core {0} to core {1}")]
    NoPath(CoreId, CoreId),
    /// A tensor was expected in a core's memory.
    #[error("tensor {tensor} is not stored on core {core}")]
    TensorNotOnCore { tensor: String, core: CoreId },
    /// A tensor was expected somewhere.
    #[error("tensor {0} is not stored in any memory")]
    TensorNotFound(String),
    /// A core has no top memory for a memory operand.
    #[error("core {core} has no top memory for memory operand {operand}")]
    NoMemoryForOperand { core: CoreId, operand: MemOperand },
    /// A tensor used by a CN has no priority entry for the memory it was used from.
    #[error("tensor {tensor} has no priority for memory {memory} (used by CN {cn})")]
    MissingPriority { tensor: String, memory: String, cn: String },
    /// A too-large operand without an off-chip bandwidth entry.
    #[error("CN {cn} has no off-chip bandwidth for too-large operand {operand}")]
    MissingOffchipBandwidth { cn: String, operand: MemOperand },
    /// The candidate list ran empty before all CNs were scheduled (cyclic dependencies).
    #[error("no schedulable candidate left after {scheduled} of {total} CNs (cyclic dependencies?)")]
    NoCandidate { scheduled: usize, total: usize },
    /// Anything else the reference would raise on.
    #[error("{0}")]
    Other(String),
}

pub(super) type Res<T> = Result<T, ScheduleError>;
