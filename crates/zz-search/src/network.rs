//! The per-network driver: for every compute layer in the reference's topological order,
//! generate spatial mappings, search temporal mappings, keep the best, and sum the layers
//! as the reference's `SumStage` does. With inter-layer data locality enabled, each layer is
//! searched on its own reduced accelerator (see [`crate::locality`]).

use crate::locality;
use crate::loma::{self, LomaOptions, Objective};
use crate::spatial_generation::{self, SpatialOptions, UserSpatial};
use std::sync::Arc;
use zz_cost::{CostError, CostEvaluation, HierarchyInfo, LayerInfo, OperandBinding, SpatialSetup, TemporalMapping};
use zz_ir::accelerator::Accelerator;
use zz_ir::mapping::{Mapping, MappingEntry};
use zz_ir::workload::Workload;

/// Options of a whole-network run.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SearchOptions {
    /// Spatial generation.
    pub spatial: SpatialOptions,
    /// Temporal search.
    pub loma: LomaOptions,
    /// Exploit inter-layer data locality (reference `exploit_data_locality`): evaluate each
    /// layer on the accelerator reduced by [`crate::locality`]. Also implied by
    /// `spatial.mixed`, see [`SearchOptions::locality_enabled`].
    pub exploit_data_locality: bool,
    /// Temporal search engine: LOMA (exhaustive, default) or SALSA (seeded annealing).
    pub salsa: Option<crate::salsa::SalsaOptions>,
    /// Temporal search engine: the provably optimal branch-and-bound (takes precedence over `salsa`).
    pub optimal: Option<crate::optimal::OptimalOptions>,
}

impl SearchOptions {
    /// Whether the locality stages run: as in the reference API, they are inserted when
    /// `exploit_data_locality` **or** mixed spatial-mapping generation
    /// (`enable_mix_spatial_mapping`) is requested.
    pub fn locality_enabled(&self) -> bool {
        self.exploit_data_locality || self.spatial.mixed
    }

    /// The reference's `in_memory_compute=True` (what `get_hardware_performance_zigzag_imc`
    /// passes): mixed spatial-mapping generation and inter-layer data locality switched on.
    /// The IMC cost model itself is chosen by the accelerator, not by this.
    pub fn in_memory_compute(mut self) -> Self {
        self.spatial.mixed = true;
        self.exploit_data_locality = true;
        self
    }
}

/// The chosen mapping and cost of one layer.
#[derive(Clone, Debug)]
pub struct LayerResult {
    /// Layer index in the workload.
    pub index: usize,
    /// Analysed layer.
    pub info: LayerInfo,
    /// Operand bindings.
    pub bind: OperandBinding,
    /// Chosen spatial mapping (user form) and its analysis.
    pub spatial: SpatialSetup,
    /// Chosen temporal mapping (as allocated).
    pub temporal: TemporalMapping,
    /// Its evaluation.
    pub cost: CostEvaluation,
    /// Spatial mappings evaluated.
    pub spatial_mappings: usize,
    /// Loop orderings generated over all spatial mappings.
    pub orderings_generated: u64,
    /// Temporal mappings evaluated over all spatial mappings.
    pub temporal_evaluated: u64,
    /// The reduced accelerator the layer was evaluated on when inter-layer locality is
    /// enabled (`None`: the original accelerator).
    pub accelerator: Option<Arc<Accelerator>>,
    /// On an IMC array: the layer's MAC energy breakdown, clock period and areas.
    pub imc: Option<ImcLayerReport>,
    /// With the optimal engine: its counts summed over the spatial mappings (space, evaluated,
    /// pruned, time), `time_limit_hit` if any hit it, `lower_bound` the smallest over them.
    pub optimal: Option<crate::optimal::OptimalStats>,
    /// A time limit stopped the temporal search of some spatial mapping (best so far kept).
    pub time_limit_hit: bool,
    /// Beyond the reference, with [`LomaOptions::pareto`]: the latency–energy front of every
    /// (spatial mapping, ordering) evaluated for the layer.
    pub pareto: Option<LayerFront>,
}

/// A layer's latency–energy Pareto front.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerFront {
    /// The spatial mappings searched, in generation order (user form).
    pub spatial_mappings: Vec<UserSpatial>,
    /// The front, by increasing latency; `FrontPoint::spatial` indexes `spatial_mappings`.
    pub points: Vec<crate::pareto::FrontPoint>,
}

/// What the reference's `CostModelEvaluationForIMC` adds to a layer's result.
#[derive(Clone, Debug, PartialEq)]
pub struct ImcLayerReport {
    /// Cycles per MAC operation (`act / bsp`).
    pub cycles_per_op: f64,
    /// MAC energy per component ([`zz_cost::imc::ENERGY_KEYS`] order), pJ.
    pub mac_energy_breakdown: [f64; 8],
    /// Clock period, ns.
    pub tclk: f64,
    /// Clock period per component ([`zz_cost::imc::AREA_KEYS`] order), ns.
    pub tclk_breakdown: [f64; 7],
    /// Area of the IMC array, mm².
    pub imc_area: f64,
    /// Per component ([`zz_cost::imc::AREA_KEYS`] order), mm².
    pub imc_area_breakdown: [f64; 7],
    /// Sum of the areas of the layer's memories, mm².
    pub mem_area: f64,
    /// Area of each memory of the layer's hierarchy, file order.
    pub mem_area_breakdown: Vec<(String, f64)>,
    /// `imc_area + mem_area`.
    pub area_total: f64,
}

impl ImcLayerReport {
    /// The report of a layer evaluated on `acc` (the layer's own, possibly reduced, accelerator).
    pub fn new(hw: &HierarchyInfo, setup: &SpatialSetup, acc: &Accelerator) -> Option<Self> {
        let costs = hw.imc_costs().ok()??;
        let e = setup.imc.as_ref()?;
        let mem_area_breakdown: Vec<(String, f64)> = acc.memories.iter().map(|m| (m.name.clone(), m.area)).collect();
        let mem_area = mem_area_breakdown.iter().fold(0.0, |s, (_, a)| s + a);
        Some(ImcLayerReport {
            cycles_per_op: e.cycles_per_op,
            mac_energy_breakdown: e.breakdown,
            tclk: costs.tclk,
            tclk_breakdown: costs.tclk_breakdown,
            imc_area: costs.area,
            imc_area_breakdown: costs.area_breakdown,
            mem_area,
            mem_area_breakdown,
            area_total: costs.area + mem_area,
        })
    }
}

/// Network totals, summed in layer order as the reference's `CumulativeCME`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Total energy.
    pub energy_total: f64,
    /// MAC energy.
    pub mac_energy: f64,
    /// Memory energy.
    pub mem_energy: f64,
    /// Sum of `latency_total0`.
    pub latency_total0: f64,
    /// Sum of `latency_total1`.
    pub latency_total1: f64,
    /// Sum of `latency_total2` — "the" latency.
    pub latency_total2: f64,
    /// Sum of ideal cycles.
    pub ideal_cycle: f64,
    /// Sum of ideal temporal cycles.
    pub ideal_temporal_cycle: f64,
    /// Sum of on-loading cycles.
    pub data_onloading_cycle: f64,
    /// Sum of off-loading cycles.
    pub data_offloading_cycle: f64,
    /// Sum of systolic drain cycles.
    pub systolic_drain_cycle: f64,
}

impl Totals {
    /// Adds one layer (left-to-right sums, as `CumulativeCME.__add__`).
    pub fn add(&mut self, c: &CostEvaluation) {
        self.energy_total += c.energy_total;
        self.mac_energy += c.mac_energy;
        self.mem_energy += c.mem_energy;
        self.latency_total0 += c.latency_total0;
        self.latency_total1 += c.latency_total1;
        self.latency_total2 += c.latency_total2;
        self.ideal_cycle += c.ideal_cycle;
        self.ideal_temporal_cycle += c.ideal_temporal_cycle;
        self.data_onloading_cycle += c.data_onloading_cycle;
        self.data_offloading_cycle += c.data_offloading_cycle;
        self.systolic_drain_cycle += c.systolic_drain_cycle;
    }
}

/// Result of a network run.
#[derive(Clone, Debug)]
pub struct NetworkResult {
    /// Per compute layer, in evaluation order.
    pub layers: Vec<LayerResult>,
    /// Sums.
    pub totals: Totals,
    /// On an IMC array, as the reference API returns them: the clock period (ns) and the
    /// `area_total` (mm²) of the first costed layer.
    pub imc: Option<(f64, f64)>,
}

/// An error with the layer it happened in.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerError {
    /// Layer name.
    pub layer: String,
    /// The error.
    pub error: CostError,
}

impl std::fmt::Display for LayerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "layer {}: {}", self.layer, self.error)
    }
}

/// Finds the best mapping of one layer.
pub fn search_layer(
    info: LayerInfo,
    index: usize,
    hw: &HierarchyInfo,
    entry: &MappingEntry,
    opts: &SearchOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<LayerResult, CostError> {
    let bind = OperandBinding::new(&info, hw, &entry.memory_operand_links)?;
    let candidates: Vec<UserSpatial> = spatial_generation::generate(&info, hw, &bind, entry, &opts.spatial)?;
    let mut best: Option<LayerResult> = None;
    let mut generated = 0;
    let mut evaluated = 0;
    let n_sm = candidates.len();
    let mut stats: Option<crate::optimal::OptimalStats> = None;
    let mut time_limit_hit = false;
    let mut front = opts.loma.pareto.then(crate::pareto::ParetoFront::default);
    let mut front_sms: Vec<UserSpatial> = Vec::new();
    let lexicographic = opts.loma.tie_break == crate::pareto::TieBreak::Lexicographic;
    for (sm_index, sm) in candidates.into_iter().enumerate() {
        let mut setup = SpatialSetup::new(&info, hw, &bind, &sm)?;
        setup.sum_half_shared_onloading = opts.loma.sum_half_shared_onloading;
        let r = if let Some(o) = &opts.optimal {
            let r =
                crate::optimal::search(&info, hw, &bind, &setup, &entry.temporal_ordering, &opts.loma, o, progress)?;
            let st = stats.get_or_insert(crate::optimal::OptimalStats {
                tie_break_exact: true,
                lower_bound: f64::INFINITY,
                ..Default::default()
            });
            st.space = st.space.saturating_add(r.stats.space);
            st.evaluated += r.stats.evaluated;
            st.pruned = st.pruned.saturating_add(r.stats.pruned);
            st.mirrored = st.mirrored.saturating_add(r.stats.mirrored);
            st.dive_evaluations += r.stats.dive_evaluations;
            st.bound_evaluations += r.stats.bound_evaluations;
            st.nodes += r.stats.nodes;
            st.seconds += r.stats.seconds;
            st.time_limit_hit |= r.stats.time_limit_hit;
            st.tie_break_exact &= r.stats.tie_break_exact;
            st.lower_bound = st.lower_bound.min(r.stats.lower_bound);
            r.result
        } else {
            match &opts.salsa {
                // A complete user ordering is used as given by either engine.
                Some(salsa) if loma::complete_ordering(&info, &setup, &entry.temporal_ordering).is_none() => {
                    crate::salsa::search(&info, hw, &bind, &setup, salsa, progress)?
                }
                _ => loma::search(&info, hw, &bind, &setup, &entry.temporal_ordering, &opts.loma, progress)?,
            }
        };
        time_limit_hit |= r.time_limit_hit;
        generated += r.orderings_generated;
        evaluated += r.evaluated;
        if let Some(f) = front.as_mut() {
            front_sms.push(setup.user.clone());
            if let Some(mut rf) = r.front.clone() {
                rf.points.iter_mut().for_each(|p| p.spatial = sm_index);
                f.merge(rf);
            }
        }
        let replace = match &best {
            None => true,
            Some(b) if lexicographic => {
                let obj = opts.loma.objective;
                crate::pareto::cmp3(crate::pareto::lex_key(obj, &r.best), crate::pareto::lex_key(obj, &b.cost))
                    .then_with(|| setup.user.cmp(&b.spatial.user))
                    .is_lt()
            }
            Some(b) => opts.loma.objective.better(&r.best, &b.cost),
        };
        if replace {
            best = Some(LayerResult {
                index,
                info: info.clone(),
                bind: bind.clone(),
                spatial: setup,
                temporal: r.mapping,
                cost: r.best,
                spatial_mappings: 0,
                orderings_generated: 0,
                temporal_evaluated: 0,
                accelerator: None,
                imc: None,
                optimal: None,
                time_limit_hit: false,
                pareto: None,
            });
        }
    }
    let mut b =
        best.ok_or_else(|| CostError::Mapping { layer: info.name.clone(), message: "no spatial mapping".into() })?;
    b.spatial_mappings = n_sm;
    b.orderings_generated = generated;
    b.temporal_evaluated = evaluated;
    b.optimal = stats;
    b.time_limit_hit = time_limit_hit;
    b.pareto = front.map(|f| LayerFront { spatial_mappings: front_sms, points: f.sorted() });
    Ok(b)
}

/// Runs the whole network.
pub fn search_network(
    workload: &Workload,
    acc: &Accelerator,
    mapping: &Mapping,
    opts: &SearchOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<NetworkResult, LayerError> {
    search_network_observed(workload, acc, mapping, opts, progress, &|_, _, _| {})
}

/// [`search_network`] that also reports each layer as it starts: `(index among the compute
/// layers, number of compute layers, layer name)` — for progress displays.
pub fn search_network_observed(
    workload: &Workload,
    acc: &Accelerator,
    mapping: &Mapping,
    opts: &SearchOptions,
    progress: &(dyn Fn(u64) + Sync),
    on_layer: &dyn Fn(usize, usize, &str),
) -> Result<NetworkResult, LayerError> {
    let hw = HierarchyInfo::new(acc);
    let imc = acc.operational_array.is_imc;
    let costed = |l: &zz_ir::workload::Layer| l.kind == zz_ir::workload::LayerKind::Compute && !imc_skips(imc, l);
    let n_compute = workload.layers.iter().filter(|l| costed(l)).count();
    let plan = if opts.locality_enabled() { Some(locality::search(workload, acc, mapping)?) } else { None };
    let mut layers = Vec::new();
    let mut totals = Totals::default();
    for idx in workload.topological_order() {
        let layer = &workload.layers[idx];
        if !costed(layer) {
            continue;
        }
        let lerr = |error: CostError| LayerError { layer: layer.name.clone(), error };
        on_layer(layers.len(), n_compute, &layer.name);
        let entry = mapping.entry_for(&layer.name, &layer.operator_type).ok_or_else(|| {
            lerr(CostError::Mapping {
                layer: layer.name.clone(),
                message: "no mapping entry and no `default` entry".into(),
            })
        })?;
        let info = LayerInfo::new(layer).map_err(lerr)?;
        let r = match plan.as_ref().and_then(|p| p.levels(idx)) {
            Some(levels) => {
                let reduced = Arc::new(locality::reduced_accelerator(acc, levels));
                let layer_hw = HierarchyInfo::new(&reduced);
                let mut r = search_layer(info, idx, &layer_hw, entry, opts, progress).map_err(lerr)?;
                r.accelerator = Some(reduced);
                r
            }
            None => search_layer(info, idx, &hw, entry, opts, progress).map_err(lerr)?,
        };
        let mut r = r;
        if imc {
            let (layer_hw, layer_acc) = match &r.accelerator {
                Some(a) => (HierarchyInfo::new(a), a.as_ref()),
                None => (hw.clone(), acc),
            };
            r.imc = ImcLayerReport::new(&layer_hw, &r.spatial, layer_acc);
        }
        totals.add(&r.cost);
        layers.push(r);
    }
    let imc = layers.first().and_then(|l| l.imc.as_ref()).map(|i| (i.tclk, i.area_total));
    Ok(NetworkResult { layers, totals, imc })
}

/// Whether an IMC array skips a layer: the reference's workload iterator leaves out layers
/// whose operator type is exactly `Pooling` or `Add` when the array is an IMC array.
pub fn imc_skips(is_imc: bool, layer: &zz_ir::workload::Layer) -> bool {
    is_imc && matches!(layer.operator_type.as_str(), "Pooling" | "Add")
}

/// Objective by name (`latency`, `energy`, `edp`, case-insensitive).
pub fn objective_from_str(s: &str) -> Option<Objective> {
    s.parse().ok()
}

/// The size of one layer's temporal search space, per spatial mapping, before searching.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerSpace {
    /// Layer name.
    pub layer: String,
    /// Orderings per generated spatial mapping: LOMA's multiset-permutation count at the
    /// `lpf_limit` (before a partial user ordering filters it; 1 for a complete one), or
    /// the full space for the optimal engine; 0 for SALSA, whose cost is its iteration count.
    pub orderings: Vec<u128>,
}

impl LayerSpace {
    /// Orderings over all spatial mappings (saturating).
    pub fn total(&self) -> u128 {
        self.orderings.iter().fold(0u128, |a, &b| a.saturating_add(b))
    }
}

/// Counts every compute layer's search space without searching (on the accelerator as given:
/// with inter-layer locality each layer is later searched on a reduced copy, whose spatial
/// mappings can differ).
pub fn search_spaces(
    workload: &Workload,
    acc: &Accelerator,
    mapping: &Mapping,
    opts: &SearchOptions,
) -> Result<Vec<LayerSpace>, LayerError> {
    let hw = HierarchyInfo::new(acc);
    let mut out = Vec::new();
    for idx in workload.topological_order() {
        let layer = &workload.layers[idx];
        // The layers the run costs: an IMC array skips some (as `search_network_observed`).
        if layer.kind != zz_ir::workload::LayerKind::Compute || imc_skips(acc.operational_array.is_imc, layer) {
            continue;
        }
        let lerr = |error: CostError| LayerError { layer: layer.name.clone(), error };
        let Some(entry) = mapping.entry_for(&layer.name, &layer.operator_type) else { continue };
        let info = LayerInfo::new(layer).map_err(lerr)?;
        let bind = OperandBinding::new(&info, &hw, &entry.memory_operand_links).map_err(lerr)?;
        let mut orderings = Vec::new();
        for sm in spatial_generation::generate(&info, &hw, &bind, entry, &opts.spatial).map_err(lerr)? {
            let setup = SpatialSetup::new(&info, &hw, &bind, &sm).map_err(lerr)?;
            let n = if loma::complete_ordering(&info, &setup, &entry.temporal_ordering).is_some() {
                1
            } else if opts.optimal.is_some() {
                crate::optimal::space_size(&info, &setup)
            } else if opts.salsa.is_some() {
                0
            } else {
                let lpfs =
                    crate::lpf::loop_prime_factors(&setup.temporal_loop_sizes(&info), Some(opts.loma.lpf_limit), 0u8);
                crate::permutations::count(&lpfs)
            };
            orderings.push(n);
        }
        out.push(LayerSpace { layer: layer.name.clone(), orderings });
    }
    Ok(out)
}
