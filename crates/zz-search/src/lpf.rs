//! Loop prime factors (LPFs): the temporal loops split into prime factors, merged down to
//! `lpf_limit` factors with the reference's rule (largest-count dim first, two smallest
//! factors multiplied).

/// Prime factorisation: distinct primes ascending with multiplicities.
pub fn factorize(mut n: u64) -> Vec<(u64, u32)> {
    let mut out = Vec::new();
    let mut p = 2;
    while p * p <= n {
        let mut c = 0;
        while n.is_multiple_of(p) {
            n /= p;
            c += 1;
        }
        if c > 0 {
            out.push((p, c));
        }
        p += 1;
    }
    if n > 1 {
        out.push((n, 1));
    }
    out
}

/// LPFs of temporal loops `(dim, size)` (definition order), limited to `max(limit, #dims)` factors.
/// Returns `(dim, factor)` per LPF: dims in order, factors ascending with multiplicity.
/// Without temporal loops, the single LPF `(fallback_dim, 1)`.
///
/// ```
/// use zz_search::lpf::loop_prime_factors;
/// // OX = 112 = 2^4 * 7 with room for only one factor becomes one loop of 112.
/// assert_eq!(loop_prime_factors(&[(0u8, 112)], Some(1), 0), vec![(0, 112)]);
/// ```
pub fn loop_prime_factors<D: Copy + PartialEq>(
    temporal: &[(D, u64)],
    limit: Option<usize>,
    fallback_dim: D,
) -> Vec<(D, u64)> {
    if temporal.is_empty() {
        return vec![(fallback_dim, 1)];
    }
    let mut table: Vec<(D, Vec<(u64, u32)>)> = temporal.iter().map(|&(d, s)| (d, factorize(s))).collect();
    let mut count_sum: Vec<u32> = table.iter().map(|(_, f)| f.iter().map(|x| x.1).sum()).collect();
    let mut total: usize = count_sum.iter().map(|&c| c as usize).sum();
    if let Some(lim) = limit {
        let lim = lim.max(temporal.len());
        while total > lim {
            // first dim with the largest count sum
            let mut md = 0;
            for k in 1..count_sum.len() {
                if count_sum[k] > count_sum[md] {
                    md = k;
                }
            }
            let f = &mut table[md].1;
            let (a, b) = if f[0].1 >= 2 {
                (0, 0)
            } else if f.len() > 1 {
                (0, 1)
            } else {
                (0, 0)
            };
            let new = f[a].0 * f[b].0;
            f[a].1 -= 1;
            f[b].1 -= 1;
            if let Some(e) = f.iter_mut().find(|e| e.0 == new) {
                e.1 += 1;
            } else {
                let pos = f.iter().filter(|e| e.0 < new).count();
                f.insert(pos, (new, 1));
            }
            f.retain(|e| e.1 != 0);
            count_sum[md] -= 1;
            total -= 1;
        }
    }
    let mut out = Vec::with_capacity(total);
    for (d, f) in &table {
        for &(p, c) in f {
            for _ in 0..c {
                out.push((*d, p));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples() {
        // {K:16, OY:112, OX:112, FY:7, FX:7}, limit 6 -> K16 OY112 OX7 OX16 FY7 FX7
        let t = [("K", 16), ("OY", 112), ("OX", 112), ("FY", 7), ("FX", 7)];
        let got = loop_prime_factors(&t, Some(6), "B");
        assert_eq!(got, vec![("K", 16), ("OY", 112), ("OX", 7), ("OX", 16), ("FY", 7), ("FX", 7)]);
        // {K:360, OX:7}, limit 6 -> K2 K3 K3 K4 K5 OX7 ; limit 4 -> K5 K6 K12 OX7
        let t = [("K", 360), ("OX", 7)];
        assert_eq!(
            loop_prime_factors(&t, Some(6), "B"),
            vec![("K", 2), ("K", 3), ("K", 3), ("K", 4), ("K", 5), ("OX", 7)]
        );
        assert_eq!(loop_prime_factors(&t, Some(4), "B"), vec![("K", 5), ("K", 6), ("K", 12), ("OX", 7)]);
        // {D0:16, D1:16, D2:16}, limit 6 -> two 4s per dim
        let t = [("D0", 16), ("D1", 16), ("D2", 16)];
        assert_eq!(loop_prime_factors(&t, Some(6), "B").len(), 6);
        assert_eq!(loop_prime_factors(&t, Some(3), "B"), vec![("D0", 16), ("D1", 16), ("D2", 16)]);
    }
}
