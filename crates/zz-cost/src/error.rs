//! Errors of the cost model: inputs that the reference would reject or crash on.

/// Why a layer / mapping / accelerator combination cannot be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CostError {
    /// The layer description is inconsistent.
    #[error("layer {layer}: {message}")]
    Layer {
        /// Layer name.
        layer: String,
        /// What is wrong.
        message: String,
    },
    /// The mapping does not fit the layer or accelerator.
    #[error("mapping of layer {layer}: {message}")]
    Mapping {
        /// Layer name.
        layer: String,
        /// What is wrong.
        message: String,
    },
    /// A transfer needs a port that the accelerator does not allocate.
    #[error("memory {memory}: no port serves operand {operand} direction {direction} ({context})")]
    MissingPort {
        /// Memory name.
        memory: String,
        /// Memory operand.
        operand: String,
        /// Direction name.
        direction: &'static str,
        /// Where it was needed.
        context: &'static str,
    },
    /// A memory cannot hold what the loop ordering assigns to it.
    #[error("memory {memory} too small: {message}")]
    MemoryTooSmall {
        /// Memory name.
        memory: String,
        /// Detail.
        message: String,
    },
    /// The accelerator uses a feature whose cost is not modelled: evaluating it anyway would
    /// give wrong numbers.
    #[error("{0}")]
    Unsupported(String),
    /// Internal invariant of the reference violated (the reference raises here too).
    #[error("{0}")]
    Invariant(String),
}
