//! Parity of the list scheduler with Stream@21e5ad80 on every (non-error) oracle fixture: the scheduler is fed
//! the fixture's own CNs, edges, cost table and allocation, and must reproduce every CN's start/end, the
//! latency, every transfer, the memory peaks (exactly) and the nine energy buckets (relative 1e-9).

use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;
use zz_stream::schedule_input::ScheduleInput;
use zz_stream::scheduler::{EventKind, RemovalCause, Schedule, TransferCause, schedule};
use zz_test_support::stream_fixture::{from_fixture, options_from_fixture};

fn fixtures() -> Option<Vec<PathBuf>> {
    let dir = zz_test_support::reference_path().join("stream/oracle");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.ends_with(".json") && !n.ends_with(".error.json")
        })
        .collect();
    // small fixtures first
    v.sort_by_key(|p| (std::fs::metadata(p).map(|m| m.len()).unwrap_or(0), p.clone()));
    Some(v)
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "inf" => f64::INFINITY,
        _ => panic!("not a number: {v}"),
    }
}

fn tensor_key(input: &ScheduleInput, s: &Schedule, id: usize) -> String {
    let n = input.tensors.len();
    let t = if id < n { &input.tensors[id] } else { &s.sub_tensors[id - n] };
    let r: Vec<String> = t.loop_ranges.iter().map(|(a, b)| format!("{a}:{b}")).collect();
    format!("{}|{}|{}", t.layer, t.layer_operand, r.join(","))
}

fn cause_name(c: TransferCause) -> &'static str {
    match c {
        TransferCause::OffChip => "OFF_CHIP",
        TransferCause::CoreToCore => "CORE_TO_CORE",
        TransferCause::Eviction => "EVICTION",
        TransferCause::SinkLayer => "SINK_LAYER",
    }
}

fn rel_close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// Compares one fixture; returns the list of differences (empty = match).
fn compare(json: &Value, input: &ScheduleInput, s: &Schedule) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut push = |d: String| {
        if diffs.len() < 12 {
            diffs.push(d);
        }
    };
    // CN start / end
    for row in json["schedule"]["cns"].as_array().unwrap() {
        let (l, sub) = (row["cn"][0].as_u64().unwrap() as u32, row["cn"][1].as_u64().unwrap() as u32);
        let i = input.find_cn(l, sub).unwrap();
        let (st, en) = (num(&row["start"]), num(&row["end"]));
        if s.cns[i].start != st || s.cns[i].end != en {
            push(format!("CN ({l}, {sub}): start/end {}/{} vs reference {st}/{en}", s.cns[i].start, s.cns[i].end));
        }
    }
    // latency
    let lat = num(&json["totals"]["latency"]);
    if s.latency != lat {
        push(format!("latency {} vs reference {lat}", s.latency));
    }
    // energy buckets
    let e = &s.energy;
    let buckets = [
        ("total_cn_onchip_energy", e.cn_onchip),
        ("total_cn_offchip_link_energy", e.cn_offchip_link),
        ("total_cn_offchip_memory_energy", e.cn_offchip_memory),
        ("total_eviction_to_offchip_link_energy", e.eviction_to_offchip_link),
        ("total_eviction_to_offchip_memory_energy", e.eviction_to_offchip_memory),
        ("total_sink_layer_output_offchip_link_energy", e.sink_layer_output_offchip_link),
        ("total_sink_layer_output_offchip_memory_energy", e.sink_layer_output_offchip_memory),
        ("total_core_to_core_link_energy", e.core_to_core_link),
        ("total_core_to_core_memory_energy", e.core_to_core_memory),
        ("energy", e.total()),
    ];
    for (k, v) in buckets {
        let r = num(&json["totals"][k]);
        if !rel_close(v, r) {
            push(format!("{k}: {v} vs reference {r}"));
        }
    }
    // transfers, in registration order
    let tr = json["schedule"]["transfers"].as_array().unwrap();
    if tr.len() != s.transfers.len() {
        push(format!("{} transfers vs reference {}", s.transfers.len(), tr.len()));
    }
    for (i, (a, r)) in s.transfers.iter().zip(tr).enumerate() {
        let key = tensor_key(input, s, a.tensor);
        let same = key == r["tensor"].as_str().unwrap()
            && a.start == num(&r["start"])
            && a.end == num(&r["end"])
            && a.sender as u64 == r["sender"].as_u64().unwrap()
            && a.receiver as u64 == r["receiver"].as_u64().unwrap()
            && cause_name(a.cause) == r["cause"].as_str().unwrap()
            && a.links.iter().map(|&l| l as u64).eq(r["links"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap()))
            && rel_close(a.link_energy, num(&r["link_energy"]))
            && rel_close(a.memory_energy, num(&r["memory_energy"]));
        if !same {
            push(format!(
                "transfer #{i}: {key} {}->{} [{}, {}) {} vs reference {} {}->{} [{}, {}) {}",
                a.sender,
                a.receiver,
                a.start,
                a.end,
                cause_name(a.cause),
                r["tensor"],
                r["sender"],
                r["receiver"],
                r["start"],
                r["end"],
                r["cause"]
            ));
        }
    }
    // blocks
    let bl = json["schedule"]["blocks"].as_array().unwrap();
    if bl.len() != s.blocks.len() {
        push(format!("{} blocks vs reference {}", s.blocks.len(), bl.len()));
    }
    for (i, (a, r)) in s.blocks.iter().zip(bl).enumerate() {
        if a.start != num(&r["start"]) || a.requested != num(&r["t_requested"]) {
            push(format!(
                "block #{i}: [{} from {}] vs reference [{} from {}]",
                a.start, a.requested, r["start"], r["t_requested"]
            ));
        }
    }
    // communication events
    let ev = json["schedule"]["communication_events"].as_array().unwrap();
    if ev.len() != s.communication_events.len() {
        push(format!("{} communication events vs reference {}", s.communication_events.len(), ev.len()));
    }
    let ev_kind = |k: EventKind| if k == EventKind::Transfer { "transfer" } else { "block" };
    for (i, (a, r)) in s.communication_events.iter().zip(ev).enumerate() {
        let tensors: Vec<String> = a.tasks.iter().map(|t| tensor_key(input, s, t.tensor)).collect();
        let rt: Vec<&str> = r["tasks"].as_array().unwrap().iter().map(|t| t["tensor"].as_str().unwrap()).collect();
        let same = ev_kind(a.kind) == r["type"].as_str().unwrap()
            && a.start == num(&r["start"])
            && a.end == num(&r["end"])
            && a.sender as u64 == r["sender"].as_u64().unwrap()
            && a.receiver as u64 == r["receiver"].as_u64().unwrap()
            && rel_close(a.energy, num(&r["energy"]))
            && tensors == rt;
        if !same {
            push(format!("communication event #{i} differs: {a:?} vs reference {r}"));
        }
    }
    // removal requests; the order in which one tensor is released from several memories follows Python's set
    // order (hash-seed dependent in the reference), so they are compared as a sorted list per step
    let rm = json["schedule"]["removals"].as_array().unwrap();
    let mut mine: Vec<(i64, String)> = s
        .removals
        .iter()
        .map(|a| {
            let cause = match a.cause {
                RemovalCause::Eviction => "EVICTION",
                RemovalCause::SinkLayer => "SINK_LAYER",
                RemovalCause::Released => "NO_LOG",
            };
            let key = format!(
                "{} core {} {} {}->{} wb {} {cause}",
                tensor_key(input, s, a.tensor),
                a.core,
                a.memory_operand,
                a.requested,
                a.removed,
                a.write_back
            );
            (a.step.map_or(-1, |x| x as i64), key)
        })
        .collect();
    let mut theirs: Vec<(i64, String)> = rm
        .iter()
        .map(|r| {
            let key = format!(
                "{} core {} {} {}->{} wb {} {}",
                r["tensor"].as_str().unwrap(),
                r["core"],
                r["memory_operand"].as_str().unwrap(),
                num(&r["t_requested"]),
                num(&r["t_removed"]),
                r["write_back_requested"],
                r["cause"].as_str().unwrap()
            );
            (r["step"].as_i64().unwrap(), key)
        })
        .collect();
    mine.sort();
    theirs.sort();
    if mine.len() != theirs.len() {
        push(format!("{} removals vs reference {}", mine.len(), theirs.len()));
    }
    if let Some((a, b)) = mine.iter().zip(&theirs).find(|(a, b)| a != b) {
        push(format!("removal differs: step {} {} vs reference step {} {}", a.0, a.1, b.0, b.1));
    }
    // link activity timelines (only in fixtures with trace)
    if let Some(links) = json["schedule"]["links"].as_array() {
        for r in links {
            let l = r["link"].as_u64().unwrap() as usize;
            let tl: Vec<(f64, i64)> = r["activity_timeline"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (num(&p[0]), p[1].as_i64().unwrap()))
                .collect();
            if s.links[l].activity != tl {
                push(format!(
                    "activity timeline of link {l} differs ({} vs {} breakpoints)",
                    s.links[l].activity.len(),
                    tl.len()
                ));
            }
        }
    }
    // memory timelines and contents at the end
    let key_of = |m: usize| {
        let mem = &input.topology.memories[m];
        let cores: Vec<String> = mem.cores.iter().map(|c| c.to_string()).collect();
        format!("{}@{}", mem.name, cores.join(","))
    };
    for r in json["memory"]["instances"].as_array().unwrap() {
        let key = r["instance"].as_str().unwrap();
        let Some(m) = (0..input.topology.memories.len()).find(|&m| key_of(m) == key) else {
            push(format!("memory {key} missing"));
            continue;
        };
        if let Some(tl) = r["timeline"].as_array() {
            let tl: Vec<(f64, i64)> = tl.iter().map(|p| (num(&p[0]), p[1].as_i64().unwrap())).collect();
            if s.memories[m].timeline != tl {
                push(format!(
                    "usage timeline of {key} differs ({} vs {} breakpoints)",
                    s.memories[m].timeline.len(),
                    tl.len()
                ));
            }
        }
        let mut stored: Vec<String> = s.memories[m].stored_at_end.iter().map(|&t| tensor_key(input, s, t)).collect();
        stored.sort();
        let rs: Vec<&str> = r["stored_at_end"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        if stored != rs {
            push(format!("tensors stored in {key} at the end differ ({} vs {})", stored.len(), rs.len()));
        }
    }
    // memory peaks
    let peaks = json["totals"]["peak_memory_usage_per_instance"].as_object().unwrap();
    for (m, mem) in input.topology.memories.iter().enumerate() {
        let cores: Vec<String> = mem.cores.iter().map(|c| c.to_string()).collect();
        let key = format!("{}@{}", mem.name, cores.join(","));
        let r = peaks.get(&key).map(num).unwrap_or(f64::NAN);
        if s.memories[m].peak as f64 != r {
            push(format!("peak of {key}: {} vs reference {r}", s.memories[m].peak));
        }
    }
    diffs
}

#[test]
fn scheduler_matches_reference_fixtures() {
    let Some(files) = fixtures() else {
        println!("SKIPPED: ../shared/reference absent");
        return;
    };
    if files.is_empty() {
        println!("SKIPPED: ../shared/reference absent");
        return;
    }
    let mut ok = 0;
    let mut failed = Vec::new();
    for f in &files {
        let name = f.file_stem().unwrap().to_string_lossy().to_string();
        let json: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let input = match from_fixture(&json) {
            Ok(i) => i,
            Err(e) => {
                println!("{name}: LOAD ERROR {e}");
                failed.push(name);
                continue;
            }
        };
        let opts = options_from_fixture(&json);
        let t0 = Instant::now();
        let res = schedule(&input, &opts);
        let dt = t0.elapsed().as_secs_f64();
        match res {
            Err(e) => {
                println!("{name}: SCHEDULE ERROR {e}");
                failed.push(name);
            }
            Ok(s) => {
                let diffs = compare(&json, &input, &s);
                if diffs.is_empty() {
                    ok += 1;
                    println!("{name}: match ({} CNs, {} transfers, {dt:.3} s)", input.cns.len(), s.transfers.len());
                } else {
                    println!("{name}: DIFFERS ({dt:.3} s)");
                    for d in diffs {
                        println!("    {d}");
                    }
                    failed.push(name);
                }
            }
        }
    }
    println!("{ok}/{} fixtures match", files.len());
    assert!(failed.is_empty(), "fixtures that differ: {failed:?}");
}
