//! The multi-core engine (classic Stream semantics): a DNN graph on a heterogeneous
//! multi-core accelerator. Layers are split into computation nodes (CNs) with fine-grained
//! dependencies, each CN is costed on its core with the single-core engine, and a
//! contention-aware list scheduler with a memory manager produces the schedule.

mod choice;
pub mod cn;
pub mod co;
pub mod cost;
pub mod ga;
pub mod hardware;
pub mod mapping;
pub mod pipeline;
pub mod schedule_input;
pub mod scheduler;
pub mod workload;
