//! `zigzag-rs granularity`: how finely to split layers into computation nodes. Runs the
//! Stream pipeline once per candidate intra-core tiling (e.g. layer-by-layer, `OY,2`,
//! `OY,4`, `OY,all`) and reports latency, energy and peak on-chip memory of each, with the
//! best candidate under the constraints.

use crate::Failure;
use crate::stream::{parse_allocation, parse_layer_stacks, stream_inputs};
use clap::Args;
use std::path::PathBuf;
use zigzag::Objective;
use zigzag::stream::{self, Allocation};

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

/// Runs `granularity`.
pub fn run(args: GranularityArgs) -> Result<(), Failure> {
    let objective: Objective = args.opt.parse().map_err(|e| Failure::input(format!("--opt: {e}")))?;
    let candidates: Vec<stream::GranularityCandidate> =
        args.tilings.iter().map(|s| stream::parse_tiling(s)).collect::<Result<_, _>>()?;
    let layer_stacks = parse_layer_stacks(&args.inputs.layer_stacks)?;
    let allocation = match &args.inputs.allocation {
        Some(s) => parse_allocation(s)?,
        None => Allocation::default(),
    };
    let result = stream::granularity(
        &stream_inputs(&args.inputs),
        &candidates,
        layer_stacks.as_ref(),
        &allocation,
        objective,
        args.max_latency,
        args.max_memory,
    )?;
    let (rows, best) = (&result.rows, result.best);
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
                if r.feasible { "" } else { "(violates a constraint) " },
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
        std::fs::write(dir.join("granularity.csv"), result.csv()).map_err(|e| Failure::other(e.to_string()))?;
        std::fs::write(
            dir.join("granularity.json"),
            serde_json::to_string_pretty(&result.to_json()).unwrap_or_default(),
        )
        .map_err(|e| Failure::other(e.to_string()))?;
    }
    Ok(())
}
