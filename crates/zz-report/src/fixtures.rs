//! Hand-made reports shared by the unit tests (test builds only).

use crate::model::{DirectionRecord, LayerReport, Loop, RunReport};
use crate::ordered_map::OrderedMap;

fn loops(ls: &[(&str, u64)]) -> Vec<Loop<u64>> {
    ls.iter().map(|(d, s)| (d.to_string(), *s)).collect()
}

fn names(ns: &[&str]) -> Vec<String> {
    ns.iter().map(|n| n.to_string()).collect()
}

fn dir(a: f64, b: f64, c: f64, d: f64) -> DirectionRecord {
    DirectionRecord { rd_out_to_low: a, wr_in_by_low: b, rd_out_to_high: c, wr_in_by_high: d }
}

/// A one-layer GEMM `O[d0][d1] += I[d0][d2] * W[d2][d1]` on an 8x8 array with
/// output registers (`reg_O`), a shared `l1` and a shared `l3`.
pub fn gemm_layer() -> LayerReport {
    let six = loops(&[("D1", 4), ("D2", 4), ("D0", 4), ("D2", 4), ("D1", 4), ("D0", 4)]);
    let sm_io = vec![vec![("D1".to_string(), 8.0), ("D2".to_string(), 8.0)], vec![], vec![]];
    LayerReport {
        id: 0,
        name: "gemm".into(),
        operator_type: "Gemm".into(),
        equation: "O[d0][d1]+=I[d0][d2]*W[d2][d1]".into(),
        energy: 150_000.5,
        latency: 8194.0,
        mac_energy: 50_000.5,
        mem_energy: 100_000.0,
        latency_total0: 4100.0,
        latency_total1: 6147.0,
        latency_total2: 8194.0,
        ideal_cycle: 4096.0,
        ideal_temporal_cycle: 4096.0,
        data_onloading_cycle: 2047.0,
        data_offloading_cycle: 2047.0,
        systolic_drain_cycle: 0.0,
        stall_slack_comb: 4.0,
        mac_spatial_utilization: 1.0,
        mac_utilization0: 4096.0 / 4100.0,
        mac_utilization1: 4096.0 / 6147.0,
        mac_utilization2: 4096.0 / 8194.0,
        memory_operand_links: [("O", "O".to_string()), ("W", "I2".into()), ("I", "I1".into())].into_iter().collect(),
        memory_levels: [("O", names(&["reg_O", "l1", "l3"])), ("W", names(&["l1", "l3"])), ("I", names(&["l1", "l3"]))]
            .into_iter()
            .collect(),
        mem_energy_breakdown: [
            ("O", vec![10_000.0, 30_000.0, 5_000.0]),
            ("W", vec![25_000.0, 5_000.0]),
            ("I", vec![20_000.0, 5_000.0]),
        ]
        .into_iter()
        .collect(),
        mem_energy_breakdown_further: [
            (
                "O",
                vec![
                    dir(4_000.0, 3_000.0, 0.0, 3_000.0),
                    dir(10_000.0, 10_000.0, 5_000.0, 5_000.0),
                    dir(2_000.0, 0.0, 0.0, 3_000.0),
                ],
            ),
            ("W", vec![dir(20_000.0, 0.0, 0.0, 5_000.0), dir(0.0, 0.0, 5_000.0, 0.0)]),
            ("I", vec![dir(15_000.0, 0.0, 0.0, 5_000.0), dir(0.0, 0.0, 5_000.0, 0.0)]),
        ]
        .into_iter()
        .collect(),
        memory_word_access: [
            ("O", vec![dir(4096.0, 4096.0, 0.0, 0.0), dir(64.0, 64.0, 8.0, 8.0), DirectionRecord::default()]),
            ("W", vec![dir(4096.0, 0.0, 0.0, 64.0), dir(0.0, 0.0, 64.0, 0.0)]),
            ("I", vec![dir(4096.0, 0.0, 0.0, 64.0), dir(0.0, 0.0, 64.0, 0.0)]),
        ]
        .into_iter()
        .collect(),
        mem_utilization_shared: [("O", vec![1.0, 0.25, 0.01]), ("W", vec![0.25, 0.01]), ("I", vec![0.25, 0.01])]
            .into_iter()
            .collect(),
        spatial_mapping: [
            ("D1", [("D1", 8.0)].into_iter().collect::<OrderedMap<f64>>()),
            ("D2", [("D2", 8.0)].into_iter().collect()),
        ]
        .into_iter()
        .collect(),
        spatial_mapping_internal: [
            ("O", vec![vec![], sm_io[0].clone(), vec![], vec![]]),
            ("W", sm_io.clone()),
            ("I", sm_io),
        ]
        .into_iter()
        .collect(),
        temporal_mapping: [
            ("O", vec![vec![], six.clone(), vec![]]),
            ("W", vec![six.clone(), vec![]]),
            ("I", vec![six, vec![]]),
        ]
        .into_iter()
        .collect(),
        spatial_mappings_evaluated: 1,
        temporal_mappings_evaluated: 720,
        imc: None,
        pareto_front: None,
    }
}

/// [`gemm_layer`] as a one-layer run.
pub fn gemm_report() -> RunReport {
    RunReport::new("tpu_like", "gemm_workload", vec![gemm_layer()])
}

/// A unique path in the system temp dir for a test output file.
pub fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("zz-report-test-{}-{name}", std::process::id()))
}
