//! `stream --allocator co`: Stream's constraint-optimisation allocation (chosen automatically
//! when a mapping has a `*` inter-core tiling). Prints and reports per stack the steady state,
//! the solver status, the objective and the resolved split and cores per layer; `--output`
//! adds `co_mapping.yaml`, the mapping with every layer's split and cores fixed.

use std::fmt::Write as _;

use clap::Args;
use serde_json::{Value, json};
use zz_inputs::stream::{read_stream_mapping, read_stream_mapping_str};
use zz_ir::stream::mapping::TilingFactor;
use zz_stream::co::{CoOptions, CoResult, TieBreak};
use zz_stream::pipeline::{CoPrepared, Prepared};

use super::StreamArgs;
use crate::Failure;

/// Allocator options.
#[derive(Args, Debug)]
pub struct CoArgs {
    /// Layer–core allocator: co (constraint optimisation), ga (genetic algorithm) or fixed (the
    /// mapping and --allocation only). Default: co when a mapping has a `*` inter-core tiling, else ga
    /// for layers the mapping leaves open.
    #[arg(long)]
    pub allocator: Option<String>,
    /// Time limit of each constraint-optimisation MILP solve, seconds (the reference's 600).
    #[arg(long, default_value_t = 600.0)]
    pub co_time_limit: f64,
    /// Among equally good CO solutions: first (HiGHS's first proven optimum, deterministic) or
    /// fewest-lowest (fewest (CN, core) assignments, then lowest core ids; one more solve per stack).
    /// Identical cores are always used in lexicographic order; whether the optimum is unique is reported.
    #[arg(long, default_value = "first")]
    pub co_tie_break: String,
    /// Largest steady-state CN set per stack the CO MILP is built for (memory and time grow with
    /// its cube); larger stacks stop with a message.
    #[arg(long, default_value_t = 64)]
    pub co_max_cns: usize,
}

/// Which allocator runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allocator {
    /// Constraint optimisation.
    Co,
    /// Genetic algorithm for open layers.
    Ga,
    /// Nothing open may remain.
    Fixed,
}

/// The allocator to use for a prepared workload.
pub fn choose(args: &StreamArgs, prep: &Prepared) -> Result<Allocator, Failure> {
    let wildcard = zz_stream::pipeline::has_wildcard(&prep.graph);
    match args.co.allocator.as_deref() {
        Some("co") => Ok(Allocator::Co),
        Some("ga") | Some("fixed") if wildcard => Err(Failure::input(format!(
            "{}: a layer has a `*` inter-core tiling, which only the constraint optimiser resolves\nhint: use --allocator co (the default for such mappings), or replace `*` by a number of tiles (e.g. `K, 1`)",
            args.inputs.mapping.display()
        ))),
        Some("ga") => Ok(Allocator::Ga),
        Some("fixed") => Ok(Allocator::Fixed),
        Some(other) => Err(Failure::input(format!("--allocator: expected co, ga or fixed, got `{other}`"))),
        None if wildcard => {
            if !args.quiet {
                eprintln!(
                    "note: {} has a `*` inter-core tiling: using the constraint-optimisation allocator (--allocator co)",
                    args.inputs.mapping.display()
                );
            }
            Ok(Allocator::Co)
        }
        None => Ok(Allocator::Ga),
    }
}

/// `--allocation '{"layer": [cores], ...}'` for a CO replay.
fn replay(args: &StreamArgs) -> Result<Option<Vec<(usize, Vec<usize>)>>, Failure> {
    let Some(s) = &args.inputs.allocation else { return Ok(None) };
    let v = super::json_arg(s)?;
    let v = v.get("co_allocation").cloned().unwrap_or(v);
    let obj = v.as_object().ok_or_else(|| Failure::input(format!("--allocation: expected a JSON object, got {v}")))?;
    let mut out = Vec::new();
    for (k, cores) in obj {
        let l: usize = k.trim().parse().map_err(|_| {
            Failure::input(format!("--allocation: with --allocator co every key is a layer id, got `{k}`"))
        })?;
        let list = match cores {
            Value::Array(a) => a.iter().map(|x| x.as_u64().map(|c| c as usize)).collect::<Option<Vec<usize>>>(),
            Value::Number(n) => n.as_u64().map(|c| vec![c as usize]),
            _ => None,
        }
        .ok_or_else(|| {
            Failure::input(format!(
                "--allocation: cores of layer `{k}` must be a core id or a list of core ids, got {cores}"
            ))
        })?;
        let mut list = list;
        list.sort_unstable();
        list.dedup();
        out.push((l, list));
    }
    Ok(Some(out))
}

/// The CO options of the command line.
pub fn options(args: &StreamArgs) -> Result<CoOptions, Failure> {
    let tie_break = match args.co.co_tie_break.as_str() {
        "first" => TieBreak::First,
        "fewest-lowest" => TieBreak::FewestLowest,
        other => return Err(Failure::input(format!("--co-tie-break: expected first or fewest-lowest, got `{other}`"))),
    };
    if !(args.co.co_time_limit > 0.0) {
        return Err(Failure::input(format!(
            "--co-time-limit: expected a positive number of seconds, got {}",
            args.co.co_time_limit
        )));
    }
    Ok(CoOptions { time_limit: args.co.co_time_limit, tie_break, replay: replay(args)?, max_cns: args.co.co_max_cns })
}

fn layer_name(prep: &Prepared, l: usize) -> String {
    prep.graph.layer_by_id(l).map(|t| t.name.clone()).unwrap_or_else(|| format!("layer {l}"))
}

/// Terminal lines of the allocation.
pub fn summary(co: &CoPrepared) -> String {
    let mut s = String::new();
    let r: &CoResult = &co.co;
    let prep = &co.prepared;
    for (i, st) in r.stacks.iter().enumerate() {
        let uniq = match st.unique {
            Some(true) => ", unique optimum",
            Some(false) => ", optimum not unique (see --co-tie-break; replay another with --allocation)",
            None => "",
        };
        let _ = writeln!(
            s,
            "CO stack {i} {:?}: {} steady-state CNs x {} iterations ({:.1} % of the MACs); MILP {} vars, {} rows; {:?}{uniq}; predicted steady-state latency {} cycles",
            st.ss.stack,
            st.ss.cns.len(),
            st.ss.iterations,
            if st.ss.nb_macs > 0 { 100.0 * st.ss.nb_macs_ss as f64 / st.ss.nb_macs as f64 } else { 0.0 },
            st.model_size.0,
            st.model_size.1,
            st.status,
            st.objective
        );
        for (l, cores) in &st.layer_cores {
            let tiling = co.resolved.iter().find(|x| x.0 == *l).map(|x| x.1.clone()).unwrap_or_default();
            let t: Vec<String> = tiling.iter().map(|(d, k)| format!("{d}, {k}")).collect();
            let _ = writeln!(
                s,
                "    layer {l:>3} {:<40} split [{}] on cores {:?}",
                layer_name(prep, *l),
                t.join("; "),
                cores
            );
        }
    }
    s
}

/// The `co` object of the JSON report.
pub fn report(co: &CoPrepared, pre_graph_ids: &[Vec<(usize, usize)>]) -> Value {
    let stacks: Vec<Value> = co
        .co
        .stacks
        .iter()
        .zip(pre_graph_ids)
        .map(|(st, ids)| {
            json!({
                "stack": st.ss.stack,
                "status": format!("{:?}", st.status),
                "objective": st.objective,
                "predicted_steady_state_latency": st.predicted,
                "formula": st.formula,
                "unique_optimum": st.unique,
                "steady_state_cns": ids,
                "iterations": st.ss.iterations,
                "nb_macs": st.ss.nb_macs,
                "nb_macs_in_steady_state": st.ss.nb_macs_ss,
                "milp_variables": st.model_size.0,
                "milp_rows": st.model_size.1,
                "solve_seconds": st.solve_seconds,
                "steady_state_slots": st.table.iter().map(|(s, c, (l, sub), rt)| json!({"slot": s, "core": c, "cn": [l, sub], "runtime": rt})).collect::<Vec<_>>(),
                "layers": st.layer_cores.iter().map(|(l, cores)| {
                    let tiling = co.resolved.iter().find(|x| x.0 == *l).map(|x| x.1.clone()).unwrap_or_default();
                    json!({"layer": l, "name": layer_name(&co.prepared, *l), "inter_core_tiling": tiling.iter().map(|(d, k)| json!([d, k])).collect::<Vec<_>>(), "cores": cores})
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let alloc: serde_json::Map<String, Value> =
        co.co.layer_cores.iter().map(|(l, c)| (l.to_string(), json!(c))).collect();
    json!({"stacks": stacks, "co_allocation": alloc, "scheduling_order": co.co.order})
}

/// The mapping with every layer's resolved split and cores (a fixed allocation).
pub fn mapping_yaml(args: &StreamArgs, co: &CoPrepared) -> Result<String, Failure> {
    let bad = |e: String| Failure::other(format!("{}: {e}", args.inputs.mapping.display()));
    let (mapping, _) = read_stream_mapping(&args.inputs.mapping).map_err(|e| bad(e.to_string()))?;
    let prep = &co.prepared;
    let mut s = String::from(
        "# Layer splits and cores chosen by `zigzag-rs stream --allocator co` (constraint optimisation):\n\
         # every layer's inter-core tiling and cores are fixed, so this file runs without an allocator.\n",
    );
    for e in &mapping.entries {
        let mut e = e.clone();
        if e.inter_core_tiling.iter().any(|(_, f)| *f == TilingFactor::Wildcard) {
            // Unused by the layers below, but `*` would select the optimiser again.
            e.inter_core_tiling = e.inter_core_tiling.iter().map(|(d, _)| (d.clone(), TilingFactor::N(1))).collect();
        }
        s.push_str(&super::ga::entry_yaml(&e, &e.name, &e.core_allocation));
    }
    let mut names: Vec<String> = Vec::new();
    for (l, tiling, cores) in &co.resolved {
        let Some(tl) = prep.graph.layer_by_id(*l) else { continue };
        let node = &prep.workload.nodes[tl.node];
        if names.contains(&node.name) {
            continue;
        }
        names.push(node.name.clone());
        let mut e = mapping.entry_for(&node.name, &node.operator_type).clone();
        e.inter_core_tiling = tiling.iter().map(|(d, k)| (d.clone(), TilingFactor::N(*k))).collect();
        if e.intra_core_tiling.is_empty() {
            e.intra_core_tiling = mapping.default_entry().intra_core_tiling.clone();
        }
        s.push_str(&super::ga::entry_yaml(&e, &node.name, cores));
    }
    read_stream_mapping_str("co_mapping.yaml", &s).map_err(|e| bad(format!("resolved mapping: {e}")))?;
    Ok(s)
}
