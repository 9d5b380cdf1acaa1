//! Two independent solvers on the CO models: HiGHS on the linearised MILP (the allocator's) and an
//! exhaustive search over the reference's original quadratic/max/min formulation (every core set
//! per layer, every slot assignment) must find the same optimal objective, for every stack of the
//! visible CO fixtures and every stack of the quick start (ResNet-18 on `tpu_like_quad_core`,
//! `main_stream_co.py`'s stacks, fused) small enough to enumerate (≤ 5 steady-state CNs: the 26
//! single-layer stacks; the two 11- and 14-CN stacks are solved by HiGHS only). This also checks
//! that the linearisation is exact. (The pure-Rust `microlp` was tried as the second solver: it
//! returned a worse "optimum" or "infeasible" on these big-M models.)

mod common;

use common::*;
use zz_stream::co::{milp, steady_state};

/// Exhaustive search over the reference's original (quadratic, max/min) formulation: every core
/// set per layer and every slot assignment; returns the optimal `total_lat`.
fn enumerate(c: &milp::MilpInput) -> i64 {
    let n = c.nodes.len();
    let nc = c.cores.len();
    let layers: Vec<usize> = c.groups.iter().map(|g| g[0]).collect();
    // Feasible core sets (bit masks) per group.
    let sets: Vec<Vec<u32>> = c
        .groups
        .iter()
        .map(|g| {
            (1u32..(1 << nc))
                .filter(|&m| {
                    let k = m.count_ones() as usize;
                    g.iter().all(|&i| (0..nc).all(|ci| m & (1 << ci) == 0 || c.split_ok[i][ci][k - 1]))
                })
                .collect()
        })
        .collect();
    let group_of: Vec<usize> = (0..n).map(|i| c.groups.iter().position(|g| g.contains(&i)).unwrap()).collect();
    let _ = layers;
    let mut best = i64::MAX;
    let mut choice = vec![0usize; c.groups.len()];
    loop {
        let mask: Vec<u32> = (0..n).map(|i| sets[group_of[i]][choice[group_of[i]]]).collect();
        // Weights.
        let fits = (0..nc).all(|ci| {
            let w: u64 = (0..n)
                .filter(|&i| mask[i] & (1 << ci) != 0)
                .map(|i| c.weights[i].div_ceil(mask[i].count_ones() as u64))
                .sum();
            w as f64 <= c.caps[ci]
        });
        if fits {
            let mut slot = vec![0usize; n];
            slots(c, &mask, &mut slot, 0, &mut best);
        }
        // Next combination.
        let mut g = 0;
        loop {
            if g == choice.len() {
                return best;
            }
            choice[g] += 1;
            if choice[g] < sets[g].len() {
                break;
            }
            choice[g] = 0;
            g += 1;
        }
    }
}

fn slots(c: &milp::MilpInput, mask: &[u32], slot: &mut Vec<usize>, i: usize, best: &mut i64) {
    let n = c.nodes.len();
    if i == n {
        *best = (*best).min(objective(c, mask, slot));
        return;
    }
    for s in 0..n {
        if (0..i).any(|j| slot[j] == s && mask[j] & mask[i] != 0) {
            continue;
        }
        slot[i] = s;
        if c.deps.iter().any(|&(p, q)| p <= i && q <= i && slot[q] < slot[p] + 1) {
            continue;
        }
        slots(c, mask, slot, i + 1, best);
    }
}

fn objective(c: &milp::MilpInput, mask: &[u32], slot: &[usize]) -> i64 {
    let n = c.nodes.len();
    let nc = c.cores.len();
    let lat_slot: Vec<i64> = (0..n)
        .map(|s| {
            (0..n)
                .filter(|&i| slot[i] == s)
                .flat_map(|i| {
                    let k = mask[i].count_ones() as usize;
                    (0..nc).filter(move |&ci| mask[i] & (1 << ci) != 0).map(move |ci| c.lat[i][ci][k - 1])
                })
                .max()
                .unwrap_or(0)
        })
        .collect();
    let lat_iter: i64 = lat_slot.iter().sum();
    let idle_min = (0..nc)
        .map(|ci| {
            let on: Vec<usize> = (0..n).filter(|&i| mask[i] & (1 << ci) != 0).map(|i| slot[i]).collect();
            (0..n)
                .map(|s| {
                    let start = on.iter().all(|&t| t > s) as i64;
                    let end = on.iter().all(|&t| t < s) as i64;
                    (start + end) * lat_slot[s]
                })
                .sum::<i64>()
        })
        .min()
        .unwrap_or(0);
    let it = c.iterations as i64;
    it * lat_iter - (it - 1) * idle_min
}

fn check(name: &str, inp: &Inputs, max_nodes: usize) -> usize {
    let pre = prepare(inp).expect("prepare");
    let preds = steady_state::predecessors(&pre.graph);
    let mut checked = 0;
    for stack in &pre.graph.layer_stacks {
        let Some(ss) = steady_state::extract(&pre.graph, &preds, stack).unwrap() else { continue };
        if ss.cns.len() > max_nodes {
            continue;
        }
        let c = milp::constants(&pre.graph, &pre.costs, &pre.accelerator, &ss.cns, ss.iterations).unwrap();
        let (m, _) = milp::build(&c, None).unwrap();
        let h = milp::solve_highs(&m, 600.0).expect("HiGHS solves");
        let o = enumerate(&c);
        assert_eq!(
            h.objective.round() as i64,
            o,
            "{name} stack {stack:?}: HiGHS {} vs exhaustive search {o}",
            h.objective
        );
        checked += 1;
    }
    checked
}

#[test]
fn highs_and_exhaustive_search_agree_on_fixtures() {
    for name in ["co_2conv_tpu_quad", "co_resnet18_l0_2_tpu_quad_fused_2stacks", "co_resnet18_l3_5_tpu_quad_lbl"] {
        let p = reference().join("stream/oracle").join(format!("{name}.json"));
        if !p.exists() {
            println!("SKIPPED: ../shared/reference absent ({})", p.display());
            return;
        }
        let n = check(name, &inputs(&load(&p)), 5);
        assert!(n > 0, "{name}: no stack checked");
        println!("{name}: {n} stacks agree");
    }
}

#[test]
fn highs_and_exhaustive_search_agree_on_quick_start_small_stacks() {
    let r = reference().join("stream/examples");
    if !r.exists() {
        println!("SKIPPED: ../shared/reference absent ({})", r.display());
        return;
    }
    let inp = Inputs {
        accelerator: r.join("hardware/tpu_like_quad_core.yaml"),
        workload: r.join("workload/resnet18.onnx"),
        mapping: r.join("mapping/tpu_like_quad_core.yaml"),
        mode: zz_stream::cn::Mode::Fused,
        layer_stacks: Some(vec![(0..12).collect(), (12..22).collect()]),
    };
    let n = check("quick start", &inp, 5);
    println!("quick start: {n} stacks agree");
    assert!(n >= 20, "only {n} stacks checked");
}
