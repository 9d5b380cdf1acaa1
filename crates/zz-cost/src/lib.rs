//! The ZigZag 3.9.1 analytical cost model, reproduced operation for operation.
//!
//! Given a layer, an accelerator, the operand → memory-operand links, a spatial mapping and
//! a temporal mapping, [`evaluate`] computes memory access counts per level, operand and
//! direction, energy, and the port-activity latency model (stall/slack, on-/off-loading,
//! systolic drain). [`Allocator`] turns a loop ordering into a temporal mapping by
//! allocating loops to memories bottom-up.
//!
//! The pieces, in the order a search uses them:
//! [`LayerInfo`] (once per layer) → [`HierarchyInfo`] (once per accelerator) →
//! [`OperandBinding`] → [`SpatialSetup`] (once per spatial mapping) →
//! [`Allocator::allocate`] + [`evaluate`] (once per ordering).

pub mod allocation;
pub mod decouple;
pub mod error;
pub mod evaluation;
pub mod hierarchy;
pub mod imc;
pub mod layer_info;
pub mod mapping_analysis;
pub mod numeric;
pub mod plan;
pub mod spatial;
pub mod temporal;

pub use allocation::{AllocationFailure, Allocator, MappingType};
pub use error::CostError;
pub use evaluation::{CostEvaluation, EvalContext, Evaluator, KnownBoundaries, PartialBounds, evaluate};
pub use hierarchy::HierarchyInfo;
pub use layer_info::LayerInfo;
pub use spatial::{LevelLoops, Loop, OperandBinding, SpatialAnalysis};
pub use temporal::TemporalMapping;

use numeric::py_ceil;

/// Everything derived from one spatial mapping: both variants analysed, plus the systolic drain.
#[derive(Clone, Debug, PartialEq)]
pub struct SpatialSetup {
    /// The spatial mapping in user form (OA dim → loops), as given.
    pub user: Vec<(String, Vec<(String, u64)>)>,
    /// Fractional variant (energy, allocation).
    pub frac: SpatialAnalysis,
    /// Integer variant (latency).
    pub int: SpatialAnalysis,
    /// Systolic drain cycles (3.9.1).
    pub systolic_drain: f64,
    /// Passed to every [`EvalContext`]: the corrected on-loading sum (off by default, for parity).
    pub sum_half_shared_onloading: bool,
    /// On an IMC array: the layer's MAC energy breakdown and cycles per operation.
    pub imc: Option<imc::energy::LayerImcEnergy>,
}

impl SpatialSetup {
    /// Converts and analyses a (complete, already generated) spatial mapping.
    pub fn new(
        layer: &LayerInfo,
        hw: &HierarchyInfo,
        bind: &OperandBinding,
        user: &[(String, Vec<(String, u64)>)],
    ) -> Result<Self, CostError> {
        let (frac, int) = spatial::convert_user_mapping(layer, hw, user)?;
        let frac_levels = spatial::attach_to_levels(hw, bind, &frac);
        let int_levels = spatial::attach_to_levels(hw, bind, &int);
        let mut drain = 0.0;
        for &oa in &hw.systolic {
            let name = &hw.oa_names[oa as usize];
            if let Some((_, loops)) = user.iter().find(|(o, _)| o == name) {
                let util: f64 = loops.iter().map(|(_, f)| *f as f64).product();
                drain += (py_ceil(util) - 1.0).max(0.0);
            }
        }
        let imc = match hw.imc_costs()? {
            Some(c) => Some(imc::energy::LayerImcEnergy::new(c, layer, &hw.oa_names, user)?),
            None => None,
        };
        Ok(SpatialSetup {
            imc,
            user: user.to_vec(),
            frac: SpatialAnalysis::new(layer, frac_levels),
            int: SpatialAnalysis::new(layer, int_levels),
            systolic_drain: drain,
            sum_half_shared_onloading: false,
        })
    }

    /// The evaluation context for this spatial mapping.
    pub fn context<'a>(
        &'a self,
        layer: &'a LayerInfo,
        hw: &'a HierarchyInfo,
        bind: &'a OperandBinding,
    ) -> EvalContext<'a> {
        EvalContext {
            layer,
            hw,
            bind,
            spatial_frac: &self.frac,
            spatial_int: &self.int,
            systolic_drain: self.systolic_drain,
            cycles_per_op: self.imc.as_ref().map_or(1.0, |e| e.cycles_per_op),
            mac_energy: self.imc.as_ref().map(|e| e.total),
            plan: evaluation::EvalPlan::new(layer, hw, bind, &self.frac, &self.int),
            sum_half_shared_onloading: self.sum_half_shared_onloading,
        }
    }

    /// Temporal loop sizes left after spatial unrolling (reference `LomaEngine.get_temporal_loops`):
    /// per loop dim in definition order, `ceil(size / f)` over the fractional spatial loops of the
    /// first input operand, keeping only sizes > 1.
    pub fn temporal_loop_sizes(&self, layer: &LayerInfo) -> Vec<(layer_info::Dim, u64)> {
        let mut s: Vec<Option<f64>> = layer.sizes.iter().map(|&v| Some(v as f64)).collect();
        let first_input = 1;
        for lv in &self.frac.levels[first_input] {
            for lp in lv {
                let d = lp.dim as usize;
                if let Some(cur) = s[d] {
                    let q = py_ceil(cur / lp.size);
                    s[d] = if q == 1.0 { None } else { Some(q) };
                }
            }
        }
        s.iter()
            .enumerate()
            .filter_map(|(d, v)| v.filter(|&x| x > 1.0).map(|x| (d as layer_info::Dim, x as u64)))
            .collect()
    }
}
