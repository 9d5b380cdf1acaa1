//! Hand-made stream reports shared by the unit tests (test builds only): a small schedule on 3
//! cores + offchip with 2 links, and a big synthetic one (2,400 CNs, 5,000 transfers).

use super::model::{CnReport, CoreReport, LinkReport, MemoryTimeline, StreamReport, TransferReport};
use crate::ordered_map::OrderedMap;

fn core(id: usize, name: &str, kind: &str, busy: f64, latency: f64, peak: f64, cap: f64) -> CoreReport {
    CoreReport {
        id,
        name: name.into(),
        kind: kind.into(),
        utilization: busy / latency,
        busy_cycles: busy,
        peak_memory_bits: peak,
        memory_capacity_bits: cap,
    }
}

fn cn(layer: usize, sub_id: usize, name: &str, core: usize, start: f64, end: f64, energy: f64) -> CnReport {
    CnReport { layer, sub_id, name: name.into(), core, start, end, energy }
}

#[allow(clippy::too_many_arguments)]
fn transfer(
    tensor: &str,
    layer: usize,
    operand: &str,
    src: usize,
    dst: usize,
    links: &[usize],
    start: f64,
    end: f64,
    bits: f64,
    cause: &str,
) -> TransferReport {
    TransferReport {
        tensor: tensor.into(),
        layer,
        operand: operand.into(),
        src_core: src,
        dst_core: dst,
        links: links.to_vec(),
        start,
        end,
        bits,
        cause: cause.into(),
    }
}

/// 3 cores (2 compute, 1 SIMD) + offchip, links `core0<->core1` and `bus`, 10 CNs of 3 layers,
/// 6 transfers, 3 memory timelines.
pub fn small_stream_report() -> StreamReport {
    let mut r = StreamReport::new("two_core_plus_simd", "resnet_snippet", "fused");
    r.latency = 10_000.0;
    let buckets = [
        ("onchip compute", 600_000.0),
        ("offchip link", 40_000.0),
        ("offchip memory", 250_000.0),
        ("eviction link", 5_000.0),
        ("eviction memory", 20_000.0),
        ("sink writeback", 30_000.0),
        ("core-to-core link", 8_000.0),
        ("core-to-core memory", 12_000.0),
    ];
    r.energy_buckets = buckets.iter().map(|&(k, v)| (k, v)).collect::<OrderedMap<f64>>();
    r.energy = buckets.iter().map(|b| b.1).sum();
    let kib = 8.0 * 1024.0;
    r.cores = vec![
        core(0, "core0", "compute", 6_000.0, r.latency, 300.0 * kib, 512.0 * kib),
        core(1, "core1", "compute", 5_000.0, r.latency, 410.0 * kib, 512.0 * kib),
        core(2, "simd", "simd", 1_200.0, r.latency, 40.0 * kib, 64.0 * kib),
        core(3, "offchip", "offchip", 0.0, r.latency, 0.0, 0.0),
    ];
    r.links = vec![
        LinkReport { id: 0, name: "core0<->core1".into(), bandwidth: 64.0 },
        LinkReport { id: 1, name: "bus".into(), bandwidth: 128.0 },
    ];
    r.cns = vec![
        cn(0, 0, "conv1", 0, 500.0, 2_000.0, 60_000.0),
        cn(0, 1, "conv1", 1, 600.0, 2_100.0, 60_000.0),
        cn(0, 2, "conv1", 0, 2_000.0, 3_500.0, 60_000.0),
        cn(0, 3, "conv1", 1, 2_100.0, 3_600.0, 60_000.0),
        cn(1, 0, "conv2", 0, 3_600.0, 5_000.0, 70_000.0),
        cn(1, 1, "conv2", 1, 3_700.0, 5_200.0, 70_000.0),
        cn(1, 2, "conv2", 0, 5_100.0, 6_500.0, 70_000.0),
        cn(1, 3, "conv2", 1, 5_300.0, 6_000.0, 70_000.0),
        cn(2, 0, "add", 2, 6_600.0, 7_200.0, 15_000.0),
        cn(2, 1, "add", 2, 7_300.0, 7_900.0, 15_000.0),
    ];
    r.transfers = vec![
        transfer("W[L0]", 0, "W", 3, 0, &[1], 0.0, 480.0, 61_440.0, "fetch"),
        transfer("W[L0]", 0, "W", 3, 1, &[1], 100.0, 580.0, 61_440.0, "fetch"),
        transfer("O[L0, #1]", 0, "O", 1, 0, &[0], 3_600.0, 3_700.0, 6_400.0, "fetch"),
        transfer("I[L1, #0]", 1, "I", 0, 3, &[1], 4_000.0, 4_400.0, 51_200.0, "eviction"),
        transfer("O[L1, #2]", 1, "O", 0, 2, &[0, 1], 6_500.0, 6_600.0, 6_400.0, "fetch"),
        transfer("O[L2, #1]", 2, "O", 2, 3, &[1], 7_900.0, 10_000.0, 268_800.0, "sink"),
    ];
    r.memory = vec![
        MemoryTimeline {
            core: 0,
            instance: "sram_512KB".into(),
            capacity_bits: 512.0 * kib,
            points: vec![
                (0.0, 0.0),
                (480.0, 60.0 * kib),
                (2_000.0, 180.0 * kib),
                (3_700.0, 300.0 * kib),
                (6_500.0, 90.0 * kib),
                (8_000.0, 0.0),
            ],
        },
        MemoryTimeline {
            core: 1,
            instance: "sram_512KB".into(),
            capacity_bits: 512.0 * kib,
            points: vec![
                (0.0, 0.0),
                (580.0, 60.0 * kib),
                (2_100.0, 200.0 * kib),
                (5_200.0, 410.0 * kib),
                (6_000.0, 0.0),
            ],
        },
        MemoryTimeline {
            core: 2,
            instance: "simd_buf".into(),
            capacity_bits: 64.0 * kib,
            points: vec![(0.0, 0.0), (6_600.0, 25.0 * kib), (7_300.0, 40.0 * kib), (7_900.0, 0.0)],
        },
    ];
    r
}

/// A tiny deterministic generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 4 compute cores, a SIMD core and offchip, 7 links, 48 layers of 50 CNs (2,400 CNs) and 5,000
/// transfers (many overlapping on the bus), one memory timeline per on-chip core.
pub fn big_stream_report() -> StreamReport {
    let mut rng = Lcg(7);
    let mut r = StreamReport::new("quad_core_mesh_with_simd", "resnet18_tiled", "fused");
    let kib = 8.0 * 1024.0;
    r.cores = (0..4).map(|i| core(i, &format!("core{i}"), "compute", 0.0, 1.0, 0.0, 1024.0 * kib)).collect();
    r.cores.push(core(4, "simd", "simd", 0.0, 1.0, 0.0, 128.0 * kib));
    r.cores.push(core(5, "offchip", "offchip", 0.0, 1.0, 0.0, 0.0));
    let pairs = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 4), (2, 4)];
    r.links = pairs
        .iter()
        .enumerate()
        .map(|(i, (a, b))| LinkReport { id: i, name: format!("core{a}<->core{b}"), bandwidth: 64.0 })
        .collect();
    r.links.push(LinkReport { id: 6, name: "bus".into(), bandwidth: 128.0 });
    let mut core_free = [0.0f64; 5];
    for layer in 0..48 {
        let name = if layer % 6 == 5 {
            format!("layer{}/add", layer / 6)
        } else {
            format!("layer{}/conv{}", layer / 6, layer % 6)
        };
        for sub in 0..50 {
            let core = if layer % 6 == 5 { 4 } else { (layer + sub) % 4 };
            let start = core_free[core] + (rng.next() * 40.0).floor();
            let end = start + 80.0 + (rng.next() * 400.0).floor();
            core_free[core] = end;
            r.cns.push(cn(layer, sub, &name, core, start, end, 1_000.0 + rng.next() * 5_000.0));
        }
    }
    r.latency = core_free.iter().copied().fold(0.0, f64::max);
    for (i, c) in r.cores.iter_mut().enumerate() {
        let busy: f64 = r.cns.iter().filter(|cn| cn.core == i).map(|cn| cn.end - cn.start).sum();
        c.busy_cycles = busy;
        c.utilization = busy / r.latency;
    }
    let causes = ["fetch", "fetch", "fetch", "eviction", "sink"];
    for i in 0..5_000 {
        let layer = i % 48;
        let link = (rng.next() * 7.0) as usize;
        let (src, dst) = if link == 6 { (5, i % 5) } else { pairs[link] };
        let start = (rng.next() * (r.latency - 200.0)).floor();
        let end = start + 20.0 + (rng.next() * 180.0).floor();
        let operand = ["I", "W", "O"][i % 3];
        r.transfers.push(transfer(
            &format!("{operand}[L{layer}, #{}]", i % 50),
            layer,
            operand,
            src,
            dst,
            &[link],
            start,
            end,
            1_024.0 * (1.0 + (rng.next() * 16.0).floor()),
            causes[i % causes.len()],
        ));
    }
    for c in 0..5 {
        let cap = r.cores[c].memory_capacity_bits;
        let mut points = vec![(0.0, 0.0)];
        let mut used = 0.0f64;
        let mut t = 0.0;
        while t < r.latency {
            t += 50.0 + (rng.next() * 400.0).floor();
            used = (used + (rng.next() - 0.45) * cap * 0.1).clamp(0.0, cap * 0.95);
            points.push((t.min(r.latency), used));
        }
        r.cores[c].peak_memory_bits = points.iter().map(|p| p.1).fold(0.0, f64::max);
        r.memory.push(MemoryTimeline {
            core: c,
            instance: format!("sram_{}", r.cores[c].name),
            capacity_bits: cap,
            points,
        });
    }
    r.memory.push(MemoryTimeline { core: 5, instance: "dram".into(), capacity_bits: 8e9, points: vec![(0.0, 0.0)] });
    r.energy_buckets = [
        ("onchip compute", r.cns.iter().map(|c| c.energy).sum::<f64>()),
        ("offchip link", 2.0e6),
        ("offchip memory", 9.0e6),
        ("core-to-core link", 1.0e6),
    ]
    .into_iter()
    .collect();
    r.energy = r.energy_buckets.values().sum();
    r
}
