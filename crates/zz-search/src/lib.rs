//! Mapping search for ZigZag-style single-core evaluation.
//!
//! [`spatial_generation`] proposes spatial mappings, [`loma`] enumerates loop orderings
//! ([`lpf`], [`permutations`]) and keeps the best temporal mapping, and [`network`] runs
//! every layer of a workload and sums the results, all with the reference's tie-breaking;
//! [`locality`] implements the optional inter-layer data-locality reduction of the hierarchy.

pub mod locality;
pub mod loma;
pub mod lpf;
pub mod network;
pub mod optimal;
pub mod pareto;
pub mod permutations;
pub mod pyset;
pub mod salsa;
pub mod spatial_generation;

pub use loma::{LomaOptions, Objective};
pub use network::{ImcLayerReport, LayerResult, NetworkResult, SearchOptions, Totals, search_network};
pub use pareto::{ParetoFront, TieBreak};
pub use spatial_generation::SpatialOptions;
