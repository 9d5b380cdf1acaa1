//! Single-core evaluation and mapping search (what `zigzag-rs map` does): read the
//! accelerator, workload and mapping (files or in memory), check them against each other,
//! search every layer and return the [`RunReport`].
//!
//! The one-call form is [`evaluate`]. The staged form ([`read_accelerator`], [`read_workload`],
//! [`read_mapping`], [`SingleCoreInputs::new`], then [`SingleCoreInputs::search`] and
//! [`SingleCoreInputs::report`]) lets a caller show each file's warnings as it is read, the
//! size of the search space before searching, and progress while searching.

mod gap;
mod options;
mod report;

pub use gap::{GapLayer, GapReport, GapTotal};
pub use options::{Engine, MapOptions, MappingType, Objective, SalsaSettings, TieBreak};
pub use report::{check_finite, layer_report, run_report};
pub use zz_search::network::LayerSpace;
pub use zz_search::salsa::SalsaCriterion;
pub use zz_search::{NetworkResult, SearchOptions};

use zz_inputs::Warning;
use zz_ir::accelerator::Accelerator;
use zz_ir::mapping::Mapping;
pub use zz_ir::workload::Workload;
use zz_report::RunReport;

use crate::source::{Read, Source};
use crate::{Error, Result};

/// Reads a ZigZag single-core accelerator (3.9 or legacy ≤3.8 schema).
pub fn read_accelerator(src: &Source<'_>) -> Result<Read<Accelerator>> {
    let r = match src {
        Source::Path(p) => zz_inputs::read_accelerator(p)?,
        other => {
            let (name, text) = other.yaml_text()?;
            zz_inputs::read_accelerator_str(name, text)?
        }
    };
    Ok(Read::new(r))
}

/// Reads a workload: an ONNX model (a `.onnx` path or [`Source::Onnx`]) or ZigZag workload YAML.
pub fn read_workload(src: &Source<'_>) -> Result<Read<Workload>> {
    let r = match *src {
        Source::Path(p) if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx")) => {
            zz_inputs::read_workload_onnx(p)?
        }
        Source::Path(p) => zz_inputs::read_workload_yaml(p)?,
        Source::Text { name, text } => zz_inputs::read_workload_yaml_str(name, text)?,
        Source::Onnx { name, bytes } => zz_inputs::read_workload_onnx_bytes(name, bytes)?,
    };
    Ok(Read::new(r))
}

/// Reads a ZigZag mapping.
pub fn read_mapping(src: &Source<'_>) -> Result<Read<Mapping>> {
    let r = match src {
        Source::Path(p) => zz_inputs::read_mapping(p)?,
        other => {
            let (name, text) = other.yaml_text()?;
            zz_inputs::read_mapping_str(name, text)?
        }
    };
    Ok(Read::new(r))
}

/// Checks a mapping against an accelerator (array dimensions, unrollings that fit, stored
/// operands) and a workload (spatial-mapping dimension names): errors located in the mapping
/// `src` was read from; warnings for unrollings a layer drops.
pub fn check_mapping(
    mapping: &Mapping,
    src: &Source<'_>,
    accelerator: &Accelerator,
    workload: &Workload,
) -> Result<Vec<Warning>> {
    match src {
        Source::Path(p) => {
            let label = p.display().to_string();
            zz_inputs::check_mapping_against_accelerator(mapping, &label, accelerator)?;
            Ok(zz_inputs::check_mapping_against_workload(mapping, &label, workload)?)
        }
        other => {
            let (name, text) = other.yaml_text()?;
            let spans = zz_inputs::yaml::read_mapping_with_spans_str(name, text)
                .ok()
                .filter(|(m, _, _)| m == mapping)
                .map(|(_, s, _)| s)
                .unwrap_or_default();
            zz_inputs::yaml::check_mapping_against_accelerator_with_spans(mapping, &spans, name, accelerator)?;
            Ok(zz_inputs::yaml::check_mapping_against_workload_with_spans(mapping, &spans, name, workload)?)
        }
    }
}

/// Checks only the mapping's layer dimensions against the workload: a spatial-mapping dimension
/// that is no dimension of any layer (a typo) is an input error, one a layer lacks is dropped as
/// ZigZag does with a warning. `compare` and `sweep` use this (a sweep reduces unrollings larger
/// than a variant's array instead of rejecting them, so the accelerator check of
/// [`check_mapping`] does not apply there).
pub fn check_mapping_dimensions(mapping: &Mapping, src: &Source<'_>, workload: &Workload) -> Result<Vec<Warning>> {
    match src {
        Source::Path(p) => Ok(zz_inputs::check_mapping_against_workload(mapping, &p.display().to_string(), workload)?),
        other => {
            let (name, text) = other.yaml_text()?;
            let spans = zz_inputs::yaml::read_mapping_with_spans_str(name, text)
                .ok()
                .filter(|(m, _, _)| m == mapping)
                .map(|(_, s, _)| s)
                .unwrap_or_default();
            Ok(zz_inputs::yaml::check_mapping_against_workload_with_spans(mapping, &spans, name, workload)?)
        }
    }
}

/// The three inputs of a single-core run, read and checked against each other, with the
/// names messages and reports use for them.
#[derive(Clone, Debug)]
pub struct SingleCoreInputs {
    /// The accelerator.
    pub accelerator: Accelerator,
    /// The workload.
    pub workload: Workload,
    /// The mapping.
    pub mapping: Mapping,
    /// The accelerator as messages name it (path as given, or the in-memory name).
    pub accelerator_label: String,
    /// The workload as messages name it.
    pub workload_label: String,
    /// The workload's file name, as reports name it.
    pub workload_name: String,
}

/// Reports how a search goes: `progress(n)` after `n` more orderings or mappings evaluated,
/// `on_layer(i, n, name)` as compute layer `i` of `n` starts.
pub struct Observer<'a> {
    /// More orderings (LOMA, optimal) or mappings (SALSA) evaluated.
    pub progress: &'a (dyn Fn(u64) + Sync),
    /// A layer starts.
    pub on_layer: &'a dyn Fn(usize, usize, &str),
}

impl SingleCoreInputs {
    /// Checks the mapping against the accelerator and the workload (see [`check_mapping`]) and
    /// keeps the inputs with their names; returns the check's warnings.
    pub fn new(
        accelerator: (Accelerator, &Source<'_>),
        workload: (Workload, &Source<'_>),
        mapping: (Mapping, &Source<'_>),
    ) -> Result<(SingleCoreInputs, Vec<Warning>)> {
        let warnings = check_mapping(&mapping.0, mapping.1, &accelerator.0, &workload.0)?;
        let inputs = SingleCoreInputs {
            accelerator_label: accelerator.1.label(),
            workload_label: workload.1.label(),
            workload_name: workload.1.file_name(),
            accelerator: accelerator.0,
            workload: workload.0,
            mapping: mapping.0,
        };
        Ok((inputs, warnings))
    }

    /// Reads and checks the three inputs; the warnings of every reader and of the check, in
    /// that order.
    pub fn read(
        accelerator: &Source<'_>,
        workload: &Source<'_>,
        mapping: &Source<'_>,
    ) -> Result<(SingleCoreInputs, Vec<Warning>)> {
        let a = read_accelerator(accelerator)?;
        let w = read_workload(workload)?;
        let m = read_mapping(mapping)?;
        let mut warnings = a.warnings;
        warnings.extend(w.warnings);
        warnings.extend(m.warnings);
        let (inputs, w) = SingleCoreInputs::new((a.value, accelerator), (w.value, workload), (m.value, mapping))?;
        warnings.extend(w);
        Ok((inputs, warnings))
    }

    /// The search engine's options for these inputs (IMC arrays get `in_memory_compute`).
    pub fn search_options(&self, opts: &MapOptions) -> zz_search::SearchOptions {
        opts.search_options(self.accelerator.operational_array.is_imc)
    }

    fn search_error(&self, error: zz_search::network::LayerError) -> Error {
        Error::Search { context: self.workload_label.clone(), error: Box::new(error) }
    }

    /// Every layer's exact number of temporal orderings per spatial mapping, before searching.
    pub fn search_spaces(&self, opts: &MapOptions) -> Result<Vec<LayerSpace>> {
        zz_search::network::search_spaces(&self.workload, &self.accelerator, &self.mapping, &self.search_options(opts))
            .map_err(|e| self.search_error(e))
    }

    /// Orderings per second of this machine on the first searched layer (LOMA at lpf 7, timed),
    /// for estimating how long a search takes; `None` when nothing could be timed.
    pub fn measure_rate(&self, opts: &MapOptions) -> Option<f64> {
        let (workload, acc) = (&self.workload, &self.accelerator);
        let hw = zz_cost::HierarchyInfo::new(acc);
        let idx = workload.topological_order().into_iter().find(|&i| {
            let l = &workload.layers[i];
            l.kind == zz_ir::workload::LayerKind::Compute
                && !zz_search::network::imc_skips(acc.operational_array.is_imc, l)
        })?;
        let layer = &workload.layers[idx];
        let entry = self.mapping.entry_for(&layer.name, &layer.operator_type)?;
        let info = zz_cost::LayerInfo::new(layer).ok()?;
        let mut o = self.search_options(opts);
        o.optimal = None;
        o.salsa = None;
        o.loma.lpf_limit = 7;
        o.loma.time_limit = None;
        let mut e = entry.clone();
        e.temporal_ordering.clear();
        let t = std::time::Instant::now();
        let r = zz_search::network::search_layer(info, idx, &hw, &e, &o, &|_| {}).ok()?;
        let secs = t.elapsed().as_secs_f64();
        (r.orderings_generated > 0 && secs > 0.0).then(|| r.orderings_generated as f64 / secs)
    }

    /// Searches every layer (results do not depend on the thread count).
    pub fn search(&self, opts: &MapOptions, observer: Option<&Observer<'_>>) -> Result<NetworkResult> {
        let o = self.search_options(opts);
        let silent = Observer { progress: &|_| {}, on_layer: &|_, _, _| {} };
        let obs = observer.unwrap_or(&silent);
        zz_search::network::search_network_observed(
            &self.workload,
            &self.accelerator,
            &self.mapping,
            &o,
            obs.progress,
            obs.on_layer,
        )
        .map_err(|e| self.search_error(e))
    }

    /// The same search with the optimal engine (same spatial mappings and time limit), and the
    /// gap of `found` to it per layer and in total.
    pub fn gap_to_optimal(&self, opts: &MapOptions, found: &NetworkResult) -> Result<(NetworkResult, GapReport)> {
        let mut o = self.search_options(opts);
        o.salsa = None;
        o.optimal = Some(opts.optimal_options());
        let optimal = zz_search::network::search_network(&self.workload, &self.accelerator, &self.mapping, &o, &|_| {})
            .map_err(|e| self.search_error(e))?;
        let gap = GapReport::new(found, &optimal, opts.objective);
        Ok((optimal, gap))
    }

    /// The report of a search result; a non-finite energy or latency is an
    /// [`Error::NonFinite`] naming the layer.
    pub fn report(&self, result: &NetworkResult) -> Result<RunReport> {
        let report = run_report(result, &self.workload, &self.accelerator, &self.workload_name);
        check_finite(&report, &format!("{} on {}", self.workload_label, self.accelerator_label))?;
        Ok(report)
    }
}

/// A finished single-core run.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The report (`energy`, `latency`, `layers[]` ...), as `zigzag-rs map --json` writes it.
    pub report: RunReport,
    /// The search result behind it (per-layer cost evaluations, mappings, search statistics).
    pub result: NetworkResult,
    /// Every warning of the readers and checks, in order.
    pub warnings: Vec<Warning>,
}

/// Evaluates / searches a workload on a single-core accelerator in one call.
///
/// ```no_run
/// use zigzag::{MapOptions, Source};
/// let workload = std::fs::read_to_string("workload.yaml").unwrap();
/// let run = zigzag::evaluate(
///     &Source::path("accelerator.yaml"),
///     &Source::text("workload.yaml", &workload),
///     &Source::path("mapping.yaml"),
///     &MapOptions::default(),
/// )
/// .unwrap();
/// println!("{} pJ, {} cycles", run.report.energy, run.report.latency);
/// ```
pub fn evaluate(
    accelerator: &Source<'_>,
    workload: &Source<'_>,
    mapping: &Source<'_>,
    opts: &MapOptions,
) -> Result<Evaluation> {
    let (inputs, warnings) = SingleCoreInputs::read(accelerator, workload, mapping)?;
    let result = inputs.search(opts, None)?;
    let report = inputs.report(&result)?;
    Ok(Evaluation { report, result, warnings })
}
