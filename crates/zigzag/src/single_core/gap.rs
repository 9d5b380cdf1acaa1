//! How far a search's result is from the optimal temporal mapping, per layer and in total
//! (`zigzag-rs map --against optimal`, `gap.json`).

use serde::Serialize;
use zz_search::{NetworkResult, Objective};

/// One layer's gap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GapLayer {
    /// Layer name.
    pub layer: String,
    /// The search's latency (cycles).
    pub latency: f64,
    /// The search's energy (pJ).
    pub energy: f64,
    /// The optimum's latency.
    pub optimal_latency: f64,
    /// The optimum's energy.
    pub optimal_energy: f64,
    /// How much worse the search's objective is, in percent of the optimum's.
    pub gap_percent: f64,
    /// Whether the optimum was proven (no time limit hit).
    pub proven_optimal: bool,
    /// The optimal engine's proven lower bound, when it ran.
    pub optimal_lower_bound: Option<f64>,
}

/// The totals' gap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GapTotal {
    /// The search's total latency.
    pub latency: f64,
    /// The search's total energy.
    pub energy: f64,
    /// The optimum's total latency.
    pub optimal_latency: f64,
    /// The optimum's total energy.
    pub optimal_energy: f64,
    /// Gap of the total objective, percent.
    pub gap_percent: f64,
}

/// The gap of a search to the optimal engine's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GapReport {
    /// The objective, lower case.
    pub objective: String,
    /// Per layer.
    pub layers: Vec<GapLayer>,
    /// In total.
    pub total: GapTotal,
}

fn percent_above(a: f64, b: f64) -> f64 {
    if b > 0.0 { 100.0 * (a - b) / b } else { 0.0 }
}

impl GapReport {
    /// The gap of `found` to `optimal` under `objective`.
    pub fn new(found: &NetworkResult, optimal: &NetworkResult, objective: Objective) -> GapReport {
        let layers = found
            .layers
            .iter()
            .zip(&optimal.layers)
            .map(|(a, b)| GapLayer {
                layer: a.info.name.clone(),
                latency: a.cost.latency_total2,
                energy: a.cost.energy_total,
                optimal_latency: b.cost.latency_total2,
                optimal_energy: b.cost.energy_total,
                gap_percent: percent_above(objective.key(&a.cost).0, objective.key(&b.cost).0),
                proven_optimal: b.optimal.is_some_and(|s| !s.time_limit_hit),
                optimal_lower_bound: b.optimal.map(|s| s.lower_bound),
            })
            .collect();
        let (ta, tb) = (&found.totals, &optimal.totals);
        let (ka, kb) = match objective {
            Objective::Latency => (ta.latency_total2, tb.latency_total2),
            Objective::Energy => (ta.energy_total, tb.energy_total),
            Objective::Edp => (ta.latency_total2 * ta.energy_total, tb.latency_total2 * tb.energy_total),
        };
        GapReport {
            objective: format!("{objective:?}").to_lowercase(),
            layers,
            total: GapTotal {
                latency: ta.latency_total2,
                energy: ta.energy_total,
                optimal_latency: tb.latency_total2,
                optimal_energy: tb.energy_total,
                gap_percent: percent_above(ka, kb),
            },
        }
    }
}
