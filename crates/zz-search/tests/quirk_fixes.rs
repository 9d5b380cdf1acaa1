//! The corrected variants of ZigZag quirks, behind options that are off by default.

use zz_cost::{HierarchyInfo, LayerInfo, OperandBinding};
use zz_search::spatial_generation::{SpatialOptions, generate};

const ACCELERATOR: &str = r#"
name: clamp_test
memories:
  w_buf:
    size: 48
    r_cost: 1
    w_cost: 1
    area: 0
    latency: 1
    operands: [I2]
    ports:
      - {name: r_port_1, type: read, bandwidth_min: 8, bandwidth_max: 64, allocation: ["I2, tl"]}
      - {name: w_port_1, type: write, bandwidth_min: 8, bandwidth_max: 64, allocation: ["I2, fh"]}
    served_dimensions: [D1, D2]
  dram:
    size: 1000000000
    r_cost: 100
    w_cost: 100
    area: 0
    latency: 1
    operands: [I1, I2, O]
    ports:
      - name: rw_port_1
        type: read_write
        bandwidth_min: 64
        bandwidth_max: 64
        allocation: ["I1, fh", "I1, tl", "I2, fh", "I2, tl", "O, fh", "O, tl", "O, fl", "O, th"]
    served_dimensions: [D1, D2]
operational_array: {unit_energy: 1, unit_area: 1, dimensions: [D1, D2], sizes: [4, 4]}
"#;

const WORKLOAD: &str = r#"
- id: 0
  name: fc
  operator_type: Gemm
  equation: O[b][k]+=W[k][c]*I[b][c]
  loop_dims: [B, K, C]
  loop_sizes: [1, 8, 8]
  operand_precision: {W: 8, I: 8, O: 16, O_final: 8}
  operand_source: {I: 0, W: 0}
"#;

const MAPPING: &str = r#"
- name: default
  spatial_mapping:
    D1: ["K, 4"]
    D2: ["C, 4"]
  memory_operand_links: {O: O, W: I2, I: I1}
"#;

/// The weight buffer holds 48 bits = 6 weights, but K 4 × C 4 = 16 are unrolled over it: the
/// clamp reduces the factors one by one to 2 and 3.
fn factors(fix: bool) -> Vec<u64> {
    let acc = zz_inputs::read_accelerator_str("acc.yaml", ACCELERATOR).unwrap().0;
    let wl = zz_inputs::read_workload_yaml_str("wl.yaml", WORKLOAD).unwrap().0;
    let mapping = zz_inputs::read_mapping_str("map.yaml", MAPPING).unwrap().0;
    let hw = HierarchyInfo::new(&acc);
    let info = LayerInfo::new(&wl.layers[0]).unwrap();
    let entry = mapping.entry_for("fc", "Gemm").unwrap();
    let bind = OperandBinding::new(&info, &hw, &entry.memory_operand_links).unwrap();
    let opts = SpatialOptions { fix_capacity_clamp: fix, ..Default::default() };
    let sm = generate(&info, &hw, &bind, entry, &opts).unwrap();
    sm[0].iter().flat_map(|(_, loops)| loops.iter().map(|(_, f)| *f)).collect()
}

#[test]
fn capacity_clamp_reference_quirk_and_fix() {
    // Reference (#97): both old factors are 4, so both receive the last new value.
    let quirk = factors(false);
    assert_eq!(quirk.len(), 2);
    assert_eq!(quirk[0], quirk[1], "reference write-back gives equal factors: {quirk:?}");
    // Fixed: each position gets its own reduced value, and the product fits the buffer.
    let fixed = factors(true);
    let mut sorted = fixed.clone();
    sorted.sort();
    assert_eq!(sorted, vec![2, 3], "{fixed:?}");
}

/// The on-loading fixture (`tests/fixtures/onloading/`): both inputs have two half-shared level
/// boundaries. Searched with and without `sum_half_shared_onloading`.
fn onloading_search(fix: bool) -> zz_search::NetworkResult {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onloading");
    let acc = zz_inputs::read_accelerator(&dir.join("accelerator.yaml")).unwrap().0;
    let wl = zz_inputs::read_workload_yaml(&dir.join("workload.yaml")).unwrap().0;
    let mapping = zz_inputs::read_mapping(&dir.join("mapping.yaml")).unwrap().0;
    let opts = zz_search::SearchOptions {
        loma: zz_search::LomaOptions { lpf_limit: 6, sum_half_shared_onloading: fix, ..Default::default() },
        ..Default::default()
    };
    zz_search::search_network(&wl, &acc, &mapping, &opts, &|_| {}).unwrap()
}

#[test]
fn half_shared_onloading_reference_quirk_and_fix() {
    // Reference: ZigZag 3.9.1 on the same files (`oracle.json`, written by
    // `../shared/oracle/zz_oracle.py workload.yaml accelerator.yaml mapping.yaml latency 6`).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onloading");
    let oracle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("oracle.json")).unwrap()).unwrap();
    let want = &oracle["layers"][0];
    let quirk = onloading_search(false);
    let q = &quirk.layers[0].cost;
    for (name, got) in [
        ("energy_total", q.energy_total),
        ("latency_total0", q.latency_total0),
        ("latency_total1", q.latency_total1),
        ("latency_total2", q.latency_total2),
        ("data_onloading_cycle", q.data_onloading_cycle),
    ] {
        assert_eq!(got, want[name].as_f64().unwrap(), "{name} differs from ZigZag 3.9.1");
    }
    // Fixed: the half-shared terms of each input are summed, so on-loading takes longer; the
    // mapping, the energy and the computation cycles are unchanged.
    let fixed = onloading_search(true);
    let f = &fixed.layers[0].cost;
    println!(
        "on-loading: reference {} cycles, summed {} cycles (latency {} -> {})",
        q.data_onloading_cycle, f.data_onloading_cycle, q.latency_total2, f.latency_total2
    );
    assert!(f.data_onloading_cycle > q.data_onloading_cycle);
    assert_eq!(f.latency_total2 - q.latency_total2, f.data_onloading_cycle - q.data_onloading_cycle);
    assert_eq!((f.energy_total, f.latency_total0), (q.energy_total, q.latency_total0));
}
