//! ONNX workload reader (spec §2.8), ZigZag's front end: every graph node becomes a [`Layer`],
//! in node order. This module owns ZigZag's operator builders and their table; the decoding
//! shared with Stream's reader ([`crate::stream::workload`]) lives in the submodules: `model`
//! (scan + decode + graph checks, declared shapes), `graph` (the walk over the nodes and the
//! operator table machinery), `attrs` (attribute access), `wire` (byte offsets), `shapes`
//! (ZigZag's shape table with its propagation) and `proto` (the protobuf types).
//!
//! `Conv`/`QLinearConv` and `Gemm`/`MatMul` nodes become compute layers built exactly as the
//! reference's ONNX parsers build them; every other node becomes a [`LayerKind::Dummy`] that
//! only keeps the graph connected. Only the protobuf itself is read: external weight files are
//! never opened (only shapes matter). Shapes come from the file (`graph.input`, `graph.output`,
//! `graph.value_info`, initializer dims) or, when missing, from a small shape propagation.
//!
//! Errors are [`InputError`]s with line 1 and the 1-based byte column of the offending node (or
//! of the damaged protobuf field) when it is known, else column 1.
//!
//! Where this reader is stricter than the reference: `If` nodes are rejected (the reference
//! merges the larger branch of a single `If`); a Conv `auto_pad` other than `NOTSET`, 3-D
//! convolutions and unknown (0 / symbolic) loop sizes are errors instead of silently odd layers;
//! empty (absent optional) tensor names never create graph edges. Dummy nodes carry the
//! lower-cased op type (`relu`, `add`, ...), as the reference's `DummyNode` does.

pub(crate) mod attrs;
pub(crate) mod graph;
pub(crate) mod model;
/// The ONNX protobuf types (generated once, committed): public so that callers can build
/// models in memory for [`read_workload_onnx_bytes`] and the Stream ONNX reader.
pub mod proto;
mod shapes;
pub(crate) mod wire;

use std::collections::HashSet;
use std::path::Path;

use zz_ir::workload::{DimensionRelation, EquationOperand, Layer, LayerKind, Workload};

use self::attrs::AttrValue;
use self::graph::{Build, FrontEnd, Linking, NodeRef, OpTable};
use self::model::{Checks, OnnxModel};
use self::proto::NodeProto;
use self::shapes::{Origin, Shapes};
use crate::{InputError, Warning};

/// Default weight / activation precision in bits (custom attributes `weight_size`, `act_size`).
const DEFAULT_PRECISION: i64 = 8;

/// Reads an ONNX model file into a workload.
///
/// The model must carry the tensor shapes the layers need (a shape-inferred model, as the
/// reference requires); shapes that are missing are inferred for the common operators, with a
/// [`Warning`] each time a compute layer relies on such an inferred shape.
pub fn read_workload_onnx(path: &Path) -> Result<(Workload, Vec<Warning>), InputError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| crate::error::unreadable(&file, &e))?;
    read_workload_onnx_bytes(&file, &bytes)
}

/// Reads a serialized ONNX `ModelProto`; `name` is used as the file name in errors and warnings.
///
/// ```
/// let err = zz_inputs::read_workload_onnx_bytes("m.onnx", &[0x3a, 0x20]).unwrap_err();
/// assert_eq!((err.line, err.column), (1, 1));
/// assert!(err.to_string().starts_with("m.onnx:1:1:"));
/// ```
pub fn read_workload_onnx_bytes(name: &str, bytes: &[u8]) -> Result<(Workload, Vec<Warning>), InputError> {
    let model = OnnxModel::decode(name, bytes, Checks::ZIGZAG)?;
    let shapes = Shapes::new(model.graph());
    let mut reader = Reader {
        model: &model,
        shapes: &shapes,
        names: Vec::new(),
        warnings: Vec::new(),
        workload: Workload { layers: Vec::with_capacity(model.graph().node.len()), edges: Vec::new() },
        seen_edges: HashSet::new(),
    };
    // ZigZag's operator table: every operator not listed is a dummy node.
    let ops: &[(&[&str], Build<Reader<'_>>)] = &[
        (&["Conv", "QLinearConv"], |r, n| r.conv(&NodeCtx::of(n))),
        (&["Gemm", "MatMul"], |r, n| r.gemm(&NodeCtx::of(n))),
        (&["If"], |r, n| Err(r.reject_if(&NodeCtx::of(n)))),
    ];
    graph::walk(&model, &OpTable { ops, other: |_, n| Ok(dummy(&NodeCtx::of(n))) }, &mut reader)?;
    Ok((reader.workload, reader.warnings))
}

/// One node being parsed.
struct NodeCtx<'a> {
    id: usize,
    node: &'a NodeProto,
    name: String,
    op: &'a str,
    /// Ids of the earlier nodes producing the inputs.
    preds: &'a [usize],
}

impl<'a> NodeCtx<'a> {
    /// The node under its layer name (`Op<id>` when unnamed).
    fn of(n: &NodeRef<'a>) -> Self {
        let name = match n.node.name.as_deref() {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => format!("Op{}", n.id),
        };
        NodeCtx { id: n.id, node: n.node, name, op: n.op, preds: n.preds }
    }
}

struct Reader<'a> {
    model: &'a OnnxModel,
    shapes: &'a Shapes,
    /// Layer names so far (for messages about predecessors).
    names: Vec<String>,
    warnings: Vec<Warning>,
    workload: Workload,
    seen_edges: HashSet<(usize, usize)>,
}

impl FrontEnd for Reader<'_> {
    type Node = Layer;
    const LINKING: Linking = Linking::ZigZag;

    fn node_error(&self, n: &NodeRef<'_>, message: String) -> InputError {
        self.node_error(&NodeCtx::of(n), None, message)
    }

    fn add(&mut self, n: &NodeRef<'_>, layer: Layer) -> Result<(), InputError> {
        // Edges from every non-constant operand source, in operand order (networkx: no duplicates).
        for &(_, src) in &layer.operand_source {
            if src != n.id && self.seen_edges.insert((src, n.id)) {
                self.workload.edges.push((src, n.id));
            }
        }
        self.names.push(layer.name.clone());
        self.workload.layers.push(layer);
        Ok(())
    }
}

impl Reader<'_> {
    fn reject_if(&self, c: &NodeCtx<'_>) -> InputError {
        self.node_error(
            c,
            None,
            "`If` nodes (data-dependent control flow) are not supported; export the model without \
             control flow (the reference merges the larger branch of a single `If` into the graph)"
                .to_string(),
        )
    }

    // ----------------------------------------------------------------------------------------
    // errors and attribute access

    fn node_error(&self, c: &NodeCtx<'_>, attr: Option<&str>, message: String) -> InputError {
        let offset = self.model.node_offsets.get(c.id).copied();
        let place = match offset {
            Some(o) => format!(" at byte offset {o}"),
            None => String::new(),
        };
        InputError {
            file: self.model.file.clone(),
            line: 1,
            column: offset.map_or(1, |o| o + 1),
            key: match attr {
                Some(a) => format!("{}.{a}", c.name),
                None => c.name.clone(),
            },
            message: format!("node #{} ({}){place}: {message}", c.id, c.op),
        }
    }

    fn warn(&mut self, c: &NodeCtx<'_>, message: String) {
        let offset = self.model.node_offsets.get(c.id).map_or(String::new(), |o| format!(" at byte offset {o}"));
        self.warnings.push(Warning {
            file: self.model.file.clone(),
            line: 1,
            message: format!("node #{} `{}` ({}){offset}: {message}", c.id, c.name, c.op),
        });
    }

    /// An INTS attribute (or integer tensor), `None` if absent.
    fn ints_attr(&self, c: &NodeCtx<'_>, name: &str) -> Result<Option<Vec<i64>>, InputError> {
        let Some(a) = attrs::find(c.node, name) else {
            return Ok(None);
        };
        match attrs::value(a) {
            AttrValue::Ints(v) => Ok(Some(v.to_vec())),
            AttrValue::Tensor(t) => match attrs::tensor_ints(t) {
                Some(v) => Ok(Some(v)),
                None => Err(self.node_error(c, Some(name), "expected a list of integers (INTS)".to_string())),
            },
            other => Err(self.node_error(
                c,
                Some(name),
                format!("expected a list of integers (INTS), found {}", other.type_name()),
            )),
        }
    }

    /// An INT attribute, `None` if absent.
    fn int_attr(&self, c: &NodeCtx<'_>, name: &str) -> Result<Option<i64>, InputError> {
        let Some(a) = attrs::find(c.node, name) else {
            return Ok(None);
        };
        match attrs::value(a) {
            AttrValue::Int(i) => Ok(Some(i)),
            other => {
                Err(self.node_error(c, Some(name), format!("expected an integer (INT), found {}", other.type_name())))
            }
        }
    }

    /// A list attribute that must have exactly `len` entries.
    fn ints_len(&self, c: &NodeCtx<'_>, name: &str, default: &[i64], len: usize) -> Result<Vec<i64>, InputError> {
        let v = self.ints_attr(c, name)?.unwrap_or_else(|| default.to_vec());
        if v.len() != len {
            return Err(self.node_error(
                c,
                Some(name),
                format!("{v:?} has {} entries; only 2-D convolutions are supported ({len} entries expected)", v.len()),
            ));
        }
        Ok(v)
    }

    /// Operand precisions from the custom attributes `weight_size`, `act_size`, `output_size`:
    /// `(weight, activation, partial output)`.
    fn precisions(&self, c: &NodeCtx<'_>) -> Result<(u64, u64, u64), InputError> {
        let get = |name: &str, default: i64| -> Result<u64, InputError> {
            let v = self.int_attr(c, name)?.unwrap_or(default);
            u64::try_from(v).map_err(|_| {
                self.node_error(c, Some(name), format!("precision must be a non-negative integer, got {v}"))
            })
        };
        let w = get("weight_size", DEFAULT_PRECISION)?;
        let a = get("act_size", DEFAULT_PRECISION)?;
        let o = get("output_size", (a as i64).saturating_mul(2))?;
        Ok((w, a, o))
    }

    /// Operand sources from the predecessor list (§2.8).
    fn operand_source(&self, c: &NodeCtx<'_>) -> Result<Vec<(String, usize)>, InputError> {
        let preds = c.preds;
        let (w, i) = match *preds {
            [] => (c.id, c.id),
            [p0] => (c.id, p0),
            [p0, p1] => (p1, p0),
            _ => {
                let names: Vec<String> =
                    preds.iter().map(|&p| format!("`{}`", self.names.get(p).map_or("?", String::as_str))).collect();
                return Err(self.node_error(
                    c,
                    None,
                    format!(
                        "{} predecessor nodes ({}) feed this node; at most 2 are supported",
                        preds.len(),
                        names.join(", ")
                    ),
                ));
            }
        };
        Ok(vec![("W".to_string(), w), ("I".to_string(), i)])
    }

    /// Shape of input/output tensor `name` of the node: declared, else inferred (with a warning).
    fn shape_of(&mut self, c: &NodeCtx<'_>, shapes: &Shapes, name: &str, role: &str) -> Result<Vec<i64>, InputError> {
        match shapes.get(name) {
            Some((s, Origin::Declared)) => Ok(s.to_vec()),
            Some((s, Origin::Inferred)) => {
                let s = s.to_vec();
                self.warn(c, format!("shape of {role} `{name}` is not declared in the model; inferred {s:?}"));
                Ok(s)
            }
            None => Err(self.node_error(c, None, unknown_shape_message(name, role))),
        }
    }

    fn tensor_name<'n>(&self, c: &NodeCtx<'n>, output: bool, index: usize, role: &str) -> Result<&'n str, InputError> {
        let list = if output { &c.node.output } else { &c.node.input };
        match list.get(index).filter(|n| !n.is_empty()) {
            Some(n) => Ok(n.as_str()),
            None => Err(self.node_error(
                c,
                None,
                format!("the node has no {role} ({} #{index} is missing)", if output { "output" } else { "input" }),
            )),
        }
    }

    /// A loop size: must be known (> 0).
    fn size(&self, c: &NodeCtx<'_>, what: &str, v: i64) -> Result<u64, InputError> {
        match u64::try_from(v) {
            Ok(s) if s > 0 => Ok(s),
            _ => Err(self.node_error(
                c,
                None,
                format!("{what} is {v}: the size is unknown (0 / symbolic) or invalid; a positive size is required"),
            )),
        }
    }

    // ----------------------------------------------------------------------------------------
    // Conv / QLinearConv

    fn conv(&mut self, c: &NodeCtx<'_>) -> Result<Layer, InputError> {
        let shapes = self.shapes;
        let weight_index = if c.op == "QLinearConv" { 3 } else { 1 };
        if let Some(a) = attrs::find(c.node, "auto_pad") {
            match attrs::value(a) {
                AttrValue::Str(s) if s.is_empty() || s == b"NOTSET" => {}
                AttrValue::Str(s) => {
                    return Err(self.node_error(
                        c,
                        Some("auto_pad"),
                        format!(
                            "value \"{}\" is not supported; only NOTSET (explicit `pads`) is",
                            String::from_utf8_lossy(s)
                        ),
                    ));
                }
                other => {
                    return Err(self.node_error(
                        c,
                        Some("auto_pad"),
                        format!("expected a string, found {}", other.type_name()),
                    ));
                }
            }
        }
        let kernel = match self.ints_attr(c, "kernel_shape")? {
            Some(k) => k,
            None => {
                let w_name = self.tensor_name(c, false, weight_index, "weight")?;
                match shapes.get(w_name) {
                    Some((w, _)) if w.len() >= 3 => w[2..].to_vec(),
                    _ => {
                        return Err(self.node_error(
                            c,
                            Some("kernel_shape"),
                            format!(
                                "attribute `kernel_shape` is missing and the shape of weight `{w_name}` is unknown"
                            ),
                        ));
                    }
                }
            }
        };
        if kernel.len() != 2 {
            return Err(self.node_error(
                c,
                Some("kernel_shape"),
                format!(
                    "{kernel:?}: only 2-D convolutions are supported (kernel_shape must have 2 entries, has {})",
                    kernel.len()
                ),
            ));
        }
        let strides = self.ints_len(c, "strides", &[1, 1], 2)?;
        let dilations = self.ints_len(c, "dilations", &[1, 1], 2)?;
        let pads = self.ints_len(c, "pads", &[0, 0, 0, 0], 4)?;
        let group = self.int_attr(c, "group")?.unwrap_or(1);
        if group < 1 {
            return Err(self.node_error(c, Some("group"), format!("must be at least 1, got {group}")));
        }
        for (attr, values) in [("kernel_shape", &kernel), ("strides", &strides), ("dilations", &dilations)] {
            if values.iter().any(|&v| v < 1) {
                return Err(self.node_error(c, Some(attr), format!("{values:?}: entries must be positive")));
            }
        }

        let in_name = self.tensor_name(c, false, 0, "input activation")?;
        let out_name = self.tensor_name(c, true, 0, "output")?;
        let ia = self.shape_of(c, shapes, in_name, "input")?;
        let oa = self.shape_of(c, shapes, out_name, "output")?;
        for (role, name, s) in [("input", in_name, &ia), ("output", out_name, &oa)] {
            if s.len() != 4 {
                return Err(self.node_error(
                    c,
                    None,
                    format!(
                        "{role} `{name}` has shape {s:?}; only 2-D convolutions on 4-D (NCHW) tensors are supported"
                    ),
                ));
            }
        }
        if ia[0] != oa[0] {
            return Err(self.node_error(
                c,
                None,
                format!("batch size differs between input `{in_name}` {ia:?} and output `{out_name}` {oa:?}"),
            ));
        }
        let ceil_div = |v: u64, g: u64| v.div_ceil(g);
        let g = group as u64;
        let b = if oa[0] > 0 { oa[0] as u64 } else { 1 };
        let k = ceil_div(self.size(c, &format!("output channels of `{out_name}`"), oa[1])?, g);
        let ox = self.size(c, &format!("output width of `{out_name}`"), oa[3])?;
        let oy = self.size(c, &format!("output height of `{out_name}`"), oa[2])?;
        let ch = ceil_div(self.size(c, &format!("input channels of `{in_name}`"), ia[1])?, g);
        let ix = self.size(c, &format!("input width of `{in_name}`"), ia[3])?;
        let iy = self.size(c, &format!("input height of `{in_name}`"), ia[2])?;
        let largest = ix.max(iy).max(ox).max(oy) as i64;
        for (attr, values) in [("pads", &pads), ("strides", &strides)] {
            if let Some(v) = values.iter().find(|&&v| v > largest) {
                return Err(self.node_error(
                    c,
                    Some(attr),
                    format!(
                        "{values:?}: entry {v} is larger than every spatial size of the input `{in_name}` {ia:?} and output `{out_name}` {oa:?}; the model is malformed"
                    ),
                ));
            }
        }
        // Reference quirk (reproduced): FX, strides[0], dilations[0] and the IX padding come from
        // the first spatial attribute entry (height), while OX/IX come from the last axis (width).
        let (fx, fy) = (kernel[0] as u64, kernel[1] as u64);

        let (w_prec, a_prec, o_prec) = self.precisions(c)?;
        let operand_source = self.operand_source(c)?;
        let (eq, operands) = crate::equation::normalise("O[b][g][k][oy][ox]+=W[g][k][c][fy][fx]*I[b][g][c][iy][ix]");
        Ok(Layer {
            id: c.id,
            name: c.name.clone(),
            operator_type: c.op.to_string(),
            kind: LayerKind::Compute,
            equation: eq,
            operands,
            loop_dims: dims(&[("B", b), ("K", k), ("G", g), ("OX", ox), ("OY", oy), ("C", ch), ("FX", fx), ("FY", fy)]),
            relations: vec![
                relation("IX", "OX", strides[0] as u64, "FX", dilations[0] as u64),
                relation("IY", "OY", strides[1] as u64, "FY", dilations[1] as u64),
            ],
            padding: vec![("IX".to_string(), (pads[0], pads[2])), ("IY".to_string(), (pads[1], pads[3]))],
            pr_sizes: Some(dims(&[("IX", ix), ("IY", iy)])),
            precision: precision_list(w_prec, a_prec, o_prec),
            operand_source,
        })
    }

    // ----------------------------------------------------------------------------------------
    // Gemm / MatMul

    fn gemm(&mut self, c: &NodeCtx<'_>) -> Result<Layer, InputError> {
        let shapes = self.shapes;
        let in_name = self.tensor_name(c, false, 0, "input activation")?;
        let out_name = self.tensor_name(c, true, 0, "output")?;
        let out = self.shape_of(c, shapes, out_name, "output")?;
        let declared_in = shapes.declared(in_name).filter(|s| !s.is_empty()).map(<[i64]>::to_vec);
        let inferred_in = shapes.inferred(in_name).filter(|s| !s.is_empty()).map(<[i64]>::to_vec);
        let mut input = match (declared_in, inferred_in) {
            (Some(s), _) => s,
            (None, Some(s)) => {
                self.warn(c, format!("shape of input `{in_name}` is not declared in the model; inferred {s:?}"));
                s
            }
            (None, None) => self.gemm_input_from_weight(c, shapes, &out, in_name)?,
        };
        if input.len() != out.len() {
            return Err(self.node_error(
                c,
                None,
                format!(
                    "rank mismatch: input `{in_name}` has shape {input:?} but output `{out_name}` has shape {out:?}; \
                     both must have the same rank (2, 3 or 4)"
                ),
            ));
        }
        if self.int_attr(c, "transA")?.unwrap_or(0) != 0 {
            if input.len() != 2 {
                return Err(self.node_error(
                    c,
                    Some("transA"),
                    format!("transposing the first input is only supported for 2-D inputs, `{in_name}` is {input:?}"),
                ));
            }
            input.swap(0, 1);
        }
        let rank = input.len();
        if !(2..=4).contains(&rank) {
            return Err(self.node_error(
                c,
                None,
                format!("input `{in_name}` has rank {rank} ({input:?}); only ranks 2, 3 and 4 are supported"),
            ));
        }
        if input[rank - 2] != out[rank - 2] {
            return Err(self.node_error(
                c,
                None,
                format!("rows of input `{in_name}` {input:?} and output `{out_name}` {out:?} differ"),
            ));
        }
        let d = self.size(c, &format!("row count of `{in_name}`"), input[rank - 2])?;
        let ch = self.size(c, &format!("column count of `{in_name}`"), input[rank - 1])?;
        let k = self.size(c, &format!("column count of `{out_name}`"), out[rank - 1])?;
        let mut batch = 0u64;
        let mut heads = 0u64;
        if rank >= 3 {
            if input[0] != out[0] {
                return Err(self.node_error(c, None, format!("batch size differs: input {input:?}, output {out:?}")));
            }
            batch = if input[0] > 0 { input[0] as u64 } else { 1 };
        }
        if rank == 4 {
            if input[1] != out[1] {
                return Err(self.node_error(c, None, format!("head count differs: input {input:?}, output {out:?}")));
            }
            heads = u64::try_from(input[1]).unwrap_or(0);
        }

        let (w_prec, a_prec, o_prec) = self.precisions(c)?;
        let operand_source = self.operand_source(c)?;
        let weights_constant = c.preds.len() < 2;
        let bh = format!("{}{}", if batch > 0 { "[b]" } else { "" }, if heads > 0 { "[h]" } else { "" });
        let w_bh = if weights_constant { "" } else { bh.as_str() };
        let (eq, operands) = crate::equation::normalise(&format!("O{bh}[d][k]+=I{bh}[d][c]*W{w_bh}[c][k]"));
        let mut loop_dims = dims(&[("C", ch), ("D", d), ("K", k)]);
        if batch > 0 {
            loop_dims.push(("B".to_string(), batch));
        }
        if heads > 0 {
            loop_dims.push(("H".to_string(), heads));
        }
        Ok(Layer {
            id: c.id,
            name: c.name.clone(),
            operator_type: c.op.to_string(),
            kind: LayerKind::Compute,
            equation: eq,
            operands,
            loop_dims,
            relations: Vec::new(),
            padding: Vec::new(),
            pr_sizes: None,
            precision: precision_list(if weights_constant { w_prec } else { a_prec }, a_prec, o_prec),
            operand_source,
        })
    }

    /// Input shape `[out[0], C]` from a 2-D weight initializer (transposed if `transB`), as the
    /// reference does when the input shape is unknown.
    fn gemm_input_from_weight(
        &mut self,
        c: &NodeCtx<'_>,
        shapes: &Shapes,
        out: &[i64],
        in_name: &str,
    ) -> Result<Vec<i64>, InputError> {
        let w = c.node.input.get(1).and_then(|w| shapes.initializer(w));
        match w {
            Some(w) if w.len() == 2 && out.len() == 2 => {
                let c_size = if self.int_attr(c, "transB")?.unwrap_or(0) != 0 { w[1] } else { w[0] };
                let s = vec![out[0], c_size];
                self.warn(
                    c,
                    format!("shape of input `{in_name}` is unknown; taken from the weight initializer as {s:?}"),
                );
                Ok(s)
            }
            _ => Err(self.node_error(c, None, unknown_shape_message(in_name, "input"))),
        }
    }
}

fn unknown_shape_message(name: &str, role: &str) -> String {
    format!(
        "the shape of {role} `{name}` is unknown: it is not in graph.input/output/value_info/initializer and \
         could not be inferred; run ONNX shape inference on the model first \
         (python -c \"import onnx; onnx.shape_inference.infer_shapes_path('model.onnx')\")"
    )
}

fn dims(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|&(d, s)| (d.to_string(), s)).collect()
}

fn relation(derived: &str, a: &str, coef_a: u64, b: &str, coef_b: u64) -> DimensionRelation {
    DimensionRelation { derived: derived.to_string(), a: a.to_string(), coef_a, b: b.to_string(), coef_b }
}

/// Precisions in the reference's order: `W`, `I`, `O_final` (= activation), `O` (partial sums).
fn precision_list(w: u64, act: u64, partial: u64) -> Vec<(String, u64)> {
    vec![("W".to_string(), w), ("I".to_string(), act), ("O_final".to_string(), act), ("O".to_string(), partial)]
}

/// A node without cost. Like the reference's `DummyNode`, only the first two predecessors become
/// operand sources (`I` then `W`), hence graph edges; further ones are dropped.
fn dummy(c: &NodeCtx<'_>) -> Layer {
    let operand_source: Vec<(String, usize)> =
        ["I", "W"].iter().zip(c.preds).map(|(op, &p)| (op.to_string(), p)).collect();
    let mut operands = vec![EquationOperand { name: "O".to_string(), dims: Vec::new() }];
    operands.extend(operand_source.iter().map(|(op, _)| EquationOperand { name: op.clone(), dims: Vec::new() }));
    Layer {
        id: c.id,
        name: c.name.clone(),
        operator_type: c.op.to_lowercase(),
        kind: LayerKind::Dummy,
        equation: String::new(),
        operands,
        loop_dims: Vec::new(),
        relations: Vec::new(),
        padding: Vec::new(),
        pr_sizes: None,
        precision: Vec::new(),
        operand_source,
    }
}
