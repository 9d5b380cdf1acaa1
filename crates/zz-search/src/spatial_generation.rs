//! Spatial-mapping generation (reference `SpatialMappingGeneratorStage`, ZigZag 3.9.1):
//! maximal unrollings limited by the innermost memories' bandwidth, the user mapping reduced
//! to what fits, candidates for the OA dimensions the user left open (from the hints, plus
//! mixed unrollings when enabled), the best combinations by performance indicator, and the
//! innermost-memory capacity clamp.
//!
//! Everything the reference leaves to Python `set` iteration order (order of hinted dims,
//! the "arbitrary" removals of `check_and_reduce`, the factor order of the capacity clamp)
//! is reproduced with [`crate::pyset`]. So is an aliasing effect of the reference: the per-OA-dim
//! candidate objects are shared by every kept combination that uses them, so the capacity
//! clamp of one kept mapping also changes the others (all mappings are clamped before any is
//! evaluated).

use crate::pyset::{DimClass, PySet, dim_hash};
use smallvec::SmallVec;
use std::cmp::Ordering;
use zz_cost::{CostError, HierarchyInfo, LayerInfo, OperandBinding};
use zz_ir::accelerator::Direction;
use zz_ir::mapping::MappingEntry;

/// A spatial mapping in user form: per OA dimension (name), ordered `(layer dim, unrolling)`.
pub type UserSpatial = Vec<(String, Vec<(String, u64)>)>;

/// Options of the generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpatialOptions {
    /// Number of best candidates kept (`nb_spatial_mappings_generated`).
    pub nb_mappings: usize,
    /// Also generate mixed unrollings (several layer dims on one OA dim).
    pub mixed: bool,
    /// Fix of ZigZag issue #97 (off by default, for parity): the capacity clamp writes each
    /// reduced factor back to its own position instead of through a map keyed by the old value.
    pub fix_capacity_clamp: bool,
}

impl Default for SpatialOptions {
    fn default() -> Self {
        SpatialOptions { nb_mappings: 3, mixed: false, fix_capacity_clamp: false }
    }
}

/// How the reference built the sets of served OA dimensions of the memories, which decides
/// their iteration order (used by the capacity clamp).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServedDimsOrder {
    /// Built from the accelerator file's list (the parsed accelerator).
    AsParsed,
    /// Deep-copied once from the parsed sets, i.e. rebuilt in their iteration order (the
    /// per-layer accelerator of the inter-layer data-locality stage).
    DeepCopied,
}

/// Name suffix of the per-layer accelerator built by the data-locality stage.
const LOCALITY_SUFFIX: &str = "-removing-nouse-mem";

fn mapping_err(layer: &LayerInfo, message: String) -> CostError {
    CostError::Mapping { layer: layer.name.clone(), message }
}

/// Memories with no operand stored in a lower memory (graph in-degree 0), file order.
pub fn inner_memories(hw: &HierarchyInfo) -> Vec<usize> {
    let mut seen = [false; 3];
    let mut out = Vec::new();
    for (mi, m) in hw.memories.iter().enumerate() {
        if !m.operands.iter().any(|o| seen[o.index()]) {
            out.push(mi);
        }
        for o in &m.operands {
            seen[o.index()] = true;
        }
    }
    out
}

/// `maxU[oa][d]`: the largest unrolling of loop dim `d` on OA dim `oa`.
pub fn max_unrollings(
    layer: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
) -> Result<Vec<Vec<u64>>, CostError> {
    let mut max: Vec<Vec<u64>> =
        hw.oa_sizes.iter().map(|&oa| layer.sizes.iter().map(|&s| s.min(oa)).collect()).collect();
    for mi in inner_memories(hw) {
        let mem = &hw.memories[mi];
        for &mo in &mem.operands {
            // 3.9.1: memory operands the layer does not use are skipped.
            let Some(x) = bind.layer_op_of[mo.index()] else { continue };
            let x = x as usize;
            let dir = if x == 0 { Direction::WrInByLow } else { Direction::RdOutToLow };
            let p = layer.operands[x].precision;
            if p == 0 {
                continue;
            }
            let ir = layer.operands[x].ir_mask;
            let relevant = (0..layer.n_loop()).any(|d| ir & (1u128 << d) == 0);
            let Some((_, bw)) = mem.bandwidth(mo, dir) else {
                // The reference only reads the bandwidth for a served OA dim and a relevant dim.
                if mem.served_dims.is_empty() || !relevant {
                    continue;
                }
                return Err(CostError::MissingPort {
                    memory: mem.name.clone(),
                    operand: mo.to_string(),
                    direction: dir.name(),
                    context: "maximal spatial unrolling",
                });
            };
            let lim = (bw / p as f64).floor() as u64;
            for &oa in &mem.served_dims {
                for (d, m) in max[oa as usize].iter_mut().enumerate() {
                    if ir & (1u128 << d) == 0 && lim < *m {
                        *m = lim;
                    }
                }
            }
        }
    }
    Ok(max)
}

/// Unrollings of one OA dim: `(loop dim id, factor)` in dict order.
type Single = SmallVec<[(usize, u64); 4]>;

fn utilization(s: &Single) -> u64 {
    s.iter().map(|e| e.1).product()
}

/// Per-layer context: hashes of the loop dims and OA dims.
struct Ctx<'a> {
    layer: &'a LayerInfo,
    hw: &'a HierarchyInfo,
    dim_hash: Vec<i64>,
    oa_hash: Vec<i64>,
}

impl<'a> Ctx<'a> {
    fn new(layer: &'a LayerInfo, hw: &'a HierarchyInfo) -> Self {
        Ctx {
            layer,
            hw,
            dim_hash: layer.dim_names.iter().map(|n| dim_hash(DimClass::LayerDim, &n.to_uppercase())).collect(),
            oa_hash: hw.oa_names.iter().map(|n| dim_hash(DimClass::OaDimension, n)).collect(),
        }
    }

    fn dim_id(&self, name: &str) -> Option<usize> {
        self.layer.dim_id(name).map(|d| d as usize).or_else(|| {
            let up = name.to_uppercase();
            self.layer.dim_names.iter().position(|n| n.to_uppercase() == up)
        })
    }

    /// Iteration order of the set of these loop dims, added in this order.
    fn dim_set(&self, dims: impl IntoIterator<Item = usize>) -> PySet<usize> {
        PySet::from_iter_hashed(dims.into_iter().map(|d| (self.dim_hash[d], d)))
    }

    /// Iteration order of the set of these OA dims, added in this order.
    fn oa_set(&self, oas: impl IntoIterator<Item = usize>) -> PySet<usize> {
        PySet::from_iter_hashed(oas.into_iter().map(|o| (self.oa_hash[o], o)))
    }

    fn total(&self, sm: &[(usize, Single)], d: usize) -> u64 {
        sm.iter().flat_map(|(_, s)| s.iter()).filter(|e| e.0 == d).map(|e| e.1).product()
    }
}

/// Reduces the user's spatial mapping to what fits (reference `check_and_reduce`).
fn check_and_reduce(ctx: &Ctx, user: &UserSpatial, max: &[Vec<u64>]) -> Result<Vec<(usize, Single)>, CostError> {
    let (layer, hw) = (ctx.layer, ctx.hw);
    let mut out: Vec<(usize, Single)> = Vec::new();
    for (oa_name, loops) in user {
        let oa = hw.oa_index(oa_name).ok_or_else(|| {
            mapping_err(
                layer,
                format!("spatial mapping uses {oa_name}, which is not a dimension of the operational array"),
            )
        })?;
        // A repeated dim keeps its first position and its last factor; dims the layer lacks go.
        let mut single = Single::new();
        for (d, f) in loops {
            let Some(di) = ctx.dim_id(d) else { continue };
            match single.iter_mut().find(|e| e.0 == di) {
                Some(e) => e.1 = *f,
                None => single.push((di, *f)),
            }
        }
        match out.iter_mut().find(|e| e.0 == oa) {
            Some(e) => e.1 = single,
            None => out.push((oa, single)),
        }
    }
    for (oa, single) in out.iter_mut() {
        for e in single.iter_mut() {
            e.1 = e.1.min(max[*oa][e.0]);
        }
        while utilization(single) > hw.oa_sizes[*oa] {
            let first = *ctx.dim_set(single.iter().map(|e| e.0)).first().expect("non-empty");
            single.retain(|e| e.0 != first);
        }
    }
    for d in 0..layer.n_loop() {
        while ctx.total(&out, d) > layer.sizes[d] {
            let oa_dims = ctx.oa_set(out.iter().map(|e| e.0));
            let holding = ctx.oa_set(
                oa_dims
                    .iter()
                    .copied()
                    .filter(|&o| out.iter().find(|e| e.0 == o).is_some_and(|e| e.1.iter().any(|x| x.0 == d))),
            );
            let oa = *holding.first().expect("a holder exists");
            if let Some(e) = out.iter_mut().find(|e| e.0 == oa) {
                e.1.retain(|x| x.0 != d);
            }
        }
    }
    Ok(out)
}

/// Divisors of `n` in ascending order (`sympy.divisors`; none for 0).
fn divisors(n: u64) -> Vec<u64> {
    let mut small = Vec::new();
    let mut large = Vec::new();
    let mut i = 1;
    while i * i <= n {
        if n.is_multiple_of(i) {
            small.push(i);
            if i != n / i {
                large.push(n / i);
            }
        }
        i += 1;
    }
    small.extend(large.into_iter().rev());
    small
}

/// The hinted loop dims of an OA dim in set order (dims the layer lacks dropped). A hint
/// without any layer dim, or no hint, means all layer dims.
fn hinted_dims(ctx: &Ctx, entry: &MappingEntry, oa: usize) -> Vec<usize> {
    let oa_name = &ctx.hw.oa_names[oa];
    let hint = entry.spatial_mapping_hint.iter().rev().find(|(o, _)| o == oa_name);
    if let Some((_, names)) = hint {
        let set = PySet::from_iter_hashed(names.iter().map(|n| {
            let up = n.to_uppercase();
            (dim_hash(DimClass::LayerDim, &up), ctx.dim_id(&up))
        }));
        if set.iter().any(|d| d.is_some()) {
            return set.iter().flatten().copied().collect();
        }
    }
    ctx.dim_set(0..ctx.layer.n_loop()).iter().copied().collect()
}

/// Candidates for one OA dim (reference `generate_spatial_mapping_single_oa_dim`).
fn candidates_single_oa_dim(hints: &[usize], max: &[u64], oa_size: u64, mixed: bool) -> Vec<Single> {
    let mut out: Vec<Single> = Vec::new();
    for &d in hints {
        for f in divisors(max[d]).into_iter().rev() {
            out.push(SmallVec::from_slice(&[(d, f)]));
        }
    }
    if !mixed {
        return out;
    }
    // Mixed: every combination (set order) of >= 2 hinted dims, every product of their
    // non-trivial divisors (first dim slowest), kept if it fits the OA dim. Combinations with
    // a dim the layer lacks are never valid and are left out; as all factors are >= 2 a
    // prefix that already overflows the OA dim is cut.
    let pools: Vec<Vec<u64>> =
        hints.iter().map(|&d| divisors(max[d]).into_iter().filter(|&x| x > 1).collect()).collect();
    fn extend(
        combo: &[usize],
        hints: &[usize],
        pools: &[Vec<u64>],
        cur: &mut Single,
        prod: u64,
        size: u64,
        out: &mut Vec<Single>,
    ) {
        let k = cur.len();
        if k == combo.len() {
            out.push(cur.clone());
            return;
        }
        for &f in &pools[combo[k]] {
            let p = prod * f;
            if p > size {
                break;
            }
            cur.push((hints[combo[k]], f));
            extend(combo, hints, pools, cur, p, size, out);
            cur.pop();
        }
    }
    for k in 2..=hints.len() {
        for combo in combinations(hints.len(), k) {
            extend(&combo, hints, &pools, &mut Single::new(), 1, oa_size, &mut out);
        }
    }
    out
}

/// Index combinations of `k` out of `n` in `itertools.combinations` order.
fn combinations(n: usize, k: usize) -> Vec<SmallVec<[usize; 8]>> {
    let mut out = Vec::new();
    if k > n || k == 0 {
        return out;
    }
    let mut c: SmallVec<[usize; 8]> = (0..k).collect();
    loop {
        out.push(c.clone());
        let mut i = k;
        while i > 0 && c[i - 1] == i - 1 + n - k {
            i -= 1;
        }
        if i == 0 {
            return out;
        }
        c[i - 1] += 1;
        for j in i..k {
            c[j] = c[j - 1] + 1;
        }
    }
}

/// `SpatialMapping.is_valid` for a complete mapping.
fn is_valid(ctx: &Ctx, sm: &[(usize, Single)], max: &[Vec<u64>]) -> bool {
    for (oa, single) in sm {
        if single.iter().any(|&(d, f)| f > max[*oa][d]) || utilization(single) > ctx.hw.oa_sizes[*oa] {
            return false;
        }
    }
    (0..ctx.layer.n_loop()).all(|d| ctx.total(sm, d) <= ctx.layer.sizes[d])
}

/// `SpatialMapping.get_performance_indicator`.
fn performance_indicator(ctx: &Ctx, sm: &[(usize, Single)]) -> f64 {
    let hw = sm.iter().map(|(_, s)| utilization(s)).product::<u64>() as f64;
    let max_total = (0..ctx.layer.n_loop())
        .filter(|&d| sm.iter().any(|(_, s)| s.iter().any(|e| e.0 == d)))
        .map(|d| ctx.total(sm, d))
        .max()
        .unwrap_or(1);
    let diversity = hw / max_total as f64 - 1.0;
    hw + diversity
}

/// A kept combination: `-indicator`, per-OA-dim candidate indices.
type Key = (f64, Vec<usize>);

fn key_cmp(a: &Key, b: &Key) -> Ordering {
    a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal).then_with(|| a.1.cmp(&b.1))
}

/// The `nb` best valid combinations (reference `best_candidates`): the first `nb` entries of
/// the Cartesian product sorted by (−indicator, candidate indices), found by the
/// reference's branch and bound.
struct BestSearch<'c, 'a> {
    ctx: &'c Ctx<'a>,
    max: &'c [Vec<u64>],
    template: &'c [(usize, Single)],
    to_fill: &'c [usize],
    cands: &'c [Vec<Single>],
    options: Vec<Vec<usize>>,
    best_remaining: Vec<u64>,
    nb: usize,
    kept: Vec<Key>,
}

impl BestSearch<'_, '_> {
    fn reachable(&self, util: u64, depth: usize) -> bool {
        match self.kept.last() {
            Some(worst) if self.kept.len() >= self.nb => {
                let bound = 2.0 * util as f64 * self.best_remaining[depth] as f64 - 1.0;
                bound >= -worst.0
            }
            _ => true,
        }
    }

    fn visit(&mut self, depth: usize, util: u64, chosen: &mut Vec<usize>) {
        if depth == self.options.len() {
            let sm = self.assemble(chosen);
            if !is_valid(self.ctx, &sm, self.max) {
                return;
            }
            let key: Key = (-performance_indicator(self.ctx, &sm), chosen.clone());
            if self.kept.len() < self.nb || key_cmp(&key, self.kept.last().expect("full")) == Ordering::Less {
                let pos = self.kept.partition_point(|k| key_cmp(k, &key) == Ordering::Less);
                self.kept.insert(pos, key);
                self.kept.truncate(self.nb);
            }
            return;
        }
        for oi in 0..self.options[depth].len() {
            let index = self.options[depth][oi];
            let cand = &self.cands[depth][index];
            let u = util * utilization(cand);
            if !self.reachable(u, depth + 1) {
                break;
            }
            // Prune when a layer dim is already unrolled beyond its size.
            let fits = (0..self.ctx.layer.n_loop()).all(|d| {
                let mut t: u64 = self.ctx.total(self.template, d);
                for (k, &c) in chosen.iter().enumerate() {
                    t *= self.cands[k][c].iter().filter(|e| e.0 == d).map(|e| e.1).product::<u64>();
                }
                t *= cand.iter().filter(|e| e.0 == d).map(|e| e.1).product::<u64>();
                t <= self.ctx.layer.sizes[d]
            });
            if fits {
                chosen.push(index);
                self.visit(depth + 1, u, chosen);
                chosen.pop();
            }
        }
    }

    fn assemble(&self, chosen: &[usize]) -> Vec<(usize, Single)> {
        let mut sm = self.template.to_vec();
        for (k, &c) in chosen.iter().enumerate() {
            sm.push((self.to_fill[k], self.cands[k][c].clone()));
        }
        sm
    }
}

/// Served OA dims of a memory in the reference's set order.
fn served_order(ctx: &Ctx, mi: usize, order: ServedDimsOrder) -> Vec<usize> {
    let parsed = ctx.oa_set(ctx.hw.memories[mi].served_dims.iter().map(|&o| o as usize));
    match order {
        ServedDimsOrder::AsParsed => parsed.iter().copied().collect(),
        ServedDimsOrder::DeepCopied => ctx.oa_set(parsed.iter().copied()).iter().copied().collect(),
    }
}

/// Innermost-memory capacity clamp (reference `limit_unrolling_to_mem_capacity`, 3.9.1) of
/// one mapping whose OA dims are cells of `arena` (cells may be shared between mappings).
fn limit_to_capacity(
    ctx: &Ctx,
    bind: &OperandBinding,
    order: ServedDimsOrder,
    sm: &[(usize, usize)],
    arena: &mut [Single],
    per_position: bool,
) {
    let (layer, hw) = (ctx.layer, ctx.hw);
    for mi in inner_memories(hw) {
        let mem = &hw.memories[mi];
        let served: Vec<usize> = served_order(ctx, mi, order)
            .into_iter()
            .filter_map(|oa| sm.iter().find(|e| e.0 == oa).map(|e| e.1))
            .collect();
        for &mo in &mem.operands {
            let Some(x) = bind.layer_op_of[mo.index()] else { continue };
            let x = x as usize;
            let p = layer.operands[x].precision;
            let ir = layer.operands[x].ir_mask;
            let relevant = |d: usize| ir & (1u128 << d) == 0;
            let mut total: u64 = 1;
            let mut dims: PySet<usize> = PySet::new();
            for &cell in &served {
                for &(d, f) in &arena[cell] {
                    if relevant(d) {
                        dims.add(ctx.dim_hash[d], d);
                        total = total.saturating_mul(f);
                    }
                }
            }
            let max_elems = if p > 0 { mem.size / p as f64 } else { f64::INFINITY };
            if max_elems >= total as f64 {
                continue;
            }
            let mut old: Vec<u64> = Vec::new();
            for &d in dims.iter() {
                for &cell in &served {
                    if let Some(e) = arena[cell].iter().find(|e| e.0 == d) {
                        old.push(e.1);
                    }
                }
            }
            let mut new = old.clone();
            while new.iter().product::<u64>() as f64 > max_elems && new.iter().any(|&f| f > 1) {
                let m = *new.iter().max().expect("non-empty");
                let k = new.iter().position(|&f| f == m).expect("present");
                new[k] -= 1;
            }
            if per_position {
                // The fix: the k-th gathered factor gets the k-th reduced value.
                let mut k = 0;
                for &d in dims.iter() {
                    for &cell in &served {
                        if let Some(e) = arena[cell].iter_mut().find(|e| e.0 == d) {
                            e.1 = new[k];
                            k += 1;
                        }
                    }
                }
                continue;
            }
            // reference quirk: new factors are written back through a map keyed by the old factor,
            // so equal old factors all get the last new value (ZigZag issue #97).
            let mut map: Vec<(u64, u64)> = Vec::new();
            for (&o, &n) in old.iter().zip(&new) {
                match map.iter_mut().find(|e| e.0 == o) {
                    Some(e) => e.1 = n,
                    None => map.push((o, n)),
                }
            }
            for &cell in &served {
                for e in arena[cell].iter_mut() {
                    if relevant(e.0)
                        && let Some(m) = map.iter().find(|m| m.0 == e.1)
                    {
                        e.1 = m.1;
                    }
                }
            }
        }
    }
}

fn to_user(ctx: &Ctx, sm: &[(usize, usize)], arena: &[Single]) -> UserSpatial {
    sm.iter()
        .map(|&(oa, cell)| {
            let loops = arena[cell].iter().map(|&(d, f)| (ctx.layer.dim_names[d].clone(), f)).collect();
            (ctx.hw.oa_names[oa].clone(), loops)
        })
        .collect()
}

/// Generates the spatial mappings to evaluate for a layer, best first. The served-dims
/// order is [`ServedDimsOrder::DeepCopied`] for the per-layer accelerator of the
/// data-locality stage (recognised by its name) and [`ServedDimsOrder::AsParsed`] otherwise.
pub fn generate(
    layer: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
    entry: &MappingEntry,
    opts: &SpatialOptions,
) -> Result<Vec<UserSpatial>, CostError> {
    let order =
        if hw.name.ends_with(LOCALITY_SUFFIX) { ServedDimsOrder::DeepCopied } else { ServedDimsOrder::AsParsed };
    generate_with(layer, hw, bind, entry, opts, order)
}

/// [`generate`] with an explicit served-dims set order.
pub fn generate_with(
    layer: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
    entry: &MappingEntry,
    opts: &SpatialOptions,
    served: ServedDimsOrder,
) -> Result<Vec<UserSpatial>, CostError> {
    let ctx = Ctx::new(layer, hw);
    let max = max_unrollings(layer, hw, bind)?;
    let user: UserSpatial = entry.spatial_mapping.clone().unwrap_or_default();
    let template = check_and_reduce(&ctx, &user, &max)?;
    let to_fill: Vec<usize> = (0..hw.oa_names.len()).filter(|&oa| !template.iter().any(|e| e.0 == oa)).collect();

    if to_fill.is_empty() {
        if !is_valid(&ctx, &template, &max) {
            return Err(mapping_err(layer, "the spatial mapping does not fit the operational array".into()));
        }
        let mut arena: Vec<Single> = template.iter().map(|e| e.1.clone()).collect();
        let sm: Vec<(usize, usize)> = template.iter().enumerate().map(|(i, e)| (e.0, i)).collect();
        limit_to_capacity(&ctx, bind, served, &sm, &mut arena, opts.fix_capacity_clamp);
        return Ok(vec![to_user(&ctx, &sm, &arena)]);
    }

    let cands: Vec<Vec<Single>> = to_fill
        .iter()
        .map(|&oa| candidates_single_oa_dim(&hinted_dims(&ctx, entry, oa), &max[oa], hw.oa_sizes[oa], opts.mixed))
        .collect();
    let options: Vec<Vec<usize>> = cands
        .iter()
        .map(|c| {
            let mut idx: Vec<usize> = (0..c.len()).collect();
            idx.sort_by_key(|&i| std::cmp::Reverse(utilization(&c[i])));
            idx
        })
        .collect();
    let mut best_remaining: Vec<u64> = (0..options.len())
        .map(|i| (i..options.len()).map(|j| options[j].first().map_or(0, |&c| utilization(&cands[j][c]))).product())
        .collect();
    best_remaining.push(1);
    let mut search = BestSearch {
        ctx: &ctx,
        max: &max,
        template: &template,
        to_fill: &to_fill,
        cands: &cands,
        options,
        best_remaining,
        nb: opts.nb_mappings.max(1),
        kept: Vec::new(),
    };
    let start: u64 = template.iter().map(|e| utilization(&e.1)).product();
    search.visit(0, start, &mut Vec::new());
    let kept = std::mem::take(&mut search.kept);
    if kept.is_empty() {
        return Err(mapping_err(layer, "no valid spatial mapping could be generated".into()));
    }

    // reference quirk: kept mappings share their per-OA-dim candidate objects, so clamping one
    // to the memory capacity also changes the others.
    // Cells: a private copy of the template per kept mapping, and one shared cell per
    // (OA dim to fill, candidate) used by any kept mapping.
    let mut arena: Vec<Single> = Vec::new();
    let mut shared: Vec<((usize, usize), usize)> = Vec::new();
    let mut mappings: Vec<Vec<(usize, usize)>> = Vec::new();
    for (_, chosen) in &kept {
        let mut sm: Vec<(usize, usize)> = Vec::new();
        for (oa, single) in &template {
            arena.push(single.clone());
            sm.push((*oa, arena.len() - 1));
        }
        for (k, &c) in chosen.iter().enumerate() {
            let cell = match shared.iter().find(|e| e.0 == (k, c)) {
                Some(e) => e.1,
                None => {
                    arena.push(cands[k][c].clone());
                    shared.push(((k, c), arena.len() - 1));
                    arena.len() - 1
                }
            };
            sm.push((to_fill[k], cell));
        }
        mappings.push(sm);
    }
    for sm in &mappings {
        limit_to_capacity(&ctx, bind, served, sm, &mut arena, opts.fix_capacity_clamp);
    }
    Ok(mappings.iter().map(|sm| to_user(&ctx, sm, &arena)).collect())
}
