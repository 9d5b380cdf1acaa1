//! CACTI cost extraction without the binary: the queries derived from the memories of
//! `reference/zigzag/hardware/tpu_like_cacti.yaml` (an `rf` and an SRAM), and the parser run on
//! CACTI 7's own output for those queries (`tests/data/cacti/*.cfg.out`, produced by the binary
//! of the zigzag-dse 3.9.1 wheel on the configurations written here), must give the r_cost,
//! w_cost and area that ZigZag 3.9.1 recorded (`cacti_calls` of `oracle/tpu_like_cacti.json`).

use serde_json::Value;
use std::path::Path;
use zz_inputs::cacti::{CactiQuery, parse_output};
use zz_ir::accelerator::{Memory, MemoryPort, PortType};

fn memory(name: &str, mem_type: &str, size: u64, read_bw: u64) -> Memory {
    let port = |n: &str, t, bw| MemoryPort {
        name: n.into(),
        port_type: t,
        bandwidth_min: bw,
        bandwidth_max: bw,
        allocation: vec![],
    };
    Memory {
        name: name.into(),
        size,
        r_cost: 0.0,
        w_cost: 0.0,
        area: 0.0,
        latency: 1,
        mem_type: mem_type.into(),
        auto_cost_extraction: true,
        operands: vec![],
        // the first read port decides, whatever comes before it
        ports: vec![port("w_port_1", PortType::Write, 4096), port("r_port_1", PortType::Read, read_bw)],
        served_dimensions: vec![],
        force_double_buffering: false,
    }
}

fn data(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cacti").join(name)).unwrap()
}

#[test]
fn queries_and_parsed_costs_match_zigzag() {
    let rf = CactiQuery::for_memory(&memory("rf_128B", "rf", 1024, 8)).unwrap();
    assert_eq!(rf, CactiQuery { size_bytes: 16384, bus_width: 8, cache_type: "ram" });
    let sram = CactiQuery::for_memory(&memory("sram_2MB", "sram", 16777216, 2048)).unwrap();
    assert_eq!(sram, CactiQuery { size_bytes: 2097152, bus_width: 2048, cache_type: "ram" });
    let dram = CactiQuery::for_memory(&memory("dram", "dram", 8192, 64)).unwrap();
    assert_eq!(dram.cache_type, "main memory");
    let got =
        [parse_output(&data("rf_128B.cfg.out"), &rf).unwrap(), parse_output(&data("sram_2MB.cfg.out"), &sram).unwrap()];
    // Bit for bit what ZigZag reads (nJ × 1000).
    assert_eq!((got[0].r_cost, got[0].w_cost, got[0].area), (2.02885, 0.997368, 0.0293559));
    assert_eq!((got[1].r_cost, got[1].w_cost, got[1].area), (866.7139999999999, 1171.09, 6.03688));
    // A result for another bus width is not this memory's.
    let other = CactiQuery { bus_width: 16, ..rf.clone() };
    assert!(parse_output(&data("rf_128B.cfg.out"), &other).is_err());
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/zigzag/oracle/tpu_like_cacti.json");
    let Ok(text) = std::fs::read_to_string(&fixture) else {
        println!("SKIPPED: ../shared/reference absent; cacti_calls of tpu_like_cacti.json not compared");
        return;
    };
    let v: Value = serde_json::from_str(&text).unwrap();
    let calls = v["cacti_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    for (call, (q, c)) in calls.iter().zip([(&rf, got[0]), (&sram, got[1])]) {
        let k = &call["kwargs"];
        let m = memory(
            k["mem_name"].as_str().unwrap(),
            k["mem_type"].as_str().unwrap(),
            k["size"].as_u64().unwrap(),
            k["r_bw"].as_u64().unwrap(),
        );
        assert_eq!(&CactiQuery::for_memory(&m).unwrap(), q);
        assert_eq!(call["r_cost"].as_f64().unwrap(), c.r_cost);
        assert_eq!(call["w_cost"].as_f64().unwrap(), c.w_cost);
        assert_eq!(call["area"].as_f64().unwrap(), c.area);
    }
}
