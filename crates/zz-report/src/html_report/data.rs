//! The data a report page's script reads: bar groups with their stacks (energy per memory,
//! energy per operand, latency per section) and the sweep points, as JSON.

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{LayerReport, RunReport};
use crate::plot::{Breakdown, LATENCY_SECTIONS, latency_sections};

/// A finite number, or 0 (JSON has no NaN).
pub(crate) fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

/// One bar group of the interactive breakdown chart (a layer, or a whole design).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(crate) struct BarGroup {
    /// Axis label, e.g. `2: conv3` (for layers the last two `/` parts of the name).
    pub label: String,
    /// Full name shown in the tooltip.
    pub name: String,
    /// `(part, pJ)`: `MAC`, then each memory, lowest level first.
    pub by_memory: Vec<(String, f64)>,
    /// `(part, pJ)`: `MAC`, then each layer operand.
    pub by_operand: Vec<(String, f64)>,
    /// `(section, cycles)` in [`LATENCY_SECTIONS`] order.
    pub latency: Vec<(String, f64)>,
}

/// Adds `v` to the part `name` of `parts` (appending it when new).
fn add(parts: &mut Vec<(String, f64)>, name: &str, v: f64) {
    match parts.iter_mut().find(|(n, _)| n == name) {
        Some(p) => p.1 += finite(v),
        None => parts.push((name.to_string(), finite(v))),
    }
}

impl BarGroup {
    /// The stacks of one layer.
    pub fn of_layer(l: &LayerReport) -> Self {
        let label = format!("{}: {}", l.id, crate::plot::short_layer_name(&l.name));
        let mut g = Self { label, name: format!("{}: {}", l.id, l.name), ..Self::default() };
        g.add_layer(l);
        g
    }

    /// The stacks of a whole run (sums over its layers).
    pub fn of_run(label: String, r: &RunReport) -> Self {
        let mut g = Self { name: label.clone(), label, ..Self::default() };
        for l in &r.layers {
            g.add_layer(l);
        }
        g
    }

    fn add_layer(&mut self, l: &LayerReport) {
        add(&mut self.by_memory, "MAC", l.mac_energy);
        add(&mut self.by_operand, "MAC", l.mac_energy);
        for op in l.operands() {
            let energies = l.mem_energy_breakdown.get(op).map(Vec::as_slice).unwrap_or(&[]);
            for (lvl, e) in energies.iter().enumerate() {
                let name = l.memory_name(op, lvl).unwrap_or("?");
                add(&mut self.by_memory, name, *e);
                add(&mut self.by_operand, op, *e);
            }
        }
        for (name, v) in LATENCY_SECTIONS.iter().zip(latency_sections(l)) {
            add(&mut self.latency, name, v);
        }
    }
}

/// Orders every group's `by_memory` parts as the breakdown plot does: `MAC`, then the memories
/// by the lowest level they appear at in `runs` (then by first appearance).
pub(crate) fn order_memories<'a>(groups: &mut [BarGroup], runs: impl IntoIterator<Item = &'a RunReport>) {
    let mut order: Vec<String> = Vec::new();
    for r in runs {
        for m in Breakdown::from_report(r).memories {
            if !order.contains(&m) {
                order.push(m);
            }
        }
    }
    let rank =
        |name: &str| if name == "MAC" { 0 } else { order.iter().position(|m| m == name).map_or(usize::MAX, |i| i + 1) };
    for g in groups {
        // Stable: unknown names keep their order at the end.
        g.by_memory.sort_by_key(|(name, _)| rank(name));
    }
}

/// The per-layer bar groups of `r`.
pub(crate) fn layer_groups(r: &RunReport) -> Vec<BarGroup> {
    let mut groups: Vec<BarGroup> = r.layers.iter().map(BarGroup::of_layer).collect();
    order_memories(&mut groups, [r]);
    groups
}

/// The JSON block of a page: `{"charts": {id: [groups]}, "sweep": ...}`.
pub(crate) fn page_data(charts: &[(String, Vec<BarGroup>)], sweep: Option<Value>) -> Value {
    let charts: serde_json::Map<String, Value> =
        charts.iter().map(|(id, g)| (id.clone(), serde_json::to_value(g).unwrap_or(Value::Null))).collect();
    json!({ "charts": charts, "sweep": sweep.unwrap_or(Value::Null) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::gemm_report;

    #[test]
    fn layer_stacks_sum_to_the_layer_totals() {
        let r = gemm_report();
        let g = &layer_groups(&r)[0];
        let l = &r.layers[0];
        let sum = |p: &[(String, f64)]| p.iter().map(|x| x.1).sum::<f64>();
        assert_eq!(sum(&g.by_memory), l.energy);
        assert_eq!(sum(&g.by_operand), l.energy);
        assert_eq!(sum(&g.latency), l.latency_total2);
        assert_eq!(g.by_memory.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["MAC", "reg_O", "l1", "l3"]);
        assert_eq!(g.by_operand.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["MAC", "O", "W", "I"]);
        let run = BarGroup::of_run("all".into(), &r);
        assert_eq!(sum(&run.by_memory), r.energy);
    }
}
