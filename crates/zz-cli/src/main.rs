//! `zigzag-rs`: design-space exploration of DNN accelerators (ZigZag-compatible inputs).
//!
//! Exit codes: 0 success, 2 bad input (file, line:column, key and what was expected are
//! printed), 1 any other failure.

mod args;
mod compare;
mod granularity;
mod map;
mod stream;
mod sweep;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "zigzag-rs", version, about = "Fast ZigZag-compatible accelerator cost model and mapping search")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Map a workload onto a single-core accelerator and report energy and latency.
    Map(map::MapArgs),
    /// Compare several (accelerator, mapping) pairs on one workload, side by side.
    Compare(compare::CompareArgs),
    /// Schedule a workload on a multi-core accelerator (Stream): CNs, per-CN costs, list schedule.
    Stream(stream::StreamArgs),
    /// Compare computation-node granularities (intra-core tilings) on a multi-core accelerator.
    Granularity(granularity::GranularityArgs),
    /// Evaluate the cross product of accelerator parameter values and report the Pareto front.
    Sweep(sweep::SweepArgs),
}

/// A failure with its exit code.
pub struct Failure {
    /// 2 = bad input, 1 = other.
    pub code: u8,
    /// Message for stderr.
    pub message: String,
}

impl Failure {
    /// Bad input (exit code 2).
    pub fn input(message: impl Into<String>) -> Self {
        Failure { code: 2, message: message.into() }
    }
    /// Other failure (exit code 1).
    pub fn other(message: impl Into<String>) -> Self {
        Failure { code: 1, message: message.into() }
    }
}

impl From<zigzag::Error> for Failure {
    /// Input problems (bad files, options, non-finite results, failed searches and schedules)
    /// exit with 2, everything else with 1.
    fn from(e: zigzag::Error) -> Self {
        Failure { code: if e.is_input_error() { 2 } else { 1 }, message: e.to_string() }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let res = match cli.command {
        Command::Map(args) => map::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Stream(args) => stream::run(args),
        Command::Granularity(args) => granularity::run(args),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // Messages that quote a huge value (e.g. from the scheduler) are clipped too.
            let message = if f.message.len() > 2000 { zigzag::clip_quoted_values(&f.message) } else { f.message };
            eprintln!("error: {message}");
            ExitCode::from(f.code)
        }
    }
}
