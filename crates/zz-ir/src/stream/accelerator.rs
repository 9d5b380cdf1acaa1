//! Stream's multi-core accelerator as data: cores (each a single-core ZigZag accelerator with
//! a type, optional dataflows and a memory-sharing group), the link objects of
//! `core_connectivity` (one per direction for a link, one per bus entry) and the directed core
//! graph they form.
//!
//! * A later connectivity entry for the same ordered core pair replaces the earlier edge's
//!   link (the reference stores links as graph-edge attributes), see
//!   [`StreamAccelerator::pair_link`];
//! * the core graph's node order is the order in which cores first appear in the edges;
//!   shortest paths follow the reference's breadth-first order.
//!
//! The reader (`zz_inputs::stream::accelerator`) builds it from the accelerator and core files.

use std::sync::Arc;

use crate::accelerator::{Accelerator, MemOperand};
use crate::mapping::UserSpatialMapping;

/// The `type` of a core file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreType {
    /// A core with an operational array.
    Compute,
    /// A memory-only core (the off-chip DRAM controller).
    Memory,
}

/// One core of the accelerator.
#[derive(Clone, Debug)]
pub struct StreamCore {
    /// Core id (key of `cores`).
    pub id: usize,
    /// `name` of the core file.
    pub name: String,
    /// `type` of the core file.
    pub core_type: CoreType,
    /// The resolved core file (for messages).
    pub file: String,
    /// The core as a single-core (ZigZag) accelerator.
    pub accelerator: Arc<Accelerator>,
    /// The core's `dataflows` (its spatial mapping), if given.
    pub dataflows: Option<UserSpatialMapping>,
    /// Memory-sharing group id: the first core of its `core_memory_sharing` group, else its own id.
    pub shared_mem_group_id: usize,
}

impl StreamCore {
    /// Number of MAC units (0 for the off-chip core).
    pub fn total_unit_count(&self) -> u64 {
        self.accelerator.operational_array.total_unit_count()
    }

    /// Indices (into `accelerator.memories`) of the top-level memories, in file order: memories
    /// that are the last level of every operand they store.
    pub fn top_memories(&self) -> Vec<usize> {
        let mems = &self.accelerator.memories;
        (0..mems.len())
            .filter(|&i| mems[i].operands.iter().all(|op| !mems[i + 1..].iter().any(|m| m.operands.contains(op))))
            .collect()
    }

    /// Index of the top-level memory of a memory operand.
    pub fn top_memory_of(&self, op: MemOperand) -> Option<usize> {
        self.accelerator.memories.iter().rposition(|m| m.operands.contains(&op))
    }

    /// Number of memory levels of each memory operand.
    pub fn nb_levels(&self, op: MemOperand) -> usize {
        self.accelerator.memories.iter().filter(|m| m.operands.contains(&op)).count()
    }
}

/// Point-to-point link or bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamLinkKind {
    /// One direction between two cores.
    Link,
    /// Shared by every ordered pair of its cores.
    Bus,
}

/// A communication link object (one per direction for links, one per bus entry).
#[derive(Clone, Debug, PartialEq)]
pub struct StreamLink {
    /// Index in [`StreamAccelerator::links`] (creation order).
    pub id: usize,
    /// Link or bus.
    pub kind: StreamLinkKind,
    /// Sending core (`None` = "Any", a bus).
    pub sender: Option<usize>,
    /// Receiving core (`None` = "Any", a bus).
    pub receiver: Option<usize>,
    /// Bandwidth in bits per cycle.
    pub bandwidth: f64,
    /// Energy per cycle of activity.
    pub unit_energy_cost: f64,
    /// Bus id (0, 1, ... per bus entry); `None` for links.
    pub bus_id: Option<usize>,
    /// Index of the `core_connectivity` entry that created it.
    pub entry: usize,
}

/// The multi-core accelerator.
#[derive(Clone, Debug)]
pub struct StreamAccelerator {
    /// `name`.
    pub name: String,
    /// Cores by id (index = id).
    pub cores: Vec<StreamCore>,
    /// Id of the off-chip (DRAM) core.
    pub offchip_core_id: usize,
    /// Every link object, in creation order (links replaced by a later entry are kept here).
    pub links: Vec<StreamLink>,
    /// Directed edges `(sender, receiver, link id)` in the core graph's edge order (the
    /// first insertion of a pair fixes its position, a later entry replaces the link).
    pub edges: Vec<(usize, usize, usize)>,
    /// Core ids in the core graph's node order (order of first appearance in the edges).
    pub node_order: Vec<usize>,
    /// `core_memory_sharing` groups.
    pub memory_sharing: Vec<Vec<usize>>,
    /// Number of distinct memory-sharing group ids.
    pub nb_shared_mem_groups: usize,
}

impl StreamAccelerator {
    /// The core with this id.
    pub fn core(&self, id: usize) -> Option<&StreamCore> {
        self.cores.get(id)
    }

    /// The off-chip core.
    pub fn offchip_core(&self) -> &StreamCore {
        &self.cores[self.offchip_core_id]
    }

    /// The link currently attached to the directed edge `a → b` (after overwrites).
    pub fn pair_link(&self, a: usize, b: usize) -> Option<usize> {
        self.edges.iter().find(|e| e.0 == a && e.1 == b).map(|e| e.2)
    }

    /// Link ids in use (attached to some edge), ascending.
    pub fn used_links(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.edges.iter().map(|e| e.2).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn successors(&self, a: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges.iter().filter(move |e| e.0 == a).map(|e| e.1)
    }

    /// All shortest core paths from `a` to `b`, in the reference's (networkx) order; `[a]` for
    /// `a == b`; empty when unreachable.
    pub fn all_shortest_paths(&self, a: usize, b: usize) -> Vec<Vec<usize>> {
        let n = self.cores.len();
        // Breadth-first predecessor lists (networkx `predecessor`).
        let mut seen: Vec<Option<usize>> = vec![None; n];
        let mut pred: Vec<Option<Vec<usize>>> = vec![None; n];
        seen[a] = Some(0);
        pred[a] = Some(Vec::new());
        let mut level = 0;
        let mut next = vec![a];
        while !next.is_empty() {
            level += 1;
            let this = std::mem::take(&mut next);
            for v in this {
                for w in self.successors(v) {
                    match seen[w] {
                        None => {
                            pred[w] = Some(vec![v]);
                            seen[w] = Some(level);
                            next.push(w);
                        }
                        Some(l) if l == level => {
                            if let Some(p) = pred[w].as_mut() {
                                p.push(v);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        if pred[b].is_none() {
            return Vec::new();
        }
        // networkx `_build_paths_from_predecessors`.
        let mut out = Vec::new();
        let mut on_stack = vec![false; n];
        on_stack[b] = true;
        let mut stack: Vec<(usize, usize)> = vec![(b, 0)];
        while let Some(&(node, i)) = stack.last() {
            if node == a && i == 0 {
                out.push(stack.iter().rev().map(|e| e.0).collect());
            }
            let preds = pred[node].as_deref().unwrap_or(&[]);
            if i < preds.len() {
                if let Some(top) = stack.last_mut() {
                    top.1 = i + 1;
                }
                let nx = preds[i];
                if on_stack[nx] {
                    continue;
                }
                on_stack[nx] = true;
                stack.push((nx, 0));
            } else {
                on_stack[node] = false;
                stack.pop();
            }
        }
        out
    }

    /// The links along the first shortest path from `a` to `b` (empty for `a == b`).
    pub fn path_links(&self, a: usize, b: usize) -> Vec<usize> {
        let paths = self.all_shortest_paths(a, b);
        let Some(p) = paths.first() else { return Vec::new() };
        p.windows(2).filter_map(|w| self.pair_link(w[0], w[1])).collect()
    }

    /// Whether two distinct cores are in one memory-sharing group (their top memories are one instance).
    pub fn shares_top_memory(&self, a: usize, b: usize) -> bool {
        a != b && self.cores[a].shared_mem_group_id == self.cores[b].shared_mem_group_id
    }
}

/// Total weight (`I2`) capacity of the compute cores in bits: the sum of the top `I2` memory
/// sizes of every core except the off-chip one (used to form fused layer stacks).
pub fn total_weight_capacity(acc: &StreamAccelerator) -> u64 {
    acc.cores
        .iter()
        .filter(|c| c.id != acc.offchip_core_id)
        .filter_map(|c| c.top_memory_of(MemOperand::I2).map(|m| c.accelerator.memories[m].size))
        .sum()
}
