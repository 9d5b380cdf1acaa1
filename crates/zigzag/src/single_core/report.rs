//! Conversion of single-core search results into the `zz-report` DTOs, and the check that
//! a report holds finite numbers.

use crate::Error;
use zz_cost::LayerInfo;
use zz_ir::accelerator::Accelerator;
use zz_report::{DirectionRecord, ImcReport, LayerReport, OrderedMap, ParetoPoint, RunReport};
use zz_search::{LayerResult, NetworkResult};

fn record(a: &[f64; 4]) -> DirectionRecord {
    DirectionRecord { rd_out_to_low: a[0], wr_in_by_low: a[1], rd_out_to_high: a[2], wr_in_by_high: a[3] }
}

fn loops_f(info: &LayerInfo, l: &zz_cost::LevelLoops) -> Vec<(String, f64)> {
    l.iter().map(|lp| (info.dim_name(lp.dim), lp.size)).collect()
}

fn loops_u(info: &LayerInfo, l: &zz_cost::LevelLoops) -> Vec<(String, u64)> {
    l.iter().map(|lp| (info.dim_name(lp.dim), lp.size as u64)).collect()
}

fn per_op<T>(ops: &[&str], f: impl Fn(usize) -> T) -> OrderedMap<T> {
    ops.iter().enumerate().map(|(x, o)| (o.to_string(), f(x))).collect()
}

/// One layer's report.
pub fn layer_report(r: &LayerResult, workload: &zz_ir::workload::Workload, acc: &Accelerator) -> LayerReport {
    let layer = &workload.layers[r.index];
    let info = &r.info;
    let c = &r.cost;
    let stationary = zz_cost::temporal::stationary_levels(info, &r.temporal);
    let ops: Vec<&str> = info.operands.iter().map(|o| o.name.as_str()).collect();
    let mem_names = |x: usize| -> Vec<String> {
        let hw = r.accelerator.as_deref().unwrap_or(acc);
        hw.memories.iter().filter(|m| m.operands.contains(&r.bind.mem_op[x])).map(|m| m.name.clone()).collect()
    };
    LayerReport {
        id: layer.id,
        name: layer.name.clone(),
        operator_type: layer.operator_type.clone(),
        equation: layer.equation.clone(),
        energy: c.energy_total,
        latency: c.latency_total2,
        mac_energy: c.mac_energy,
        mem_energy: c.mem_energy,
        latency_total0: c.latency_total0,
        latency_total1: c.latency_total1,
        latency_total2: c.latency_total2,
        ideal_cycle: c.ideal_cycle,
        ideal_temporal_cycle: c.ideal_temporal_cycle,
        data_onloading_cycle: c.data_onloading_cycle,
        data_offloading_cycle: c.data_offloading_cycle,
        systolic_drain_cycle: c.systolic_drain_cycle,
        stall_slack_comb: c.stall_slack_comb,
        mac_spatial_utilization: c.mac_spatial_utilization,
        mac_utilization0: c.mac_utilization0,
        mac_utilization1: c.mac_utilization1,
        mac_utilization2: c.mac_utilization2,
        memory_operand_links: per_op(&ops, |x| r.bind.mem_op[x].to_string()),
        memory_levels: per_op(&ops, mem_names),
        mem_energy_breakdown: per_op(&ops, |x| c.mem_energy_breakdown[x].to_vec()),
        mem_energy_breakdown_further: per_op(&ops, |x| c.mem_energy_breakdown_further[x].iter().map(record).collect()),
        memory_word_access: per_op(&ops, |x| c.memory_word_access[x].iter().map(record).collect()),
        mem_utilization_shared: per_op(&ops, |x| c.mem_utili_shared[x].to_vec()),
        spatial_mapping: r
            .spatial
            .user
            .iter()
            .map(|(oa, loops)| (oa.clone(), loops.iter().map(|(d, f)| (d.clone(), *f as f64)).collect()))
            .collect(),
        spatial_mapping_internal: per_op(&ops, |x| r.spatial.int.levels[x].iter().map(|l| loops_f(info, l)).collect()),
        temporal_mapping: per_op(&ops, |x| stationary[x].iter().map(|l| loops_u(info, l)).collect()),
        spatial_mappings_evaluated: r.spatial_mappings,
        temporal_mappings_evaluated: r.temporal_evaluated as usize,
        imc: r.imc.as_ref().map(imc_report),
        pareto_front: r.pareto.as_ref().map(|f| pareto_front(info, f)),
    }
}

/// A layer's Pareto front as report points.
fn pareto_front(info: &LayerInfo, f: &zz_search::network::LayerFront) -> Vec<ParetoPoint> {
    f.points
        .iter()
        .map(|p| ParetoPoint {
            latency: p.latency,
            energy: p.energy,
            spatial_mapping: f.spatial_mappings[p.spatial]
                .iter()
                .map(|(oa, loops)| (oa.clone(), loops.iter().map(|(d, s)| (d.clone(), *s as f64)).collect()))
                .collect(),
            temporal_ordering: p.ordering.iter().map(|l| (info.dim_name(l.dim), l.size as u64)).collect(),
        })
        .collect()
}

fn keyed<const N: usize>(keys: &[&str; N], v: &[f64; N]) -> OrderedMap<f64> {
    keys.iter().zip(v).map(|(k, v)| (k.to_string(), *v)).collect()
}

/// The IMC part of a layer's report.
fn imc_report(i: &zz_search::ImcLayerReport) -> ImcReport {
    use zz_cost::imc::{AREA_KEYS, ENERGY_KEYS};
    ImcReport {
        cycles_per_op: i.cycles_per_op,
        mac_energy_breakdown: keyed(&ENERGY_KEYS, &i.mac_energy_breakdown),
        tclk: i.tclk,
        tclk_breakdown: keyed(&AREA_KEYS, &i.tclk_breakdown),
        imc_area: i.imc_area,
        imc_area_breakdown: keyed(&AREA_KEYS, &i.imc_area_breakdown),
        mem_area: i.mem_area,
        mem_area_breakdown: i.mem_area_breakdown.iter().cloned().collect(),
        area_total: i.area_total,
    }
}

/// The whole run's report.
pub fn run_report(
    res: &NetworkResult,
    workload: &zz_ir::workload::Workload,
    acc: &Accelerator,
    workload_name: &str,
) -> RunReport {
    let layers: Vec<LayerReport> = res.layers.iter().map(|l| layer_report(l, workload, acc)).collect();
    let mut rep = RunReport::new(acc.name.clone(), workload_name.to_string(), layers);
    // The stable contract: energy and latency are the reference's summed totals.
    rep.energy = res.totals.energy_total;
    rep.latency = res.totals.latency_total2;
    rep.tclk = res.imc.map(|(t, _)| t);
    rep.area = res.imc.map(|(_, a)| a);
    rep
}

/// A [`Error::NonFinite`] when a result is not a finite number: names the first layer whose
/// energy or latency is NaN or infinite, instead of reporting `Energy: NaN`. `context` names the
/// inputs (e.g. `workload on accelerator`).
pub fn check_finite(report: &RunReport, context: &str) -> Result<(), Error> {
    if report.energy.is_finite() && report.latency.is_finite() {
        return Ok(());
    }
    let layer = report.layers.iter().find(|l| !l.energy.is_finite() || !l.latency.is_finite());
    let detail = match layer {
        Some(l) => format!("layer {} `{}`: energy {} pJ, latency {} cycles", l.id, l.name, l.energy, l.latency),
        None => format!("energy {} pJ, latency {} cycles", report.energy, report.latency),
    };
    Err(Error::NonFinite { context: context.to_string(), detail })
}
