//! IMC parity with ZigZag 3.9.1 (`get_hardware_performance_zigzag_imc`): the ResNet-18 runs on
//! `hardware/aimc.yaml` and `hardware/dimc.yaml` (`reference/zigzag/oracle/{aimc,dimc}_{onnx,yaml}.json`)
//! searched with `in_memory_compute` (mixed spatial mappings + inter-layer locality). Every layer's
//! chosen mappings, energy, latency_total0/1/2, MAC energy breakdown, cycles per op, tclk (and its
//! breakdown) and area (IMC breakdown, memories, total) must match (rel 1e-9), and so must the
//! totals and the API's `tclk` and `area`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use zz_cost::imc::{AREA_KEYS, ENERGY_KEYS};
use zz_search::{LomaOptions, Objective, SearchOptions, SpatialOptions};

fn reference_dir() -> Option<PathBuf> {
    zz_test_support::reference_dir().map(|p| p.join("zigzag")).filter(|p| p.is_dir())
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * b.abs()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// (layers checked, failures) for one fixture.
fn check(base: &Path, fixture: &str) -> (usize, Vec<String>) {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(base.join("oracle").join(fixture)).unwrap()).unwrap();
    let meta = &v["meta"];
    assert_eq!(meta["in_memory_compute"], Value::Bool(true), "{fixture}");
    let acc = zz_inputs::read_accelerator(&base.join(meta["accelerator"].as_str().unwrap())).unwrap().0;
    let wl_path = base.join(meta["workload"].as_str().unwrap());
    let workload = if wl_path.extension().is_some_and(|e| e == "onnx") {
        zz_inputs::read_workload_onnx(&wl_path).unwrap().0
    } else {
        zz_inputs::read_workload_yaml(&wl_path).unwrap().0
    };
    let mapping = zz_inputs::read_mapping(&base.join(meta["mapping"].as_str().unwrap())).unwrap().0;
    let opts = SearchOptions {
        spatial: SpatialOptions {
            nb_mappings: meta["nb_spatial_mappings_generated"].as_u64().unwrap() as usize,
            ..Default::default()
        },
        loma: LomaOptions {
            lpf_limit: meta["lpf_limit"].as_u64().unwrap() as usize,
            objective: zz_search::network::objective_from_str(meta["opt"].as_str().unwrap())
                .unwrap_or(Objective::Latency),
            ..Default::default()
        },
        ..Default::default()
    }
    .in_memory_compute();
    let r = zz_search::search_network(&workload, &acc, &mapping, &opts, &|_| {}).unwrap();
    let mut fails = Vec::new();
    let mut cmp = |what: String, got: f64, want: &Value| {
        if !close(got, num(want)) {
            fails.push(format!("{fixture}: {what}: got {got:?}, want {want}"));
        }
    };
    let t = &v["totals"];
    cmp("energy".into(), r.totals.energy_total, &t["energy"]);
    cmp("latency".into(), r.totals.latency_total2, &t["latency"]);
    cmp("mac_energy".into(), r.totals.mac_energy, &t["mac_energy"]);
    let (tclk, area) = r.imc.expect("IMC result");
    cmp("tclk".into(), tclk, &t["tclk"]);
    cmp("area".into(), area, &t["area"]);
    let layers = v["layers"].as_array().unwrap();
    assert_eq!(layers.len(), r.layers.len(), "{fixture}: number of costed layers");
    for (fl, l) in layers.iter().zip(&r.layers) {
        let n = fl["name"].as_str().unwrap();
        assert_eq!(l.info.name, n, "{fixture}: layer order");
        for (k, got) in [
            ("energy_total", l.cost.energy_total),
            ("mac_energy", l.cost.mac_energy),
            ("mem_energy", l.cost.mem_energy),
            ("latency_total0", l.cost.latency_total0),
            ("latency_total1", l.cost.latency_total1),
            ("latency_total2", l.cost.latency_total2),
            ("ideal_cycle", l.cost.ideal_cycle),
            ("ideal_temporal_cycle", l.cost.ideal_temporal_cycle),
        ] {
            cmp(format!("{n}.{k}"), got, &fl[k]);
        }
        let imc = l.imc.as_ref().expect("IMC layer report");
        let fi = &fl["imc"];
        cmp(format!("{n}.cycles_per_op"), imc.cycles_per_op, &fi["cycles_per_op"]);
        for (i, k) in ENERGY_KEYS.iter().enumerate() {
            cmp(format!("{n}.mac_energy_breakdown.{k}"), imc.mac_energy_breakdown[i], &fi["mac_energy_breakdown"][k]);
        }
        cmp(format!("{n}.tclk"), imc.tclk, &fi["tclk"]);
        for (i, k) in AREA_KEYS.iter().enumerate() {
            cmp(format!("{n}.tclk_breakdown.{k}"), imc.tclk_breakdown[i], &fi["tclk_breakdown"][k]);
            cmp(format!("{n}.imc_area_breakdown.{k}"), imc.imc_area_breakdown[i], &fi["imc_area_breakdown"][k]);
        }
        cmp(format!("{n}.imc_area"), imc.imc_area, &fi["imc_area"]);
        cmp(format!("{n}.mem_area"), imc.mem_area, &fi["mem_area"]);
        cmp(format!("{n}.area_total"), imc.area_total, &fi["area_total"]);
    }
    (layers.len(), fails)
}

#[test]
fn aimc_and_dimc_resnet18_match_the_reference_layer_by_layer() {
    let Some(base) = reference_dir() else {
        println!("SKIPPED: ../shared/reference absent; IMC parity not checked");
        return;
    };
    let mut all = Vec::new();
    let mut layers = 0;
    for f in ["aimc_onnx.json", "aimc_yaml.json", "dimc_onnx.json", "dimc_yaml.json"] {
        let (n, fails) = check(&base, f);
        println!("{f}: {n} layers, {} differences", fails.len());
        layers += n;
        all.extend(fails);
    }
    for f in all.iter().take(40) {
        println!("  {f}");
    }
    println!("IMC parity: {layers} layers checked, {} differences", all.len());
    assert_eq!(layers, 84);
    assert!(all.is_empty(), "{} IMC differences", all.len());
}
