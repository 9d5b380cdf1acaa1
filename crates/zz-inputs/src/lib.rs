//! Input readers: accelerator, mapping and workload files (YAML and ONNX) into `zz-ir`.
//!
//! Every error names the file, the line and column, the offending key and what was
//! expected ([`InputError`]); duplicated YAML keys keep the last value (as PyYAML does)
//! and produce a [`Warning`] naming both lines.

pub mod error;
pub mod onnx;

pub use error::{InputError, Warning};
pub use onnx::{read_workload_onnx, read_workload_onnx_bytes};
