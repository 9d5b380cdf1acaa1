//! From the per-stack steady-state solutions to the whole run's slot table and Stream's
//! scheduling order (`get_unrolled_allocation`, `get_scheduling_order`).
//!
//! Only each layer's core set survives from the MILP: per stack, the sinks are walked warm-up,
//! steady state, cool-down; every sink's not yet placed ancestors of the stack are placed on
//! all cores of their layer, each in the next free slot of the core after its predecessors'
//! slots (the first slot is 1; stacks do not share slots).

use rustc_hash::FxHashMap;

use crate::cn::CnGraph;

use super::CoError;
use super::steady_state::{Phase, SteadyState};

/// A slot table: per slot, `(core, CN)` in insertion order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlotTable {
    /// `slots[t]` = the `(core, CN index, phase)` entries of slot `t`.
    pub slots: Vec<Vec<(usize, usize, Phase)>>,
    /// Largest slot used per core.
    max_slot: FxHashMap<usize, usize>,
    /// Largest slot of each placed CN.
    cn_slot: FxHashMap<usize, usize>,
}

impl SlotTable {
    fn occupied(&self, slot: usize, core: usize) -> bool {
        self.slots.get(slot).is_some_and(|v| v.iter().any(|e| e.0 == core))
    }

    fn add_next(&mut self, cn: usize, core: usize, min_slot: usize, phase: Phase) {
        if self.slots.iter().any(|v| v.iter().any(|e| e.0 == core && e.1 == cn)) {
            return;
        }
        let mut t = self.max_slot.get(&core).map_or(0, |&m| m + 1).max(min_slot);
        while self.occupied(t, core) {
            t += 1;
        }
        if self.slots.len() <= t {
            self.slots.resize(t + 1, Vec::new());
        }
        self.slots[t].push((core, cn, phase));
        let m = self.max_slot.entry(core).or_insert(t);
        *m = (*m).max(t);
        let s = self.cn_slot.entry(cn).or_insert(t);
        *s = (*s).max(t);
    }

    /// Largest occupied slot.
    pub fn slot_max(&self) -> usize {
        self.slots.iter().rposition(|v| !v.is_empty()).unwrap_or(0)
    }
}

/// Kahn's algorithm by generations over `nodes` (in graph order), as networkx's `topological_sort`.
fn topological(nodes: &[usize], succs: &[Vec<usize>]) -> Vec<usize> {
    let local: FxHashMap<usize, usize> = nodes.iter().enumerate().map(|(k, &x)| (x, k)).collect();
    let edges: Vec<(usize, usize)> = nodes
        .iter()
        .enumerate()
        .flat_map(|(k, &x)| succs[x].iter().filter_map(|s| local.get(s).map(|&j| (k, j))).collect::<Vec<_>>())
        .collect();
    zz_ir::graph::topological_order(nodes.len(), &edges).into_iter().map(|k| nodes[k]).collect()
}

/// The unrolled slot table of all stacks; `cores_of_layer(stack index, layer id)` = the layer's
/// core set in that stack's solution (ascending ids).
pub fn unroll(
    graph: &CnGraph,
    preds: &[Vec<usize>],
    stacks: &[SteadyState],
    cores_of_layer: &dyn Fn(usize, usize) -> Vec<usize>,
) -> Result<SlotTable, CoError> {
    let n = graph.cns.len();
    let mut succs = vec![Vec::new(); n];
    for e in &graph.edges {
        if !succs[e.src].contains(&e.dst) {
            succs[e.src].push(e.dst);
        }
    }
    let mut tsa = SlotTable::default();
    let mut min_slot = 0usize;
    let mut mark = vec![false; n];
    for (si, ss) in stacks.iter().enumerate() {
        let mut computed = vec![false; n];
        for (sink, phase) in ss.phases() {
            // Ancestors in the whole graph, plus the sink, not yet placed, of this stack.
            let mut needed = vec![sink];
            let mut st = vec![sink];
            mark[sink] = true;
            while let Some(x) = st.pop() {
                for &p in &preds[x] {
                    if !mark[p] {
                        mark[p] = true;
                        needed.push(p);
                        st.push(p);
                    }
                }
            }
            for &x in &needed {
                mark[x] = false;
            }
            let mut new: Vec<usize> =
                needed.into_iter().filter(|&x| !computed[x] && ss.stack.contains(&graph.cns[x].id)).collect();
            new.sort_unstable();
            let mut order = topological(&new, &succs);
            if phase == Phase::SteadyState {
                // Like the steady-state table: by layer id, topological order within a layer.
                let rank: FxHashMap<usize, usize> = order.iter().enumerate().map(|(k, &x)| (x, k)).collect();
                order.sort_by_key(|&x| (graph.cns[x].id, rank[&x]));
            }
            for x in order {
                computed[x] = true;
                let cores = cores_of_layer(si, graph.cns[x].id);
                if cores.is_empty() {
                    return Err(CoError::Stack {
                        stack: ss.stack.clone(),
                        message: format!(
                            "layer {} has no CN in the steady state, so the reference gives it no core (and drops it from the schedule); give that layer its own stack",
                            graph.cns[x].id
                        ),
                    });
                }
                let mut latest = 0usize;
                for &p in &preds[x] {
                    match tsa.cn_slot.get(&p) {
                        Some(&s) => latest = latest.max(s),
                        None => {
                            return Err(CoError::Stack {
                                stack: ss.stack.clone(),
                                message: format!(
                                    "CN ({}, {}) needs CN ({}, {}), which no earlier stack places (the reference raises here too): order the stacks along the graph",
                                    graph.cns[x].id, graph.cns[x].sub_id, graph.cns[p].id, graph.cns[p].sub_id
                                ),
                            });
                        }
                    }
                }
                let slot = (latest + 1).max(min_slot);
                for c in cores {
                    tsa.add_next(x, c, slot, phase);
                }
            }
        }
        min_slot = tsa.slot_max() + 1;
    }
    Ok(tsa)
}

/// Stream's scheduling order of the re-tiled workload: slot by slot, the `k` inter-core parts of
/// a CN of a layer on `k` cores numbered `k·sub_id ..` (the next free id).
pub fn scheduling_order(graph: &CnGraph, tsa: &SlotTable, nb_cores: &dyn Fn(usize) -> usize) -> Vec<(usize, usize)> {
    let mut order = Vec::new();
    let mut seen: rustc_hash::FxHashSet<(usize, usize)> = Default::default();
    for slot in &tsa.slots {
        for &(_, cn, _) in slot {
            let c = &graph.cns[cn];
            let k = nb_cores(c.id);
            let mut j = k * c.sub_id;
            while seen.contains(&(c.id, j)) {
                j += 1;
            }
            seen.insert((c.id, j));
            order.push((c.id, j));
        }
    }
    order
}
