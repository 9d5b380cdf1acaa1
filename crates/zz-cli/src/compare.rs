//! `zigzag-rs compare`: one workload on several (accelerator, mapping) pairs, side by side.

use crate::Failure;
use crate::map::read_workload;
use clap::Args;
use std::path::PathBuf;
use zz_report::{LayerReport, OrderedMap, RunReport};
use zz_search::{LomaOptions, SearchOptions, SpatialOptions};

/// Arguments of `compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Workload: ONNX model or ZigZag workload YAML.
    #[arg(long, short = 'w')]
    pub workload: PathBuf,
    /// Accelerator YAML files (repeat the flag).
    #[arg(long = "accelerator", short = 'a', required = true)]
    pub accelerators: Vec<PathBuf>,
    /// Mapping YAML files, one per accelerator in the same order (or one for all).
    #[arg(long = "mapping", short = 'm', required = true)]
    pub mappings: Vec<PathBuf>,
    /// Objective: latency, energy or edp.
    #[arg(long, default_value = "latency")]
    pub opt: String,
    /// CACTI 7 binary for memories with `auto_cost_extraction: true` (default: $ZIGZAG_RS_CACTI).
    #[arg(long)]
    pub cacti: Option<PathBuf>,
    /// Maximum number of loop prime factors.
    #[arg(long, default_value_t = 6)]
    pub lpf_limit: usize,
    /// Feasibility constraints.
    #[command(flatten)]
    pub constraints: crate::args::DesignConstraints,
    /// Write all results as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the comparison chart (PNG + SVG) and JSON into this directory.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

/// One design's totals as a report row (per-level energies summed over layers by level position).
pub fn design_row(index: usize, label: &str, r: &RunReport) -> LayerReport {
    let mut row = LayerReport {
        id: index,
        name: label.to_string(),
        operator_type: "design".into(),
        energy: r.energy,
        latency: r.latency,
        ..Default::default()
    };
    let t = &r.totals;
    row.mac_energy = t.mac_energy;
    row.mem_energy = t.mem_energy;
    row.latency_total0 = t.latency_total0;
    row.latency_total1 = t.latency_total1;
    row.latency_total2 = t.latency_total2;
    row.ideal_cycle = t.ideal_cycle;
    row.ideal_temporal_cycle = t.ideal_temporal_cycle;
    row.data_onloading_cycle = t.data_onloading_cycle;
    row.data_offloading_cycle = t.data_offloading_cycle;
    row.systolic_drain_cycle = t.systolic_drain_cycle;
    row.mac_spatial_utilization = t.mac_spatial_utilization;
    row.mac_utilization0 = t.mac_utilization0;
    row.mac_utilization1 = t.mac_utilization1;
    row.mac_utilization2 = t.mac_utilization2;
    let mut levels: OrderedMap<Vec<String>> = OrderedMap::default();
    let mut energy: OrderedMap<Vec<f64>> = OrderedMap::default();
    for l in &r.layers {
        for (op, names) in l.memory_levels.iter() {
            if levels.get(op).is_none_or(|n| n.len() < names.len()) {
                levels.insert(op, names.clone());
            }
        }
        for (op, e) in l.mem_energy_breakdown.iter() {
            let mut cur = energy.get(op).cloned().unwrap_or_default();
            if cur.len() < e.len() {
                cur.resize(e.len(), 0.0);
            }
            for (k, v) in e.iter().enumerate() {
                cur[k] += v;
            }
            energy.insert(op, cur);
        }
    }
    row.memory_levels = levels;
    row.mem_energy_breakdown = energy;
    row
}

/// Runs `compare`.
pub fn run(args: CompareArgs) -> Result<(), Failure> {
    let n = args.accelerators.len();
    if args.mappings.len() != n && args.mappings.len() != 1 {
        return Err(Failure::input(format!(
            "--mapping: give one mapping for all accelerators or one per accelerator ({n}), got {}",
            args.mappings.len()
        )));
    }
    let objective = zz_search::network::objective_from_str(&args.opt)
        .ok_or_else(|| Failure::input(format!("--opt: expected latency, energy or edp, got `{}`", args.opt)))?;
    if let Some(p) = &args.cacti {
        zz_inputs::cacti::set_binary(p.clone());
    }
    let workload = read_workload(&args.workload)?;
    let opts = SearchOptions {
        spatial: SpatialOptions::default(),
        loma: LomaOptions { lpf_limit: args.lpf_limit, objective, ..Default::default() },
        ..Default::default()
    };
    let wl_name = args.workload.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    let mut reports = Vec::new();
    let mut costs: Vec<(f64, f64)> = Vec::new(); // (area, on-chip memory bits)
    for k in 0..n {
        let a = &args.accelerators[k];
        let m = if args.mappings.len() == 1 { &args.mappings[0] } else { &args.mappings[k] };
        let (acc, w) = zz_inputs::read_accelerator(a).map_err(|e| Failure::input(e.to_string()))?;
        w.iter().for_each(|w| eprintln!("{w}"));
        let (mapping, w) = zz_inputs::read_mapping(m).map_err(|e| Failure::input(e.to_string()))?;
        w.iter().for_each(|w| eprintln!("{w}"));
        let opts = if acc.operational_array.is_imc { opts.clone().in_memory_compute() } else { opts.clone() };
        let res = zz_search::search_network(&workload, &acc, &mapping, &opts, &|_| {})
            .map_err(|e| Failure::input(format!("{} on {}: {e}", args.workload.display(), a.display())))?;
        let rep = crate::report::run_report(&res, &workload, &acc, &wl_name);
        crate::report::check_finite(&rep, &format!("{} on {}", args.workload.display(), a.display()))?;
        // IMC designs: the reference's IMC area (array + memories) instead of MAC units × unit_area.
        costs.push((rep.area.unwrap_or_else(|| crate::sweep::area(&acc)), crate::sweep::onchip_memory_bits(&acc)));
        reports.push(rep);
    }
    let feasible: Vec<bool> =
        reports.iter().zip(&costs).map(|(r, &(area, mem))| args.constraints.admit(r.latency, area, mem)).collect();
    // Rank the feasible designs by the objective (1 = best).
    let key = |r: &RunReport| match objective {
        zz_search::Objective::Latency => (r.latency, r.energy),
        zz_search::Objective::Energy => (r.energy, r.latency),
        zz_search::Objective::Edp => (r.latency * r.energy, 0.0),
    };
    let mut order: Vec<usize> = (0..n).filter(|&k| feasible[k]).collect();
    order.sort_by(|&a, &b| key(&reports[a]).partial_cmp(&key(&reports[b])).unwrap_or(std::cmp::Ordering::Equal));
    let mut rank = vec![None; n];
    for (i, &k) in order.iter().enumerate() {
        rank[k] = Some(i + 1);
    }
    // Side-by-side table.
    let labels: Vec<String> = reports
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let dup = reports.iter().filter(|o| o.accelerator == r.accelerator).count() > 1;
            if dup { format!("{} ({})", r.accelerator, k + 1) } else { r.accelerator.clone() }
        })
        .collect();
    println!("Workload: {wl_name} ({} layers), objective {}", reports.first().map_or(0, |r| r.layers.len()), args.opt);
    println!();
    println!(
        "{:<24} {:>20} {:>16} {:>22} {:>9} {:>9} {:>12} {:>11}  rank",
        "accelerator", "energy [pJ]", "latency [cyc]", "EDP [pJ*cyc]", "MAC util", "spatial", "area", "tclk [ns]"
    );
    for (k, (label, r)) in labels.iter().zip(&reports).enumerate() {
        println!(
            "{:<24} {:>20} {:>16} {:>22.6e} {:>8.1}% {:>8.1}% {:>12} {:>11}  {}",
            label,
            zz_report::format::thousands(r.energy, 1),
            zz_report::format::thousands(r.latency, 0),
            r.energy * r.latency,
            100.0 * r.totals.mac_utilization2,
            100.0 * r.totals.mac_spatial_utilization,
            zz_report::format::thousands(costs[k].0, 1),
            // IMC designs only: the array's clock period.
            r.tclk.map_or("-".to_string(), |t| format!("{t:.5}")),
            match rank[k] {
                Some(x) => x.to_string(),
                None => "infeasible".into(),
            }
        );
    }
    let rows: Vec<LayerReport> =
        labels.iter().zip(&reports).enumerate().map(|(k, (l, r))| design_row(k, l, r)).collect();
    let combined = RunReport::new("comparison", wl_name.clone(), rows);
    let write_json = |p: &PathBuf| -> Result<(), Failure> {
        let meta: Vec<serde_json::Value> = (0..n)
            .map(|k| {
                serde_json::json!({"label": labels[k], "area": costs[k].0, "tclk": reports[k].tclk,
                "onchip_memory_bits": costs[k].1, "feasible": feasible[k], "rank": rank[k]})
            })
            .collect();
        let text = serde_json::to_string_pretty(&serde_json::json!({ "designs": reports, "ranking": meta }))
            .map_err(|e| Failure::other(e.to_string()))?;
        std::fs::write(p, text).map_err(|e| Failure::other(format!("{}: {e}", p.display())))
    };
    if let Some(p) = &args.json {
        write_json(p)?;
    }
    if let Some(dir) = &args.output {
        std::fs::create_dir_all(dir).map_err(|e| Failure::other(format!("{}: {e}", dir.display())))?;
        write_json(&dir.join("comparison.json"))?;
        zz_report::bar_chart_breakdown(&combined, dir.join("comparison.png"))
            .map_err(|e| Failure::other(e.to_string()))?;
        zz_report::bar_chart_breakdown_svg(&combined, dir.join("comparison.svg"))
            .map_err(|e| Failure::other(e.to_string()))?;
        eprintln!("wrote {}", dir.join("comparison.png").display());
    }
    Ok(())
}
