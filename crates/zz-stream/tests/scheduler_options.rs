//! Scheduler options, schedule invariants and error paths: a hand-built two-layer input (which also shows how
//! to fill a [`ScheduleInput`]), and the oracle fixtures run with the non-default options.

use serde_json::Value;
use zz_stream::schedule_input::{
    CnOperand, Core, Edge, Link, LinkKind, MemOperand, MemoryInstance, Path as LinkPath, ScheduleInput, SchedulerCn,
    Tensor, TopMemory, Topology,
};
use zz_stream::scheduler::{Schedule, ScheduleError, ScheduleOptions, TransferCause, schedule};
use zz_test_support::stream_fixture::{from_fixture, options_from_fixture};

fn mem(name: &str, capacity: u64, cores: Vec<usize>) -> MemoryInstance {
    MemoryInstance {
        name: name.into(),
        capacity,
        read_cost: 10.0,
        write_cost: 12.0,
        port_bw_min: 64.0,
        port_bw_max: 128.0,
        cores,
    }
}

fn tensor(
    layer: u32,
    origin: usize,
    op: &str,
    memop: MemOperand,
    oy: (i64, i64),
    size: u64,
    base: Option<i64>,
) -> Tensor {
    // activations are indexed by OY, weights by K (one loop dimension keeps the example small)
    let dim = if op == "W" { "K" } else { "OY" };
    Tensor {
        layer,
        origin,
        layer_operand: op.into(),
        memory_operand: memop,
        loop_dims: vec![dim.into()],
        loop_ranges: vec![oy],
        size,
        base_priority: base,
    }
}

fn cn(layer: u32, tensors: [usize; 3], runtime: f64, constant_input: bool) -> SchedulerCn {
    let operands = vec![
        CnOperand { name: "O".into(), memory_operand: MemOperand::O, tensor: tensors[0] },
        CnOperand { name: "W".into(), memory_operand: MemOperand::I2, tensor: tensors[1] },
        CnOperand { name: "I".into(), memory_operand: MemOperand::I1, tensor: tensors[2] },
    ];
    SchedulerCn {
        layer,
        sub_id: 0,
        core: 0,
        runtime,
        onchip_energy: 100.0,
        offchip_energy: 0.0,
        too_large_operands: vec![],
        offchip_bandwidth: vec![],
        produces_final_output: true,
        total_inter_core_splits: 1,
        operands,
        output_operand: 0,
        constant_operands: if constant_input { vec![1, 2] } else { vec![1] },
        partially_constant_operands: vec![],
        intra_core_tiling_dims: vec![],
        loop_ranges: vec![("OY".into(), (0, 4))],
    }
}

/// Core 0 (activation memory of `act_capacity` bits for I1/O, weight memory for I2), DRAM core 1, one 64-bit bus;
/// layer 0 (input from DRAM) feeds layer 1, both on core 0.
fn two_layers(act_capacity: u64) -> ScheduleInput {
    let topology = Topology {
        cores: vec![
            Core {
                id: 0,
                name: "core0".into(),
                top_memories: vec![
                    TopMemory { memory: 0, operands: vec![MemOperand::I1, MemOperand::O] },
                    TopMemory { memory: 1, operands: vec![MemOperand::I2] },
                ],
            },
            Core {
                id: 1,
                name: "dram".into(),
                top_memories: vec![TopMemory {
                    memory: 2,
                    operands: vec![MemOperand::I1, MemOperand::I2, MemOperand::O],
                }],
            },
        ],
        memories: vec![mem("act", act_capacity, vec![0]), mem("w", 1 << 20, vec![0]), mem("dram", 1 << 40, vec![1])],
        links: vec![Link { bandwidth: 64.0, unit_energy_cost: 1.0, kind: LinkKind::Bus, endpoints: None }],
        paths: vec![
            LinkPath { sender: 0, receiver: 1, links: vec![0] },
            LinkPath { sender: 1, receiver: 0, links: vec![0] },
        ],
        offchip_core: 1,
    };
    let tensors = vec![
        tensor(0, 0, "O", MemOperand::O, (0, 4), 4096, None),
        tensor(0, 0, "W", MemOperand::I2, (0, 4), 640, Some(1)),
        tensor(0, 0, "I", MemOperand::I1, (0, 6), 1280, Some(1)),
        tensor(1, 1, "O", MemOperand::O, (0, 4), 2048, None),
        tensor(1, 1, "W", MemOperand::I2, (0, 4), 320, Some(1)),
        tensor(1, 1, "I", MemOperand::I1, (-1, 5), 6144, None),
    ];
    ScheduleInput {
        topology,
        cns: vec![cn(0, [0, 1, 2], 1000.0, true), cn(1, [3, 4, 5], 500.5, false)],
        tensors,
        edges: vec![Edge { src: 0, dst: 1, operand: Some("I".into()), bits: 4096 }],
        scheduling_order: vec![1, 0],
    }
}

/// Dependencies respected, no overlap on a core, end = start + runtime, transfers well-formed.
fn check_invariants(input: &ScheduleInput, s: &Schedule) {
    for (i, c) in s.cns.iter().enumerate() {
        assert_eq!(c.end, c.start + input.cns[i].runtime, "CN {i}");
        assert!(c.start >= 0.0);
    }
    for e in &input.edges {
        assert!(s.cns[e.dst].start >= s.cns[e.src].end, "edge {} -> {} violated", e.src, e.dst);
    }
    let mut per_core: Vec<Vec<(f64, f64)>> = vec![Vec::new(); input.topology.cores.len()];
    for c in &s.cns {
        per_core[c.core].push((c.start, c.end));
    }
    for v in &mut per_core {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in v.windows(2) {
            assert!(w[1].0 >= w[0].1, "overlapping CNs on a core: {w:?}");
        }
    }
    for t in &s.transfers {
        assert!(t.end >= t.start && t.start >= 0.0);
    }
    let max_end = s.cns.iter().map(|c| c.end).fold(0.0, f64::max);
    assert!(s.latency >= max_end);
}

#[test]
fn two_layer_input_schedules() {
    let input = two_layers(1 << 20);
    let s = schedule(&input, &ScheduleOptions::default()).unwrap();
    check_invariants(&input, &s);
    // layer 0 fetches W and I from DRAM, layer 1 only its W (the activation stays on the core); layer 1 is a
    // sink layer, so its output is written back
    let causes: Vec<TransferCause> = s.transfers.iter().map(|t| t.cause).collect();
    use TransferCause::{OffChip, SinkLayer};
    assert_eq!(causes, [OffChip, OffChip, OffChip, SinkLayer]);
    // one 64-bit bus: 640/64 = 10 and 1280/64 = 20 cycles, in needed-list order (W, then I)
    let times: Vec<(f64, f64)> = s.transfers.iter().map(|t| (t.start, t.end)).collect();
    assert_eq!(times[0], (0.0, 10.0));
    assert_eq!(times[1], (10.0, 30.0));
    assert_eq!((s.cns[0].start, s.cns[0].end), (30.0, 1030.0));
    // layer 1's inputs may start before the core is idle by their DRAM transfer time (ceil(320/128) +
    // ceil(4096/128) = 35 cycles, the on-chip activation included)
    assert_eq!(times[2], (995.0, 1000.0));
    assert_eq!((s.cns[1].start, s.cns[1].end), (1030.0, 1530.5));
    assert_eq!(times[3], (1530.5, 1562.5));
    assert_eq!(s.latency, 1562.5);
    // link energy = busy cycles x unit energy; memory energy = DRAM read + SRAM write per 64-bit word, each at
    // cost x 64/128
    assert_eq!(s.energy.cn_onchip, 200.0);
    assert_eq!(s.energy.cn_offchip_link, 35.0);
    assert_eq!(s.energy.cn_offchip_memory, 35.0 * (10.0 + 12.0) / 2.0);
    assert_eq!(s.energy.sink_layer_output_offchip_link, 32.0);
    assert_eq!(s.energy.sink_layer_output_offchip_memory, 32.0 * (10.0 + 12.0) / 2.0);
    // activation memory: input from 10, layer-0 output from 30, layer-1 output from 1030 (input released), the
    // layer-0 output released at 1530.5 and the written-back output at 1562.5; fractional times truncated
    assert_eq!(
        s.memories[0].timeline,
        [(0.0, 0), (10.0, 1280), (30.0, 5376), (1030.0, 6144), (1530.0, 2048), (1562.0, 0)]
    );
    assert_eq!(s.memories[0].peak, 6144);
    let exact = schedule(&input, &ScheduleOptions { exact_memory_timesteps: true, ..Default::default() }).unwrap();
    assert_eq!(exact.memories[0].timeline[4..], [(1530.5, 2048), (1562.5, 0)]);
}

#[test]
fn too_small_memory_is_an_error() {
    let input = two_layers(2000);
    match schedule(&input, &ScheduleOptions::default()) {
        Err(e @ ScheduleError::TensorLargerThanMemory { .. }) => {
            assert!(e.to_string().contains("larger than the capacity"), "{e}")
        }
        other => panic!("expected TensorLargerThanMemory, got {other:?}"),
    }
}

#[test]
fn cyclic_dependencies_are_an_error() {
    let mut input = two_layers(1 << 20);
    input.edges.push(Edge { src: 1, dst: 0, operand: Some("I".into()), bits: 1 });
    assert!(matches!(schedule(&input, &ScheduleOptions::default()), Err(ScheduleError::NoCandidate { .. })));
}

#[test]
fn inconsistent_input_is_an_error() {
    let mut input = two_layers(1 << 20);
    input.scheduling_order.pop();
    assert!(matches!(schedule(&input, &ScheduleOptions::default()), Err(ScheduleError::Input(_))));
    let mut input = two_layers(1 << 20);
    input.cns[0].core = 7;
    assert!(matches!(schedule(&input, &ScheduleOptions::default()), Err(ScheduleError::Input(_))));
    let mut input = two_layers(1 << 20);
    input.topology.paths.clear();
    assert!(matches!(schedule(&input, &ScheduleOptions::default()), Err(ScheduleError::NoPath(1, 0))));
}

fn load(name: &str) -> Option<(Value, ScheduleInput)> {
    let p = zz_test_support::reference_path().join("stream/oracle").join(format!("{name}.json"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(p).ok()?).unwrap();
    let input = from_fixture(&json).unwrap();
    Some((json, input))
}

const ALL: &[&str] = &[
    "testing_1_core_lbl",
    "testing_1_core_fused_oy_all_order_id_desc",
    "testing_2_cores_lbl",
    "testing_2_cores_fused",
    "testing_2_cores_fused_oy_all",
    "testing_3_layers_2_cores_fused",
    "testing_3_layers_2_cores_fused_oy_all_order_id_desc",
    "testing_4_cores_lbl",
    "testing_4_cores_fused_oy_all_order_id_desc",
    "testing_shared_2_cores_fused_alignports",
    "tutorial_lab1_lbl_fixed",
    "tutorial_lab2_lbl_k3",
    "tutorial_lab3_fused_fixed_from_ga",
    "resnet18_tpu_quad_lbl",
    "resnet18_tpu_quad_fused_fixed",
];

#[test]
fn fixtures_satisfy_invariants_under_all_options() {
    if !zz_test_support::reference_path().exists() {
        println!("SKIPPED: ../shared/reference absent");
        return;
    }
    for name in ALL {
        let Some((json, input)) = load(name) else { continue };
        let base = options_from_fixture(&json);
        let variants = [
            ScheduleOptions { ..base.clone() },
            ScheduleOptions { layer_sync: false, ..base.clone() },
            ScheduleOptions { exact_memory_timesteps: true, ..base.clone() },
            ScheduleOptions { sink_layers_ignore_intra_edges: true, ..base.clone() },
            ScheduleOptions { fix_memory_operands: true, ..base.clone() },
            ScheduleOptions { prefetch_operands: vec!["W".into()], ..base.clone() },
        ];
        for (k, o) in variants.iter().enumerate() {
            match schedule(&input, o) {
                Ok(s) => check_invariants(&input, &s),
                // with everything prefetched some memories legitimately overflow
                Err(e) => println!("{name} variant {k}: {e}"),
            }
        }
    }
}

#[test]
fn memory_operand_fix_changes_nothing_on_shared_activation_memories() {
    // every fixture core keeps I1 and O in one memory, where the reference quirk has no effect
    for name in ALL {
        let Some((json, input)) = load(name) else { continue };
        let base = options_from_fixture(&json);
        let a = schedule(&input, &base).unwrap();
        let b = schedule(&input, &ScheduleOptions { fix_memory_operands: true, ..base }).unwrap();
        assert_eq!(a.latency, b.latency, "{name}");
        assert_eq!(a.energy, b.energy, "{name}");
        assert!(a.cns.iter().zip(&b.cns).all(|(x, y)| x.start == y.start), "{name}");
    }
}

#[test]
fn sink_fix_writes_final_outputs_back() {
    let Some((json, input)) = load("testing_2_cores_fused_oy_all") else { return };
    let base = options_from_fixture(&json);
    let a = schedule(&input, &base).unwrap();
    assert_eq!(a.energy.sink_layer_output_offchip_memory, 0.0);
    let b = schedule(&input, &ScheduleOptions { sink_layers_ignore_intra_edges: true, ..base }).unwrap();
    let sinks = b.transfers.iter().filter(|t| t.cause == TransferCause::SinkLayer).count();
    assert_eq!(sinks, 3, "one write-back per CN of the last layer");
    assert!(b.energy.sink_layer_output_offchip_memory > 0.0);
}

#[test]
fn exact_memory_timesteps_keep_fractions() {
    let Some((json, input)) = load("resnet18_tpu_quad_fused_fixed") else { return };
    let base = options_from_fixture(&json);
    let a = schedule(&input, &base).unwrap();
    assert!(a.memories.iter().all(|m| m.timeline.iter().all(|p| p.0.fract() == 0.0)));
    let b = schedule(&input, &ScheduleOptions { exact_memory_timesteps: true, ..base }).unwrap();
    assert!(b.memories.iter().any(|m| m.timeline.iter().any(|p| p.0.fract() != 0.0)));
}

#[test]
fn streamed_output_and_sub_tensor_split() {
    // the activation memory cannot hold layer 0's input and output together, so its output is streamed to DRAM
    // (blocking the bus at the CN's average DRAM bandwidth); layer 1 is OY-tiled and needs only rows 0..2 of it,
    // so the DRAM tensor is cut to that slice before the transfer
    let mut input = two_layers(5000);
    input.cns[0].too_large_operands = vec![MemOperand::O];
    input.cns[0].offchip_bandwidth =
        vec![(MemOperand::O, zz_stream::schedule_input::OffchipBandwidth { wr_in_by_low: 8.0, ..Default::default() })];
    input.cns[1].intra_core_tiling_dims = vec!["OY".into()];
    input.cns[1].loop_ranges = vec![("OY".into(), (0, 2))];
    let s = schedule(&input, &ScheduleOptions::default()).unwrap();
    check_invariants(&input, &s);
    assert_eq!(s.blocks.len(), 1);
    assert_eq!((s.blocks[0].start, s.blocks[0].duration), (s.cns[0].start, 1000.0));
    assert_eq!(s.cns[0].too_large_operands, [MemOperand::O]);
    assert_eq!(s.sub_tensors.len(), 1);
    assert_eq!(s.sub_tensors[0].loop_ranges, [(0, 2)]);
    assert_eq!(s.sub_tensors[0].size, 2048);
    let sub_id = input.tensors.len();
    let t = s.transfers.iter().find(|t| t.tensor == sub_id).expect("the slice is transferred");
    assert_eq!((t.sender, t.receiver, t.end - t.start), (1, 0, 32.0));
    // the block is a communication event with the CN's DRAM energy, not booked again in the totals
    assert_eq!(s.communication_events.iter().filter(|e| e.kind == zz_stream::scheduler::EventKind::Block).count(), 1);
    assert_eq!(
        s.energy.cn_offchip_memory,
        0.0 + s.transfers.iter().filter(|t| t.cause == TransferCause::OffChip).map(|t| t.memory_energy).sum::<f64>()
    );
}
