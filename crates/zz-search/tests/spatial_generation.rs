//! Spatial-mapping generation against ZigZag 3.9.1 itself.
//!
//! `fixtures/spatial/pyset_orders.json` holds CPython 3.11 hashes of `LayerDim` /
//! `OADimension` names and the iteration order of sets of them built in a given insertion
//! order (plus the order after a deep copy). `fixtures/spatial/generated_mappings.json`
//! holds, per case (workload, accelerator, mapping, mixed generation, number of mappings,
//! served-dims sets deep-copied or not), the spatial mappings the reference's
//! `SpatialMappingGeneratorStage` yields for every layer, in order, after all of them were
//! clamped to the memory capacities. The cases use the shared reference inputs and the small
//! mappings and accelerator next to the fixtures (`fixture:` prefix; the accelerator has a
//! served-dims list whose set order changes when the set is deep-copied); they are skipped when the reference
//! folder is absent.

use serde_json::Value;
use std::path::{Path, PathBuf};
use zz_cost::{HierarchyInfo, LayerInfo, OperandBinding};
use zz_search::pyset::{DimClass, PySet, dim_hash};
use zz_search::spatial_generation::{self, ServedDimsOrder, SpatialOptions, UserSpatial};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spatial")
}

fn reference() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/zigzag");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: ../shared/reference/zigzag absent");
        None
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn class_of(name: &str) -> DimClass {
    match name {
        "LayerDim" => DimClass::LayerDim,
        "OADimension" => DimClass::OaDimension,
        other => panic!("unknown class {other}"),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().expect("array").iter().map(|s| s.as_str().expect("string").to_string()).collect()
}

#[test]
fn python_hashes_and_set_orders() {
    let data = read_json(&fixtures().join("pyset_orders.json"));
    let mut n = 0;
    for (class, names) in data["hashes"].as_object().expect("hashes") {
        for (name, h) in names.as_object().expect("names") {
            assert_eq!(dim_hash(class_of(class), name), h.as_i64().expect("i64"), "hash of {class}({name})");
            n += 1;
        }
    }
    assert!(n > 50);
    let sets = data["sets"].as_array().expect("sets");
    for s in sets {
        let class = class_of(s["class"].as_str().expect("class"));
        let inserted = strings(&s["inserted"]);
        let set = PySet::from_iter_hashed(inserted.iter().map(|k| (dim_hash(class, k), k.clone())));
        let order: Vec<String> = set.iter().cloned().collect();
        assert_eq!(order, strings(&s["iteration"]), "set built from {inserted:?}");
        let copied = PySet::from_iter_hashed(order.iter().map(|k| (dim_hash(class, k), k.clone())));
        let copied: Vec<String> = copied.iter().cloned().collect();
        assert_eq!(copied, strings(&s["copied"]), "copy of the set built from {inserted:?}");
    }
    assert!(sets.len() > 100);
}

/// `D1:K=32,C=2|D2:` form of the fixture.
fn encode(sm: &UserSpatial) -> String {
    sm.iter()
        .map(|(oa, loops)| {
            let l: Vec<String> = loops.iter().map(|(d, f)| format!("{d}={f}")).collect();
            format!("{oa}:{}", l.join(","))
        })
        .collect::<Vec<_>>()
        .join("|")
}

#[test]
fn generated_mappings_match_reference() {
    let Some(root) = reference() else { return };
    let data = read_json(&fixtures().join("generated_mappings.json"));
    let cases = data["cases"].as_array().expect("cases");
    let mut checked_layers = 0;
    let mut failures: Vec<String> = Vec::new();
    for case in cases {
        let s = |k: &str| case[k].as_str().expect(k).to_string();
        let (wl, acc_file, map_file) = (s("workload"), s("accelerator"), s("mapping"));
        let mixed = case["mixed"].as_bool().expect("mixed");
        let nb = case["nb_mappings"].as_u64().expect("nb") as usize;
        let served = if case["served_copied"].as_bool().expect("copied") {
            ServedDimsOrder::DeepCopied
        } else {
            ServedDimsOrder::AsParsed
        };
        let input = |f: &str| match f.strip_prefix("fixture:") {
            Some(f) => fixtures().join(f),
            None => root.join(f),
        };
        let (acc, _) = zz_inputs::read_accelerator(&input(&acc_file)).expect("accelerator");
        let (mapping, _) = zz_inputs::read_mapping(&input(&map_file)).expect("mapping");
        let (workload, _) = if wl.ends_with(".onnx") {
            zz_inputs::read_workload_onnx(&root.join(&wl))
        } else {
            zz_inputs::read_workload_yaml(&root.join(&wl))
        }
        .expect("workload");
        let hw = HierarchyInfo::new(&acc);
        let opts = SpatialOptions { nb_mappings: nb, mixed, ..Default::default() };
        let layers: Vec<usize> = workload
            .topological_order()
            .into_iter()
            .filter(|&i| workload.layers[i].kind == zz_ir::workload::LayerKind::Compute)
            .collect();
        let expected = case["layers"].as_array().expect("layers");
        let label = format!("{wl} / {acc_file} / {map_file} mixed={mixed} nb={nb} {served:?}");
        assert_eq!(layers.len(), expected.len(), "{label}: layer count");
        for (&li, exp) in layers.iter().zip(expected) {
            let layer = &workload.layers[li];
            assert_eq!(layer.name, exp["layer"].as_str().expect("name"), "{label}: layer order");
            let entry = mapping.entry_for(&layer.name, &layer.operator_type).expect("entry");
            let info = LayerInfo::new(layer).expect("layer info");
            let bind = OperandBinding::new(&info, &hw, &entry.memory_operand_links).expect("binding");
            let got = spatial_generation::generate_with(&info, &hw, &bind, entry, &opts, served).expect("generation");
            let got: Vec<String> = got.iter().map(encode).collect();
            let want = strings(&exp["mappings"]);
            if got != want {
                failures.push(format!("{label}: layer {}\n  got  {got:?}\n  want {want:?}", layer.name));
            }
            checked_layers += 1;
        }
    }
    assert!(failures.is_empty(), "{} mismatching layers:\n{}", failures.len(), failures.join("\n"));
    assert!(checked_layers > 500, "only {checked_layers} layers checked");
}
