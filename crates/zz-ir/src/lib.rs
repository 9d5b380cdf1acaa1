//! The intermediate representation shared by every zigzag-rs stage.
//!
//! Plain data, no IO: a [`workload::Workload`] of [`workload::Layer`]s, an
//! [`accelerator::Accelerator`] (operational array + memory hierarchy) and a
//! [`mapping::Mapping`] (per-layer spatial mapping, hints, temporal ordering and
//! memory-operand links). Readers in `zz-inputs` build these; `zz-cost` and
//! `zz-search` consume them.
//!
//! ```
//! use zz_ir::accelerator::{Direction, MemOperand};
//! assert_eq!(Direction::ALL.len(), 4);
//! assert_eq!(MemOperand::parse("I2"), Some(MemOperand::I2));
//! ```

pub mod accelerator;
pub mod choice;
pub mod mapping;
pub mod workload;
