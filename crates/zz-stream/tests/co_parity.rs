//! Constraint-optimisation allocation against the reference's `co_*.json` fixtures: per stack
//! the steady-state CNs and iterations, the MILP's latency constants, the objective (exact),
//! the predicted latency; with the fixture's core sets replayed, the scheduling order and the
//! final latency and energy (rel 1e-9); with our own tie-break, both final latencies printed.

mod common;

use common::*;
use serde_json::Value;
use zz_stream::co::{self, CoOptions};
use zz_stream::pipeline::{self, Allocation};
use zz_stream::scheduler::{ScheduleOptions, schedule};

const FIXTURES: &[&str] =
    &["co_2conv_tpu_quad", "co_resnet18_l0_2_tpu_quad_fused_2stacks", "co_resnet18_l3_5_tpu_quad_lbl"];

fn fixture(name: &str) -> Option<Value> {
    let p = reference().join("stream/oracle").join(format!("{name}.json"));
    if !p.exists() {
        println!("SKIPPED: ../shared/reference absent ({})", p.display());
        return None;
    }
    Some(load(&p))
}

fn pair(v: &Value) -> (usize, usize) {
    (v[0].as_u64().unwrap() as usize, v[1].as_u64().unwrap() as usize)
}

/// The fixture's per-layer core sets.
fn fixture_cores(json: &Value) -> Vec<(usize, Vec<usize>)> {
    let mut v: Vec<(usize, Vec<usize>)> = json["co"]["resolved_layers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, l)| {
            (
                k.parse().unwrap(),
                l["possible_core_allocation"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap() as usize)
                    .collect(),
            )
        })
        .collect();
    v.sort();
    v
}

fn run_final(prep: &pipeline::CoPrepared) -> (f64, f64) {
    let input = pipeline::schedule_input(&prep.prepared, &Allocation::default(), &prep.order).expect("schedule input");
    let s = schedule(&input, &ScheduleOptions::default()).expect("schedule");
    (s.latency, s.energy.total())
}

#[test]
fn co_fixtures() {
    for name in FIXTURES {
        let Some(json) = fixture(name) else { return };
        let inp = inputs(&json);
        let pre = prepare(&inp).expect("prepare");
        let co_json = &json["co"];
        // Steady states and MILP constants.
        let preds = co::steady_state::predecessors(&pre.graph);
        let stacks: Vec<&Value> = co_json["stacks"].as_array().unwrap().iter().collect();
        let mut k = 0;
        for stack in &pre.graph.layer_stacks {
            let Some(ss) = co::steady_state::extract(&pre.graph, &preds, stack).unwrap() else { continue };
            let fx = stacks[k];
            let want: Vec<(usize, usize)> = fx["steady_state_cns"].as_array().unwrap().iter().map(pair).collect();
            let got: Vec<(usize, usize)> =
                ss.cns.iter().map(|&i| (pre.graph.cns[i].id, pre.graph.cns[i].sub_id)).collect();
            assert_eq!(got, want, "{name}: stack {stack:?} steady-state CNs");
            assert_eq!(ss.iterations as u64, fx["iterations"].as_u64().unwrap(), "{name}: stack {stack:?} iterations");
            assert_eq!(ss.nb_macs, fx["nb_macs"].as_u64().unwrap(), "{name}: stack {stack:?} MACs");
            let milp_fx = &co_json["milps"][fx["milp_index"].as_u64().unwrap() as usize];
            let c = co::milp::constants(&pre.graph, &pre.costs, &pre.accelerator, &ss.cns, ss.iterations).unwrap();
            for e in milp_fx["inputs"]["latency"].as_array().unwrap() {
                let n = c.ids.iter().position(|&x| x == pair(&e["cn"])).unwrap();
                let core: usize = e["core"].as_str().unwrap().trim_start_matches("Core ").parse().unwrap();
                let ci = c.cores.iter().position(|&x| x == core).unwrap();
                let p = e["p"].as_u64().unwrap() as usize;
                assert_eq!(c.lat[n][ci][p - 1], e["latency"].as_i64().unwrap(), "{name}: latency {e}");
            }
            k += 1;
        }
        assert_eq!(k, stacks.len(), "{name}: number of stacks");
        // Objective with our tie-break.
        let ours = pipeline::prepare_co(problem(&inp).expect("read"), &prepare_options(&inp), &CoOptions::default())
            .expect("prepare_co");
        for (s, fx) in ours.co.stacks.iter().zip(&stacks) {
            let milp_fx = &co_json["milps"][fx["milp_index"].as_u64().unwrap() as usize];
            let obj = milp_fx["result"]["ObjVal"].as_f64().unwrap();
            assert_eq!(s.objective as f64, obj, "{name}: stack {:?} objective", s.ss.stack);
            assert_eq!(s.predicted, s.objective, "{name}: predicted = objective");
        }
        let (lat_ours, en_ours) = run_final(&ours);
        // Replay of the fixture's solution.
        let opts = CoOptions { replay: Some(fixture_cores(&json)), ..Default::default() };
        let replay = pipeline::prepare_co(problem(&inp).expect("read"), &prepare_options(&inp), &opts).expect("replay");
        for (s, fx) in replay.co.stacks.iter().zip(&stacks) {
            assert_eq!(
                s.predicted,
                fx["predicted_steady_state_latency"].as_i64().unwrap(),
                "{name}: replayed predicted latency"
            );
        }
        let want_order: Vec<(usize, usize)> =
            co_json["scheduling_order"].as_array().unwrap().iter().map(pair).collect();
        assert_eq!(replay.co.order, want_order, "{name}: scheduling order");
        let (lat, en) = run_final(&replay);
        let t = &json["totals"];
        println!(
            "{name}: replayed latency {lat} (reference {}), energy {en} (reference {}); our tie-break: latency {lat_ours}, energy {en_ours}, cores {:?} (reference {:?})",
            t["latency"],
            t["energy"],
            ours.co.layer_cores,
            fixture_cores(&json)
        );
        assert!(rel_close(lat, t["latency"].as_f64().unwrap()), "{name}: latency {lat} vs {}", t["latency"]);
        assert!(rel_close(en, t["energy"].as_f64().unwrap()), "{name}: energy {en} vs {}", t["energy"]);
    }
}
