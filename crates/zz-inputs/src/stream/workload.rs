//! Readers of Stream workloads into [`zz_ir::stream::workload::StreamWorkload`]:
//! * [`read_stream_workload_yaml`]: a ZigZag-style workload YAML (Stream at 21e5ad80 has no
//!   working YAML reader; like the oracle, every layer becomes a computation node built the
//!   way the ONNX path builds them);
//! * [`read_stream_workload_onnx`]: Stream's own ONNX operator parsers, which differ from
//!   ZigZag's: `Conv` has a group dimension `G` in every equation and drops `C`/`K` of size 1,
//!   `Relu`-like single-input operators and `Add`/`Mul` become element-wise computation nodes
//!   over `[B, H, D, K]`, pooling operators become pooling nodes (`W` precision 0), `Gemm`
//!   and `MatMul` use `[B, H, D, C, K]`, and `Reshape`, `Flatten` and `Transpose` propagate
//!   dependencies element by element. Other operators are dummy (pass-through) nodes;
//!   operators Stream parses but this port does not support yet (`Concat`, `Split`, `Slice`,
//!   `Gather`, `Softmax`, `Einsum`, `ReduceMean`, `SSM`, `LpNormalization`) are rejected.
//!   The model is decoded and walked by the machinery shared with ZigZag's reader
//!   (`crate::onnx::model`, `crate::onnx::graph`); this module owns Stream's operator table
//!   and builders.
//!
//! Each computation node gets its mapping entry (by name, then operator type, then `default`):
//! allowed cores, intra-/inter-core tiling (missing tilings come from `default`) and the
//! spatial mapping, replaced by the cores' common `dataflows` when all allowed cores have the
//! same ones (as the reference does).

use std::path::Path;

use crate::onnx::attrs;
use crate::onnx::graph::{self, Build, FrontEnd, Linking, NodeRef, OpTable};
use crate::onnx::model::{Checks, OnnxModel};
use crate::{InputError, Warning};
use zz_ir::mapping::UserSpatialMapping;
use zz_ir::stream::accelerator::StreamAccelerator;
use zz_ir::stream::mapping::{StreamMapping, Tiling};
use zz_ir::stream::workload::{ComputationLayer, NodeKind, StreamNode, StreamWorkload, pr_layer_dim_sizes};
use zz_ir::workload::{DimensionRelation, Layer, LayerKind};

fn default_tensor_reshape(layer: &Layer, pr: &[(String, u64)]) -> Option<Vec<(String, Vec<i64>)>> {
    let size = |d: &str| layer.size_of(d).map(|s| s as i64);
    let prs = |d: &str| pr.iter().find(|(n, _)| n == d).map(|(_, s)| *s as i64);
    let (b, ox, oy, ix, iy) = (size("B")?, size("OX")?, size("OY")?, prs("IX")?, prs("IY")?);
    Some(vec![("I".into(), vec![b, -1, ix, iy]), ("O".into(), vec![b, -1, ox, oy])])
}

/// Mapping entry of a node, with Stream's fallbacks and the dataflow override.
fn resolve_mapping(
    mapping: &StreamMapping,
    acc: &StreamAccelerator,
    name: &str,
    op_type: &str,
) -> (Vec<usize>, Tiling, Tiling, Option<UserSpatialMapping>, Vec<String>) {
    let entry = mapping.entry_for(name, op_type);
    let default = mapping.default_entry();
    let intra = if entry.intra_core_tiling.is_empty() {
        default.intra_core_tiling.clone()
    } else {
        entry.intra_core_tiling.clone()
    };
    let inter = if entry.inter_core_tiling.is_empty() {
        default.inter_core_tiling.clone()
    } else {
        entry.inter_core_tiling.clone()
    };
    // The cores' dataflows replace the spatial mapping when all allowed cores agree.
    let flows: Vec<Option<&UserSpatialMapping>> =
        entry.core_allocation.iter().map(|&c| acc.core(c).and_then(|c| c.dataflows.as_ref())).collect();
    let spatial = match flows.last() {
        Some(Some(last)) if flows.iter().all(|f| f.as_ref() == Some(last)) => Some((*last).clone()),
        _ => entry.spatial_mapping.clone(),
    };
    (entry.core_allocation.clone(), intra, inter, spatial, entry.layer_dimension_names.clone())
}

fn check_allocation(
    mapping: &StreamMapping,
    acc: &StreamAccelerator,
    name: &str,
    op_type: &str,
) -> Result<(), InputError> {
    let entry = mapping.entry_for(name, op_type);
    for &c in &entry.core_allocation {
        if acc.core(c).is_none() {
            return Err(InputError {
                file: mapping.file.clone(),
                line: entry.pos.line,
                column: entry.pos.column,
                key: format!("{}.core_allocation", entry.name),
                message: format!("core {c} does not exist; the accelerator has cores 0..{}", acc.cores.len() - 1),
            });
        }
    }
    if entry.core_allocation.is_empty() {
        return Err(InputError {
            file: mapping.file.clone(),
            line: entry.pos.line,
            column: entry.pos.column,
            key: format!("{}.core_allocation", entry.name),
            message: "expected at least one core".into(),
        });
    }
    Ok(())
}

fn make_computation(
    layer: Layer,
    op_type: String,
    mapping: &StreamMapping,
    acc: &StreamAccelerator,
    operator_type_for_mapping: &str,
) -> ComputationLayer {
    let (core_allocation, intra, inter, spatial, _) =
        resolve_mapping(mapping, acc, &layer.name, operator_type_for_mapping);
    let input_operand_source: Vec<(String, usize)> =
        layer.operand_source.iter().filter(|(_, s)| *s != layer.id).cloned().collect();
    let constant_operands: Vec<String> =
        layer.operand_source.iter().filter(|(_, s)| *s == layer.id).map(|(o, _)| o.clone()).collect();
    let pr = pr_layer_dim_sizes(&layer);
    let reshape = default_tensor_reshape(&layer, &pr);
    let mut layer = layer;
    layer.pr_sizes = Some(pr);
    let partially_constant_operands = if layer.name.contains("_cache") { vec!["W".to_string()] } else { Vec::new() };
    ComputationLayer {
        layer,
        op_type,
        input_operand_source,
        constant_operands,
        partially_constant_operands,
        core_allocation,
        intra_core_tiling: intra,
        inter_core_tiling: inter,
        spatial_mapping: spatial,
        operand_tensor_reshape: reshape,
    }
}

/// Reads a ZigZag-style workload YAML as a Stream workload (every layer a computation node).
pub fn read_stream_workload_yaml(
    path: &Path,
    mapping: &StreamMapping,
    acc: &StreamAccelerator,
) -> Result<(StreamWorkload, Vec<Warning>), InputError> {
    let (name, text) = crate::yaml::read_text(path)?;
    read_stream_workload_yaml_str(&name, &text, mapping, acc)
}

/// Reads ZigZag-style workload YAML text as a Stream workload; `name` is used in messages.
pub fn read_stream_workload_yaml_str(
    name: &str,
    text: &str,
    mapping: &StreamMapping,
    acc: &StreamAccelerator,
) -> Result<(StreamWorkload, Vec<Warning>), InputError> {
    let (wl, warnings) = crate::read_workload_yaml_str(name, text)?;
    let file = name.to_owned();
    let mut out = StreamWorkload::default();
    for layer in wl.layers {
        check_allocation(mapping, acc, &layer.name, &layer.operator_type)?;
        let id = layer.id;
        let name = layer.name.clone();
        let operator_type = layer.operator_type.clone();
        let comp = make_computation(layer, operator_type.to_lowercase(), mapping, acc, &operator_type);
        let node = StreamNode {
            id,
            name: name.clone(),
            operator_type,
            input_operand_source: comp.input_operand_source.clone(),
            kind: NodeKind::Computation(Box::new(comp)),
        };
        out.add(node, |m| InputError {
            file: file.clone(),
            line: 0,
            column: 0,
            key: format!("{name}.operand_source"),
            message: m,
        })?;
    }
    Ok((out, warnings))
}

// ------------------------------------------------------------------------------------------
// ONNX

/// Reads an ONNX model with Stream's operator parsers.
pub fn read_stream_workload_onnx(
    path: &Path,
    mapping: &StreamMapping,
    acc: &StreamAccelerator,
) -> Result<(StreamWorkload, Vec<Warning>), InputError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| crate::error::unreadable(&file, &e))?;
    read_stream_workload_onnx_bytes(&file, &bytes, mapping, acc)
}

/// Reads an ONNX model (its bytes) with Stream's operator parsers; `name` is used in messages.
pub fn read_stream_workload_onnx_bytes(
    name: &str,
    bytes: &[u8],
    mapping: &StreamMapping,
    acc: &StreamAccelerator,
) -> Result<(StreamWorkload, Vec<Warning>), InputError> {
    let model = OnnxModel::decode(name, bytes, Checks::STREAM)?;
    let mut reader = StreamReader { model: &model, mapping, acc, out: StreamWorkload::default() };
    // Stream's operator table: every operator not listed is a dummy (pass-through) node.
    let ops: &[(&[&str], Build<StreamReader<'_>>)] = &[
        (&["Conv", "QLinearConv"], |r, n| r.parser(n).conv()),
        (&["MatMul", "Gemm"], |r, n| r.parser(n).gemm()),
        (&["MaxPool", "AveragePool", "GlobalMaxPool", "GlobalAveragePool"], |r, n| r.parser(n).pooling()),
        (&["Add", "Mul"], |r, n| r.parser(n).mul()),
        (&["Exp", "Relu", "Gelu", "Silu", "Sigmoid", "Sqrt", "Div", "Pow", "Reciprocal"], |r, n| r.parser(n).simd()),
        (&["Reshape"], |r, n| r.parser(n).reshape()),
        (&["Flatten"], |r, n| r.parser(n).flatten()),
        (&["Transpose"], |r, n| r.parser(n).transpose()),
        (
            &["SSM", "Softmax", "Einsum", "ReduceMean", "LpNormalization", "Gather", "Concat", "Split", "Slice"],
            |r, n| Err(r.parser(n).unsupported()),
        ),
    ];
    graph::walk(&model, &OpTable { ops, other: |r, n| Ok(r.parser(n).dummy()) }, &mut reader)?;
    if reader.out.nodes.is_empty() {
        return Err(InputError {
            file: name.to_owned(),
            line: 1,
            column: 1,
            key: "-".into(),
            message: "the ONNX graph has no nodes with inputs".into(),
        });
    }
    Ok((reader.out, Vec::new()))
}

/// Stream's front end of the shared ONNX walk.
struct StreamReader<'a> {
    model: &'a OnnxModel,
    mapping: &'a StreamMapping,
    acc: &'a StreamAccelerator,
    out: StreamWorkload,
}

impl StreamReader<'_> {
    fn parser<'p>(&'p self, n: &'p NodeRef<'p>) -> Parser<'p> {
        Parser {
            model: self.model,
            n,
            name: n.node.name.as_deref().unwrap_or(""),
            mapping: self.mapping,
            acc: self.acc,
        }
    }
}

impl FrontEnd for StreamReader<'_> {
    type Node = StreamNode;
    const LINKING: Linking = Linking::Stream;

    fn node_error(&self, n: &NodeRef<'_>, message: String) -> InputError {
        node_error(self.model, n, message)
    }

    fn add(&mut self, n: &NodeRef<'_>, node: StreamNode) -> Result<(), InputError> {
        let model = self.model;
        self.out.add(node, |m| node_error(model, n, m))
    }
}

/// An error at node `n`, keyed by its graph position, op type and name.
fn node_error(model: &OnnxModel, n: &NodeRef<'_>, message: String) -> InputError {
    let name = n.node.name.as_deref().unwrap_or("");
    model.node_error(n.index, format!("graph.node[{}] ({} \"{name}\")", n.index, n.op), message)
}

/// One node being built by Stream's operator parsers.
struct Parser<'a> {
    model: &'a OnnxModel,
    n: &'a NodeRef<'a>,
    name: &'a str,
    mapping: &'a StreamMapping,
    acc: &'a StreamAccelerator,
}

impl Parser<'_> {
    fn err(&self, m: String) -> InputError {
        node_error(self.model, self.n, m)
    }

    fn op(&self) -> &str {
        self.n.node.op_type.as_deref().unwrap_or("")
    }

    fn shape_of(&self, tensor: &str) -> Result<Vec<i64>, InputError> {
        self.model.first_declared_shape(tensor).ok_or_else(|| {
            self.err(format!(
                "no shape for tensor \"{tensor}\" in graph.input/output/value_info/initializer; run ONNX shape inference on the model first"
            ))
        })
    }

    fn in_shape(&self) -> Result<Vec<i64>, InputError> {
        self.shape_of(&self.n.node.input[0])
    }

    fn out_shape(&self) -> Result<Vec<i64>, InputError> {
        let o = self.n.node.output.first().ok_or_else(|| self.err("the node has no output".into()))?;
        self.shape_of(o)
    }

    fn ints_or(&self, name: &str, default: Vec<i64>) -> Vec<i64> {
        attrs::find(self.n.node, name).and_then(attrs::ints_any).unwrap_or(default)
    }

    fn int_attr_or(&self, name: &str, default: i64) -> i64 {
        attrs::find(self.n.node, name).and_then(attrs::ints_any).and_then(|v| v.first().copied()).unwrap_or(default)
    }

    fn single_pred(&self, what: &str) -> Result<usize, InputError> {
        match self.n.preds {
            [p] => Ok(*p),
            _ => Err(self.err(format!(
                "an ONNX {what} node must have exactly one producing node, found {}",
                self.n.preds.len()
            ))),
        }
    }

    fn propagation(&self, kind: NodeKind, pred: usize) -> StreamNode {
        StreamNode {
            id: self.n.id,
            name: self.name.to_owned(),
            operator_type: self.op().to_owned(),
            kind,
            input_operand_source: vec![("I".into(), pred)],
        }
    }

    fn positive(&self, v: i64, what: &str) -> Result<u64, InputError> {
        if v <= 0 {
            return Err(self.err(format!("{what} is {v}; expected a positive (known) size")));
        }
        Ok(v as u64)
    }

    /// Activation / weight / intermediate-output precisions (custom attributes or 8/8/16).
    fn precision(&self) -> Result<Vec<(String, u64)>, InputError> {
        let act = self.int_attr_or("act_size", 8);
        let w = self.int_attr_or("weight_size", 8);
        let out = self.int_attr_or("output_size", 2 * act);
        let w = if self.n.preds.len() == 2 { act } else { w };
        if self.n.preds.len() > 2 {
            return Err(self.err(format!("expected at most 2 producing nodes, found {}", self.n.preds.len())));
        }
        Ok(vec![
            ("W".into(), w as u64),
            ("I".into(), act as u64),
            ("O_final".into(), act as u64),
            ("O".into(), out as u64),
        ])
    }

    /// ZigZag's operand sources (`W` = second predecessor for two variable inputs).
    fn sources_zigzag(&self) -> Result<Vec<(String, usize)>, InputError> {
        Ok(match self.n.preds {
            [] => vec![("W".into(), self.n.id), ("I".into(), self.n.id)],
            [a] => vec![("W".into(), self.n.id), ("I".into(), *a)],
            [a, b] => vec![("W".into(), *b), ("I".into(), *a)],
            _ => return Err(self.err(format!("expected at most 2 producing nodes, found {}", self.n.preds.len()))),
        })
    }

    /// Stream's operand sources (`W` = first predecessor for two variable inputs).
    // reference quirk: Stream's element-wise parser takes `W` from the first producer, ZigZag's
    // parsers from the second.
    fn sources_stream(&self) -> Result<Vec<(String, usize)>, InputError> {
        Ok(match self.n.preds {
            [] => vec![("W".into(), self.n.id), ("I".into(), self.n.id)],
            [a] => vec![("W".into(), self.n.id), ("I".into(), *a)],
            [a, b] => vec![("W".into(), *a), ("I".into(), *b)],
            _ => return Err(self.err(format!("expected at most 2 producing nodes, found {}", self.n.preds.len()))),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        equation: &str,
        loop_dims: Vec<(String, u64)>,
        relations: Vec<DimensionRelation>,
        padding: Vec<(String, (i64, i64))>,
        pr_sizes: Option<Vec<(String, u64)>>,
        precision: Vec<(String, u64)>,
        operand_source: Vec<(String, usize)>,
        op_type: &str,
    ) -> Result<StreamNode, InputError> {
        let (norm, operands) = crate::equation::normalise(equation);
        for o in &operands {
            for d in &o.dims {
                if !loop_dims.iter().any(|(x, _)| x == d) && !relations.iter().any(|r| &r.derived == d) {
                    return Err(self.err(format!("internal: operand {} uses unknown dimension {d}", o.name)));
                }
            }
        }
        let layer = Layer {
            id: self.n.id,
            name: self.name.to_owned(),
            operator_type: self.op().to_owned(),
            kind: LayerKind::Compute,
            equation: norm,
            operands,
            loop_dims,
            relations,
            padding,
            pr_sizes,
            precision,
            operand_source,
        };
        if self.mapping.entries.iter().all(|e| e.name != "default") {
            return Err(self.err("the mapping has no `default` entry".into()));
        }
        check_allocation(self.mapping, self.acc, self.name, self.op())?;
        let comp = make_computation(layer, op_type.to_owned(), self.mapping, self.acc, self.op());
        Ok(StreamNode {
            id: self.n.id,
            name: self.name.to_owned(),
            operator_type: self.op().to_owned(),
            input_operand_source: comp.input_operand_source.clone(),
            kind: NodeKind::Computation(Box::new(comp)),
        })
    }

    fn conv(&self) -> Result<StreamNode, InputError> {
        let inp = self.in_shape()?;
        let out = self.out_shape()?;
        let kernel = attrs::find(self.n.node, "kernel_shape")
            .and_then(attrs::ints_any)
            .ok_or_else(|| self.err("missing attribute `kernel_shape`".into()))?;
        let strides = self.ints_or("strides", vec![1, 1]);
        let dil = self.ints_or("dilations", vec![1, 1]);
        let group = self.int_attr_or("group", 1);
        let pads = self.ints_or("pads", vec![0, 0, 0, 0]);
        let g = self.positive(group, "`group`")?;
        let ceil_div = |a: i64, b: u64| (a.max(0) as u64).div_ceil(b);
        let wdim = if group > 1 { "g" } else { "k" };
        let one_d = kernel.len() == 1;
        let need = if one_d { 3 } else { 4 };
        if inp.len() != need || out.len() != need {
            return Err(self.err(format!(
                "a {}-D convolution needs {need}-D input and output shapes, found {inp:?} and {out:?}",
                if one_d { 1 } else { 2 }
            )));
        }
        if (!one_d && (kernel.len() != 2 || pads.len() != 4 || strides.len() != 2 || dil.len() < 2))
            || (one_d && (pads.len() < 2 || strides.is_empty() || dil.is_empty()))
        {
            return Err(self.err(format!(
                "unsupported convolution attributes: kernel_shape {kernel:?}, strides {strides:?}, dilations {dil:?}, pads {pads:?}"
            )));
        }
        // Pads or strides beyond every spatial size describe no real convolution (a malformed or
        // hand-edited model); Stream would build a layer from them without a word.
        let largest = inp[2..].iter().chain(&out[2..]).copied().max().unwrap_or(0);
        for (attr, values) in [("pads", &pads), ("strides", &strides)] {
            if let Some(v) = values.iter().find(|&&v| v > largest) {
                return Err(self.err(format!(
                    "`{attr}` {values:?}: entry {v} is larger than every spatial size of the input {inp:?} and output {out:?}; the model is malformed"
                )));
            }
        }
        let b = self.positive(out[0], "the batch size")?;
        let k = ceil_div(out[1], g);
        let c = ceil_div(inp[1], g);
        let fx = self.positive(kernel[0], "kernel_shape[0]")?;
        let ix = self.positive(inp[2], "the input size")?;
        // reference quirk: ONNX axis 2 (height) is named OX and axis 3 (width) OY.
        let ox = self.positive(out[2], "the output size")?;
        let (mut loop_dims, mut equation, relations, padding, pr);
        if one_d {
            loop_dims = vec![("B", b), ("K", k), ("G", g), ("OX", ox), ("C", c), ("FX", fx)];
            equation = format!("O[b][g][k][ox]+=W[{wdim}][c][fx]*I[b][g][c][ix]");
            relations = vec![rel("IX", strides[0], "OX", dil[0], "FX")];
            padding = vec![("IX".to_string(), (pads[0], pads[1]))];
            pr = vec![("IX".to_string(), ix)];
        } else {
            let fy = self.positive(kernel[1], "kernel_shape[1]")?;
            let iy = self.positive(inp[3], "the input size")?;
            let oy = self.positive(out[3], "the output size")?;
            loop_dims = vec![("B", b), ("K", k), ("G", g), ("OX", ox), ("C", c), ("FX", fx), ("OY", oy), ("FY", fy)];
            equation = format!("O[b][g][k][oy][ox]+=W[{wdim}][c][fy][fx]*I[b][g][c][iy][ix]");
            relations = vec![rel("IX", strides[0], "OX", dil[0], "FX"), rel("IY", strides[1], "OY", dil[1], "FY")];
            padding = vec![("IX".to_string(), (pads[0], pads[2])), ("IY".to_string(), (pads[1], pads[3]))];
            pr = vec![("IX".to_string(), ix), ("IY".to_string(), iy)];
        }
        // Stream drops channel dimensions of size 1 from the loops and the equation.
        for d in ["C", "K"] {
            if let Some(i) = loop_dims.iter().position(|(x, s)| *x == d && *s == 1) {
                loop_dims.remove(i);
                equation = equation.replace(&format!("[{}]", d.to_lowercase()), "");
            }
        }
        let loop_dims = loop_dims.into_iter().map(|(d, s)| (d.to_string(), s)).collect();
        self.finish(
            &equation,
            loop_dims,
            relations,
            padding,
            Some(pr),
            self.precision()?,
            self.sources_zigzag()?,
            "conv",
        )
    }

    fn gemm(&self) -> Result<StreamNode, InputError> {
        let inp = self.in_shape()?;
        let out = self.out_shape()?;
        if inp.len() < 2 || out.len() < 2 || inp[inp.len() - 2] != out[out.len() - 2] {
            return Err(self.err(format!(
                "expected matrix shapes whose second-to-last sizes agree, found input {inp:?} and output {out:?}"
            )));
        }
        let weights_const = self.n.preds.len() <= 1;
        let (_, _, _, _, names) = resolve_mapping(self.mapping, self.acc, self.name, self.op());
        let dims: Vec<String> = if names.len() > out.len() {
            names
        } else {
            ["B", "H", "D", "C", "K"].iter().map(|s| s.to_string()).collect()
        };
        let nb_batch = inp.len() - 2;
        if dims.len() < nb_batch + 3 {
            return Err(self.err(format!(
                "{}-D inputs need more than 5 layer dimensions; give `layer_dimension_names` in the mapping",
                inp.len()
            )));
        }
        let batch: Vec<String> = dims[..nb_batch].to_vec();
        let non: Vec<String> = dims[dims.len() - 3..].to_vec();
        let mut sizes: Vec<u64> = Vec::new();
        for &s in &inp[..nb_batch] {
            sizes.push(self.positive(s, "a batch size")?);
        }
        sizes.push(self.positive(out[out.len() - 2], "the output rows")?);
        sizes.push(self.positive(inp[inp.len() - 1], "the inner size")?);
        sizes.push(self.positive(out[out.len() - 1], "the output columns")?);
        let loop_dims: Vec<(String, u64)> = batch.iter().chain(&non).cloned().zip(sizes).collect();
        let br = |v: &[String]| v.iter().map(|d| format!("[{}]", d.to_lowercase())).collect::<String>();
        let (rows, inner, cols) = (&non[0], &non[1], &non[2]);
        let eq_o = br(&[batch.clone(), vec![rows.clone(), cols.clone()]].concat());
        let eq_i = br(&[batch.clone(), vec![rows.clone(), inner.clone()]].concat());
        let wb = if weights_const { Vec::new() } else { batch.clone() };
        let eq_w = br(&[wb, vec![inner.clone(), cols.clone()]].concat());
        let equation = format!("O{eq_o}+=I{eq_i}*W{eq_w}");
        let t = self.op().to_lowercase();
        self.finish(&equation, loop_dims, Vec::new(), Vec::new(), None, self.precision()?, self.sources_zigzag()?, &t)
    }

    fn pooling(&self) -> Result<StreamNode, InputError> {
        let ia = self.in_shape()?;
        let oa = self.out_shape()?;
        if ia.len() != 4 || oa.len() != 4 {
            return Err(self.err(format!("pooling needs 4-D input and output shapes, found {ia:?} and {oa:?}")));
        }
        let kernel = match self.op() {
            "MaxPool" | "AveragePool" => attrs::find(self.n.node, "kernel_shape")
                .and_then(attrs::ints_any)
                .filter(|k| k.len() >= 2)
                .ok_or_else(|| self.err("missing or bad attribute `kernel_shape`".into()))?,
            _ => vec![ia[2], ia[3]],
        };
        let strides = self.ints_or("strides", vec![1, 1]);
        let dil = self.ints_or("dilations", vec![1, 1]);
        let pads = self.ints_or("pads", vec![0, 0, 0, 0]);
        if strides.len() < 2 || dil.len() < 2 || pads.len() < 4 {
            return Err(self.err(format!(
                "unsupported pooling attributes: strides {strides:?}, dilations {dil:?}, pads {pads:?}"
            )));
        }
        if ia[0] != oa[0] {
            return Err(self.err("batch size differs between input and output".into()));
        }
        if oa[1] != ia[1] {
            return Err(
                self.err(format!("input and output channels differ ({} vs {}) for a pooling node", ia[1], oa[1]))
            );
        }
        if self.n.preds.len() > 1 {
            return Err(self.err(format!("a pooling node takes one producing node, found {}", self.n.preds.len())));
        }
        // reference quirk: `C` is a loop of the pooling node although no operand uses it (it
        // multiplies the operation count).
        let sizes = [oa[0], oa[1], oa[2], oa[3], ia[1], kernel[0], kernel[1]];
        let names = ["B", "K", "OX", "OY", "C", "FX", "FY"];
        let mut loop_dims = Vec::new();
        for (n, s) in names.iter().zip(sizes) {
            loop_dims.push((n.to_string(), self.positive(s, n)?));
        }
        let relations = vec![rel("IX", strides[0], "OX", dil[0], "FX"), rel("IY", strides[1], "OY", dil[1], "FY")];
        let padding = vec![("IX".to_string(), (pads[0], pads[2])), ("IY".to_string(), (pads[1], pads[3]))];
        let pr = vec![("IX".to_string(), self.positive(ia[2], "IX")?), ("IY".to_string(), self.positive(ia[3], "IY")?)];
        let precision = vec![("O".into(), 8), ("O_final".into(), 8), ("W".into(), 0), ("I".into(), 8)];
        let mut src = Vec::new();
        if let Some(&p) = self.n.preds.first() {
            src.push(("I".to_string(), p));
        }
        src.push(("W".to_string(), self.n.id));
        self.finish(
            "O[b][k][oy][ox]+=W[fy][fx]*I[b][k][iy][ix]",
            loop_dims,
            relations,
            padding,
            Some(pr),
            precision,
            src,
            "pooling",
        )
    }

    fn dims_for(&self, n: usize) -> Result<Vec<String>, InputError> {
        let (_, _, _, _, names) = resolve_mapping(self.mapping, self.acc, self.name, self.op());
        if n > 4 {
            return Err(self.err(format!("element-wise operators support at most 4 dimensions, found {n}")));
        }
        Ok(if names.len() == n { names } else { ["B", "H", "D", "K"][..n].iter().map(|s| s.to_string()).collect() })
    }

    fn simd(&self) -> Result<StreamNode, InputError> {
        let inp = self.in_shape()?;
        let out = self.out_shape()?;
        if inp != out {
            return Err(self.err(format!(
                "input and output shapes of an element-wise operator must be equal, found {inp:?} and {out:?}"
            )));
        }
        let dims = self.dims_for(out.len())?;
        let mut loop_dims = Vec::new();
        for (d, &s) in dims.iter().zip(&out) {
            loop_dims.push((d.clone(), self.positive(s, d)?));
        }
        let eq = dims.iter().map(|d| format!("[{}]", d.to_lowercase())).collect::<String>();
        let eq_w = if self.n.preds.len() == 1 { "[]".to_string() } else { eq.clone() };
        let equation = format!("O{eq}+=I{eq}*W{eq_w}");
        let t = self.op().to_lowercase();
        self.finish(&equation, loop_dims, Vec::new(), Vec::new(), None, self.precision()?, self.sources_stream()?, &t)
    }

    fn mul(&self) -> Result<StreamNode, InputError> {
        if self.n.node.input.len() != 2 || self.n.node.output.len() != 1 {
            return Err(self.err(format!(
                "expected 2 inputs and 1 output, found {} and {}",
                self.n.node.input.len(),
                self.n.node.output.len()
            )));
        }
        let shapes: Vec<Vec<i64>> = self.n.node.input.iter().map(|n| self.shape_of(n)).collect::<Result<_, _>>()?;
        let out = self.out_shape()?;
        let Some(pos) = shapes.iter().position(|s| *s == out) else {
            return Err(self.err(format!("the output shape {out:?} must equal one of the input shapes {shapes:?}")));
        };
        let broadcast = shapes[1 - pos].clone();
        for (bs, is) in broadcast.iter().rev().zip(out.iter().rev()) {
            if *bs != 1 && bs != is {
                return Err(self.err(format!("cannot broadcast {broadcast:?} to {out:?}")));
            }
        }
        let src = match self.n.preds {
            [] => vec![("W".into(), self.n.id), ("I".into(), self.n.id)],
            [a] => vec![("W".into(), self.n.id), ("I".into(), *a)],
            [a, b] => {
                // The input whose shape is the broadcast one (first match) feeds `W`.
                let wi = shapes.iter().position(|s| *s == broadcast).unwrap_or(1);
                let w_name = &self.n.node.input[wi];
                let w_id = self
                    .ctx_nodes_producing(w_name)
                    .ok_or_else(|| self.err(format!("cannot find the producer of input \"{w_name}\"")))?;
                let i_id = if a == b {
                    w_id
                } else if *a != w_id {
                    *a
                } else {
                    *b
                };
                vec![("W".into(), w_id), ("I".into(), i_id)]
            }
            _ => return Err(self.err(format!("expected at most 2 producing nodes, found {}", self.n.preds.len()))),
        };
        let dims = self.dims_for(out.len())?;
        let mut loop_dims = Vec::new();
        for (d, &s) in dims.iter().zip(&out) {
            loop_dims.push((d.clone(), self.positive(s, d)?));
        }
        let nb = broadcast.len().min(dims.len());
        let bdims = &dims[dims.len() - nb..];
        let eq = dims.iter().map(|d| format!("[{}]", d.to_lowercase())).collect::<String>();
        let eq_w = bdims.iter().map(|d| format!("[{}]", d.to_lowercase())).collect::<String>();
        let equation = format!("O{eq}+=I{eq}*W{eq_w}");
        let t = self.op().to_lowercase();
        self.finish(&equation, loop_dims, Vec::new(), Vec::new(), None, self.precision()?, src, &t)
    }

    /// The first predecessor (in node-id order) that produces `tensor`.
    fn ctx_nodes_producing(&self, tensor: &str) -> Option<usize> {
        self.n.producers_of(tensor).iter().copied().find(|id| self.n.preds.contains(id))
    }

    fn reshape(&self) -> Result<StreamNode, InputError> {
        let pred = self.single_pred("Reshape")?;
        let shape = self.out_shape()?;
        Ok(self.propagation(NodeKind::Reshape { shape }, pred))
    }

    fn flatten(&self) -> Result<StreamNode, InputError> {
        let pred = self.single_pred("Flatten")?;
        let node = self.n.node;
        let axis = match attrs::find(node, "axis").and_then(attrs::ints_any) {
            // reference quirk: Stream's default axis is -1 (ONNX says 1).
            None => -1,
            Some(v) if v.len() == 1 && attrs::find(node, "axis").and_then(|a| a.r#type) != Some(7) => v[0],
            Some(_) => return Err(self.err("the `axis` attribute must be a single integer".into())),
        };
        Ok(self.propagation(NodeKind::Flatten { axis }, pred))
    }

    fn transpose(&self) -> Result<StreamNode, InputError> {
        let pred = self.single_pred("Transpose")?;
        let perm = attrs::find(self.n.node, "perm").map(|a| a.ints.clone());
        Ok(self.propagation(NodeKind::Transpose { perm }, pred))
    }

    fn unsupported(&self) -> InputError {
        self.err(format!(
            "operator `{}` is parsed by Stream but not supported by this port yet; supported: Conv, QLinearConv, Gemm, MatMul, pooling, Add, Mul, element-wise activations, Reshape, Flatten, Transpose (others become pass-through nodes)",
            self.op()
        ))
    }

    /// A pass-through node: the first two producers feed `I` and `W`.
    fn dummy(&self) -> StreamNode {
        let mut src = Vec::new();
        if let Some(&a) = self.n.preds.first() {
            src.push(("I".to_string(), a));
        }
        if let Some(&b) = self.n.preds.get(1) {
            src.push(("W".to_string(), b));
        }
        StreamNode {
            id: self.n.id,
            name: self.name.to_owned(),
            operator_type: self.op().to_owned(),
            kind: NodeKind::Dummy,
            input_operand_source: src,
        }
    }
}

fn rel(derived: &str, coef_a: i64, a: &str, coef_b: i64, b: &str) -> DimensionRelation {
    DimensionRelation {
        derived: derived.into(),
        a: a.into(),
        coef_a: coef_a.max(0) as u64,
        b: b.into(),
        coef_b: coef_b.max(0) as u64,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn equation_tokens() {
        let (_, ops) = crate::equation::normalise("O[b][h][d][k]+=I[b][h][d][k]*W[]");
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[0].dims, vec!["B", "H", "D", "K"]);
        assert!(ops[2].dims.is_empty());
        let (norm, ops) = crate::equation::normalise("O[b][g][k][oy][ox]+=W[k][c][fy][fx]*I[b][g][c][iy][ix]");
        assert_eq!(norm, "O[b][g][k][oy][ox] = W[k][c][fy][fx] * I[b][g][c][iy][ix]");
        assert_eq!(ops[1].name, "W");
        assert_eq!(ops[2].dims, vec!["B", "G", "C", "IY", "IX"]);
    }
}
