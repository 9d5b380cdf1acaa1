//! The walk over an ONNX graph's nodes shared by both front ends, and its table of
//! per-operator builders (as tract-onnx registers operators): a front end implements
//! [`FrontEnd`] (how it reports a node's errors and adds a built node to its result) and
//! hands [`walk`] an [`OpTable`] of `(op_types, builder)` rows plus a builder for every other
//! operator. The walk owns what both references do alike: node ids in graph order, the
//! predecessor list of every node (every earlier node producing one of its inputs, per input
//! in node order), the self-cycle check and the dispatch; [`Linking`] holds the two
//! references' differences in how tensors link nodes.

use std::collections::HashMap;

use super::model::OnnxModel;
use super::proto::NodeProto;
use crate::InputError;

/// How tensor names link nodes; the references differ in corner cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Linking {
    /// ZigZag's parser: every node gets an id (its graph position); empty (absent optional)
    /// names never link; a producer is listed once per output naming the tensor.
    ZigZag,
    /// Stream's parser: nodes without inputs are skipped (they get no id); every name links,
    /// the empty one too; a producer is listed once per tensor.
    Stream,
}

/// One node being built.
pub(crate) struct NodeRef<'a> {
    /// Position in `graph.node` (for byte offsets).
    pub(crate) index: usize,
    /// Node id in the built workload.
    pub(crate) id: usize,
    pub(crate) node: &'a NodeProto,
    /// `op_type` (empty if absent).
    pub(crate) op: &'a str,
    /// Ids of the earlier nodes producing the inputs, per input in input order.
    pub(crate) preds: &'a [usize],
    producers: &'a HashMap<&'a str, Vec<usize>>,
}

impl NodeRef<'_> {
    /// Ids of the earlier nodes producing `tensor`, in id order.
    pub(crate) fn producers_of(&self, tensor: &str) -> &[usize] {
        self.producers.get(tensor).map_or(&[], Vec::as_slice)
    }
}

/// A per-operator builder.
pub(crate) type Build<F> = fn(&mut F, &NodeRef<'_>) -> Result<<F as FrontEnd>::Node, InputError>;

/// A front end's operator table.
pub(crate) struct OpTable<'t, F: FrontEnd> {
    /// `(op types, builder)` rows; the first row naming the op type builds the node.
    pub(crate) ops: &'t [(&'t [&'t str], Build<F>)],
    /// Builder of every operator no row names.
    pub(crate) other: Build<F>,
}

impl<F: FrontEnd> OpTable<'_, F> {
    fn builder(&self, op: &str) -> Build<F> {
        self.ops.iter().find(|(names, _)| names.contains(&op)).map_or(self.other, |&(_, b)| b)
    }
}

/// What a front end tells the walk.
pub(crate) trait FrontEnd: Sized {
    /// What a builder makes of one node.
    type Node;
    /// How tensors link the nodes.
    const LINKING: Linking;
    /// An error located at node `n`.
    fn node_error(&self, n: &NodeRef<'_>, message: String) -> InputError;
    /// Adds a built node to the result.
    fn add(&mut self, n: &NodeRef<'_>, node: Self::Node) -> Result<(), InputError>;
}

/// Builds every node of the model's graph, in graph order, with the table's builders.
pub(crate) fn walk<F: FrontEnd>(model: &OnnxModel, table: &OpTable<'_, F>, front: &mut F) -> Result<(), InputError> {
    let stream = F::LINKING == Linking::Stream;
    let links = |name: &str| stream || !name.is_empty();
    let mut producers: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut id = 0usize;
    for (index, node) in model.graph().node.iter().enumerate() {
        if stream && node.input.is_empty() {
            continue;
        }
        let mut preds = Vec::new();
        for input in node.input.iter().filter(|i| links(i)) {
            if let Some(p) = producers.get(input.as_str()) {
                preds.extend_from_slice(p);
            }
        }
        let op = node.op_type.as_deref().unwrap_or("");
        let n = NodeRef { index, id, node, op, preds: &preds, producers: &producers };
        if let Some(t) = node.input.iter().find(|i| !i.is_empty() && node.output.contains(i)) {
            return Err(front.node_error(
                &n,
                format!("the node consumes its own output `{t}` (a cycle); an ONNX graph must be acyclic"),
            ));
        }
        let built = (table.builder(op))(front, &n)?;
        front.add(&n, built)?;
        for (k, out) in node.output.iter().enumerate() {
            if links(out) && !(stream && node.output[..k].contains(out)) {
                producers.entry(out.as_str()).or_default().push(id);
            }
        }
        id += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::onnx::model::Checks;
    use crate::onnx::proto::{GraphProto, ModelProto};

    /// Records `(id, op, preds)` of every node.
    struct Record<const STREAM: bool>(Vec<(usize, String, Vec<usize>)>);

    impl<const STREAM: bool> FrontEnd for Record<STREAM> {
        type Node = (usize, String, Vec<usize>);
        const LINKING: Linking = if STREAM { Linking::Stream } else { Linking::ZigZag };
        fn node_error(&self, n: &NodeRef<'_>, message: String) -> InputError {
            InputError { file: String::new(), line: 1, column: 1, key: n.op.to_string(), message }
        }
        fn add(&mut self, _: &NodeRef<'_>, node: Self::Node) -> Result<(), InputError> {
            self.0.push(node);
            Ok(())
        }
    }

    fn node(op: &str, inputs: &[&str], outputs: &[&str]) -> NodeProto {
        NodeProto {
            op_type: Some(op.to_string()),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outputs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn run<const STREAM: bool>(nodes: Vec<NodeProto>) -> Result<Vec<(usize, String, Vec<usize>)>, InputError> {
        let bytes = ModelProto { graph: Some(GraphProto { node: nodes, ..Default::default() }), ..Default::default() }
            .encode_to_vec();
        let model = OnnxModel::decode("m.onnx", &bytes, Checks::ZIGZAG).unwrap();
        let record: Build<Record<STREAM>> = |_, n| Ok((n.id, n.op.to_string(), n.preds.to_vec()));
        let special: Build<Record<STREAM>> = |_, n| Ok((n.id, format!("special {}", n.op), n.preds.to_vec()));
        let mut front = Record::<STREAM>(Vec::new());
        walk(&model, &OpTable { ops: &[(&["B"], special)], other: record }, &mut front)?;
        Ok(front.0)
    }

    #[test]
    fn linking_rules_and_dispatch() {
        let nodes = || {
            vec![
                node("Src", &[], &["e"]),
                node("A", &["x"], &["t", "t", ""]),
                node("B", &["t", ""], &["u"]),
                node("C", &["u", "e"], &["v"]),
            ]
        };
        let zigzag = run::<false>(nodes()).unwrap();
        assert_eq!(
            zigzag,
            vec![
                (0, "Src".to_string(), vec![]),
                (1, "A".to_string(), vec![]),
                (2, "special B".to_string(), vec![1, 1]),
                (3, "C".to_string(), vec![2, 0]),
            ]
        );
        let stream = run::<true>(nodes()).unwrap();
        assert_eq!(
            stream,
            vec![(0, "A".to_string(), vec![]), (1, "special B".to_string(), vec![0, 0]), (2, "C".to_string(), vec![1]),]
        );
    }

    #[test]
    fn a_self_cycle_is_reported_by_the_front_end() {
        let err = run::<true>(vec![node("Loop", &["a"], &["a"])]).unwrap_err();
        assert_eq!(err.key, "Loop");
        assert!(err.message.contains("consumes its own output `a`"), "{}", err.message);
    }
}
