//! Cross-file check of a mapping's spatial-mapping dimension names against a workload.
//!
//! ZigZag silently drops a spatial unrolling on a dimension the layer lacks; that is right
//! for e.g. `OX` on a Gemm layer but hides typos (`Q, 16`), which change the answer. A
//! dimension some layer kind has but this layer lacks is kept as ZigZag does, with a warning;
//! a name that is no layer dimension at all is an error.

use zz_ir::mapping::Mapping;
use zz_ir::workload::Workload;

use crate::error::{InputError, Warning};

use super::mapping::{EntrySpans, MappingSpans};
use super::node::Pos;

pub use zz_ir::workload::KNOWN_DIMS;

/// Warnings for spatial unrollings on dimensions a layer lacks (ZigZag drops them), an error
/// for a dimension name that no layer has.
pub fn check_spatial_dims(
    mapping: &Mapping,
    spans: &MappingSpans,
    mapping_file: &str,
    workload: &Workload,
) -> Result<Vec<Warning>, InputError> {
    let mut known: Vec<&str> = KNOWN_DIMS.to_vec();
    for l in &workload.layers {
        known.extend(l.loop_dims.iter().map(|(d, _)| d.as_str()));
    }
    let no_spans = EntrySpans::default();
    let pos_of = |i: usize, oa: &str| -> Pos {
        let sp = spans.entries.get(i).unwrap_or(&no_spans);
        sp.spatial.iter().find(|(d, _)| d == oa).map(|(_, p)| *p).unwrap_or(sp.entry)
    };
    let mut warnings = Vec::new();
    for (i, entry) in mapping.entries.iter().enumerate() {
        for (oa, pairs) in entry.spatial_mapping.iter().flatten() {
            for (dim, _) in pairs {
                if !known.contains(&dim.as_str()) {
                    let pos = pos_of(i, oa);
                    let mut dims: Vec<&str> = known.clone();
                    dims.sort_unstable();
                    dims.dedup();
                    return Err(InputError {
                        file: mapping_file.to_owned(),
                        line: pos.line,
                        column: pos.column,
                        key: format!("{}.spatial_mapping.{oa}", entry.name),
                        message: format!(
                            "`{dim}` is not a layer dimension (a typo?); expected one of {}",
                            dims.join(", ")
                        ),
                    });
                }
            }
        }
    }
    for layer in workload.compute_layers() {
        let Some(entry) = mapping.entry_for(&layer.name, &layer.operator_type) else { continue };
        let i = mapping.entries.iter().position(|e| std::ptr::eq(e, entry)).unwrap_or(0);
        for (oa, pairs) in entry.spatial_mapping.iter().flatten() {
            for (dim, size) in pairs {
                if layer.size_of(dim).is_none() {
                    let own: Vec<&str> = layer.loop_dims.iter().map(|(d, _)| d.as_str()).collect();
                    warnings.push(Warning {
                        file: mapping_file.to_owned(),
                        line: pos_of(i, oa).line,
                        message: format!(
                            "entry `{}`: spatial unrolling `{dim}, {size}` on {oa} is dropped for layer {} `{}`, which has no dimension {dim} (its dimensions: {}); as in ZigZag, {oa} is then not unrolled over {dim}",
                            entry.name,
                            layer.id,
                            layer.name,
                            own.join(", ")
                        ),
                    });
                }
            }
        }
    }
    Ok(warnings)
}
