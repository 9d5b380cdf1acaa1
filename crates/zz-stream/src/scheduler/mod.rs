//! The COALA list scheduler of Stream (commit 21e5ad80, `CoalaScheduler`) with its memory manager and
//! communication model, reproducing the reference's schedules exactly for the same [`ScheduleInput`].
//!
//! Per scheduled CN (the ready candidate earliest in the scheduling order): optional layer synchronisation of
//! the cores, clearing of the memories of too-large operands (written back to DRAM), transfer of the needed
//! tensors (with evictions to make room, over the first shortest path, in the earliest window in which the
//! links have bandwidth left), space for the output, blocking of the DRAM links for streamed operands, then
//! priority bookkeeping that frees tensors nobody needs any more, and write-back of final outputs.
//!
//! Reference behaviour that changes numbers is reproduced and marked `reference quirk`; corrections of
//! plain bugs are opt-in through [`ScheduleOptions`].

mod coala;
mod error;
mod links;
mod memory;
mod options;
mod result;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use self::links::{LinkState, intersections};
use self::memory::{EqId, MemState};
pub use crate::schedule_input::{
    CnId, CoreId, LinkId, MemOperand, MemoryId, ScheduleInput, ScheduleInputError, Tensor, TensorId, Time,
};
use error::Res;
pub use error::ScheduleError;
pub use options::ScheduleOptions;
pub use result::*;

/// A tensor object: an input tensor or a sub-tensor created during scheduling (index = [`TensorId`]).
type ObjId = usize;

/// Schedules all CNs of `input` (see the module documentation).
pub fn schedule(input: &ScheduleInput, opts: &ScheduleOptions) -> Result<Schedule, ScheduleError> {
    input.validate()?;
    coala::run(input, opts)
}
