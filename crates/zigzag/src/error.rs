//! The facade's one error type: every failure a caller reacts to, as a variant (never a
//! message to grep). `Display` gives the message the command line prints.

use std::path::PathBuf;

/// Everything that can go wrong in a facade call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad input file or text: file, line, column, key and what was expected.
    #[error(transparent)]
    Input(#[from] zz_inputs::InputError),
    /// An option value or combination the inputs do not allow (e.g. a `*` tiling with the
    /// genetic algorithm); `message` says what to change.
    #[error("{message}")]
    InvalidOption {
        /// What was wrong and what to do.
        message: String,
    },
    /// A kind of input the facade cannot take (yet), with the reason.
    #[error("{0}")]
    Unsupported(String),
    /// The single-core search of a layer failed (e.g. no loop ordering fits the memories).
    #[error("{context}: {error}")]
    Search {
        /// The inputs, e.g. the workload's path.
        context: String,
        /// The failing layer and why.
        error: Box<zz_search::network::LayerError>,
    },
    /// The cost model gave a non-finite energy or latency (a zero somewhere in the inputs).
    #[error(
        "{context}: the cost model gives a non-finite result ({detail}); this comes from a zero in the inputs: a memory port bandwidth of 0, a memory size of 0, an operational array dimension of size 0 or a layer dimension of size 0 (e.g. an ONNX `value_info` dimension 0); make them positive"
    )]
    NonFinite {
        /// The inputs, e.g. `workload on accelerator`.
        context: String,
        /// The first non-finite layer (or the totals) with its numbers.
        detail: String,
    },
    /// A multi-core (Stream) run could not be prepared, allocated or scheduled.
    #[error("{context}: {message}{}", hint.map(|h| format!("\nhint: {h}")).unwrap_or_default())]
    Stream {
        /// The file the problem is most likely in.
        context: String,
        /// What failed.
        message: String,
        /// What to change in the inputs, when known.
        hint: Option<&'static str>,
        /// What kind of failure it is.
        kind: StreamFailure,
    },
    /// Reading or writing a file (not an input-format problem).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Any other failure (e.g. a plot that could not be drawn).
    #[error("{0}")]
    Other(String),
}

/// The kinds of multi-core failure a caller may react to differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamFailure {
    /// A layer's core is left open by the mapping and no allocation was given.
    NoCore,
    /// The scheduling order cannot interleave the fused layers' tilings.
    Interleaving,
    /// A `*` inter-core tiling that only the constraint optimiser resolves.
    UnresolvedWildcard,
    /// CN generation, costing, allocation or ordering failed otherwise.
    Pipeline,
    /// The constraint-optimisation allocation failed.
    ConstraintOptimisation,
    /// The genetic algorithm found no allocation (or none meeting the constraints).
    GeneticAlgorithm,
    /// The list scheduler failed (memory overflow, no path between cores, ...).
    Schedule,
}

impl Error {
    /// Whether the failure comes from the inputs (the command line exits with 2) rather than
    /// from the environment (files that cannot be written, plots: exit 1).
    pub fn is_input_error(&self) -> bool {
        !matches!(self, Error::Io { .. } | Error::Other(_))
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

/// The facade's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
