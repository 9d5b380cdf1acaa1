//! `stream --allocator co`: Stream's constraint-optimisation allocation (chosen automatically
//! when a mapping has a `*` inter-core tiling). Prints and reports per stack the steady state,
//! the solver status, the objective and the resolved split and cores per layer; `--output`
//! adds `co_mapping.yaml`, the mapping with every layer's split and cores fixed.

use clap::Args;
use zigzag::stream::{self, Allocator, CoOptions, StreamRun, TieBreak};

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
    /// Branch-and-bound node limit of each CO MILP solve (a deterministic work limit: the same
    /// allocation on every machine, unlike the time limit). Default: 3e10 / (the MILP's
    /// columns)², at least 100 (beyond the reference, which has only the time limit).
    #[arg(long)]
    pub co_node_limit: Option<u64>,
    /// Among equally good CO solutions: first (HiGHS's first proven optimum, deterministic) or
    /// fewest-lowest (fewest (CN, core) assignments, then lowest core ids; one more solve per stack).
    /// Identical cores are always used in lexicographic order; whether the optimum is unique is reported.
    #[arg(long, default_value = "first")]
    pub co_tie_break: String,
    /// Largest steady-state CN set per stack the CO MILP is built for (memory and time grow with
    /// its cube); larger stacks stop with a message.
    #[arg(long, default_value_t = 64)]
    pub co_max_cns: usize,
    /// With Stream's automatic fused layer stacks (no --layer-stacks), a stack whose steady state
    /// has more CNs than this is cut into consecutive stacks that stay below it (beyond the
    /// reference; the MILP's solve time grows steeply with the CN count).
    #[arg(long, default_value_t = 16)]
    pub co_auto_stack_cns: usize,
}

/// The allocator to use for a prepared workload (with a note when a `*` tiling selects CO).
pub fn choose(args: &StreamArgs, prep: &StreamRun) -> Result<Allocator, Failure> {
    let forced = match args.co.allocator.as_deref() {
        None => None,
        Some(s) => Some(s.parse::<Allocator>().map_err(|e| Failure::input(format!("--allocator: {e}")))?),
    };
    let (allocator, automatic) = prep.choose_allocator(forced)?;
    if automatic && !args.quiet {
        eprintln!(
            "note: {} has a `*` inter-core tiling: using the constraint-optimisation allocator (--allocator co)",
            args.inputs.mapping.display()
        );
    }
    Ok(allocator)
}

/// `--allocation '{"layer": [cores], ...}'` for a CO replay.
fn replay(args: &StreamArgs) -> Result<Option<stream::CoReplay>, Failure> {
    let Some(s) = &args.inputs.allocation else { return Ok(None) };
    Ok(Some(stream::co_replay_from_json(&super::json_arg(s)?)?))
}

/// The CO options of the command line.
pub fn options(args: &StreamArgs) -> Result<CoOptions, Failure> {
    let tie_break: TieBreak =
        args.co.co_tie_break.parse().map_err(|e| Failure::input(format!("--co-tie-break: {e}")))?;
    if args.co.co_time_limit.is_nan() || args.co.co_time_limit <= 0.0 {
        return Err(Failure::input(format!(
            "--co-time-limit: expected a positive number of seconds, got {}",
            args.co.co_time_limit
        )));
    }
    Ok(CoOptions {
        time_limit: args.co.co_time_limit,
        node_limit: args.co.co_node_limit,
        tie_break,
        replay: replay(args)?,
        max_cns: args.co.co_max_cns,
        auto_stack_cns: args.co.co_auto_stack_cns,
    })
}
