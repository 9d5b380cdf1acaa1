//! Spatial-mapping generation (reference `SpatialMappingGeneratorStage`): maximal
//! unrollings limited by the innermost memories' bandwidth, the user mapping reduced to
//! what fits, candidates for OA dimensions the user left open (from hints), ranking by the
//! performance indicator, and the innermost-memory capacity clamp.

use smallvec::SmallVec;
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
}

impl Default for SpatialOptions {
    fn default() -> Self {
        SpatialOptions { nb_mappings: 3, mixed: false }
    }
}

fn mapping_err(layer: &LayerInfo, message: String) -> CostError {
    CostError::Mapping { layer: layer.name.clone(), message }
}

/// Memories with no operand stored in a lower memory (graph in-degree 0).
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
pub fn max_unrollings(layer: &LayerInfo, hw: &HierarchyInfo, bind: &OperandBinding) -> Result<Vec<Vec<u64>>, CostError> {
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
            let Some((_, bw)) = mem.bandwidth(mo, dir) else {
                if mem.served_dims.is_empty() {
                    continue;
                }
                return Err(CostError::MissingPort {
                    memory: mem.name.clone(),
                    operand: mo.to_string(),
                    direction: dir.name(),
                    context: "maximal spatial unrolling",
                });
            };
            let lim = (bw as u64) / p;
            let ir = layer.operands[x].ir_mask;
            for &oa in &mem.served_dims {
                for d in 0..layer.n_loop() {
                    if ir & (1u128 << d) == 0 && lim < max[oa as usize][d] {
                        max[oa as usize][d] = lim;
                    }
                }
            }
        }
    }
    Ok(max)
}

/// Reduces the user's spatial mapping to what fits (reference `check_and_reduce`).
fn check_and_reduce(layer: &LayerInfo, hw: &HierarchyInfo, user: &UserSpatial, max: &[Vec<u64>]) -> Result<UserSpatial, CostError> {
    let mut out: UserSpatial = Vec::new();
    for (oa_name, loops) in user {
        let oa = hw.oa_index(oa_name).ok_or_else(|| {
            mapping_err(layer, format!("spatial mapping uses {oa_name}, which is not a dimension of the operational array"))
        })?;
        let mut kept: Vec<(String, u64)> = Vec::new();
        for (d, f) in loops {
            let Some(di) = layer.dim_id(d) else { continue };
            let f = (*f).min(max[oa][di as usize]);
            if let Some(e) = kept.iter_mut().find(|e| e.0 == *d) {
                e.1 = f;
            } else {
                kept.push((d.clone(), f));
            }
        }
        // reference quirk: the reference drops an arbitrary (set-order) dim while the OA dim
        // overflows; we drop the last listed one.
        while kept.iter().map(|e| e.1).product::<u64>() > hw.oa_sizes[oa] && !kept.is_empty() {
            kept.pop();
        }
        out.push((oa_name.clone(), kept));
    }
    for (di, dn) in layer.dim_names.iter().enumerate() {
        loop {
            let total: u64 = out.iter().flat_map(|(_, l)| l.iter()).filter(|e| e.0 == *dn).map(|e| e.1).product();
            if total <= layer.sizes[di] {
                break;
            }
            if let Some((_, l)) = out.iter_mut().rev().find(|(_, l)| l.iter().any(|e| e.0 == *dn)) {
                l.retain(|e| e.0 != *dn);
            }
        }
    }
    Ok(out)
}

fn divisors_desc(n: u64) -> Vec<u64> {
    let mut v: Vec<u64> = (1..=n).filter(|d| n % d == 0).collect();
    v.reverse();
    v
}

fn is_valid(layer: &LayerInfo, hw: &HierarchyInfo, sm: &UserSpatial, max: &[Vec<u64>]) -> bool {
    for (oa_name, loops) in sm {
        let Some(oa) = hw.oa_index(oa_name) else { return false };
        let mut prod = 1u64;
        for (d, f) in loops {
            let Some(di) = layer.dim_id(d) else { return false };
            if *f > max[oa][di as usize] {
                return false;
            }
            prod = prod.saturating_mul(*f);
        }
        if prod > hw.oa_sizes[oa] {
            return false;
        }
    }
    for (di, dn) in layer.dim_names.iter().enumerate() {
        let total: u64 = sm.iter().flat_map(|(_, l)| l.iter()).filter(|e| e.0 == *dn).map(|e| e.1).product();
        if total > layer.sizes[di] {
            return false;
        }
    }
    true
}

fn performance_indicator(layer: &LayerInfo, sm: &UserSpatial) -> f64 {
    let u: u64 = sm.iter().flat_map(|(_, l)| l.iter()).map(|e| e.1).product();
    let hw = u as f64;
    let max_total = layer
        .dim_names
        .iter()
        .map(|dn| sm.iter().flat_map(|(_, l)| l.iter()).filter(|e| e.0 == *dn).map(|e| e.1).product::<u64>())
        .max()
        .unwrap_or(1)
        .max(1);
    hw + (hw / max_total as f64 - 1.0)
}

/// Innermost-memory capacity clamp (reference `limit_unrolling_to_mem_capacity`, 3.9.1).
fn limit_to_capacity(layer: &LayerInfo, hw: &HierarchyInfo, bind: &OperandBinding, sm: &mut UserSpatial) {
    for mi in inner_memories(hw) {
        let mem = &hw.memories[mi];
        for &mo in &mem.operands {
            let Some(x) = bind.layer_op_of[mo.index()] else { continue };
            let x = x as usize;
            let p = layer.operands[x].precision;
            let ir = layer.operands[x].ir_mask;
            let served: Vec<&String> = mem.served_dims.iter().map(|&o| &hw.oa_names[o as usize]).collect();
            let mut slots: Vec<(usize, usize)> = Vec::new();
            for (oi, (oa, loops)) in sm.iter().enumerate() {
                if !served.contains(&oa) {
                    continue;
                }
                for (li, (d, _)) in loops.iter().enumerate() {
                    if let Some(di) = layer.dim_id(d)
                        && ir & (1u128 << di) == 0
                    {
                        slots.push((oi, li));
                    }
                }
            }
            let total: u64 = slots.iter().map(|&(o, l)| sm[o].1[l].1).product();
            let max_elems = if p == 0 { f64::INFINITY } else { mem.size / p as f64 };
            if max_elems >= total as f64 {
                continue;
            }
            let mut factors: Vec<u64> = slots.iter().map(|&(o, l)| sm[o].1[l].1).collect();
            while (factors.iter().product::<u64>() as f64) > max_elems && factors.iter().any(|&f| f > 1) {
                let (k, _) = factors.iter().enumerate().fold((0, 0), |b, (k, &f)| if f > b.1 { (k, f) } else { b });
                factors[k] -= 1;
            }
            // reference quirk (#97): new values are written back through a map keyed by the old value,
            // so equal old factors all receive the last new value.
            let olds: Vec<u64> = slots.iter().map(|&(o, l)| sm[o].1[l].1).collect();
            let mut map: Vec<(u64, u64)> = Vec::new();
            for (old, new) in olds.iter().zip(&factors) {
                if let Some(e) = map.iter_mut().find(|e| e.0 == *old) {
                    e.1 = *new;
                } else {
                    map.push((*old, *new));
                }
            }
            for &(o, l) in &slots {
                let old = sm[o].1[l].1;
                if let Some(e) = map.iter().find(|e| e.0 == old) {
                    sm[o].1[l].1 = e.1;
                }
            }
        }
    }
}

/// Generates the spatial mappings to evaluate for a layer, best first.
pub fn generate(
    layer: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
    entry: &MappingEntry,
    opts: &SpatialOptions,
) -> Result<Vec<UserSpatial>, CostError> {
    let max = max_unrollings(layer, hw, bind)?;
    let user: UserSpatial = entry.spatial_mapping.clone().unwrap_or_default();
    let template = check_and_reduce(layer, hw, &user, &max)?;
    let to_fill: Vec<usize> =
        (0..hw.oa_names.len()).filter(|&oa| !template.iter().any(|(n, _)| *n == hw.oa_names[oa])).collect();
    if to_fill.is_empty() {
        if !is_valid(layer, hw, &template, &max) {
            return Err(mapping_err(layer, "the spatial mapping does not fit the operational array".into()));
        }
        let mut sm = template;
        limit_to_capacity(layer, hw, bind, &mut sm);
        return Ok(vec![sm]);
    }
    // Candidates per OA dim to fill, from its hint (all layer dims by default).
    let mut per_dim: Vec<Vec<Vec<(String, u64)>>> = Vec::new();
    for &oa in &to_fill {
        let oa_name = &hw.oa_names[oa];
        let hint: Vec<String> = entry
            .spatial_mapping_hint
            .iter()
            .find(|(o, _)| o == oa_name)
            .map(|(_, h)| h.clone())
            .filter(|h| h.iter().any(|d| layer.dim_id(d).is_some()))
            .unwrap_or_else(|| layer.dim_names.clone());
        let mut cands: Vec<Vec<(String, u64)>> = Vec::new();
        for d in &hint {
            let Some(di) = layer.dim_id(d) else { continue };
            for f in divisors_desc(max[oa][di as usize]) {
                cands.push(vec![(d.clone(), f)]);
            }
        }
        if opts.mixed {
            let pools: Vec<Vec<u64>> = hint
                .iter()
                .map(|d| match layer.dim_id(d) {
                    Some(di) => {
                        let mut v = divisors_desc(max[oa][di as usize]);
                        v.reverse();
                        v.retain(|&x| x > 1);
                        v
                    }
                    None => vec![0],
                })
                .collect();
            for n in 2..=hint.len() {
                for combo in combinations(hint.len(), n) {
                    let mut idx = vec![0usize; n];
                    'prod: loop {
                        if combo.iter().all(|&c| !pools[c].is_empty()) {
                            let cand: Vec<(String, u64)> =
                                combo.iter().zip(&idx).map(|(&c, &i)| (hint[c].clone(), pools[c][i])).collect();
                            let util: u64 = cand.iter().map(|e| e.1).product();
                            if util <= hw.oa_sizes[oa] {
                                cands.push(cand);
                            }
                        } else {
                            break 'prod;
                        }
                        // advance odometer (last fastest)
                        let mut k = n;
                        loop {
                            if k == 0 {
                                break 'prod;
                            }
                            k -= 1;
                            idx[k] += 1;
                            if idx[k] < pools[combo[k]].len() {
                                break;
                            }
                            idx[k] = 0;
                        }
                    }
                }
            }
        }
        per_dim.push(cands);
    }
    let mut valid: Vec<(f64, UserSpatial)> = Vec::new();
    let mut idx = vec![0usize; per_dim.len()];
    if per_dim.iter().all(|c| !c.is_empty()) {
        'outer: loop {
            let mut sm = template.clone();
            for (k, &oa) in to_fill.iter().enumerate() {
                sm.push((hw.oa_names[oa].clone(), per_dim[k][idx[k]].clone()));
            }
            if is_valid(layer, hw, &sm, &max) {
                valid.push((performance_indicator(layer, &sm), sm));
            }
            let mut k = per_dim.len();
            loop {
                if k == 0 {
                    break 'outer;
                }
                k -= 1;
                idx[k] += 1;
                if idx[k] < per_dim[k].len() {
                    break;
                }
                idx[k] = 0;
            }
        }
    }
    if valid.is_empty() {
        return Err(mapping_err(layer, "no valid spatial mapping could be generated".into()));
    }
    valid.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    let mut out: Vec<UserSpatial> = valid.into_iter().take(opts.nb_mappings.max(1)).map(|(_, s)| s).collect();
    for sm in out.iter_mut() {
        limit_to_capacity(layer, hw, bind, sm);
    }
    Ok(out)
}

fn combinations(n: usize, k: usize) -> Vec<SmallVec<[usize; 4]>> {
    let mut out = Vec::new();
    if k > n || k == 0 {
        return out;
    }
    let mut c: SmallVec<[usize; 4]> = (0..k).collect();
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
