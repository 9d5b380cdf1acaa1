//! YAML readers: accelerator (3.9 and legacy ≤3.8 schemas), mapping and workload files.
//!
//! Each reader parses the text into a located tree (`node`), then validates it against
//! the reference's schema with typed, located accessors (`fields`); both stay inside the
//! crate (the Stream readers in [`crate::stream`] use them too). Every failure is an
//! [`InputError`] with the file, 1-based line and column, the key path and what was
//! expected; duplicated keys keep the last value and add a [`Warning`].
//!
//! ```
//! let text = "- name: default\n  spatial_mapping: {D1: [\"K, 32\"]}\n";
//! let (mapping, warnings) = zz_inputs::yaml::read_mapping_str("m.yaml", text).unwrap();
//! assert_eq!(mapping.entries[0].name, "default");
//! assert!(warnings.is_empty());
//! ```

mod accelerator;
mod check;
mod equation;
pub(crate) mod kind;
mod spatial_dims;
pub use spatial_dims::KNOWN_DIMS;
pub(crate) mod fields;
mod legacy;
mod mapping;
pub(crate) mod node;
mod workload;

use std::path::Path;

use zz_ir::accelerator::Accelerator;
use zz_ir::mapping::Mapping;
use zz_ir::workload::Workload;

use crate::error::{InputError, Warning};

pub use accelerator::StreamCoreExtras;
pub use mapping::{EntrySpans, MappingSpans, STREAM_ONLY_KEYS, ZIGZAG_ENTRY_KEYS};
pub use node::Pos;
/// The located YAML tree (PyYAML's semantics: a duplicated key keeps the last value), for
/// callers that need a file as plain data, e.g. `zigzag_rs.utils.open_yaml`.
pub use node::{Node, Value};

/// Reads a YAML file into a located [`Node`] tree (a leading byte-order mark is skipped),
/// with the warnings of duplicated keys.
pub fn read_yaml_tree(path: &Path) -> Result<(Node, Vec<Warning>), InputError> {
    let (name, text) = read_text(path)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    node::parse(&name, text)
}
pub use workload::OPERATOR_TYPES;

use fields::Doc;

/// Reads a file as UTF-8 text; failures are reported at line 0. Returns (name for messages, text).
pub fn read_text(path: &Path) -> Result<(String, String), InputError> {
    let name = path.display().to_string();
    let fail = |message: String| InputError { file: name.clone(), line: 0, column: 0, key: "-".into(), message };
    let bytes = std::fs::read(path).map_err(|e| crate::error::unreadable(&name, &e))?;
    let is_onnx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx"));
    if is_onnx || (bytes.first() == Some(&0x08) && std::str::from_utf8(&bytes).is_err()) {
        return Err(fail(
            "this is an ONNX model, not a YAML file; ONNX models are workloads: give it to -w/--workload (were -a, -w and -m swapped?)"
                .into(),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
        InputError { line, column, ..fail(format!("the file is not UTF-8 text (invalid byte at offset {at})")) }
    })?;
    Ok((name, text))
}

/// Parses `text` (a leading BOM is ignored) and runs `read` on the located tree; readers of
/// other YAML formats (e.g. Stream's) use this with [`fields`] and [`node`].
pub(crate) fn with_doc<T>(
    name: &str,
    text: &str,
    read: impl FnOnce(&mut Doc, &node::Node) -> Result<T, InputError>,
) -> Result<(T, Vec<Warning>), InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (root, warnings) = node::parse(name, text)?;
    let mut doc = Doc::new(name, warnings);
    let value = read(&mut doc, &root)?;
    Ok((value, doc.warnings))
}

/// Reads an accelerator file (3.9 schema, legacy ≤3.8 schema, or a mix per memory).
pub fn read_accelerator(path: &Path) -> Result<(Accelerator, Vec<Warning>), InputError> {
    let (name, text) = read_text(path)?;
    read_accelerator_str(&name, &text)
}

/// Reads accelerator YAML text; `name` is used in messages.
pub fn read_accelerator_str(name: &str, text: &str) -> Result<(Accelerator, Vec<Warning>), InputError> {
    with_doc(name, text, accelerator::read)
}

/// Reads a Stream core file (a ZigZag accelerator with a required `type` and optional
/// `dataflows`, which are returned).
pub fn read_stream_core(path: &Path) -> Result<(Accelerator, StreamCoreExtras, Vec<Warning>), InputError> {
    let (name, text) = read_text(path)?;
    read_stream_core_str(&name, &text)
}

/// Reads Stream core YAML text; `name` is used in messages.
pub fn read_stream_core_str(
    name: &str,
    text: &str,
) -> Result<(Accelerator, StreamCoreExtras, Vec<Warning>), InputError> {
    with_doc(name, text, accelerator::read_stream_core).map(|((a, e), w)| (a, e, w))
}

/// Reads a ZigZag mapping file.
pub fn read_mapping(path: &Path) -> Result<(Mapping, Vec<Warning>), InputError> {
    let (name, text) = read_text(path)?;
    read_mapping_str(&name, &text)
}

/// Reads ZigZag mapping YAML text; `name` is used in messages.
pub fn read_mapping_str(name: &str, text: &str) -> Result<(Mapping, Vec<Warning>), InputError> {
    read_mapping_with_spans_str(name, text).map(|(m, _, w)| (m, w))
}

/// Reads a ZigZag mapping file and the source positions of its entries.
pub fn read_mapping_with_spans(path: &Path) -> Result<(Mapping, MappingSpans, Vec<Warning>), InputError> {
    let (name, text) = read_text(path)?;
    read_mapping_with_spans_str(&name, &text)
}

/// Reads ZigZag mapping YAML text and the source positions of its entries.
pub fn read_mapping_with_spans_str(
    name: &str,
    text: &str,
) -> Result<(Mapping, MappingSpans, Vec<Warning>), InputError> {
    with_doc(name, text, mapping::read).map(|((m, s), w)| (m, s, w))
}

/// Reads a workload file.
pub fn read_workload_yaml(path: &Path) -> Result<(Workload, Vec<Warning>), InputError> {
    let (name, text) = read_text(path)?;
    read_workload_yaml_str(&name, &text)
}

/// Reads workload YAML text; `name` is used in messages.
pub fn read_workload_yaml_str(name: &str, text: &str) -> Result<(Workload, Vec<Warning>), InputError> {
    with_doc(name, text, workload::read)
}

/// Checks a mapping against an accelerator: OA dimensions exist, each OA dimension's
/// unrolling product fits its size, and every linked memory operand is stored somewhere.
///
/// Positions come from re-reading `mapping_file` when it is a readable mapping with the
/// same entries; otherwise errors are reported at line 0. Use
/// [`check_mapping_against_accelerator_with_spans`] when the spans are at hand.
pub fn check_mapping_against_accelerator(
    mapping: &Mapping,
    mapping_file: &str,
    acc: &Accelerator,
) -> Result<(), InputError> {
    let spans = read_mapping_with_spans(Path::new(mapping_file))
        .ok()
        .filter(|(m, _, _)| m == mapping)
        .map(|(_, s, _)| s)
        .unwrap_or_default();
    check::check_with_spans(mapping, &spans, mapping_file, acc)
}

/// Checks the spatial-mapping dimension names of a mapping against a workload: warnings for
/// unrollings a layer drops (it lacks the dimension, as ZigZag allows), an error for a name
/// that is no layer dimension (a typo). Positions come from re-reading `mapping_file`.
pub fn check_mapping_against_workload(
    mapping: &Mapping,
    mapping_file: &str,
    workload: &Workload,
) -> Result<Vec<Warning>, InputError> {
    let spans = read_mapping_with_spans(Path::new(mapping_file))
        .ok()
        .filter(|(m, _, _)| m == mapping)
        .map(|(_, s, _)| s)
        .unwrap_or_default();
    spatial_dims::check_spatial_dims(mapping, &spans, mapping_file, workload)
}

/// As [`check_mapping_against_workload`], with the entry positions given (for mappings read
/// from text, e.g. with [`read_mapping_with_spans_str`]).
pub fn check_mapping_against_workload_with_spans(
    mapping: &Mapping,
    spans: &MappingSpans,
    mapping_file: &str,
    workload: &Workload,
) -> Result<Vec<Warning>, InputError> {
    spatial_dims::check_spatial_dims(mapping, spans, mapping_file, workload)
}

/// As [`check_mapping_against_accelerator`], with the entry positions given.
pub fn check_mapping_against_accelerator_with_spans(
    mapping: &Mapping,
    spans: &MappingSpans,
    mapping_file: &str,
    acc: &Accelerator,
) -> Result<(), InputError> {
    check::check_with_spans(mapping, spans, mapping_file, acc)
}
