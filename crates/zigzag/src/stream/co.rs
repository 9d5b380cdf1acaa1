//! Stream's constraint-optimisation allocation (`--allocator co`, chosen automatically when a
//! mapping has a `*` inter-core tiling): per stack the steady state, the solver status, the
//! objective and the resolved split and cores per layer; the re-tiled, re-costed run to
//! schedule; the mapping with every layer's split and cores fixed (`co_mapping.yaml`).

use serde_json::{Value, json};
use std::fmt::Write as _;
use zz_inputs::stream::read_stream_mapping_str;
use zz_ir::stream::mapping::TilingFactor;
use zz_stream::co::milp::Status;
use zz_stream::co::{CoOptions, CoResult};
use zz_stream::pipeline::{self, CoPrepared, Prepared, SchedulingOrder};

use super::StreamRun;
use crate::{Error, Result, StreamFailure};

/// A constraint-optimisation allocation and the run it produced.
pub struct CoRun {
    /// The re-tiled, re-costed run to schedule (fixed cores, `latency_total1` runtimes).
    pub run: StreamRun,
    co: CoPrepared,
    /// Per stack, the steady-state CNs `(layer, sub id)` of the run before re-tiling.
    pub steady_state_cns: Vec<Vec<(usize, usize)>>,
}

impl StreamRun {
    /// Allocates with constraint optimisation and re-tiles / re-costs the workload with the
    /// chosen splits and cores.
    pub fn allocate_co(self, opts: &CoOptions) -> Result<CoRun> {
        let StreamRun { prep, files, resolver, cn, cost } = self;
        let popts = pipeline::PrepareOptions { cn: cn.clone(), cost: cost.clone() };
        let co = pipeline::prepare_co_from(&popts, prep, opts).map_err(|e| Error::Stream {
            context: files.mapping_label.clone(),
            message: e.to_string(),
            hint: Some("check the layer stacks and the mapping's core_allocation"),
            kind: StreamFailure::ConstraintOptimisation,
        })?;
        let steady_state_cns = co.steady_state_cns.clone();
        let run = StreamRun { prep: co.prepared.clone(), files, resolver, cn, cost };
        Ok(CoRun { run, co, steady_state_cns })
    }
}

impl CoRun {
    /// Stream's scheduling order of the re-tiled CNs (the unrolled slot table).
    pub fn order(&self) -> SchedulingOrder {
        self.co.order.clone()
    }

    /// Terminal lines of the allocation: per stack the steady state, the MILP and the
    /// predicted latency, then each layer's split and cores.
    pub fn summary(&self) -> String {
        summary(&self.co)
    }

    /// The `co` object of the JSON report.
    pub fn report_json(&self) -> Value {
        report(&self.co, &self.steady_state_cns)
    }

    /// `co_mapping.yaml`: the mapping with every layer's resolved split and cores (a fixed
    /// allocation, re-runnable with `--allocator fixed`).
    pub fn mapping_yaml(&self) -> Result<String> {
        mapping_yaml(&self.run.files, &self.co)
    }
}

fn layer_name(prep: &Prepared, l: usize) -> String {
    prep.graph.layer_by_id(l).map(|t| t.name.clone()).unwrap_or_else(|| format!("layer {l}"))
}

/// Terminal lines of the allocation.
fn summary(co: &CoPrepared) -> String {
    let mut s = String::new();
    let r: &CoResult = &co.co;
    let prep = &co.prepared;
    if let Some(stacks) = &co.restacked {
        let _ = writeln!(
            s,
            "CO layer stacks: Stream's automatic stacks include one that constraint optimisation cannot allocate (several sink layers, a layer without steady-state CNs, or more steady-state CNs than --co-auto-stack-cns / --co-max-cns); beyond the reference, cut into the longest stacks it can take: {stacks:?} (--layer-stacks chooses them)"
        );
    }
    for (i, st) in r.stacks.iter().enumerate() {
        let uniq = match st.unique {
            Some(true) => ", unique optimum",
            Some(false) => ", optimum not unique (see --co-tie-break; replay another with --allocation)",
            None => "",
        };
        let status = match st.status {
            Status::Optimal => "Optimal".to_string(),
            Status::NodeLimit => format!(
                "not proven optimal: node limit {} reached (gap to the lower bound {:.1} %; deterministic, --co-node-limit raises it)",
                st.node_limit,
                100.0 * st.gap
            ),
            Status::TimeLimit => format!(
                "not proven optimal: time limit reached (gap to the lower bound {:.1} %; this allocation depends on the machine's speed: raise --co-time-limit or lower --co-node-limit so that the node limit decides)",
                100.0 * st.gap
            ),
        };
        let _ = writeln!(
            s,
            "CO stack {i} {:?}: {} steady-state CNs x {} iterations ({:.1} % of the MACs); MILP {} vars, {} rows; {status}{uniq}; predicted steady-state latency {} cycles",
            st.ss.stack,
            st.ss.cns.len(),
            st.ss.iterations,
            if st.ss.nb_macs > 0 { 100.0 * st.ss.nb_macs_ss as f64 / st.ss.nb_macs as f64 } else { 0.0 },
            st.model_size.0,
            st.model_size.1,
            st.objective
        );
        if !st.held_splits.is_empty() {
            let _ = writeln!(
                s,
                "    note: the MILP gave layers {:?} (fixed inter-core splits {:?}) another number of cores, where the reference stops (an assertion); beyond the reference, solved again with those layers held to their splits",
                st.held_splits.iter().map(|x| x.0).collect::<Vec<_>>(),
                st.held_splits.iter().map(|x| x.1).collect::<Vec<_>>()
            );
        }
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
fn report(co: &CoPrepared, pre_graph_ids: &[Vec<(usize, usize)>]) -> Value {
    let stacks: Vec<Value> = co
        .co
        .stacks
        .iter()
        .zip(pre_graph_ids)
        .map(|(st, ids)| {
            json!({
                "stack": st.ss.stack,
                "status": format!("{:?}", st.status),
                "gap": st.gap,
                "node_limit": st.node_limit,
                "objective": st.objective,
                "predicted_steady_state_latency": st.predicted,
                "formula": st.formula,
                "unique_optimum": st.unique,
                "held_splits": st.held_splits.iter().map(|(l, k)| json!({"layer": l, "split": k})).collect::<Vec<_>>(),
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
    json!({"stacks": stacks, "co_allocation": alloc, "scheduling_order": co.co.order, "restacked_layer_stacks": co.restacked})
}

/// The mapping with every layer's resolved split and cores (a fixed allocation).
fn mapping_yaml(files: &super::inputs::Files, co: &CoPrepared) -> Result<String> {
    let mapping_label = &files.mapping_label;
    let bad = |e: String| Error::Other(format!("{mapping_label}: {e}"));
    let (mapping, _) = files.read_mapping().map_err(|e| bad(e.to_string()))?;
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
