//! Stream's objective of the per-CN temporal search (truncated latency, with DRAM a
//! bandwidth-scaled variant), plugged into zz-search's LOMA ordering loop.

use super::*;

/// Stream's `MinimalBandwidthLatencyStage` objective.
pub(super) struct Objective {
    pub(super) has_dram: bool,
    /// Operands with the most levels, in `set` order (`O`, `I1`, `I2`).
    pub(super) with_dram: Vec<MemOperand>,
    pub(super) total_dram_bw: f64,
    pub(super) nb_parallel: f64,
}

impl Objective {
    pub(super) fn new(acc: &Accelerator, has_dram: bool, nb_parallel: u64) -> Self {
        let mut o = Objective { has_dram, with_dram: Vec::new(), total_dram_bw: 0.0, nb_parallel: nb_parallel as f64 };
        if !has_dram {
            return o;
        }
        let ops: Vec<MemOperand> = [MemOperand::O, MemOperand::I1, MemOperand::I2]
            .into_iter()
            .filter(|op| acc.memories.iter().any(|m| m.operands.contains(op)))
            .collect();
        let levels = |op: MemOperand| acc.memories.iter().filter(|m| m.operands.contains(&op)).count();
        let max = ops.iter().map(|&op| levels(op)).max().unwrap_or(0);
        o.with_dram = ops.into_iter().filter(|&op| levels(op) == max).collect();
        if let Some(&first) = o.with_dram.first()
            && let Some(top) = acc.memories.iter().rev().find(|m| m.operands.contains(&first))
        {
            o.total_dram_bw = top.ports.iter().map(|p| p.bandwidth_max as f64).fold(0.0, f64::max);
        }
        o
    }

    pub(super) fn value(&self, ctx: &EvalContext<'_>, nest: &LoopNest, e: &CostEvaluation) -> Result<f64, CostError> {
        let (factor, latency) = self.parts(ctx, nest, e)?;
        Ok(factor * latency)
    }

    /// The bandwidth factor (1 without DRAM) and the truncated latency whose product is the value.
    fn parts(&self, ctx: &EvalContext<'_>, nest: &LoopNest, e: &CostEvaluation) -> Result<(f64, f64), CostError> {
        // reference quirk: the reduction compares truncated latencies only (no energy tie-break), and
        // with DRAM the bandwidth factor counts the operands with the most levels, not the DRAM ones.
        let latency = py_int(e.latency_total2);
        if !self.has_dram {
            return Ok((1.0, latency));
        }
        let used = |op: MemOperand| -> Result<f64, CostError> {
            Ok(top_inst_bandwidth(ctx, nest, e, op, 1.0)?.iter().map(|&x| x as f64).sum())
        };
        let total = self.combine(used)?;
        Ok((py_ceil(total / self.total_dram_bw), latency))
    }
}

impl Objective {
    /// The used DRAM bandwidth from each operand's (`used`, asked only for the operands with the
    /// most levels): one of them counted once as broadcast, the others times the inter-core split.
    fn combine(&self, mut used: impl FnMut(MemOperand) -> Result<f64, CostError>) -> Result<f64, CostError> {
        match self.with_dram.len() {
            1 => Ok(self.nb_parallel * used(self.with_dram[0])?),
            2 | 3 => {
                let Some(&b) = self.with_dram.iter().find(|&&op| op != MemOperand::O) else {
                    return Err(CostError::Invariant("no broadcast operand among the DRAM operands".into()));
                };
                let mut others = 0.0;
                for &op in self.with_dram.iter().filter(|&&op| op != b) {
                    others += used(op)?;
                }
                Ok(self.nb_parallel * others + used(b)?)
            }
            _ => Err(CostError::Invariant("no operand has a DRAM level".into())),
        }
    }
}

/// The optimal engine on Stream's objective. Bound: the truncated latency bound times a lower
/// bound of the bandwidth factor. The factor can be 0 (each bandwidth is truncated to an
/// integer before the ceiling: a slowly streamed operand counts 0), so its bound only counts the
/// top-level bandwidths that every completion shares: those of an operand whose boundary below
/// the DRAM level is known (its downward transfers, without the bandwidth borrowed from the
/// computation phase, which only adds).
impl zz_search::optimal::BoundedObjective for Objective {
    fn key(&self, ctx: &EvalContext<'_>, nest: &LoopNest, e: &CostEvaluation) -> Result<(f64, f64), CostError> {
        Ok((self.value(ctx, nest, e)?, 0.0))
    }

    // a truncated latency (times an integer factor) with no second part: ties are the rule
    fn ties_often(&self) -> bool {
        true
    }

    fn bound(
        &self,
        ctx: &EvalContext<'_>,
        nest: &LoopNest,
        known: &zz_cost::KnownBoundaries,
        b: zz_cost::PartialBounds,
    ) -> (f64, f64) {
        // trunc is monotone, so it keeps a lower bound of a non-negative latency a lower bound
        let latency = py_int(b.latency);
        if !self.has_dram {
            return (latency, 0.0);
        }
        // The temporal and mapping analyses of `nest`, made once, when an operand needs them.
        let mut analysis: Option<Option<(TemporalAnalysis, MappingAnalysis)>> = None;
        let used = |op: MemOperand| -> Result<f64, CostError> {
            let Some(x) = ctx.bind.layer_op_of[op.index()] else { return Ok(0.0) };
            let x = x as usize;
            let top = ctx.bind.n_levels[x] - 1;
            if known.get(x).is_none_or(|k| k & (1 << top) == 0) {
                return Ok(0.0);
            }
            let an = analysis.get_or_insert_with(|| {
                let ta = TemporalAnalysis::new(ctx.layer, nest).ok()?;
                let im = MappingAnalysis::new(ctx.layer, ctx.spatial_int, nest, &ta, true);
                Some((ta, im))
            });
            Ok(an.as_ref().map_or(0.0, |(ta, im)| top_downward_bandwidth(ctx, ta, im, x)))
        };
        // A model the key cannot rank either bounds nothing.
        let total = self.combine(used).unwrap_or(0.0);
        (py_ceil(total / self.total_dram_bw) * latency, 0.0)
    }
}

impl zz_search::loma::OrderingObjective for Objective {
    type Key = f64;

    fn key(&self, ctx: &EvalContext<'_>, nest: &LoopNest, e: &CostEvaluation) -> Result<f64, CostError> {
        self.value(ctx, nest, e)
    }

    // reference quirk: a strictly smaller value replaces the best (the first best is kept).
    fn better(&self, a: &f64, b: &f64) -> bool {
        a < b
    }
}
