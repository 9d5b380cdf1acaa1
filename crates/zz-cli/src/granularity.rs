//! `zigzag-rs granularity`: how finely to split layers into computation nodes. Runs the
//! Stream pipeline once per candidate intra-core tiling (e.g. layer-by-layer, `OY,2`,
//! `OY,4`, `OY,all`) and reports latency, energy and peak on-chip memory of each, with the
//! best candidate under the constraints.

use crate::Failure;
use crate::stream::{json_arg, parse_allocation};
use clap::Args;
use rayon::prelude::*;
use std::path::PathBuf;
use zz_ir::stream::accelerator::CoreType;
use zz_ir::stream::mapping::TilingFactor;
use zz_stream::cn::{CnOptions, Mode};
use zz_stream::cost::CostOptions;
use zz_stream::pipeline::{self, Allocation, PrepareOptions, SchedulingOrder};
use zz_stream::scheduler::ScheduleOptions;

/// Arguments of `granularity`.
#[derive(Args, Debug)]
pub struct GranularityArgs {
    /// Input files and core/stack choices.
    #[command(flatten)]
    pub inputs: crate::args::StreamInputs,
    /// Candidate tilings (repeat): `lbl` (layer by layer) or `DIM,N` / `DIM,all` (layer-fused, applied to
    /// every layer that has DIM), several dims separated by `;` (e.g. `OY,2;K,2`).
    #[arg(long = "tiling", required = true)]
    pub tilings: Vec<String>,
    /// What "best" means: latency, energy or edp.
    #[arg(long, default_value = "latency")]
    pub opt: String,
    /// Keep only candidates with latency (cycles) at most this.
    #[arg(long)]
    pub max_latency: Option<f64>,
    /// Keep only candidates whose peak on-chip memory use (bits, any core) is at most this. Units: 2MiB, 16Mb, ... (a plain number is bits).
    #[arg(long, value_parser = crate::args::parse_bits)]
    pub max_memory: Option<f64>,
    /// Write granularity.json and granularity.csv here.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

struct Row {
    tiling: String,
    cns: usize,
    latency: f64,
    energy: f64,
    peak_memory: f64,
    error: Option<String>,
}

fn parse_tiling(s: &str) -> Result<Option<Vec<(String, TilingFactor)>>, Failure> {
    if s.trim().eq_ignore_ascii_case("lbl") {
        return Ok(None);
    }
    let mut t = Vec::new();
    for part in s.split(';') {
        let (d, f) = part
            .split_once(',')
            .ok_or_else(|| Failure::input(format!("--tiling `{s}`: expected `lbl` or `DIM,N` / `DIM,all`")))?;
        let f = f.trim();
        let factor = if f.eq_ignore_ascii_case("all") {
            TilingFactor::All
        } else {
            TilingFactor::N(
                f.parse().map_err(|_| Failure::input(format!("--tiling `{s}`: `{f}` is not a number or `all`")))?,
            )
        };
        t.push((d.trim().to_uppercase(), factor));
    }
    Ok(Some(t))
}

/// Runs `granularity`.
pub fn run(args: GranularityArgs) -> Result<(), Failure> {
    let objective = args.opt.to_ascii_lowercase();
    if !["latency", "energy", "edp"].contains(&objective.as_str()) {
        return Err(Failure::input(format!("--opt: expected latency, energy or edp, got `{}`", args.opt)));
    }
    let tilings: Vec<Option<Vec<(String, TilingFactor)>>> =
        args.tilings.iter().map(|s| parse_tiling(s)).collect::<Result<_, _>>()?;
    let layer_stacks = match &args.inputs.layer_stacks {
        None => None,
        Some(s) => Some(
            serde_json::from_value::<Vec<Vec<usize>>>(json_arg(s)?)
                .map_err(|e| Failure::input(format!("--layer-stacks: expected a list of lists of layer ids: {e}")))?,
        ),
    };
    let allocation = match &args.inputs.allocation {
        Some(s) => parse_allocation(s)?,
        None => Allocation::default(),
    };
    let rows: Vec<Row> = args
        .tilings
        .par_iter()
        .zip(&tilings)
        .map(|(label, tiling)| {
            let spec = PrepareOptions {
                cn: CnOptions {
                    mode: if tiling.is_some() { Mode::Fused } else { Mode::Lbl },
                    layer_stacks: if tiling.is_some() { layer_stacks.clone() } else { None },
                },
                cost: CostOptions::default(),
            };
            let fail = |e: String| Row {
                tiling: label.clone(),
                cns: 0,
                latency: f64::NAN,
                energy: f64::NAN,
                peak_memory: f64::NAN,
                error: Some(e),
            };
            let prep = match crate::stream::read_and_prepare(&args.inputs, &spec, tiling.as_ref()) {
                Ok(p) => p,
                // A bad input file or an unknown tiling dimension stops the run (exit 2).
                Err(pipeline::StreamError::Input(e)) => return Err(Failure::input(e.to_string())),
                Err(e) => return Ok(fail(e.to_string())),
            };
            let input = match pipeline::schedule_input(&prep, &allocation, &SchedulingOrder::Stream) {
                Ok(i) => i,
                Err(e) => return Ok(fail(e.to_string())),
            };
            match zz_stream::scheduler::schedule(&input, &ScheduleOptions::default()) {
                Ok(s) => {
                    // Peak over the top memories of compute cores (the off-chip DRAM is not on chip).
                    let offchip: Vec<usize> = prep
                        .accelerator
                        .cores
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.core_type == CoreType::Memory)
                        .map(|(k, _)| k)
                        .collect();
                    let peak = s
                        .memories
                        .iter()
                        .enumerate()
                        .filter(|(m, _)| !input.topology.memories[*m].cores.iter().all(|c| offchip.contains(c)))
                        .map(|(_, u)| u.peak as f64)
                        .fold(0.0, f64::max);
                    Ok(Row {
                        tiling: label.clone(),
                        cns: input.cns.len(),
                        latency: s.latency,
                        energy: s.energy.total(),
                        peak_memory: peak,
                        error: None,
                    })
                }
                Err(e) => Ok(fail(e.to_string())),
            }
        })
        .collect::<Result<Vec<Row>, Failure>>()?;
    let key = |r: &Row| match objective.as_str() {
        "energy" => (r.energy, r.latency),
        "edp" => (r.energy * r.latency, 0.0),
        _ => (r.latency, r.energy),
    };
    let feasible: Vec<bool> = rows
        .iter()
        .map(|r| {
            r.error.is_none()
                && args.max_latency.is_none_or(|m| r.latency <= m)
                && args.max_memory.is_none_or(|m| r.peak_memory <= m)
        })
        .collect();
    let best = (0..rows.len())
        .filter(|&k| feasible[k])
        .min_by(|&a, &b| key(&rows[a]).partial_cmp(&key(&rows[b])).unwrap_or(std::cmp::Ordering::Equal));
    println!("{:<14} {:>6} {:>16} {:>20} {:>16}  ", "tiling", "CNs", "latency [cyc]", "energy [pJ]", "peak on-chip");
    for (k, r) in rows.iter().enumerate() {
        match &r.error {
            Some(e) => println!("{:<14} failed: {}", r.tiling, e.lines().next().unwrap_or("")),
            None => println!(
                "{:<14} {:>6} {:>16} {:>20} {:>16}  {}{}",
                r.tiling,
                r.cns,
                zz_report::format::thousands(r.latency, 0),
                zz_report::format::thousands(r.energy, 1),
                zz_report::stream::human_bits(r.peak_memory),
                if feasible[k] { "" } else { "(violates a constraint) " },
                if Some(k) == best { "<- best" } else { "" }
            ),
        }
    }
    if best.is_none() {
        println!("no candidate meets the constraints");
    }
    if rows.iter().any(|r| r.error.is_none() && r.peak_memory == 0.0) {
        println!(
            "peak on-chip 0 B: no tensor stayed in a compute core's memory between CNs (layer by layer, every layer's inputs and outputs go through the off-chip DRAM); the traffic inside a CN is part of its cost"
        );
    }
    if let Some(dir) = &args.output {
        std::fs::create_dir_all(dir).map_err(|e| Failure::other(format!("{}: {e}", dir.display())))?;
        let mut csv = String::from("tiling,cns,latency_cycles,energy_pJ,peak_memory_bits,feasible,best,error\n");
        let mut js = Vec::new();
        for (k, r) in rows.iter().enumerate() {
            csv.push_str(&format!(
                "\"{}\",{},{:?},{:?},{:?},{},{},\"{}\"\n",
                r.tiling,
                r.cns,
                r.latency,
                r.energy,
                r.peak_memory,
                feasible[k],
                Some(k) == best,
                r.error.as_deref().unwrap_or("").replace('"', "'")
            ));
            js.push(serde_json::json!({"tiling": r.tiling, "cns": r.cns, "latency": r.latency, "energy": r.energy,
                "peak_memory_bits": r.peak_memory, "feasible": feasible[k], "best": Some(k) == best, "error": r.error}));
        }
        std::fs::write(dir.join("granularity.csv"), csv).map_err(|e| Failure::other(e.to_string()))?;
        std::fs::write(dir.join("granularity.json"), serde_json::to_string_pretty(&js).unwrap_or_default())
            .map_err(|e| Failure::other(e.to_string()))?;
    }
    Ok(())
}
