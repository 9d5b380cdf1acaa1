//! End to end from the input files: reading, CN generation, per-CN costs, allocation and
//! scheduling order are turned into the list scheduler's input ([`pipeline::schedule_input`]),
//! which must equal the one rebuilt from each oracle fixture (CNs with core, runtime,
//! energies, too-large operands and bandwidths; tensors with origin and base priority;
//! edges; topology; scheduling order); the scheduler run on it must then give the
//! fixture's latency (exact) and energy (relative 1e-9).

mod common;

use common::*;
use serde_json::Value;
use zz_stream::pipeline::{self, Allocation, SchedulingOrder};
use zz_stream::schedule_input::ScheduleInput;
use zz_test_support::stream_fixture::{from_fixture, options_from_fixture};

fn allocation(json: &Value) -> Allocation {
    let mut a = Allocation::default();
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
    if let (Some(genes), Some(chosen)) =
        (json["ga"]["layer_groups_flexible"].as_array(), json["ga"]["chosen"]["allocation"].as_array())
    {
        for (g, c) in genes.iter().zip(chosen) {
            a.chosen.push((
                g[0].as_u64().unwrap() as usize,
                g[1].as_u64().unwrap() as usize,
                c.as_u64().unwrap() as usize,
            ));
        }
    }
    a
}

fn order(json: &Value) -> SchedulingOrder {
    match json["meta"]["options"]["scheduling_order"].as_str() {
        Some("id-desc") => SchedulingOrder::IdDesc,
        Some("id-asc") => SchedulingOrder::IdAsc,
        _ => SchedulingOrder::Stream,
    }
}

fn same(a: f64, b: f64) -> bool {
    rel_close(a, b)
}

/// Differences between our input and the one rebuilt from the fixture.
fn compare_inputs(mine: &ScheduleInput, theirs: &ScheduleInput) -> Vec<String> {
    let mut d = Vec::new();
    let key = |i: &ScheduleInput, t: usize| {
        let x = &i.tensors[t];
        let r: Vec<String> = x.loop_ranges.iter().map(|(a, b)| format!("{a}:{b}")).collect();
        format!("{}|{}|{}", x.layer, x.layer_operand, r.join(","))
    };
    if mine.cns.len() != theirs.cns.len() {
        d.push(format!("{} CNs vs {}", mine.cns.len(), theirs.cns.len()));
        return d;
    }
    for t in &theirs.cns {
        let Some(i) = mine.find_cn(t.layer, t.sub_id) else {
            d.push(format!("CN ({}, {}) missing", t.layer, t.sub_id));
            continue;
        };
        let m = &mine.cns[i];
        let tag = format!("CN ({}, {})", t.layer, t.sub_id);
        if m.core != t.core || m.runtime != t.runtime {
            d.push(format!("{tag}: core/runtime {}/{} vs {}/{}", m.core, m.runtime, t.core, t.runtime));
        }
        if !same(m.onchip_energy, t.onchip_energy) || !same(m.offchip_energy, t.offchip_energy) {
            d.push(format!("{tag}: energies"));
        }
        if m.too_large_operands != t.too_large_operands {
            d.push(format!("{tag}: too large {:?} vs {:?}", m.too_large_operands, t.too_large_operands));
        }
        let bw = |x: &zz_stream::schedule_input::SchedulerCn| -> Vec<(String, [f64; 4])> {
            let mut v: Vec<_> = x
                .offchip_bandwidth
                .iter()
                .map(|(o, b)| (o.to_string(), [b.rd_out_to_low, b.wr_in_by_low, b.rd_out_to_high, b.wr_in_by_high]))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        if bw(m) != bw(t) {
            d.push(format!("{tag}: bandwidth {:?} vs {:?}", bw(m), bw(t)));
        }
        if m.produces_final_output != t.produces_final_output
            || m.total_inter_core_splits != t.total_inter_core_splits
            || m.intra_core_tiling_dims != t.intra_core_tiling_dims
            || m.constant_operands != t.constant_operands
            || m.output_operand != t.output_operand
        {
            d.push(format!("{tag}: flags/tiling/operands differ"));
        }
        for (a, b) in m.operands.iter().zip(&t.operands) {
            let (ta, tb) = (&mine.tensors[a.tensor], &theirs.tensors[b.tensor]);
            if a.name != b.name
                || a.memory_operand != b.memory_operand
                || key(mine, a.tensor) != key(theirs, b.tensor)
                || ta.size != tb.size
                || ta.base_priority != tb.base_priority
                || ta.memory_operand != tb.memory_operand
                || (mine.cns[ta.origin].layer, mine.cns[ta.origin].sub_id)
                    != (theirs.cns[tb.origin].layer, theirs.cns[tb.origin].sub_id)
            {
                d.push(format!(
                    "{tag}: operand {} tensor {} (prio {:?}) vs {} (prio {:?})",
                    a.name,
                    key(mine, a.tensor),
                    ta.base_priority,
                    key(theirs, b.tensor),
                    tb.base_priority
                ));
            }
        }
    }
    let ord = |i: &ScheduleInput| -> Vec<(u32, u32)> {
        i.scheduling_order.iter().map(|&c| (i.cns[c].layer, i.cns[c].sub_id)).collect()
    };
    if ord(mine) != ord(theirs) {
        d.push("scheduling order differs".into());
    }
    // Topology: memories by name and cores, links, paths.
    let (tm, tt) = (&mine.topology, &theirs.topology);
    let mems = |t: &zz_stream::schedule_input::Topology| -> Vec<(String, Vec<usize>, u64)> {
        let mut v: Vec<_> = t.memories.iter().map(|m| (m.name.clone(), m.cores.clone(), m.capacity)).collect();
        v.sort();
        v
    };
    if mems(tm) != mems(tt) {
        d.push(format!("memories {:?} vs {:?}", mems(tm), mems(tt)));
    }
    let links = |t: &zz_stream::schedule_input::Topology| -> Vec<String> {
        t.links
            .iter()
            .map(|l| format!("{:?} {} {} {:?}", l.kind, l.bandwidth, l.unit_energy_cost, l.endpoints))
            .collect()
    };
    if links(tm) != links(tt) {
        d.push(format!("links {:?} vs {:?}", links(tm), links(tt)));
    }
    for p in &tt.paths {
        let q = tm.paths.iter().find(|q| q.sender == p.sender && q.receiver == p.receiver);
        if q.map(|q| &q.links) != Some(&p.links) {
            d.push(format!("path {}->{}: {:?} vs {:?}", p.sender, p.receiver, q.map(|q| &q.links), p.links));
        }
    }
    let edges = |i: &ScheduleInput| -> Vec<(u32, u32, u32, u32, Option<String>, u64)> {
        let mut v: Vec<_> = i
            .edges
            .iter()
            .map(|e| {
                let (a, b) = (&i.cns[e.src], &i.cns[e.dst]);
                (a.layer, a.sub_id, b.layer, b.sub_id, e.operand.clone(), e.bits)
            })
            .collect();
        v.sort();
        v
    };
    if edges(mine) != edges(theirs) {
        d.push("edges differ".into());
    }
    d
}

#[test]
fn pipeline_reproduces_fixture_inputs_and_schedules() {
    let Some(files) = fixtures() else {
        println!("SKIPPED: ../shared/reference absent");
        return;
    };
    let only = std::env::var("ZZ_STREAM_FIXTURE").ok();
    let (mut inputs_ok, mut sched_ok, mut total) = (0, 0, 0);
    let mut failures = Vec::new();
    for file in &files {
        let name = name_of(file);
        if name.ends_with(".error") || only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        if is_co(&load(file)) {
            println!("{name}: checked by co_parity.rs (constraint-optimisation flow)");
            continue;
        }
        total += 1;
        let json = load(file);
        let inp = inputs(&json);
        let t0 = std::time::Instant::now();
        let prep = match prepare(&inp) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let mine = match pipeline::schedule_input(&prep, &allocation(&json), &order(&json)) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let theirs = from_fixture(&json).expect("fixture input");
        let diffs = compare_inputs(&mine, &theirs);
        if diffs.is_empty() {
            inputs_ok += 1;
        } else {
            println!("{name}: scheduler input differs");
            for x in diffs.iter().take(10) {
                println!("    {x}");
            }
            failures.push(format!("{name}: {}", diffs[0]));
        }
        match zz_stream::scheduler::schedule(&mine, &options_from_fixture(&json)) {
            Ok(s) => {
                let lat = json["totals"]["latency"].as_f64().unwrap();
                let en = json["totals"]["energy"].as_f64().unwrap();
                if s.latency == lat && rel_close(s.energy.total(), en) {
                    sched_ok += 1;
                    println!(
                        "{name}: inputs {}, schedule latency {} energy {} match ({:.1} s)",
                        if diffs.is_empty() { "match" } else { "DIFFER" },
                        s.latency,
                        s.energy.total(),
                        t0.elapsed().as_secs_f64()
                    );
                } else {
                    println!("{name}: latency {} energy {} vs {lat} {en}", s.latency, s.energy.total());
                    failures.push(format!("{name}: schedule differs"));
                }
            }
            Err(e) => {
                println!("{name}: scheduler error {e}");
                failures.push(format!("{name}: scheduler error {e}"));
            }
        }
    }
    println!("{inputs_ok}/{total} fixtures match (scheduler inputs from the pipeline)");
    println!("{sched_ok}/{total} fixtures match (latency and energy from the input files)");
    assert!(failures.is_empty(), "pipeline differs:\n{}", failures.join("\n"));
}
