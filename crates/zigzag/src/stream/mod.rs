//! Multi-core scheduling with classic Stream's semantics (`zigzag-rs stream`): prepare the
//! computation nodes and their per-core costs, allocate the layers the mapping leaves open
//! (fixed, genetic algorithm or constraint optimisation), list-schedule and report.
//!
//! Every call into `zz-stream` lives in this folder (one place to adapt when the engine's
//! API changes). Staged use, as the command line does it:
//! [`prepare`] → [`StreamRun::choose_allocator`] → [`StreamRun::allocate_co`] or
//! [`StreamRun::genetic_search`] → [`StreamRun::schedule`] → [`StreamRun::report`]. One call
//! for a fixed allocation: [`schedule`].

mod allocation;
mod co;
mod ga;
mod granularity;
mod inputs;
mod outputs;
mod report;

use std::path::Path;

use zz_inputs::Warning;
use zz_inputs::stream::CoreResolver;
use zz_ir::choice::UnknownChoice;
use zz_report::stream::StreamReport;
use zz_stream::cn::CnOptions;
use zz_stream::cost::CostOptions;
use zz_stream::pipeline::{self, StreamError};
use zz_stream::scheduler::{Schedule, ScheduleError};

pub use allocation::{CoReplay, allocation_from_json, co_replay_from_json};
pub use co::CoRun;
pub use ga::{GaConstraints, GaSearch, ga_design_points, ga_summary, pareto_json, value_text};
pub use granularity::{GranularityCandidate, GranularityResult, GranularityRow, granularity, parse_tiling};
pub use zz_ir::stream::mapping::TilingFactor;
pub use zz_stream::cn::Mode;
pub use zz_stream::co::{CoOptions, TieBreak};
pub use zz_stream::ga::{
    AllocationObjective as GaObjective, ExhaustiveResult, GaOptions, GaResult, Gene, GenerationStats,
    Metrics as GaMetrics, space_size,
};
pub use zz_stream::pipeline::{Allocation, SchedulingOrder};
pub use zz_stream::schedule_input::ScheduleInput;
pub use zz_stream::scheduler::ScheduleOptions;

use crate::{Error, Result, Source, StreamFailure};

/// Which allocator decides the cores the mapping leaves open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Allocator {
    /// Constraint optimisation (resolves `*` inter-core tilings).
    Co,
    /// Genetic algorithm for the open (layer, group) pairs.
    Ga,
    /// The mapping and the given allocation only.
    Fixed,
}

impl std::str::FromStr for Allocator {
    type Err = UnknownChoice;

    /// `co`, `ga` or `fixed`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "co" => Ok(Allocator::Co),
            "ga" => Ok(Allocator::Ga),
            "fixed" => Ok(Allocator::Fixed),
            _ => Err(UnknownChoice::new(s, &["co", "ga", "fixed"])),
        }
    }
}

/// The inputs of a Stream run. The accelerator is a file (it names its core files relative
/// to itself); workload and mapping may be in memory.
#[derive(Clone, Copy, Debug)]
pub struct StreamInputs<'a> {
    /// Stream multi-core accelerator YAML (a path).
    pub accelerator: Source<'a>,
    /// Workload: ONNX or workload YAML.
    pub workload: Source<'a>,
    /// Stream mapping YAML.
    pub mapping: Source<'a>,
    /// The folder playing Stream's `stream/inputs` (default: the nearest ancestor of the
    /// accelerator file holding `examples/` or `testing/`).
    pub stream_inputs: Option<&'a Path>,
}

/// How the workload is cut into computation nodes and costed.
#[derive(Clone, Debug, PartialEq)]
pub struct PrepareOptions {
    /// Layer by layer or layer-fused.
    pub mode: Mode,
    /// Layer stacks (default: Stream decides).
    pub layer_stacks: Option<Vec<Vec<usize>>>,
    /// LOMA loop-prime-factor limit of the per-CN cost search.
    pub lpf_limit: usize,
    /// Temporal mapping type of the per-CN cost search (Stream's `temporal_mapping_type`).
    pub mapping_type: crate::MappingType,
    /// Temporal search engine of the per-CN cost search: LOMA (the reference) or, beyond the
    /// reference, the optimal engine (the best mapping of the full ordering space under
    /// Stream's objective). SALSA is not offered here.
    pub engine: crate::Engine,
    /// With the optimal engine: per (CN, core, spatial mapping), stop the search after this long
    /// and keep the best found (the report counts the stopped searches; results then depend on
    /// the machine's speed).
    pub time_limit: Option<std::time::Duration>,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            mode: Mode::Fused,
            layer_stacks: None,
            lpf_limit: 6,
            mapping_type: crate::MappingType::Uneven,
            engine: crate::Engine::Loma,
            time_limit: None,
        }
    }
}

impl PrepareOptions {
    /// The per-CN search options these stand for.
    fn cost_options(&self) -> Result<CostOptions> {
        let optimal = match self.engine {
            crate::Engine::Loma if self.time_limit.is_some() => {
                return Err(Error::InvalidOption {
                    message:
                        "the per-CN time limit applies to the optimal engine (--engine optimal); LOMA's per-CN search \
                              is small at Stream's --lpf-limit"
                            .into(),
                });
            }
            crate::Engine::Loma => None,
            crate::Engine::Optimal => {
                Some(zz_search::optimal::OptimalOptions { time_limit: self.time_limit, ..Default::default() })
            }
            crate::Engine::Salsa => {
                return Err(Error::InvalidOption {
                    message: "the per-CN search of `stream` takes --engine loma or optimal, not salsa".into(),
                });
            }
        };
        Ok(CostOptions { lpf_limit: self.lpf_limit, mapping_type: self.mapping_type, optimal, ..Default::default() })
    }
}

/// A prepared Stream run: the accelerator, the CNs and their costs.
pub struct StreamRun {
    pub(crate) prep: pipeline::Prepared,
    pub(crate) files: inputs::Files,
    resolver: CoreResolver,
    cn: CnOptions,
    cost: CostOptions,
}

/// A schedule and the scheduler input it was built from.
pub struct Scheduled {
    /// The scheduler's input (CNs with cores and runtimes, tensors, topology).
    pub input: ScheduleInput,
    /// The schedule.
    pub schedule: Schedule,
}

fn stream_error(context: &str, message: String, hint: Option<&'static str>, kind: StreamFailure) -> Error {
    Error::Stream { context: context.to_string(), message, hint, kind }
}

/// Reads the inputs, generates the CNs and costs them on their cores.
pub fn prepare(inputs: &StreamInputs<'_>, opts: &PrepareOptions) -> Result<StreamRun> {
    prepare_with_tiling(inputs, opts, None)
}

fn prepare_with_tiling(
    inputs: &StreamInputs<'_>,
    opts: &PrepareOptions,
    tiling: Option<&zz_ir::stream::mapping::Tiling>,
) -> Result<StreamRun> {
    let files = inputs::Files::new(&inputs.accelerator, &inputs.workload, &inputs.mapping)?;
    let resolver = CoreResolver {
        stream_inputs: inputs.stream_inputs.map(Path::to_path_buf).or_else(|| files.accelerator_dir_default_inputs()),
    };
    let cn = CnOptions { mode: opts.mode, layer_stacks: opts.layer_stacks.clone() };
    let cost = opts.cost_options()?;
    let problem = files.read(&resolver)?;
    let popts = pipeline::PrepareOptions { cn: cn.clone(), cost: cost.clone() };
    let prep = pipeline::prepare_with_tiling(problem, &popts, tiling).map_err(|e| match e {
        StreamError::Input(e) => Error::Input(e),
        other => stream_error(&files.workload_label, other.to_string(), None, StreamFailure::Pipeline),
    })?;
    Ok(StreamRun { prep, files, resolver, cn, cost })
}

/// What to change when the allocation or ordering fails.
fn pipeline_hint(e: &StreamError) -> (&'static str, StreamFailure) {
    if matches!(e, StreamError::NoCore { .. }) {
        (
            "layers whose core allocation the mapping leaves open need --allocation (e.g. '{\"3\": 1}' or '{\"3:0\": 1}')",
            StreamFailure::NoCore,
        )
    } else if matches!(e, StreamError::TilingsNotMultiples { .. }) {
        (
            "pass --scheduling-order id-desc (or id-asc), or give the fused layers intra_core_tiling factors that are multiples of each other",
            StreamFailure::Interleaving,
        )
    } else if matches!(e, StreamError::UnresolvedWildcard { .. }) {
        (
            "use --allocator co (chosen automatically for `*` tilings), or replace the `*` inter-core tiling in the mapping by a number of tiles (e.g. `K, 1`)",
            StreamFailure::UnresolvedWildcard,
        )
    } else {
        ("check the mapping's core_allocation and tilings", StreamFailure::Pipeline)
    }
}

/// What to change in the inputs when the schedule cannot be built.
fn schedule_hint(e: &ScheduleError) -> &'static str {
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
            "a tensor is looked up in a memory that does not hold it (as the reference does, it is looked up \
             under its producer's memory operand, and a tensor split over several CNs of a fused stack may be \
             needed where it was never stored): use --mode lbl, give the producer and consumer layers the same \
             `intra_core_tiling` so their CNs line up, or allocate the consumer to another core"
        }
        E::NoMemoryForOperand { .. } => {
            "give the core a memory for that operand, or allocate the layer to another core"
        }
        E::NoCandidate { .. } => "the layer graph or the given scheduling order has a cycle; check --scheduling-order",
        _ => "check the accelerator, mapping and workload files named above",
    }
}

impl StreamRun {
    /// The readers' warnings, in order.
    pub fn warnings(&self) -> &[Warning] {
        &self.prep.warnings
    }

    /// The accelerator's name.
    pub fn accelerator_name(&self) -> &str {
        &self.prep.accelerator.name
    }

    /// The workload's file name, as reports name it.
    pub fn workload_name(&self) -> &str {
        &self.files.workload_name
    }

    /// Number of computation nodes.
    pub fn cn_count(&self) -> usize {
        self.prep.graph.cns.len()
    }

    /// Whether a layer has a `*` inter-core tiling (only the constraint optimiser resolves it).
    pub fn has_wildcard(&self) -> bool {
        pipeline::has_wildcard(&self.prep.graph)
    }

    /// The allocator to use: `forced`, or constraint optimisation when a layer has a `*`
    /// inter-core tiling, else the genetic algorithm for the layers the mapping leaves open.
    /// The flag says whether constraint optimisation was chosen because of a `*` tiling.
    pub fn choose_allocator(&self, forced: Option<Allocator>) -> Result<(Allocator, bool)> {
        let wildcard = self.has_wildcard();
        match forced {
            Some(Allocator::Co) => Ok((Allocator::Co, false)),
            Some(Allocator::Ga | Allocator::Fixed) if wildcard => Err(stream_error(
                &self.files.mapping_label,
                "a layer has a `*` inter-core tiling, which only the constraint optimiser resolves".into(),
                Some(
                    "use --allocator co (the default for such mappings), or replace `*` by a number of tiles (e.g. `K, 1`)",
                ),
                StreamFailure::UnresolvedWildcard,
            )),
            Some(a) => Ok((a, false)),
            None if wildcard => Ok((Allocator::Co, true)),
            None => Ok((Allocator::Ga, false)),
        }
    }

    pub(crate) fn pipeline_failure(&self, e: StreamError) -> Error {
        let (hint, kind) = pipeline_hint(&e);
        let message = e.to_string();
        stream_error(&self.files.mapping_label, message, Some(hint), kind)
    }

    /// The scheduler input for an allocation and order.
    pub fn schedule_input(&self, allocation: &Allocation, order: &SchedulingOrder) -> Result<ScheduleInput> {
        pipeline::schedule_input(&self.prep, allocation, order).map_err(|e| self.pipeline_failure(e))
    }

    /// Builds the schedule for an allocation and order.
    pub fn schedule(
        &self,
        allocation: &Allocation,
        order: &SchedulingOrder,
        opts: &ScheduleOptions,
    ) -> Result<Scheduled> {
        let input = self.schedule_input(allocation, order)?;
        let schedule = zz_stream::scheduler::schedule(&input, opts).map_err(|e| {
            stream_error(
                &self.files.accelerator_label,
                format!("the schedule cannot be built: {e}"),
                Some(schedule_hint(&e)),
                StreamFailure::Schedule,
            )
        })?;
        Ok(Scheduled { input, schedule })
    }

    /// The CN dependency graph (`graph.json`, `graph.dot`): every CN with its layer, sub id and,
    /// when `scheduled` is given, core and start/end; every edge with the bits it carries
    /// (`intra` edges only order the CNs of one layer).
    pub fn cn_graph(&self, scheduled: Option<&Scheduled>) -> zz_report::stream::CnGraph {
        let g = &self.prep.graph;
        let by_cn: std::collections::HashMap<(usize, usize), &zz_stream::scheduler::ScheduledCn> = scheduled
            .map(|s| s.schedule.cns.iter().map(|c| ((c.layer as usize, c.sub_id as usize), c)).collect())
            .unwrap_or_default();
        let placed = |layer: usize, sub: usize| by_cn.get(&(layer, sub)).copied();
        let nodes = g
            .cns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let p = placed(c.id, c.sub_id);
                zz_report::stream::GraphNode {
                    id: i,
                    layer: c.id,
                    sub_id: c.sub_id,
                    name: g.layers[c.layer].name.clone(),
                    core: p.map(|p| p.core).or(c.chosen_core),
                    start: p.map(|p| p.start),
                    end: p.map(|p| p.end),
                }
            })
            .collect();
        let edges = g
            .edges
            .iter()
            .map(|e| zz_report::stream::GraphEdge {
                src: e.src,
                dst: e.dst,
                bits: e.bits as f64,
                kind: if e.operand.is_some() { "inter".into() } else { "intra".into() },
            })
            .collect();
        zz_report::stream::CnGraph { workload: self.files.workload_name.clone(), nodes, edges }
    }

    /// The report of a schedule of this run.
    pub fn report(&self, scheduled: &Scheduled) -> StreamReport {
        report::build_report(
            &self.files.workload_name,
            self.cn.mode.name(),
            &self.prep,
            &scheduled.input,
            &scheduled.schedule,
        )
    }
}

/// Options of a one-call Stream schedule.
#[derive(Clone, Debug)]
pub struct ScheduleRequest {
    /// CN generation and costing.
    pub prepare: PrepareOptions,
    /// Cores for layers the mapping leaves open.
    pub allocation: Allocation,
    /// Scheduling order.
    pub order: SchedulingOrder,
    /// Scheduler options (prefetch, fixes).
    pub schedule: ScheduleOptions,
}

impl Default for ScheduleRequest {
    fn default() -> Self {
        ScheduleRequest {
            prepare: PrepareOptions::default(),
            allocation: Allocation::default(),
            order: SchedulingOrder::Stream,
            schedule: ScheduleOptions::default(),
        }
    }
}

/// A finished one-call schedule.
pub struct StreamOutcome {
    /// The report, as `zigzag-rs stream --json` writes it.
    pub report: StreamReport,
    /// The readers' warnings.
    pub warnings: Vec<Warning>,
}

/// Schedules a workload with a fixed allocation (the mapping's and `allocation`'s cores) in
/// one call.
pub fn schedule(inputs: &StreamInputs<'_>, request: &ScheduleRequest) -> Result<StreamOutcome> {
    let run = prepare(inputs, &request.prepare)?;
    let scheduled = run.schedule(&request.allocation, &request.order, &request.schedule)?;
    Ok(StreamOutcome { report: run.report(&scheduled), warnings: run.warnings().to_vec() })
}
