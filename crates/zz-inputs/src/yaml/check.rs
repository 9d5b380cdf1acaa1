//! Cross-file checks of a mapping against an accelerator: array dimensions, unrolling
//! sizes and memory-operand links.

use zz_ir::accelerator::Accelerator;
use zz_ir::mapping::Mapping;

use crate::error::InputError;

use super::fields::child_path;
use super::mapping::{EntrySpans, MappingSpans};
use super::node::Pos;

/// Checks every mapping entry against the accelerator, reporting positions from `spans`
/// (entries without spans are reported at line 0).
///
/// * each OA dimension of a spatial mapping exists in the operational array;
/// * the product of the unrollings on each OA dimension fits its size;
/// * each linked memory operand is stored in at least one memory.
pub fn check_with_spans(
    mapping: &Mapping,
    spans: &MappingSpans,
    mapping_file: &str,
    acc: &Accelerator,
) -> Result<(), InputError> {
    let oa = &acc.operational_array;
    let no_spans = EntrySpans::default();
    for (i, entry) in mapping.entries.iter().enumerate() {
        let sp = spans.entries.get(i).unwrap_or(&no_spans);
        let entry_path = if sp.path.is_empty() { format!("[{i}]") } else { sp.path.clone() };
        let err = |pos: Pos, key: String, message: String| InputError {
            file: mapping_file.to_owned(),
            line: pos.line,
            column: pos.column,
            key,
            message,
        };
        for (oa_dim, unrollings) in entry.spatial_mapping.iter().flatten() {
            let pos = sp.spatial.iter().find(|(d, _)| d == oa_dim).map(|(_, p)| *p).unwrap_or(sp.entry);
            let key = child_path(&child_path(&entry_path, "spatial_mapping"), oa_dim);
            let Some(size) = oa.size_of(oa_dim) else {
                return Err(err(
                    pos,
                    key,
                    format!(
                        "mapping `{}` unrolls over array dimension {oa_dim}, but accelerator `{}` has only {}",
                        entry.name,
                        acc.name,
                        oa.dimensions.join(", ")
                    ),
                ));
            };
            let product = unrollings.iter().try_fold(1u64, |acc, (_, f)| acc.checked_mul(*f));
            if product.is_none_or(|p| p > size) {
                let factors: Vec<String> = unrollings.iter().map(|(d, f)| format!("{d} {f}")).collect();
                let shown = product.map_or_else(|| "overflow".to_owned(), |p| p.to_string());
                return Err(err(
                    pos,
                    key,
                    format!(
                        "mapping `{}` unrolls {} (product {shown}) on {oa_dim}, which has only {size} units",
                        entry.name,
                        factors.join(" x ")
                    ),
                ));
            }
        }
        for (layer_op, mem_op) in &entry.memory_operand_links {
            if acc.memories_of(*mem_op).next().is_none() {
                let pos = sp.links.iter().find(|(o, _)| o == layer_op).map(|(_, p)| *p).unwrap_or(sp.entry);
                let key = child_path(&child_path(&entry_path, "memory_operand_links"), layer_op);
                return Err(err(
                    pos,
                    key,
                    format!(
                        "mapping `{}` links layer operand `{layer_op}` to memory operand `{mem_op}`, \
                         but no memory of accelerator `{}` stores `{mem_op}`",
                        entry.name, acc.name
                    ),
                ));
            }
        }
    }
    Ok(())
}
