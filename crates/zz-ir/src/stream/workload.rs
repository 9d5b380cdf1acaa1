//! Stream's layer graph as data: computation nodes (layers that run on a core, with their
//! mapping entry applied) and the non-computation nodes between them that only carry
//! dependencies (dummy, reshape, flatten, transpose). The readers (YAML and ONNX) are in
//! `zz_inputs::stream::workload`.

use crate::mapping::UserSpatialMapping;
use crate::stream::mapping::Tiling;
use crate::workload::{Layer, pr_dimension_size};

/// A layer that runs on a core.
#[derive(Clone, Debug, PartialEq)]
pub struct ComputationLayer {
    /// The layer as ZigZag sees it (loop dims in definition order, relations, padding,
    /// precisions, `operand_source` with the node's own id for constant operands). `pr_sizes`
    /// always holds the full sizes of the derived dimensions (given or computed).
    pub layer: Layer,
    /// Stream's lower-case node type (`conv`, `pooling`, `gemm`, `relu`, `add`, ...).
    pub op_type: String,
    /// Producer node id of each variable input operand, in the reference's dict order.
    pub input_operand_source: Vec<(String, usize)>,
    /// Operands read from memory only (weights; the input of a first layer).
    pub constant_operands: Vec<String>,
    /// Operands treated as variable for dependencies but constant for fetching (KV caches).
    pub partially_constant_operands: Vec<String>,
    /// Cores the node may run on.
    pub core_allocation: Vec<usize>,
    /// Intra-core tiling from the mapping (before normalisation).
    pub intra_core_tiling: Tiling,
    /// Inter-core tiling from the mapping (before normalisation).
    pub inter_core_tiling: Tiling,
    /// Spatial mapping used for cores without `dataflows`.
    pub spatial_mapping: Option<UserSpatialMapping>,
    /// Reshape of the `I`/`O` dependency tensors back to the ONNX layout (`(B, -1, X, Y)`),
    /// present when the node has `B`, `OX`, `OY`, `IX` and `IY`.
    pub operand_tensor_reshape: Option<Vec<(String, Vec<i64>)>>,
}

/// What a node of the layer graph is.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A computation node.
    Computation(Box<ComputationLayer>),
    /// Pass-through (zero cost) node.
    Dummy,
    /// ONNX `Reshape` to `shape` (the output shape).
    Reshape {
        /// Target shape.
        shape: Vec<i64>,
    },
    /// ONNX `Flatten` at `axis` (Stream's default `-1` when absent).
    Flatten {
        /// Axis.
        axis: i64,
    },
    /// ONNX `Transpose` with `perm` (reverse when absent).
    Transpose {
        /// Permutation.
        perm: Option<Vec<i64>>,
    },
}

/// A node of the layer graph.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamNode {
    /// Node id (YAML `id`; ONNX: index among the nodes that have inputs).
    pub id: usize,
    /// Name (may be empty for ONNX nodes without a name).
    pub name: String,
    /// ONNX operator type / YAML `operator_type`.
    pub operator_type: String,
    /// Kind and payload.
    pub kind: NodeKind,
    /// Producer node id per input operand (`I`, `W`), in the reference's dict order.
    pub input_operand_source: Vec<(String, usize)>,
}

impl StreamNode {
    /// The computation layer, if this is a computation node.
    pub fn computation(&self) -> Option<&ComputationLayer> {
        match &self.kind {
            NodeKind::Computation(c) => Some(c),
            _ => None,
        }
    }
}

/// The layer graph.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct StreamWorkload {
    /// Nodes in insertion order.
    pub nodes: Vec<StreamNode>,
    /// Edges `(producer index, consumer index)` into `nodes`, in insertion order, no duplicates.
    pub edges: Vec<(usize, usize)>,
}

impl StreamWorkload {
    /// Index of the node with this id.
    pub fn index_of(&self, id: usize) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// Successor indices of node `i` in edge-insertion order.
    pub fn successors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges.iter().filter(move |e| e.0 == i).map(|e| e.1)
    }

    /// Predecessor indices of node `i` in edge-insertion order.
    pub fn predecessors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges.iter().filter(move |e| e.1 == i).map(|e| e.0)
    }

    /// Node indices in networkx `topological_sort` order (Kahn generations).
    pub fn topological_order(&self) -> Vec<usize> {
        crate::graph::topological_order(self.nodes.len(), &self.edges)
    }

    /// Shortest (fewest edges) path of node indices from `a` to `b`, breadth-first in edge
    /// order (networkx `shortest_path`); `None` if unreachable.
    pub fn shortest_path(&self, a: usize, b: usize) -> Option<Vec<usize>> {
        let n = self.nodes.len();
        let mut pred: Vec<Option<usize>> = vec![None; n];
        let mut seen = vec![false; n];
        seen[a] = true;
        let mut queue = std::collections::VecDeque::from([a]);
        while let Some(v) = queue.pop_front() {
            if v == b {
                break;
            }
            for w in self.successors(v) {
                if !seen[w] {
                    seen[w] = true;
                    pred[w] = Some(v);
                    queue.push_back(w);
                }
            }
        }
        if !seen[b] {
            return None;
        }
        let mut path = vec![b];
        let mut cur = b;
        while let Some(p) = pred[cur] {
            path.push(p);
            cur = p;
        }
        path.reverse();
        Some(path)
    }

    /// Appends a node and an edge from each of its operand sources (earlier nodes by id), no
    /// duplicate edges; a source that is no earlier node is reported through `err`.
    pub fn add<E>(&mut self, node: StreamNode, err: impl Fn(String) -> E) -> Result<(), E> {
        let idx = self.nodes.len();
        for (_, src) in &node.input_operand_source {
            let Some(p) = self.index_of(*src) else {
                return Err(err(format!("operand source {src} is not an earlier node of the workload")));
            };
            if !self.edges.contains(&(p, idx)) {
                self.edges.push((p, idx));
            }
        }
        self.nodes.push(node);
        Ok(())
    }
}

/// Full sizes of the derived (partially relevant) dimensions: given sizes, else
/// `pr_dimension_size − padding`, one per distinct derived dimension in relation order.
pub fn pr_layer_dim_sizes(layer: &Layer) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    for rel in &layer.relations {
        let given = layer.pr_sizes.as_ref().and_then(|v| v.iter().find(|(n, _)| *n == rel.derived).map(|(_, s)| *s));
        let size = match given {
            Some(s) => s,
            None => {
                let a = layer.size_of(&rel.a).unwrap_or(1) as i64;
                let b = layer.size_of(&rel.b).unwrap_or(1) as i64;
                let full = pr_dimension_size(rel.coef_a as i64, a, rel.coef_b as i64, b);
                let (pb, pe) = layer.padding.iter().find(|(n, _)| *n == rel.derived).map(|(_, v)| *v).unwrap_or((0, 0));
                (full - pb - pe).max(0) as u64
            }
        };
        match out.iter_mut().find(|(n, _)| *n == rel.derived) {
            Some(e) => e.1 = size,
            None => out.push((rel.derived.clone(), size)),
        }
    }
    out
}
