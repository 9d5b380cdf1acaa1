//! The options of a single-core run (what `zigzag-rs map` takes), with the command line's
//! defaults, and their translation into the search engine's [`SearchOptions`].

use std::time::Duration;

use zz_ir::choice::UnknownChoice;
use zz_search::salsa::{SalsaCriterion, SalsaOptions};
use zz_search::{LomaOptions, SearchOptions, SpatialOptions};

pub use zz_cost::MappingType;
pub use zz_search::{Objective, TieBreak};

/// The temporal search engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Engine {
    /// Exhaustive over loop orderings (LOMA), at the loop-prime-factor limit.
    #[default]
    Loma,
    /// Simulated annealing over the full prime factorisation.
    Salsa,
    /// Branch-and-bound over the full ordering space: the proven best temporal mapping.
    Optimal,
}

impl std::str::FromStr for Engine {
    type Err = UnknownChoice;

    /// `loma`, `salsa` or `optimal`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "loma" => Ok(Engine::Loma),
            "salsa" => Ok(Engine::Salsa),
            "optimal" => Ok(Engine::Optimal),
            _ => Err(UnknownChoice::new(s, &["loma", "salsa", "optimal"])),
        }
    }
}

/// The SALSA engine's own settings (used with [`Engine::Salsa`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SalsaSettings {
    /// Seed of the annealing chains (chain `k` uses `seed + k`).
    pub seed: u64,
    /// Steps per chain.
    pub iterations: usize,
    /// Chains (the best is kept).
    pub chains: usize,
    /// What the chains minimise (the reference: energy, whatever the objective).
    pub criterion: SalsaCriterion,
}

impl Default for SalsaSettings {
    fn default() -> Self {
        SalsaSettings { seed: 0, iterations: 1000, chains: 1, criterion: SalsaCriterion::Energy }
    }
}

/// Options of a single-core evaluation / search; `Default` is the command line's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct MapOptions {
    /// What to minimise per layer.
    pub objective: Objective,
    /// Maximum number of loop prime factors LOMA permutes.
    pub lpf_limit: usize,
    /// Spatial mappings generated per layer.
    pub spatial_mappings: usize,
    /// Also generate mixed spatial mappings (switches on inter-layer data locality too).
    pub mixed_spatial: bool,
    /// Keep data between layers in lower memories when they fit.
    pub exploit_data_locality: bool,
    /// Even or uneven temporal mappings.
    pub mapping_type: MappingType,
    /// Fix of ZigZag issue #97 (off: the reference's behaviour).
    pub fix_capacity_clamp: bool,
    /// Sum half-shared on-loading links (off: the reference keeps the last one).
    pub fix_onloading_sum: bool,
    /// Temporal search engine.
    pub engine: Engine,
    /// Per spatial mapping, stop the LOMA / optimal search after this long (best found kept).
    pub time_limit: Option<Duration>,
    /// With the optimal engine: search the mirror image of every ordering of a square
    /// convolution too, instead of deriving it (slower; for checking the symmetry reduction).
    pub no_mirror: bool,
    /// SALSA settings.
    pub salsa: SalsaSettings,
    /// Beyond the reference: report each layer's latency–energy Pareto front of the evaluated mappings.
    pub pareto: bool,
    /// Beyond the reference: how equally good candidates are resolved (default: the reference's first-best).
    pub tie_break: TieBreak,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            objective: Objective::Latency,
            lpf_limit: 6,
            spatial_mappings: 3,
            mixed_spatial: false,
            exploit_data_locality: false,
            mapping_type: MappingType::Uneven,
            fix_capacity_clamp: false,
            fix_onloading_sum: false,
            engine: Engine::Loma,
            time_limit: None,
            no_mirror: false,
            salsa: SalsaSettings::default(),
            pareto: false,
            tie_break: TieBreak::First,
        }
    }
}

impl MapOptions {
    /// The optimal engine's options these stand for.
    pub fn optimal_options(&self) -> zz_search::optimal::OptimalOptions {
        zz_search::optimal::OptimalOptions {
            time_limit: self.time_limit,
            no_mirror: self.no_mirror,
            ..Default::default()
        }
    }

    /// The search engine's options; an IMC array runs with `in_memory_compute` (mixed spatial
    /// mappings and inter-layer data locality), as ZigZag's IMC entry point does.
    pub fn search_options(&self, is_imc: bool) -> SearchOptions {
        let opts = SearchOptions {
            spatial: SpatialOptions {
                nb_mappings: self.spatial_mappings,
                mixed: self.mixed_spatial,
                fix_capacity_clamp: self.fix_capacity_clamp,
            },
            loma: LomaOptions {
                lpf_limit: self.lpf_limit,
                mapping_type: self.mapping_type,
                objective: self.objective,
                sum_half_shared_onloading: self.fix_onloading_sum,
                time_limit: self.time_limit,
                pareto: self.pareto,
                tie_break: self.tie_break,
            },
            optimal: (self.engine == Engine::Optimal).then(|| self.optimal_options()),
            exploit_data_locality: self.exploit_data_locality,
            salsa: (self.engine == Engine::Salsa).then(|| SalsaOptions {
                iterations: self.salsa.iterations,
                criterion: self.salsa.criterion,
                chains: self.salsa.chains,
                seed: self.salsa.seed,
                mapping_type: self.mapping_type,
                pareto: self.pareto,
                time_limit: self.time_limit,
                ..Default::default()
            }),
        };
        if is_imc { opts.in_memory_compute() } else { opts }
    }

    /// The options `compare` and `sweep` search every design with: default spatial options, the
    /// given objective and loop-prime-factor limit.
    pub fn design_search(objective: Objective, lpf_limit: usize) -> MapOptions {
        MapOptions { objective, lpf_limit, ..Default::default() }
    }
}
