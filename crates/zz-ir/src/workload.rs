//! Workload: a graph of layers, each a nested loop described by an einsum-like equation.
//!
//! A [`Layer`] holds what the reference's `LayerNode` is built from: the equation's
//! operands and their index dimensions, the loop dimensions and sizes (definition
//! order), dimension relations such as `ix = 2*ox + 1*fx`, padding, precisions and
//! the producers of its input operands. Non-MAC ONNX nodes are kept as
//! [`LayerKind::Dummy`] so graph dependencies survive.

/// One operand of the equation: its name and index dimensions (upper-cased), in equation order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EquationOperand {
    /// Operand name, e.g. `O`, `W`, `I`.
    pub name: String,
    /// Index dimensions, upper-cased, e.g. `[B, K, OY, OX]`.
    pub dims: Vec<String>,
}

/// A derived dimension `derived = coef_a * a + coef_b * b` (e.g. `IX = 2*OX + 1*FX`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DimensionRelation {
    /// Derived (partially relevant) dimension, e.g. `IX`.
    pub derived: String,
    /// First related loop dimension.
    pub a: String,
    /// Its coefficient.
    pub coef_a: u64,
    /// Second related loop dimension.
    pub b: String,
    /// Its coefficient.
    pub coef_b: u64,
}

/// Whether a node carries MACs or only keeps the graph connected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    /// A layer evaluated by the cost model.
    Compute,
    /// A node without cost (ONNX Relu, MaxPool, Add, ...).
    Dummy,
}

/// A layer of the workload.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// Layer id (YAML `id` or ONNX node position).
    pub id: usize,
    /// Layer name (YAML `name`, default `Layer{id}`; ONNX node name, default `Op{id}`).
    pub name: String,
    /// Operator type (`Conv`, `Gemm`, `Pooling`, ...), used for mapping lookup.
    pub operator_type: String,
    /// Compute layer or dummy node.
    pub kind: LayerKind,
    /// The normalised equation string, e.g. `O[b][k] = W[k][c] * I[b][c]`.
    pub equation: String,
    /// Operands in equation order: output first, then the inputs.
    pub operands: Vec<EquationOperand>,
    /// Loop dimensions (upper-cased) and their sizes, in definition order.
    pub loop_dims: Vec<(String, u64)>,
    /// Dimension relations in file order.
    pub relations: Vec<DimensionRelation>,
    /// Padding per derived dimension `(begin, end)`.
    pub padding: Vec<(String, (i64, i64))>,
    /// Explicit sizes of derived dimensions (ONNX input sizes), when given.
    pub pr_sizes: Option<Vec<(String, u64)>>,
    /// Operand precisions in bits, keys as in the file (`W`, `I`, `O`, `O_final`).
    pub precision: Vec<(String, u64)>,
    /// Producer layer id of each operand (`operand_source`), in file order.
    pub operand_source: Vec<(String, usize)>,
}

impl Layer {
    /// Output operand name.
    pub fn output(&self) -> &str {
        &self.operands[0].name
    }

    /// Input operand names, in equation order.
    pub fn inputs(&self) -> impl Iterator<Item = &str> {
        self.operands[1..].iter().map(|o| o.name.as_str())
    }

    /// Size of a loop dimension.
    pub fn size_of(&self, dim: &str) -> Option<u64> {
        self.loop_dims.iter().find(|(d, _)| d == dim).map(|(_, s)| *s)
    }

    /// Precision of an operand (or `O_final`).
    pub fn precision_of(&self, op: &str) -> Option<u64> {
        self.precision.iter().find(|(o, _)| o == op).map(|(_, p)| *p)
    }

    /// Total MAC count: product of all loop sizes.
    pub fn total_mac_count(&self) -> u64 {
        self.loop_dims.iter().map(|(_, s)| *s).product()
    }

    /// Operands whose source is the layer itself (constant operands), in source order.
    pub fn constant_operands(&self) -> Vec<&str> {
        self.operand_source.iter().filter(|(_, s)| *s == self.id).map(|(o, _)| o.as_str()).collect()
    }
}

/// A workload graph: layers (including dummy nodes) and producer → consumer edges.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Workload {
    /// Nodes in insertion order.
    pub layers: Vec<Layer>,
    /// Edges as (producer index, consumer index) into `layers`, in insertion order.
    pub edges: Vec<(usize, usize)>,
}

impl Workload {
    /// Node indices in the reference's topological order: Kahn "generations"
    /// (networkx `topological_sort`): in-degree-0 nodes in insertion order, then for each node of the
    /// current generation its successors in edge-insertion order as their in-degree reaches zero.
    ///
    /// ```
    /// use zz_ir::workload::Workload;
    /// let w = Workload { layers: vec![], edges: vec![] };
    /// assert!(w.topological_order().is_empty());
    /// ```
    pub fn topological_order(&self) -> Vec<usize> {
        crate::graph::topological_order(self.layers.len(), &self.edges)
    }

    /// Compute layers in topological order (dummy nodes skipped).
    pub fn compute_layers(&self) -> Vec<&Layer> {
        self.topological_order().into_iter().map(|i| &self.layers[i]).filter(|l| l.kind == LayerKind::Compute).collect()
    }
}

/// Number of distinct values of `sa*a + sb*b` for `a < A`, `b < B` (the size of a derived
/// dimension such as `IX = OX + FX` with strides; ZigZag's `calc_pr_dimension_size`).
pub fn pr_dimension_size(sa: i64, a: i64, sb: i64, b: i64) -> i64 {
    let g = gcd(sa, sb).max(1);
    a * b - (b - sa / g).max(0) * (a - sb / g)
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Dimension names of ZigZag's layer types (Conv, grouped Conv, Gemm / MatMul, attention
/// heads, 3-D convolutions); names used by the workload's own layers count too.
pub const KNOWN_DIMS: &[&str] = &["B", "K", "C", "G", "OX", "OY", "OZ", "FX", "FY", "FZ", "IX", "IY", "IZ", "D", "H"];
