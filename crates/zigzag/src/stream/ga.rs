//! The genetic-algorithm allocation: when the mapping and the given allocation leave some
//! `(layer, group)` without a core, NSGA-II picks one ([`zz_stream::ga`]). Here: the search
//! with a per-generation callback, the exhaustive optimum of small spaces, the constraints on
//! the chosen allocation, the summary text, `pareto.json`, the Pareto plot's points and
//! `allocation_mapping.yaml` (the mapping with the chosen cores fixed per layer).

use std::fmt::Write as _;

use serde_json::{Value, json};
use zz_inputs::stream::read_stream_mapping_str;
use zz_ir::stream::mapping::{StreamMappingEntry, TilingFactor};
use zz_report::format::{cycles, sci, thousands};
use zz_report::pareto::DesignPoint;
use zz_stream::ga::{
    self, AllocationObjective as Objective, ExhaustiveResult, GaError, GaOptions, GaResult, Gene, GenerationStats,
    Metrics,
};
use zz_stream::pipeline::{Allocation, Prepared, SchedulingOrder};
use zz_stream::schedule_input::ScheduleInput;
use zz_stream::scheduler::ScheduleOptions;

use super::StreamRun;
use crate::{Error, Result, StreamFailure};

/// Limits on the allocation the GA's result uses (`None`: no limit).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GaConstraints {
    /// Latency, cycles.
    pub max_latency: Option<f64>,
    /// Peak on-chip memory use, bits.
    pub max_memory: Option<f64>,
}

/// A GA run and how long it took.
pub struct GaSearch {
    /// The result (its `chosen` member is the allocation used).
    pub result: GaResult,
    /// Wall seconds.
    pub seconds: f64,
}

impl StreamRun {
    /// The `(layer, group)` pairs the GA would search, with their allowed cores (empty: nothing
    /// is open).
    pub fn open_genes(&self, allocation: &Allocation, opts: &GaOptions) -> Vec<Gene> {
        ga::genes(&self.prep, allocation, opts.reference_core_filter)
    }

    /// Runs the genetic algorithm over the open `(layer, group)` pairs; `on_generation` is
    /// called after the initial population and after every generation.
    pub fn genetic_search(
        &self,
        allocation: &Allocation,
        order: &SchedulingOrder,
        sched: &ScheduleOptions,
        opts: &GaOptions,
        on_generation: &mut dyn FnMut(&GenerationStats),
    ) -> Result<GaResult> {
        ga::run(&self.prep, allocation, order, sched, opts, on_generation).map_err(|e| match e {
            GaError::Pipeline(e) => self.pipeline_failure(e),
            GaError::NoFeasible { .. } => Error::Stream {
                context: self.files.mapping_label.clone(),
                message: e.to_string(),
                hint: Some(
                    "try more individuals or generations (--population, --generations), another --seed, or fix some layers' cores with --allocation",
                ),
                kind: StreamFailure::GeneticAlgorithm,
            },
            other => Error::InvalidOption { message: other.to_string() },
        })
    }

    /// Schedules every allocation of the open pairs when there are at most `limit` of them and
    /// returns the optimum (`None` when the space is larger or has no feasible allocation).
    pub fn exhaustive_allocations(
        &self,
        allocation: &Allocation,
        order: &SchedulingOrder,
        sched: &ScheduleOptions,
        opts: &GaOptions,
        limit: u128,
    ) -> Result<Option<ExhaustiveResult>> {
        ga::exhaustive(&self.prep, allocation, order, sched, opts, limit)
            .map_err(|e| Error::InvalidOption { message: e.to_string() })
    }

    /// Makes the GA's chosen allocation the first front member meeting `constraints`, else the
    /// best evaluated allocation that does; an error when none does.
    pub fn apply_ga_constraints(&self, result: &mut GaResult, constraints: &GaConstraints) -> Result<()> {
        if constraints.max_latency.is_none() && constraints.max_memory.is_none() {
            return Ok(());
        }
        let ok = |k: usize| {
            result.evaluations[k].outcome.as_ref().is_ok_and(|m| {
                constraints.max_latency.is_none_or(|x| m.latency <= x)
                    && constraints.max_memory.is_none_or(|x| m.peak_memory <= x)
            })
        };
        let key = |k: usize| -> Vec<f64> {
            let m = result.evaluations[k].outcome.as_ref().map(|m| *m).unwrap_or(Metrics {
                latency: f64::INFINITY,
                energy: f64::INFINITY,
                peak_memory: f64::INFINITY,
            });
            result.objectives.iter().map(|&o| m.value(o)).collect()
        };
        let pick = result.front.iter().copied().find(|&k| ok(k)).or_else(|| {
            (0..result.evaluations.len())
                .filter(|&k| ok(k))
                .min_by(|&a, &b| key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal))
        });
        match pick {
            Some(k) => {
                result.chosen = k;
                Ok(())
            }
            None => Err(Error::Stream {
                context: self.files.mapping_label.clone(),
                message: "no allocation the genetic algorithm evaluated meets --max-latency/--max-memory".into(),
                hint: Some("relax the constraints or search longer (--population, --generations)"),
                kind: StreamFailure::GeneticAlgorithm,
            }),
        }
    }

    /// `allocation_mapping.yaml`: the mapping with the cores of `input` fixed for every layer
    /// whose cores did not all come from the mapping, and a warning when layers sharing a name
    /// cannot be fixed.
    pub fn allocation_mapping_yaml(
        &self,
        input: &ScheduleInput,
        allocation: &Allocation,
        seed: u64,
    ) -> Result<(String, Option<String>)> {
        allocation_mapping_yaml(&self.files, seed, &self.prep, input, allocation)
    }
}

/// The points of the GA's Pareto plot (every schedulable allocation) and the chosen one's index.
pub fn ga_design_points(r: &GaResult) -> (Vec<DesignPoint>, Option<usize>) {
    let mut points = Vec::new();
    let mut chosen = None;
    for (k, e) in r.evaluations.iter().enumerate() {
        if let Ok(m) = &e.outcome {
            if k == r.chosen {
                chosen = Some(points.len());
            }
            let genome: Vec<String> = e.genome.iter().map(|c| c.to_string()).collect();
            points.push(DesignPoint {
                label: format!("cores [{}]", genome.join(",")),
                energy: m.energy,
                latency: m.latency,
                area: None,
            });
        }
    }
    (points, chosen)
}

/// A metric with its unit, as the GA's summary and progress show it.
pub fn value_text(o: Objective, v: f64) -> String {
    match o {
        Objective::Latency => format!("{} cycles", cycles(v)),
        Objective::Energy => format!("{} pJ", thousands(v, 1)),
        Objective::Edp => format!("EDP {}", sci(v, 3)),
        Objective::Memory => format!("peak {}", zz_report::stream::human_bits(v)),
    }
}

/// The GA's summary: schedules run, the front (up to 10 members) and the chosen allocation.
pub fn ga_summary(r: &GaResult, seconds: f64) -> String {
    let mut s = String::new();
    let individuals: usize = r.logbook.iter().map(|g| g.offspring).sum();
    let infeasible = r.evaluations.iter().filter(|e| e.outcome.is_err()).count();
    // Front members with identical metrics (different allocations, same schedule totals) are one
    // point: listed once, with how many allocations reach it.
    let mut points: Vec<(Metrics, usize, bool)> = Vec::new();
    for &f in &r.front {
        let Ok(m) = &r.evaluations[f].outcome else { continue };
        let same = |p: &Metrics| {
            p.latency.to_bits() == m.latency.to_bits()
                && p.energy.to_bits() == m.energy.to_bits()
                && p.peak_memory.to_bits() == m.peak_memory.to_bits()
        };
        match points.iter_mut().find(|(p, _, _)| same(p)) {
            Some(p) => {
                p.1 += 1;
                p.2 |= f == r.chosen;
            }
            None => points.push((*m, 1, f == r.chosen)),
        }
    }
    let front = if points.len() == r.front.len() {
        format!("{}", r.front.len())
    } else {
        format!(
            "{} allocations, {} distinct point{}",
            r.front.len(),
            points.len(),
            if points.len() == 1 { "" } else { "s" }
        )
    };
    let _ = writeln!(
        s,
        "  {individuals} individuals, {} distinct allocations scheduled{} in {seconds:.2} s; Pareto front of {front}:",
        r.evaluations.len(),
        if infeasible > 0 { format!(" ({infeasible} could not be scheduled)") } else { String::new() },
    );
    for (m, n, chosen) in points.iter().take(10) {
        let mut cols: Vec<String> = r.objectives.iter().map(|&o| value_text(o, m.value(o))).collect();
        for o in [Objective::Latency, Objective::Energy] {
            if !r.objectives.contains(&o) {
                cols.push(format!("({})", value_text(o, m.value(o))));
            }
        }
        let times = if *n > 1 { format!("   ({n} allocations)") } else { String::new() };
        let _ = writeln!(s, "    {}{times}{}", cols.join("  "), if *chosen { "   <- chosen" } else { "" });
    }
    if points.len() > 10 {
        let _ = writeln!(s, "    ... {} more", points.len() - 10);
    }
    let genome = &r.evaluations[r.chosen].genome;
    if r.genes.len() <= 8 {
        let chosen: Vec<String> = r
            .genes
            .iter()
            .zip(genome)
            .map(|(g, c)| format!("{} ({}:{}) -> core {c}", g.name, g.layer, g.group))
            .collect();
        let _ = writeln!(s, "  Chosen: {}", chosen.join(", "));
    } else {
        let chosen: Vec<String> =
            r.genes.iter().zip(genome).map(|(g, c)| format!("{}:{}->{c}", g.layer, g.group)).collect();
        let _ = writeln!(s, "  Chosen (layer:group->core): {}", chosen.join(" "));
    }
    s
}

fn metrics_json(m: &Metrics) -> Value {
    json!({"latency": m.latency, "energy": m.energy, "edp": m.latency * m.energy, "peak_memory_bits": m.peak_memory})
}

/// `pareto.json`: the chosen allocation first (as `--allocation` reads it), then the search.
pub fn pareto_json(r: &GaResult, opts: &GaOptions) -> Value {
    let alloc: serde_json::Map<String, Value> =
        r.chosen_allocation().into_iter().map(|(l, g, c)| (format!("{l}:{g}"), json!(c))).collect();
    let front: std::collections::HashSet<usize> = r.front.iter().copied().collect();
    let evaluation = |k: usize| {
        let e = &r.evaluations[k];
        let mut v = json!({"index": k, "allocation": e.genome, "generation": e.generation});
        match &e.outcome {
            Ok(m) => {
                for (key, x) in metrics_json(m).as_object().into_iter().flatten() {
                    v[key] = x.clone();
                }
                v["on_front"] = json!(front.contains(&k));
            }
            Err(msg) => v["error"] = json!(msg),
        }
        v
    };
    let stats = |v: &[f64]| -> Value {
        r.objectives
            .iter()
            .zip(v)
            .map(|(o, x)| (o.name().to_string(), json!(x)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    json!({
        "path": "ga",
        "allocation": alloc,
        "objectives": r.objectives.iter().map(|o| o.name()).collect::<Vec<_>>(),
        "seed": opts.seed,
        "population": opts.population,
        "generations": r.generations_run(),
        "generations_run": r.generations_run(),
        "ga_time": opts.time_budget.map(|t| t.as_secs_f64()),
        "genes": r.genes.iter().map(|g| json!({"layer": g.layer, "group": g.group, "name": g.name, "cores": g.cores})).collect::<Vec<_>>(),
        "chosen": evaluation(r.chosen),
        "front": r.front.iter().map(|&k| evaluation(k)).collect::<Vec<_>>(),
        "final_population": r.population,
        "logbook": r.logbook.iter().map(|g| json!({
            "generation": g.generation, "offspring": g.offspring, "schedules": g.schedules, "evaluated": g.evaluated,
            "infeasible": g.infeasible, "min": stats(&g.min), "avg": stats(&g.avg), "std": stats(&g.std), "max": stats(&g.max),
        })).collect::<Vec<_>>(),
        "evaluations": (0..r.evaluations.len()).map(evaluation).collect::<Vec<_>>(),
    })
}

fn factor(f: &TilingFactor) -> String {
    match f {
        TilingFactor::N(n) => n.to_string(),
        TilingFactor::All => "all".into(),
        TilingFactor::Wildcard => "*".into(),
    }
}

/// One mapping entry as block YAML (the name double-quoted, which YAML reads like JSON).
pub(crate) fn entry_yaml(e: &StreamMappingEntry, name: &str, cores: &[usize]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "- name: {}", Value::from(name));
    let list: Vec<String> = cores.iter().map(|c| c.to_string()).collect();
    let _ = writeln!(s, "  core_allocation: [{}]", list.join(", "));
    for (key, tiling) in [("intra_core_tiling", &e.intra_core_tiling), ("inter_core_tiling", &e.inter_core_tiling)] {
        if !tiling.is_empty() {
            let _ = writeln!(s, "  {key}:");
            for (d, f) in tiling {
                let _ = writeln!(s, "    - {d}, {}", factor(f));
            }
        }
    }
    if !e.layer_dimension_names.is_empty() {
        let names: Vec<String> = e.layer_dimension_names.iter().map(|n| Value::from(n.as_str()).to_string()).collect();
        let _ = writeln!(s, "  layer_dimension_names: [{}]", names.join(", "));
    }
    if let Some(sm) = &e.spatial_mapping {
        let _ = writeln!(s, "  spatial_mapping:");
        for (dim, loops) in sm {
            let _ = writeln!(s, "    {dim}:");
            for (d, n) in loops {
                let _ = writeln!(s, "      - {d}, {n}");
            }
        }
    }
    s
}

/// The mapping with one fixed core per inter-core group for every layer whose cores did not all come
/// from the mapping (the GA's choices and any `--allocation`), appended as per-layer entries (a
/// later entry of the same name wins). Re-running with it takes Stream's fixed-allocation path, whose
/// CN runtimes are not truncated: numbers can differ from the GA's by that truncation (reference quirk).
fn allocation_mapping_yaml(
    files: &super::inputs::Files,
    seed: u64,
    prep: &Prepared,
    input: &ScheduleInput,
    allocation: &Allocation,
) -> Result<(String, Option<String>)> {
    let mapping_label = &files.mapping_label;
    let bad = |e: String| Error::Other(format!("{mapping_label}: {e}"));
    let (mapping, _) = files.read_mapping().map_err(|e| bad(e.to_string()))?;
    let original = files.mapping_text().map_err(bad)?;
    let graph = &prep.graph;
    let mut layers: Vec<usize> = (0..graph.layers.len()).collect();
    layers.sort_by_key(|&l| graph.layers[l].id);
    let mut entries = String::new();
    let mut names: Vec<(String, Vec<usize>)> = Vec::new();
    let mut conflicts: Vec<String> = Vec::new();
    for l in layers {
        let tl = &graph.layers[l];
        let overridden = allocation.fixed.iter().any(|x| x.0 == tl.id);
        if !overridden && graph.cns[tl.cns.clone()].iter().all(|c| c.chosen_core.is_some()) {
            continue;
        }
        // Group g runs on `list[g]` when the list is as long as the inter-core split.
        let mut cores: Vec<Option<usize>> = vec![None; (tl.total_inter_core_splits as usize).max(1)];
        for i in tl.cns.clone() {
            let g = graph.cns[i].group;
            if g >= cores.len() {
                cores.resize(g + 1, None);
            }
            cores[g] = Some(input.cns[i].core);
        }
        let any = cores.iter().flatten().next().copied().unwrap_or(0);
        let cores: Vec<usize> = cores.into_iter().map(|c| c.unwrap_or(any)).collect();
        // The mapping is looked up by the node's name, then its operator type.
        let node = &prep.workload.nodes[tl.node];
        if let Some((_, other)) = names.iter().find(|(n, _)| *n == node.name) {
            if *other != cores {
                conflicts.push(node.name.clone());
            }
            continue;
        }
        entries.push_str(&entry_yaml(mapping.entry_for(&node.name, &node.operator_type), &node.name, &cores));
        names.push((node.name.clone(), cores));
    }
    let warning = (!conflicts.is_empty()).then(|| {
        format!(
            "warning: allocation_mapping.yaml cannot fix the cores of layers sharing a name with another layer on other cores: {}",
            conflicts.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
        )
    });
    let header = format!(
        "# Cores chosen by `zigzag-rs stream` (genetic algorithm, seed {}): one fixed core per inter-core group\n\
         # for {} layer{}, so that this file re-runs the allocation without a search.\n",
        seed,
        names.len(),
        if names.len() == 1 { "" } else { "s" }
    );
    let appended = format!("{}\n\n{header}{entries}", original.trim_end());
    if read_stream_mapping_str("allocation_mapping.yaml", &appended).is_ok() {
        return Ok((appended, warning));
    }
    // The original is not a block list we can append to: write every entry out.
    let mut full = header;
    for e in &mapping.entries {
        full.push_str(&entry_yaml(e, &e.name, &e.core_allocation));
    }
    full.push_str(&entries);
    read_stream_mapping_str("allocation_mapping.yaml", &full).map_err(|e| bad(format!("allocation mapping: {e}")))?;
    Ok((full, warning))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluation(genome: Vec<usize>, latency: f64, energy: f64) -> zz_stream::ga::Evaluation {
        zz_stream::ga::Evaluation { genome, generation: 0, outcome: Ok(Metrics { latency, energy, peak_memory: 8.0 }) }
    }

    fn result(evaluations: Vec<zz_stream::ga::Evaluation>, front: Vec<usize>, chosen: usize) -> GaResult {
        GaResult {
            genes: vec![Gene { layer: 1, group: 0, name: "conv".into(), cores: vec![0, 1] }],
            objectives: vec![Objective::Latency, Objective::Energy],
            evaluations,
            front,
            chosen,
            population: vec![],
            logbook: vec![],
        }
    }

    #[test]
    fn identical_front_members_are_one_point() {
        // 13 allocations with the same totals: one point, "13 allocations" and the chosen mark.
        let evals: Vec<_> = (0..13).map(|k| evaluation(vec![k % 2], 100.0, 5.0)).collect();
        let r = result(evals, (0..13).collect(), 4);
        let s = ga_summary(&r, 0.1);
        assert!(s.contains("Pareto front of 13 allocations, 1 distinct point:"), "{s}");
        let listed: Vec<&str> = s.lines().filter(|l| l.contains("cycles")).collect();
        assert_eq!(listed.len(), 1, "{s}");
        assert!(listed[0].contains("(13 allocations)") && listed[0].contains("<- chosen"), "{s}");
    }

    #[test]
    fn distinct_front_members_are_listed_each() {
        let evals = vec![evaluation(vec![0], 100.0, 6.0), evaluation(vec![1], 120.0, 5.0)];
        let s = ga_summary(&result(evals, vec![0, 1], 1), 0.1);
        assert!(s.contains("Pareto front of 2:"), "{s}");
        assert_eq!(s.lines().filter(|l| l.contains("cycles")).count(), 2, "{s}");
        assert!(!s.contains("allocations)"), "{s}");
    }
}
