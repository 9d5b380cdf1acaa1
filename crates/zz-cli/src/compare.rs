//! `zigzag-rs compare`: one workload on several (accelerator, mapping) pairs, side by side.

use crate::Failure;
use crate::map::{read_workload, warn_all};
use clap::Args;
use std::path::PathBuf;
use zigzag::compare::{self, CompareOptions, Comparison};
use zigzag::{Objective, Source, single_core};
use zz_report::RunReport;

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

/// Runs `compare`.
pub fn run(args: CompareArgs) -> Result<(), Failure> {
    let n = args.accelerators.len();
    if args.mappings.len() != n && args.mappings.len() != 1 {
        return Err(Failure::input(format!(
            "--mapping: give one mapping for all accelerators or one per accelerator ({n}), got {}",
            args.mappings.len()
        )));
    }
    let objective: Objective = args.opt.parse().map_err(|e| Failure::input(format!("--opt: {e}")))?;
    if let Some(p) = &args.cacti {
        zigzag::set_cacti_binary(p.clone());
    }
    let workload = read_workload(&args.workload)?;
    let opts = CompareOptions { objective, lpf_limit: args.lpf_limit, constraints: args.constraints.constraints() };
    let wl_src = Source::Path(&args.workload);
    let (wl_label, wl_name) = (wl_src.label(), wl_src.file_name());
    let mut designs = Vec::new();
    for k in 0..n {
        let a = &args.accelerators[k];
        let m = if args.mappings.len() == 1 { &args.mappings[0] } else { &args.mappings[k] };
        let acc = single_core::read_accelerator(&Source::Path(a))?;
        warn_all(&acc.warnings);
        let mapping = single_core::read_mapping(&Source::Path(m))?;
        warn_all(&mapping.warnings);
        let label = a.display().to_string();
        designs.push(compare::evaluate_design(
            &workload,
            &wl_label,
            &wl_name,
            &acc.value,
            &label,
            &mapping.value,
            &opts,
        )?);
    }
    let cmp = Comparison::new(wl_name.clone(), designs, &opts);
    let reports: Vec<&RunReport> = cmp.designs.iter().map(|d| &d.report).collect();
    let (labels, rank) = (&cmp.labels, &cmp.rank);
    // Side-by-side table.
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
            zz_report::format::thousands(cmp.designs[k].area, 1),
            // IMC designs only: the array's clock period.
            r.tclk.map_or("-".to_string(), |t| format!("{t:.5}")),
            match rank[k] {
                Some(x) => x.to_string(),
                None => "infeasible".into(),
            }
        );
    }
    let combined = cmp.combined_report();
    let write_json = |p: &PathBuf| -> Result<(), Failure> {
        let text = serde_json::to_string_pretty(&cmp.to_json()).map_err(|e| Failure::other(e.to_string()))?;
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
