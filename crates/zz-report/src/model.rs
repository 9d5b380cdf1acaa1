//! Result DTOs: plain, serde-serialisable data that the CLI fills from the cost model.
//!
//! This crate deliberately knows nothing about the other `zz-*` crates; the CLI
//! converts its cost-model results into a [`RunReport`] and hands it to the
//! writers ([`crate::json`], [`crate::summary`], [`crate::loop_nest`],
//! [`crate::plot`]).
//!
//! Conventions shared by all per-operand maps of a [`LayerReport`]:
//! * keys are **layer operands** (`O`, `W`, `I`, ...), in the order they should
//!   be shown (ZigZag's `memory_operand_links` order);
//! * per-level vectors are indexed by the operand's memory level, **lowest
//!   (closest to the MACs) first**, aligned with [`LayerReport::memory_levels`].
//!
//! JSON contract: the first two keys of a serialised [`RunReport`] are
//! `energy` then `latency`; f64 values that are integers serialise as `8194.0`.

use serde::{Deserialize, Serialize};

use crate::ordered_map::OrderedMap;

/// One loop: `(layer dimension, size)`, serialised as `["K", 32]`.
pub type Loop<T> = (String, T);

/// Energy (pJ) or access counts of one memory level, split by data direction.
///
/// Field names and order follow ZigZag's `DataDirection` / `AccessEnergy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DirectionRecord {
    /// Read out towards the lower level (or the MACs).
    pub rd_out_to_low: f64,
    /// Written in by the lower level (partial outputs coming up).
    pub wr_in_by_low: f64,
    /// Read out towards the higher level.
    pub rd_out_to_high: f64,
    /// Written in by the higher level (data coming down).
    pub wr_in_by_high: f64,
}

impl DirectionRecord {
    /// Display names of the four directions, in field order.
    pub const NAMES: [&'static str; 4] = ["rd_out_to_low", "wr_in_by_low", "rd_out_to_high", "wr_in_by_high"];

    /// The four values in field order.
    pub fn as_array(&self) -> [f64; 4] {
        [self.rd_out_to_low, self.wr_in_by_low, self.rd_out_to_high, self.wr_in_by_high]
    }

    /// Sum over the four directions.
    pub fn total(&self) -> f64 {
        self.as_array().iter().sum()
    }
}

/// Cost-model result of one layer under its best mapping.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LayerReport {
    /// Layer id in the workload.
    pub id: usize,
    /// Layer name.
    pub name: String,
    /// Operator type (`Conv`, `Gemm`, ...).
    pub operator_type: String,
    /// Loop equation, e.g. `O[b][k]+=W[k][c]*I[b][c]`; may be empty.
    pub equation: String,
    /// Total energy in pJ (`mac_energy + mem_energy`).
    pub energy: f64,
    /// Total latency in cycles (equals `latency_total2`).
    pub latency: f64,
    /// MAC (compute) energy in pJ.
    pub mac_energy: f64,
    /// Memory energy in pJ, all operands and levels.
    pub mem_energy: f64,
    /// Computation latency incl. stalls/slack, without data on/off-loading (cycles).
    pub latency_total0: f64,
    /// `latency_total0` plus data on-loading (cycles).
    pub latency_total1: f64,
    /// `latency_total1` plus data off-loading (cycles).
    pub latency_total2: f64,
    /// Ideal cycles: MAC operations / number of MAC units.
    pub ideal_cycle: f64,
    /// Ideal cycles given the spatial unrolling (no memory stalls).
    pub ideal_temporal_cycle: f64,
    /// Data on-loading cycles.
    pub data_onloading_cycle: f64,
    /// Data off-loading cycles.
    pub data_offloading_cycle: f64,
    /// Systolic-array drain cycles (0 for non-systolic arrays).
    pub systolic_drain_cycle: f64,
    /// Combined stall (positive) or slack of all memory levels (cycles).
    pub stall_slack_comb: f64,
    /// `ideal_cycle / ideal_temporal_cycle`.
    pub mac_spatial_utilization: f64,
    /// `ideal_cycle / latency_total0`.
    pub mac_utilization0: f64,
    /// `ideal_cycle / latency_total1`.
    pub mac_utilization1: f64,
    /// `ideal_cycle / latency_total2`.
    pub mac_utilization2: f64,
    /// Layer operand -> memory operand (`{"O": "O", "W": "I2", "I": "I1"}`).
    pub memory_operand_links: OrderedMap<String>,
    /// Operand -> memory names per level, lowest first.
    pub memory_levels: OrderedMap<Vec<String>>,
    /// Operand -> memory energy (pJ) per level.
    pub mem_energy_breakdown: OrderedMap<Vec<f64>>,
    /// Operand -> memory energy (pJ) per level, split by direction.
    pub mem_energy_breakdown_further: OrderedMap<Vec<DirectionRecord>>,
    /// Operand -> memory word accesses per level, split by direction.
    pub memory_word_access: OrderedMap<Vec<DirectionRecord>>,
    /// Operand -> utilisation of each level's capacity (shared memories counted once).
    pub mem_utilization_shared: OrderedMap<Vec<f64>>,
    /// OA dimension -> layer dimension -> unrolling, e.g. `{"D1": {"K": 32.0}}`.
    pub spatial_mapping: OrderedMap<OrderedMap<f64>>,
    /// Operand -> spatial loops per architectural level (`memory_levels.len() + 1`
    /// entries: entry `i < n` holds the unrollings served by memory level `i`,
    /// entry `n` those above the top level), e.g. `[[["K", 32.0]], [], []]`.
    pub spatial_mapping_internal: OrderedMap<Vec<Vec<Loop<f64>>>>,
    /// Operand -> temporal loops per memory level, innermost loop first.
    pub temporal_mapping: OrderedMap<Vec<Vec<Loop<u64>>>>,
    /// Number of spatial mappings evaluated for this layer.
    pub spatial_mappings_evaluated: usize,
    /// Number of temporal mappings evaluated for this layer.
    pub temporal_mappings_evaluated: usize,
    /// In-memory-computing arrays only: MAC energy breakdown, clock period and areas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imc: Option<ImcReport>,
    /// Beyond the reference (`map --pareto` only): the latency–energy Pareto front of every
    /// (spatial mapping, ordering) the search evaluated, by increasing latency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pareto_front: Option<Vec<ParetoPoint>>,
}

/// One point of a layer's latency–energy Pareto front.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParetoPoint {
    /// Latency (`latency_total2`), cycles.
    pub latency: f64,
    /// Energy, pJ.
    pub energy: f64,
    /// OA dimension -> layer dimension -> unrolling, as `spatial_mapping`.
    pub spatial_mapping: OrderedMap<OrderedMap<f64>>,
    /// The loop ordering, innermost loop first.
    pub temporal_ordering: Vec<Loop<u64>>,
}

/// What an in-memory-computing array adds to a layer's result (ZigZag's
/// `CostModelEvaluationForIMC`): keys and their order follow the reference.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImcReport {
    /// Cycles per MAC operation (activation bits / bit-serial bits).
    pub cycles_per_op: f64,
    /// MAC energy per component (DACs, ADCs, multipliers, adders, ...), pJ.
    pub mac_energy_breakdown: OrderedMap<f64>,
    /// Clock period, ns.
    pub tclk: f64,
    /// Clock period per component, ns.
    pub tclk_breakdown: OrderedMap<f64>,
    /// Area of the IMC array, mm².
    pub imc_area: f64,
    /// Area of the IMC array per component, mm².
    pub imc_area_breakdown: OrderedMap<f64>,
    /// Area of the layer's memories, mm².
    pub mem_area: f64,
    /// Area per memory, mm².
    pub mem_area_breakdown: OrderedMap<f64>,
    /// `imc_area + mem_area`, mm².
    pub area_total: f64,
}

impl LayerReport {
    /// The layer operands in display order: the keys of `memory_operand_links`,
    /// else of `temporal_mapping`, else of `memory_levels`.
    pub fn operands(&self) -> Vec<&str> {
        if !self.memory_operand_links.is_empty() {
            self.memory_operand_links.keys().collect()
        } else if !self.temporal_mapping.is_empty() {
            self.temporal_mapping.keys().collect()
        } else {
            self.memory_levels.keys().collect()
        }
    }

    /// Name of memory level `level` of `operand`, if known.
    pub fn memory_name(&self, operand: &str, level: usize) -> Option<&str> {
        self.memory_levels.get(operand)?.get(level).map(String::as_str)
    }

    /// Short spatial mapping string, e.g. `D1:K=32 D2:C=32`, mixed unrollings as
    /// `D1:K=4,C=8` (empty if none).
    pub fn spatial_mapping_short(&self) -> String {
        let mut parts = Vec::new();
        for (oa_dim, unrolls) in self.spatial_mapping.iter() {
            let inner: Vec<String> =
                unrolls.iter().map(|(dim, f)| format!("{dim}={}", crate::format::num(*f))).collect();
            parts.push(format!("{oa_dim}:{}", inner.join(",")));
        }
        parts.join(" ")
    }
}

/// Whole-workload totals: sums over layers plus utilisations derived from the sums.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TotalsReport {
    /// Number of layers summed.
    pub layers: usize,
    /// Total energy in pJ.
    pub energy: f64,
    /// Total latency in cycles (sum of `latency_total2`).
    pub latency: f64,
    /// Total MAC energy in pJ.
    pub mac_energy: f64,
    /// Total memory energy in pJ.
    pub mem_energy: f64,
    /// Sum of `latency_total0`.
    pub latency_total0: f64,
    /// Sum of `latency_total1`.
    pub latency_total1: f64,
    /// Sum of `latency_total2`.
    pub latency_total2: f64,
    /// Sum of `ideal_cycle`.
    pub ideal_cycle: f64,
    /// Sum of `ideal_temporal_cycle`.
    pub ideal_temporal_cycle: f64,
    /// Sum of `data_onloading_cycle`.
    pub data_onloading_cycle: f64,
    /// Sum of `data_offloading_cycle`.
    pub data_offloading_cycle: f64,
    /// Sum of `systolic_drain_cycle`.
    pub systolic_drain_cycle: f64,
    /// Sum of `stall_slack_comb`.
    pub stall_slack_comb: f64,
    /// `ideal_cycle / ideal_temporal_cycle` of the sums (0 if undefined).
    pub mac_spatial_utilization: f64,
    /// `ideal_cycle / latency_total0` of the sums (0 if undefined).
    pub mac_utilization0: f64,
    /// `ideal_cycle / latency_total1` of the sums (0 if undefined).
    pub mac_utilization1: f64,
    /// `ideal_cycle / latency_total2` of the sums (0 if undefined).
    pub mac_utilization2: f64,
    /// Sum of `spatial_mappings_evaluated`.
    pub spatial_mappings_evaluated: usize,
    /// Sum of `temporal_mappings_evaluated`.
    pub temporal_mappings_evaluated: usize,
}

impl TotalsReport {
    /// Sums `layers`; utilisations are recomputed from the summed cycles, as
    /// ZigZag's cumulative evaluation does.
    pub fn from_layers(layers: &[LayerReport]) -> Self {
        let mut t = Self { layers: layers.len(), ..Self::default() };
        for l in layers {
            t.energy += l.energy;
            t.latency += l.latency_total2;
            t.mac_energy += l.mac_energy;
            t.mem_energy += l.mem_energy;
            t.latency_total0 += l.latency_total0;
            t.latency_total1 += l.latency_total1;
            t.latency_total2 += l.latency_total2;
            t.ideal_cycle += l.ideal_cycle;
            t.ideal_temporal_cycle += l.ideal_temporal_cycle;
            t.data_onloading_cycle += l.data_onloading_cycle;
            t.data_offloading_cycle += l.data_offloading_cycle;
            t.systolic_drain_cycle += l.systolic_drain_cycle;
            t.stall_slack_comb += l.stall_slack_comb;
            t.spatial_mappings_evaluated += l.spatial_mappings_evaluated;
            t.temporal_mappings_evaluated += l.temporal_mappings_evaluated;
        }
        let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
        t.mac_spatial_utilization = ratio(t.ideal_cycle, t.ideal_temporal_cycle);
        t.mac_utilization0 = ratio(t.ideal_cycle, t.latency_total0);
        t.mac_utilization1 = ratio(t.ideal_cycle, t.latency_total1);
        t.mac_utilization2 = ratio(t.ideal_cycle, t.latency_total2);
        t
    }
}

/// Result of one run: a workload evaluated on an accelerator.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunReport {
    /// Total energy in pJ. Stable contract: first JSON key.
    pub energy: f64,
    /// Total latency in cycles (sum of `latency_total2`). Stable contract: second JSON key.
    pub latency: f64,
    /// IMC arrays only: clock period in ns (as ZigZag's IMC API returns it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tclk: Option<f64>,
    /// IMC arrays only: area in mm² (ZigZag's IMC API: the first layer's `area_total`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<f64>,
    /// Accelerator name.
    pub accelerator: String,
    /// Workload name (or input file stem).
    pub workload: String,
    /// Per-layer results, in workload order.
    pub layers: Vec<LayerReport>,
    /// Sums over `layers`.
    pub totals: TotalsReport,
}

impl RunReport {
    /// Builds a report whose `energy`, `latency` and `totals` are summed from `layers`.
    pub fn new(accelerator: impl Into<String>, workload: impl Into<String>, layers: Vec<LayerReport>) -> Self {
        let totals = TotalsReport::from_layers(&layers);
        Self {
            energy: totals.energy,
            latency: totals.latency,
            tclk: None,
            area: None,
            accelerator: accelerator.into(),
            workload: workload.into(),
            layers,
            totals,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::gemm_report;

    #[test]
    fn totals_sum_layers() {
        let mut r = gemm_report();
        let mut second = r.layers[0].clone();
        second.id = 1;
        r = RunReport::new("acc", "wl", vec![r.layers[0].clone(), second]);
        assert_eq!(r.totals.layers, 2);
        assert_eq!(r.energy, 2.0 * r.layers[0].energy);
        assert_eq!(r.latency, 2.0 * r.layers[0].latency_total2);
        let u = r.layers[0].ideal_cycle / r.layers[0].latency_total2;
        assert!((r.totals.mac_utilization2 - u).abs() < 1e-12);
    }

    #[test]
    fn empty_report_has_zero_totals() {
        let r = RunReport::new("acc", "wl", vec![]);
        assert_eq!(r.energy, 0.0);
        assert_eq!(r.totals.mac_utilization2, 0.0);
    }

    #[test]
    fn spatial_mapping_short_string() {
        let r = gemm_report();
        assert_eq!(r.layers[0].spatial_mapping_short(), "D1:D1=8 D2:D2=8");
        assert_eq!(r.layers[0].operands(), ["O", "W", "I"]);
    }
}
