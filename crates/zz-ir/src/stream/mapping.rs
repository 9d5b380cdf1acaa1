//! A Stream mapping as data: entries keyed by layer name, operator type or `default`, each
//! with the allowed cores (`core_allocation`), the tiling of a layer into computation nodes
//! inside one core (`intra_core_tiling`) and across cores (`inter_core_tiling`, where `*`
//! leaves the split to the constraint optimiser), layer-dimension names for generic operators
//! and a spatial mapping for cores without `dataflows`. The reader is
//! `zz_inputs::stream::mapping`.

use crate::diagnostics::Pos;
use crate::mapping::UserSpatialMapping;

/// A tiling factor as written: a number, `all`, or `*` (inter-core only: let the allocator choose).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TilingFactor {
    /// A fixed number of tiles.
    N(u64),
    /// One tile per element of the dimension.
    All,
    /// To be chosen by the constraint optimiser (inter-core tiling only).
    Wildcard,
}

/// `(layer dimension, factor)` pairs, outermost tiling first as written.
pub type Tiling = Vec<(String, TilingFactor)>;

/// One mapping entry.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamMappingEntry {
    /// `default`, an operator type (e.g. `Conv`) or a layer name.
    pub name: String,
    /// Cores the layer may run on (`[0]` when absent).
    pub core_allocation: Vec<usize>,
    /// Tiling into computation nodes within a core.
    pub intra_core_tiling: Tiling,
    /// Tiling across cores.
    pub inter_core_tiling: Tiling,
    /// Layer-dimension names for generic operators (Gemm, element-wise).
    pub layer_dimension_names: Vec<String>,
    /// Spatial mapping (used only for cores without `dataflows`).
    pub spatial_mapping: Option<UserSpatialMapping>,
    /// Where the entry starts.
    pub pos: Pos,
}

/// A Stream mapping file.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamMapping {
    /// Entries in file order.
    pub entries: Vec<StreamMappingEntry>,
    /// The file name (for messages).
    pub file: String,
}

impl StreamMapping {
    /// The entry for a node: by name, then by operator type, then `default`; a repeated name
    /// resolves to its last entry (the reference builds a dict).
    pub fn entry_for(&self, name: &str, op_type: &str) -> &StreamMappingEntry {
        let by = |n: &str| self.entries.iter().rev().find(|e| e.name == n);
        by(name).or_else(|| by(op_type)).or_else(|| by("default")).unwrap_or(&self.entries[0])
    }

    /// The `default` entry.
    pub fn default_entry(&self) -> &StreamMappingEntry {
        self.entries.iter().rev().find(|e| e.name == "default").unwrap_or(&self.entries[0])
    }
}
