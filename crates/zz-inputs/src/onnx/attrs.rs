//! Typed access to ONNX node attributes and small integer tensors.

use super::proto::attribute_proto::AttributeType;
use super::proto::tensor_proto::{DataLocation, DataType};
use super::proto::{AttributeProto, NodeProto, TensorProto};

/// The value of an attribute, by its declared (or, for old files without a type, apparent) type.
#[derive(Debug)]
pub(crate) enum AttrValue<'a> {
    Int(i64),
    Ints(&'a [i64]),
    Str(&'a [u8]),
    Tensor(&'a TensorProto),
    /// Any other type, by its ONNX type name.
    Other(&'static str),
}

impl AttrValue<'_> {
    /// ONNX type name, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            AttrValue::Int(_) => "INT",
            AttrValue::Ints(_) => "INTS",
            AttrValue::Str(_) => "STRING",
            AttrValue::Tensor(_) => "TENSOR",
            AttrValue::Other(t) => t,
        }
    }
}

/// The first attribute called `name` (the reference uses `list.index`, i.e. the first).
pub(crate) fn find<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name.as_deref() == Some(name))
}

/// Value of an attribute.
pub(crate) fn value(attr: &AttributeProto) -> AttrValue<'_> {
    let declared = attr.r#type.and_then(|t| AttributeType::try_from(t).ok()).unwrap_or(AttributeType::Undefined);
    let ty = if declared == AttributeType::Undefined {
        // Very old files may leave `type` unset: go by which field is filled.
        if !attr.ints.is_empty() {
            AttributeType::Ints
        } else if attr.i.is_some() {
            AttributeType::Int
        } else if attr.s.is_some() {
            AttributeType::String
        } else if attr.t.is_some() {
            AttributeType::Tensor
        } else {
            AttributeType::Undefined
        }
    } else {
        declared
    };
    match ty {
        AttributeType::Int => AttrValue::Int(attr.i.unwrap_or(0)),
        AttributeType::Ints => AttrValue::Ints(&attr.ints),
        AttributeType::String => AttrValue::Str(attr.s.as_deref().unwrap_or(&[])),
        AttributeType::Tensor => match &attr.t {
            Some(t) => AttrValue::Tensor(t),
            None => AttrValue::Other("TENSOR (empty)"),
        },
        other => AttrValue::Other(other.as_str_name()),
    }
}

/// Integer list of an attribute (INTS, or an integer TENSOR), leniently: `None` if absent or of another type.
pub(crate) fn ints_lenient(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
    match value(find(node, name)?) {
        AttrValue::Ints(v) => Some(v.to_vec()),
        AttrValue::Tensor(t) => tensor_ints(t),
        _ => None,
    }
}

/// Integer of an attribute, leniently: `None` if absent or of another type.
pub(crate) fn int_lenient(node: &NodeProto, name: &str) -> Option<i64> {
    match value(find(node, name)?) {
        AttrValue::Int(i) => Some(i),
        _ => None,
    }
}

/// String of an attribute, leniently.
pub(crate) fn str_lenient(node: &NodeProto, name: &str) -> Option<String> {
    match value(find(node, name)?) {
        AttrValue::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
        _ => None,
    }
}

/// Values of an INT64/INT32 tensor stored inside the file; `None` for other types or external data.
pub(crate) fn tensor_ints(t: &TensorProto) -> Option<Vec<i64>> {
    if t.data_location == Some(DataLocation::External as i32) {
        return None;
    }
    let dt = t.data_type.unwrap_or(0);
    if dt == DataType::Int64 as i32 {
        match &t.raw_data {
            Some(raw) if raw.len() % 8 == 0 => Some(
                raw.chunks_exact(8)
                    .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                    .collect(),
            ),
            Some(_) => None,
            None => Some(t.int64_data.clone()),
        }
    } else if dt == DataType::Int32 as i32 {
        match &t.raw_data {
            Some(raw) if raw.len() % 4 == 0 => {
                Some(raw.chunks_exact(4).map(|c| i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect())
            }
            Some(_) => None,
            None => Some(t.int32_data.iter().map(|&v| i64::from(v)).collect()),
        }
    } else {
        None
    }
}

/// Integers of an attribute the way Stream's operator parsers read them: INT, INTS or an integer
/// TENSOR by declared type, any other type by which field is filled (no type check).
pub(crate) fn ints_any(a: &AttributeProto) -> Option<Vec<i64>> {
    // INT = 2, INTS = 7, TENSOR = 4
    match a.r#type {
        Some(2) => Some(vec![a.i.unwrap_or(0)]),
        Some(7) => Some(a.ints.clone()),
        Some(4) => a.t.as_ref().map(tensor_ints_any),
        _ => {
            if !a.ints.is_empty() {
                Some(a.ints.clone())
            } else {
                a.i.map(|i| vec![i])
            }
        }
    }
}

/// Integers of a tensor, leniently (Stream's parsers): `int64_data`, else `int32_data`, else
/// the raw data as INT32 when so declared and INT64 otherwise.
fn tensor_ints_any(t: &TensorProto) -> Vec<i64> {
    if !t.int64_data.is_empty() {
        return t.int64_data.clone();
    }
    if !t.int32_data.is_empty() {
        return t.int32_data.iter().map(|&x| x as i64).collect();
    }
    if let Some(raw) = &t.raw_data {
        // INT64 = 7, INT32 = 6
        if t.data_type == Some(6) {
            return raw.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as i64).collect();
        }
        return raw
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect();
    }
    Vec::new()
}
