//! The report DTO of a multi-core schedule ([`StreamReport`]), filled from the engine's
//! prepared workload, scheduler input and schedule.

use zz_ir::stream::accelerator::{CoreType, StreamLinkKind};
use zz_report::stream::{CnReport, CoreReport, LinkReport, MemoryTimeline, StreamReport, TransferReport};
use zz_stream::pipeline;
use zz_stream::schedule_input::ScheduleInput;
use zz_stream::scheduler::{Schedule, TransferCause};

/// The report of a schedule: totals, energy buckets, per-core utilisation and peak memory,
/// links, every CN, transfer and memory timeline. `workload_name` and `mode` label it.
pub(crate) fn build_report(
    workload_name: &str,
    mode: &str,
    prep: &pipeline::Prepared,
    input: &ScheduleInput,
    s: &Schedule,
) -> StreamReport {
    let mut r = StreamReport::new(prep.accelerator.name.clone(), workload_name.to_string(), mode.to_string());
    r.latency = s.latency;
    r.energy = s.energy.total();
    r.temporal_search = prep.costs.search_stats().map(|(t, n)| zz_report::stream::TemporalSearchReport {
        engine: "optimal".into(),
        evaluations: n,
        spatial_mappings: t.searches as u64,
        orderings: t.space as f64,
        evaluated: t.evaluated,
        pruned: t.pruned as f64,
        stopped: t.stopped as u64,
        inexact_ties: t.inexact_ties as u64,
        seconds: t.seconds,
    });
    let e = &s.energy;
    for (k, v) in [
        ("CN on-chip", e.cn_onchip),
        ("CN off-chip link", e.cn_offchip_link),
        ("CN off-chip memory", e.cn_offchip_memory),
        ("eviction link", e.eviction_to_offchip_link),
        ("eviction memory", e.eviction_to_offchip_memory),
        ("sink-layer output link", e.sink_layer_output_offchip_link),
        ("sink-layer output memory", e.sink_layer_output_offchip_memory),
        ("core-to-core link", e.core_to_core_link),
        ("core-to-core memory", e.core_to_core_memory),
    ] {
        r.energy_buckets.insert(k, v);
    }
    let layer_name = |l: u32| {
        prep.graph
            .layers
            .iter()
            .find(|t| t.id == l as usize)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| format!("layer {l}"))
    };
    for (k, c) in input.topology.cores.iter().enumerate() {
        let hw = prep.accelerator.cores.iter().find(|x| x.id == c.id);
        // `+ 0.0`: an empty float sum is -0.0, printed as "-0.0 %".
        let busy: f64 = s.cns.iter().filter(|x| x.core == k).map(|x| x.end - x.start).sum::<f64>() + 0.0;
        let mems: Vec<usize> = c.top_memories.iter().map(|t| t.memory).collect();
        let peak = mems.iter().map(|&m| s.memories[m].peak as f64).fold(0.0, f64::max);
        let cap = mems.iter().map(|&m| input.topology.memories[m].capacity as f64).fold(0.0, f64::max);
        r.cores.push(CoreReport {
            id: k,
            name: format!("core{} {}", c.id, c.name),
            kind: match hw.map(|h| h.core_type) {
                Some(CoreType::Memory) => "offchip".into(),
                _ => "compute".into(),
            },
            utilization: if s.latency > 0.0 { busy / s.latency } else { 0.0 },
            busy_cycles: busy,
            peak_memory_bits: peak,
            memory_capacity_bits: cap,
        });
    }
    for (k, l) in input.topology.links.iter().enumerate() {
        let name = match l.endpoints {
            Some((a, b)) => format!("{}→{}", input.topology.cores[a].name, input.topology.cores[b].name),
            None => format!("bus {k}"),
        };
        r.links.push(LinkReport { id: k, name, bandwidth: l.bandwidth });
    }
    let used = prep.accelerator.used_links();
    r.replaced_links =
        prep.accelerator.links.iter().filter(|l| l.kind == StreamLinkKind::Link && !used.contains(&l.id)).count();
    r.unsplit_on_chip_inputs = s.unsplit_on_chip.iter().map(|(l, sub, t)| format!("CN ({l}, {sub}) <- {t}")).collect();
    for (k, c) in s.cns.iter().enumerate() {
        let cn = &input.cns[k];
        r.cns.push(CnReport {
            layer: c.layer as usize,
            sub_id: c.sub_id as usize,
            name: layer_name(c.layer),
            core: c.core,
            start: c.start,
            end: c.end,
            energy: cn.onchip_energy + cn.offchip_energy,
        });
    }
    for t in &s.transfers {
        let tensor = input.tensors.get(t.tensor);
        r.transfers.push(TransferReport {
            tensor: tensor.map(|x| format!("L{} {} {:?}", x.layer, x.layer_operand, x.loop_ranges)).unwrap_or_default(),
            layer: tensor.map(|x| x.layer as usize).unwrap_or(0),
            operand: tensor.map(|x| x.layer_operand.clone()).unwrap_or_default(),
            src_core: t.sender,
            dst_core: t.receiver,
            links: t.links.clone(),
            start: t.start,
            end: t.end,
            bits: t.size as f64,
            cause: match t.cause {
                TransferCause::OffChip => "fetch",
                TransferCause::CoreToCore => "core-to-core",
                TransferCause::Eviction => "eviction",
                TransferCause::SinkLayer => "sink",
            }
            .into(),
        });
    }
    for (m, u) in s.memories.iter().enumerate() {
        let mi = &input.topology.memories[m];
        r.memory.push(MemoryTimeline {
            core: mi.cores.first().copied().unwrap_or(0),
            instance: mi.name.clone(),
            capacity_bits: mi.capacity as f64,
            points: u.timeline.iter().map(|&(t, v)| (t, v as f64)).collect(),
        });
    }
    r
}
