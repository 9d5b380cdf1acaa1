//! Readers of Stream's (multi-core) input files into `zz_ir::stream`: the accelerator with
//! its core files, the mapping, and the workload (YAML or ONNX, with the mapping's entries
//! applied to its computation nodes). Each reader has a path-based entry point and one over
//! text or bytes in memory; [`read_stream_problem`] reads all three from paths.

pub mod accelerator;
pub mod mapping;
pub mod workload;

use std::path::Path;

pub use accelerator::{CoreResolver, read_stream_accelerator, read_stream_accelerator_str};
pub use mapping::{read_stream_mapping, read_stream_mapping_str};
pub use workload::{
    read_stream_workload_onnx, read_stream_workload_onnx_bytes, read_stream_workload_yaml,
    read_stream_workload_yaml_str,
};
use zz_ir::stream::StreamProblem;

use crate::InputError;

/// Reads a multi-core run's accelerator, mapping and workload files (a workload whose name
/// ends in `.onnx` is read as ONNX, any other as YAML), in that order, collecting the
/// warnings in reading order.
pub fn read_stream_problem(
    accelerator: &Path,
    workload: &Path,
    mapping: &Path,
    resolver: &CoreResolver,
) -> Result<StreamProblem, InputError> {
    let (accelerator, mut warnings) = read_stream_accelerator(accelerator, resolver)?;
    let (stream_mapping, w) = read_stream_mapping(mapping)?;
    warnings.extend(w);
    let (workload, w) = if workload.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx")) {
        read_stream_workload_onnx(workload, &stream_mapping, &accelerator)?
    } else {
        read_stream_workload_yaml(workload, &stream_mapping, &accelerator)?
    };
    warnings.extend(w);
    Ok(StreamProblem { accelerator, workload, mapping: stream_mapping, warnings })
}
