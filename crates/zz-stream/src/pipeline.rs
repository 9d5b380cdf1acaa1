//! From the inputs (IR values: accelerator, workload graph, mapping) to the list scheduler's
//! [`ScheduleInput`]: checking the mapping's tilings against the workload, generating the CNs
//! and their edges, costing every unique CN on its allowed cores, allocating CNs to cores and
//! ordering them. Reading the inputs is `zz_inputs::stream`'s job.
//!
//! * Topology: every core with its top-level memories (file order), the unique top memory
//!   instances in the order Stream's memory manager discovers them (cores in core-graph
//!   order; cores of a memory-sharing group with identical top memories share one instance),
//!   the link objects in use in the graph's edge order (node order, then each node's
//!   out-edges) and the first shortest path between every ordered pair of distinct cores.
//! * Allocation: a CN's core is fixed by the mapping when the allocation list is as long as
//!   the inter-core split (core = `list[group]`); an [`Allocation`] can override cores
//!   (`fixed`, Stream's fixed-allocation path: runtime `latency_total2`) or supply the cores
//!   an allocator chose for the CNs the mapping leaves open (`chosen`, the genetic-algorithm
//!   path: runtime `int(latency_total2)`).
//! * Tensors: one per (layer, operand, loop ranges); the first CN using it is its origin; its
//!   memory operand is the producer side's; base priority = number of successors for outputs,
//!   the reuse factor (product of the outer loops irrelevant to the operand) for constant
//!   operands, none otherwise.
//! * Scheduling order: Stream's (per layer stack, intra-core slot by slot, layers in stack
//!   order, inter-core tiles consecutive), ascending or descending `(layer, sub_id)`, or given.

use zz_ir::accelerator::{MemOperand, Memory};
use zz_ir::diagnostics::{InputError, Warning};
use zz_ir::stream::StreamProblem;
use zz_ir::stream::accelerator::{StreamAccelerator, StreamLinkKind, total_weight_capacity};
use zz_ir::stream::mapping::{StreamMapping, Tiling, TilingFactor};
use zz_ir::stream::workload::{NodeKind, StreamWorkload};

use crate::cn::{self, CnGraph, CnOptions, Mode};
use crate::cost::{self, CostOptions, CostTable};
use crate::schedule_input::{
    self, CnOperand, Core, Edge, Link, LinkKind, MemoryInstance, OffchipBandwidth, Path as SPath, ScheduleInput,
    Tensor, TopMemory, Topology,
};

/// Any failure between the inputs and a [`ScheduleInput`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StreamError {
    /// A bad input (located): a tiling on a dimension no layer has.
    #[error(transparent)]
    Input(#[from] InputError),
    /// CN generation failed (the reference asserts or raises there).
    #[error("CN generation: {0}")]
    Cn(#[from] cn::CnError),
    /// A CN could not be costed on a core.
    #[error("cost: {0}")]
    Cost(#[from] cost::StreamCostError),
    /// A CN whose core neither the mapping nor the given [`Allocation`] fixes.
    #[error(
        "CN ({layer_id}, {sub_id}) of layer {layer} has no core: the mapping allows {allowed:?} for {groups} groups; give an allocation"
    )]
    NoCore {
        /// Layer id of the CN.
        layer_id: usize,
        /// Sub id of the CN.
        sub_id: usize,
        /// Layer name.
        layer: String,
        /// The layer's `core_allocation`.
        allowed: Vec<usize>,
        /// The layer's number of inter-core groups.
        groups: u64,
    },
    /// Stream's scheduling order needs the intra-core tiling factors of a stack's layers to be
    /// multiples of the smallest.
    #[error(
        "intra-core tiling factors of the layers in stack {stack:?} are not multiples of the smallest ({slots}); Stream's scheduling order needs them to be (use an explicit order)"
    )]
    TilingsNotMultiples {
        /// The layer stack.
        stack: Vec<usize>,
        /// The smallest intra-core tiling factor of the stack.
        slots: u64,
    },
    /// A layer's `*` inter-core tiling reached the scheduler without constraint optimisation.
    #[error(
        "layer {layer}: inter-core tiling with `*` must be resolved (by constraint optimisation) before scheduling"
    )]
    UnresolvedWildcard {
        /// Layer name.
        layer: String,
    },
    /// Another allocation or ordering problem.
    #[error("{0}")]
    Pipeline(String),
}

fn perr<T>(m: impl Into<String>) -> Result<T, StreamError> {
    Err(StreamError::Pipeline(m.into()))
}

/// Options of the stages before scheduling.
#[derive(Clone, Debug, Default)]
pub struct PrepareOptions {
    /// Layer stacks and mode.
    pub cn: CnOptions,
    /// Per-CN search options.
    pub cost: CostOptions,
}

/// Everything computed before scheduling.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The accelerator.
    pub accelerator: StreamAccelerator,
    /// The layer graph.
    pub workload: StreamWorkload,
    /// CNs and edges.
    pub graph: CnGraph,
    /// Per (unique CN, core) costs.
    pub costs: CostTable,
    /// Warnings of the readers.
    pub warnings: Vec<Warning>,
}

/// Checks the mapping's tilings against the workload, generates the CNs and costs them.
pub fn prepare(inputs: StreamProblem, opts: &PrepareOptions) -> Result<Prepared, StreamError> {
    prepare_with_tiling(inputs, opts, None)
}

/// [`prepare`] with the mapping's `intra_core_tiling` replaced, for every computation layer that
/// has all of the tiling's dimensions, by `tiling` (CN-granularity exploration).
pub fn prepare_with_tiling(
    inputs: StreamProblem,
    opts: &PrepareOptions,
    tiling: Option<&Tiling>,
) -> Result<Prepared, StreamError> {
    let StreamProblem { accelerator: acc, workload: mut wl, mapping, warnings } = inputs;
    check_tiling_dims(&wl, &mapping, tiling)?;
    if let Some(t) = tiling {
        for node in wl.nodes.iter_mut() {
            if let NodeKind::Computation(c) = &mut node.kind
                && t.iter().all(|(d, _)| c.layer.loop_dims.iter().any(|(ld, _)| ld == d))
            {
                c.intra_core_tiling = t.clone();
            }
        }
    }
    let graph = cn::generate(&wl, &opts.cn, total_weight_capacity(&acc))?;
    let costs = cost::compute(&graph, &wl, &acc, &opts.cost)?;
    Ok(Prepared { accelerator: acc, workload: wl, graph, costs, warnings })
}

/// Tilings (the mapping's `intra_core_tiling` / `inter_core_tiling`, or the one given for every
/// layer) on a dimension no layer has are input errors: Stream would ignore them silently.
fn check_tiling_dims(wl: &StreamWorkload, mapping: &StreamMapping, tiling: Option<&Tiling>) -> Result<(), StreamError> {
    let layers: Vec<&zz_ir::workload::Layer> =
        wl.nodes.iter().filter_map(|n| n.computation()).map(|c| &c.layer).collect();
    let mut dims: Vec<&str> = layers.iter().flat_map(|l| l.loop_dims.iter().map(|(d, _)| d.as_str())).collect();
    dims.sort_unstable();
    dims.dedup();
    if let Some(t) = tiling {
        for (d, _) in t {
            if !dims.contains(&d.as_str()) {
                return Err(StreamError::Input(InputError {
                    file: "--tiling".into(),
                    line: 0,
                    column: 0,
                    key: "-".into(),
                    message: format!(
                        "no layer of the workload has dimension `{d}`; its layers' dimensions are {}",
                        dims.join(", ")
                    ),
                }));
            }
        }
    }
    let mut known: Vec<&str> = zz_ir::workload::KNOWN_DIMS.to_vec();
    known.extend(dims.iter().copied());
    for e in &mapping.entries {
        for (key, t) in [("intra_core_tiling", &e.intra_core_tiling), ("inter_core_tiling", &e.inter_core_tiling)] {
            for (d, _) in t {
                if !known.contains(&d.as_str()) {
                    return Err(StreamError::Input(InputError {
                        file: mapping.file.clone(),
                        line: e.pos.line,
                        column: e.pos.column,
                        key: format!("{}.{key}", e.name),
                        message: format!(
                            "`{d}` is not a layer dimension (a typo?), so this tiling would be ignored; the workload's layers have {}",
                            dims.join(", ")
                        ),
                    }));
                }
            }
        }
    }
    Ok(())
}

/// Core choices that the mapping does not fix.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Allocation {
    /// Cores set before costing (Stream's fixed path, runtime `latency_total2`), overriding the
    /// mapping: `(layer id, group or None for every group, core)`.
    pub fixed: Vec<(usize, Option<usize>, usize)>,
    /// Cores chosen by an allocator for CNs the mapping leaves open (the genetic algorithm's
    /// path, runtime `int(latency_total2)`): `(layer id, group, core)`.
    pub chosen: Vec<(usize, usize, usize)>,
}

/// The candidate priority of the list scheduler.
#[derive(Clone, Debug, PartialEq)]
pub enum SchedulingOrder {
    /// Stream's `SchedulingOrderGenerationStage`.
    Stream,
    /// Ascending `(layer, sub_id)`.
    IdAsc,
    /// Descending `(layer, sub_id)` (deepest layer first).
    IdDesc,
    /// An explicit list of `(layer, sub_id)`.
    Explicit(Vec<(usize, usize)>),
}

/// The scheduler's view of the accelerator.
pub fn topology(acc: &StreamAccelerator) -> Topology {
    let mut order: Vec<usize> = acc.node_order.clone();
    for c in 0..acc.cores.len() {
        if !order.contains(&c) {
            order.push(c);
        }
    }
    // Unique top memory instances.
    let mut memories: Vec<MemoryInstance> = Vec::new();
    let mut instance_of: Vec<(usize, usize, &Memory, usize)> = Vec::new(); // (group, core, memory, instance)
    let mut tops_of: Vec<Vec<TopMemory>> = vec![Vec::new(); acc.cores.len()];
    for &c in &order {
        let core = &acc.cores[c];
        for t in core.top_memories() {
            let m = &core.accelerator.memories[t];
            let existing =
                instance_of.iter().find(|(g, _, mm, _)| *g == core.shared_mem_group_id && *mm == m).map(|x| x.3);
            let id = match existing {
                Some(i) => {
                    memories[i].cores.push(c);
                    i
                }
                None => {
                    let p0 = m.ports.first();
                    memories.push(MemoryInstance {
                        name: m.name.clone(),
                        capacity: m.size,
                        read_cost: m.r_cost,
                        write_cost: m.w_cost,
                        port_bw_min: p0.map(|p| p.bandwidth_min as f64).unwrap_or(0.0),
                        port_bw_max: p0.map(|p| p.bandwidth_max as f64).unwrap_or(0.0),
                        cores: vec![c],
                    });
                    instance_of.push((core.shared_mem_group_id, c, m, memories.len() - 1));
                    memories.len() - 1
                }
            };
            tops_of[c].push(TopMemory { memory: id, operands: m.operands.clone() });
        }
    }
    let cores = acc
        .cores
        .iter()
        .map(|c| Core { id: c.id, name: c.name.clone(), top_memories: std::mem::take(&mut tops_of[c.id]) })
        .collect();
    // Links in use, in networkx edge order.
    let mut used: Vec<usize> = Vec::new();
    for &c in &order {
        for e in acc.edges.iter().filter(|e| e.0 == c) {
            if !used.contains(&e.2) {
                used.push(e.2);
            }
        }
    }
    let links = used
        .iter()
        .map(|&l| {
            let k = &acc.links[l];
            Link {
                bandwidth: k.bandwidth,
                unit_energy_cost: k.unit_energy_cost,
                kind: if k.kind == StreamLinkKind::Bus { LinkKind::Bus } else { LinkKind::PointToPoint },
                endpoints: k.sender.zip(k.receiver),
            }
        })
        .collect();
    let mut paths = Vec::new();
    for a in 0..acc.cores.len() {
        for b in 0..acc.cores.len() {
            if a == b {
                continue;
            }
            let Some(p) = acc.all_shortest_paths(a, b).into_iter().next() else { continue };
            let links = p
                .windows(2)
                .filter_map(|w| acc.pair_link(w[0], w[1]))
                .filter_map(|l| used.iter().position(|&u| u == l))
                .collect();
            paths.push(SPath { sender: a, receiver: b, links });
        }
    }
    Topology { cores, memories, links, paths, offchip_core: acc.offchip_core_id }
}

/// Stream's memory-operand link of a layer operand.
fn mem_op_of(op: &str) -> MemOperand {
    match op {
        "W" => MemOperand::I2,
        "O" => MemOperand::O,
        _ => MemOperand::I1,
    }
}

/// The scheduling order as CN indices.
pub fn scheduling_order(graph: &CnGraph, order: &SchedulingOrder) -> Result<Vec<usize>, StreamError> {
    let ids = |v: &[(usize, usize)]| -> Result<Vec<usize>, StreamError> {
        v.iter()
            .map(|&(l, s)| {
                graph.cn_index(l, s).ok_or_else(|| StreamError::Pipeline(format!("scheduling order: no CN ({l}, {s})")))
            })
            .collect()
    };
    let mut all: Vec<(usize, usize)> = graph.cns.iter().map(|c| (c.id, c.sub_id)).collect();
    match order {
        SchedulingOrder::IdAsc => {
            all.sort_unstable();
            ids(&all)
        }
        SchedulingOrder::IdDesc => {
            all.sort_unstable_by(|a, b| b.cmp(a));
            ids(&all)
        }
        SchedulingOrder::Explicit(v) => ids(v),
        SchedulingOrder::Stream => {
            if graph.layer_stacks.is_empty() {
                all.sort_unstable_by(|a, b| b.cmp(a));
                return ids(&all);
            }
            let mut out: Vec<(usize, usize)> = Vec::new();
            for stack in &graph.layer_stacks {
                if stack.is_empty() {
                    continue;
                }
                let mut layers = Vec::new();
                for &id in stack {
                    let tl = graph
                        .layer_by_id(id)
                        .ok_or_else(|| StreamError::Pipeline(format!("scheduling order: no layer {id}")))?;
                    if tl.inter_core_tiling.iter().any(|(_, f)| f.is_none()) {
                        return Err(StreamError::UnresolvedWildcard { layer: tl.name.clone() });
                    }
                    let intra: u64 = tl.intra_core_tiling.iter().map(|(_, s)| *s).product();
                    let inter: u64 = tl.inter_core_tiling.iter().map(|(_, f)| f.unwrap_or(1)).product();
                    layers.push((id, intra, inter));
                }
                let slots = layers.iter().map(|l| l.1).min().unwrap_or(1).max(1);
                if layers.iter().any(|l| l.1 % slots != 0) {
                    return Err(StreamError::TilingsNotMultiples { stack: stack.clone(), slots });
                }
                for i in 0..slots {
                    for &(id, intra, inter) in &layers {
                        let per_slot = intra / slots;
                        let n = inter * per_slot;
                        out.extend((0..n).map(|j| (id, (i * n + j) as usize)));
                    }
                }
            }
            if out.len() != graph.cns.len() {
                return perr(format!(
                    "Stream's scheduling order lists {} CNs but there are {} (padded tiles?)",
                    out.len(),
                    graph.cns.len()
                ));
            }
            ids(&out)
        }
    }
}

/// Builds the scheduler input.
pub fn schedule_input(
    prep: &Prepared,
    allocation: &Allocation,
    order: &SchedulingOrder,
) -> Result<ScheduleInput, StreamError> {
    let (acc, wl, graph, costs) = (&prep.accelerator, &prep.workload, &prep.graph, &prep.costs);
    let topology = topology(acc);
    let n = graph.cns.len();
    let mut out_degree = vec![0usize; n];
    for e in &graph.edges {
        out_degree[e.src] += 1;
    }
    let mut tensors: Vec<Tensor> = Vec::new();
    let mut tensor_index: rustc_hash::FxHashMap<String, usize> = Default::default();
    let mut cns = Vec::with_capacity(n);
    for (i, c) in graph.cns.iter().enumerate() {
        let tl = &graph.layers[c.layer];
        let Some(comp) = wl.nodes[tl.node].computation() else {
            return perr(format!("layer {} is not a computation node", tl.name));
        };
        // Core.
        let fixed =
            allocation.fixed.iter().find(|&&(l, g, _)| l == c.id && g.is_none_or(|g| g == c.group)).map(|x| x.2);
        let (core, truncate) = match (fixed, c.chosen_core) {
            (Some(core), _) => (core, false),
            (None, Some(core)) => (core, false),
            (None, None) => match allocation.chosen.iter().find(|&&(l, g, _)| l == c.id && g == c.group) {
                Some(x) => (x.2, true),
                None => {
                    return Err(StreamError::NoCore {
                        layer_id: c.id,
                        sub_id: c.sub_id,
                        layer: tl.name.clone(),
                        allowed: tl.possible_core_allocation.clone(),
                        groups: tl.total_inter_core_splits,
                    });
                }
            },
        };
        let Some(cc) = costs.get(i, core) else {
            let why = match acc.core(core) {
                None => format!("there is no core {core} in the accelerator"),
                Some(k) if k.total_unit_count() == 0 => {
                    let off = if core == acc.offchip_core_id { "the off-chip core" } else { "a memory core" };
                    format!("core {core} ({}) is {off} and has no MAC units", k.name)
                }
                Some(_) => {
                    format!("core {core} is not in the layer's `core_allocation` {:?}", tl.possible_core_allocation)
                }
            };
            let compute: Vec<usize> = tl
                .possible_core_allocation
                .iter()
                .copied()
                .filter(|&k| acc.core(k).is_some_and(|k| k.total_unit_count() > 0))
                .collect();
            return perr(format!(
                "CN ({}, {}) of layer {} cannot run on core {core}: {why}; allow only compute cores for it (of its `core_allocation` {:?} those are {:?})",
                c.id, c.sub_id, tl.name, tl.possible_core_allocation, compute
            ));
        };
        // Operands and tensors.
        let mut operands = Vec::with_capacity(c.tensors.len());
        for (k, t) in c.tensors.iter().enumerate() {
            let key = t.key(c.id);
            let tid = match tensor_index.get(&key) {
                Some(&x) => x,
                None => {
                    tensors.push(Tensor {
                        layer: c.id as u32,
                        origin: i,
                        layer_operand: t.operand.clone(),
                        memory_operand: mem_op_of(&t.operand),
                        loop_dims: t.dims.clone(),
                        loop_ranges: t.ranges.clone(),
                        size: t.size_bits,
                        base_priority: None,
                    });
                    tensor_index.insert(key, tensors.len() - 1);
                    tensors.len() - 1
                }
            };
            if k == 0 {
                tensors[tid].base_priority = Some(out_degree[i] as i64);
            } else if comp.constant_operands.contains(&t.operand)
                || comp.partially_constant_operands.contains(&t.operand)
            {
                let ir = cn::ir_dims(&comp.layer, &t.operand);
                let reuse: u64 = tl.outer_loops.iter().filter(|(d, _)| ir.contains(d)).map(|(_, s)| *s).product();
                tensors[tid].base_priority = Some(reuse as i64);
            }
            operands.push(CnOperand { name: t.operand.clone(), memory_operand: mem_op_of(&t.operand), tensor: tid });
        }
        let index_of = |name: &String| operands.iter().position(|o| &o.name == name);
        let constant_operands = comp.constant_operands.iter().filter_map(index_of).collect();
        let partially_constant_operands = comp.partially_constant_operands.iter().filter_map(index_of).collect();
        let bw = |x: [u64; 4]| OffchipBandwidth {
            rd_out_to_low: x[0] as f64,
            wr_in_by_low: x[1] as f64,
            rd_out_to_high: x[2] as f64,
            wr_in_by_high: x[3] as f64,
        };
        cns.push(schedule_input::SchedulerCn {
            layer: c.id as u32,
            sub_id: c.sub_id as u32,
            core,
            runtime: if truncate { cc.runtime_ga() } else { cc.runtime },
            onchip_energy: cc.onchip_energy,
            offchip_energy: cc.offchip_energy,
            too_large_operands: cc.too_large_operands.clone(),
            offchip_bandwidth: cc.offchip_bandwidth_per_op.iter().map(|(m, x)| (*m, bw(*x))).collect(),
            produces_final_output: c.produces_final_output,
            total_inter_core_splits: tl.total_inter_core_splits as u32,
            operands,
            output_operand: 0,
            constant_operands,
            partially_constant_operands,
            intra_core_tiling_dims: tl.intra_core_tiling.iter().map(|(d, _)| d.clone()).collect(),
            loop_ranges: c.loop_ranges.clone(),
        });
    }
    let edges =
        graph.edges.iter().map(|e| Edge { src: e.src, dst: e.dst, operand: e.operand.clone(), bits: e.bits }).collect();
    let scheduling_order = scheduling_order(graph, order)?;
    let input = ScheduleInput { topology, cns, tensors, edges, scheduling_order };
    input.validate().map_err(|e| StreamError::Pipeline(e.to_string()))?;
    Ok(input)
}

/// Whether some layer's inter-core tiling is `*` (only the constraint optimiser resolves it).
pub fn has_wildcard(graph: &CnGraph) -> bool {
    graph.layers.iter().any(|l| l.inter_core_tiling.iter().any(|(_, f)| f.is_none()))
}

/// One layer's resolved inter-core split: `(layer id, [(dimension, factor)], cores)`.
pub type ResolvedSplit = (usize, Vec<(String, u64)>, Vec<usize>);

/// The result of [`prepare_co`].
#[derive(Clone, Debug)]
pub struct CoPrepared {
    /// The re-tiled, re-costed workload to schedule (fixed cores, `latency_total1` runtimes).
    pub prepared: Prepared,
    /// The allocation (per stack and unrolled).
    pub co: crate::co::CoResult,
    /// Beyond the reference: the layer stacks used when Stream's automatic ones had a stack
    /// the MILP cannot take (see [`restack_for_co`]); `None` when they were used as they are.
    pub restacked: Option<Vec<Vec<usize>>>,
    /// Per stack, the steady-state CNs `(layer, sub id)` of the workload before re-tiling.
    pub steady_state_cns: Vec<Vec<(usize, usize)>>,
    /// Stream's scheduling order of the re-tiled CNs.
    pub order: SchedulingOrder,
    /// Resolved inter-core tiling per layer id: `(layer, [(dim, factor)], cores)`.
    pub resolved: Vec<ResolvedSplit>,
}

/// Stream's constraint-optimisation flow up to the schedule: CNs and costs as [`prepare`] (with
/// `*` tilings unsplit), the allocation per stack, then the workload re-tiled with the chosen
/// splits and cores and re-costed as the reference does after CO (LOMA lpf 7, runtimes
/// `latency_total1`).
pub fn prepare_co(
    inputs: StreamProblem,
    opts: &PrepareOptions,
    co: &crate::co::CoOptions,
) -> Result<CoPrepared, StreamError> {
    prepare_co_from(opts, prepare(inputs, opts)?, co)
}

/// Layer stacks: per stack, its layer ids.
type LayerStacks = Vec<Vec<usize>>;

/// Beyond the reference: with Stream's automatic layer stacks (fused, no `--layer-stacks`), a
/// stack the CO MILP cannot take (several sink layers, a layer without steady-state CNs, more
/// steady-state CNs than `auto_stack_cns` or `max_cns`) is cut into consecutive stacks that it can take, each as
/// long as possible, and the workload prepared again with them. Returns the prepared workload
/// and, when it was cut, the stacks used.
fn restack_for_co(
    opts: &PrepareOptions,
    pre: Prepared,
    co_opts: &crate::co::CoOptions,
) -> Result<(Prepared, Option<LayerStacks>), StreamError> {
    if opts.cn.mode != Mode::Fused || opts.cn.layer_stacks.is_some() || co_opts.replay.is_some() {
        return Ok((pre, None));
    }
    let cap = total_weight_capacity(&pre.accelerator);
    let limit = co_opts.max_cns.min(co_opts.auto_stack_cns);
    let fits = |graph: &CnGraph, stack: &[usize]| {
        let preds = crate::co::steady_state::predecessors(graph);
        crate::co::steady_state_for_co(graph, &preds, stack, &pre.accelerator, limit).is_ok()
    };
    let original = pre.graph.layer_stacks.clone();
    if original.iter().all(|s| fits(&pre.graph, s)) {
        return Ok((pre, None));
    }
    // Stacks decided so far, then the one being grown, then the rest as they were.
    let mut done: Vec<Vec<usize>> = Vec::new();
    for (k, stack) in original.iter().enumerate() {
        if fits(&pre.graph, stack) {
            done.push(stack.clone());
            continue;
        }
        let mut start = 0;
        while start < stack.len() {
            // The longest prefix of stack[start..] that the MILP can take (one layer always can).
            let mut best = start + 1;
            for end in start + 2..=stack.len() {
                let mut trial = done.clone();
                trial.push(stack[start..end].to_vec());
                trial.extend(stack[end..].iter().map(|&l| vec![l]));
                trial.extend(original[k + 1..].iter().cloned());
                let cn_opts = CnOptions { layer_stacks: Some(trial), ..opts.cn.clone() };
                let graph = cn::generate(&pre.workload, &cn_opts, cap)?;
                let preds = crate::co::steady_state::predecessors(&graph);
                match crate::co::steady_state::extract(&graph, &preds, &stack[start..end]) {
                    // grown too far: later prefixes only get larger
                    Ok(Some(ss)) if ss.cns.len() > limit => break,
                    _ if fits(&graph, &stack[start..end]) => best = end,
                    _ => {}
                }
            }
            done.push(stack[start..best].to_vec());
            start = best;
        }
    }
    let cn_opts = CnOptions { layer_stacks: Some(done.clone()), ..opts.cn.clone() };
    let graph = cn::generate(&pre.workload, &cn_opts, cap)?;
    let costs = cost::compute(&graph, &pre.workload, &pre.accelerator, &opts.cost)?;
    Ok((
        Prepared { accelerator: pre.accelerator, workload: pre.workload, graph, costs, warnings: pre.warnings },
        Some(done),
    ))
}

/// [`prepare_co`] from an already prepared (pre-CO) workload.
pub fn prepare_co_from(
    opts: &PrepareOptions,
    pre: Prepared,
    co_opts: &crate::co::CoOptions,
) -> Result<CoPrepared, StreamError> {
    let (pre, restacked) = restack_for_co(opts, pre, co_opts)?;
    let opts = &PrepareOptions {
        cn: CnOptions { layer_stacks: restacked.clone().or_else(|| opts.cn.layer_stacks.clone()), ..opts.cn.clone() },
        ..opts.clone()
    };
    let co = crate::co::allocate(&pre.graph, &pre.costs, &pre.accelerator, co_opts)
        .map_err(|e| StreamError::Pipeline(e.to_string()))?;
    let steady_state_cns: Vec<Vec<(usize, usize)>> = co
        .stacks
        .iter()
        .map(|st| st.ss.cns.iter().map(|&i| (pre.graph.cns[i].id, pre.graph.cns[i].sub_id)).collect())
        .collect();
    let mut wl = pre.workload.clone();
    let mut resolved = Vec::new();
    for tl in &pre.graph.layers {
        let Some((_, cores)) = co.layer_cores.iter().find(|(l, _)| *l == tl.id) else {
            return perr(format!(
                "layer {} ({}) is in no steady-state allocation; the reference drops such layers: give it its own stack",
                tl.id, tl.name
            ));
        };
        if tl.inter_core_tiling.len() > 1 {
            return perr(format!(
                "layer {}: only one inter-core tiling entry is supported by constraint optimisation (the reference raises too), found {:?}",
                tl.name, tl.inter_core_tiling
            ));
        }
        let mut tiling = Vec::new();
        for (d, f) in &tl.inter_core_tiling {
            let k = match f {
                None => cores.len() as u64,
                Some(k) => *k,
            };
            tiling.push((d.clone(), k));
        }
        let size: u64 = tiling.iter().map(|(_, k)| *k).product();
        if size != cores.len() as u64 {
            return perr(format!(
                "layer {}: its inter-core tiling {:?} splits it {size} ways but the optimiser chose {} cores {:?} (the reference asserts they match): use `*` for this layer or restrict its core_allocation",
                tl.name,
                tl.inter_core_tiling,
                cores.len(),
                cores
            ));
        }
        if let NodeKind::Computation(c) = &mut wl.nodes[tl.node].kind {
            c.core_allocation = cores.clone();
            c.inter_core_tiling = tiling.iter().map(|(d, k)| (d.clone(), TilingFactor::N(*k))).collect();
        }
        resolved.push((tl.id, tiling, cores.clone()));
    }
    let mut cost = opts.cost.clone();
    // reference quirk: the post-CO estimation runs LOMA with lpf 7 (6 before CO).
    cost.lpf_limit = 7;
    cost.latency_attr = crate::cost::LatencyAttr::Total1;
    let graph = cn::generate(&wl, &opts.cn, total_weight_capacity(&pre.accelerator))?;
    let costs = cost::compute(&graph, &wl, &pre.accelerator, &cost)?;
    let order = SchedulingOrder::Explicit(co.order.clone());
    let prepared = Prepared { accelerator: pre.accelerator, workload: wl, graph, costs, warnings: pre.warnings };
    Ok(CoPrepared { prepared, co, order, resolved, restacked, steady_state_cns })
}
