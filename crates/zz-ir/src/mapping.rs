//! Mapping input: per layer name / operator type / `default`, the spatial mapping,
//! hints, temporal ordering and memory-operand links.

use crate::accelerator::MemOperand;

/// Spatial mapping as written by the user: per OA dimension, ordered `(layer dim, unrolling)` pairs.
pub type UserSpatialMapping = Vec<(String, Vec<(String, u64)>)>;

/// One entry of a temporal ordering (innermost first). `dim == "*"` is a wildcard; `size == None` is `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemporalOrderingEntry {
    /// Layer dimension (upper-cased) or `*`.
    pub dim: String,
    /// Loop size, or `None` for `*`.
    pub size: Option<u64>,
}

/// One entry of a mapping file.
#[derive(Clone, Debug, PartialEq)]
pub struct MappingEntry {
    /// Layer name, operator type, or `default`.
    pub name: String,
    /// Spatial mapping (None when absent).
    pub spatial_mapping: Option<UserSpatialMapping>,
    /// Spatial-mapping hint: per OA dimension, the layer dims to try.
    pub spatial_mapping_hint: Vec<(String, Vec<String>)>,
    /// Temporal ordering, innermost loop first.
    pub temporal_ordering: Vec<TemporalOrderingEntry>,
    /// Layer operand → memory operand, in file order (default `O→O, I→I1, W→I2`).
    pub memory_operand_links: Vec<(String, MemOperand)>,
}

impl MappingEntry {
    /// The default links `{O: O, I: I1, W: I2}`.
    pub fn default_links() -> Vec<(String, MemOperand)> {
        vec![("O".into(), MemOperand::O), ("I".into(), MemOperand::I1), ("W".into(), MemOperand::I2)]
    }
}

/// A mapping file: its entries in file order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Mapping {
    /// Entries in file order.
    pub entries: Vec<MappingEntry>,
}

impl Mapping {
    /// The entry for a layer: first match by name, then by operator type, then `default`.
    pub fn entry_for(&self, layer_name: &str, operator_type: &str) -> Option<&MappingEntry> {
        self.entries
            .iter()
            .find(|e| e.name == layer_name)
            .or_else(|| self.entries.iter().find(|e| e.name == operator_type))
            .or_else(|| self.entries.iter().find(|e| e.name == "default"))
    }
}
