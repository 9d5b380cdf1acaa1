//! Figures of one accelerator design beside its run (area, on-chip memory), the constraints
//! a design must meet, and a design's totals as one report row (`compare`, `sweep`).

use zz_ir::accelerator::Accelerator;
use zz_report::{LayerReport, OrderedMap, RunReport};

/// Area of an accelerator: MAC units × unit area + Σ memory area × number of instances.
pub fn area(acc: &Accelerator) -> f64 {
    let oa = &acc.operational_array;
    let mut a = oa.unit_area * oa.total_unit_count() as f64;
    for m in &acc.memories {
        a += m.area * acc.instances(m) as f64;
    }
    a
}

/// On-chip memory in bits: every memory but the last (top) one, times its instances.
pub fn onchip_memory_bits(acc: &Accelerator) -> f64 {
    let n = acc.memories.len().saturating_sub(1);
    acc.memories[..n].iter().map(|m| m.size as f64 * acc.instances(m) as f64).sum()
}

/// Limits a single-core design must stay within to be feasible (`None`: no limit).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DesignConstraints {
    /// Latency, cycles.
    pub max_latency: Option<f64>,
    /// Area (the units of the accelerator's `unit_area` / memory `area`).
    pub max_area: Option<f64>,
    /// On-chip memory, bits.
    pub max_memory: Option<f64>,
}

impl DesignConstraints {
    /// Whether a design with these figures meets every constraint.
    pub fn admit(&self, latency: f64, area: f64, onchip_memory_bits: f64) -> bool {
        self.max_latency.is_none_or(|m| latency <= m)
            && self.max_area.is_none_or(|m| area <= m)
            && self.max_memory.is_none_or(|m| onchip_memory_bits <= m)
    }
}

/// One design's totals as a report row (per-level energies summed over layers by level position).
pub fn design_row(index: usize, label: &str, r: &RunReport) -> LayerReport {
    let mut row = LayerReport {
        id: index,
        name: label.to_string(),
        operator_type: "design".into(),
        energy: r.energy,
        latency: r.latency,
        ..Default::default()
    };
    let t = &r.totals;
    row.mac_energy = t.mac_energy;
    row.mem_energy = t.mem_energy;
    row.latency_total0 = t.latency_total0;
    row.latency_total1 = t.latency_total1;
    row.latency_total2 = t.latency_total2;
    row.ideal_cycle = t.ideal_cycle;
    row.ideal_temporal_cycle = t.ideal_temporal_cycle;
    row.data_onloading_cycle = t.data_onloading_cycle;
    row.data_offloading_cycle = t.data_offloading_cycle;
    row.systolic_drain_cycle = t.systolic_drain_cycle;
    row.mac_spatial_utilization = t.mac_spatial_utilization;
    row.mac_utilization0 = t.mac_utilization0;
    row.mac_utilization1 = t.mac_utilization1;
    row.mac_utilization2 = t.mac_utilization2;
    let mut levels: OrderedMap<Vec<String>> = OrderedMap::default();
    let mut energy: OrderedMap<Vec<f64>> = OrderedMap::default();
    for l in &r.layers {
        for (op, names) in l.memory_levels.iter() {
            if levels.get(op).is_none_or(|n| n.len() < names.len()) {
                levels.insert(op, names.clone());
            }
        }
        for (op, e) in l.mem_energy_breakdown.iter() {
            let mut cur = energy.get(op).cloned().unwrap_or_default();
            if cur.len() < e.len() {
                cur.resize(e.len(), 0.0);
            }
            for (k, v) in e.iter().enumerate() {
                cur[k] += v;
            }
            energy.insert(op, cur);
        }
    }
    row.memory_levels = levels;
    row.mem_energy_breakdown = energy;
    row
}
