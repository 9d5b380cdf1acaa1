//! NSGA-II selection (DEAP's `selNSGA2`): non-dominated sorting and crowding distance.

/// Pareto dominance, all objectives minimised.
pub(super) fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

/// Non-dominated sorting (DEAP's `sortNondominated`): individuals with equal fitness are grouped
/// (first-appearance order); fronts are built until at least `min(k, n)` individuals are sorted.
/// Returns positions into `fits`.
pub(super) fn sort_nondominated(fits: &[&[f64]], k: usize) -> Vec<Vec<usize>> {
    if fits.is_empty() || k == 0 {
        return Vec::new();
    }
    // Unique fitness values and their individuals.
    let mut keys: Vec<&[f64]> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, f) in fits.iter().enumerate() {
        match keys.iter().position(|k| k == f) {
            Some(u) => members[u].push(i),
            None => {
                keys.push(f);
                members.push(vec![i]);
            }
        }
    }
    let n = keys.len();
    let mut dominated_by_count = vec![0usize; n];
    let mut dominates_list: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut current: Vec<usize> = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if dominates(keys[i], keys[j]) {
                dominated_by_count[j] += 1;
                dominates_list[i].push(j);
            } else if dominates(keys[j], keys[i]) {
                dominated_by_count[i] += 1;
                dominates_list[j].push(i);
            }
        }
        if dominated_by_count[i] == 0 {
            current.push(i);
        }
    }
    let mut fronts: Vec<Vec<usize>> = vec![current.iter().flat_map(|&u| members[u].iter().copied()).collect()];
    let mut sorted = fronts[0].len();
    let target = k.min(fits.len());
    while sorted < target {
        let mut next = Vec::new();
        let mut front = Vec::new();
        for &p in &current {
            for &d in &dominates_list[p] {
                dominated_by_count[d] -= 1;
                if dominated_by_count[d] == 0 {
                    next.push(d);
                    sorted += members[d].len();
                    front.extend(members[d].iter().copied());
                }
            }
        }
        fronts.push(front);
        current = next;
    }
    fronts
}

/// Crowding distance of each member of a front (DEAP's `assignCrowdingDist`: one stable sort per
/// objective, each starting from the previous order).
#[allow(clippy::needless_range_loop)] // `o` indexes the members' objective vectors
pub(super) fn crowding(front: &[&[f64]]) -> Vec<f64> {
    let mut dist = vec![0.0f64; front.len()];
    if front.is_empty() {
        return dist;
    }
    let nobj = front[0].len();
    let mut crowd: Vec<usize> = (0..front.len()).collect();
    for o in 0..nobj {
        crowd.sort_by(|&a, &b| front[a][o].partial_cmp(&front[b][o]).unwrap_or(std::cmp::Ordering::Equal));
        let (first, last) = (crowd[0], crowd[crowd.len() - 1]);
        dist[first] = f64::INFINITY;
        dist[last] = f64::INFINITY;
        if front[last][o] == front[first][o] {
            continue;
        }
        let norm = nobj as f64 * (front[last][o] - front[first][o]);
        for w in crowd.windows(3) {
            dist[w[1]] += (front[w[2]][o] - front[w[0]][o]) / norm;
        }
    }
    dist
}

/// NSGA-II selection of `k` individuals (DEAP's `selNSGA2`); `None` fitness = infeasible, ranked last.
/// Returns positions into `fits`.
pub(super) fn select_nsga2(fits: &[Option<&[f64]>], k: usize) -> Vec<usize> {
    let feasible: Vec<usize> = (0..fits.len()).filter(|&i| fits[i].is_some()).collect();
    let infeasible: Vec<usize> = (0..fits.len()).filter(|&i| fits[i].is_none()).collect();
    let ff: Vec<&[f64]> = feasible.iter().map(|&i| fits[i].unwrap_or(&[])).collect();
    let mut fronts: Vec<Vec<usize>> =
        sort_nondominated(&ff, k).into_iter().map(|f| f.into_iter().map(|p| feasible[p]).collect()).collect();
    if feasible.len() < k && !infeasible.is_empty() {
        fronts.push(infeasible);
    }
    let Some(last) = fronts.pop().filter(|l| !l.is_empty()) else { return fronts.into_iter().flatten().collect() };
    let mut chosen: Vec<usize> = fronts.into_iter().flatten().collect();
    let rest = k.saturating_sub(chosen.len());
    if rest > 0 {
        let dist: Vec<f64> = if fits[last[0]].is_some() {
            crowding(&last.iter().map(|&i| fits[i].unwrap_or(&[])).collect::<Vec<_>>())
        } else {
            vec![0.0; last.len()]
        };
        let mut idx: Vec<usize> = (0..last.len()).collect();
        idx.sort_by(|&a, &b| dist[b].partial_cmp(&dist[a]).unwrap_or(std::cmp::Ordering::Equal));
        chosen.extend(idx.into_iter().take(rest).map(|p| last[p]));
    }
    chosen
}
