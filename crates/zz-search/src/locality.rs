//! Inter-layer data locality (reference `SearchInterLayerDataLocalityStage` and
//! `ExploitInterLayerDataLocalityStage`, ZigZag 3.9.1).
//!
//! Without this feature every layer reads its activations from, and writes its outputs to,
//! the top memory of each operand (usually DRAM). With it, a search over the whole workload
//! finds, per layer, the lowest memory that can keep the data passed between consecutive
//! layers (and one memory level able to hold the weights of the whole network); each layer
//! is then evaluated on a reduced copy of the accelerator in which the memories above those
//! levels no longer store the operand.
//!
//! "Levels" in this module are indices into [`Accelerator::memories`] (the order of the
//! accelerator file, lowest first), never per-operand levels.
//!
//! The search works on the workload graph without dummy nodes: every dummy node is replaced
//! by edges from each of its predecessors to each of its successors (processed in node
//! order, edges appended in insertion order), and the layers are visited in that graph's
//! topological order. The reduced accelerator lists the kept operands of a memory in the
//! order activation, weight, output (not the file order), restricts the port allocations to
//! them, drops memories left without operand, and is named `<name>-removing-nouse-mem`.
//!
//! The reference enables the locality stages when `exploit_data_locality`,
//! `enable_mix_spatial_mapping` or `in_memory_compute` is set; see
//! [`crate::network::SearchOptions::locality_enabled`].

use crate::network::LayerError;
use std::collections::HashSet;
use zz_cost::{CostError, LayerInfo};
use zz_ir::accelerator::{Accelerator, MemOperand, Memory, MemoryPort};
use zz_ir::mapping::Mapping;
use zz_ir::workload::{Layer, LayerKind, Workload};

/// The memory operands playing the activation, weight and output roles in one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerRoles {
    /// Memory operand of the activation input.
    pub act: MemOperand,
    /// Memory operand of the weight input (for a layer without constant operand: its other input).
    pub weight: MemOperand,
    /// Memory operand of the output.
    pub out: MemOperand,
    /// The layer has at least one constant operand (otherwise it is an "adder": both inputs
    /// are activations and the weight role follows the activation level).
    pub has_constant: bool,
}

/// The highest memory (index into the accelerator's memory list) each operand of a layer may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerLevels {
    /// Operand roles.
    pub roles: LayerRoles,
    /// Highest memory index kept for the activation.
    pub act: usize,
    /// Highest memory index kept for the weight operand.
    pub weight: usize,
    /// Highest memory index kept for the output.
    pub out: usize,
}

/// Result of the locality search over a workload.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LocalityPlan {
    /// Per workload layer index (`Workload::layers`); `None` for dummy nodes.
    pub layers: Vec<Option<LayerLevels>>,
    /// Highest memory index kept for the weights of all layers with a constant operand.
    pub weight_level: usize,
}

impl LocalityPlan {
    /// The levels of workload layer `index`, if it is a compute layer.
    pub fn levels(&self, index: usize) -> Option<&LayerLevels> {
        self.layers.get(index).and_then(Option::as_ref)
    }
}

fn mapping_error(layer: &Layer, message: String) -> LayerError {
    LayerError { layer: layer.name.clone(), error: CostError::Mapping { layer: layer.name.clone(), message } }
}

/// Activation and weight layer operands (reference `get_act_layer_op`, `get_weight_layer_op`).
///
/// * one constant operand: it is the weight; the activation is the (last) other input;
/// * no constant operand: activation = second input, weight = first input;
/// * several constant operands: without dimension relations the activation is the first
///   input, otherwise the last operand (output included) indexed by the first derived
///   dimension; the weight is the last constant operand that is not the activation.
pub fn act_and_weight_operands(layer: &Layer) -> Result<(String, String), String> {
    let constants = layer.constant_operands();
    let inputs: Vec<&str> = layer.inputs().collect();
    match constants.len() {
        1 => {
            let w = constants[0];
            let act = inputs
                .iter()
                .rev()
                .find(|&&o| o != w)
                .ok_or_else(|| format!("no input operand other than the constant operand {w}"))?;
            Ok((act.to_string(), w.to_string()))
        }
        0 => {
            if inputs.len() < 2 {
                return Err("a layer without constant operand needs two input operands".into());
            }
            Ok((inputs[1].to_string(), inputs[0].to_string()))
        }
        _ => {
            let act = match layer.relations.first() {
                None => inputs.first().copied().ok_or_else(|| "the layer has no input operand".to_string())?,
                Some(rel) => layer
                    .operands
                    .iter()
                    .rev()
                    .find(|o| o.dims.contains(&rel.derived))
                    .map(|o| o.name.as_str())
                    .ok_or_else(|| format!("no operand is indexed by the related dimension {}", rel.derived))?,
            };
            let w = constants
                .iter()
                .rev()
                .find(|&&c| c != act)
                .ok_or_else(|| format!("no constant operand other than the activation {act}"))?;
            Ok((act.to_string(), w.to_string()))
        }
    }
}

/// The workload graph without dummy nodes: compute-layer indices in insertion order and the
/// edges between them (indices into `Workload::layers`) in the reference's insertion order.
pub fn graph_without_dummies(workload: &Workload) -> (Vec<usize>, Vec<(usize, usize)>) {
    let mut edges: Vec<(usize, usize)> = Vec::with_capacity(workload.edges.len());
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for &e in &workload.edges {
        if seen.insert(e) {
            edges.push(e);
        }
    }
    for (d, layer) in workload.layers.iter().enumerate() {
        if layer.kind != LayerKind::Dummy {
            continue;
        }
        let succs: Vec<usize> = edges.iter().filter(|e| e.0 == d).map(|e| e.1).collect();
        let preds: Vec<usize> = edges.iter().filter(|e| e.1 == d).map(|e| e.0).collect();
        for &s in &succs {
            for &p in &preds {
                if seen.insert((p, s)) {
                    edges.push((p, s));
                }
            }
        }
    }
    let is_compute = |i: usize| workload.layers[i].kind == LayerKind::Compute;
    edges.retain(|&(a, b)| is_compute(a) && is_compute(b));
    let nodes = (0..workload.layers.len()).filter(|&i| is_compute(i)).collect();
    (nodes, edges)
}

/// Topological order (reference networkx generations) of a sub-graph given by its nodes and edges.
fn topological_order(workload: &Workload, nodes: &[usize], edges: &[(usize, usize)]) -> Vec<usize> {
    let mut pos = vec![usize::MAX; workload.layers.len()];
    for (k, &n) in nodes.iter().enumerate() {
        pos[n] = k;
    }
    let local: Vec<(usize, usize)> = edges.iter().map(|&(a, b)| (pos[a], pos[b])).collect();
    zz_ir::graph::topological_order(nodes.len(), &local).into_iter().map(|k| nodes[k]).collect()
}

/// Number of physical instances of a memory: product of the array dimensions it does not serve.
fn unroll_count(acc: &Accelerator, m: &Memory) -> u128 {
    acc.instances(m) as u128
}

/// The memory serves every dimension of the operational array.
fn serves_all_oa_dims(acc: &Accelerator, m: &Memory) -> bool {
    let mut distinct: Vec<&String> = Vec::new();
    for d in &m.served_dimensions {
        if !distinct.contains(&d) {
            distinct.push(d);
        }
    }
    distinct.len() == acc.operational_array.dimensions.len()
}

/// Highest memory index storing `op`, or -1.
fn top_level_of(acc: &Accelerator, op: MemOperand) -> i64 {
    acc.memories.iter().rposition(|m| m.operands.contains(&op)).map_or(-1, |i| i as i64)
}

/// Per-layer data of the search.
struct Node {
    roles: LayerRoles,
    /// Bits of the data arriving as activation (all inputs for an adder layer), by memory operand.
    io_bits: [Option<u128>; 3],
    /// Current level of the activation and output (-1 = not yet known).
    act: i64,
    out: i64,
}

impl Node {
    /// Lowers the level of `op` to `target` (or sets it when still unknown).
    fn update(&mut self, op: MemOperand, target: i64) {
        let slot = if op == self.roles.act {
            &mut self.act
        } else if op == self.roles.out {
            &mut self.out
        } else {
            return;
        };
        if *slot == -1 || *slot > target {
            *slot = target;
        }
    }
}

fn link(layer: &Layer, links: &[(String, MemOperand)], op: &str) -> Result<MemOperand, LayerError> {
    links
        .iter()
        .find(|(n, _)| n == op)
        .map(|(_, m)| *m)
        .ok_or_else(|| mapping_error(layer, format!("memory_operand_links has no entry for layer operand {op}")))
}

/// Operand roles and sizes of one compute layer.
fn analyse(layer: &Layer, mapping: &Mapping) -> Result<(Node, Option<u128>), LayerError> {
    let entry = mapping
        .entry_for(&layer.name, &layer.operator_type)
        .ok_or_else(|| mapping_error(layer, "no mapping entry and no `default` entry".into()))?;
    let links = &entry.memory_operand_links;
    let (act_op, weight_op) = act_and_weight_operands(layer)
        .map_err(|m| mapping_error(layer, format!("cannot identify the activation/weight operands: {m}")))?;
    let out_op = layer.output();
    let roles = LayerRoles {
        act: link(layer, links, &act_op)?,
        weight: link(layer, links, &weight_op)?,
        out: link(layer, links, out_op)?,
        has_constant: !layer.constant_operands().is_empty(),
    };
    let info = LayerInfo::new(layer).map_err(|error| LayerError { layer: layer.name.clone(), error })?;
    let bits = |name: &str| -> u128 {
        info.operands.iter().find(|o| o.name == name).map_or(0, |o| o.size_elem as u128 * o.precision as u128)
    };
    let act_bits = if roles.has_constant {
        bits(&act_op)
    } else {
        info.operands[1..].iter().map(|o| o.size_elem as u128 * o.precision as u128).sum()
    };
    let mut io_bits = [None; 3];
    io_bits[roles.act.index()] = Some(act_bits);
    io_bits[roles.out.index()] = Some(bits(out_op));
    let weight_bits = roles.has_constant.then(|| bits(&weight_op));
    Ok((Node { roles, io_bits, act: -1, out: -1 }, weight_bits))
}

/// Searches the highest memory each layer's activation and output may use, and the memory
/// keeping the weights (reference `SearchInterLayerDataLocalityStage.update_top_mem_level`,
/// with `workload_data_always_from_top_mem = False`).
///
/// ```
/// use zz_ir::workload::Workload;
/// use zz_ir::mapping::Mapping;
/// use zz_ir::accelerator::{Accelerator, OperationalArray};
/// let acc = Accelerator {
///     name: "a".into(),
///     operational_array: OperationalArray {
///         dimensions: vec![], sizes: vec![], unit_energy: 1.0, unit_area: 1.0,
///         systolic_dimensions: vec![], is_imc: false, imc: None,
///     },
///     memories: vec![],
/// };
/// let plan = zz_search::locality::search(&Workload::default(), &acc, &Mapping::default()).unwrap();
/// assert!(plan.layers.is_empty());
/// ```
pub fn search(workload: &Workload, acc: &Accelerator, mapping: &Mapping) -> Result<LocalityPlan, LayerError> {
    let (nodes, edges) = graph_without_dummies(workload);
    let mut plan = LocalityPlan { layers: vec![None; workload.layers.len()], weight_level: 0 };
    let Some(&first_node) = nodes.first() else {
        return Ok(plan);
    };
    let mut data: Vec<Option<Node>> = (0..workload.layers.len()).map(|_| None).collect();
    let mut weight_total: u128 = 0;
    let order = topological_order(workload, &nodes, &edges);
    for &i in &order {
        let (node, w) = analyse(&workload.layers[i], mapping)?;
        weight_total += w.unwrap_or(0);
        data[i] = Some(node);
    }
    // Top levels come from the first layer in insertion order.
    let Some(first_roles) = data[first_node].as_ref().map(|n| n.roles) else {
        return Ok(plan);
    };
    let top_act = top_level_of(acc, first_roles.act);
    let top_weight = top_level_of(acc, first_roles.weight);
    let top_out = top_level_of(acc, first_roles.out);
    let mut weight_level = top_weight;

    let successors = |n: usize| edges.iter().filter(move |e| e.0 == n).map(|e| e.1);
    let predecessors = |n: usize| edges.iter().filter(move |e| e.1 == n).map(|e| e.0);
    let first = order[0];
    let last = *order.last().unwrap_or(&first);
    for &i in &order {
        let layer = &workload.layers[i];
        let is_first = i == first;
        let is_last = i == last;
        let roles =
            data[i].as_ref().map(|n| n.roles).ok_or_else(|| mapping_error(layer, "layer not analysed".into()))?;
        let out_degree = successors(i).count();
        let first_succ = successors(i).next();
        let branch_start = out_degree > 1;
        let branch_end = out_degree == 1 && first_succ.is_some_and(|s| predecessors(s).count() > 1);

        // The activation arrives where the first predecessor left its output.
        if !is_first && let Some(p) = predecessors(i).next() {
            let prev = data[p].as_ref().map_or(-1, |n| n.out);
            if let Some(n) = data[i].as_mut() {
                n.update(roles.act, prev);
            }
        }

        if branch_start || branch_end {
            let n = data[i].as_mut().expect("analysed above");
            if is_first {
                n.update(roles.act, top_act);
            }
            n.update(roles.out, top_out);
            continue;
        }

        // Memory operand that the next layer reads as activation.
        let next_act = if is_last {
            roles.act
        } else {
            let s = first_succ.ok_or_else(|| {
                mapping_error(
                    layer,
                    "inter-layer locality: this layer has no successor but is not the last layer in topological \
                     order (several graph outputs are not supported, as in the reference)"
                        .into(),
                )
            })?;
            data[s]
                .as_ref()
                .map(|n| n.roles.act)
                .ok_or_else(|| mapping_error(layer, "successor not analysed".into()))?
        };
        for (mi, mem) in acc.memories.iter().enumerate().rev() {
            let avail = mem.size as u128 * unroll_count(acc, mem);
            let io_both = mem.operands.contains(&next_act) && mem.operands.contains(&roles.out);
            let w_here = mem.operands.contains(&roles.weight);
            if !(io_both || w_here) {
                continue;
            }
            let considered: Vec<MemOperand> =
                if !roles.has_constant && io_both { vec![roles.out, roles.act] } else { mem.operands.clone() };
            let node = data[i].as_mut().expect("analysed above");
            let mut need: u128 = 0;
            for &op in considered.iter().filter(|&&op| op != roles.weight) {
                need += node.io_bits[op.index()].ok_or_else(|| {
                    mapping_error(
                        layer,
                        format!(
                            "inter-layer locality: memory {} stores operand {op}, which this layer does not use as \
                             activation or output",
                            mem.name
                        ),
                    )
                })?;
            }
            if considered.contains(&roles.weight) {
                need += weight_total;
            }
            if need <= avail {
                if io_both {
                    if is_first {
                        node.update(roles.act, mi as i64);
                    }
                    node.update(roles.out, mi as i64);
                }
                if (mi as i64) < weight_level && serves_all_oa_dims(acc, mem) && w_here {
                    weight_level = mi as i64;
                }
            }
        }
    }

    let any_constant = order.iter().any(|&i| data[i].as_ref().is_some_and(|n| n.roles.has_constant));
    for &i in &order {
        let layer = &workload.layers[i];
        let n = data[i].as_ref().expect("analysed above");
        if n.act < 0 || n.out < 0 || (any_constant && weight_level < 0) {
            return Err(mapping_error(
                layer,
                "inter-layer locality: no memory level found for the activation, output or weights of this layer \
                 (the reference asserts here)"
                    .into(),
            ));
        }
    }
    plan.weight_level = weight_level.max(0) as usize;
    for &i in &order {
        let n = data[i].as_ref().expect("analysed above");
        let weight = if n.roles.has_constant { plan.weight_level } else { n.act as usize };
        plan.layers[i] = Some(LayerLevels { roles: n.roles, act: n.act as usize, weight, out: n.out as usize });
    }
    Ok(plan)
}

/// The accelerator one layer is evaluated on (reference
/// `generate_accelerator_with_removing_unused_memory`): per memory, in file order, the kept
/// operands are the activation (if stored and the memory index is at most `levels.act`), the
/// weight (index at most `levels.weight`) and the output (index at most `levels.out`), in
/// that order; port allocations are restricted to them (ports left unused are dropped);
/// memories without operand are removed.
pub fn reduced_accelerator(acc: &Accelerator, levels: &LayerLevels) -> Accelerator {
    let r = &levels.roles;
    let mut memories = Vec::with_capacity(acc.memories.len());
    for (mi, m) in acc.memories.iter().enumerate() {
        let mut ops: Vec<MemOperand> = Vec::with_capacity(3);
        for (op, limit) in [(r.act, levels.act), (r.weight, levels.weight), (r.out, levels.out)] {
            if m.operands.contains(&op) && mi <= limit && !ops.contains(&op) {
                ops.push(op);
            }
        }
        if ops.is_empty() {
            continue;
        }
        let ports: Vec<MemoryPort> = m
            .ports
            .iter()
            .filter_map(|p| {
                let allocation: Vec<_> = p.allocation.iter().copied().filter(|(o, _)| ops.contains(o)).collect();
                (!allocation.is_empty()).then(|| MemoryPort { allocation, ..p.clone() })
            })
            .collect();
        memories.push(Memory { operands: ops, ports, ..m.clone() });
    }
    Accelerator {
        name: format!("{}-removing-nouse-mem", acc.name),
        operational_array: acc.operational_array.clone(),
        memories,
    }
}
