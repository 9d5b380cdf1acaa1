//! The zigzag-rs library: one entry point per job, inputs as paths or in memory
//! ([`Source`]), results as the `zz-report` DTOs, warnings returned as data (never printed),
//! failures as one typed [`Error`].
//!
//! * Single-core evaluation / mapping search (`zigzag-rs map`): [`evaluate`], or the staged
//!   [`single_core::SingleCoreInputs`] → [`zz_report::RunReport`].
//! * Several designs on one workload: [`compare::compare`] → [`compare::Comparison`].
//! * A parameter sweep: [`sweep::sweep`] → [`sweep::SweepResult`] (CSV, JSON, Pareto front).
//!
//! The command-line tool `zigzag-rs` (crate `zz-cli`) only parses arguments, prints and writes
//! files around these calls.

pub mod compare;
pub mod design;
pub mod error;
pub mod single_core;
pub mod source;
pub mod sweep;

pub use error::{Error, Result, StreamFailure};
pub use single_core::{Engine, Evaluation, MapOptions, MappingType, Objective, SalsaCriterion, evaluate};
pub use source::{Read, Source};
pub use zz_inputs::{InputError, Warning};
pub use zz_report::RunReport;
