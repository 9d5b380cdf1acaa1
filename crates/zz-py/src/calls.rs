//! The work behind each Python call, in plain Rust: single-core runs, batches of them, sweep
//! points and YAML trees. Requests arrive as JSON option objects (the Python side fills in the
//! defaults), results leave as `zz-report` JSON.

use std::time::Duration;

use rayon::prelude::*;
use serde::Deserialize;
use zigzag::single_core::{MapOptions, Observer, SalsaSettings, SingleCoreInputs};
use zigzag::sweep::SweepOptions;
use zigzag::{Engine, Error, MappingType, Objective, SalsaCriterion};
use zz_ir::accelerator::Accelerator;

use crate::input::Input;

/// The options of a single-core run, as `zigzag_rs._engine.SINGLE_CORE_DEFAULTS` names them.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SingleCoreRequest {
    /// `latency`, `energy` or `edp`.
    pub opt: String,
    /// Loop-prime-factor limit of LOMA.
    pub lpf_limit: usize,
    /// Spatial mappings generated per layer.
    pub spatial_mappings: usize,
    /// Mixed spatial mappings.
    pub mixed_spatial: bool,
    /// Inter-layer data locality.
    pub exploit_data_locality: bool,
    /// `uneven` or `even`.
    pub mapping_type: String,
    /// `loma`, `salsa` or `optimal`.
    pub engine: String,
    /// Fix of ZigZag issue #97.
    pub fix_capacity_clamp: bool,
    /// Sum half-shared on-loading links.
    pub fix_onloading_sum: bool,
    /// Seconds per spatial mapping, or none.
    pub time_limit: Option<f64>,
    /// SALSA seed.
    pub seed: u64,
    /// SALSA steps per chain.
    pub salsa_iterations: usize,
    /// SALSA chains.
    pub salsa_chains: usize,
    /// `energy` or `latency`.
    pub salsa_criterion: String,
}

/// `time_limit` in seconds: positive and finite.
pub(crate) fn time_limit(t: Option<f64>) -> Result<Option<Duration>, Error> {
    match t {
        None => Ok(None),
        Some(t) if t.is_finite() && t > 0.0 => Ok(Some(Duration::from_secs_f64(t))),
        Some(t) => Err(invalid("time_limit", format!("expected a positive number of seconds, got {t}"))),
    }
}

fn invalid(option: &str, e: impl std::fmt::Display) -> Error {
    Error::InvalidOption { message: format!("{option}: {e}") }
}

impl SingleCoreRequest {
    /// Parses the JSON the Python side sends.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        serde_json::from_str(text).map_err(|e| invalid("options", e))
    }

    /// The facade's options; a bad choice names the option and the accepted values.
    pub fn map_options(&self) -> Result<MapOptions, Error> {
        let objective: Objective = self.opt.parse().map_err(|e| invalid("opt", e))?;
        let mapping_type: MappingType = self.mapping_type.parse().map_err(|e| invalid("mapping_type", e))?;
        let engine: Engine = self.engine.parse().map_err(|e| invalid("engine", e))?;
        let criterion: SalsaCriterion = self.salsa_criterion.parse().map_err(|e| invalid("salsa_criterion", e))?;
        let time_limit = time_limit(self.time_limit)?;
        Ok(MapOptions {
            objective,
            lpf_limit: self.lpf_limit,
            spatial_mappings: self.spatial_mappings,
            mixed_spatial: self.mixed_spatial,
            exploit_data_locality: self.exploit_data_locality,
            mapping_type,
            fix_capacity_clamp: self.fix_capacity_clamp,
            fix_onloading_sum: self.fix_onloading_sum,
            engine,
            time_limit,
            salsa: SalsaSettings {
                seed: self.seed,
                iterations: self.salsa_iterations,
                chains: self.salsa_chains,
                criterion,
            },
            // The ZigZag drop-in keeps the reference's rules (beyond-reference search options
            // are the command line's).
            ..MapOptions::default()
        })
    }
}

/// What a single-core run hands back to Python.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleCoreRun {
    /// The report, exactly as `zigzag-rs map --json` writes it.
    pub report_json: String,
    /// Reader and check warnings, as the command line prints them.
    pub warnings: Vec<String>,
    /// Per layer, the loop-nest table (when asked for).
    pub loop_nests: Vec<String>,
}

/// One point of a batch: three inputs and the run's options.
#[derive(Clone, Debug)]
pub struct SingleCoreJob {
    /// The workload.
    pub workload: Input,
    /// The accelerator.
    pub accelerator: Input,
    /// The mapping.
    pub mapping: Input,
    /// The options.
    pub request: SingleCoreRequest,
}

/// Runs one single-core search; `progress(n)` is told of every `n` more orderings evaluated.
pub fn run_single_core(
    job: &SingleCoreJob,
    loop_nests: bool,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<SingleCoreRun, Error> {
    let opts = job.request.map_options()?;
    let (inputs, warnings) =
        SingleCoreInputs::read(&job.accelerator.source(), &job.workload.source(), &job.mapping.source())?;
    let observer = progress.map(|p| Observer { progress: p, on_layer: &|_, _, _| {} });
    let result = inputs.search(&opts, observer.as_ref())?;
    let report = inputs.report(&result)?;
    let report_json = zz_report::to_json_string(&report).map_err(|e| Error::Other(e.to_string()))?;
    let loop_nests = if loop_nests { report.layers.iter().map(zz_report::loop_nest_table).collect() } else { vec![] };
    Ok(SingleCoreRun { report_json, warnings: warnings.iter().map(|w| w.to_string()).collect(), loop_nests })
}

/// Runs a batch of independent single-core searches on the thread pool; results in job order.
/// `done(k)` is called as job `k` finishes (from a worker thread).
pub fn run_batch(jobs: &[SingleCoreJob], done: &(dyn Fn(usize) + Sync)) -> Vec<Result<SingleCoreRun, Error>> {
    jobs.par_iter()
        .enumerate()
        .map(|(k, job)| {
            let r = run_single_core(job, false, None);
            done(k);
            r
        })
        .collect()
}

/// A sweep: a base accelerator, its parameter values (a sweep file's text or path) and the
/// workload and mapping every point runs.
#[derive(Clone, Debug)]
pub struct SweepJob {
    /// Base accelerator.
    pub accelerator: Input,
    /// Workload.
    pub workload: Input,
    /// Mapping.
    pub mapping: Input,
    /// The sweep file (`parameters:` list of `path` + `values`).
    pub sweep: Input,
    /// Objective per layer.
    pub opt: String,
    /// Loop-prime-factor limit.
    pub lpf_limit: usize,
}

/// A sweep read and expanded: every point's accelerator is built up front, so a bad parameter
/// fails before any search.
pub struct PreparedSweep {
    /// Every point's accelerator (memories with CACTI costs re-costed).
    pub accelerators: Vec<Accelerator>,
    /// Per point, the value of each parameter as text.
    pub values: Vec<Vec<String>>,
    /// Parameter paths, in file order.
    pub paths: Vec<String>,
    workload: zz_ir::workload::Workload,
    mapping: zz_ir::mapping::Mapping,
    spec: zigzag::sweep::SweepSpec,
    opts: SweepOptions,
}

/// One evaluated sweep point: the fields of `zigzag-rs sweep`'s `sweep.json` points but
/// feasibility and the Pareto front, which the caller decides over all points (so that points
/// evaluated in separate tasks give the same result as one run).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SweepPoint {
    /// Point index (the last parameter varies fastest).
    pub point: usize,
    /// Energy (pJ), NaN (JSON `null`) when the point failed.
    pub energy: f64,
    /// Latency (cycles), NaN when the point failed.
    pub latency: f64,
    /// Area (IMC: the reference's IMC area; else MAC units × unit area + memory areas).
    pub area: f64,
    /// Clock period of an IMC array (ns).
    pub tclk: Option<f64>,
    /// On-chip memory (bits).
    pub onchip_memory_bits: f64,
    /// Why the point has no numbers.
    pub error: Option<String>,
}

impl PreparedSweep {
    /// Reads the inputs and the sweep, builds every point's accelerator.
    pub fn new(job: &SweepJob) -> Result<Self, Error> {
        let base = zigzag::single_core::read_accelerator(&job.accelerator.source())?.value;
        let workload = zigzag::single_core::read_workload(&job.workload.source())?.value;
        let mapping = zigzag::single_core::read_mapping(&job.mapping.source())?.value;
        // A spatial-mapping dimension no layer has (a typo) is an input error here as in `sweep`.
        zigzag::single_core::check_mapping_dimensions(&mapping, &job.mapping.source(), &workload)?;
        let spec = zigzag::sweep::read_sweep(&job.sweep.source())?.value;
        let accelerators = zigzag::sweep::point_accelerators(&base, &spec)?;
        let values = (0..spec.n_points())
            .map(|k| spec.parameters.iter().zip(spec.point(k)).map(|(p, i)| p.values[i].to_string()).collect())
            .collect();
        let objective: Objective = job.opt.parse().map_err(|e| invalid("opt", e))?;
        Ok(PreparedSweep {
            accelerators,
            values,
            paths: spec.parameters.iter().map(|p| p.path.clone()).collect(),
            workload,
            mapping,
            spec,
            opts: SweepOptions { objective, lpf_limit: job.lpf_limit, constraints: Default::default() },
        })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.accelerators.len()
    }

    /// Whether the sweep has no points.
    pub fn is_empty(&self) -> bool {
        self.accelerators.is_empty()
    }

    /// Evaluates the points `ks` on the thread pool, as `zigzag-rs sweep` evaluates each point
    /// (the facade's sweep run on these points' accelerators); `done()` after each point.
    pub fn evaluate_many(&self, ks: &[usize], done: &(dyn Fn() + Sync)) -> Vec<SweepPoint> {
        let subset: Vec<Accelerator> = ks.iter().map(|&k| self.accelerators[k].clone()).collect();
        let run = zigzag::sweep::run(&self.workload, &self.mapping, &self.spec, &subset, &self.opts, done);
        ks.iter()
            .zip(run.points)
            .map(|(&k, p)| SweepPoint {
                point: k,
                energy: p.energy,
                latency: p.latency,
                area: p.area,
                tclk: p.tclk,
                onchip_memory_bits: p.onchip_memory_bits,
                error: p.error,
            })
            .collect()
    }
}

/// Which of `points` (energy, latency) are on the Pareto front (both minimised), as
/// `zigzag-rs sweep` decides it.
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<bool> {
    zz_report::pareto::pareto_front(points)
}

/// Reads a YAML file into a located tree with PyYAML's semantics (a duplicated key keeps the
/// last value), for `zigzag_rs.utils.open_yaml`.
pub fn load_yaml(path: &str) -> Result<zigzag::yaml::Node, Error> {
    Ok(zigzag::yaml::read_yaml_tree(std::path::Path::new(path))?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Input {
        Input::Path(format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR")))
    }

    fn request() -> SingleCoreRequest {
        SingleCoreRequest::from_json(
            r#"{"opt": "latency", "lpf_limit": 6, "spatial_mappings": 3, "mixed_spatial": false,
                "exploit_data_locality": false, "mapping_type": "uneven", "engine": "loma",
                "fix_capacity_clamp": false, "fix_onloading_sum": false, "time_limit": null, "seed": 0,
                "salsa_iterations": 1000, "salsa_chains": 1, "salsa_criterion": "energy"}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_run_gives_the_facades_report_and_a_batch_the_same() {
        let job = SingleCoreJob {
            workload: example("workload.yaml"),
            accelerator: example("accelerator.yaml"),
            mapping: example("mapping.yaml"),
            request: request(),
        };
        let run = run_single_core(&job, true, None).unwrap_or_else(|e| panic!("{e}"));
        let facade = zigzag::evaluate(
            &job.accelerator.source(),
            &job.workload.source(),
            &job.mapping.source(),
            &MapOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run.report_json, zz_report::to_json_string(&facade.report).unwrap_or_default());
        assert_eq!(run.loop_nests.len(), facade.report.layers.len());
        let batch = run_batch(&[job.clone(), job], &|_| {});
        assert!(batch.iter().all(|r| r.as_ref().is_ok_and(|r| r.report_json == run.report_json)));
    }

    #[test]
    fn bad_options_name_the_option() {
        let mut r = request();
        r.opt = "speed".into();
        let e = r.map_options().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("opt: "), "{e}");
    }
}
