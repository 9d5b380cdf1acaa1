//! SALSA: simulated annealing over loop orderings (reference `SalsaEngine`), with an
//! explicit seed.
//!
//! The state is an ordering of the full prime factorisation of the temporal loops (no
//! `lpf_limit` merging, as in the reference). Each step swaps two positions, re-allocates
//! and re-evaluates, and accepts with probability `exp((c_cur / c_next - 1) / T)` at
//! temperature `T = T0 * 0.995^step`. The reference is unseeded (different results on every
//! run); here every chain draws from a ChaCha stream seeded with `seed + chain`, so a run is
//! reproducible for a given seed whatever the thread count.

use crate::loma::{Objective, TemporalSearchResult};
use crate::lpf::loop_prime_factors;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use zz_cost::{
    Allocator, CostError, CostEvaluation, HierarchyInfo, LayerInfo, Loop, MappingType, OperandBinding, SpatialSetup,
};

/// What each annealing chain minimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum SalsaCriterion {
    /// `energy_total` (the reference default).
    #[default]
    Energy,
    /// `latency_total0` (latency without on/off-loading, as the reference does).
    Latency,
}

impl std::str::FromStr for SalsaCriterion {
    type Err = zz_ir::choice::UnknownChoice;

    /// `energy` or `latency`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "energy" => Ok(SalsaCriterion::Energy),
            "latency" => Ok(SalsaCriterion::Latency),
            _ => Err(zz_ir::choice::UnknownChoice::new(s, &["energy", "latency"])),
        }
    }
}

/// SALSA parameters (reference defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct SalsaOptions {
    /// Annealing steps per chain.
    pub iterations: usize,
    /// Start temperature.
    pub start_temperature: f64,
    /// Criterion of the chains (the reference ignores the run's objective here).
    pub criterion: SalsaCriterion,
    /// Independent chains (the reference's `salsa_number_of_core`).
    pub chains: usize,
    /// Seed of the first chain.
    pub seed: u64,
    /// Allocation type.
    pub mapping_type: MappingType,
    /// Beyond the reference: keep the latency–energy front of the evaluated states.
    pub pareto: bool,
    /// Beyond the reference: stop every chain of a spatial mapping after this long and keep
    /// the best state found (the result then depends on the machine's speed).
    pub time_limit: Option<std::time::Duration>,
}

impl Default for SalsaOptions {
    fn default() -> Self {
        SalsaOptions {
            iterations: 1000,
            start_temperature: 0.05,
            criterion: SalsaCriterion::Energy,
            chains: 1,
            seed: 0,
            mapping_type: MappingType::Uneven,
            pareto: false,
            time_limit: None,
        }
    }
}

fn criterion(c: SalsaCriterion, e: &CostEvaluation) -> f64 {
    match c {
        SalsaCriterion::Energy => e.energy_total,
        SalsaCriterion::Latency => e.latency_total0,
    }
}

struct ChainResult {
    best: Option<(CostEvaluation, zz_cost::TemporalMapping)>,
    evaluated: u64,
    front: Option<crate::pareto::ParetoFront>,
    /// The deadline stopped the chain before its last step.
    stopped: bool,
}

fn run_chain(
    ctx: &zz_cost::EvalContext<'_>,
    alloc: &Allocator<'_>,
    lpfs: &[Loop],
    opts: &SalsaOptions,
    chain: u64,
    pareto: bool,
    deadline: Option<std::time::Instant>,
) -> Result<ChainResult, CostError> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed.wrapping_add(chain));
    let n = lpfs.len();
    let mut state: Vec<Loop> = lpfs.to_vec();
    let mut evaluated = 0u64;
    let mut front = pareto.then(crate::pareto::ParetoFront::default);
    // Start from a random ordering that fits (the reference would hang on one that does not).
    let mut current = None;
    for _ in 0..1000 {
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            state.swap(i, j);
        }
        if let Ok(tm) = alloc.allocate(&state) {
            let e = zz_cost::evaluate(ctx, &tm)?;
            evaluated += 1;
            if let Some(f) = front.as_mut() {
                f.offer(e.latency_total2, e.energy_total, 0, || state.clone());
            }
            current = Some((e, tm));
            break;
        }
    }
    let Some(mut cur) = current else { return Ok(ChainResult { best: None, evaluated, front, stopped: false }) };
    let mut best = cur.clone();
    let mut cur_state = state.clone();
    let mut stopped = false;
    for it in 0..opts.iterations {
        if it % 64 == 63
            && let Some(d) = deadline
            && std::time::Instant::now() >= d
        {
            stopped = true;
            break;
        }
        let t = opts.start_temperature * 0.995f64.powi(it as i32);
        let i = rng.random_range(0..n);
        let j = rng.random_range(0..n);
        let mut next_state = cur_state.clone();
        next_state.swap(i, j);
        let u: f64 = rng.random();
        let Ok(tm) = alloc.allocate(&next_state) else { continue };
        let e = zz_cost::evaluate(ctx, &tm)?;
        evaluated += 1;
        if let Some(f) = front.as_mut() {
            f.offer(e.latency_total2, e.energy_total, 0, || next_state.clone());
        }
        let (c_cur, c_next) = (criterion(opts.criterion, &cur.0), criterion(opts.criterion, &e));
        if u < ((c_cur / c_next - 1.0) / t).exp() {
            cur_state = next_state;
            cur = (e, tm);
            if criterion(opts.criterion, &cur.0) < criterion(opts.criterion, &best.0) {
                best = cur.clone();
            }
        }
    }
    Ok(ChainResult { best: Some(best), evaluated, front, stopped })
}

/// Runs SALSA for one spatial mapping and returns the best temporal mapping found.
pub fn search(
    layer: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
    setup: &SpatialSetup,
    opts: &SalsaOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<TemporalSearchResult, CostError> {
    let ctx = setup.context(layer, hw, bind);
    let alloc = Allocator::new(layer, hw, bind, &setup.frac.levels, opts.mapping_type);
    let temporal = setup.temporal_loop_sizes(layer);
    let lpfs: Vec<Loop> =
        loop_prime_factors(&temporal, None, 0u8).into_iter().map(|(d, s)| Loop { dim: d, size: s as f64 }).collect();
    let deadline = opts.time_limit.map(|t| std::time::Instant::now() + t);
    let chains: Vec<Result<ChainResult, CostError>> = (0..opts.chains.max(1) as u64)
        .into_par_iter()
        .map(|c| run_chain(&ctx, &alloc, &lpfs, opts, c, opts.pareto, deadline))
        .collect();
    let mut best: Option<(CostEvaluation, zz_cost::TemporalMapping)> = None;
    let mut evaluated = 0;
    let mut time_limit_hit = false;
    let mut front = opts.pareto.then(crate::pareto::ParetoFront::default);
    // Keep the best over chains in chain order, with the reference's tie-break.
    let objective = match opts.criterion {
        SalsaCriterion::Energy => Objective::Energy,
        SalsaCriterion::Latency => Objective::Latency,
    };
    for c in chains {
        let c = c?;
        evaluated += c.evaluated;
        time_limit_hit |= c.stopped;
        if let (Some(f), Some(cf)) = (front.as_mut(), c.front) {
            f.merge(cf);
        }
        if let Some((e, tm)) = c.best
            && best.as_ref().is_none_or(|(b, _)| objective.better(&e, b))
        {
            best = Some((e, tm));
        }
    }
    progress(evaluated);
    match best {
        Some((best, mapping)) => {
            Ok(TemporalSearchResult { best, mapping, orderings_generated: evaluated, evaluated, time_limit_hit, front })
        }
        None => Err(CostError::Mapping {
            layer: layer.name.clone(),
            message: "SALSA found no loop ordering that fits the memory hierarchy".into(),
        }),
    }
}
