//! The pyo3 bindings of `zigzag_rs._core`: argument conversion, the GIL released around every
//! engine call (`py.detach`), progress callbacks re-attached from worker threads, and facade
//! errors raised as the exception classes of `zigzag_rs.errors`.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use zigzag::yaml::{Node, Value};

use crate::calls::{self, SingleCoreJob, SingleCoreRequest, SweepJob};
use crate::input::Input;
use crate::stream::{self, StreamJob};

/// The process the module was imported in. A child forked from it (a `multiprocessing` /
/// `ProcessPoolExecutor` worker under the `fork` start method) inherits rayon's global pool
/// without its threads, and work sent there would wait forever; such a child runs the engine
/// on a pool of its own instead.
static IMPORT_PID: OnceLock<u32> = OnceLock::new();
static CHILD_POOL: Mutex<Option<(u32, Arc<rayon::ThreadPool>)>> = Mutex::new(None);

fn fork_safe<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    let pid = std::process::id();
    if IMPORT_PID.get().is_none_or(|&p| p == pid) {
        return work();
    }
    let pool = {
        let mut slot = CHILD_POOL.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_ref() {
            Some((p, pool)) if *p == pid => Some(pool.clone()),
            _ => {
                let pool = rayon::ThreadPoolBuilder::new().build().ok().map(Arc::new);
                *slot = pool.clone().map(|pool| (pid, pool));
                pool
            }
        }
    };
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Raises a facade error as `zigzag_rs.errors.<class>`; input errors carry file, line,
/// column and key.
fn raise(py: Python<'_>, e: zigzag::Error) -> PyErr {
    match error_object(py, &e) {
        Ok(obj) => PyErr::from_value(obj),
        Err(err) => err,
    }
}

fn error_object<'py>(py: Python<'py>, e: &zigzag::Error) -> PyResult<Bound<'py, PyAny>> {
    let errors = py.import("zigzag_rs.errors")?;
    let message = e.to_string();
    let obj = match e {
        zigzag::Error::Input(i) => {
            errors.getattr("InputError")?.call1((message, i.file.as_str(), i.line, i.column, i.key.as_str()))?
        }
        zigzag::Error::InvalidOption { .. } | zigzag::Error::Unsupported(_) => {
            errors.getattr("OptionError")?.call1((message,))?
        }
        zigzag::Error::Search { .. } | zigzag::Error::NonFinite { .. } => {
            errors.getattr("SearchError")?.call1((message,))?
        }
        zigzag::Error::Stream { .. } => errors.getattr("StreamError")?.call1((message,))?,
        _ => errors.getattr("ZigZagError")?.call1((message,))?,
    };
    Ok(obj)
}

/// `("path", path, None)`, `("yaml", name, text)` or `("onnx", name, bytes)`.
fn input(arg: &Bound<'_, PyAny>) -> PyResult<Input> {
    let t = arg.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("an input is a (kind, name, payload) tuple"))?;
    let kind: String = t.get_item(0)?.extract()?;
    let name: String = t.get_item(1)?.extract()?;
    match kind.as_str() {
        "path" => Ok(Input::Path(name)),
        "yaml" => Ok(Input::Yaml { name, text: t.get_item(2)?.extract()? }),
        "onnx" => {
            let payload = t.get_item(2)?;
            let bytes = payload.cast::<PyBytes>().map_err(|_| PyTypeError::new_err("ONNX payload: expected bytes"))?;
            Ok(Input::Onnx { name, bytes: bytes.as_bytes().to_vec() })
        }
        other => Err(PyTypeError::new_err(format!("input kind `{other}`: expected path, yaml or onnx"))),
    }
}

/// Calls a Python progress callback from any thread, at most every 100 ms (the rest is
/// accumulated and handed over with the next call or by [`Throttled::flush`]).
struct Throttled {
    callback: Py<PyAny>,
    state: Mutex<(Instant, u64)>,
}

impl Throttled {
    const PERIOD: Duration = Duration::from_millis(100);

    fn new(callback: Py<PyAny>) -> Self {
        Throttled { callback, state: Mutex::new((Instant::now(), 0)) }
    }

    fn add(&self, n: u64) {
        let due = {
            let Ok(mut s) = self.state.lock() else { return };
            s.1 += n;
            if s.0.elapsed() >= Self::PERIOD {
                s.0 = Instant::now();
                std::mem::take(&mut s.1)
            } else {
                0
            }
        };
        if due > 0 {
            self.call(due);
        }
    }

    fn flush(&self) {
        let due = self.state.lock().map(|mut s| std::mem::take(&mut s.1)).unwrap_or(0);
        if due > 0 {
            self.call(due);
        }
    }

    fn call(&self, n: u64) {
        Python::attach(|py| {
            if let Err(e) = self.callback.call1(py, (n,)) {
                e.write_unraisable(py, Some(self.callback.bind(py)));
            }
        });
    }
}

/// Single-core search. Returns (report JSON, warnings, loop-nest tables).
#[pyfunction]
#[pyo3(signature = (workload, accelerator, mapping, options, loop_nests=false, progress=None))]
fn run_zigzag(
    py: Python<'_>,
    workload: &Bound<'_, PyAny>,
    accelerator: &Bound<'_, PyAny>,
    mapping: &Bound<'_, PyAny>,
    options: &str,
    loop_nests: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<(String, Vec<String>, Vec<String>)> {
    let request = SingleCoreRequest::from_json(options).map_err(|e| raise(py, e))?;
    let job = SingleCoreJob {
        workload: input(workload)?,
        accelerator: input(accelerator)?,
        mapping: input(mapping)?,
        request,
    };
    let throttled = progress.map(Throttled::new);
    let result = py.detach(|| {
        fork_safe(|| {
            let add = |n: u64| {
                if let Some(t) = &throttled {
                    t.add(n);
                }
            };
            let r = calls::run_single_core(&job, loop_nests, throttled.as_ref().map(|_| &add as &(dyn Fn(u64) + Sync)));
            if let Some(t) = &throttled {
                t.flush();
            }
            r
        })
    });
    let run = result.map_err(|e| raise(py, e))?;
    Ok((run.report_json, run.warnings, run.loop_nests))
}

/// A batch of single-core searches run in parallel. `jobs`: (workload, accelerator, mapping,
/// options JSON) tuples. Returns per job `(report JSON, warnings)` or the exception object.
#[pyfunction]
#[pyo3(signature = (jobs, progress=None))]
fn run_batch<'py>(
    py: Python<'py>,
    jobs: &Bound<'py, PyList>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let mut parsed = Vec::with_capacity(jobs.len());
    for item in jobs.iter() {
        let t = item.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("a job is a 4-tuple"))?;
        let options: String = t.get_item(3)?.extract()?;
        let request = SingleCoreRequest::from_json(&options).map_err(|e| raise(py, e))?;
        parsed.push(SingleCoreJob {
            workload: input(&t.get_item(0)?)?,
            accelerator: input(&t.get_item(1)?)?,
            mapping: input(&t.get_item(2)?)?,
            request,
        });
    }
    let throttled = progress.map(Throttled::new);
    let results = py.detach(|| {
        fork_safe(|| {
            let r = calls::run_batch(&parsed, &|_| {
                if let Some(t) = &throttled {
                    t.add(1);
                }
            });
            if let Some(t) = &throttled {
                t.flush();
            }
            r
        })
    });
    results
        .into_iter()
        .map(|r| match r {
            Ok(run) => Ok((run.report_json, run.warnings).into_pyobject(py)?.into_any()),
            Err(e) => error_object(py, &e),
        })
        .collect()
}

fn sweep_job(args: &Bound<'_, PyTuple>) -> PyResult<SweepJob> {
    Ok(SweepJob {
        accelerator: input(&args.get_item(0)?)?,
        workload: input(&args.get_item(1)?)?,
        mapping: input(&args.get_item(2)?)?,
        sweep: input(&args.get_item(3)?)?,
        opt: args.get_item(4)?.extract()?,
        lpf_limit: args.get_item(5)?.extract()?,
    })
}

/// Reads a sweep and builds its points. `job`: (accelerator, workload, mapping, sweep, opt,
/// lpf_limit). Returns (parameter paths, per point the values as text).
#[pyfunction]
fn sweep_plan(py: Python<'_>, job: &Bound<'_, PyTuple>) -> PyResult<(Vec<String>, Vec<Vec<String>>)> {
    let job = sweep_job(job)?;
    let prepared = py.detach(|| fork_safe(|| calls::PreparedSweep::new(&job))).map_err(|e| raise(py, e))?;
    Ok((prepared.paths.clone(), prepared.values.clone()))
}

/// Evaluates the sweep points `points` (indices) in parallel; returns their JSON list.
#[pyfunction]
#[pyo3(signature = (job, points, progress=None))]
fn sweep_points(
    py: Python<'_>,
    job: &Bound<'_, PyTuple>,
    points: Vec<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let job = sweep_job(job)?;
    let throttled = progress.map(Throttled::new);
    let result = py.detach(|| {
        fork_safe(|| {
            let prepared = calls::PreparedSweep::new(&job)?;
            if let Some(&bad) = points.iter().find(|&&k| k >= prepared.len()) {
                return Err(zigzag::Error::InvalidOption {
                    message: format!("sweep point {bad}: the sweep has {} points", prepared.len()),
                });
            }
            let out = prepared.evaluate_many(&points, &|| {
                if let Some(t) = &throttled {
                    t.add(1);
                }
            });
            if let Some(t) = &throttled {
                t.flush();
            }
            serde_json::to_string(&out).map_err(|e| zigzag::Error::Other(e.to_string()))
        })
    });
    result.map_err(|e| raise(py, e))
}

/// A Stream run (`stream.api.optimize_allocation_ga` / `_co`). `job`: (accelerator, workload,
/// mapping, mode, layer stacks or None, allocator, individuals, generations, seed, lpf limit,
/// output folder or None, temporal mapping type, per-CN engine, time limit or None). Returns
/// (report JSON, warnings).
#[pyfunction]
fn run_stream(py: Python<'_>, job: &Bound<'_, PyTuple>) -> PyResult<(String, Vec<String>)> {
    let output: Option<String> = job.get_item(10)?.extract()?;
    let job = StreamJob {
        accelerator: input(&job.get_item(0)?)?,
        workload: input(&job.get_item(1)?)?,
        mapping: input(&job.get_item(2)?)?,
        mode: job.get_item(3)?.extract()?,
        layer_stacks: job.get_item(4)?.extract()?,
        allocator: job.get_item(5)?.extract()?,
        population: job.get_item(6)?.extract()?,
        generations: job.get_item(7)?.extract()?,
        seed: job.get_item(8)?.extract()?,
        lpf_limit: job.get_item(9)?.extract()?,
        mapping_type: job.get_item(11)?.extract()?,
        output: output.map(std::path::PathBuf::from),
        engine: job.get_item(12)?.extract()?,
        time_limit: job.get_item(13)?.extract()?,
    };
    py.detach(|| fork_safe(|| stream::run_stream(&job))).map_err(|e| raise(py, e))
}

/// Compact JSON laid out as Python's `json.dumps(obj, indent=4)` (see `json_layout`).
#[pyfunction]
fn indent_json(text: &str) -> String {
    crate::json_layout::indent4(text)
}

/// Which (energy, latency) points are on the Pareto front.
#[pyfunction]
fn pareto_front(points: Vec<(f64, f64)>) -> Vec<bool> {
    calls::pareto_front(&points)
}

fn node_to_py<'py>(py: Python<'py>, node: &Node) -> PyResult<Bound<'py, PyAny>> {
    Ok(match &node.value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Float(f) => f.into_pyobject(py)?.into_any(),
        Value::Str(s) => s.into_pyobject(py)?.into_any(),
        Value::Seq(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(node_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Map(entries) => {
            let dict = PyDict::new(py);
            for e in entries {
                dict.set_item(node_to_py(py, &e.key)?, node_to_py(py, &e.value)?)?;
            }
            dict.into_any()
        }
    })
}

/// A YAML file as dicts and lists (PyYAML `safe_load` semantics: the last duplicate wins).
#[pyfunction]
fn load_yaml<'py>(py: Python<'py>, path: &str) -> PyResult<Bound<'py, PyAny>> {
    let node = py.detach(|| calls::load_yaml(path)).map_err(|e| raise(py, e))?;
    node_to_py(py, &node)
}

/// The extension module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    IMPORT_PID.get_or_init(std::process::id);
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run_zigzag, m)?)?;
    m.add_function(wrap_pyfunction!(run_batch, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_plan, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_points, m)?)?;
    m.add_function(wrap_pyfunction!(pareto_front, m)?)?;
    m.add_function(wrap_pyfunction!(indent_json, m)?)?;
    m.add_function(wrap_pyfunction!(run_stream, m)?)?;
    m.add_function(wrap_pyfunction!(load_yaml, m)?)?;
    Ok(())
}
