//! The one ONNX model decoder shared by both front ends (ZigZag's [`crate::onnx`] reader and
//! Stream's [`crate::stream::workload`] reader): it scans the protobuf wire format (for the
//! byte offset of every node and of damaged fields), decodes the `ModelProto`, checks the
//! graph, and owns the located errors of that prologue and the declared-shape lookup.

use prost::Message;

use super::proto::tensor_shape_proto::dimension::Value as DimValue;
use super::proto::type_proto::Value as TypeValue;
use super::proto::{GraphProto, ModelProto, TypeProto};
use super::wire;
use crate::InputError;

/// The graph checks a front end asks of the decoder (the two references differ slightly).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Checks {
    /// Key of the error when `ModelProto.graph` is missing.
    pub(crate) missing_graph_key: &'static str,
    /// Whether a graph without nodes is an error here (else the front end decides).
    pub(crate) require_nodes: bool,
}

impl Checks {
    /// ZigZag's reader: a missing graph is reported at `graph`, an empty graph is an error.
    pub(crate) const ZIGZAG: Checks = Checks { missing_graph_key: "graph", require_nodes: true };
    /// Stream's reader: a missing graph is reported at `-`; an empty graph is reported after
    /// the walk ("no nodes with inputs").
    pub(crate) const STREAM: Checks = Checks { missing_graph_key: "-", require_nodes: false };
}

/// A decoded, checked ONNX model: its graph (the rest of the `ModelProto` is not needed) and the byte offset of
/// every graph node in the file (for located errors).
#[derive(Debug)]
pub(crate) struct OnnxModel {
    /// File name used in errors and warnings.
    pub(crate) file: String,
    graph: GraphProto,
    /// Byte offset of `graph.node[i]` in the file.
    pub(crate) node_offsets: Vec<usize>,
}

impl OnnxModel {
    /// Scans and decodes a serialized `ModelProto`; `name` is the file name in errors.
    pub(crate) fn decode(name: &str, bytes: &[u8], checks: Checks) -> Result<OnnxModel, InputError> {
        let error = |column: usize, key: &str, message: String| InputError {
            file: name.to_string(),
            line: 1,
            column,
            key: key.to_string(),
            message,
        };
        let layout = wire::scan_model(bytes).map_err(|e| {
            error(e.offset + 1, "-", format!("not a valid ONNX model (damaged protobuf): {}", e.message))
        })?;
        let model = ModelProto::decode(bytes).map_err(|e| error(1, "-", format!("not a valid ONNX model: {e}")))?;
        let Some(graph) = model.graph else {
            return Err(error(
                1,
                checks.missing_graph_key,
                "not an ONNX model: `ModelProto.graph` is missing".to_string(),
            ));
        };
        if checks.require_nodes && graph.node.is_empty() {
            return Err(error(1, "graph.node", "the ONNX graph has no nodes".to_string()));
        }
        Ok(OnnxModel { file: name.to_string(), graph, node_offsets: layout.node_offsets })
    }

    /// The graph (checked present by [`OnnxModel::decode`]).
    pub(crate) fn graph(&self) -> &GraphProto {
        &self.graph
    }

    /// An error at graph node `index` (its byte offset, else column 1).
    pub(crate) fn node_error(&self, index: usize, key: String, message: String) -> InputError {
        InputError {
            file: self.file.clone(),
            line: 1,
            column: self.node_offsets.get(index).map_or(1, |o| o + 1),
            key,
            message,
        }
    }

    /// Stream's shape lookup: the first entry called `name` in `graph.input`, then
    /// `graph.output`, then `graph.value_info` decides (a non-tensor type gives `None`, a
    /// missing shape `[]`, an unknown dimension 0); else the dims of the initializer.
    pub(crate) fn first_declared_shape(&self, name: &str) -> Option<Vec<i64>> {
        let g = self.graph();
        for list in [&g.input, &g.output, &g.value_info] {
            if let Some(v) = list.iter().find(|v| v.name.as_deref() == Some(name)) {
                return tensor_dims(v.r#type.as_ref()?).map(Option::unwrap_or_default);
            }
        }
        g.initializer.iter().find(|t| t.name.as_deref() == Some(name)).map(|t| t.dims.clone())
    }
}

/// Dimensions of a tensor type: `None` for another type, `Some(None)` for a tensor without a
/// shape; a `dim_param` or missing `dim_value` reads as 0 ("unknown").
pub(crate) fn tensor_dims(t: &TypeProto) -> Option<Option<Vec<i64>>> {
    match t.value.as_ref()? {
        TypeValue::TensorType(t) => Some(t.shape.as_ref().map(|s| {
            s.dim
                .iter()
                .map(|d| match d.value {
                    Some(DimValue::DimValue(v)) => v,
                    _ => 0,
                })
                .collect()
        })),
        _ => None,
    }
}
