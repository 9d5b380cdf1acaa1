//! A layer's intra- and inter-core tiling, normalised into CN loop ranges.

use super::*;

/// One layer's tiling after normalisation (and the possibly rounded-up loop sizes).
pub(super) struct Normalised {
    pub(super) sizes: Vec<(String, u64)>,
    pub(super) intra: Vec<(String, u64)>,
    pub(super) inter: Vec<(String, Option<u64>)>,
}

pub(super) fn normalise_tiling(
    name: &str,
    op_type: &str,
    sizes: &[(String, u64)],
    intra_in: &[(String, TilingFactor)],
    inter_in: &[(String, TilingFactor)],
    mode: Mode,
    stack_size: usize,
) -> Result<Normalised, CnError> {
    let mut sizes = sizes.to_vec();
    let mut intra: Vec<(String, u64)> = Vec::new();
    for (dim, f) in intra_in {
        let Some(size) = size_in(&sizes, dim) else { continue };
        let nf = match *f {
            TilingFactor::All => size,
            TilingFactor::Wildcard => return Err(cn_err(name, "intra core tiling should be an integer or `all`")),
            TilingFactor::N(n) if size < n => size,
            TilingFactor::N(n) if size % n != 0 => {
                // reference quirk: the layer itself is enlarged to a multiple of the factor.
                let new = size.div_ceil(n) * n;
                if let Some(e) = sizes.iter_mut().find(|(d, _)| d == dim) {
                    e.1 = new;
                }
                n
            }
            TilingFactor::N(n) => n,
        };
        intra.push((dim.clone(), nf));
    }
    if intra.is_empty() && mode == Mode::Fused {
        let mut dim = fusion_partition_dim(op_type).to_string();
        if size_in(&sizes, &dim).is_none() {
            match sizes.iter().find(|(d, _)| d != "B" && d != "G") {
                Some((d, _)) => dim = d.clone(),
                None => return Err(cn_err(name, "no dimension to tile for fusion")),
            }
        }
        let s = size_in(&sizes, &dim).unwrap_or(1).min(2);
        intra.push((dim, s));
    }
    if stack_size == 1 {
        intra.clear();
    }
    let mut inter: Vec<(String, Option<u64>)> = Vec::new();
    for (dim, f) in inter_in {
        let Some(size) = size_in(&sizes, dim) else { continue };
        let nf = match *f {
            TilingFactor::Wildcard => None,
            // `all` is not valid in the reference here (it asserts later); use the dim size.
            TilingFactor::All => Some(size),
            TilingFactor::N(n) => Some(n.min(size)),
        };
        inter.push((dim.clone(), nf));
    }
    if inter.is_empty() {
        let dim = ["G", "H", "K"]
            .iter()
            .find(|d| size_in(&sizes, d).is_some_and(|s| s > 1))
            .map(|d| d.to_string())
            .or_else(|| sizes.first().map(|(d, _)| d.clone()))
            .ok_or_else(|| cn_err(name, "layer without dimensions"))?;
        inter.push((dim, Some(1)));
    }
    Ok(Normalised { sizes, intra, inter })
}

/// Ranges of the derived dims from the loop ranges (`calculate_pr_loop_ranges`).
pub(super) fn pr_ranges(layer: &Layer, ranges: &[(String, Range)]) -> Vec<(String, Range)> {
    let mut out: Vec<(String, Range)> = Vec::new();
    // pr_scaling_factors: one entry per derived dim, the last relation wins, first position kept.
    let mut rels: Vec<&zz_ir::workload::DimensionRelation> = Vec::new();
    for r in &layer.relations {
        match rels.iter_mut().find(|x| x.derived == r.derived) {
            Some(x) => *x = r,
            None => rels.push(r),
        }
    }
    for r in rels {
        let pb = layer.padding.iter().find(|(n, _)| *n == r.derived).map(|(_, v)| v.0).unwrap_or(0);
        let get = |d: &str| ranges.iter().find(|(x, _)| x == d).map(|(_, v)| *v).unwrap_or((0, 1));
        let (a, b) = (get(&r.a), get(&r.b));
        let lo = -pb + r.coef_a as i64 * a.0 + r.coef_b as i64 * b.0;
        let hi = -pb + r.coef_a as i64 * (a.1 - 1) + r.coef_b as i64 * (b.1 - 1) + 1;
        out.push((r.derived.clone(), (lo, hi)));
    }
    out
}
