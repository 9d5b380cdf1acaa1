//! The starting allocation handed to the MILP solver (beyond the reference: Gurobi starts
//! without one). It changes no optimum; it only means that a node- or time-limited solve always
//! has an allocation to return, and a good one on models too large to be solved to optimality
//! (e.g. 36 cores). Built from two constructions (every layer on as many cores as it may use;
//! the layers pipelined on disjoint core blocks), each improved by a deterministic local search
//! priced with the reference's objective, and written as the model's discrete variables with
//! identical cores in the order the symmetry rows demand.

use super::milp::{MilpInput, Vars, identical};

/// A discrete allocation: the core indices (into `MilpInput::cores`) of each layer group and
/// the slot of each node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Core indices per group (`MilpInput::groups` order), ascending.
    pub cores: Vec<Vec<usize>>,
    /// Slot per node.
    pub slot: Vec<usize>,
}

/// Cores group `g` may use when split `p` ways.
fn allowed(inp: &MilpInput, g: usize, p: usize) -> Vec<usize> {
    (0..inp.cores.len()).filter(|&c| inp.groups[g].iter().all(|&i| inp.split_ok[i][c][p - 1])).collect()
}

/// The group (`MilpInput::groups` index) of each node.
fn group_of(inp: &MilpInput) -> Vec<usize> {
    let mut of = vec![0usize; inp.nodes.len()];
    for (g, members) in inp.groups.iter().enumerate() {
        for &i in members {
            of[i] = g;
        }
    }
    of
}

/// The model's objective (`it · lat_iter − (it − 1) · idle_min`) of an allocation, or `None`
/// when it breaks a constraint (split, allowed cores, dependencies, one node per core and slot,
/// core capacity).
pub fn price(inp: &MilpInput, a: &Allocation) -> Option<i64> {
    price_grouped(inp, &group_of(inp), a)
}

/// [`price`] with the node → group map given (the local search's inner loop).
fn price_grouped(inp: &MilpInput, group_of: &[usize], a: &Allocation) -> Option<i64> {
    let n = inp.nodes.len();
    let nc = inp.cores.len();
    let mut busy = vec![vec![false; n]; nc];
    let mut lat_slot = vec![0i64; n];
    for (i, &g) in group_of.iter().enumerate() {
        let cores = &a.cores[g];
        let k = cores.len();
        let s = a.slot[i];
        if k == 0 || s >= n {
            return None;
        }
        for &c in cores {
            if !inp.split_ok[i][c][k - 1] || busy[c][s] {
                return None;
            }
            busy[c][s] = true;
            lat_slot[s] = lat_slot[s].max(inp.lat[i][c][k - 1]);
        }
    }
    if inp.deps.iter().any(|&(p, q)| a.slot[q] <= a.slot[p]) {
        return None;
    }
    let total: u64 = inp.weights.iter().sum();
    for c in 0..nc {
        if total as f64 <= inp.caps[c] {
            continue;
        }
        let load: u64 = (0..n)
            .filter(|&i| a.cores[group_of[i]].contains(&c))
            .map(|i| inp.weights[i].div_ceil(a.cores[group_of[i]].len() as u64))
            .sum();
        if load as f64 > inp.caps[c] {
            return None;
        }
    }
    let lat_iter: i64 = lat_slot.iter().sum();
    let idle_min = (0..nc)
        .map(|c| match (busy[c].iter().position(|&b| b), busy[c].iter().rposition(|&b| b)) {
            (Some(first), Some(last)) => {
                lat_slot[..first].iter().sum::<i64>() + lat_slot[last + 1..].iter().sum::<i64>()
            }
            _ => 2 * lat_iter,
        })
        .min()
        .unwrap_or(0);
    let it = inp.iterations as i64;
    Some(it * lat_iter - (it - 1) * idle_min)
}

/// Every node in its own slot, in dependency order (ties by node index).
fn topological_slots(inp: &MilpInput) -> Option<Vec<usize>> {
    let n = inp.nodes.len();
    let mut indeg = vec![0usize; n];
    for &(_, q) in &inp.deps {
        indeg[q] += 1;
    }
    let mut slot = vec![usize::MAX; n];
    for s in 0..n {
        let i = (0..n).find(|&i| slot[i] == usize::MAX && indeg[i] == 0)?;
        slot[i] = s;
        for &(p, q) in &inp.deps {
            if p == i {
                indeg[q] -= 1;
            }
        }
    }
    Some(slot)
}

/// The largest split of group `g` with enough allowed cores.
fn max_split(inp: &MilpInput, g: usize) -> Option<usize> {
    (1..=inp.cores.len()).rev().find(|&p| allowed(inp, g, p).len() >= p)
}

/// Every layer split over as many cores as it may use (the lowest allowed ones).
fn widest(inp: &MilpInput, slot: &[usize]) -> Option<Allocation> {
    let cores = (0..inp.groups.len())
        .map(|g| {
            let p = max_split(inp, g)?;
            Some(allowed(inp, g, p).into_iter().take(p).collect())
        })
        .collect::<Option<Vec<Vec<usize>>>>()?;
    Some(Allocation { cores, slot: slot.to_vec() })
}

/// The layers on consecutive disjoint blocks of cores, each block sized by the layer's share of
/// the single-core work (at least one core).
fn pipelined(inp: &MilpInput, slot: &[usize]) -> Option<Allocation> {
    let nc = inp.cores.len();
    let work: Vec<f64> = inp
        .groups
        .iter()
        .map(|g| g.iter().map(|&i| inp.lat[i].iter().map(|l| l[0]).max().unwrap_or(0) as f64).sum::<f64>().max(1.0))
        .collect();
    let total: f64 = work.iter().sum();
    let mut next = 0usize;
    let mut cores = Vec::with_capacity(inp.groups.len());
    for (g, w) in work.iter().enumerate() {
        let pmax = max_split(inp, g)?;
        let p = ((w / total * nc as f64).floor() as usize).clamp(1, pmax);
        let list = allowed(inp, g, p);
        if list.len() < p {
            return None;
        }
        let at = list.iter().position(|&c| c >= next % nc).unwrap_or(0).min(list.len() - p);
        cores.push(list[at..at + p].to_vec());
        next = list[at + p - 1] + 1;
    }
    Some(Allocation { cores, slot: slot.to_vec() })
}

/// Renumbers slots so that the used ones come first (order kept; an empty slot costs nothing).
fn compact(a: &mut Allocation) {
    let mut used: Vec<usize> = a.slot.clone();
    used.sort_unstable();
    used.dedup();
    for s in a.slot.iter_mut() {
        *s = used.binary_search(s).unwrap_or(0);
    }
}

/// Most allocations one local search prices (a deterministic bound of its time: a few seconds
/// on the largest models).
const EVALUATIONS: usize = 1_000_000;

/// Deterministic hill climbing: each layer's core window (split and position in its allowed
/// cores), then each node's slot; the first improving move is taken, until none improves (or
/// [`EVALUATIONS`] allocations were priced).
fn improve(inp: &MilpInput, mut a: Allocation, mut cost: i64) -> (Allocation, i64) {
    let n = inp.nodes.len();
    let mut budget = EVALUATIONS;
    let groups = group_of(inp);
    let mut priced = |a: &Allocation| {
        budget = budget.saturating_sub(1);
        (budget > 0).then(|| price_grouped(inp, &groups, a)).flatten()
    };
    // Keeps the allocation `a` after a move if it prices lower, else restores `undo`.
    let mut keep_if_better = |a: &mut Allocation, cost: &mut i64, undo: Allocation| match priced(a) {
        Some(c) if c < *cost => {
            *cost = c;
            true
        }
        _ => {
            *a = undo;
            false
        }
    };
    loop {
        let mut improved = false;
        for g in 0..inp.groups.len() {
            let pmax = max_split(inp, g).unwrap_or(1);
            for p in 1..=pmax {
                let list = allowed(inp, g, p);
                if list.len() < p {
                    continue;
                }
                for at in 0..=list.len() - p {
                    if list[at..at + p] == a.cores[g][..] {
                        continue;
                    }
                    let undo = a.clone();
                    a.cores[g] = list[at..at + p].to_vec();
                    improved |= keep_if_better(&mut a, &mut cost, undo);
                }
            }
        }
        for i in 0..n {
            for s in 0..n {
                if s == a.slot[i] {
                    continue;
                }
                let undo = a.clone();
                a.slot[i] = s;
                improved |= keep_if_better(&mut a, &mut cost, undo);
            }
        }
        if !improved {
            break;
        }
    }
    compact(&mut a);
    (a, cost)
}

/// The best allocation the constructions and the local search find, with its objective.
pub fn best_allocation(inp: &MilpInput) -> Option<(Allocation, i64)> {
    let slot = topological_slots(inp)?;
    let mut best: Option<(Allocation, i64)> = None;
    for a in [widest(inp, &slot), pipelined(inp, &slot)].into_iter().flatten() {
        let Some(cost) = price(inp, &a) else { continue };
        let (a, cost) = improve(inp, a, cost);
        if best.as_ref().is_none_or(|b| cost < b.1) {
            best = Some((a, cost));
        }
    }
    best
}

/// Identical cores reordered so that their CN sets decrease lexicographically (earlier nodes
/// first), as the model's symmetry rows require; the objective is unchanged.
fn canonical(inp: &MilpInput, a: &Allocation) -> Vec<Vec<bool>> {
    let n = inp.nodes.len();
    let nc = inp.cores.len();
    let group_of = group_of(inp);
    let on: Vec<Vec<bool>> = (0..nc).map(|c| (0..n).map(|i| a.cores[group_of[i]].contains(&c)).collect()).collect();
    let mut out = on.clone();
    let mut seen = vec![false; nc];
    for c in 0..nc {
        if seen[c] {
            continue;
        }
        let class: Vec<usize> = (c..nc).filter(|&d| !seen[d] && identical(inp, c, d)).collect();
        for &d in &class {
            seen[d] = true;
        }
        let mut sets: Vec<Vec<bool>> = class.iter().map(|&d| on[d].clone()).collect();
        sets.sort_by(|x, y| y.cmp(x));
        for (&d, set) in class.iter().zip(sets) {
            out[d] = set;
        }
    }
    out
}

/// The starting point as model columns, with its objective: the discrete variables of
/// [`best_allocation`], the continuous ones `f64::INFINITY` (HiGHS completes them with one LP).
/// `None` when no construction gives a feasible allocation.
pub fn start_solution(inp: &MilpInput, vars: &Vars, ncols: usize) -> Option<(Vec<f64>, i64)> {
    let (a, cost) = best_allocation(inp)?;
    let n = inp.nodes.len();
    let nc = inp.cores.len();
    let on = canonical(inp, &a);
    let b = |v: bool| f64::from(u8::from(v));
    let mut x = vec![f64::INFINITY; ncols];
    for i in 0..n {
        let k = (0..nc).filter(|&c| on[c][i]).count();
        for p in 1..=nc {
            x[vars.k_vec[i][p - 1]] = b(k == p);
        }
        for s in 0..n {
            x[vars.slot_asgn[s][i]] = b(a.slot[i] == s);
        }
        for c in 0..nc {
            x[vars.core_asgn[c][i]] = b(on[c][i]);
            for s in 0..n {
                x[vars.asgn[c][s][i]] = b(on[c][i] && a.slot[i] == s);
            }
        }
    }
    for c in 0..nc {
        for s in 0..n {
            x[vars.idle_start[c][s]] = b(!(0..n).any(|i| on[c][i] && a.slot[i] <= s));
            x[vars.idle_end[c][s]] = b(!(0..n).any(|i| on[c][i] && a.slot[i] >= s));
        }
    }
    Some((x, cost))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two CNs of two layers on four identical cores; layer 0 held to a split of 2 (only
    /// `split_ok[..][..][1]` true, as `hold_splits` leaves it), layer 1 free.
    fn held_input() -> MilpInput {
        let nc = 4;
        let lat = |base: i64| (0..nc).map(|_| (1..=nc).map(|p| base / p as i64).collect()).collect();
        MilpInput {
            nodes: vec![0, 1],
            ids: vec![(0, 0), (1, 0)],
            cores: vec![0, 1, 2, 3],
            lat: vec![lat(1200), lat(400)],
            split_ok: vec![vec![vec![false, true, false, false]; nc], vec![vec![true; nc]; nc]],
            deps: vec![(0, 1)],
            groups: vec![vec![0], vec![1]],
            weights: vec![0, 0],
            caps: vec![1e6; nc],
            iterations: 10,
        }
    }

    #[test]
    fn a_held_split_is_kept_and_the_search_prices_every_move() {
        let inp = held_input();
        let (a, cost) = best_allocation(&inp).expect("a feasible start");
        assert_eq!(a.cores[0].len(), 2, "{a:?}");
        assert_eq!(price(&inp, &a), Some(cost));
        // Layer 0 may not use one core: pricing such an allocation fails.
        let mut bad = a.clone();
        bad.cores[0] = vec![0];
        assert_eq!(price(&inp, &bad), None);
        // The consumer must come after its producer.
        let mut late = a.clone();
        late.slot = vec![1, 0];
        assert_eq!(price(&inp, &late), None);
    }
}
