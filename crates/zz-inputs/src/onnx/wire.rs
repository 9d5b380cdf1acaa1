//! Protobuf wire-format scanner: byte offsets of the graph's nodes, and where a damaged
//! (e.g. truncated) ONNX file stops being valid protobuf.
//!
//! `prost` reports *what* failed to decode but not *where*; this scanner walks the
//! top-level fields of `ModelProto`, of its `graph` and of every `NodeProto` without
//! interpreting them, so errors can say "byte offset N".

use std::ops::Range;

/// Field number of `ModelProto.graph`.
const MODEL_GRAPH: u64 = 7;
/// Field number of `GraphProto.node`.
const GRAPH_NODE: u64 = 1;

/// Deepest group nesting that is skipped before giving up (prost's own recursion limit).
const MAX_GROUP_DEPTH: usize = 100;

/// Where things are in a well-formed file.
#[derive(Debug, Default)]
pub struct Layout {
    /// Byte offset of each `graph.node` entry (its tag), in file order.
    pub node_offsets: Vec<usize>,
}

/// A structural protobuf error at a byte offset.
#[derive(Debug)]
pub struct WireError {
    /// 0-based byte offset of the offending tag or value.
    pub offset: usize,
    /// What is wrong there.
    pub message: String,
}

/// Scans a serialized `ModelProto`.
pub fn scan_model(bytes: &[u8]) -> Result<Layout, WireError> {
    let mut layout = Layout::default();
    walk(bytes, 0..bytes.len(), "ModelProto", &mut |field, _, payload| {
        if let (MODEL_GRAPH, Some(range)) = (field, payload) {
            walk(bytes, range, "GraphProto", &mut |gfield, node_at, gpayload| {
                if let (GRAPH_NODE, Some(node_range)) = (gfield, gpayload) {
                    layout.node_offsets.push(node_at);
                    walk(bytes, node_range, "NodeProto", &mut |_, _, _| Ok(()))?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(layout)
}

/// Walks the fields of one message occupying `range`, calling `on_field(field number,
/// tag offset, payload range if length-delimited)` for each.
fn walk(
    bytes: &[u8],
    range: Range<usize>,
    message: &str,
    on_field: &mut dyn FnMut(u64, usize, Option<Range<usize>>) -> Result<(), WireError>,
) -> Result<(), WireError> {
    let end = range.end;
    let mut pos = range.start;
    while pos < end {
        let tag_at = pos;
        let tag = read_varint(bytes, &mut pos, end)
            .map_err(|m| WireError { offset: tag_at, message: format!("{message}: {m} in a field tag") })?;
        let field = tag >> 3;
        let wire_type = tag & 7;
        if field == 0 {
            return Err(WireError { offset: tag_at, message: format!("{message}: field number 0 is invalid") });
        }
        let payload = skip_value(bytes, &mut pos, end, field, wire_type, 0).map_err(|(_, m)| WireError {
            offset: tag_at,
            message: format!("{message}.{} (field {field}) at byte offset {tag_at}: {m}", field_name(message, field)),
        })?;
        on_field(field, tag_at, payload)?;
    }
    Ok(())
}

/// Name of a field of the messages this scanner walks, for messages.
fn field_name(message: &str, field: u64) -> &'static str {
    match (message, field) {
        ("ModelProto", 1) => "ir_version",
        ("ModelProto", 2) => "producer_name",
        ("ModelProto", 3) => "producer_version",
        ("ModelProto", 4) => "domain",
        ("ModelProto", 5) => "model_version",
        ("ModelProto", 6) => "doc_string",
        ("ModelProto", 7) => "graph",
        ("ModelProto", 8) => "opset_import",
        ("ModelProto", 14) => "metadata_props",
        ("ModelProto", 20) => "training_info",
        ("ModelProto", 25) => "functions",
        ("GraphProto", 1) => "node",
        ("GraphProto", 2) => "name",
        ("GraphProto", 5) => "initializer",
        ("GraphProto", 10) => "doc_string",
        ("GraphProto", 11) => "input",
        ("GraphProto", 12) => "output",
        ("GraphProto", 13) => "value_info",
        ("NodeProto", 1) => "input",
        ("NodeProto", 2) => "output",
        ("NodeProto", 3) => "name",
        ("NodeProto", 4) => "op_type",
        ("NodeProto", 5) => "attribute",
        ("NodeProto", 7) => "domain",
        _ => "?",
    }
}

/// Skips one value of `wire_type`; returns the payload range of length-delimited values.
fn skip_value(
    bytes: &[u8],
    pos: &mut usize,
    end: usize,
    field: u64,
    wire_type: u64,
    depth: usize,
) -> Result<Option<Range<usize>>, (usize, String)> {
    let at = *pos;
    match wire_type {
        0 => {
            read_varint(bytes, pos, end).map_err(|m| (at, m.to_string()))?;
            Ok(None)
        }
        1 => skip_fixed(pos, end, 8).map(|()| None),
        5 => skip_fixed(pos, end, 4).map(|()| None),
        2 => {
            let len = read_varint(bytes, pos, end).map_err(|m| (at, format!("{m} in a length prefix")))?;
            let remaining = end - *pos;
            match usize::try_from(len) {
                Ok(len) if len <= remaining => {
                    let start = *pos;
                    *pos += len;
                    Ok(Some(start..start + len))
                }
                _ => Err((at, format!("declares {len} bytes but only {remaining} remain (is the file truncated?)"))),
            }
        }
        3 => {
            if depth >= MAX_GROUP_DEPTH {
                return Err((at, "groups nested too deeply".to_string()));
            }
            loop {
                if *pos >= end {
                    return Err((at, "unterminated group (is the file truncated?)".to_string()));
                }
                let inner_at = *pos;
                let tag = read_varint(bytes, pos, end).map_err(|m| (inner_at, m.to_string()))?;
                let (inner_field, inner_wt) = (tag >> 3, tag & 7);
                if inner_wt == 4 {
                    if inner_field == field {
                        return Ok(None);
                    }
                    return Err((inner_at, format!("end of group {inner_field} inside group {field}")));
                }
                skip_value(bytes, pos, end, inner_field, inner_wt, depth + 1)?;
            }
        }
        4 => Err((at, "unexpected end-of-group marker".to_string())),
        other => Err((at, format!("invalid wire type {other}"))),
    }
}

fn skip_fixed(pos: &mut usize, end: usize, n: usize) -> Result<(), (usize, String)> {
    if end - *pos < n {
        return Err((*pos, format!("needs {n} bytes but only {} remain (is the file truncated?)", end - *pos)));
    }
    *pos += n;
    Ok(())
}

/// Reads a base-128 varint from `bytes[*pos..end]`.
fn read_varint(bytes: &[u8], pos: &mut usize, end: usize) -> Result<u64, &'static str> {
    let mut value: u64 = 0;
    for shift in (0..70).step_by(7) {
        if *pos >= end {
            return Err("truncated varint");
        }
        let byte = bytes[*pos];
        *pos += 1;
        if shift == 63 && byte > 1 {
            return Err("varint overflows 64 bits");
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint longer than 10 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        let mut p = 0;
        assert_eq!(read_varint(&[0x96, 0x01], &mut p, 2), Ok(150));
        let mut p = 0;
        assert!(read_varint(&[0x96], &mut p, 1).is_err());
        let mut p = 0;
        assert!(read_varint(&[0xff; 11], &mut p, 11).is_err());
    }

    #[test]
    fn truncated_length_is_located() {
        // field 7 (graph), wire type 2, length 10, but only 2 bytes follow
        let bytes = [0x08, 0x07, 0x3a, 0x0a, 0x0a, 0x00];
        let err = scan_model(&bytes).unwrap_err();
        assert_eq!(err.offset, 2);
        assert!(err.message.contains("ModelProto.graph (field 7)"), "{}", err.message);
        assert!(err.message.contains("declares 10 bytes"), "{}", err.message);
    }

    #[test]
    fn node_offsets() {
        // graph { node {} node { name: "a" } }
        let bytes = [0x3a, 0x07, 0x0a, 0x00, 0x0a, 0x03, 0x1a, 0x01, b'a'];
        let layout = scan_model(&bytes).unwrap();
        assert_eq!(layout.node_offsets, vec![2, 4]);
    }
}
