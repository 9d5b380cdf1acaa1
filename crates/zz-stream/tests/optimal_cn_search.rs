//! The optimal engine on Stream's per-CN search (`CostOptions::optimal`): for every (unique CN,
//! core) of small oracle fixtures, the optimal engine picks exactly what exhaustive enumeration of
//! the full ordering space (LOMA with no loop-prime-factor limit) picks under Stream's objective:
//! the same spatial and temporal mapping and the same numbers. The layer-by-layer fixtures stream
//! every operand from DRAM (the bandwidth-factor objective), the fused ones do not (the truncated
//! latency). On these fixtures the optimum is also never worse than LOMA's at the default limit
//! (not a law: LOMA's merged loops can lie outside the full space).

mod common;

use common::*;
use zz_stream::cost::{self, CostOptions, CostTable};

/// Every (unique CN, core id, cost) of a table, in table order.
fn entries(t: &CostTable) -> Vec<(usize, usize, &zz_stream::cost::CoreCost)> {
    t.unique.iter().enumerate().flat_map(|(u, uc)| uc.cores.iter().map(move |c| (u, c.core, c))).collect()
}

fn check(fixture: &str) -> Option<()> {
    check_with(fixture, Default::default())
}

fn check_with(fixture: &str, o: zz_search::optimal::OptimalOptions) -> Option<()> {
    let path = reference().join("stream/oracle").join(format!("{fixture}.json"));
    if !path.exists() {
        eprintln!("SKIP {fixture}: {} is absent", path.display());
        return None;
    }
    let json = load(&path);
    let (acc, wl, g) = build(&inputs(&json)).expect("fixture builds");
    let optimal = CostOptions { optimal: Some(o), ..Default::default() };
    let exhaustive = CostOptions { lpf_limit: 1000, ..Default::default() };
    let t0 = std::time::Instant::now();
    let opt = cost::compute(&g, &wl, &acc, &optimal).expect("optimal costs");
    let t_opt = t0.elapsed().as_secs_f64();
    let t0 = std::time::Instant::now();
    let exh = cost::compute(&g, &wl, &acc, &exhaustive).expect("exhaustive costs");
    let t_exh = t0.elapsed().as_secs_f64();
    let loma = cost::compute(&g, &wl, &acc, &CostOptions::default()).expect("LOMA costs");
    let (a, b, l) = (entries(&opt), entries(&exh), entries(&loma));
    assert_eq!(a.len(), b.len());
    let mut dram = 0;
    for ((x, y), z) in a.iter().zip(&b).zip(&l) {
        let tag = format!("{fixture}: unique CN {} on core {}", x.0, x.1);
        assert_eq!((x.0, x.1), (y.0, y.1), "{tag}");
        let (p, q) = (&x.2.cme, &y.2.cme);
        assert_eq!(p.spatial, q.spatial, "{tag}: spatial mapping");
        assert_eq!(p.temporal, q.temporal, "{tag}: temporal mapping");
        assert_eq!(p.eval, q.eval, "{tag}: cost-model numbers");
        assert_eq!(x.2.runtime, y.2.runtime, "{tag}: runtime");
        assert_eq!(x.2.offchip_bandwidth_per_op, y.2.offchip_bandwidth_per_op, "{tag}: off-chip bandwidth");
        let st = p.search.expect("the optimal engine reports its searches");
        assert_eq!(st.stopped, 0, "{tag}");
        assert_eq!(st.inexact_ties, 0, "{tag}");
        assert!(st.space > 0 && st.space >= st.evaluated as u128 + st.pruned, "{tag}: {st:?}");
        dram += !x.2.too_large_operands.is_empty() as usize;
        // Never worse than LOMA at its default limit (without DRAM the objective is the
        // truncated latency).
        if x.2.too_large_operands.is_empty() {
            assert!(p.eval.latency_total2.trunc() <= z.2.cme.eval.latency_total2.trunc(), "{tag}: worse than LOMA");
        }
    }
    let (stats, n) = opt.search_stats().expect("summed search stats");
    println!(
        "{fixture}: {} entries ({dram} with DRAM) equal to exhaustive enumeration; {n} evaluations, {} orderings, \
         {} evaluated, {} pruned; optimal {t_opt:.2} s, exhaustive {t_exh:.2} s",
        a.len(),
        stats.space,
        stats.evaluated,
        stats.pruned
    );
    Some(())
}

#[test]
fn optimal_equals_exhaustive_layer_by_layer_with_dram() {
    check("testing_2_cores_lbl");
    check("testing_3_layers_2_cores_lbl");
}

#[test]
fn optimal_equals_exhaustive_fused() {
    check("testing_2_cores_fused");
    check("testing_2_cores_fused_oy_all");
    check("testing_4_cores_fused_oy_all_order_id_desc");
}

/// Without the walk to the first optimal ordering: the search collects every tied ordering.
#[test]
fn optimal_equals_exhaustive_when_collecting_the_ties() {
    let o = zz_search::optimal::OptimalOptions { walk_limit: Some(0), ..Default::default() };
    check_with("testing_2_cores_fused", o.clone());
    check_with("testing_2_cores_lbl", o);
}
