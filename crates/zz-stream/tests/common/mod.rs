//! Shared helpers of the CN tests: locating the oracle fixtures and rebuilding their inputs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;
use zz_inputs::InputError;
use zz_inputs::stream::{
    CoreResolver, read_stream_accelerator, read_stream_mapping, read_stream_problem, read_stream_workload_onnx,
    read_stream_workload_yaml,
};
use zz_ir::stream::StreamProblem;
use zz_ir::stream::accelerator::{StreamAccelerator, total_weight_capacity};
use zz_ir::stream::workload::StreamWorkload;
use zz_stream::cn::{self, CnGraph, CnOptions, Mode};
use zz_stream::pipeline::{PrepareOptions, Prepared, StreamError};

pub fn reference() -> PathBuf {
    zz_test_support::reference_path()
}

/// The shared folder (parent of `reference/`), root of the fixtures' input paths.
pub fn shared_root() -> PathBuf {
    reference().join("..")
}

/// All fixture files (`.json` and `.error.json`), smallest first; `None` when absent.
pub fn fixtures() -> Option<Vec<PathBuf>> {
    let dir = reference().join("stream/oracle");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort_by_key(|p| (std::fs::metadata(p).map(|m| m.len()).unwrap_or(0), p.clone()));
    Some(v)
}

pub fn name_of(p: &Path) -> String {
    p.file_name().and_then(|n| n.to_str()).unwrap_or("").trim_end_matches(".json").to_string()
}

pub fn load(p: &Path) -> Value {
    zz_test_support::load_json(p)
}

/// The inputs of a fixture: (accelerator, workload, mapping, mode, layer stacks).
pub struct Inputs {
    pub accelerator: PathBuf,
    pub workload: PathBuf,
    pub mapping: PathBuf,
    pub mode: Mode,
    pub layer_stacks: Option<Vec<Vec<usize>>>,
}

pub fn inputs(json: &Value) -> Inputs {
    let root = shared_root();
    let meta = &json["meta"];
    if meta.get("inputs").is_some() {
        let i = &meta["inputs"];
        let o = &meta["options"];
        let stacks = o["layer_stacks_arg"].as_array().map(|a| {
            a.iter().map(|s| s.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect()).collect()
        });
        return Inputs {
            accelerator: root.join(i["accelerator"].as_str().unwrap()),
            workload: root.join(i["workload"].as_str().unwrap()),
            mapping: root.join(i["mapping"].as_str().unwrap()),
            mode: if o["mode"] == "lbl" { Mode::Lbl } else { Mode::Fused },
            layer_stacks: stacks,
        };
    }
    // Error fixtures: the command line.
    let argv: Vec<&str> = meta["argv"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let arg = |k: &str| argv.iter().position(|a| *a == k).map(|i| argv[i + 1]);
    let stacks = arg("--layer-stacks").map(|s| {
        let v: Value = serde_json::from_str(s).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect())
            .collect()
    });
    Inputs {
        accelerator: root.join(arg("--accelerator").unwrap()),
        workload: root.join(arg("--workload").unwrap()),
        mapping: root.join(arg("--mapping").unwrap()),
        mode: if arg("--mode") == Some("lbl") { Mode::Lbl } else { Mode::Fused },
        layer_stacks: stacks,
    }
}

/// Reads the inputs and generates the CN graph.
pub fn build(inp: &Inputs) -> Result<(StreamAccelerator, StreamWorkload, CnGraph), String> {
    let (acc, _) = read_stream_accelerator(&inp.accelerator, &resolver()).map_err(|e| e.to_string())?;
    let (mapping, _) = read_stream_mapping(&inp.mapping).map_err(|e| e.to_string())?;
    let is_onnx = inp.workload.extension().is_some_and(|e| e == "onnx");
    let (wl, _) = if is_onnx {
        read_stream_workload_onnx(&inp.workload, &mapping, &acc)
    } else {
        read_stream_workload_yaml(&inp.workload, &mapping, &acc)
    }
    .map_err(|e| e.to_string())?;
    let opts = CnOptions { mode: inp.mode, layer_stacks: inp.layer_stacks.clone() };
    let cap = total_weight_capacity(&acc);
    let g = cn::generate(&wl, &opts, cap).map_err(|e| e.to_string())?;
    Ok((acc, wl, g))
}

pub fn rel_close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// Where the fixtures' core files are found (the reference's Stream inputs folder).
pub fn resolver() -> CoreResolver {
    CoreResolver { stream_inputs: Some(reference().join("stream")) }
}

/// The fixture's input files, read.
pub fn problem(inp: &Inputs) -> Result<StreamProblem, InputError> {
    read_stream_problem(&inp.accelerator, &inp.workload, &inp.mapping, &resolver())
}

/// The fixture's options before scheduling (default cost options).
pub fn prepare_options(inp: &Inputs) -> PrepareOptions {
    PrepareOptions {
        cn: CnOptions { mode: inp.mode, layer_stacks: inp.layer_stacks.clone() },
        cost: zz_stream::cost::CostOptions::default(),
    }
}

/// Reads the fixture's inputs and prepares the run (CNs and costs).
pub fn prepare(inp: &Inputs) -> Result<Prepared, StreamError> {
    zz_stream::pipeline::prepare(problem(inp)?, &prepare_options(inp))
}

/// The scheduling order a fixture was made with.
pub fn fixture_order(json: &Value) -> zz_stream::pipeline::SchedulingOrder {
    use zz_stream::pipeline::SchedulingOrder;
    match json["meta"]["options"]["scheduling_order"].as_str() {
        Some("id-desc") => SchedulingOrder::IdDesc,
        Some("id-asc") => SchedulingOrder::IdAsc,
        _ => SchedulingOrder::Stream,
    }
}

/// The cores a fixture fixed with the oracle's `--allocation` (Stream's fixed path).
pub fn fixture_fixed_allocation(json: &Value) -> zz_stream::pipeline::Allocation {
    let mut a = zz_stream::pipeline::Allocation::default();
    if let Some(s) = json["meta"]["options"]["allocation_override"].as_str() {
        let m: Value = serde_json::from_str(s).unwrap();
        for (k, v) in m.as_object().unwrap() {
            let core = v.as_u64().unwrap() as usize;
            match k.split_once(':') {
                Some((l, g)) => a.fixed.push((l.parse().unwrap(), Some(g.parse().unwrap()), core)),
                None => a.fixed.push((k.parse().unwrap(), None, core)),
            }
        }
    }
    a
}

/// The fixtures whose allocation the reference's genetic algorithm chose.
pub fn ga_fixtures() -> Option<Vec<(String, Value)>> {
    let files = fixtures()?;
    Some(
        files
            .iter()
            .filter(|f| !name_of(f).ends_with(".error"))
            .map(|f| (name_of(f), load(f)))
            .filter(|(_, j)| j["ga"]["chosen"].is_object())
            .collect(),
    )
}

/// A constraint-optimisation fixture (`co` section): its CNs, costs and schedule come from the
/// CO flow (re-tiled with the MILP's splits, latency_total1), checked by `co_parity.rs`, not by
/// the fixed-allocation pipeline of the other fixture tests.
pub fn is_co(json: &Value) -> bool {
    json.get("co").is_some_and(|c| !c.is_null())
}
