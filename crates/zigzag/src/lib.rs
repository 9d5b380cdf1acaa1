//! The zigzag-rs library: one entry point per job, inputs as paths or in memory
//! ([`Source`]), results as the `zz-report` DTOs, warnings returned as data (never printed),
//! failures as one typed [`Error`].
//!
//! * Single-core evaluation / mapping search (`zigzag-rs map`): [`evaluate`], or the staged
//!   [`single_core::SingleCoreInputs`] → [`zz_report::RunReport`].
//! * Several designs on one workload: [`compare::compare`] → [`compare::Comparison`].
//! * Multi-core scheduling (Stream): [`stream::schedule`] (fixed allocation) or the staged
//!   [`stream::prepare`] → allocation (genetic algorithm, constraint optimisation) →
//!   [`stream::StreamRun::schedule`] → [`zz_report::stream::StreamReport`]; CN granularity:
//!   [`stream::granularity`].
//! * A parameter sweep: [`sweep::sweep`] → [`sweep::SweepResult`] (CSV, JSON, Pareto front).
//!
//! The command-line tool `zigzag-rs` (crate `zz-cli`) only parses arguments, prints and writes
//! files around these calls.

pub mod compare;
pub mod design;
pub mod error;
pub mod hierarchy;
pub mod single_core;
pub mod source;
pub mod stream;
pub mod sweep;

/// YAML files as located trees (what `zigzag_rs.utils.open_yaml` returns to Python).
pub mod yaml {
    pub use zz_inputs::yaml::{Node, Value};

    /// Reads a YAML file into a located tree with PyYAML's duplicate-key rule (the last value
    /// wins; the warnings name both lines).
    pub fn read_yaml_tree(path: &std::path::Path) -> crate::Result<(Node, Vec<crate::Warning>)> {
        Ok(zz_inputs::yaml::read_yaml_tree(path)?)
    }
}

pub use error::{Error, Result, StreamFailure};
pub use single_core::{Engine, Evaluation, MapOptions, MappingType, Objective, SalsaCriterion, evaluate};
pub use source::{Read, Source};
pub use zz_inputs::{InputError, Warning};
pub use zz_ir::choice::UnknownChoice;
pub use zz_report::RunReport;

/// Makes `path` the CACTI 7 binary that costs memories with `auto_cost_extraction: true`
/// (default: `$ZIGZAG_RS_CACTI`; results are cached in `$ZIGZAG_RS_CACTI_CACHE`).
pub fn set_cacti_binary(path: std::path::PathBuf) {
    zz_inputs::cacti::set_binary(path);
}

/// Sets the number of worker threads of every parallel search (once per process, before the
/// first search; results do not depend on it).
pub fn set_thread_count(n: usize) -> Result<()> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n.max(1))
        .build_global()
        .map_err(|e| Error::Other(format!("cannot start {n} threads: {e}")))
}

/// Shortens every quoted value of a long message to a readable length.
pub fn clip_quoted_values(message: &str) -> String {
    zz_inputs::error::clip_quotes(message)
}
