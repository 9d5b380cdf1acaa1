//! Per-(CN, core) cost parity with Stream@21e5ad80 + ZigZag 3.9.1 on the oracle fixtures:
//! every cost-LUT entry (unique CN × core: the chosen CME's latencies and energies, the DRAM
//! operands, the scheduler's runtime, on-/off-chip energy split and off-chip bandwidth) and
//! every CN's cost on its allocated core (runtime exact, energies relative 1e-9).
//!
//! Fixtures run smallest first (testing cases, tutorial labs, then ResNet-18).

mod common;

use common::*;
use serde_json::Value;
use zz_stream::cn::CnGraph;
use zz_stream::cost::{self, CoreCost, CostOptions, CostTable};

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn mem_ops(c: &CoreCost) -> Vec<String> {
    c.too_large_operands.iter().map(|m| m.to_string()).collect()
}

fn compare_core(tag: &str, sv: &Value, cme: Option<&Value>, c: &CoreCost, d: &mut Vec<String>) {
    if let Some(cme) = cme {
        let e = &c.cme.eval;
        let checks = [
            ("latency_total0", e.latency_total0, false),
            ("latency_total1", e.latency_total1, false),
            ("latency_total2", e.latency_total2, false),
            ("ideal_cycle", e.ideal_cycle, false),
            ("ideal_temporal_cycle", e.ideal_temporal_cycle, false),
            ("energy_total", e.energy_total, true),
            ("mac_energy", e.mac_energy, true),
            ("mem_energy", e.mem_energy, true),
        ];
        for (k, mine, rel) in checks {
            let theirs = f(&cme[k]);
            let ok = if rel { rel_close(mine, theirs) } else { mine == theirs };
            if !ok {
                d.push(format!("{tag}: {k} {mine} != {theirs}"));
            }
        }
    }
    if sv["runtime_fixed_path"].as_f64() != Some(c.runtime) {
        d.push(format!("{tag}: runtime {} != {}", c.runtime, sv["runtime_fixed_path"]));
    }
    if !rel_close(c.onchip_energy, f(&sv["onchip_energy"])) {
        d.push(format!("{tag}: onchip {} != {}", c.onchip_energy, sv["onchip_energy"]));
    }
    if !rel_close(c.offchip_energy, f(&sv["offchip_energy"])) {
        d.push(format!("{tag}: offchip {} != {}", c.offchip_energy, sv["offchip_energy"]));
    }
    let theirs: Vec<String> =
        sv["too_large_operands"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
    if mem_ops(c) != theirs {
        d.push(format!("{tag}: too large {:?} != {theirs:?}", mem_ops(c)));
    }
    let names = ["rd_out_to_low", "wr_in_by_low", "rd_out_to_high", "wr_in_by_high"];
    for (m, bw) in &c.offchip_bandwidth_per_op {
        let t = &sv["offchip_bandwidth_per_op"][m.to_string()];
        let theirs: Vec<u64> = names.iter().map(|n| t[n].as_u64().unwrap_or(u64::MAX)).collect();
        if theirs != bw.to_vec() {
            d.push(format!("{tag}: bandwidth {m} {bw:?} != {theirs:?}"));
        }
    }
}

fn compare(json: &Value, g: &CnGraph, t: &CostTable) -> (Vec<String>, usize, usize) {
    let mut d = Vec::new();
    let mut entries = 0;
    for e in json["cost_lut"].as_array().unwrap() {
        let rep = &e["representative_cn"];
        let (id, sub) = (rep[0].as_u64().unwrap() as usize, rep[1].as_u64().unwrap() as usize);
        let Some(ci) = g.cn_index(id, sub) else {
            d.push(format!("LUT representative ({id},{sub}) is not a CN"));
            continue;
        };
        let u = &t.unique[t.of_cn[ci]];
        if u.representative != ci {
            d.push(format!("LUT ({id},{sub}): our representative is sub-id {}", g.cns[u.representative].sub_id));
        }
        for c in e["cores"].as_array().unwrap() {
            let core = c["core"].as_u64().unwrap() as usize;
            entries += 1;
            match u.cores.iter().find(|x| x.core == core) {
                Some(cc) => compare_core(
                    &format!("LUT ({id},{sub}) core {core}"),
                    &c["scheduler_view"],
                    Some(&c["cme"]),
                    cc,
                    &mut d,
                ),
                None => d.push(format!("LUT ({id},{sub}) core {core} missing")),
            }
        }
        if u.cores.len() != e["cores"].as_array().unwrap().len() {
            d.push(format!("LUT ({id},{sub}): {} cores != {}", u.cores.len(), e["cores"].as_array().unwrap().len()));
        }
    }
    let fixed = &json["allocation"]["fixed_before_ga"];
    let mut cns = 0;
    let mut cleared = 0;
    for c in json["cn_costs"].as_array().unwrap() {
        let (id, sub) = (c["cn"][0].as_u64().unwrap() as usize, c["cn"][1].as_u64().unwrap() as usize);
        let core = c["core"].as_u64().unwrap() as usize;
        let Some(ci) = g.cn_index(id, sub) else { continue };
        cns += 1;
        let Some(cc) = t.get(ci, core) else {
            d.push(format!("CN ({id},{sub}) core {core}: no cost"));
            continue;
        };
        // GA-allocated CNs use int(latency); fixed ones the raw value.
        let ga = fixed[format!("{id}:{sub}")].is_null();
        let runtime = if ga { cc.runtime_ga() } else { cc.runtime };
        if f(&c["runtime"]) != runtime {
            d.push(format!("CN ({id},{sub}) core {core}: runtime {runtime} != {}", c["runtime"]));
        }
        let mut sv = c.clone();
        sv["runtime_fixed_path"] = Value::from(cc.runtime);
        // The scheduler clears a CN's too-large operands when its input sub-tensors fit on chip
        // (`reset_too_large_operands_for_subtensors`); `cn_costs` is dumped after scheduling.
        if sv["too_large_operands"].as_array().is_some_and(|a| a.is_empty()) && !cc.too_large_operands.is_empty() {
            cleared += 1;
            sv["too_large_operands"] = Value::from(mem_ops(cc));
        }
        compare_core(&format!("CN ({id},{sub}) core {core}"), &sv, None, cc, &mut d);
    }
    if cleared > 0 {
        println!("    ({cleared} CNs had their too-large operands cleared by the reference scheduler)");
    }
    (d, entries, cns)
}

#[test]
fn per_cn_costs_match_fixtures() {
    let Some(files) = fixtures() else {
        println!("SKIPPED: ../shared/reference absent");
        return;
    };
    let only = std::env::var("ZZ_STREAM_FIXTURE").ok();
    let mut matched = 0;
    let mut total = 0;
    let mut failures = Vec::new();
    for file in &files {
        let name = name_of(file);
        if name.ends_with(".error") || only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let json = load(file);
        if is_co(&json) {
            println!("{name}: checked by co_parity.rs (constraint-optimisation flow)");
            continue;
        }
        total += 1;
        let t0 = std::time::Instant::now();
        let (acc, wl, g) = match build(&inputs(&json)) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let table = match cost::compute(&g, &wl, &acc, &CostOptions::default()) {
            Ok(t) => t,
            Err(e) => {
                println!("{name}: cost error {e}");
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let (diffs, entries, cns) = compare(&json, &g, &table);
        if diffs.is_empty() {
            matched += 1;
            println!(
                "{name}: {entries} cost-LUT entries and {cns} CN costs match ({:.1} s)",
                t0.elapsed().as_secs_f64()
            );
        } else {
            println!("{name}: {} differences ({:.1} s)", diffs.len(), t0.elapsed().as_secs_f64());
            for x in diffs.iter().take(12) {
                println!("    {x}");
            }
            failures.push(format!("{name}: {}", diffs[0]));
        }
    }
    println!("{matched}/{total} fixtures match (per-CN costs)");
    assert!(failures.is_empty(), "costs differ:\n{}", failures.join("\n"));
}
