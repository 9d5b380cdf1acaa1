//! Tensor shapes of an ONNX graph: declared ones first, own propagation as a fallback.
//!
//! Declared shapes come from `graph.input`, `graph.output`, `graph.value_info` and then
//! the initializer dims, in that priority (the reference's lookup order); a `dim_param`
//! or missing `dim_value` reads as 0 ("unknown"). For tensors without a declared shape a
//! forward pass over the nodes infers shapes of the common operators (Conv, pools,
//! element-wise, Flatten, Gemm/MatMul, Reshape with a constant shape, Transpose, Concat,
//! (Un)Squeeze, Constant, Shape, Pad). Unknown stays unknown: callers report it.

use std::collections::HashMap;

use super::attrs::{int_lenient, ints_lenient, str_lenient, tensor_ints};
use super::model::tensor_dims;
use super::proto::{GraphProto, NodeProto, ValueInfoProto};

/// Whether a shape was written in the file or inferred by [`Shapes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    Declared,
    Inferred,
}

/// Shape table of a graph.
#[derive(Debug, Default)]
pub(crate) struct Shapes {
    declared: HashMap<String, Vec<i64>>,
    initializers: HashMap<String, Vec<i64>>,
    inferred: HashMap<String, Vec<i64>>,
    /// Values of small integer constants (initializers and `Constant` nodes).
    consts: HashMap<String, Vec<i64>>,
}

fn value_info_shape(v: &ValueInfoProto) -> Option<Vec<i64>> {
    tensor_dims(v.r#type.as_ref()?)?
}

impl Shapes {
    /// Collects the declared shapes and runs the propagation over `graph.node`.
    pub(crate) fn new(graph: &GraphProto) -> Self {
        let mut s = Shapes::default();
        for v in graph.input.iter().chain(&graph.output).chain(&graph.value_info) {
            if let (Some(name), Some(shape)) = (v.name.as_deref(), value_info_shape(v)) {
                s.declared.entry(name.to_string()).or_insert(shape);
            }
        }
        for t in &graph.initializer {
            let Some(name) = t.name.as_deref() else {
                continue;
            };
            s.initializers.entry(name.to_string()).or_insert_with(|| t.dims.clone());
            s.declared.entry(name.to_string()).or_insert_with(|| t.dims.clone());
            if let Some(v) = tensor_ints(t) {
                s.consts.entry(name.to_string()).or_insert(v);
            }
        }
        for node in &graph.node {
            let outs = s.infer_node(node);
            for (name, shape) in node.output.iter().zip(outs) {
                if name.is_empty() || s.declared.contains_key(name) {
                    continue;
                }
                if let Some(shape) = shape {
                    s.inferred.entry(name.clone()).or_insert(shape);
                }
            }
            if node.op_type.as_deref() == Some("Constant")
                && let (Some(out), Some(v)) = (node.output.first(), constant_ints(node))
            {
                s.consts.entry(out.clone()).or_insert(v);
            }
        }
        s
    }

    /// Shape written in the file (graph input/output/value_info, initializer dims).
    pub(crate) fn declared(&self, name: &str) -> Option<&[i64]> {
        self.declared.get(name).map(Vec::as_slice)
    }

    /// Dims of the initializer called `name`.
    pub(crate) fn initializer(&self, name: &str) -> Option<&[i64]> {
        self.initializers.get(name).map(Vec::as_slice)
    }

    /// Shape inferred by the propagation (only for tensors without a declared shape).
    pub(crate) fn inferred(&self, name: &str) -> Option<&[i64]> {
        self.inferred.get(name).map(Vec::as_slice)
    }

    /// Declared shape, else inferred shape.
    pub(crate) fn get(&self, name: &str) -> Option<(&[i64], Origin)> {
        if let Some(s) = self.declared(name) {
            return Some((s, Origin::Declared));
        }
        self.inferred(name).map(|s| (s, Origin::Inferred))
    }

    fn shape(&self, name: &str) -> Option<&[i64]> {
        if name.is_empty() {
            return None;
        }
        self.get(name).map(|(s, _)| s)
    }

    fn input(&self, node: &NodeProto, i: usize) -> Option<&[i64]> {
        self.shape(node.input.get(i)?)
    }

    fn const_input(&self, node: &NodeProto, i: usize) -> Option<&[i64]> {
        let name = node.input.get(i)?;
        self.consts.get(name).map(Vec::as_slice)
    }

    /// Output shapes of one node (one entry per output; `None` = could not infer).
    fn infer_node(&self, node: &NodeProto) -> Vec<Option<Vec<i64>>> {
        let n_out = node.output.len();
        let op = node.op_type.as_deref().unwrap_or("");
        let first = match op {
            "Conv" => self.conv(node, 1),
            "QLinearConv" => self.conv(node, 3),
            "ConvInteger" => self.conv(node, 1),
            "MaxPool" | "AveragePool" | "LpPool" => self.pool(node),
            "GlobalAveragePool" | "GlobalMaxPool" | "GlobalLpPool" => self.input(node, 0).and_then(|x| {
                (x.len() >= 2).then(|| x.iter().enumerate().map(|(i, &d)| if i < 2 { d } else { 1 }).collect())
            }),
            "Relu"
            | "LeakyRelu"
            | "PRelu"
            | "Sigmoid"
            | "Tanh"
            | "HardSigmoid"
            | "HardSwish"
            | "Clip"
            | "Elu"
            | "Selu"
            | "Celu"
            | "Softplus"
            | "Softsign"
            | "Gelu"
            | "Erf"
            | "Exp"
            | "Log"
            | "Sqrt"
            | "Neg"
            | "Abs"
            | "Reciprocal"
            | "Floor"
            | "Ceil"
            | "Round"
            | "Sign"
            | "Identity"
            | "Cast"
            | "CastLike"
            | "Dropout"
            | "BatchNormalization"
            | "InstanceNormalization"
            | "LayerNormalization"
            | "GroupNormalization"
            | "LRN"
            | "Softmax"
            | "LogSoftmax"
            | "Hardmax"
            | "QuantizeLinear"
            | "DequantizeLinear"
            | "Not"
            | "IsNaN"
            | "IsInf"
            | "Mish"
            | "Sin"
            | "Cos"
            | "ThresholdedRelu"
            | "Shrink" => self.input(node, 0).map(<[i64]>::to_vec),
            "Add" | "Sub" | "Mul" | "Div" | "Pow" | "Max" | "Min" | "Sum" | "Mean" | "Where" | "And" | "Or" | "Xor"
            | "Equal" | "Less" | "Greater" | "LessOrEqual" | "GreaterOrEqual" | "Mod" | "BitShift" => {
                self.broadcast_all(node)
            }
            "Flatten" => self.flatten(node),
            "Gemm" => self.gemm(node),
            "MatMul" | "MatMulInteger" => matmul(self.input(node, 0), self.input(node, 1)),
            "QLinearMatMul" => matmul(self.input(node, 0), self.input(node, 3)),
            "Reshape" => self.reshape(node),
            "Transpose" => self.transpose(node),
            "Concat" => self.concat(node),
            "Squeeze" => self.squeeze(node),
            "Unsqueeze" => self.unsqueeze(node),
            "Constant" => constant_shape(node),
            "Shape" => self.input(node, 0).map(|x| vec![x.len() as i64]),
            "Pad" => self.pad(node),
            _ => None,
        };
        let mut outs = vec![None; n_out];
        if let Some(first) = first {
            // Ops whose extra outputs share the first output's shape (Dropout mask, MaxPool indices).
            let same_extra = matches!(op, "Dropout" | "MaxPool");
            for (i, slot) in outs.iter_mut().enumerate() {
                if i == 0 || same_extra {
                    *slot = Some(first.clone());
                }
            }
        }
        outs
    }

    fn conv(&self, node: &NodeProto, weight_input: usize) -> Option<Vec<i64>> {
        let x = self.input(node, 0)?;
        if x.len() < 3 {
            return None;
        }
        let rank = x.len() - 2;
        let w = self.input(node, weight_input);
        let kernel = match ints_lenient(node, "kernel_shape") {
            Some(k) => k,
            None => w.filter(|w| w.len() == x.len())?[2..].to_vec(),
        };
        let out_channels = w.and_then(|w| w.first().copied()).unwrap_or(0);
        let spatial = self.window(node, &x[2..], &kernel, rank, false)?;
        let mut out = vec![x[0], out_channels];
        out.extend(spatial);
        Some(out)
    }

    fn pool(&self, node: &NodeProto) -> Option<Vec<i64>> {
        let x = self.input(node, 0)?;
        if x.len() < 3 {
            return None;
        }
        let rank = x.len() - 2;
        let kernel = ints_lenient(node, "kernel_shape")?;
        let ceil_mode = int_lenient(node, "ceil_mode").unwrap_or(0) != 0;
        let spatial = self.window(node, &x[2..], &kernel, rank, ceil_mode)?;
        let mut out = vec![x[0], x[1]];
        out.extend(spatial);
        Some(out)
    }

    /// Spatial output sizes of a sliding window (Conv/pool attributes `strides`, `dilations`, `pads`, `auto_pad`).
    fn window(&self, node: &NodeProto, input: &[i64], kernel: &[i64], rank: usize, ceil: bool) -> Option<Vec<i64>> {
        if kernel.len() != rank {
            return None;
        }
        let ones = vec![1; rank];
        let strides = ints_lenient(node, "strides").unwrap_or_else(|| ones.clone());
        let dilations = ints_lenient(node, "dilations").unwrap_or(ones);
        let pads = ints_lenient(node, "pads").unwrap_or_else(|| vec![0; 2 * rank]);
        if strides.len() != rank || dilations.len() != rank || pads.len() != 2 * rank {
            return None;
        }
        let auto_pad = str_lenient(node, "auto_pad").unwrap_or_default();
        let mut out = Vec::with_capacity(rank);
        for i in 0..rank {
            let (n, k, s, d) = (input[i], kernel[i], strides[i], dilations[i]);
            if n <= 0 || k <= 0 || s <= 0 || d <= 0 {
                out.push(0);
                continue;
            }
            let size = match auto_pad.as_str() {
                "SAME_UPPER" | "SAME_LOWER" => n.checked_add(s - 1).map(|v| v / s),
                _ => {
                    let (pb, pe) = if auto_pad == "VALID" { (0, 0) } else { (pads[i], pads[i + rank]) };
                    let eff_k = (k - 1).checked_mul(d).and_then(|v| v.checked_add(1));
                    let num = eff_k.and_then(|e| n.checked_add(pb)?.checked_add(pe)?.checked_sub(e));
                    num.filter(|&v| v >= 0)
                        .and_then(|v| if ceil { v.checked_add(s - 1).map(|w| w / s + 1) } else { Some(v / s + 1) })
                }
            };
            out.push(size.unwrap_or(0));
        }
        Some(out)
    }

    fn broadcast_all(&self, node: &NodeProto) -> Option<Vec<i64>> {
        let mut acc: Option<Vec<i64>> = None;
        for name in node.input.iter().filter(|n| !n.is_empty()) {
            let s = self.shape(name)?;
            acc = Some(match acc {
                None => s.to_vec(),
                Some(a) => broadcast(&a, s)?,
            });
        }
        acc
    }

    fn flatten(&self, node: &NodeProto) -> Option<Vec<i64>> {
        let x = self.input(node, 0)?;
        let rank = x.len() as i64;
        let mut axis = int_lenient(node, "axis").unwrap_or(1);
        if axis < 0 {
            axis += rank;
        }
        if !(0..=rank).contains(&axis) {
            return None;
        }
        let (a, b) = x.split_at(axis as usize);
        Some(vec![product(a), product(b)])
    }

    fn gemm(&self, node: &NodeProto) -> Option<Vec<i64>> {
        let a = self.input(node, 0)?;
        let b = self.input(node, 1)?;
        if a.len() != 2 || b.len() != 2 {
            return None;
        }
        let rows = if int_lenient(node, "transA").unwrap_or(0) != 0 { a[1] } else { a[0] };
        let cols = if int_lenient(node, "transB").unwrap_or(0) != 0 { b[0] } else { b[1] };
        Some(vec![rows, cols])
    }

    fn reshape(&self, node: &NodeProto) -> Option<Vec<i64>> {
        let x = self.input(node, 0)?;
        let target = match self.const_input(node, 1) {
            Some(t) => t.to_vec(),
            None => ints_lenient(node, "shape")?,
        };
        let allow_zero = int_lenient(node, "allowzero").unwrap_or(0) != 0;
        let mut out = Vec::with_capacity(target.len());
        let mut infer_at = None;
        for (i, &t) in target.iter().enumerate() {
            match t {
                0 if !allow_zero => out.push(*x.get(i)?),
                -1 => {
                    if infer_at.replace(i).is_some() {
                        return None;
                    }
                    out.push(0);
                }
                t if t < 0 => return None,
                t => out.push(t),
            }
        }
        if let Some(i) = infer_at {
            let total = product(x);
            let known = product(&out.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &d)| d).collect::<Vec<_>>());
            out[i] = if total > 0 && known > 0 && total % known == 0 { total / known } else { 0 };
        }
        Some(out)
    }

    fn transpose(&self, node: &NodeProto) -> Option<Vec<i64>> {
        let x = self.input(node, 0)?;
        let perm = ints_lenient(node, "perm").unwrap_or_else(|| (0..x.len() as i64).rev().collect());
        if perm.len() != x.len() {
            return None;
        }
        perm.iter().map(|&p| usize::try_from(p).ok().and_then(|p| x.get(p).copied())).collect()
    }

    fn concat(&self, node: &NodeProto) -> Option<Vec<i64>> {
        let axis = int_lenient(node, "axis")?;
        let mut acc: Option<Vec<i64>> = None;
        let mut at = 0usize;
        for name in node.input.iter().filter(|n| !n.is_empty()) {
            let s = self.shape(name)?;
            match &mut acc {
                None => {
                    at = normalise_axis(axis, s.len())?;
                    acc = Some(s.to_vec());
                }
                Some(a) => {
                    if a.len() != s.len() {
                        return None;
                    }
                    a[at] = if a[at] > 0 && s[at] > 0 { a[at].checked_add(s[at]).unwrap_or(0) } else { 0 };
                }
            }
        }
        acc
    }

    fn axes(&self, node: &NodeProto) -> Option<Vec<i64>> {
        ints_lenient(node, "axes").or_else(|| self.const_input(node, 1).map(<[i64]>::to_vec))
    }

    fn squeeze(&self, node: &NodeProto) -> Option<Vec<i64>> {
        let x = self.input(node, 0)?;
        match self.axes(node) {
            Some(axes) => {
                let axes: Option<Vec<usize>> = axes.iter().map(|&a| normalise_axis(a, x.len())).collect();
                let axes = axes?;
                Some(x.iter().enumerate().filter(|(i, _)| !axes.contains(i)).map(|(_, &d)| d).collect())
            }
            None => {
                if x.contains(&0) {
                    return None;
                }
                Some(x.iter().copied().filter(|&d| d != 1).collect())
            }
        }
    }

    fn unsqueeze(&self, node: &NodeProto) -> Option<Vec<i64>> {
        let x = self.input(node, 0)?;
        let axes = self.axes(node)?;
        let rank = x.len() + axes.len();
        let axes: Option<Vec<usize>> = axes.iter().map(|&a| normalise_axis(a, rank)).collect();
        let axes = axes?;
        let mut rest = x.iter();
        (0..rank).map(|i| if axes.contains(&i) { Some(1) } else { rest.next().copied() }).collect()
    }

    fn pad(&self, node: &NodeProto) -> Option<Vec<i64>> {
        let x = self.input(node, 0)?;
        let pads = match self.const_input(node, 1) {
            Some(p) => p.to_vec(),
            None => ints_lenient(node, "pads")?,
        };
        if pads.len() != 2 * x.len() || node.input.get(3).is_some_and(|a| !a.is_empty()) {
            return None;
        }
        let r = x.len();
        Some(
            (0..r)
                .map(|i| {
                    if x[i] <= 0 {
                        return 0;
                    }
                    x[i].checked_add(pads[i]).and_then(|v| v.checked_add(pads[i + r])).filter(|&v| v >= 0).unwrap_or(0)
                })
                .collect(),
        )
    }
}

fn normalise_axis(axis: i64, rank: usize) -> Option<usize> {
    let r = rank as i64;
    let a = if axis < 0 { axis + r } else { axis };
    (0..r).contains(&a).then_some(a as usize)
}

/// Product of dims; 0 if any is unknown (or on overflow).
fn product(dims: &[i64]) -> i64 {
    let mut p: i64 = 1;
    for &d in dims {
        if d <= 0 {
            return 0;
        }
        p = match p.checked_mul(d) {
            Some(v) => v,
            None => return 0,
        };
    }
    p
}

/// Numpy broadcasting of two shapes (0 = unknown).
fn broadcast(a: &[i64], b: &[i64]) -> Option<Vec<i64>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i < n - a.len() { 1 } else { a[i - (n - a.len())] };
        let db = if i < n - b.len() { 1 } else { b[i - (n - b.len())] };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else if da == 0 || db == 0 {
            // one side unknown, the other > 1: the known size
            da.max(db)
        } else {
            return None;
        };
    }
    Some(out)
}

/// Numpy `matmul` shape rule.
fn matmul(a: Option<&[i64]>, b: Option<&[i64]>) -> Option<Vec<i64>> {
    let (a, b) = (a?, b?);
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let a2: Vec<i64> = if a.len() == 1 { vec![1, a[0]] } else { a.to_vec() };
    let b2: Vec<i64> = if b.len() == 1 { vec![b[0], 1] } else { b.to_vec() };
    let batch = broadcast(&a2[..a2.len() - 2], &b2[..b2.len() - 2])?;
    let mut out = batch;
    if a.len() > 1 {
        out.push(a2[a2.len() - 2]);
    }
    if b.len() > 1 {
        out.push(b2[b2.len() - 1]);
    }
    Some(out)
}

fn constant_shape(node: &NodeProto) -> Option<Vec<i64>> {
    use super::attrs::{AttrValue, value};
    for a in &node.attribute {
        match (a.name.as_deref(), value(a)) {
            (Some("value"), AttrValue::Tensor(t)) => return Some(t.dims.clone()),
            (Some("value_int" | "value_float" | "value_string"), _) => return Some(vec![]),
            (Some("value_ints"), AttrValue::Ints(v)) => return Some(vec![v.len() as i64]),
            (Some("value_floats"), _) => return Some(vec![a.floats.len() as i64]),
            _ => {}
        }
    }
    None
}

fn constant_ints(node: &NodeProto) -> Option<Vec<i64>> {
    use super::attrs::{AttrValue, value};
    for a in &node.attribute {
        match (a.name.as_deref(), value(a)) {
            (Some("value"), AttrValue::Tensor(t)) => return tensor_ints(t),
            (Some("value_int"), AttrValue::Int(i)) => return Some(vec![i]),
            (Some("value_ints"), AttrValue::Ints(v)) => return Some(v.to_vec()),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting() {
        assert_eq!(broadcast(&[1, 64, 56, 56], &[64, 1, 1]), Some(vec![1, 64, 56, 56]));
        assert_eq!(broadcast(&[3], &[4]), None);
        assert_eq!(broadcast(&[1, 0], &[0, 5]), Some(vec![0, 5]));
        assert_eq!(matmul(Some(&[2, 5, 3]), Some(&[3, 7])), Some(vec![2, 5, 7]));
        assert_eq!(matmul(Some(&[3]), Some(&[3, 7])), Some(vec![7]));
    }

    #[test]
    fn products() {
        assert_eq!(product(&[1, 512, 1, 1]), 512);
        assert_eq!(product(&[0, 512]), 0);
        assert_eq!(product(&[i64::MAX, 2]), 0);
    }
}
