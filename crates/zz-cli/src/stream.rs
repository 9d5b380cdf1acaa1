//! `zigzag-rs stream`: a workload on a multi-core accelerator (classic Stream semantics):
//! computation nodes, per-CN costs with the single-core engine, and the list schedule. Layers
//! whose core the mapping leaves open are allocated by a genetic algorithm ([`ga`]) unless
//! `--allocation` fixes them.

mod co;
mod ga;

use crate::Failure;
use clap::Args;
use std::path::{Path, PathBuf};
use zz_inputs::stream::CoreResolver;
use zz_ir::stream::accelerator::{CoreType, StreamLinkKind};
use zz_ir::stream::mapping::Tiling;
use zz_report::stream::{CnReport, CoreReport, LinkReport, MemoryTimeline, StreamReport, TransferReport};
use zz_stream::cn::{CnOptions, Mode};
use zz_stream::cost::CostOptions;
use zz_stream::pipeline::{self, Allocation, PrepareOptions, SchedulingOrder};
use zz_stream::scheduler::{ScheduleOptions, TransferCause};

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

/// `{"layer": core}` / `{"layer:group": core}` (optionally under an `allocation` key). With `"path": "ga"`
/// beside the `allocation` key the cores are replayed on the genetic-algorithm path ([`Allocation::chosen`],
/// runtimes truncated like the reference's GA does), which needs `layer:group` keys.
pub(crate) fn parse_allocation(s: &str) -> Result<Allocation, Failure> {
    let v = json_arg(s)?;
    let ga = match v.get("path") {
        None => false,
        Some(p) if p == "ga" => true,
        Some(p) if p == "fixed" => false,
        Some(p) => return Err(Failure::input(format!("--allocation: \"path\" must be \"ga\" or \"fixed\", got {p}"))),
    };
    let v = v.get("allocation").filter(|a| a.is_object()).cloned().unwrap_or(v);
    let obj = v.as_object().ok_or_else(|| Failure::input(format!("--allocation: expected a JSON object, got {v}")))?;
    let mut a = Allocation::default();
    for (k, core) in obj {
        if k == "path" {
            continue;
        }
        let core = core
            .as_u64()
            .ok_or_else(|| Failure::input(format!("--allocation: core of `{k}` must be a core id, got {core}")))?
            as usize;
        let bad = || Failure::input(format!("--allocation: key `{k}` must be a layer id or `layer:group`"));
        match k.split_once(':') {
            Some((l, g)) => {
                let (l, g) = (l.trim().parse().map_err(|_| bad())?, g.trim().parse().map_err(|_| bad())?);
                if ga {
                    a.chosen.push((l, g, core));
                } else {
                    a.fixed.push((l, Some(g), core));
                }
            }
            None if ga => {
                return Err(Failure::input(format!(
                    "--allocation: with \"path\": \"ga\" every key must be `layer:group`, got `{k}`"
                )));
            }
            None => a.fixed.push((k.trim().parse().map_err(|_| bad())?, None, core)),
        }
    }
    Ok(a)
}

/// Reads a multi-core run's input files and prepares it (CNs and their costs), with the
/// mapping's intra-core tiling replaced by `tiling` where given: the one place where the
/// Stream commands turn paths into a [`pipeline::Prepared`].
pub(crate) fn read_and_prepare(
    inputs: &crate::args::StreamInputs,
    opts: &PrepareOptions,
    tiling: Option<&Tiling>,
) -> Result<pipeline::Prepared, pipeline::StreamError> {
    let resolver = CoreResolver {
        stream_inputs: inputs.stream_inputs.clone().or_else(|| default_stream_inputs(&inputs.accelerator)),
    };
    let problem =
        zz_inputs::stream::read_stream_problem(&inputs.accelerator, &inputs.workload, &inputs.mapping, &resolver)?;
    pipeline::prepare_with_tiling(problem, opts, tiling)
}

pub(crate) fn default_stream_inputs(acc: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(acc).ok()?;
    abs.ancestors().skip(1).find(|d| d.join("testing").is_dir() || d.join("examples").is_dir()).map(Path::to_path_buf)
}

/// Runs `stream`.
pub fn run(args: StreamArgs) -> Result<(), Failure> {
    let mode = match args.mode.as_str() {
        "lbl" => Mode::Lbl,
        "fused" => Mode::Fused,
        other => return Err(Failure::input(format!("--mode: expected lbl or fused, got `{other}`"))),
    };
    let layer_stacks = match &args.inputs.layer_stacks {
        None => None,
        Some(s) => Some(
            serde_json::from_value::<Vec<Vec<usize>>>(json_arg(s)?)
                .map_err(|e| Failure::input(format!("--layer-stacks: expected a list of lists of layer ids: {e}")))?,
        ),
    };
    let order = match args.scheduling_order.as_str() {
        "stream" => SchedulingOrder::Stream,
        "id-asc" => SchedulingOrder::IdAsc,
        "id-desc" => SchedulingOrder::IdDesc,
        other => {
            SchedulingOrder::Explicit(serde_json::from_value::<Vec<(usize, usize)>>(json_arg(other)?).map_err(|e| {
                Failure::input(format!(
                    "--scheduling-order: expected stream, id-asc, id-desc or a JSON list of [layer, sub_id]: {e}"
                ))
            })?)
        }
    };
    let mut allocation = Allocation::default();
    let spec = PrepareOptions {
        cn: CnOptions { mode, layer_stacks },
        cost: CostOptions { lpf_limit: args.lpf_limit, ..Default::default() },
    };
    let t0 = std::time::Instant::now();
    let prep = read_and_prepare(&args.inputs, &spec, None).map_err(|e| match e {
        pipeline::StreamError::Input(e) => Failure::input(e.to_string()),
        other => Failure::input(format!("{}: {other}", args.inputs.workload.display())),
    })?;
    for w in &prep.warnings {
        eprintln!("{w}");
    }
    let allocator = co::choose(&args, &prep)?;
    let mut order = order;
    let mut co_run = None;
    let prep = if allocator == co::Allocator::Co {
        let opts = co::options(&args)?;
        let pre_ids = |p: &pipeline::Prepared| -> Vec<Vec<(usize, usize)>> {
            let preds = zz_stream::co::steady_state::predecessors(&p.graph);
            p.graph
                .layer_stacks
                .iter()
                .filter_map(|s| zz_stream::co::steady_state::extract(&p.graph, &preds, s).ok().flatten())
                .map(|ss| ss.cns.iter().map(|&i| (p.graph.cns[i].id, p.graph.cns[i].sub_id)).collect())
                .collect()
        };
        let ss_ids = pre_ids(&prep);
        let c = pipeline::prepare_co_from(&spec, prep, &opts).map_err(|e| {
            Failure::input(format!(
                "{}: {e}\nhint: check the layer stacks and the mapping's core_allocation",
                args.inputs.mapping.display()
            ))
        })?;
        order = c.order.clone();
        let p = c.prepared.clone();
        co_run = Some((c, ss_ids));
        p
    } else {
        if let Some(s) = &args.inputs.allocation {
            allocation = parse_allocation(s)?;
        }
        prep
    };
    if let Some((c, _)) = &co_run
        && !args.quiet
    {
        print!("{}", co::summary(c));
    }
    let t_cost = t0.elapsed().as_secs_f64();
    let opts = ScheduleOptions {
        prefetch_operands: args.prefetch.clone(),
        exact_memory_timesteps: args.exact_memory_timesteps,
        sink_layers_ignore_intra_edges: args.sink_layers_ignore_intra_edges,
        fix_memory_operands: args.fix_memory_operands,
        ..Default::default()
    };
    let pipeline_failure = |e: pipeline::StreamError| {
        use pipeline::StreamError as E;
        let msg = e.to_string();
        let hint = match e {
            E::NoCore { .. } => {
                "layers whose core allocation the mapping leaves open need --allocation (e.g. '{\"3\": 1}' or '{\"3:0\": 1}')"
            }
            E::TilingsNotMultiples { .. } => {
                "pass --scheduling-order id-desc (or id-asc), or give the fused layers intra_core_tiling factors that are multiples of each other"
            }
            E::UnresolvedWildcard { .. } => {
                "use --allocator co (chosen automatically for `*` tilings), or replace the `*` inter-core tiling in the mapping by a number of tiles (e.g. `K, 1`)"
            }
            _ => "check the mapping's core_allocation and tilings",
        };
        Failure::input(format!("{}: {msg}\nhint: {hint}", args.inputs.mapping.display()))
    };
    let search = if allocator == co::Allocator::Ga {
        ga::search_if_needed(&args, &prep, &mut allocation, &order, &opts, &pipeline_failure)?
    } else {
        None
    };
    let t_ga = search.as_ref().map_or(0.0, |s| s.seconds);
    let input = pipeline::schedule_input(&prep, &allocation, &order).map_err(pipeline_failure)?;
    let sched = zz_stream::scheduler::schedule(&input, &opts).map_err(|e| {
        Failure::input(format!(
            "{}: the schedule cannot be built: {e}\nhint: {}",
            args.inputs.accelerator.display(),
            hint(&e)
        ))
    })?;
    let t_total = t0.elapsed().as_secs_f64();
    let mut report = build_report(&args, &prep, &input, &sched);
    if let Some((c, ids)) = &co_run {
        report.co = Some(co::report(c, ids));
    }
    print!("{}", zz_report::stream::stream_summary(&report));
    if !args.quiet {
        let ga = search.as_ref().map_or(String::new(), |s| format!("genetic algorithm {:.2} s, ", s.seconds));
        println!(
            "({} CNs; per-CN costs {:.2} s, {ga}schedule {:.3} s)",
            input.cns.len(),
            t_cost,
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
        let mut wrote = "schedule.json, gantt.png, gantt.html, memory.png, trace.json (ui.perfetto.dev)";
        if let Some((c, _)) = &co_run {
            let p = dir.join("co_mapping.yaml");
            std::fs::write(&p, co::mapping_yaml(&args, c)?)
                .map_err(|e| Failure::other(format!("{}: {e}", p.display())))?;
            wrote =
                "schedule.json, gantt.png, gantt.html, memory.png, trace.json (ui.perfetto.dev) and co_mapping.yaml";
        }
        if let Some(s) = &search {
            ga::write_outputs(dir, &args, &prep, &input, &allocation, &s.result)?;
            wrote = "schedule.json, gantt.png, gantt.html, memory.png, trace.json (ui.perfetto.dev), pareto.json, pareto.png and allocation_mapping.yaml";
        }
        eprintln!("wrote {wrote} to {}", dir.display());
    }
    Ok(())
}

/// What to change in the inputs when the schedule cannot be built.
fn hint(e: &zz_stream::scheduler::ScheduleError) -> &'static str {
    use zz_stream::scheduler::ScheduleError as E;
    match e {
        E::TensorLargerThanMemory { .. } | E::MemoryOverflow { .. } | E::NotEnoughEvictable { .. } => {
            "the data of one computation node does not fit the core's memory: split the layers into smaller CNs \
             (a finer `intra_core_tiling` in the mapping, e.g. `OY, all`), use --mode lbl, or give the core a larger top memory"
        }
        E::OffchipEviction { .. } => "make the off-chip memory of the accelerator larger",
        E::NoLinkWindow { .. } => "raise the bandwidth of the link in `core_connectivity`",
        E::NoPath(..) => "connect the two cores in `core_connectivity` (a link or a bus)",
        E::TensorNotOnCore { .. } | E::TensorNotFound(..) => {
            "a tensor split over several CNs of a fused stack is needed where it was never stored (the reference \
             fails an assertion here too): use --mode lbl, or give the producer and consumer layers the same \
             `intra_core_tiling` so their CNs line up"
        }
        E::NoMemoryForOperand { .. } => {
            "give the core a memory for that operand, or allocate the layer to another core"
        }
        E::NoCandidate { .. } => "the layer graph or the given scheduling order has a cycle; check --scheduling-order",
        _ => "check the accelerator, mapping and workload files named above",
    }
}

fn build_report(
    args: &StreamArgs,
    prep: &pipeline::Prepared,
    input: &zz_stream::schedule_input::ScheduleInput,
    s: &zz_stream::scheduler::Schedule,
) -> StreamReport {
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let mut r = StreamReport::new(prep.accelerator.name.clone(), name(&args.inputs.workload), args.mode.clone());
    r.latency = s.latency;
    r.energy = s.energy.total();
    let e = &s.energy;
    for (k, v) in [
        ("CN on-chip", e.cn_onchip),
        ("CN off-chip link", e.cn_offchip_link),
        ("CN off-chip memory", e.cn_offchip_memory),
        ("eviction link", e.eviction_to_offchip_link),
        ("eviction memory", e.eviction_to_offchip_memory),
        ("sink-layer output link", e.sink_layer_output_offchip_link),
        ("sink-layer output memory", e.sink_layer_output_offchip_memory),
        ("core-to-core link", e.core_to_core_link),
        ("core-to-core memory", e.core_to_core_memory),
    ] {
        r.energy_buckets.insert(k, v);
    }
    let layer_name = |l: u32| {
        prep.graph
            .layers
            .iter()
            .find(|t| t.id == l as usize)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| format!("layer {l}"))
    };
    for (k, c) in input.topology.cores.iter().enumerate() {
        let hw = prep.accelerator.cores.iter().find(|x| x.id == c.id);
        // `+ 0.0`: an empty float sum is -0.0, printed as "-0.0 %".
        let busy: f64 = s.cns.iter().filter(|x| x.core == k).map(|x| x.end - x.start).sum::<f64>() + 0.0;
        let mems: Vec<usize> = c.top_memories.iter().map(|t| t.memory).collect();
        let peak = mems.iter().map(|&m| s.memories[m].peak as f64).fold(0.0, f64::max);
        let cap = mems.iter().map(|&m| input.topology.memories[m].capacity as f64).fold(0.0, f64::max);
        r.cores.push(CoreReport {
            id: k,
            name: format!("core{} {}", c.id, c.name),
            kind: match hw.map(|h| h.core_type) {
                Some(CoreType::Memory) => "offchip".into(),
                _ => "compute".into(),
            },
            utilization: if s.latency > 0.0 { busy / s.latency } else { 0.0 },
            busy_cycles: busy,
            peak_memory_bits: peak,
            memory_capacity_bits: cap,
        });
    }
    for (k, l) in input.topology.links.iter().enumerate() {
        let name = match l.endpoints {
            Some((a, b)) => format!("{}→{}", input.topology.cores[a].name, input.topology.cores[b].name),
            None => format!("bus {k}"),
        };
        r.links.push(LinkReport { id: k, name, bandwidth: l.bandwidth });
    }
    let used = prep.accelerator.used_links();
    r.replaced_links =
        prep.accelerator.links.iter().filter(|l| l.kind == StreamLinkKind::Link && !used.contains(&l.id)).count();
    for (k, c) in s.cns.iter().enumerate() {
        let cn = &input.cns[k];
        r.cns.push(CnReport {
            layer: c.layer as usize,
            sub_id: c.sub_id as usize,
            name: layer_name(c.layer),
            core: c.core,
            start: c.start,
            end: c.end,
            energy: cn.onchip_energy + cn.offchip_energy,
        });
    }
    for t in &s.transfers {
        let tensor = input.tensors.get(t.tensor);
        r.transfers.push(TransferReport {
            tensor: tensor.map(|x| format!("L{} {} {:?}", x.layer, x.layer_operand, x.loop_ranges)).unwrap_or_default(),
            layer: tensor.map(|x| x.layer as usize).unwrap_or(0),
            operand: tensor.map(|x| x.layer_operand.clone()).unwrap_or_default(),
            src_core: t.sender,
            dst_core: t.receiver,
            links: t.links.clone(),
            start: t.start,
            end: t.end,
            bits: t.size as f64,
            cause: match t.cause {
                TransferCause::OffChip => "fetch",
                TransferCause::CoreToCore => "core-to-core",
                TransferCause::Eviction => "eviction",
                TransferCause::SinkLayer => "sink",
            }
            .into(),
        });
    }
    for (m, u) in s.memories.iter().enumerate() {
        let mi = &input.topology.memories[m];
        r.memory.push(MemoryTimeline {
            core: mi.cores.first().copied().unwrap_or(0),
            instance: mi.name.clone(),
            capacity_bits: mi.capacity as f64,
            points: u.timeline.iter().map(|&(t, v)| (t, v as f64)).collect(),
        });
    }
    r
}
