//! Input readers: accelerator, mapping and workload files (YAML and ONNX) into `zz-ir`.
//!
//! Every error names the file, the line and column, the offending key and what was
//! expected ([`InputError`]); duplicated YAML keys keep the last value (as PyYAML does)
//! and produce a [`Warning`] naming both lines.

pub mod cacti;
mod equation;
pub mod error;
pub mod onnx;
pub mod stream;
pub mod sweep;
pub mod yaml;

pub use error::{InputError, Warning};
pub use onnx::{read_workload_onnx, read_workload_onnx_bytes};
pub use yaml::{
    check_mapping_against_accelerator, check_mapping_against_workload, read_accelerator, read_accelerator_str,
    read_mapping, read_mapping_str, read_workload_yaml, read_workload_yaml_str,
};
