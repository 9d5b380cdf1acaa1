//! The genetic-algorithm path against the reference's GA fixtures (`ga.chosen` present): the
//! flexible genes and their domains, the chosen allocation's schedule (latency exact, energy
//! relative 1e-9) and every allocation the reference GA evaluated, each with its recorded latency
//! and energy.

mod common;

use std::time::Instant;

use common::*;
use serde_json::Value;
use zz_stream::ga::{self, Gene};
use zz_stream::pipeline::{self, Allocation};
use zz_test_support::stream_fixture::options_from_fixture;

fn genome(v: &Value) -> Vec<usize> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect()
}

#[test]
fn ga_fixtures_chosen_and_every_evaluation() {
    let Some(fixtures) = ga_fixtures() else {
        println!("SKIPPED: ../shared/reference absent");
        return;
    };
    assert!(fixtures.len() >= 3, "expected the three GA fixtures, found {}", fixtures.len());
    let mut failures = Vec::new();
    for (name, json) in &fixtures {
        let inp = inputs(json);
        let t0 = Instant::now();
        let prep = prepare(&inp).unwrap_or_else(|e| panic!("{name}: {e}"));
        let t_prep = t0.elapsed().as_secs_f64();
        let base = fixture_fixed_allocation(json);
        let order = fixture_order(json);
        let opts = options_from_fixture(json);
        let gafx = &json["ga"];

        // Genes and domains: the reference's rule, and ours (equal on these inputs).
        let flexible: Vec<(usize, usize)> = gafx["layer_groups_flexible"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_u64().unwrap() as usize, p[1].as_u64().unwrap() as usize))
            .collect();
        let domains: Vec<Vec<usize>> = gafx["valid_allocations"].as_array().unwrap().iter().map(genome).collect();
        for filter in [true, false] {
            let genes = ga::genes(&prep, &base, filter);
            let got: Vec<(usize, usize)> = genes.iter().map(|g| (g.layer, g.group)).collect();
            let dom: Vec<Vec<usize>> = genes.iter().map(|g| g.cores.clone()).collect();
            if got != flexible || dom != domains {
                failures
                    .push(format!("{name}: genes {got:?} / {dom:?} vs {flexible:?} / {domains:?} (filter {filter})"));
            }
        }
        let genes: Vec<Gene> = ga::genes(&prep, &base, true);

        // (a) The chosen allocation on the GA path gives the fixture's totals.
        let chosen = genome(&gafx["chosen"]["allocation"]);
        let mut alloc: Allocation = base.clone();
        alloc.chosen.extend(genes.iter().zip(&chosen).map(|(g, &c)| (g.layer, g.group, c)));
        let t1 = Instant::now();
        let input = pipeline::schedule_input(&prep, &alloc, &order).unwrap();
        let t_input = t1.elapsed().as_secs_f64();
        let t2 = Instant::now();
        let s = zz_stream::scheduler::schedule(&input, &opts).unwrap();
        let t_sched = t2.elapsed().as_secs_f64();
        let (lat, en) = (json["totals"]["latency"].as_f64().unwrap(), json["totals"]["energy"].as_f64().unwrap());
        if s.latency == lat && rel_close(s.energy.total(), en) {
            println!(
                "{name}: chosen {chosen:?} -> latency {} energy {} match (prepare {t_prep:.2} s, input {:.1} ms, schedule {:.1} ms)",
                s.latency,
                s.energy.total(),
                t_input * 1e3,
                t_sched * 1e3
            );
        } else {
            failures.push(format!("{name}: chosen gives {} / {} vs {lat} / {en}", s.latency, s.energy.total()));
        }

        // (b) Every allocation the reference evaluated, in call order.
        let evaluator = ga::AllocationEvaluator::new(&prep, &base, &genes, &order, &opts).unwrap();
        let evals = gafx["evaluations"].as_array().unwrap();
        let t3 = Instant::now();
        let mut ok = 0;
        for (k, e) in evals.iter().enumerate() {
            let g = genome(&e["allocation"]);
            let m = evaluator.evaluate(&g);
            let (wl, we) = (e["latency"].as_f64().unwrap(), e["energy"].as_f64().unwrap());
            match m {
                Ok(m) if m.latency == wl && rel_close(m.energy, we) => ok += 1,
                Ok(m) => {
                    failures.push(format!("{name} evaluation {k} {g:?}: {} / {} vs {wl} / {we}", m.latency, m.energy))
                }
                Err(x) => failures.push(format!("{name} evaluation {k} {g:?}: {x}")),
            }
        }
        // The patched input equals the pipeline's for the same allocation (and is cheaper to build).
        let (mut t_direct, mut t_patched) = (0.0, 0.0);
        for e in evals.iter().take(3) {
            let g = genome(&e["allocation"]);
            let mut a = base.clone();
            a.chosen.extend(genes.iter().zip(&g).map(|(x, &c)| (x.layer, x.group, c)));
            let t = Instant::now();
            let direct = pipeline::schedule_input(&prep, &a, &order).unwrap();
            t_direct += t.elapsed().as_secs_f64() / 3.0;
            let t = Instant::now();
            let _ = evaluator.input(&g).unwrap();
            t_patched += t.elapsed().as_secs_f64() / 3.0;
            if format!("{direct:?}") != format!("{:?}", evaluator.input(&g).unwrap()) {
                failures.push(format!("{name}: patched scheduler input differs from the pipeline's for {g:?}"));
            }
        }
        println!(
            "{name}: {ok}/{} reference GA evaluations reproduced ({:.1} ms each; scheduler input {:.2} ms patched vs {:.2} ms from the pipeline)",
            evals.len(),
            t3.elapsed().as_secs_f64() * 1e3 / evals.len() as f64,
            t_patched * 1e3,
            t_direct * 1e3
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
