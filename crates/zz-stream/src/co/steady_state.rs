//! Steady-state CN extraction per layer stack (Stream's `extract_steady_state_per_stack`):
//! the sinks of the stack are walked in `(layer, sub_id)` order, each needing the CNs of its
//! ancestors that no earlier sink needed; sinks with the same count of new CNs per layer form
//! a class, and the class with the most MACs (count × MACs of its first occurrence) is the
//! steady state. Its first occurrence's CN set is what the MILP allocates.

use crate::cn::CnGraph;

use super::CoError;

/// Phase of a sink in the unrolled schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Before the first steady-state sink.
    Warmup,
    /// The first run of consecutive steady-state sinks.
    SteadyState,
    /// After it (a steady-state sink after a break is listed nowhere: reference quirk).
    Cooldown,
}

/// One sink CN of a stack.
#[derive(Clone, Debug, PartialEq)]
pub struct Sink {
    /// CN index.
    pub cn: usize,
    /// Class (index into [`SteadyState::classes`]).
    pub class: usize,
    /// CNs it needs that no earlier sink needed (CN indices, ascending).
    pub new: Vec<usize>,
}

/// The steady state of one layer stack.
#[derive(Clone, Debug, PartialEq)]
pub struct SteadyState {
    /// Layer ids of the stack, as given.
    pub stack: Vec<usize>,
    /// Sinks in `(layer, sub_id)` order.
    pub sinks: Vec<Sink>,
    /// Per class: new CNs per stack layer (stack order, zeros included).
    pub classes: Vec<Vec<(usize, usize)>>,
    /// Per class: number of sinks.
    pub counts: Vec<usize>,
    /// The steady-state class.
    pub class: usize,
    /// The steady-state CNs, sorted by `(layer, sub_id)`.
    pub cns: Vec<usize>,
    /// Number of sinks of the steady-state class.
    pub iterations: usize,
    /// MACs of the stack (Σ count × MACs of each class's first occurrence).
    pub nb_macs: u64,
    /// MACs of the steady-state class.
    pub nb_macs_ss: u64,
}

impl SteadyState {
    /// Sinks per phase, as the reference lists them for unrolling.
    pub fn phases(&self) -> Vec<(usize, Phase)> {
        let ss = self.class;
        let mut out = Vec::new();
        // Warm-up: sinks before the first steady-state sink.
        for s in &self.sinks {
            if s.class == ss {
                break;
            }
            out.push((s.cn, Phase::Warmup));
        }
        // Steady state: the first run.
        let mut in_ss = false;
        for s in &self.sinks {
            if s.class != ss {
                if in_ss {
                    break;
                }
                continue;
            }
            in_ss = true;
            out.push((s.cn, Phase::SteadyState));
        }
        // reference quirk: "seen steady state" is set by the first sink whatever its class, and
        // steady-state sinks after a break are never listed.
        let mut seen = false;
        for s in &self.sinks {
            if s.class != ss && seen {
                out.push((s.cn, Phase::Cooldown));
            } else {
                seen = true;
            }
        }
        out
    }
}

/// MACs of a CN (product of its tile's loop sizes).
pub fn cn_macs(graph: &CnGraph, cn: usize) -> u64 {
    let tl = &graph.layers[graph.cns[cn].layer];
    tl.tile_layer.loop_dims.iter().map(|(_, s)| *s).product()
}

/// Predecessor lists of every CN (deduplicated).
pub fn predecessors(graph: &CnGraph) -> Vec<Vec<usize>> {
    let mut preds = vec![Vec::new(); graph.cns.len()];
    for e in &graph.edges {
        if !preds[e.dst].contains(&e.src) {
            preds[e.dst].push(e.src);
        }
    }
    preds
}

/// Extracts the steady state of `stack`; `None` for a stack without CNs.
pub fn extract(graph: &CnGraph, preds: &[Vec<usize>], stack: &[usize]) -> Result<Option<SteadyState>, CoError> {
    let n = graph.cns.len();
    let in_stack: Vec<bool> = graph.cns.iter().map(|c| stack.contains(&c.id)).collect();
    if !in_stack.iter().any(|&b| b) {
        return Ok(None);
    }
    let mut has_real_succ = vec![false; n];
    for e in &graph.edges {
        if in_stack[e.src] && in_stack[e.dst] && graph.cns[e.src].id != graph.cns[e.dst].id {
            has_real_succ[e.src] = true;
        }
    }
    let mut sinks: Vec<usize> = (0..n).filter(|&i| in_stack[i] && !has_real_succ[i]).collect();
    sinks.sort_by_key(|&i| (graph.cns[i].id, graph.cns[i].sub_id));
    let mut sink_layers: Vec<usize> = sinks.iter().map(|&i| graph.cns[i].id).collect();
    sink_layers.dedup();
    if sink_layers.len() != 1 {
        return Err(CoError::Stack {
            stack: stack.to_vec(),
            message: format!(
                "the stack has {} output layers ({sink_layers:?}); constraint optimisation needs exactly one sink layer per stack (the reference asserts this): split the stack with --layer-stacks",
                sink_layers.len()
            ),
        });
    }
    let mut computed = vec![false; n];
    let mut classes: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    let mut firsts: Vec<Vec<usize>> = Vec::new();
    let mut out_sinks = Vec::new();
    let mut mark = vec![false; n];
    let mut stackv = Vec::new();
    for &s in &sinks {
        // Ancestors inside the stack's sub-graph, plus the sink.
        let mut needed = vec![s];
        mark[s] = true;
        stackv.push(s);
        while let Some(x) = stackv.pop() {
            for &p in &preds[x] {
                if in_stack[p] && !mark[p] {
                    mark[p] = true;
                    needed.push(p);
                    stackv.push(p);
                }
            }
        }
        let mut new: Vec<usize> = needed.iter().copied().filter(|&x| !computed[x]).collect();
        new.sort_unstable();
        for &x in &needed {
            mark[x] = false;
            computed[x] = true;
        }
        let sig: Vec<(usize, usize)> =
            stack.iter().map(|&l| (l, new.iter().filter(|&&x| graph.cns[x].id == l).count())).collect();
        let class = match classes.iter().position(|c| *c == sig) {
            Some(k) => {
                counts[k] += 1;
                k
            }
            None => {
                classes.push(sig);
                counts.push(1);
                firsts.push(new.clone());
                classes.len() - 1
            }
        };
        out_sinks.push(Sink { cn: s, class, new });
    }
    let scaled: Vec<u64> = firsts
        .iter()
        .zip(&counts)
        .map(|(f, &c)| f.iter().map(|&x| cn_macs(graph, x)).sum::<u64>() * c as u64)
        .collect();
    let total: u64 = scaled.iter().sum();
    let max = scaled.iter().copied().max().unwrap_or(0);
    let class = scaled.iter().position(|&v| v == max).unwrap_or(0);
    let first_sink = out_sinks.iter().find(|s| s.class == class).expect("a sink of every class");
    let mut cns = first_sink.new.clone();
    cns.sort_by_key(|&i| (graph.cns[i].id, graph.cns[i].sub_id));
    Ok(Some(SteadyState {
        stack: stack.to_vec(),
        sinks: out_sinks,
        iterations: counts[class],
        classes,
        counts,
        class,
        cns,
        nb_macs: total,
        nb_macs_ss: max,
    }))
}
