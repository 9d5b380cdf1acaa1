//! Constraint-optimisation (CO) layer–core allocation of classic Stream
//! (`optimize_allocation_co`, commit 21e5ad80), licence-free.
//!
//! Per layer stack: the steady-state CN set ([`steady_state`]), one MILP over its split, core and
//! slot choices minimising the predicted steady-state latency ([`milp`], solved with HiGHS),
//! and the predicted latency of the solution's slot table. Then all stacks are unrolled into
//! one slot table, which gives Stream's scheduling order and each layer's core set
//! ([`unroll`]); the caller re-tiles the workload with those splits and schedules it.
//!
//! Ties: the MILP often has several optima. Identical cores are used in lexicographic order
//! (symmetry breaking, which also makes the solves fast); [`TieBreak::First`] (the default)
//! keeps HiGHS's first proven optimum (one thread, fixed seed: deterministic), and
//! [`TieBreak::FewestLowest`] re-solves with the optimum fixed for the fewest (CN, core)
//! assignments, then the lowest core ids. A last solve with the chosen core sets excluded tells
//! whether another allocation (other than a permutation of identical cores) reaches the same
//! objective ([`StackResult::unique`]). A given solution
//! (per-layer core sets) can be replayed with [`CoOptions::replay`].
//!
//! Limits: each solve starts from [`start`]'s allocation and stops at a deterministic node
//! limit ([`auto_node_limit`] unless given) or the time limit, whichever comes first; a stack
//! stopped by a limit keeps the best allocation found and reports its status and gap.

pub mod milp;
pub mod start;
pub mod steady_state;
pub mod unroll;

use crate::cn::CnGraph;
use crate::cost::CostTable;
use milp::{MilpInput, SolveFailure, Status};
use steady_state::SteadyState;
use unroll::SlotTable;
use zz_ir::accelerator::MemOperand;
use zz_ir::stream::accelerator::StreamAccelerator;

/// CO failures.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CoError {
    /// A stack that the reference cannot allocate either.
    #[error("layer stack {stack:?}: {message}")]
    Stack {
        /// Layer ids.
        stack: Vec<usize>,
        /// What is wrong and what to do.
        message: String,
    },
    /// The model cannot be built.
    #[error("constraint optimisation: {0}")]
    Model(String),
    /// The model has no solution.
    #[error("layer stack {stack:?}: the allocation MILP is infeasible: {reason}")]
    Infeasible {
        /// Layer ids.
        stack: Vec<usize>,
        /// The constraint family and resource at fault.
        reason: String,
    },
    /// The solver failed.
    #[error("layer stack {stack:?}: the MILP solver stopped without a solution ({status})")]
    Solver {
        /// Layer ids.
        stack: Vec<usize>,
        /// Solver status.
        status: String,
    },
    /// A replayed solution is not usable.
    #[error("replayed allocation: {0}")]
    Replay(String),
}

/// How an optimum is chosen among equal ones. In both cases cores that are identical for the
/// model are used in lexicographic order of their CN sets (earlier CNs on lower ids).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TieBreak {
    /// The first optimum HiGHS proves (deterministic: one thread, fixed seed).
    #[default]
    First,
    /// Fewest (CN, core) assignments, then lowest core ids (one more solve per stack).
    FewestLowest,
}

/// Options of the CO allocator.
#[derive(Clone, Debug, PartialEq)]
pub struct CoOptions {
    /// Time limit of each MILP solve, seconds (the reference's 600).
    pub time_limit: f64,
    /// Branch-and-bound node limit of each MILP solve (deterministic, unlike the time limit);
    /// `None`: [`auto_node_limit`] of the model's size.
    pub node_limit: Option<u64>,
    /// Tie-breaking rule.
    pub tie_break: TieBreak,
    /// Replay: a core set per layer id instead of the optimiser's choice.
    pub replay: Option<Vec<(usize, Vec<usize>)>>,
    /// Largest steady-state CN set a MILP is built for (beyond it: an error naming the stack).
    pub max_cns: usize,
    /// Beyond the reference: when Stream's automatic fused stacks are used, the largest
    /// steady-state CN set a stack keeps before it is cut (the MILP's solve time grows steeply
    /// with it; Stream's quick start peaks at 14).
    pub auto_stack_cns: usize,
}

impl Default for CoOptions {
    fn default() -> Self {
        CoOptions {
            time_limit: 600.0,
            node_limit: None,
            tie_break: TieBreak::First,
            replay: None,
            max_cns: 64,
            auto_stack_cns: 16,
        }
    }
}

/// The result of one stack.
#[derive(Clone, Debug, PartialEq)]
pub struct StackResult {
    /// The steady state.
    pub ss: SteadyState,
    /// The MILP's constants.
    pub input: MilpInput,
    /// Variables and constraints of the linear model.
    pub model_size: (usize, usize),
    /// Solver status of the chosen solution.
    pub status: Status,
    /// MILP objective (predicted steady-state latency, cycles).
    pub objective: i64,
    /// The predicted latency recomputed from the slot table (`calculate_total_latency`).
    pub predicted: i64,
    /// `it·T − (it−1)·overlap` with the numbers.
    pub formula: String,
    /// Steady-state slot table `(slot, core, (layer, sub_id), runtime)`.
    pub table: Vec<(usize, usize, (usize, usize), i64)>,
    /// Core set per layer of the stack (ascending ids), layers ascending.
    pub layer_cores: Vec<(usize, Vec<usize>)>,
    /// Whether no other core assignment reaches the objective (`None`: not checked).
    pub unique: Option<bool>,
    /// Seconds spent in the solver.
    pub solve_seconds: f64,
    /// Node limit of each solve of this stack.
    pub node_limit: u64,
    /// Relative gap of the chosen solution to the solver's lower bound (0 when proven optimal).
    pub gap: f64,
    /// Layers with a fixed inter-core split that the reference's MILP gave another number of
    /// cores (the reference then stops on an assertion); beyond the reference they are held to
    /// their split and the stack solved again: `(layer id, split)`.
    pub held_splits: Vec<(usize, u64)>,
}

/// The result of the CO allocation.
#[derive(Clone, Debug, PartialEq)]
pub struct CoResult {
    /// Per non-empty stack.
    pub stacks: Vec<StackResult>,
    /// The unrolled slot table.
    pub table: SlotTable,
    /// Scheduling order of the re-tiled workload.
    pub order: Vec<(usize, usize)>,
    /// Core set per layer (all stacks), ascending layer id.
    pub layer_cores: Vec<(usize, Vec<usize>)>,
}

fn infeasible_reason(inp: &MilpInput, graph: &CnGraph) -> String {
    // A layer that fits no core: its weights (split over as many cores as it may use) exceed
    // every allowed core's capacity.
    for g in &inp.groups {
        let k0 = g[0];
        let w = inp.weights[k0];
        let ncores = inp.split_ok[k0].iter().filter(|v| v[0]).count().max(1) as u64;
        let fits = (0..inp.cores.len()).any(|c| inp.split_ok[k0][c][0] && (w.div_ceil(ncores) as f64) <= inp.caps[c]);
        if w > 0 && !fits {
            let name = &graph.layers[graph.cns[inp.nodes[k0]].layer].name;
            return format!(
                "core capacity: the weights of layer {} ({name}, {w} bits) fit the I2 top memory of none of its cores {:?} even split over all of them (capacities {:?} bits); give it more cores or a larger weight memory",
                inp.ids[k0].0,
                (0..inp.cores.len()).filter(|&c| inp.split_ok[k0][c][0]).map(|c| inp.cores[c]).collect::<Vec<_>>(),
                inp.caps
            );
        }
        if !inp.split_ok[k0].iter().any(|v| v[0]) {
            return format!("allowed cores: layer {} has no core with a cost (check core_allocation)", inp.ids[k0].0);
        }
    }
    "core capacity: the weights of the steady-state layers together exceed the I2 top memories of the cores (cap per core: {:?}); use more cores, smaller stacks or larger weight memories"
        .replace("{:?}", &format!("{:?}", inp.caps))
}

fn round(v: f64) -> i64 {
    v.round() as i64
}

/// Runs the CO allocation on a CN graph whose `*` inter-core tilings are unsplit.
pub fn allocate(
    graph: &CnGraph,
    costs: &CostTable,
    acc: &StreamAccelerator,
    opts: &CoOptions,
) -> Result<CoResult, CoError> {
    let preds = steady_state::predecessors(graph);
    let mut stacks = Vec::new();
    for stack in &graph.layer_stacks {
        let Some(ss) = steady_state_for_co(graph, &preds, stack, acc, opts.max_cns)? else { continue };
        let input = milp::constants(graph, costs, acc, &ss.cns, ss.iterations)?;
        let mut st = solve_stack(graph, ss.clone(), input.clone(), opts)?;
        let mismatched = split_mismatches(graph, &st);
        if !mismatched.is_empty() && opts.replay.is_none() {
            // Beyond the reference: it asserts that the MILP's core count equals a layer's fixed
            // split (and stops); here the model is solved again with those layers held to it.
            let input = hold_splits(graph, input, &mismatched, stack)?;
            st = solve_stack(graph, ss, input, opts)?;
            st.held_splits = mismatched;
        }
        stacks.push(st);
    }
    let cores_of = |si: usize, layer: usize| -> Vec<usize> {
        stacks[si].layer_cores.iter().find(|(l, _)| *l == layer).map(|(_, c)| c.clone()).unwrap_or_default()
    };
    let sss: Vec<SteadyState> = stacks.iter().map(|s| s.ss.clone()).collect();
    let table = unroll::unroll(graph, &preds, &sss, &cores_of)?;
    let mut layer_cores: Vec<(usize, Vec<usize>)> = stacks.iter().flat_map(|s| s.layer_cores.clone()).collect();
    layer_cores.sort();
    let nb = |l: usize| layer_cores.iter().find(|(x, _)| *x == l).map_or(1, |(_, c)| c.len());
    let order = unroll::scheduling_order(graph, &table, &nb);
    Ok(CoResult { stacks, table, order, layer_cores })
}

/// The steady state of one stack, checked for what the CO MILP needs: one sink layer (the
/// reference asserts it), a CN of every layer in it (the reference drops a layer without one),
/// and at most `max_cns` CNs (the model grows with their cube).
pub fn steady_state_for_co(
    graph: &CnGraph,
    preds: &[Vec<usize>],
    stack: &[usize],
    acc: &StreamAccelerator,
    max_cns: usize,
) -> Result<Option<SteadyState>, CoError> {
    let Some(ss) = steady_state::extract(graph, preds, stack)? else { return Ok(None) };
    // A layer without steady-state CNs gets no core (the reference drops it): fail before solving.
    for &l in stack {
        let has_cns = graph.cns.iter().any(|c| c.id == l);
        if has_cns && !ss.cns.iter().any(|&i| graph.cns[i].id == l) {
            return Err(CoError::Stack {
                stack: stack.to_vec(),
                message: format!(
                    "layer {l} has no CN in the steady state, so the reference gives it no core (and drops it from the schedule); give that layer its own stack (--layer-stacks)"
                ),
            });
        }
    }
    if ss.cns.len() > max_cns {
        return Err(CoError::Stack {
            stack: stack.to_vec(),
            message: format!(
                "its steady state has {} CNs; the MILP would have about {} variables (limit --co-max-cns {}): use smaller layer stacks (--layer-stacks; Stream's quick start uses stacks of at most 12 layers) or raise the limit",
                ss.cns.len(),
                (acc.cores.len() - 1) * ss.cns.len() * ss.cns.len(),
                max_cns
            ),
        });
    }
    if !weights_may_fit(graph, &ss, acc) {
        return Err(CoError::Infeasible {
            stack: stack.to_vec(),
            reason: "core capacity: the weights of the steady-state layers exceed the I2 top memories of all the cores they may use together; use more cores, smaller stacks or larger weight memories".into(),
        });
    }
    Ok(Some(ss))
}

/// A necessary condition of the MILP's capacity constraints (`Σ_c w_core[c] ≥ Σ_layers w`, each
/// layer's weights on cores it may use): the layers' weights fit the I2 top memories of the
/// union of their cores. The reference lifts the capacities for a single steady-state CN.
fn weights_may_fit(graph: &CnGraph, ss: &SteadyState, acc: &StreamAccelerator) -> bool {
    if ss.cns.len() <= 1 {
        return true;
    }
    let mut total: u64 = 0;
    let mut cores: Vec<usize> = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for &i in &ss.cns {
        let c = &graph.cns[i];
        if seen.contains(&c.layer) {
            continue;
        }
        seen.push(c.layer);
        let tl = &graph.layers[c.layer];
        total += c
            .tensors
            .iter()
            .filter(|t| t.operand == "W" && tl.constant_operands.contains(&t.operand))
            .map(|t| t.size_bits)
            .sum::<u64>();
        for &k in &tl.possible_core_allocation {
            if !cores.contains(&k) {
                cores.push(k);
            }
        }
    }
    let cap: f64 = cores
        .iter()
        .filter(|&&k| k != acc.offchip_core_id)
        .filter_map(|&k| acc.cores.iter().find(|c| c.id == k))
        .map(|core| {
            let top = core.accelerator.memories.iter().rev().find(|m| m.operands.contains(&MemOperand::I2));
            top.map_or(0.0, |m| m.size as f64)
        })
        .sum();
    total as f64 <= cap
}

/// Layers of a solved stack with a fixed (integer) inter-core split whose core count differs
/// from the split: `(layer id, split)`.
fn split_mismatches(graph: &CnGraph, st: &StackResult) -> Vec<(usize, u64)> {
    st.layer_cores
        .iter()
        .filter_map(|(l, cores)| {
            let tl = graph.layer_by_id(*l)?;
            if tl.inter_core_tiling.iter().any(|(_, f)| f.is_none()) {
                return None;
            }
            let k: u64 = tl.inter_core_tiling.iter().map(|(_, f)| f.unwrap_or(1)).product();
            (k != cores.len() as u64).then_some((*l, k))
        })
        .collect()
}

/// The MILP's constants with the CNs of the `held` layers allowed only their fixed split.
fn hold_splits(
    graph: &CnGraph,
    mut input: MilpInput,
    held: &[(usize, u64)],
    stack: &[usize],
) -> Result<MilpInput, CoError> {
    for i in 0..input.nodes.len() {
        let Some(&(l, k)) = held.iter().find(|(l, _)| *l == input.ids[i].0) else { continue };
        let possible = input.split_ok[i].iter().filter(|ok| ok.first().copied().unwrap_or(false)).count() as u64;
        if k > possible {
            let name = graph.layer_by_id(l).map(|t| t.name.as_str()).unwrap_or("?");
            return Err(CoError::Stack {
                stack: stack.to_vec(),
                message: format!(
                    "layer {l} ({name}): its inter-core tiling splits it {k} ways but only {possible} cores of its core_allocation can run it: lower the split, use `*`, or allow more cores"
                ),
            });
        }
        for ok_c in input.split_ok[i].iter_mut() {
            for (p, ok) in ok_c.iter_mut().enumerate() {
                *ok &= p as u64 + 1 == k;
            }
        }
    }
    Ok(input)
}

/// Beyond the reference (which has only Gurobi's 600 s time limit): the default node limit of
/// one solve, a deterministic work budget (so the result does not depend on the machine) of
/// [`AUTO_NODE_WORK`] / columns² nodes (a node's LPs grow with the model), at least
/// [`AUTO_NODE_MIN`]. Every stack of the reference's fixtures and of the quick start is proven
/// optimal well within it; on models too large for that, the starting allocation
/// ([`start`]) is already close to what more nodes would find.
pub fn auto_node_limit(columns: usize) -> u64 {
    let c = columns.max(1) as u64;
    (AUTO_NODE_WORK / c / c).max(AUTO_NODE_MIN)
}

/// Work budget of [`auto_node_limit`] (nodes · columns²).
pub const AUTO_NODE_WORK: u64 = 30_000_000_000;
/// Smallest [`auto_node_limit`].
pub const AUTO_NODE_MIN: u64 = 100;

fn solve_stack(graph: &CnGraph, ss: SteadyState, input: MilpInput, opts: &CoOptions) -> Result<StackResult, CoError> {
    let t0 = std::time::Instant::now();
    let stack = ss.stack.clone();
    let replay: Option<Vec<(usize, Vec<usize>)>> = opts.replay.clone();
    let (mut model, vars) = milp::build(&input, replay.as_deref())?;
    let model_size = (model.cols.len(), model.rows.len());
    let fail = |e: SolveFailure| match e {
        SolveFailure::Infeasible if replay.is_some() => CoError::Replay(format!(
            "the given core sets are infeasible for stack {stack:?} (a layer on a core it may not use, a split larger than its cores, or weights above a core's capacity)"
        )),
        SolveFailure::Infeasible => {
            CoError::Infeasible { stack: stack.clone(), reason: infeasible_reason(&input, graph) }
        }
        SolveFailure::NoSolution(s) | SolveFailure::Other(s) => CoError::Solver { stack: stack.clone(), status: s },
    };
    let limits = milp::Limits {
        time: opts.time_limit,
        nodes: Some(opts.node_limit.unwrap_or_else(|| auto_node_limit(model.cols.len()))),
    };
    let start = if replay.is_none() { start::start_solution(&input, &vars, model.cols.len()) } else { None };
    let first = milp::solve_highs(&model, limits, start.as_ref().map(|x| x.0.as_slice())).map_err(fail)?;
    let mut node_counts = vec![first.nodes];
    let mut phases = vec![t0.elapsed().as_secs_f64()];
    let objective = round(first.values[vars.total_lat]);
    let mut chosen = first.clone();
    let mut unique = None;
    let n = input.nodes.len();
    let nc = input.cores.len();
    if replay.is_none() && first.status == Status::Optimal {
        // Fix the optimum.
        model.rows.push(milp::Row {
            family: "optimum",
            lo: f64::NEG_INFINITY,
            hi: objective as f64 + 0.5,
            coefs: vec![(vars.total_lat, 1.0)],
        });
        model.cols[vars.total_lat].cost = 0.0;
        if opts.tie_break == TieBreak::FewestLowest {
            // Prefer few assignments, then low core ids.
            let mut rank: Vec<usize> = (0..nc).collect();
            rank.sort_by_key(|&c| input.cores[c]);
            let big = (n * nc * nc + 1) as f64;
            for (r, &c) in rank.iter().enumerate() {
                for i in 0..n {
                    model.cols[vars.core_asgn[c][i]].cost = big + r as f64;
                }
            }
            if let Ok(s) = milp::solve_highs(&model, limits, Some(&first.values)) {
                node_counts.push(s.nodes);
                if s.status == Status::Optimal {
                    chosen = s;
                }
            }
            phases.push(t0.elapsed().as_secs_f64());
        }
        // Another core assignment (not a permutation of identical cores) with the same objective?
        let mut cut = Vec::new();
        let mut ones = 0.0;
        for c in 0..nc {
            for i in 0..n {
                let x = vars.core_asgn[c][i];
                if chosen.values[x] > 0.5 {
                    cut.push((x, -1.0));
                    ones += 1.0;
                } else {
                    cut.push((x, 1.0));
                }
            }
        }
        model.rows.push(milp::Row { family: "other solution", lo: 1.0 - ones, hi: f64::INFINITY, coefs: cut });
        for c in model.cols.iter_mut() {
            c.cost = 0.0;
        }
        unique = match milp::solve_highs(&model, limits, None) {
            Ok(s) => {
                node_counts.push(s.nodes);
                Some(false)
            }
            Err(SolveFailure::Infeasible) => Some(true),
            Err(_) => None,
        };
        phases.push(t0.elapsed().as_secs_f64());
    }
    if std::env::var_os("ZZ_CO_DEBUG").is_some() {
        eprintln!(
            "co stack {stack:?}: solves done at {phases:?} s, nodes {node_counts:?}, {:?}, start {:?}, objective {objective}",
            chosen.status,
            start.as_ref().map(|x| x.1)
        );
    }
    let sol = &chosen;
    // Slot table and core sets.
    let mut entries: Vec<(usize, usize, usize)> = Vec::new(); // (slot, core index, node)
    for c in 0..nc {
        for s in 0..n {
            for i in 0..n {
                if sol.values[vars.asgn[c][s][i]] > 0.5 {
                    entries.push((s, c, i));
                }
            }
        }
    }
    // reference order: (slot, "Core c", packed id) — core indices are already in string order.
    entries.sort();
    let k_of = |i: usize| entries.iter().filter(|e| e.2 == i).count();
    let mut table: Vec<(usize, usize, (usize, usize), i64)> = Vec::new();
    // Grouped per node in order of first appearance (get_steady_state_allocation_list).
    let mut node_order: Vec<usize> = Vec::new();
    for e in &entries {
        if !node_order.contains(&e.2) {
            node_order.push(e.2);
        }
    }
    for &i in &node_order {
        let k = k_of(i);
        for e in entries.iter().filter(|e| e.2 == i) {
            table.push((e.0, input.cores[e.1], input.ids[i], input.lat[i][e.1][k - 1]));
        }
    }
    let (predicted, formula) = predicted_latency(&table, input.iterations as i64);
    let mut layer_cores: Vec<(usize, Vec<usize>)> = Vec::new();
    for &(_, core, (l, _), _) in &table {
        match layer_cores.iter_mut().find(|(x, _)| *x == l) {
            Some((_, v)) => {
                if !v.contains(&core) {
                    v.push(core)
                }
            }
            None => layer_cores.push((l, vec![core])),
        }
    }
    for (_, v) in layer_cores.iter_mut() {
        v.sort_unstable();
    }
    layer_cores.sort();
    Ok(StackResult {
        ss,
        input,
        model_size,
        status: chosen.status,
        objective,
        predicted,
        formula,
        table,
        layer_cores,
        unique,
        solve_seconds: t0.elapsed().as_secs_f64(),
        node_limit: limits.nodes.unwrap_or(0),
        gap: chosen.gap,
        held_splits: Vec::new(),
    })
}

/// Stream's `calculate_total_latency` of a steady-state slot table.
pub fn predicted_latency(table: &[(usize, usize, (usize, usize), i64)], iterations: i64) -> (i64, String) {
    let smax = table.iter().map(|e| e.0).max().unwrap_or(0);
    let mut tl = vec![0i64; smax + 1];
    for e in table {
        tl[e.0] = tl[e.0].max(e.3);
    }
    let start = |s: usize| tl[..s].iter().sum::<i64>();
    let total: i64 = tl.iter().sum();
    let mut cores: Vec<usize> = table.iter().map(|e| e.1).collect();
    cores.sort_by_key(|c| format!("Core {c}"));
    cores.dedup();
    let mut overlap = i64::MAX;
    for c in cores {
        let on: Vec<&(usize, usize, (usize, usize), i64)> = table.iter().filter(|e| e.1 == c).collect();
        let earliest = on.iter().map(|e| start(e.0)).min().unwrap_or(0);
        let latest = on.iter().map(|e| start(e.0)).max().unwrap_or(0);
        let last = on.iter().find(|e| start(e.0) == latest).map_or(0, |e| e.0);
        overlap = overlap.min(total - (latest + tl[last]) + earliest);
    }
    if overlap == i64::MAX {
        overlap = 0;
    }
    let p = iterations * total - (iterations - 1) * overlap;
    (
        p,
        format!(
            "total_lat = N * T - (N - 1) * overlap --> {p} = {iterations} * {total} - {} * {overlap}",
            iterations - 1
        ),
    )
}
