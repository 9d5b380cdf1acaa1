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

/// Layer stacks (`LayerStacksGenerationStage`).
pub fn layer_stacks(
    wl: &StreamWorkload,
    opts: &CnOptions,
    total_weight_capacity: u64,
) -> Result<Vec<Vec<usize>>, CnError> {
    let mut cn_ids: Vec<usize> = wl.nodes.iter().filter(|n| n.computation().is_some()).map(|n| n.id).collect();
    let stacks: Vec<Vec<usize>> = match (opts.mode, &opts.layer_stacks) {
        (Mode::Lbl, _) => {
            cn_ids.sort_unstable();
            cn_ids.iter().map(|&i| vec![i]).collect()
        }
        (Mode::Fused, Some(given)) => {
            let mut s = given.clone();
            for n in &wl.nodes {
                if !s.iter().any(|st| st.contains(&n.id)) {
                    s.push(vec![n.id]);
                }
            }
            s
        }
        (Mode::Fused, None) => {
            let mut nodes: Vec<&zz_ir::stream::workload::StreamNode> = wl.nodes.iter().collect();
            nodes.sort_by_key(|n| n.id);
            let mut stacks = Vec::new();
            let mut cur: Vec<usize> = Vec::new();
            let mut cumsum: u64 = 0;
            let mut first_complete = false;
            for n in nodes {
                let Some(c) = n.computation() else { continue };
                if first_complete {
                    stacks.push(std::mem::take(&mut cur));
                    cur = vec![n.id];
                    continue;
                }
                let Some(op) = c.constant_operands.first() else {
                    cur.push(n.id);
                    continue;
                };
                let size = operand_size_bit(&c.layer, op)?;
                cumsum += size;
                if cumsum as f64 / total_weight_capacity as f64 > 1.0 {
                    stacks.push(std::mem::take(&mut cur));
                    cur = vec![n.id];
                    cumsum = size;
                    first_complete = true;
                } else {
                    cur.push(n.id);
                }
            }
            stacks.push(cur);
            stacks
        }
    };
    // Keep only ids of computation nodes (empty stacks stay).
    Ok(stacks
        .into_iter()
        .map(|s| s.into_iter().filter(|id| wl.nodes.iter().any(|n| n.id == *id && n.computation().is_some())).collect())
        .collect())
}

/// One layer's tiling after normalisation (and the possibly rounded-up loop sizes).
struct Normalised {
    sizes: Vec<(String, u64)>,
    intra: Vec<(String, u64)>,
    inter: Vec<(String, Option<u64>)>,
}

fn normalise_tiling(
    name: &str,
    op_type: &str,
    sizes: &[(String, u64)],
    intra_in: &[(String, TilingFactor)],
    inter_in: &[(String, TilingFactor)],
    mode: Mode,
    stack_size: usize,
) -> Result<Normalised, CnError> {
    let mut sizes = sizes.to_vec();
    let mut intra: Vec<(String, u64)> = Vec::new();
    for (dim, f) in intra_in {
        let Some(size) = size_in(&sizes, dim) else { continue };
        let nf = match *f {
            TilingFactor::All => size,
            TilingFactor::Wildcard => return Err(cn_err(name, "intra core tiling should be an integer or `all`")),
            TilingFactor::N(n) if size < n => size,
            TilingFactor::N(n) if size % n != 0 => {
                // reference quirk: the layer itself is enlarged to a multiple of the factor.
                let new = size.div_ceil(n) * n;
                if let Some(e) = sizes.iter_mut().find(|(d, _)| d == dim) {
                    e.1 = new;
                }
                n
            }
            TilingFactor::N(n) => n,
        };
        intra.push((dim.clone(), nf));
    }
    if intra.is_empty() && mode == Mode::Fused {
        let mut dim = fusion_partition_dim(op_type).to_string();
        if size_in(&sizes, &dim).is_none() {
            match sizes.iter().find(|(d, _)| d != "B" && d != "G") {
                Some((d, _)) => dim = d.clone(),
                None => return Err(cn_err(name, "no dimension to tile for fusion")),
            }
        }
        let s = size_in(&sizes, &dim).unwrap_or(1).min(2);
        intra.push((dim, s));
    }
    if stack_size == 1 {
        intra.clear();
    }
    let mut inter: Vec<(String, Option<u64>)> = Vec::new();
    for (dim, f) in inter_in {
        let Some(size) = size_in(&sizes, dim) else { continue };
        let nf = match *f {
            TilingFactor::Wildcard => None,
            // `all` is not valid in the reference here (it asserts later); use the dim size.
            TilingFactor::All => Some(size),
            TilingFactor::N(n) => Some(n.min(size)),
        };
        inter.push((dim.clone(), nf));
    }
    if inter.is_empty() {
        let dim = ["G", "H", "K"]
            .iter()
            .find(|d| size_in(&sizes, d).is_some_and(|s| s > 1))
            .map(|d| d.to_string())
            .or_else(|| sizes.first().map(|(d, _)| d.clone()))
            .ok_or_else(|| cn_err(name, "layer without dimensions"))?;
        inter.push((dim, Some(1)));
    }
    Ok(Normalised { sizes, intra, inter })
}

/// Ranges of the derived dims from the loop ranges (`calculate_pr_loop_ranges`).
fn pr_ranges(layer: &Layer, ranges: &[(String, Range)]) -> Vec<(String, Range)> {
    let mut out: Vec<(String, Range)> = Vec::new();
    // pr_scaling_factors: one entry per derived dim, the last relation wins, first position kept.
    let mut rels: Vec<&zz_ir::workload::DimensionRelation> = Vec::new();
    for r in &layer.relations {
        match rels.iter_mut().find(|x| x.derived == r.derived) {
            Some(x) => *x = r,
            None => rels.push(r),
        }
    }
    for r in rels {
        let pb = layer.padding.iter().find(|(n, _)| *n == r.derived).map(|(_, v)| v.0).unwrap_or(0);
        let get = |d: &str| ranges.iter().find(|(x, _)| x == d).map(|(_, v)| *v).unwrap_or((0, 1));
        let (a, b) = (get(&r.a), get(&r.b));
        let lo = -pb + r.coef_a as i64 * a.0 + r.coef_b as i64 * b.0;
        let hi = -pb + r.coef_a as i64 * (a.1 - 1) + r.coef_b as i64 * (b.1 - 1) + 1;
        out.push((r.derived.clone(), (lo, hi)));
    }
    out
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

/// `get_all_node_pairs`: (producer node, consumer node, complex) over computation nodes.
fn node_pairs(wl: &StreamWorkload) -> Result<Vec<(usize, usize, bool)>, CnError> {
    let mut pairs = Vec::new();
    for ni in wl.topological_order() {
        if wl.nodes[ni].computation().is_none() {
            continue;
        }
        let mut succ: Vec<usize> = wl.successors(ni).collect();
        while let Some(k) = succ.iter().position(|&s| wl.nodes[s].computation().is_none()) {
            let s = succ.remove(k);
            succ.extend(wl.successors(s));
        }
        for s in succ {
            let path = wl
                .shortest_path(ni, s)
                .ok_or_else(|| cn_err(&wl.nodes[ni].name, "internal: no path to a successor"))?;
            let mut complex = false;
            for &m in &path[1..path.len() - 1] {
                match wl.nodes[m].kind {
                    NodeKind::Computation(_) => {
                        return Err(cn_err(&wl.nodes[m].name, "intermediate node between two computation nodes"));
                    }
                    NodeKind::Dummy => {}
                    _ => complex = true,
                }
            }
            pairs.push((ni, s, complex));
        }
    }
    Ok(pairs)
}

struct EdgeCtx<'a> {
    wl: &'a StreamWorkload,
    layers: &'a [TiledLayer],
    cns: &'a [Cn],
    tiled_of: &'a BTreeMap<usize, usize>,
    orig_ir: &'a BTreeMap<usize, Vec<(String, i64)>>,
}

/// Inclusive box over `dims` of a CN, with `G` merged into `C` (consumer) or `K` (producer).
// reference quirk: boxes are compared position by position, whatever the dimension names
// (e.g. an element-wise producer's `D`, `K` against a conv consumer's `IY`, `IX`).
fn inclusive_box(cn: &Cn, dims: &[String], layer_size: impl Fn(&str) -> u64) -> Vec<Range> {
    let get = |d: &str| cn.range(d).map(|(a, b)| (a, b - 1)).unwrap_or((0, 0));
    let has = |d: &str| dims.iter().any(|x| x == d);
    if has("G") && (has("C") || has("K")) {
        let ck = if has("C") { "C" } else { "K" };
        let gi = dims.iter().position(|x| x == "G").unwrap_or(0);
        let ci = dims.iter().position(|x| x == ck).unwrap_or(0);
        let (g0, g1) = get("G");
        let (c0, c1) = get(ck);
        let ch = (g0 + c0, g1 * layer_size(ck) as i64 + c1);
        let mut out: Vec<Range> = Vec::new();
        let first = gi.min(ci);
        for (i, d) in dims.iter().enumerate() {
            if d == "G" || d == ck {
                if i == first {
                    out.push(ch);
                }
                continue;
            }
            out.push(get(d));
        }
        // The merged axis goes where G or C/K came first, among the remaining dims.
        return out;
    }
    dims.iter().map(|d| get(d)).collect()
}

fn boxes_intersect(a: &[Range], b: &[Range]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 <= y.1 && y.0 <= x.1)
}

impl EdgeCtx<'_> {
    fn tl(&self, ni: usize) -> &TiledLayer {
        &self.layers[self.tiled_of[&ni]]
    }

    fn comp(&self, ni: usize) -> &zz_ir::stream::workload::ComputationLayer {
        match &self.wl.nodes[ni].kind {
            NodeKind::Computation(c) => c,
            _ => unreachable!("computation node expected"),
        }
    }

    /// Producer CNs that complete their outputs (`ir` dims at the construction-time max).
    fn finishing(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        let tl = self.tl(p);
        let ir = &self.orig_ir[&p];
        tl.cns
            .clone()
            .filter(move |&i| ir.iter().all(|(d, max)| self.cns[i].range(d).map(|r| r.1).unwrap_or(0) >= *max))
    }

    /// `get_non_type_predecessors(node, [DummyNode])`.
    fn non_dummy_predecessors(&self, n: usize) -> Vec<usize> {
        let mut preds: Vec<usize> = self.wl.predecessors(n).collect();
        while let Some(k) = preds.iter().position(|&p| matches!(self.wl.nodes[p].kind, NodeKind::Dummy)) {
            let s = preds.remove(k);
            preds.extend(self.wl.predecessors(s));
        }
        preds
    }

    fn edges_overlap(&self, p: usize, c: usize) -> Result<Vec<CnEdge>, CnError> {
        let cons = self.comp(c);
        let prod = self.comp(p);
        let mut operands: Vec<String> = Vec::new();
        for (op, src) in &cons.input_operand_source {
            let Some(pi) = self.wl.index_of(*src) else { continue };
            // The producer directly, or through dummy (pass-through) nodes.
            let through_dummies =
                self.wl.nodes[pi].computation().is_none() && self.non_dummy_predecessors(pi).contains(&p);
            if pi == p || through_dummies {
                operands.push(op.clone());
            }
        }
        let ptl = self.tl(p);
        let ctl = self.tl(c);
        let psize = |d: &str| size_in(&ptl.layer_dim_sizes, d).unwrap_or(1);
        let csize = |d: &str| size_in(&ctl.layer_dim_sizes, d).unwrap_or(1);
        let pdims = &prod.layer.operands[0].dims;
        let mut out = Vec::new();
        for op in operands {
            let cdims = &cons
                .layer
                .operands
                .iter()
                .find(|o| o.name == op)
                .ok_or_else(|| cn_err(&ctl.name, format!("no operand {op}")))?
                .dims;
            let cboxes: Vec<(usize, Vec<Range>)> =
                ctl.cns.clone().map(|i| (i, inclusive_box(&self.cns[i], cdims, csize))).collect();
            for pi in self.finishing(p) {
                let pbox = inclusive_box(&self.cns[pi], pdims, psize);
                for (ci, cb) in &cboxes {
                    if boxes_intersect(&pbox, cb) {
                        out.push(CnEdge {
                            src: pi,
                            dst: *ci,
                            operand: Some(op.clone()),
                            bits: self.cns[pi].data_produced_unique,
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Paths from `p` to `c` whose intermediates are all propagation (non-computation) nodes.
    fn propagation_paths(&self, p: usize, c: usize) -> Vec<Vec<usize>> {
        let mut valid = std::collections::VecDeque::from([vec![p]]);
        let mut out = Vec::new();
        while let Some(path) = valid.pop_front() {
            let last = *path.last().unwrap_or(&p);
            for nx in self.wl.successors(last) {
                if self.wl.nodes[nx].computation().is_none() {
                    let mut np = path.clone();
                    np.push(nx);
                    valid.push_back(np);
                } else if nx == c {
                    let mut np = path.clone();
                    np.push(nx);
                    out.push(np);
                }
            }
        }
        out
    }

    fn edges_tensor(&self, p: usize, c: usize) -> Result<Vec<CnEdge>, CnError> {
        let prod = self.comp(p);
        let ptl = self.tl(p);
        let ctl = self.tl(c);
        let cons = self.comp(c);
        let mut out = Vec::new();
        let paths = self.propagation_paths(p, c);
        if paths.is_empty() {
            return Err(cn_err(&ctl.name, "no path from the producer through propagation nodes"));
        }
        let base = self.producer_tensor(p)?;
        for path in paths {
            let mut t = base.clone();
            // Relevant axes: dims tiled (factor > 1) by the intra- or inter-core tiling.
            let dims = &prod.layer.operands[0].dims;
            let mut relevant = vec![false; dims.len()];
            let wildcard = ptl.inter_core_tiling.iter().any(|(_, f)| f.is_none());
            let mut tilings: Vec<(String, u64)> = ptl.intra_core_tiling.clone();
            if !wildcard {
                tilings.extend(ptl.inter_core_tiling.iter().map(|(d, f)| (d.clone(), f.unwrap_or(1))));
            }
            for (d, s) in &tilings {
                if let Some(i) = dims.iter().position(|x| x == d)
                    && *s > 1
                {
                    relevant[i] = true;
                }
            }
            // The reshape to the ONNX layout may change the rank; the reference keeps the list.
            let mut last = p;
            for &m in &path[1..path.len() - 1] {
                last = m;
                match &self.wl.nodes[m].kind {
                    NodeKind::Dummy => {}
                    NodeKind::Reshape { shape } => {
                        let new: Vec<i64> = shape.iter().copied().filter(|&x| x != 0).collect();
                        if new.is_empty() {
                            continue;
                        }
                        relevant = update_relevant_axes(relevant, &t.shape, &new);
                        t = t.reshape(&new).map_err(|e| cn_err(&self.wl.nodes[m].name, e))?;
                    }
                    NodeKind::Flatten { axis } => {
                        let sh = &t.shape;
                        let new = if *axis == 0 {
                            vec![1, -1]
                        } else {
                            let ax = if *axis < 0 {
                                (sh.len() as i64 + axis).max(0) as usize
                            } else {
                                (*axis as usize).min(sh.len())
                            };
                            vec![sh[..ax].iter().product::<usize>() as i64, -1]
                        };
                        relevant = vec![true; new.len()];
                        t = t.reshape(&new).map_err(|e| cn_err(&self.wl.nodes[m].name, e))?;
                    }
                    NodeKind::Transpose { perm } => {
                        let n = t.shape.len();
                        let perm: Vec<usize> = match perm {
                            Some(p) => {
                                p.iter().map(|&a| if a < 0 { (n as i64 + a) as usize } else { a as usize }).collect()
                            }
                            None => (0..n).rev().collect(),
                        };
                        if perm.len() != n || perm.iter().any(|&a| a >= n) {
                            return Err(cn_err(
                                &self.wl.nodes[m].name,
                                "transpose permutation does not match the tensor rank",
                            ));
                        }
                        for &a in &perm {
                            if a < relevant.len() {
                                relevant[a] = true;
                            }
                        }
                        t = t.transpose(&perm);
                    }
                    NodeKind::Computation(_) => unreachable!("propagation paths hold no computation nodes"),
                }
            }
            // The consumer operand fed by the last node of the path.
            let last_id = self.wl.nodes[last].id;
            let Some(op) = cons.input_operand_source.iter().find(|(_, s)| *s == last_id).map(|(o, _)| o.clone()) else {
                return Err(cn_err(&ctl.name, "no operand of the consumer comes from the producer path"));
            };
            let cdims = &cons.layer.operands.iter().find(|o| o.name == op).map(|o| o.dims.clone()).unwrap_or_default();
            if cdims.len() != relevant.len() || cdims.len() != t.shape.len() {
                return Err(cn_err(
                    &ctl.name,
                    format!(
                        "the propagated dependency tensor has rank {} but operand {op} has {} dimensions",
                        t.shape.len(),
                        cdims.len()
                    ),
                ));
            }
            let mut pairs: Vec<(usize, usize)> = Vec::new();
            for ci in ctl.cns.clone() {
                let ranges: Vec<Range> = cdims
                    .iter()
                    .zip(&relevant)
                    .map(|(d, &r)| if r { self.cns[ci].range(d).unwrap_or((0, 1)) } else { (0, 1) })
                    .collect();
                for pi in t.producers_in(&ranges) {
                    pairs.push((pi, ci));
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            for (pi, ci) in pairs {
                out.push(CnEdge {
                    src: pi,
                    dst: ci,
                    operand: Some(op.clone()),
                    bits: self.cns[pi].data_produced_unique,
                });
            }
        }
        Ok(out)
    }

    /// The producer's output as a tensor of producing CNs (`get_node_tensor`), reshaped to
    /// the ONNX layout.
    fn producer_tensor(&self, p: usize) -> Result<NodeTensor, CnError> {
        let prod = self.comp(p);
        let tl = self.tl(p);
        let dims = &prod.layer.operands[0].dims;
        let pr = prod.layer.pr_sizes.clone().unwrap_or_default();
        let shape: Vec<usize> = dims
            .iter()
            .map(|d| size_in(&tl.layer_dim_sizes, d).or_else(|| size_in(&pr, d)).unwrap_or(1) as usize)
            .collect();
        let mut t = NodeTensor::new(shape.clone());
        for i in self.finishing(p) {
            let ranges: Vec<(usize, usize)> = dims
                .iter()
                .zip(&shape)
                .map(|(d, &max)| {
                    let (a, b) = self.cns[i].range(d).unwrap_or((0, 1));
                    let max = max as i64;
                    // reference quirk: a tile beyond the (unpadded) tensor is clipped to its last
                    // element, so padded CNs still "produce" it and get dependency edges.
                    let lo = a.min(max - 1).max(0);
                    let hi = b.min(max);
                    (lo as usize, hi.max(lo) as usize)
                })
                .collect();
            t.add(&ranges, i);
        }
        if let Some(rs) = &prod.operand_tensor_reshape
            && let Some((_, shape)) = rs.iter().find(|(o, _)| *o == prod.layer.operands[0].name)
        {
            t = t.reshape(shape).map_err(|e| cn_err(&tl.name, e))?;
        }
        Ok(t)
    }
}

/// `ReshapeNode.update_relevant_axes`.
fn update_relevant_axes(mut rel: Vec<bool>, old: &[usize], new: &[i64]) -> Vec<bool> {
    let old_i: Vec<i64> = old.iter().map(|&x| x as i64).collect();
    if new.len() < old_i.len() {
        let cut = (0..new.len()).find(|&i| old_i[i] != new[i]).unwrap_or(old_i.len() - 1);
        let mut ns = new.to_vec();
        if cut < rel.len() {
            rel.remove(cut);
        }
        if cut < ns.len() {
            ns.remove(cut);
        }
        for (i, (o, n)) in old_i.iter().zip(&ns).enumerate() {
            if o != n && i < rel.len() {
                rel[i] = true;
            }
        }
        return rel;
    }
    if new.len() > old_i.len() {
        rel.push(new.last() != old_i.last());
    }
    for (i, (o, n)) in old_i.iter().zip(new).enumerate() {
        if o != n && i < rel.len() {
            rel[i] = true;
        }
    }
    rel
}

/// A dense tensor whose cells hold the CNs producing that element (Stream's `NodeTensor`),
/// in C order.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTensor {
    /// Shape.
    pub shape: Vec<usize>,
    /// Producing CNs per cell.
    pub cells: Vec<smallvec::SmallVec<[usize; 2]>>,
}

impl NodeTensor {
    /// An empty tensor.
    pub fn new(shape: Vec<usize>) -> Self {
        let n = shape.iter().product();
        NodeTensor { shape, cells: vec![Default::default(); n] }
    }

    fn strides(shape: &[usize]) -> Vec<usize> {
        let mut s = vec![1; shape.len()];
        for i in (0..shape.len().saturating_sub(1)).rev() {
            s[i] = s[i + 1] * shape[i + 1];
        }
        s
    }

    fn for_each_in(&self, ranges: &[(usize, usize)], mut f: impl FnMut(usize)) {
        if ranges.len() != self.shape.len() || ranges.iter().zip(&self.shape).any(|(&(a, b), &n)| a >= b || b > n) {
            return;
        }
        let st = Self::strides(&self.shape);
        let mut idx: Vec<usize> = ranges.iter().map(|r| r.0).collect();
        loop {
            f(idx.iter().zip(&st).map(|(i, s)| i * s).sum());
            let mut k = ranges.len();
            loop {
                if k == 0 {
                    return;
                }
                k -= 1;
                idx[k] += 1;
                if idx[k] < ranges[k].1 {
                    break;
                }
                idx[k] = ranges[k].0;
            }
        }
    }

    /// Marks every cell of the box as produced by `cn`.
    pub fn add(&mut self, ranges: &[(usize, usize)], cn: usize) {
        let mut cells = std::mem::take(&mut self.cells);
        self.for_each_in(ranges, |i| {
            if !cells[i].contains(&cn) {
                cells[i].push(cn);
            }
        });
        self.cells = cells;
    }

    /// numpy `reshape` (one `-1` allowed).
    pub fn reshape(&self, new: &[i64]) -> Result<NodeTensor, String> {
        let total: usize = self.cells.len();
        let known: i64 = new.iter().filter(|&&x| x != -1).product();
        let shape: Vec<usize> =
            new.iter()
                .map(|&x| {
                    if x == -1 {
                        if known == 0 { 0 } else { (total as i64 / known) as usize }
                    } else {
                        x.max(0) as usize
                    }
                })
                .collect();
        if shape.iter().product::<usize>() != total {
            return Err(format!("cannot reshape a dependency tensor of shape {:?} into {new:?}", self.shape));
        }
        Ok(NodeTensor { shape, cells: self.cells.clone() })
    }

    /// numpy `transpose` with a permutation.
    pub fn transpose(&self, perm: &[usize]) -> NodeTensor {
        let new_shape: Vec<usize> = perm.iter().map(|&a| self.shape[a]).collect();
        let old_st = Self::strides(&self.shape);
        let mut out = NodeTensor::new(new_shape.clone());
        let full: Vec<(usize, usize)> = new_shape.iter().map(|&s| (0, s)).collect();
        let new_st = Self::strides(&new_shape);
        let mut cells = std::mem::take(&mut out.cells);
        out.for_each_in(&full, |flat| {
            let mut rem = flat;
            let mut old = 0;
            for (k, s) in new_st.iter().enumerate() {
                let i = rem / s;
                rem %= s;
                old += i * old_st[perm[k]];
            }
            cells[flat] = self.cells[old].clone();
        });
        out.cells = cells;
        out
    }

    /// CNs found in the box given by numpy slices `start:stop` per axis (negative bounds
    /// count from the end, as numpy does).
    pub fn producers_in(&self, ranges: &[Range]) -> Vec<usize> {
        // reference quirk: consumer ranges are used as numpy slices, so a negative start (input
        // padding) counts from the end of the axis.
        let norm: Vec<(usize, usize)> = ranges
            .iter()
            .zip(&self.shape)
            .map(|(&(a, b), &n)| {
                let n = n as i64;
                let fix = |x: i64| if x < 0 { (x + n).max(0) } else { x.min(n) };
                (fix(a) as usize, fix(b) as usize)
            })
            .collect();
        let mut out: Vec<usize> = Vec::new();
        self.for_each_in(&norm, |i| {
            for &c in &self.cells[i] {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        });
        out
    }
}

#[cfg(test)]
mod tests {
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
