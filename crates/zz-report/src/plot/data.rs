//! Plot data: the per-layer energy and latency breakdowns as plain arrays.
//!
//! Mirrors ZigZag's `bar_plot_cost_model_evaluations_breakdown` data layout:
//! per layer one `MAC` bar plus one bar per memory (all memories of the run,
//! lowest level first), each memory bar stacked by operand and data direction;
//! and one latency bar stacked by five sections.

use crate::model::{LayerReport, RunReport};

/// Names of the stacked latency sections, bottom first.
pub const LATENCY_SECTIONS: [&str; 5] =
    ["Ideal computation", "Spatial stall", "Temporal stall", "Data on-loading", "Data off-loading"];

/// Number of energy segments per (memory, operand): the four directions, then
/// one for energy known only as a per-level total (no direction split).
pub const ENERGY_SEGMENTS: usize = 5;

/// Index of the "no direction split" segment.
pub const UNSPLIT: usize = 4;

/// Energy and latency breakdown of a whole run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Breakdown {
    /// One label per layer: `"{id}: {short name}"`.
    pub groups: Vec<String>,
    /// Memory names (bars after `MAC`), lowest level first.
    pub memories: Vec<String>,
    /// Layer operands, first-seen order over all layers.
    pub operands: Vec<String>,
    /// MAC energy per layer (pJ).
    pub mac: Vec<f64>,
    /// `[layer][memory][operand][segment]` energy (pJ).
    pub mem: Vec<Vec<Vec<[f64; ENERGY_SEGMENTS]>>>,
    /// `[layer][section]` latency (cycles), sections as in [`LATENCY_SECTIONS`].
    pub latency: Vec<[f64; 5]>,
    /// IMC runs: names of the MAC energy components that are non-zero somewhere (DACs, ADCs, ...).
    pub mac_parts: Vec<String>,
    /// IMC runs: `[layer][component]` MAC energy (pJ), components as in [`Self::mac_parts`];
    /// empty for digital arrays (the MAC bar is then one black segment).
    pub mac_split: Vec<Vec<f64>>,
}

/// The last two `/`-separated parts of an ONNX-style name (`layer1/conv2/Conv` -> `conv2/Conv`).
pub fn short_layer_name(name: &str) -> String {
    let parts: Vec<&str> = name.split('/').collect();
    parts[parts.len().saturating_sub(2)..].join("/")
}

/// `v` if finite and non-negative, else 0 (bars cannot show anything else).
fn finite(v: f64) -> f64 {
    if v.is_finite() { v.max(0.0) } else { 0.0 }
}

/// Latency sections of one layer; negative or non-finite values become 0.
pub fn latency_sections(l: &LayerReport) -> [f64; 5] {
    [
        l.ideal_cycle,
        l.ideal_temporal_cycle - l.ideal_cycle,
        l.latency_total0 - l.ideal_temporal_cycle,
        l.latency_total1 - l.latency_total0,
        l.latency_total2 - l.latency_total1,
    ]
    .map(finite)
}

/// Pushes `name` if new.
fn push_unique(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}

/// All memory names, ordered by the lowest level they appear at, then by first appearance.
fn collect_memories(report: &RunReport) -> Vec<String> {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for l in &report.layers {
        for (_, names) in l.memory_levels.iter() {
            for (lvl, name) in names.iter().enumerate() {
                match seen.iter_mut().find(|(n, _)| n == name) {
                    Some((_, min)) => *min = (*min).min(lvl),
                    None => seen.push((name.clone(), lvl)),
                }
            }
        }
    }
    // Stable sort keeps first-appearance order within a level.
    seen.sort_by_key(|(_, lvl)| *lvl);
    seen.into_iter().map(|(n, _)| n).collect()
}

impl Breakdown {
    /// Extracts the breakdown of every layer of `report`.
    pub fn from_report(report: &RunReport) -> Self {
        let memories = collect_memories(report);
        let mut operands = Vec::new();
        for l in &report.layers {
            for op in l.operands() {
                push_unique(&mut operands, op);
            }
        }
        let mut b = Self { memories, operands, ..Self::default() };
        for l in &report.layers {
            b.groups.push(format!("{}: {}", l.id, short_layer_name(&l.name)));
            b.mac.push(finite(l.mac_energy));
            b.latency.push(latency_sections(l));
            b.mem.push(b.layer_energy(l));
        }
        if report.layers.iter().any(|l| l.imc.is_some()) {
            for l in &report.layers {
                for (k, v) in l.imc.iter().flat_map(|i| i.mac_energy_breakdown.iter()) {
                    if finite(*v) > 0.0 {
                        push_unique(&mut b.mac_parts, k);
                    }
                }
            }
            for l in &report.layers {
                let get = |k: &str| l.imc.as_ref().and_then(|i| i.mac_energy_breakdown.get(k)).copied().unwrap_or(0.0);
                b.mac_split.push(b.mac_parts.iter().map(|k| finite(get(k))).collect());
            }
        }
        b
    }

    /// `[memory][operand][segment]` energy of one layer.
    fn layer_energy(&self, l: &LayerReport) -> Vec<Vec<[f64; ENERGY_SEGMENTS]>> {
        let mut e = vec![vec![[0.0; ENERGY_SEGMENTS]; self.operands.len()]; self.memories.len()];
        for (oi, op) in self.operands.iter().enumerate() {
            let Some(levels) = l.memory_levels.get(op) else {
                continue;
            };
            let further = l.mem_energy_breakdown_further.get(op);
            let totals = l.mem_energy_breakdown.get(op);
            for (lvl, mem_name) in levels.iter().enumerate() {
                let Some(mi) = self.memories.iter().position(|m| m == mem_name) else {
                    continue;
                };
                let slot = &mut e[mi][oi];
                if let Some(rec) = further.and_then(|f| f.get(lvl)) {
                    for (s, v) in slot.iter_mut().zip(rec.as_array()) {
                        *s += finite(v);
                    }
                } else if let Some(v) = totals.and_then(|t| t.get(lvl)) {
                    slot[UNSPLIT] += finite(*v);
                }
            }
        }
        e
    }

    /// Stacked height of memory bar `m` of layer `g`.
    pub fn mem_bar(&self, g: usize, m: usize) -> f64 {
        self.mem[g][m].iter().flatten().sum()
    }

    /// Total energy of layer `g` as plotted (MAC + all memory bars).
    pub fn energy_total(&self, g: usize) -> f64 {
        self.mac[g] + (0..self.memories.len()).map(|m| self.mem_bar(g, m)).sum::<f64>()
    }

    /// Tallest energy bar of layer `g`.
    pub fn energy_bar_max(&self, g: usize) -> f64 {
        (0..self.memories.len()).map(|m| self.mem_bar(g, m)).fold(self.mac[g], f64::max)
    }

    /// Total latency of layer `g` as plotted.
    pub fn latency_total(&self, g: usize) -> f64 {
        self.latency[g].iter().sum()
    }

    /// Whether any energy was only available as a per-level total.
    pub fn has_unsplit(&self) -> bool {
        self.mem.iter().flatten().flatten().any(|s| s[UNSPLIT] != 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::gemm_report;

    #[test]
    fn gemm_breakdown() {
        let b = Breakdown::from_report(&gemm_report());
        assert_eq!(b.groups, ["0: gemm"]);
        assert_eq!(b.memories, ["reg_O", "l1", "l3"]);
        assert_eq!(b.operands, ["O", "W", "I"]);
        assert_eq!(b.mem_bar(0, 1), 30_000.0 + 25_000.0 + 20_000.0);
        assert_eq!(b.energy_total(0), 150_000.5);
        assert_eq!(b.latency[0], [4096.0, 0.0, 4.0, 2047.0, 2047.0]);
        assert_eq!(b.latency_total(0), 8194.0);
        assert!(!b.has_unsplit());
    }

    #[test]
    fn falls_back_to_per_level_totals() {
        let mut r = gemm_report();
        r.layers[0].mem_energy_breakdown_further = Default::default();
        let b = Breakdown::from_report(&r);
        assert!(b.has_unsplit());
        assert_eq!(b.energy_total(0), 150_000.5);
    }

    #[test]
    fn imc_mac_bar_is_split_by_component() {
        let mut r = gemm_report();
        let imc = crate::model::ImcReport {
            mac_energy_breakdown: [("local_bl_precharging", 0.0), ("adcs", 40_000.5), ("mults", 10_000.0)]
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            ..Default::default()
        };
        r.layers[0].imc = Some(imc);
        let b = Breakdown::from_report(&r);
        assert_eq!(b.mac_parts, ["adcs", "mults"]);
        assert_eq!(b.mac_split, [vec![40_000.5, 10_000.0]]);
        assert_eq!(b.mac_split[0].iter().sum::<f64>(), b.mac[0]);
        assert!(Breakdown::from_report(&gemm_report()).mac_split.is_empty());
    }

    #[test]
    fn short_names() {
        assert_eq!(short_layer_name("layer1/layer1.0/conv2/Conv"), "conv2/Conv");
        assert_eq!(short_layer_name("conv1"), "conv1");
        assert_eq!(short_layer_name(""), "");
    }
}
