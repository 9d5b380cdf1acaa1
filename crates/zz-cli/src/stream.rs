//! `zigzag-rs stream`: a workload on a multi-core accelerator (classic Stream semantics):
//! computation nodes, per-CN costs with the single-core engine, and the list schedule. Layers
//! whose core the mapping leaves open are allocated by a genetic algorithm ([`ga`]) unless
//! `--allocation` fixes them.

mod co;
mod ga;

use crate::Failure;
use clap::Args;
use std::path::{Path, PathBuf};
use zigzag::Source;
use zigzag::stream::{
    self, Allocation, Allocator, Mode, PrepareOptions, ScheduleOptions, SchedulingOrder, StreamInputs,
};

/// Arguments of `stream`.
#[derive(Args, Debug)]
pub struct StreamArgs {
    /// Input files and core/stack choices.
    #[command(flatten)]
    pub inputs: crate::args::StreamInputs,
    /// Layer-by-layer (one layer per stack) or layer-fused.
    #[arg(long, default_value = "fused")]
    pub mode: String,
    /// Scheduling order: stream (Stream's), id-asc, id-desc, or a JSON file with a list of [layer, sub_id].
    #[arg(long, default_value = "stream")]
    pub scheduling_order: String,
    /// Layer operands of constant tensors fetched before the first CN (e.g. W).
    #[arg(long, num_args = 0..)]
    pub prefetch: Vec<String>,
    /// LOMA loop-prime-factor limit of the per-CN cost search.
    #[arg(long, default_value_t = 6)]
    pub lpf_limit: usize,
    /// Temporal search engine of the per-CN cost search: loma (the reference's, default) or
    /// optimal (beyond the reference: the best temporal mapping of the full ordering space under
    /// Stream's objective, proven by branch-and-bound; LOMA's result is its first incumbent).
    #[arg(long, default_value = "loma")]
    pub engine: String,
    /// With --engine optimal: per (CN, core, spatial mapping), stop the search after this many
    /// seconds and keep the best found (the output counts the stopped searches; results then
    /// depend on the machine's speed).
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Temporal mapping type of the per-CN cost search: uneven (default) or even (Stream's `temporal_mapping_type`).
    #[arg(long, default_value = "uneven")]
    pub mapping_type: String,
    /// Fix: keep fractional times in memory timelines (the reference truncates them).
    #[arg(long)]
    pub exact_memory_timesteps: bool,
    /// Fix: tiled last layers write their outputs back to DRAM (the reference keeps them on chip).
    #[arg(long)]
    pub sink_layers_ignore_intra_edges: bool,
    /// Fix: look tensors up under the memory operand they are stored under (the reference uses the producer's).
    #[arg(long)]
    pub fix_memory_operands: bool,
    /// Write the schedule as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the JSON, Gantt chart (PNG + interactive HTML), memory-usage plot and Perfetto trace here.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Only the totals.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Genetic-algorithm options.
    #[command(flatten)]
    pub ga: ga::GaArgs,
    /// Allocator choice and constraint-optimisation options.
    #[command(flatten)]
    pub co: co::CoArgs,
}

pub(crate) fn json_arg(s: &str) -> Result<serde_json::Value, Failure> {
    let text = if Path::new(s).is_file() {
        std::fs::read_to_string(s).map_err(|e| Failure::input(format!("{s}: {e}")))?
    } else {
        s.to_string()
    };
    serde_json::from_str(&text).map_err(|e| Failure::input(format!("{s}: not valid JSON: {e}")))
}

/// `--allocation` (JSON or a JSON file) for the fixed or genetic-algorithm path.
pub(crate) fn parse_allocation(s: &str) -> Result<Allocation, Failure> {
    Ok(stream::allocation_from_json(&json_arg(s)?)?)
}

/// `--layer-stacks` (JSON or a JSON file).
pub(crate) fn parse_layer_stacks(s: &Option<String>) -> Result<Option<Vec<Vec<usize>>>, Failure> {
    match s {
        None => Ok(None),
        Some(s) => Ok(Some(
            serde_json::from_value::<Vec<Vec<usize>>>(json_arg(s)?)
                .map_err(|e| Failure::input(format!("--layer-stacks: expected a list of lists of layer ids: {e}")))?,
        )),
    }
}

/// The facade's inputs of the command line's files.
pub(crate) fn stream_inputs(inputs: &crate::args::StreamInputs) -> StreamInputs<'_> {
    StreamInputs {
        accelerator: Source::Path(&inputs.accelerator),
        workload: Source::Path(&inputs.workload),
        mapping: Source::Path(&inputs.mapping),
        stream_inputs: inputs.stream_inputs.as_deref(),
    }
}

/// Runs `stream`.
pub fn run(args: StreamArgs) -> Result<(), Failure> {
    let mode: Mode = args.mode.parse().map_err(|e| Failure::input(format!("--mode: {e}")))?;
    let layer_stacks = parse_layer_stacks(&args.inputs.layer_stacks)?;
    let order = match args.scheduling_order.parse::<SchedulingOrder>() {
        Ok(o) => o,
        Err(_) => SchedulingOrder::Explicit(
            serde_json::from_value::<Vec<(usize, usize)>>(json_arg(&args.scheduling_order)?).map_err(|e| {
                Failure::input(format!(
                    "--scheduling-order: expected stream, id-asc, id-desc or a JSON list of [layer, sub_id]: {e}"
                ))
            })?,
        ),
    };
    let mapping_type: zigzag::MappingType =
        args.mapping_type.parse().map_err(|e| Failure::input(format!("--mapping-type: {e}")))?;
    let mut allocation = Allocation::default();
    let t0 = std::time::Instant::now();
    let prep = stream::prepare(
        &stream_inputs(&args.inputs),
        &PrepareOptions {
            mode,
            layer_stacks,
            lpf_limit: args.lpf_limit,
            mapping_type,
            engine: args.engine.parse().map_err(|e| Failure::input(format!("--engine: {e}")))?,
            time_limit: crate::map::parse_time_limit(args.time_limit)?,
        },
    )?;
    crate::map::warn_all(prep.warnings());
    let allocator = co::choose(&args, &prep)?;
    let mut order = order;
    let plain;
    let co_held;
    let mut t_co = 0.0;
    let (prep, co_run) = if allocator == Allocator::Co {
        let opts = co::options(&args)?;
        let t = std::time::Instant::now();
        co_held = prep.allocate_co(&opts)?;
        t_co = t.elapsed().as_secs_f64();
        order = co_held.order();
        if !args.quiet {
            print!("{}", co_held.summary());
        }
        (&co_held.run, Some(&co_held))
    } else {
        if let Some(s) = &args.inputs.allocation {
            allocation = parse_allocation(s)?;
        }
        plain = prep;
        (&plain, None)
    };
    let t_cost = t0.elapsed().as_secs_f64();
    let opts = ScheduleOptions {
        prefetch_operands: args.prefetch.clone(),
        exact_memory_timesteps: args.exact_memory_timesteps,
        sink_layers_ignore_intra_edges: args.sink_layers_ignore_intra_edges,
        fix_memory_operands: args.fix_memory_operands,
        ..Default::default()
    };
    let search = if allocator == Allocator::Ga {
        ga::search_if_needed(&args, prep, &mut allocation, &order, &opts)?
    } else {
        None
    };
    let t_ga = search.as_ref().map_or(0.0, |s| s.seconds);
    let scheduled = prep.schedule(&allocation, &order, &opts)?;
    let t_total = t0.elapsed().as_secs_f64();
    let mut report = prep.report(&scheduled);
    if let Some(c) = co_run {
        report.co = Some(c.report_json());
    }
    print!("{}", zz_report::stream::stream_summary(&report));
    if !args.quiet {
        let ga = search.as_ref().map_or(String::new(), |s| format!("genetic algorithm {:.2} s, ", s.seconds));
        let co = if co_run.is_some() {
            format!("constraint optimisation with re-tiling and re-costing {t_co:.2} s, ")
        } else {
            String::new()
        };
        println!(
            "({} CNs; per-CN costs {:.2} s, {co}{ga}schedule {:.3} s)",
            scheduled.input.cns.len(),
            t_cost - t_co,
            t_total - t_cost - t_ga
        );
    }
    if let Some(p) = &args.json {
        zz_report::stream::write_stream_json(&report, p)
            .map_err(|e| Failure::other(format!("{}: {e}", p.display())))?;
    }
    if let Some(dir) = &args.output {
        std::fs::create_dir_all(dir).map_err(|e| Failure::other(format!("{}: {e}", dir.display())))?;
        let f = |r: Result<(), zz_report::ReportError>| r.map_err(|e| Failure::other(e.to_string()));
        f(zz_report::stream::write_stream_json(&report, dir.join("schedule.json")))?;
        f(zz_report::stream::gantt_chart(&report, dir.join("gantt.png")))?;
        f(zz_report::stream::write_gantt_html(&report, dir.join("gantt.html")))?;
        f(zz_report::stream::memory_usage_plot(&report, dir.join("memory.png")))?;
        f(zz_report::stream::write_trace_json(&report, dir.join("trace.json")))?;
        let graph = prep.cn_graph(Some(&scheduled));
        f(zz_report::stream::write_graph_json(&graph, dir.join("graph.json")))?;
        f(zz_report::stream::write_graph_dot(&graph, dir.join("graph.dot")))?;
        let mut wrote = "schedule.json, gantt.png, gantt.html, memory.png, trace.json (ui.perfetto.dev), graph.json, graph.dot (Graphviz)";
        if let Some(c) = co_run {
            let p = dir.join("co_mapping.yaml");
            std::fs::write(&p, c.mapping_yaml()?).map_err(|e| Failure::other(format!("{}: {e}", p.display())))?;
            wrote = "schedule.json, gantt.png, gantt.html, memory.png, trace.json (ui.perfetto.dev), graph.json, graph.dot (Graphviz) and co_mapping.yaml";
        }
        if let Some(s) = &search {
            ga::write_outputs(dir, &args, prep, &scheduled.input, &allocation, &s.result)?;
            wrote = "schedule.json, gantt.png, gantt.html, memory.png, trace.json (ui.perfetto.dev), graph.json, graph.dot (Graphviz), pareto.json, pareto.png and allocation_mapping.yaml";
        }
        eprintln!("wrote {wrote} to {}", dir.display());
    }
    Ok(())
}
