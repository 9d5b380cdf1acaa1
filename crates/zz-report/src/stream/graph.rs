//! The computation-node (CN) dependency graph of a Stream run, as `graph.json` and as a
//! Graphviz DOT file.
//!
//! The CLI fills a [`CnGraph`] from the scheduler's CN graph (one [`GraphNode`] per CN, one
//! [`GraphEdge`] per dependency) and passes it to [`write_graph_json`] / [`graph_json_string`]
//! and [`write_graph_dot`] / [`graph_dot_string`]. Nodes are referred to by their `id` (any
//! unique number, e.g. the CN's index in the scheduler); times are in cycles, sizes in bits.
//!
//! JSON layout: `{"nodes": [...], "edges": [...]}`, each node
//! `{"id", "layer", "sub_id", "name", "core", "start", "end"}` (`core`, `start` and `end` are
//! omitted when the CN is not allocated / scheduled), each edge `{"src", "dst", "bits", "kind"}`.

use std::fmt::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::style as palette;
use crate::error::ReportError;
use crate::format::{cycles, num};

/// The CN dependency graph of one Stream run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CnGraph {
    /// Workload name (used as the DOT graph's label).
    pub workload: String,
    /// Every CN.
    pub nodes: Vec<GraphNode>,
    /// Every dependency between two CNs.
    pub edges: Vec<GraphEdge>,
}

/// One computation node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GraphNode {
    /// Unique node id, as referred to by [`GraphEdge::src`] / [`GraphEdge::dst`].
    pub id: usize,
    /// Id of the layer the CN belongs to.
    pub layer: usize,
    /// Index of the CN within its layer.
    pub sub_id: usize,
    /// Layer name.
    pub name: String,
    /// Id of the core the CN is allocated to, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub core: Option<usize>,
    /// Start time in cycles, when scheduled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<f64>,
    /// End time in cycles, when scheduled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<f64>,
}

/// One dependency: `dst` needs data produced by `src`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GraphEdge {
    /// Id of the producing CN.
    pub src: usize,
    /// Id of the consuming CN.
    pub dst: usize,
    /// Bits of `src`'s output that `dst` reads (0 for an ordering-only edge).
    pub bits: f64,
    /// What the edge stands for, e.g. `inter` (between layers) or `intra` (CNs of one layer).
    pub kind: String,
}

/// `graph.json` as text (pretty JSON, ends with a newline).
pub fn graph_json_string(graph: &CnGraph) -> Result<String, ReportError> {
    let value = serde_json::json!({ "workload": graph.workload, "nodes": graph.nodes, "edges": graph.edges });
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

/// Writes `graph.json` to `path`.
pub fn write_graph_json(graph: &CnGraph, path: impl AsRef<Path>) -> Result<(), ReportError> {
    std::fs::write(path, graph_json_string(graph)?)?;
    Ok(())
}

/// A DOT string literal: `s` quoted, with `"` and `\` escaped and line breaks as `\n`.
fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The graph in Graphviz DOT (left to right; nodes filled with their layer's colour, as in the
/// Gantt charts, and labelled `L<layer> #<sub id>`, core and times; edges labelled with bits).
/// Render with e.g. `dot -Tsvg graph.dot -o graph.svg`.
pub fn graph_dot_string(graph: &CnGraph) -> String {
    let mut layers: Vec<usize> = graph.nodes.iter().map(|n| n.layer).collect();
    layers.sort_unstable();
    layers.dedup();
    let mut s = String::new();
    // `write!` into a String cannot fail.
    let _ = writeln!(s, "digraph cn_graph {{");
    let _ = writeln!(s, "  label={};", dot_quote(&format!("CN graph of {}", graph.workload)));
    let _ = writeln!(s, "  rankdir=LR;");
    let _ = writeln!(s, "  node [shape=box, style=filled, fontname=\"sans-serif\", fontsize=10];");
    let _ = writeln!(s, "  edge [fontname=\"sans-serif\", fontsize=8];");
    for n in &graph.nodes {
        let colour = layers.binary_search(&n.layer).map_or(0, |i| i);
        let fill = palette::layer(colour);
        let mut label = format!("L{} #{}\n{}", n.layer, n.sub_id, n.name);
        if let Some(core) = n.core {
            let _ = write!(label, "\ncore {core}");
        }
        if let (Some(a), Some(b)) = (n.start, n.end) {
            let _ = write!(label, "\n{}–{} cycles", cycles(a), cycles(b));
        }
        let _ = writeln!(
            s,
            "  n{} [label={}, fillcolor=\"{}\", fontcolor=\"{}\"];",
            n.id,
            dot_quote(&label),
            palette::hex(fill),
            palette::hex(palette::text_on(fill))
        );
    }
    for e in &graph.edges {
        let mut label = format!("{} b", num(e.bits));
        if !e.kind.is_empty() {
            let _ = write!(label, " ({})", e.kind);
        }
        let _ = writeln!(s, "  n{} -> n{} [label={}];", e.src, e.dst, dot_quote(&label));
    }
    s.push_str("}\n");
    s
}

/// Writes the DOT file to `path`.
pub fn write_graph_dot(graph: &CnGraph, path: impl AsRef<Path>) -> Result<(), ReportError> {
    std::fs::write(path, graph_dot_string(graph))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_layer_graph() -> CnGraph {
        let node = |id, layer, sub_id, scheduled: bool| GraphNode {
            id,
            layer,
            sub_id,
            name: format!("conv\"{layer}\""),
            core: scheduled.then_some(layer),
            start: scheduled.then_some(100.0 * id as f64),
            end: scheduled.then_some(100.0 * id as f64 + 50.5),
        };
        CnGraph {
            workload: "w.onnx".into(),
            nodes: vec![node(0, 0, 0, true), node(1, 0, 1, true), node(2, 1, 0, false)],
            edges: vec![
                GraphEdge { src: 0, dst: 2, bits: 4096.0, kind: "inter".into() },
                GraphEdge { src: 1, dst: 2, bits: 2048.0, kind: "inter".into() },
                GraphEdge { src: 0, dst: 1, bits: 0.0, kind: "intra".into() },
            ],
        }
    }

    #[test]
    fn json_has_nodes_and_edges_and_omits_unscheduled_times() {
        let text = graph_json_string(&two_layer_graph()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["nodes"].as_array().unwrap().len(), 3);
        assert_eq!(v["edges"].as_array().unwrap().len(), 3);
        assert_eq!(v["nodes"][1]["start"], 100.0);
        assert_eq!(v["nodes"][1]["end"], 150.5);
        assert_eq!(v["nodes"][1]["core"], 0);
        let unscheduled = v["nodes"][2].as_object().unwrap();
        assert!(!unscheduled.contains_key("start") && !unscheduled.contains_key("core"), "{text}");
        assert_eq!(v["edges"][0]["bits"], 4096.0);
        assert_eq!(v["edges"][0]["kind"], "inter");
        // Round trip.
        let back: CnGraph = serde_json::from_str(&text).unwrap();
        assert_eq!(back, two_layer_graph());
    }

    #[test]
    fn dot_has_every_node_and_edge_and_escapes_quotes() {
        let dot = graph_dot_string(&two_layer_graph());
        assert!(dot.starts_with("digraph cn_graph {"), "{dot}");
        assert!(dot.trim_end().ends_with('}'));
        assert_eq!(dot.matches(" -> ").count(), 3, "{dot}");
        assert!(dot.contains("n0 -> n2 [label=\"4096 b (inter)\"]"), "{dot}");
        assert!(dot.contains("conv\\\"0\\\""), "{dot}");
        assert!(dot.contains("core 0\\n100–150.5 cycles"), "{dot}");
        // Layers get different fill colours.
        let fill = |id: &str| {
            let line = dot.lines().find(|l| l.trim_start().starts_with(&format!("{id} ["))).unwrap();
            line.split("fillcolor=").nth(1).unwrap()[..9].to_string()
        };
        assert_eq!(fill("n0"), fill("n1"));
        assert_ne!(fill("n0"), fill("n2"));
    }

    #[test]
    fn writes_files() {
        let dir = std::env::temp_dir().join(format!("zz-graph-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        write_graph_json(&two_layer_graph(), dir.join("graph.json")).unwrap();
        write_graph_dot(&two_layer_graph(), dir.join("graph.dot")).unwrap();
        assert!(std::fs::metadata(dir.join("graph.json")).unwrap().len() > 100);
        assert!(std::fs::metadata(dir.join("graph.dot")).unwrap().len() > 100);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn empty_graph() {
        let g = CnGraph::default();
        assert!(graph_dot_string(&g).contains("digraph"));
        assert!(graph_json_string(&g).unwrap().contains("\"nodes\": []"));
    }
}
