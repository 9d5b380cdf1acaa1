//! The multi-core (Stream) model: the multi-core accelerator, the layer graph and the Stream
//! mapping, as plain data. `zz-inputs::stream` reads them; `zz-stream` schedules them.

pub mod accelerator;
pub mod mapping;
pub mod workload;

/// One multi-core problem: the three inputs of a run as read (the mapping applied to the
/// workload graph), with the readers' warnings.
#[derive(Clone, Debug)]
pub struct StreamProblem {
    /// The multi-core accelerator.
    pub accelerator: accelerator::StreamAccelerator,
    /// The layer graph (with the mapping's entries applied to its computation nodes).
    pub workload: workload::StreamWorkload,
    /// The Stream mapping.
    pub mapping: mapping::StreamMapping,
    /// Non-fatal remarks of the readers, in reading order (accelerator, mapping, workload).
    pub warnings: Vec<crate::diagnostics::Warning>,
}
