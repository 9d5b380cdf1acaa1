//! Cost-model evaluation of one (layer, spatial mapping, temporal mapping) triple
//! (reference `CostModelEvaluation`): memory utilisation, word accesses and energy on the
//! fractional mapping; double buffering, port stall/slack, on-/off-loading and latency on
//! the integer mapping.

use crate::allocation::Allocator;
use crate::error::CostError;
use crate::hierarchy::HierarchyInfo;
use crate::mapping_analysis::MappingAnalysis;
use crate::numeric::py_ceil;
use crate::spatial::{Loop, OperandBinding};
use crate::temporal::{LoopNest, MAX_LEVELS, MAX_OPS, TemporalAnalysis, TemporalMapping};
use smallvec::SmallVec;
use zz_ir::accelerator::{Direction, MemOperand};

const TL: usize = Direction::RdOutToLow as usize;
const FL: usize = Direction::WrInByLow as usize;
const TH: usize = Direction::RdOutToHigh as usize;
const FH: usize = Direction::WrInByHigh as usize;

use crate::plan::MAX_SERVED;
pub use crate::plan::{EvalContext, EvalPlan, LevelPlan, PortPlan, ServedEntry};

/// A value per operand per memory level; `v[op]` is the slice of the operand's levels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PerLevel<T: Copy> {
    data: [[T; MAX_LEVELS]; MAX_OPS],
    len: [u8; MAX_OPS],
}

impl<T: Copy + Default> Default for PerLevel<T> {
    fn default() -> Self {
        PerLevel { data: [[T::default(); MAX_LEVELS]; MAX_OPS], len: [0; MAX_OPS] }
    }
}

impl<T: Copy + Default> PerLevel<T> {
    /// Sets the number of levels of each operand; values beyond them are reset (values are
    /// only ever written within the levels, so this is needed only when the count changes).
    fn set_levels(&mut self, levels: &[usize; MAX_OPS]) {
        for ((l, row), &n) in self.len.iter_mut().zip(self.data.iter_mut()).zip(levels) {
            if *l as usize != n {
                *l = n as u8;
                row[n..].fill(T::default());
            }
        }
    }

    /// Number of operands with values.
    pub fn n_operands(&self) -> usize {
        self.len.iter().take_while(|&&l| l > 0).count()
    }
}

impl<T: Copy> std::ops::Index<usize> for PerLevel<T> {
    type Output = [T];
    fn index(&self, op: usize) -> &[T] {
        &self.data[op][..self.len[op] as usize]
    }
}

impl<T: Copy> std::ops::IndexMut<usize> for PerLevel<T> {
    fn index_mut(&mut self, op: usize) -> &mut [T] {
        let n = self.len[op] as usize;
        &mut self.data[op][..n]
    }
}

/// The result of one evaluation; field names follow the reference.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct CostEvaluation {
    /// MAC + memory energy.
    pub energy_total: f64,
    /// MAC energy.
    pub mac_energy: f64,
    /// Memory energy.
    pub mem_energy: f64,
    /// Energy per operand per memory level.
    pub mem_energy_breakdown: PerLevel<f64>,
    /// Energy per operand per memory level per direction.
    pub mem_energy_breakdown_further: PerLevel<[f64; 4]>,
    /// Word accesses per operand per memory level per direction.
    pub memory_word_access: PerLevel<[f64; 4]>,
    /// Shared memory utilisation per operand per memory level.
    pub mem_utili_shared: PerLevel<f64>,
    /// Stall (positive) or zero, combined over ports.
    pub stall_slack_comb: f64,
    /// Data on-loading cycles.
    pub data_onloading_cycle: f64,
    /// Data off-loading cycles.
    pub data_offloading_cycle: f64,
    /// Systolic drain cycles.
    pub systolic_drain_cycle: f64,
    /// Cycles at 100% array use.
    pub ideal_cycle: f64,
    /// Temporal cycles of the mapping.
    pub ideal_temporal_cycle: f64,
    /// Computation + stalls.
    pub latency_total0: f64,
    /// + on-loading.
    pub latency_total1: f64,
    /// + off-loading and drain: "the" latency.
    pub latency_total2: f64,
    /// `ideal_cycle / ideal_temporal_cycle`.
    pub mac_spatial_utilization: f64,
    /// `ideal_cycle / latency_total0`.
    pub mac_utilization0: f64,
    /// `ideal_cycle / latency_total1`.
    pub mac_utilization1: f64,
    /// `ideal_cycle / latency_total2`.
    pub mac_utilization2: f64,
}

#[derive(Clone, Copy, Default)]
struct Activity {
    allowed: f64,
    period: f64,
    pc: f64,
    ss: f64,
    muw: f64,
}

fn muw_union(acts: &[Activity]) -> Result<f64, CostError> {
    for a in acts {
        if a.period == a.allowed {
            return Ok(a.period * a.pc);
        }
    }
    let mut maxp = 0.0;
    let mut maxi = 0;
    for (i, a) in acts.iter().enumerate() {
        if a.period > maxp {
            maxp = a.period;
            maxi = i;
        }
    }
    let pmax = maxp as u64;
    for a in acts {
        let p = a.period as u64;
        if p == 0 || !pmax.is_multiple_of(p) {
            return Err(CostError::Invariant(format!(
                "memory-updating window union: period {p} does not divide the largest period {pmax}"
            )));
        }
    }
    let busy = busy_slots(acts.iter().map(|a| (a.period as u64, a.allowed as u64)), pmax);
    Ok(busy as f64 * acts[maxi].pc)
}

/// Number of slots `t` in `[0, pmax)` with `t mod period < allowed` for some `(period, allowed)`;
/// every period divides `pmax`.
///
/// When the periods form a divisibility chain (the usual case: they are prefix products of
/// one loop nest) the free slots are counted recursively in O(2^n); otherwise the time line
/// is walked from window boundary to window boundary.
pub fn busy_slots(windows: impl Iterator<Item = (u64, u64)>, pmax: u64) -> u64 {
    let mut w: SmallVec<[(u64, u64); 8]> = windows.collect();
    w.sort_by_key(|x| x.0);
    let chain = w.windows(2).all(|p| p[1].0 % p[0].0 == 0);
    if chain && w.len() <= 12 {
        // free(k, x): slots in [0, x) free of windows 0..k.
        fn free(w: &[(u64, u64)], x: u64) -> u64 {
            let Some((&(p, a), rest)) = w.split_last() else { return x };
            if a >= p {
                return 0;
            }
            let per_period = free(rest, p) - free(rest, a);
            let (q, r) = (x / p, x % p);
            let partial = if r <= a { 0 } else { free(rest, r) - free(rest, a) };
            q * per_period + partial
        }
        return pmax - free(&w, pmax);
    }
    let mut busy = 0u64;
    let mut t = 0u64;
    while t < pmax {
        let mut is_busy = false;
        let mut next = pmax;
        for &(p, al) in &w {
            let r = t % p;
            if r < al {
                is_busy = true;
                next = next.min(t + (al - r));
            } else {
                next = next.min(t + (p - r));
            }
        }
        if is_busy {
            busy += next - t;
        }
        t = next;
    }
    busy
}

/// 3.9.1 `reduce_ordered`: reduce the largest entries first towards their minimum, within `s`.
/// At most [`MAX_SERVED`] entries.
fn reduce_ordered(c: &mut [f64], m: &[f64], mut s: f64) -> Result<(), CostError> {
    if s <= 0.0 || c.is_empty() {
        return Ok(());
    }
    // Python's sorted(..., reverse=True) is stable: equal keys keep their original order
    // (an insertion sort that moves an entry only past strictly smaller ones).
    let n = c.len().min(MAX_SERVED);
    let mut idx = [0u8; MAX_SERVED];
    for i in 0..n {
        let mut j = i;
        while j > 0 && c[idx[j - 1] as usize] < c[i] {
            idx[j] = idx[j - 1];
            j -= 1;
        }
        idx[j] = i as u8;
    }
    for &i in &idx[..n] {
        let i = i as usize;
        if s <= 0.0 {
            break;
        }
        let reducible = (c[i] - m[i]).max(0.0);
        let red = reducible.min(s);
        c[i] -= red;
        s -= red;
    }
    for i in 0..c.len() {
        if c[i] < m[i] {
            return Err(CostError::Invariant(format!(
                "on/off-loading reduction left {} below its minimum {}",
                c[i], m[i]
            )));
        }
    }
    Ok(())
}

/// The error for a transfer without a port (kept out of line: never taken on valid inputs).
#[cold]
#[inline(never)]
fn missing_access_port(hw: &HierarchyInfo, m_op: MemOperand, m: usize, d: Direction) -> CostError {
    CostError::MissingPort {
        memory: hw.memory(m_op, m).name.clone(),
        operand: m_op.to_string(),
        direction: d.name(),
        context: "memory access count",
    }
}

/// On-/off-loading cycles per operand, memory level and direction, with per-operand bit sets
/// (bit `4 * level + direction`) of the recorded entries and of those on a port shared by two inputs.
#[derive(Clone, Debug)]
struct LoadingTable {
    cycles: [[[f64; 4]; MAX_LEVELS]; MAX_OPS],
    recorded: [u32; MAX_OPS],
    shared: [u32; MAX_OPS],
}

impl LoadingTable {
    #[inline]
    fn record(&mut self, x: usize, lv: usize, d: usize, cycles: f64, shared: bool) {
        self.cycles[x][lv][d] = cycles;
        let b = 1u32 << (4 * lv + d);
        self.recorded[x] |= b;
        if shared {
            self.shared[x] |= b;
        } else {
            self.shared[x] &= !b;
        }
    }

    #[inline]
    fn get(&self, x: usize, lv: usize, d: usize) -> Option<(f64, bool)> {
        let b = 1u32 << (4 * lv + d);
        (x < MAX_OPS && lv < MAX_LEVELS && self.recorded[x] & b != 0)
            .then(|| (self.cycles[x][lv][d], self.shared[x] & b != 0))
    }
}

/// Evaluates one temporal mapping.
pub fn evaluate(ctx: &EvalContext<'_>, tm: &TemporalMapping) -> Result<CostEvaluation, CostError> {
    let nest = tm.to_nest().map_err(CostError::Invariant)?;
    evaluate_nest(ctx, &nest)
}

/// Evaluates one temporal mapping given as a [`LoopNest`]. To evaluate many mappings under one
/// context, reuse an [`Evaluator`].
pub fn evaluate_nest(ctx: &EvalContext<'_>, nest: &LoopNest) -> Result<CostEvaluation, CostError> {
    let mut ev = Evaluator::new(ctx);
    ev.evaluate(nest)?;
    Ok(ev.result)
}

/// A reusable workspace for evaluating temporal mappings under one [`EvalContext`]: the
/// per-mapping analyses and the result live here, so an evaluation allocates, zero-fills and
/// copies nothing. Create one per context (per thread), then call [`Evaluator::evaluate`] for
/// each [`LoopNest`]; the returned record is valid until the next call. One-off evaluations
/// can use [`evaluate_nest`], which gives the same numbers.
#[derive(Clone, Debug)]
pub struct Evaluator<'c, 'a> {
    ctx: &'c EvalContext<'a>,
    scratch: Scratch,
    result: CostEvaluation,
}

/// Per-evaluation intermediate values; each evaluation overwrites what it reads.
#[derive(Clone, Debug)]
struct Scratch {
    ta: TemporalAnalysis,
    frac: MappingAnalysis,
    int: MappingAnalysis,
    /// Real transfer cycles per operand, level and direction (written for moving directions).
    real: [[[f64; 4]; MAX_LEVELS]; MAX_OPS],
    load: LoadingTable,
}

impl<'c, 'a> Evaluator<'c, 'a> {
    /// A workspace for `ctx`.
    pub fn new(ctx: &'c EvalContext<'a>) -> Self {
        let scratch = Scratch {
            ta: TemporalAnalysis::empty(),
            frac: MappingAnalysis::empty(),
            int: MappingAnalysis::empty(),
            real: [[[0.0; 4]; MAX_LEVELS]; MAX_OPS],
            load: LoadingTable {
                cycles: [[[0.0; 4]; MAX_LEVELS]; MAX_OPS],
                recorded: [0; MAX_OPS],
                shared: [0; MAX_OPS],
            },
        };
        Evaluator { ctx, scratch, result: CostEvaluation::default() }
    }

    /// Evaluates one temporal mapping; the result stays valid until the next call.
    pub fn evaluate(&mut self, nest: &LoopNest) -> Result<&CostEvaluation, CostError> {
        evaluate_in(self.ctx, nest, &mut self.scratch, &mut self.result)?;
        Ok(&self.result)
    }

    /// The result of the last successful [`Evaluator::evaluate`].
    pub fn last(&self) -> &CostEvaluation {
        &self.result
    }

    /// Allocates a loop ordering with `alloc` and evaluates it, as a search does per ordering;
    /// `None` when the ordering does not fit the memory hierarchy (searches skip those).
    pub fn evaluate_ordering(
        &mut self,
        alloc: &Allocator<'_>,
        ordering: &[Loop],
    ) -> Option<Result<(&CostEvaluation, LoopNest), CostError>> {
        let nest = alloc.allocate_nest(ordering).ok()?;
        Some(self.evaluate(&nest).map(|e| (e, nest)))
    }
}

/// Lower bounds that hold for every temporal mapping agreeing with the last evaluated one on
/// some level boundaries (see [`Evaluator::partial_bounds`]).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct PartialBounds {
    /// `energy_total` with the memory energy of the undetermined transfers left out (summed in
    /// the evaluation's order, so it never exceeds the full sum in floating point).
    pub energy: f64,
    /// `latency_total2` with stalls bounded from the determined transfers alone and no
    /// on-/off-loading.
    pub latency: f64,
}

/// The level boundaries of one operand (bit `b`) whose transfers a bound may use: boundary
/// `b` is the top of architectural level `b` (memory `b − 1`; boundary 0 is the MAC level and
/// its stationary loops), so memory `m`'s downward transfers (`tl`, `fl`) belong to boundary
/// `m` and its upward ones (`th`, `fh`) to boundary `m + 1`.
pub type KnownBoundaries = [u16; MAX_OPS];

#[inline]
fn boundary_of(level: usize, dir: usize) -> usize {
    if dir == TL || dir == FL { level } else { level + 1 }
}

impl Evaluator<'_, '_> {
    /// Bounds from the last evaluation, using only the transfers of the boundaries in `known`.
    ///
    /// Valid for every other loop nest whose analysis gives the same transfer records
    /// (amounts, precisions, periods and period counts) at those boundaries; the callers
    /// guarantee that by fixing the (merged) boundary and the multiset of loops below it.
    ///
    /// Energy: the other transfers' terms are non-negative. Latency: on-/off-loading are
    /// non-negative, and a port's combined stall `pos + max(0, neg + ΣMUW − U)` (§7.3) is at
    /// least (a) the sum of its positive transfer stalls `(real − allowed) · (periods − 1)`,
    /// where `allowed` never exceeds the period whatever the double buffering and
    /// stationarity decided elsewhere, and (b) `Σ real · (periods − 1) − U_max`: every
    /// transfer adds `real · (periods − 1)` to `pos + neg + ΣMUW`, and the window union `U`
    /// never exceeds one activity's `period · count ≤ Nt · cpo` (plus `Nt` when `cpo` is
    /// fractional and periods are rounded up). A single activity obeys both as well.
    pub fn partial_bounds(&self, known: KnownBoundaries) -> PartialBounds {
        let ctx = self.ctx;
        let out = &self.result;
        let n_ops = ctx.layer.operands.len().min(MAX_OPS);
        let on = |x: usize, lv: usize, d: usize| known[x] & (1u16 << boundary_of(lv, d).min(15)) != 0;
        let mut mem = 0.0;
        for op in 0..n_ops {
            for (lv, f) in out.mem_energy_breakdown_further[op].iter().enumerate() {
                // reference order and grouping: (rd_up + rd_down) + (wr_down + wr_up); left-out terms add 0
                let g = |d: usize| if on(op, lv, d) { f[d] } else { 0.0 };
                mem += (g(TH) + g(TL)) + (g(FH) + g(FL));
            }
        }
        let energy = mem + out.mac_energy;
        let im = if ctx.plan.same_variant { &self.scratch.frac } else { &self.scratch.int };
        let cpo = ctx.cycles_per_op;
        let nt = self.scratch.ta.total_cycles;
        let u_max = nt * cpo + if cpo.fract() == 0.0 { 0.0 } else { nt };
        let mut ss: f64 = 0.0;
        for port in &ctx.plan.ports {
            let mut pos: f64 = 0.0;
            let mut busy: f64 = 0.0;
            for e in ctx.plan.served(port) {
                let (x, lv, d) = (e.op as usize, e.level as usize, e.dir as usize);
                if x >= n_ops || !on(x, lv, d) {
                    continue;
                }
                let u = &im.operands[x].records[lv];
                let pc = u.pc[d];
                if pc == 0.0 {
                    continue;
                }
                let real = if e.bw_max == 0.0 { 0.0 } else { py_ceil(u.da[d] * u.prec[d] / e.bw_max) };
                let lb = (real - py_ceil(u.pd[d] * cpo)) * (pc - 1.0);
                if lb > 0.0 {
                    pos += lb;
                }
                busy += real * (pc - 1.0);
            }
            // (b) in exact integers here; the margin keeps it a bound when rounding creeps in
            let union_bound = (busy - u_max) - 1e-9 * busy.abs();
            ss = ss.max(pos).max(union_bound);
        }
        let (onloading, offloading) = self.loading_bounds(known);
        let itc = nt * cpo;
        let latency = itc + ss + onloading + offloading + ctx.systolic_drain;
        PartialBounds { energy, latency }
    }

    /// Lower bounds on the on- and off-loading cycles (§7.4–7.6) from the known boundaries:
    /// a periodic transfer keeps its real cycles; a single transfer is reduced at most to the
    /// smaller of its real cycles and its minimum (the lowest memory's instance, so boundary 1
    /// must be known too); a link counts with the larger of its two ends; the half-shared
    /// parts are dropped (they only add).
    fn loading_bounds(&self, known: KnownBoundaries) -> (f64, f64) {
        let ctx = self.ctx;
        let plan = &ctx.plan;
        let im = if plan.same_variant { &self.scratch.frac } else { &self.scratch.int };
        let load = &self.scratch.load;
        let n_ops = ctx.layer.operands.len().min(MAX_OPS);
        // The port bandwidth that a single transfer's minimum uses: the last port recording it.
        let mut single_bw = [[[0.0f64; 4]; MAX_LEVELS]; MAX_OPS];
        for port in &plan.ports {
            for e in plan.served(port) {
                let (x, lv, d) = (e.op as usize, e.level as usize, e.dir as usize);
                if !e.skip_loading && x < n_ops && lv < MAX_LEVELS && im.operands[x].records[lv].pc[d] == 1.0 {
                    single_bw[x][lv][d] = port.bw_max;
                }
            }
        }
        let bit = |x: usize, b: usize| known[x] & (1u16 << b.min(15)) != 0;
        let entry = |x: usize, lv: usize, d: usize| -> (f64, bool) {
            let Some((cycles, shared)) = load.get(x, lv, d) else { return (0.0, false) };
            let pc = im.operands[x].records[lv].pc[d];
            let lb = if pc != 1.0 {
                cycles
            } else if bit(x, 1) && single_bw[x][lv][d] > 0.0 {
                let real = self.scratch.real[x][lv][d];
                real.min(py_ceil(im.operands[x].bit_u[1] / single_bw[x][lv][d]))
            } else {
                0.0
            };
            (lb, shared)
        };
        let n_in = n_ops.saturating_sub(1);
        let mut indiv = [0.0; MAX_OPS];
        let mut shared = [0.0; MAX_OPS];
        for i in 0..n_in {
            let x = i + 1;
            for m in 0..ctx.bind.n_levels[x].saturating_sub(1) {
                if !bit(x, m + 1) {
                    continue;
                }
                let (e1, e2) = (entry(x, m, FH), entry(x, m + 1, TL));
                let lg = e1.0.max(e2.0);
                if !e1.1 && !e2.1 {
                    indiv[i] += lg;
                } else if e1.1 && e2.1 {
                    shared[i] += lg;
                }
            }
        }
        let onloading = if n_in == 1 {
            indiv[0]
        } else if n_in == 2 {
            let p1 = shared[0] + (shared[1] + indiv[1]).max(indiv[0]);
            let p2 = shared[1] + (shared[0] + indiv[0]).max(indiv[1]);
            p1.min(p2)
        } else {
            0.0
        };
        let mut offloading = 0.0;
        if n_ops > 0 {
            for m in 0..ctx.bind.n_levels[0].saturating_sub(1) {
                if bit(0, m + 1) {
                    offloading += entry(0, m, TH).0.max(entry(0, m + 1, FL).0);
                }
            }
        }
        (onloading, offloading)
    }
}

/// The evaluation, with the intermediate values and the result record provided by the caller;
/// every field of `out` is overwritten.
fn evaluate_in(
    ctx: &EvalContext<'_>,
    nest: &LoopNest,
    scratch: &mut Scratch,
    out: &mut CostEvaluation,
) -> Result<(), CostError> {
    let Scratch { ta, frac: fm, int: im_scratch, real, load } = scratch;
    let layer = ctx.layer;
    let hw = ctx.hw;
    let bind = ctx.bind;
    if layer.operands.len() > MAX_OPS {
        return Err(CostError::Invariant(format!("at most {MAX_OPS} operands are supported")));
    }
    let plan = &ctx.plan;
    if plan.oversized_port {
        return Err(CostError::Invariant(format!("a memory port serves more than {MAX_SERVED} functions")));
    }
    TemporalAnalysis::check(nest).map_err(CostError::Invariant)?;
    ta.analyse(layer, nest);
    let ta: &TemporalAnalysis = ta;
    fm.fill(layer, ctx.spatial_frac, nest, ta, true);
    // The integer variant differs only when some spatial unrolling is fractional.
    let im: &MappingAnalysis = if plan.same_variant {
        fm
    } else {
        im_scratch.fill(layer, ctx.spatial_int, nest, ta, true);
        im_scratch
    };
    let fm: &MappingAnalysis = fm;
    let n_ops = layer.operands.len();
    let cpo = ctx.cycles_per_op;

    let levels: [usize; MAX_OPS] = std::array::from_fn(|op| if op < n_ops { bind.n_levels[op] } else { 0 });
    if levels.iter().any(|&n| n > MAX_LEVELS) {
        return Err(CostError::Invariant(format!("at most {MAX_LEVELS} memory levels per operand are supported")));
    }
    // Utilisation (fractional mapping): individual (ui, ei) and shared (us, es).
    let mut ui = [[0.0; MAX_LEVELS]; MAX_OPS];
    let mut ei = [[0.0; MAX_LEVELS]; MAX_OPS];
    let mut es = [[0.0; MAX_LEVELS]; MAX_OPS];
    out.mem_utili_shared.set_levels(&levels);
    let us = &mut out.mem_utili_shared.data;
    for op in 0..n_ops {
        let o = &fm.operands[op];
        for m in 0..levels[op] {
            let size = plan.levels[op][m].size;
            let (u, e) = (o.bit_u[m + 1] / size, o.eff_bit[m + 1] / size);
            ui[op][m] = u;
            us[op][m] = u;
            ei[op][m] = e;
            es[op][m] = e;
        }
    }
    for g in 0..plan.sharing.len() {
        let grp = plan.group(g);
        let mut s1 = 0.0;
        let mut s2 = 0.0;
        for &(x, lv) in grp {
            s1 += ui[x as usize][lv as usize];
            s2 += ei[x as usize][lv as usize];
        }
        for &(x, lv) in grp {
            us[x as usize][lv as usize] = s1;
            es[x as usize][lv as usize] = s2;
        }
    }

    // Word accesses and energy (fractional mapping).
    out.memory_word_access.set_levels(&levels);
    out.mem_energy_breakdown.set_levels(&levels);
    out.mem_energy_breakdown_further.set_levels(&levels);
    let mac_energy = ctx.mac_energy.unwrap_or(hw.unit_energy * layer.total_macs as f64);
    let mut mem_energy = 0.0;
    for (op, &n_levels) in levels.iter().enumerate().take(n_ops) {
        let m_op = bind.mem_op[op];
        for m in 0..n_levels {
            let u = &fm.operands[op].records[m];
            let mem = &plan.levels[op][m];
            let uc = ctx.spatial_frac.tables.unit_count[op][m + 1];
            let mut a = [0.0; 4];
            for d in Direction::ALL {
                let di = d.index();
                let (amt, pr, pc) = (u.da[di], u.prec[di], u.pc[di]);
                match mem.bw[di] {
                    None => {
                        if amt != 0.0 {
                            return Err(missing_access_port(hw, m_op, m, d));
                        }
                    }
                    Some((bmin, _, ratio)) => {
                        if amt != 0.0 && pr != 0.0 {
                            a[di] = (py_ceil((amt * pr) / bmin) * ratio * pc * uc).trunc();
                        }
                    }
                }
            }
            out.memory_word_access.data[op][m] = a;
            let rh = a[TH] * mem.r_cost;
            let wh = a[FH] * mem.w_cost;
            let rl = a[TL] * mem.r_cost;
            let wl = a[FL] * mem.w_cost;
            let tot = (rh + rl) + (wh + wl);
            out.mem_energy_breakdown.data[op][m] = tot;
            out.mem_energy_breakdown_further.data[op][m] = [rl, wl, rh, wh];
            // reference order: operand by operand, level by level
            mem_energy += tot;
        }
    }

    // Double buffering (mutates the shared effective utilisation).
    let mut db = [[false; MAX_LEVELS + 1]; MAX_OPS];
    for op in 0..n_ops {
        for m in 0..levels[op] {
            if es[op][m] <= 0.5 {
                db[op][m + 1] = true;
            } else if ei[op][m] <= 1.0 - es[op][m] {
                db[op][m + 1] = true;
                let add = ei[op][m];
                if let Some(g) = plan.levels[op][m].share {
                    for &(x, lv2) in plan.group(g as usize) {
                        es[x as usize][lv2 as usize] += add;
                    }
                }
            }
        }
    }

    // Port activities and stall/slack (integer mapping). The allowed and real transfer cycles
    // are computed for the moving directions only; every one of them is served by some port.
    let mut ss_comb: f64 = 0.0;
    let mut acts = [Activity::default(); MAX_SERVED];
    for port in &plan.ports {
        let mut n = 0;
        for e in plan.served(port) {
            let (x, lv, d) = (e.op as usize, e.level as usize, e.dir as usize);
            let o = &im.operands[x];
            let u = &o.records[lv];
            let pc = u.pc[d];
            if pc == 0.0 {
                continue;
            }
            let double_buffered = if d == TH || d == FH { db[x][lv + 1] } else { db[x][lv] };
            let window = if double_buffered { u.pd[d] } else { o.window(lv, d) };
            let allowed_v = py_ceil(window * cpo);
            let bw = e.bw_max;
            let real_v = if bw == 0.0 { 0.0 } else { py_ceil(u.da[d] * u.prec[d] / bw) };
            real[x][lv][d] = real_v;
            acts[n] = Activity {
                allowed: allowed_v,
                period: py_ceil(u.pd[d] * cpo),
                pc,
                ss: (real_v - allowed_v) * (pc - 1.0),
                muw: allowed_v * (pc - 1.0),
            };
            n += 1;
        }
        let ss = match n {
            0 => continue,
            1 => acts[0].ss,
            _ => {
                let acts = &acts[..n];
                let un = muw_union(acts)?;
                let mut pos = 0.0;
                let mut neg = 0.0;
                let mut msum = 0.0;
                for a in acts {
                    if a.ss > 0.0 {
                        pos += a.ss;
                    } else {
                        neg += a.ss;
                    }
                    msum += a.muw;
                }
                pos + (neg + msum - un).max(0.0)
            }
        };
        if ss > ss_comb {
            ss_comb = ss;
        }
    }

    // Data on-/off-loading per port, recorded per operand, level and direction.
    load.recorded = [0; MAX_OPS];
    load.shared = [0; MAX_OPS];
    let total_cycles = ta.total_cycles;
    // (operand, level, direction) of the single-transfer functions of a port, their minimum and
    // real cycles (declared once: initialising them per port would cost more than using them).
    let mut c1 = [(0u8, 0u8, 0u8); MAX_SERVED];
    let mut mins = [0.0; MAX_SERVED];
    let mut tots = [0.0; MAX_SERVED];
    for port in &plan.ports {
        // Functions moving one transfer in total (c1) are reduced within the port's spare
        // bandwidth; the others (cn) keep their real cycles and use bandwidth `treq`.
        // Entries of one port are distinct, so recording cn entries right away is order-safe.
        let mut n1 = 0;
        let mut treq = 0.0;
        for e in plan.served(port) {
            if e.skip_loading {
                continue;
            }
            let (x, lv, d) = (e.op as usize, e.level as usize, e.dir as usize);
            let u = &im.operands[x].records[lv];
            let pc = u.pc[d];
            if pc == 0.0 {
                continue;
            }
            if pc == 1.0 {
                c1[n1] = (e.op, e.level, e.dir);
                n1 += 1;
            } else {
                treq += py_ceil(im.operands[x].bandwidth(lv, d) / cpo);
                load.record(x, lv, d, real[x][lv][d], port.shared_by_two_inputs);
            }
        }
        if n1 == 0 {
            continue;
        }
        for (k, &(x, lv, d)) in c1[..n1].iter().enumerate() {
            mins[k] = py_ceil(im.operands[x as usize].bit_u[1] / port.bw_max);
            tots[k] = real[x as usize][lv as usize][d as usize];
        }
        let comp = py_ceil(total_cycles * cpo) + ss_comb;
        let surplus = (((port.bw_max - treq) / port.bw_max) * comp).max(0.0);
        reduce_ordered(&mut tots[..n1], &mins[..n1], surplus)?;
        for (k, &(x, lv, d)) in c1[..n1].iter().enumerate() {
            load.record(x as usize, lv as usize, d as usize, tots[k], port.shared_by_two_inputs);
        }
    }
    /// The error for a transfer no port records (kept out of line: never taken on valid inputs).
    #[cold]
    #[inline(never)]
    fn missing(hw: &HierarchyInfo, bind: &OperandBinding, x: usize, lv: usize, d: usize) -> CostError {
        let mo = bind.mem_op[x];
        CostError::MissingPort {
            memory: hw.memory(mo, lv.min(hw.levels[mo.index()].len() - 1)).name.clone(),
            operand: mo.to_string(),
            direction: Direction::ALL[d].name(),
            context: "data on/off-loading",
        }
    }
    let find = |x: usize, lv: usize, d: usize| -> Result<(f64, bool), CostError> {
        load.get(x, lv, d).ok_or_else(|| missing(hw, bind, x, lv, d))
    };
    let n_in = n_ops - 1;
    let mut indiv = [0.0; MAX_OPS];
    let mut half = [0.0; MAX_OPS];
    let mut shared = [0.0; MAX_OPS];
    for i in 0..n_in {
        let x = i + 1;
        let m_levels = bind.n_levels[x];
        for m in 0..m_levels.saturating_sub(1) {
            let e1 = find(x, m, FH)?;
            let e2 = find(x, m + 1, TL)?;
            let lg = e1.0.max(e2.0);
            if !e1.1 && !e2.1 {
                indiv[i] += lg;
            } else if e1.1 && e2.1 {
                shared[i] += lg;
            } else {
                // reference quirk: the half-shared part is assigned, not accumulated.
                if ctx.sum_half_shared_onloading {
                    half[i] += lg;
                } else {
                    half[i] = lg;
                }
            }
        }
    }
    let onloading = if n_in == 1 {
        indiv[0]
    } else {
        let p1 = shared[0] + (shared[1] + half[1] + indiv[1]).max(half[0] + indiv[0]);
        let p2 = shared[1] + (shared[0] + half[0] + indiv[0]).max(half[1] + indiv[1]);
        p1.min(p2)
    };
    let mut offloading = 0.0;
    for m in 0..bind.n_levels[0].saturating_sub(1) {
        let a = find(0, m, TH)?;
        let b = find(0, m + 1, FL)?;
        offloading += a.0.max(b.0);
    }

    let ideal_cycle = py_ceil(py_ceil(layer.total_macs as f64 / hw.total_units as f64) * cpo);
    let itc = total_cycles * cpo;
    let lat0 = itc + ss_comb;
    let lat1 = itc + ss_comb + onloading;
    let lat2 = itc + ss_comb + onloading + offloading + ctx.systolic_drain;
    out.energy_total = mem_energy + mac_energy;
    out.mac_energy = mac_energy;
    out.mem_energy = mem_energy;
    out.stall_slack_comb = ss_comb;
    out.data_onloading_cycle = onloading;
    out.data_offloading_cycle = offloading;
    out.systolic_drain_cycle = ctx.systolic_drain;
    out.ideal_cycle = ideal_cycle;
    out.ideal_temporal_cycle = itc;
    out.latency_total0 = lat0;
    out.latency_total1 = lat1;
    out.latency_total2 = lat2;
    out.mac_spatial_utilization = ideal_cycle / itc;
    out.mac_utilization0 = ideal_cycle / lat0;
    out.mac_utilization1 = ideal_cycle / lat1;
    out.mac_utilization2 = ideal_cycle / lat2;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::busy_slots;

    fn brute(w: &[(u64, u64)], pmax: u64) -> u64 {
        (0..pmax).filter(|t| w.iter().any(|&(p, a)| t % p < a)).count() as u64
    }

    #[test]
    fn busy_slots_match_a_slot_by_slot_count() {
        let cases: &[&[(u64, u64)]] = &[
            &[(4, 1), (16, 3)],
            &[(1, 0), (8, 2), (64, 5), (64, 64)],
            &[(2, 1), (6, 2), (12, 5)],
            &[(4, 3), (6, 1), (12, 2)],
            &[(3, 0), (9, 0), (27, 0)],
            &[(5, 7), (10, 1)],
        ];
        for w in cases {
            let pmax = w.iter().map(|x| x.0).max().unwrap();
            assert_eq!(busy_slots(w.iter().copied(), pmax), brute(w, pmax), "{w:?}");
        }
    }
}
