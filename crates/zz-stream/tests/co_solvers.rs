//! Two independent solvers on the CO models: HiGHS on the linearised MILP (the allocator's) and an
//! exhaustive search over the reference's original quadratic/max/min formulation (every core set
//! per layer, every slot assignment) must find the same optimal objective, for every stack of the
//! visible CO fixtures and every stack of the quick start (ResNet-18 on `tpu_like_quad_core`,
//! `main_stream_co.py`'s stacks, fused) small enough to enumerate (≤ 5 steady-state CNs: the 26
//! single-layer stacks). This also checks that the linearisation is exact. A third solver, CBC
//! (COIN-OR, through its command line), proves the same optimum as HiGHS on every stack of the
//! quick start, the 11- and 14-CN ones included. (The pure-Rust `microlp` was tried as the second
//! solver: it returned a worse "optimum" or "infeasible" on these big-M models.)

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

/// The quick start's inputs (`main_stream_co.py`: ResNet-18 on `tpu_like_quad_core`, stacks
/// 0–11 and 12–21, fused), or `None` (with SKIPPED) when the reference is absent.
fn quick_start() -> Option<Inputs> {
    let r = reference().join("stream/examples");
    if !r.exists() {
        println!("SKIPPED: ../shared/reference absent ({})", r.display());
        return None;
    }
    Some(Inputs {
        accelerator: r.join("hardware/tpu_like_quad_core.yaml"),
        workload: r.join("workload/resnet18.onnx"),
        mapping: r.join("mapping/tpu_like_quad_core.yaml"),
        mode: zz_stream::cn::Mode::Fused,
        layer_stacks: Some(vec![(0..12).collect(), (12..22).collect()]),
    })
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
        let h = milp::solve_highs(&m, milp::Limits::time(600.0), None).expect("HiGHS solves");
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
    let Some(inp) = quick_start() else { return };
    let n = check("quick start", &inp, 5);
    println!("quick start: {n} stacks agree");
    assert!(n >= 20, "only {n} stacks checked");
}

/// The starting point handed to HiGHS is a feasible point of the model, priced exactly as the
/// reference's formulation prices that allocation: with its discrete values fixed, HiGHS finds
/// the objective the exhaustive search's evaluator gives, and so does the local search's own
/// pricing (every stack of the quick start, including the 11- and 14-CN ones).
#[test]
fn start_solution_is_feasible_and_priced_as_the_original_formulation() {
    let Some(inp) = quick_start() else { return };
    let pre = prepare(&inp).expect("prepare");
    let preds = steady_state::predecessors(&pre.graph);
    let mut checked = 0;
    for stack in &pre.graph.layer_stacks {
        let Some(ss) = steady_state::extract(&pre.graph, &preds, stack).unwrap() else { continue };
        let c = milp::constants(&pre.graph, &pre.costs, &pre.accelerator, &ss.cns, ss.iterations).unwrap();
        let (mut m, vars) = milp::build(&c, None).unwrap();
        let (x, priced) =
            zz_stream::co::start::start_solution(&c, &vars, m.cols.len()).expect("a start for every quick-start stack");
        let n = c.nodes.len();
        let mask: Vec<u32> = (0..n)
            .map(|i| (0..c.cores.len()).filter(|&ci| x[vars.core_asgn[ci][i]] > 0.5).map(|ci| 1u32 << ci).sum())
            .collect();
        let slot: Vec<usize> = (0..n).map(|i| (0..n).find(|&s| x[vars.slot_asgn[s][i]] > 0.5).unwrap()).collect();
        for (col, v) in m.cols.iter_mut().zip(&x) {
            if v.is_finite() {
                col.lo = *v;
                col.hi = *v;
            }
        }
        let h = milp::solve_highs(&m, milp::Limits::time(600.0), None).expect("the start is feasible");
        assert_eq!(h.objective.round() as i64, objective(&c, &mask, &slot), "stack {stack:?}");
        assert_eq!(priced, objective(&c, &mask, &slot), "stack {stack:?}: the start's own price");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} stacks checked");
}

/// A node-limited solve stops with a feasible allocation and gives the same one every time
/// (the quick start's 11-CN stack, which needs a few thousand nodes to be proven optimal).
#[test]
fn node_limited_solves_are_reproducible() {
    let Some(inp) = quick_start() else { return };
    let pre = prepare(&inp).expect("prepare");
    let preds = steady_state::predecessors(&pre.graph);
    let stack = &pre.graph.layer_stacks[1];
    let ss = steady_state::extract(&pre.graph, &preds, stack).unwrap().unwrap();
    let c = milp::constants(&pre.graph, &pre.costs, &pre.accelerator, &ss.cns, ss.iterations).unwrap();
    let (m, vars) = milp::build(&c, None).unwrap();
    let x = zz_stream::co::start::start_solution(&c, &vars, m.cols.len()).map(|x| x.0);
    let limited = milp::Limits { time: 600.0, nodes: Some(20) };
    let a = milp::solve_highs(&m, limited, x.as_deref()).unwrap();
    let b = milp::solve_highs(&m, limited, x.as_deref()).unwrap();
    assert_eq!(a.status, milp::Status::NodeLimit);
    assert_eq!(a, b, "two node-limited solves differ");
    let full = milp::solve_highs(&m, milp::Limits::time(600.0), x.as_deref()).unwrap();
    assert_eq!(full.status, milp::Status::Optimal);
    assert!(a.objective >= full.objective - 1e-6, "{} below the optimum {}", a.objective, full.objective);
    let default = zz_stream::co::auto_node_limit(m.cols.len());
    assert!((full.nodes as u64) < default, "{} nodes needed, default limit {default}", full.nodes);
}

/// The model never splits a layer more ways than its split dimension has elements (CN
/// generation would cap the split there and leave cores without a group).
#[test]
fn split_never_exceeds_the_split_dimension() {
    let p = reference().join("stream/oracle/co_2conv_tpu_quad.json");
    if !p.exists() {
        println!("SKIPPED: ../shared/reference absent ({})", p.display());
        return;
    }
    let mut pre = prepare(&inputs(&load(&p))).expect("prepare");
    let preds = steady_state::predecessors(&pre.graph);
    let stack = pre.graph.layer_stacks[0].clone();
    let ss = steady_state::extract(&pre.graph, &preds, &stack).unwrap().unwrap();
    let before = milp::constants(&pre.graph, &pre.costs, &pre.accelerator, &ss.cns, ss.iterations).unwrap();
    let i = 0;
    let layer = pre.graph.cns[before.nodes[i]].layer;
    let dim = pre.graph.layers[layer].inter_core_tiling[0].0.clone();
    let allowed = |c: &milp::MilpInput, p: usize| (0..c.cores.len()).filter(|&ci| c.split_ok[i][ci][p - 1]).count();
    assert!(allowed(&before, 3) > 0, "the fixture offers a split of 3 before the cap");
    for (d, size) in pre.graph.layers[layer].layer_dim_sizes.iter_mut() {
        if *d == dim {
            *size = 2;
        }
    }
    let after = milp::constants(&pre.graph, &pre.costs, &pre.accelerator, &ss.cns, ss.iterations).unwrap();
    for p in 1..=after.cores.len() {
        if p <= 2 {
            assert_eq!(allowed(&after, p), allowed(&before, p), "split {p}");
        } else {
            assert_eq!(allowed(&after, p), 0, "split {p} offered although {dim} has 2 elements");
        }
    }
}

/// CBC's objective of a model in MPS format (`None` when CBC is not installed).
fn cbc_objective(m: &milp::Model, tag: &str) -> Option<f64> {
    let dir = std::env::temp_dir().join(format!("zz-co-cbc-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mps = dir.join("model.mps");
    std::fs::write(&mps, milp::to_mps(m)).unwrap();
    let out = std::process::Command::new("cbc")
        .arg(&mps)
        .args(["-threads", "1", "-ratioGap", "0", "-allowableGap", "1e-6", "-sec", "1200", "-solve", "-quit"])
        .output()
        .ok()?;
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Result - Optimal solution found"), "CBC did not prove an optimum:\n{text}");
    let line = text.lines().find(|l| l.starts_with("Objective value:")).expect("CBC prints the objective");
    Some(line.trim_start_matches("Objective value:").trim().parse().unwrap())
}

/// A second, independent MILP solver: CBC (COIN-OR, via its command line and the model in MPS
/// format) proves the same optimum as HiGHS on every stack of the quick start, including the
/// 11- and 14-CN stacks the exhaustive search cannot enumerate. Skipped when `cbc` is not
/// installed (`.ci/run` installs it).
#[test]
fn highs_and_cbc_agree_on_every_quick_start_stack() {
    let Some(inp) = quick_start() else { return };
    if std::process::Command::new("cbc").arg("-quit").output().is_err() {
        println!("SKIPPED: `cbc` (COIN-OR CBC) is not installed");
        return;
    }
    let pre = prepare(&inp).expect("prepare");
    let preds = steady_state::predecessors(&pre.graph);
    let mut checked = 0;
    for (k, stack) in pre.graph.layer_stacks.iter().enumerate() {
        let Some(ss) = steady_state::extract(&pre.graph, &preds, stack).unwrap() else { continue };
        let c = milp::constants(&pre.graph, &pre.costs, &pre.accelerator, &ss.cns, ss.iterations).unwrap();
        let (m, _) = milp::build(&c, None).unwrap();
        let h = milp::solve_highs(&m, milp::Limits::time(1200.0), None).expect("HiGHS solves");
        assert_eq!(h.status, milp::Status::Optimal);
        let cbc = cbc_objective(&m, &k.to_string()).expect("cbc runs");
        assert_eq!(
            h.objective.round() as i64,
            cbc.round() as i64,
            "stack {stack:?}: HiGHS {} vs CBC {cbc}",
            h.objective
        );
        checked += 1;
    }
    println!("quick start: HiGHS and CBC agree on {checked} stacks");
    assert!(checked >= 28, "only {checked} stacks checked");
}
