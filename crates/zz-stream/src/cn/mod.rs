//! Computation-node (CN) generation: layer stacks, tiling normalisation, the split of every
//! layer into CNs (loop ranges, operand tensors, groups) and the dependency edges between
//! CNs — Stream 21e5ad80's `LayerStacksGenerationStage`, `TilingGenerationStage` and
//! `TiledWorkloadGenerationStage`.
//!
//! * Layer stacks: `lbl` puts every layer alone; `fused` uses the given stacks (missing nodes
//!   become singleton stacks, non-computation ids are dropped, which can leave empty stacks)
//!   or fuses the first layers whose constant operands fit the cores' weight memories.
//! * Tiling: an intra-core tiling entry on a missing dimension is dropped, `all` becomes the
//!   dimension size, a factor larger than the size is clamped, and a non-divisor rounds the
//!   layer's size up (reference quirk). Without one, `fused` uses `(OY, 2)` for convs (per
//!   operator type, see [`fusion_partition_dim`]); a layer alone in its stack gets none.
//!   Inter-core tiling: missing dims dropped, factors clamped, default `(G|H|K, 1)`.
//! * CNs: outer loops = inter-core tiling then intra-core tiling (first loop varies fastest),
//!   size-1 loops dropped; each dimension is padded up to a multiple of its outer loops
//!   ("extended" sizes), the CN span is the padded size over the loops. CN `n` covers, per
//!   dimension, `[Σ v_i·mult_i, + span)`, and the derived dimensions follow from the
//!   relations and the begin padding.
//! * Edges: CNs of one group are chained in order (0 bits). Between layers: for a direct
//!   producer/consumer pair (or one linked only through dummy nodes), every producer CN that
//!   completes its outputs (output-irrelevant dims at their maximum) gets an edge to every
//!   consumer CN whose input box overlaps its output box (inclusive ranges, dimensions matched
//!   by position, `G` merged with `C`/`K`); through reshape/flatten/transpose nodes the
//!   producer's output is tracked element by element (see [`NodeTensor`]).

mod edges;
mod stacks;
mod tiling;

use std::collections::BTreeMap;
use std::sync::Arc;

use zz_cost::LayerInfo;
use zz_ir::workload::Layer;

use zz_ir::stream::mapping::TilingFactor;
use zz_ir::stream::workload::{NodeKind, StreamWorkload};

/// How layers are grouped for fusion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Layer by layer: every layer its own stack.
    Lbl,
    /// Layer-fused stacks.
    Fused,
}

/// Errors of CN generation (the reference's assertions / exceptions), with the layer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("layer {layer}: {message}")]
pub struct CnError {
    /// Layer name (or id).
    pub layer: String,
    /// What went wrong.
    pub message: String,
}

fn cn_err(layer: &str, message: impl Into<String>) -> CnError {
    CnError { layer: layer.to_owned(), message: message.into() }
}

/// A half-open range of one dimension.
pub type Range = (i64, i64);

/// One operand tensor of a CN.
#[derive(Clone, Debug, PartialEq)]
pub struct CnTensor {
    /// Layer operand (`O`, `W`, `I`).
    pub operand: String,
    /// Dimensions of the operand, equation order.
    pub dims: Vec<String>,
    /// Their ranges.
    pub ranges: Vec<Range>,
    /// Size in bits (`O` at the final precision).
    pub size_bits: u64,
}

impl CnTensor {
    /// The reference's tensor identity `"<layer>|<operand>|lo:hi,..."`.
    pub fn key(&self, layer_id: usize) -> String {
        let r: Vec<String> = self.ranges.iter().map(|(a, b)| format!("{a}:{b}")).collect();
        format!("{layer_id}|{}|{}", self.operand, r.join(","))
    }
}

/// A computation node.
#[derive(Clone, Debug, PartialEq)]
pub struct Cn {
    /// Index of its layer in [`CnGraph::layers`].
    pub layer: usize,
    /// Layer (node) id.
    pub id: usize,
    /// Index within the layer.
    pub sub_id: usize,
    /// Group (unit of core allocation).
    pub group: usize,
    /// Ranges of every loop dimension (definition order) then of the derived dimensions.
    pub loop_ranges: Vec<(String, Range)>,
    /// Whether the CN completes its outputs (output-irrelevant dims at their maximum).
    pub produces_final_output: bool,
    /// Output bits (`O` elements × final precision).
    pub data_produced_unique: u64,
    /// Operand tensors in equation order.
    pub tensors: Vec<CnTensor>,
    /// Core fixed by the mapping (allocation list as long as the inter-core split), if any.
    pub chosen_core: Option<usize>,
    /// Predecessors from other layers.
    pub nb_real_predecessors: usize,
}

impl Cn {
    /// Range of a dimension.
    pub fn range(&self, dim: &str) -> Option<Range> {
        self.loop_ranges.iter().find(|(d, _)| d == dim).map(|(_, r)| *r)
    }
}

/// A dependency edge between CNs (indices into [`CnGraph::cns`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CnEdge {
    /// Producer CN.
    pub src: usize,
    /// Consumer CN.
    pub dst: usize,
    /// Consumer operand (`None` for intra-layer edges).
    pub operand: Option<String>,
    /// Bits carried (the producer's `data_produced_unique`; 0 within a layer).
    pub bits: u64,
}

/// A layer after tiling.
#[derive(Clone, Debug, PartialEq)]
pub struct TiledLayer {
    /// Index of the node in the workload.
    pub node: usize,
    /// Layer id.
    pub id: usize,
    /// Name.
    pub name: String,
    /// Stream node type (`conv`, `pooling`, ...).
    pub op_type: String,
    /// Loop sizes after the tiling normalisation (rounded up by non-divisor intra tilings).
    pub layer_dim_sizes: Vec<(String, u64)>,
    /// Sizes padded to multiples of the outer loops.
    pub extended_layer_dim_sizes: Vec<(String, u64)>,
    /// Normalised intra-core tiling.
    pub intra_core_tiling: Vec<(String, u64)>,
    /// Normalised inter-core tiling (`None` factor = wildcard `*`).
    pub inter_core_tiling: Vec<(String, Option<u64>)>,
    /// Outer CN loops, innermost first.
    pub outer_loops: Vec<(String, u64)>,
    /// Allowed cores.
    pub possible_core_allocation: Vec<usize>,
    /// The layer one CN represents (CN spans as loop sizes, full derived sizes), for costing.
    pub tile_layer: Arc<Layer>,
    /// Index of the stack holding the layer.
    pub stack: usize,
    /// CN indices `start..end` in [`CnGraph::cns`].
    pub cns: std::ops::Range<usize>,
    /// Product of the inter-core factors (1 with a wildcard).
    pub total_inter_core_splits: u64,
    /// Constant operands.
    pub constant_operands: Vec<String>,
}

/// The CN graph of a workload.
#[derive(Clone, Debug, PartialEq)]
pub struct CnGraph {
    /// Layer stacks (layer ids; may contain empty stacks, as the reference).
    pub layer_stacks: Vec<Vec<usize>>,
    /// Tiled layers in the workload's topological order.
    pub layers: Vec<TiledLayer>,
    /// CNs, layer by layer (topological order), sub-id order.
    pub cns: Vec<Cn>,
    /// Edges: intra-layer ones first (layer by layer), then inter-layer ones; no duplicates.
    pub edges: Vec<CnEdge>,
}

impl CnGraph {
    /// Index of the CN `(layer id, sub id)`.
    pub fn cn_index(&self, id: usize, sub_id: usize) -> Option<usize> {
        let l = self.layers.iter().find(|l| l.id == id)?;
        (sub_id < l.cns.len()).then(|| l.cns.start + sub_id)
    }

    /// The tiled layer of a layer id.
    pub fn layer_by_id(&self, id: usize) -> Option<&TiledLayer> {
        self.layers.iter().find(|l| l.id == id)
    }
}

/// Options of CN generation.
#[derive(Clone, Debug, PartialEq)]
pub struct CnOptions {
    /// `lbl` or `fused`.
    pub mode: Mode,
    /// Explicit layer stacks (fused mode); `None`: Stream decides.
    pub layer_stacks: Option<Vec<Vec<usize>>>,
}

impl Default for CnOptions {
    /// Fused mode with Stream's automatic layer stacks.
    fn default() -> Self {
        CnOptions { mode: Mode::Fused, layer_stacks: None }
    }
}

pub use edges::NodeTensor;
use edges::{EdgeCtx, node_pairs};
pub use stacks::layer_stacks;
use tiling::{normalise_tiling, pr_ranges};

/// The dimension a fused layer is split along by default (reference
/// `FUSION_PARTITION_DIM_DEFAULT`): `OY` for conv/pooling, `D` for matmul/gemm/add/mul, `K`
/// otherwise.
pub fn fusion_partition_dim(op_type: &str) -> &'static str {
    match op_type {
        "conv" | "pooling" => "OY",
        "matmul" | "gemm" | "add" | "mul" => "D",
        _ => "K",
    }
}

/// Irrelevant loop dims of an operand of a (full) layer as ZigZag computes them at construction:
/// dims the operand is not indexed by, excluding dims of size 1 (and, for operands indexed by
/// derived dims, the dims in relations). No operand of that name: none.
pub(crate) fn ir_dims(layer: &Layer, op: &str) -> Vec<String> {
    let Some(o) = layer.operands.iter().find(|o| o.name == op) else { return Vec::new() };
    let pr_list: Vec<&str> =
        layer.relations.iter().flat_map(|r| [r.derived.as_str(), r.a.as_str(), r.b.as_str()]).collect();
    let derived: Vec<&str> = layer.relations.iter().map(|r| r.derived.as_str()).collect();
    let has_pr = o.dims.iter().any(|d| derived.contains(&d.as_str()));
    layer
        .loop_dims
        .iter()
        .filter(|(d, s)| !o.dims.contains(d) && *s != 1 && !(has_pr && pr_list.contains(&d.as_str())))
        .map(|(d, _)| d.clone())
        .collect()
}

fn size_in(sizes: &[(String, u64)], d: &str) -> Option<u64> {
    sizes.iter().find(|(x, _)| x == d).map(|(_, s)| *s)
}

/// `operand_size_bit` of a (full) layer operand as ZigZag computes it.
fn operand_size_bit(layer: &Layer, op: &str) -> Result<u64, CnError> {
    let info = LayerInfo::new(layer).map_err(|e| cn_err(&layer.name, e.to_string()))?;
    let k = info
        .operands
        .iter()
        .position(|o| o.name == op)
        .ok_or_else(|| cn_err(&layer.name, format!("no operand {op}")))?;
    Ok((info.operands[k].size_elem * info.operands[k].precision as f64) as u64)
}

/// Generates the CN graph of a workload.
pub fn generate(wl: &StreamWorkload, opts: &CnOptions, total_weight_capacity: u64) -> Result<CnGraph, CnError> {
    let stacks = layer_stacks(wl, opts, total_weight_capacity)?;
    let topo = wl.topological_order();
    let mut layers: Vec<TiledLayer> = Vec::new();
    let mut cns: Vec<Cn> = Vec::new();
    let mut edges: Vec<CnEdge> = Vec::new();
    // Per node index: (tiled layer index, construction-time loop ranges end, output ir dims).
    let mut tiled_of: BTreeMap<usize, usize> = BTreeMap::new();
    let mut orig_ir: BTreeMap<usize, Vec<(String, i64)>> = BTreeMap::new();
    for &ni in &topo {
        let node = &wl.nodes[ni];
        let Some(c) = node.computation() else { continue };
        let name = if node.name.is_empty() { format!("node {}", node.id) } else { node.name.clone() };
        let stack = stacks
            .iter()
            .position(|s| s.contains(&node.id))
            .ok_or_else(|| cn_err(&name, "layer is in no layer stack"))?;
        let norm = normalise_tiling(
            &name,
            &c.op_type,
            &c.layer.loop_dims,
            &c.intra_core_tiling,
            &c.inter_core_tiling,
            opts.mode,
            stacks[stack].len(),
        )?;
        let output_ir = ir_dims(&c.layer, &c.layer.operands[0].name);
        // Construction-time upper bounds of the output-irrelevant dims.
        // reference quirk: whether a CN completes its outputs is checked against the loop ranges
        // the layer had when it was parsed, before tiling rounded sizes up.
        let ir_max: Vec<(String, i64)> =
            output_ir.iter().map(|d| (d.clone(), size_in(&c.layer.loop_dims, d).unwrap_or(1) as i64)).collect();
        orig_ir.insert(ni, ir_max.clone());

        let wildcard = norm.inter.iter().any(|(_, f)| f.is_none());
        let mut outer: Vec<(String, u64)> = Vec::new();
        if !wildcard {
            outer.extend(norm.inter.iter().map(|(d, f)| (d.clone(), f.unwrap_or(1))));
        }
        outer.extend(norm.intra.iter().cloned());
        outer.retain(|(_, s)| *s > 1);
        if outer.is_empty() {
            let first = norm.sizes.first().ok_or_else(|| cn_err(&name, "layer without loop dimensions"))?;
            outer.push((first.0.clone(), 1));
        }
        let total_outer = |d: &str| outer.iter().filter(|(x, _)| x == d).map(|(_, s)| *s).product::<u64>();
        let extended: Vec<(String, u64)> = norm
            .sizes
            .iter()
            .map(|(d, s)| {
                let t = total_outer(d);
                (d.clone(), if s % t != 0 { s.div_ceil(t) * t } else { *s })
            })
            .collect();
        let span: Vec<(String, u64)> = extended.iter().map(|(d, s)| (d.clone(), s / total_outer(d))).collect();
        let stops: Vec<u64> = outer.iter().map(|(_, s)| *s).collect();
        let nb_cns: u64 = stops.iter().product();
        let mult: Vec<i64> = outer
            .iter()
            .enumerate()
            .map(|(i, (d, _))| {
                let inner = size_in(&span, d).unwrap_or(1);
                let lower: u64 = outer[..i].iter().filter(|(x, _)| x == d).map(|(_, s)| *s).product();
                (inner * lower) as i64
            })
            .collect();

        // The layer one CN represents.
        let mut tile_layer = c.layer.clone();
        tile_layer.loop_dims = span.clone();
        let tile_info = LayerInfo::new(&tile_layer).map_err(|e| cn_err(&name, e.to_string()))?;
        let data_produced_unique = (tile_info.operands[0].size_elem * tile_info.final_precision as f64) as u64;
        let precision_of = |op: &str, is_out: bool| -> Result<u64, CnError> {
            let key = if is_out { "O_final" } else { op };
            c.layer.precision_of(key).ok_or_else(|| cn_err(&name, format!("no precision for {key}")))
        };

        let inter_size: u64 = if wildcard || norm.inter.is_empty() {
            1
        } else if norm.inter.len() == 1 {
            norm.inter[0].1.unwrap_or(1)
        } else {
            return Err(cn_err(&name, "only one inter_core_tiling entry is supported"));
        };
        let total_inter_core_splits: u64 =
            if wildcard { 1 } else { norm.inter.iter().map(|(_, f)| f.unwrap_or(1)).product() };

        // Group ids.
        let mut groups: Vec<(Vec<Range>, usize)> = Vec::new();
        let start = cns.len();
        for n in 0..nb_cns {
            let mut vals = Vec::with_capacity(outer.len());
            let mut m = 1u64;
            for &s in &stops {
                vals.push(((n / m) % s) as i64);
                m *= s;
            }
            let mut ranges: Vec<(String, Range)> = Vec::new();
            for (d, _) in &c.layer.loop_dims {
                let lo: i64 =
                    outer.iter().enumerate().filter(|(_, (x, _))| x == d).map(|(i, _)| vals[i] * mult[i]).sum();
                let sp = size_in(&span, d).unwrap_or(1) as i64;
                ranges.push((d.clone(), (lo, lo + sp)));
            }
            let prs = pr_ranges(&c.layer, &ranges);
            ranges.extend(prs);
            let get = |d: &str| ranges.iter().find(|(x, _)| x == d).map(|(_, v)| *v);
            let group = if wildcard {
                0
            } else {
                let key: Vec<Range> = norm
                    .inter
                    .iter()
                    .map(|(d, _)| {
                        let splits = norm.intra.iter().find(|(x, _)| x == d).map(|(_, s)| *s).unwrap_or(1);
                        let per = (size_in(&extended, d).unwrap_or(1) / splits) as i64;
                        let r = get(d).unwrap_or((0, 1));
                        if per == 0 { r } else { (r.0.rem_euclid(per), r.1.rem_euclid(per)) }
                    })
                    .collect();
                match groups.iter().find(|(k, _)| *k == key) {
                    Some((_, g)) => *g,
                    None => {
                        let g = groups.len();
                        groups.push((key, g));
                        g
                    }
                }
            };
            let produces_final_output = output_ir
                .iter()
                .all(|d| get(d).map(|r| r.1).unwrap_or(0) >= size_in(&norm.sizes, d).unwrap_or(1) as i64);
            let mut tensors = Vec::new();
            for (k, op) in c.layer.operands.iter().enumerate() {
                let rs: Vec<Range> = op.dims.iter().map(|d| get(d).unwrap_or((0, 1))).collect();
                let elems: i64 = rs.iter().map(|(a, b)| b - a).product();
                let prec = precision_of(&op.name, k == 0)?;
                tensors.push(CnTensor {
                    operand: op.name.clone(),
                    dims: op.dims.clone(),
                    ranges: rs,
                    size_bits: (elems.max(0) as u64) * prec,
                });
            }
            let chosen_core = if c.core_allocation.len() as u64 == inter_size {
                Some(*c.core_allocation.get(group).ok_or_else(|| {
                    cn_err(&name, format!("group id {group} too large for core allocation {:?}", c.core_allocation))
                })?)
            } else {
                None
            };
            cns.push(Cn {
                layer: layers.len(),
                id: node.id,
                sub_id: n as usize,
                group,
                loop_ranges: ranges,
                produces_final_output,
                data_produced_unique,
                tensors,
                chosen_core,
                nb_real_predecessors: 0,
            });
        }
        let end = cns.len();
        // Intra-layer edges: chain each group's CNs.
        let mut gids: Vec<usize> = cns[start..end].iter().map(|c| c.group).collect();
        gids.sort_unstable();
        gids.dedup();
        for g in gids {
            let members: Vec<usize> = (start..end).filter(|&i| cns[i].group == g).collect();
            for w in members.windows(2) {
                edges.push(CnEdge { src: w[0], dst: w[1], operand: None, bits: 0 });
            }
        }
        tiled_of.insert(ni, layers.len());
        layers.push(TiledLayer {
            node: ni,
            id: node.id,
            name: node.name.clone(),
            op_type: c.op_type.clone(),
            layer_dim_sizes: norm.sizes.clone(),
            extended_layer_dim_sizes: extended,
            intra_core_tiling: norm.intra,
            inter_core_tiling: norm.inter,
            outer_loops: outer,
            possible_core_allocation: c.core_allocation.clone(),
            tile_layer: Arc::new(tile_layer),
            stack,
            cns: start..end,
            total_inter_core_splits,
            constant_operands: c.constant_operands.clone(),
        });
    }

    // Inter-layer edges.
    let ctx = EdgeCtx { wl, layers: &layers, cns: &cns, tiled_of: &tiled_of, orig_ir: &orig_ir };
    for (p, c, complex) in node_pairs(wl)? {
        let new = if complex { ctx.edges_tensor(p, c)? } else { ctx.edges_overlap(p, c)? };
        edges.extend(new);
    }
    // networkx add_edges_from: a repeated edge keeps its position, its data is updated.
    let mut dedup: Vec<CnEdge> = Vec::with_capacity(edges.len());
    let mut pos: rustc_hash::FxHashMap<(usize, usize), usize> = Default::default();
    for e in edges {
        match pos.get(&(e.src, e.dst)) {
            Some(&i) => {
                if e.operand.is_some() || dedup[i].operand.is_none() {
                    dedup[i].operand = e.operand.or(dedup[i].operand.take());
                }
                dedup[i].bits = e.bits;
            }
            None => {
                pos.insert((e.src, e.dst), dedup.len());
                dedup.push(e);
            }
        }
    }
    for e in &dedup {
        if cns[e.src].id != cns[e.dst].id {
            cns[e.dst].nb_real_predecessors += 1;
        }
    }
    Ok(CnGraph { layer_stacks: stacks, layers, cns, edges: dedup })
}

#[cfg(test)]
mod tests {
    use super::edges::update_relevant_axes;
    use super::*;

    #[test]
    fn node_tensor_reshape_transpose() {
        let mut t = NodeTensor::new(vec![2, 3]);
        t.add(&[(0, 1), (0, 3)], 7);
        t.add(&[(1, 2), (2, 3)], 9);
        let tt = t.transpose(&[1, 0]);
        assert_eq!(tt.shape, vec![3, 2]);
        assert_eq!(tt.producers_in(&[(2, 3), (1, 2)]), vec![9]);
        let r = t.reshape(&[1, -1]).unwrap();
        assert_eq!(r.shape, vec![1, 6]);
        assert_eq!(r.producers_in(&[(0, 1), (-1, 6)]), vec![9]);
    }

    #[test]
    fn relevant_axes_cut() {
        // The reference drops the first differing axis and compares the rest positionally.
        assert_eq!(update_relevant_axes(vec![false, false, false], &[1, 4, 5], &[1, 20]), vec![false, false]);
        assert_eq!(update_relevant_axes(vec![false, false], &[4, 5], &[4, 5, 1]), vec![false, false, true]);
        assert_eq!(update_relevant_axes(vec![false, false], &[4, 6], &[8, 3]), vec![true, true]);
    }
}
