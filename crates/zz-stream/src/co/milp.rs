//! The steady-state allocation MILP of Stream's `ComputeAllocator`, linearised.
//!
//! Constants (§5.2 of the spec): split latencies `int(L / min(p_t, p))` from the cost table's
//! `latency_total1` (`p_t` = temporal extent of the inter-core dimension in the output's
//! temporal mapping), the allowed splits, dependencies, per-layer groups, weights (I2
//! constant operands, counted on a layer's first CN) and per-core I2 capacities.
//!
//! The reference's quadratic and max/min constraints are replaced by exact linear forms:
//! * `slot_asgn·Σ_c asgn = slot_asgn·k_splits` ⇔ `asgn[c,s,n] ≤ slot_asgn[s,n]`;
//! * `lat_slot = max_c Σ_n lat_id_core·asgn` ⇔ `lat_slot[s] ≥ lat_id_core[n,c] − U(1 − asgn[c,s,n])`
//!   (at most one CN per core and slot; the objective strictly increases with every `lat_slot`,
//!   so the bound is tight at an optimum), `U` = the largest latency of `n` on `c`;
//! * `idle_sum = Σ_s (idle_start + idle_end)·lat_slot` and `idle_min = min_c idle_sum` ⇔
//!   `y ≤ lat_slot`, `y ≤ U_max·idle` and `idle_min ≤ Σ_s y` (maximised through the objective);
//! * `w_split·k_splits ≥ w` and `w_core ≥ Σ w_split·core_asgn` ⇔ `wc[c,n] ≥ Σ_p ⌈w/p⌉·k_vec[n,p] −
//!   w(1 − core_asgn[c,n])`, `Σ_n wc[c,n] ≤ cap[c]`;
//! * the idle indicators keep the reference's meaning (`idle_start ⇔` nothing on the core up to
//!   the slot, `idle_end ⇔` everything on it before the slot) with big-M `N`.

// The constraint families are written over the MILP's index sets (core, slot, CN) as in the spec.
#![allow(clippy::needless_range_loop)]

use crate::cn::CnGraph;
use crate::cost::CostTable;
use zz_cost::LayerInfo;
use zz_ir::accelerator::MemOperand;
use zz_ir::stream::accelerator::StreamAccelerator;

use super::CoError;

/// The MILP's constants.
#[derive(Clone, Debug, PartialEq)]
pub struct MilpInput {
    /// Steady-state CNs (CN indices), sorted by `(layer, sub_id)`.
    pub nodes: Vec<usize>,
    /// `(layer id, sub id)` of each node.
    pub ids: Vec<(usize, usize)>,
    /// Core ids, every non-off-chip core, ordered as the strings `"Core <id>"`.
    pub cores: Vec<usize>,
    /// `lat[n][c][p-1]` (0 where impossible: reference quirk).
    pub lat: Vec<Vec<Vec<i64>>>,
    /// `split_ok[n][c][p-1]`.
    pub split_ok: Vec<Vec<Vec<bool>>>,
    /// Dependencies `(producer, consumer)` as node indices.
    pub deps: Vec<(usize, usize)>,
    /// Nodes per layer, ascending layer id.
    pub groups: Vec<Vec<usize>>,
    /// Weight bits per node (the first node of each layer carries the layer's).
    pub weights: Vec<u64>,
    /// I2 top-memory capacity per core (1e11 when there is a single node).
    pub caps: Vec<f64>,
    /// Steady-state iterations.
    pub iterations: u64,
}

/// Builds the constants of one stack's MILP.
pub fn constants(
    graph: &CnGraph,
    costs: &CostTable,
    acc: &StreamAccelerator,
    ss_cns: &[usize],
    iterations: usize,
) -> Result<MilpInput, CoError> {
    let mut cores: Vec<usize> = acc.cores.iter().map(|c| c.id).filter(|&c| c != acc.offchip_core_id).collect();
    // reference quirk: cores are indexed by the strings "Core <id>", sorted as strings.
    cores.sort_by_key(|c| format!("Core {c}"));
    let nc = cores.len();
    let nodes = ss_cns.to_vec();
    let ids: Vec<(usize, usize)> = nodes.iter().map(|&i| (graph.cns[i].id, graph.cns[i].sub_id)).collect();
    let mut lat = Vec::with_capacity(nodes.len());
    let mut split_ok = Vec::with_capacity(nodes.len());
    for &cn in &nodes {
        let tl = &graph.layers[graph.cns[cn].layer];
        let info = LayerInfo::new(&tl.tile_layer).map_err(|e| CoError::Model(format!("layer {}: {e}", tl.name)))?;
        let dims: Vec<u8> = tl.inter_core_tiling.iter().filter_map(|(d, _)| info.dim_id(d)).collect();
        let mut base: Vec<Option<(f64, u64)>> = Vec::with_capacity(nc);
        for &c in &cores {
            base.push(costs.get(cn, c).map(|cc| {
                let cme = &cc.cme;
                let o = cme.operands.iter().position(|x| x == "O").unwrap_or(0);
                let p_t: f64 = cme.temporal.levels[o]
                    .iter()
                    .flat_map(|lv| lv.iter())
                    .filter(|l| dims.contains(&l.dim))
                    .map(|l| l.size)
                    .product();
                (cme.eval.latency_total1, p_t as u64)
            }));
        }
        let possible = base.iter().filter(|b| b.is_some()).count();
        // Beyond the reference: a layer cannot be split more ways than its split dimensions have
        // elements (CN generation caps the split there, so more cores would get no group).
        let max_split: u64 = tl
            .inter_core_tiling
            .iter()
            .map(|(d, _)| tl.layer_dim_sizes.iter().find(|(x, _)| x == d).map_or(1, |(_, s)| *s))
            .product::<u64>()
            .max(1);
        let mut l_n = Vec::with_capacity(nc);
        let mut ok_n = Vec::with_capacity(nc);
        for b in &base {
            let mut l_c = vec![0i64; nc];
            let mut ok_c = vec![false; nc];
            if let Some((l, p_t)) = b {
                for p in 1..=nc {
                    if p <= possible && p as u64 <= max_split {
                        l_c[p - 1] = (l / (*p_t).min(p as u64).max(1) as f64) as i64;
                        ok_c[p - 1] = true;
                    }
                }
            }
            l_n.push(l_c);
            ok_n.push(ok_c);
        }
        lat.push(l_n);
        split_ok.push(ok_n);
    }
    let pos = |cn: usize| nodes.iter().position(|&x| x == cn);
    let mut deps = Vec::new();
    for e in &graph.edges {
        if let (Some(a), Some(b)) = (pos(e.src), pos(e.dst))
            && !deps.contains(&(a, b))
        {
            deps.push((a, b));
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut glayer: Vec<usize> = Vec::new();
    for (k, &(l, _)) in ids.iter().enumerate() {
        match glayer.iter().position(|&x| x == l) {
            Some(g) => groups[g].push(k),
            None => {
                glayer.push(l);
                groups.push(vec![k]);
            }
        }
    }
    let mut weights = vec![0u64; nodes.len()];
    for g in &groups {
        let bits = |k: usize| -> u64 {
            let c = &graph.cns[nodes[k]];
            let tl = &graph.layers[c.layer];
            c.tensors
                .iter()
                .filter(|t| t.operand == "W" && tl.constant_operands.contains(&t.operand))
                .map(|t| t.size_bits)
                .sum()
        };
        weights[g[0]] = bits(g[0]);
        for &k in &g[1..] {
            if bits(k) != weights[g[0]] {
                return Err(CoError::Model(format!(
                    "CNs of layer {} have different weight sizes ({} vs {} bits); the reference asserts equal sizes",
                    ids[k].0,
                    bits(k),
                    weights[g[0]]
                )));
            }
        }
    }
    let mut caps = Vec::with_capacity(nc);
    for &c in &cores {
        let core = &acc.cores[c];
        let top = core.accelerator.memories.iter().rev().find(|m| m.operands.contains(&MemOperand::I2));
        caps.push(top.map(|m| m.size as f64).unwrap_or(0.0));
    }
    if nodes.len() == 1 {
        caps = vec![1e11; nc];
    }
    Ok(MilpInput { nodes, ids, cores, lat, split_ok, deps, groups, weights, caps, iterations: iterations as u64 })
}

/// A column of the linear model.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Name (for messages and debugging).
    pub name: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// Integer (binary when the bounds are 0/1).
    pub integer: bool,
    /// Objective coefficient.
    pub cost: f64,
}

/// A row `lo ≤ Σ coef·x ≤ hi`.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Constraint family (for infeasibility messages).
    pub family: &'static str,
    /// Bounds.
    pub lo: f64,
    /// Bounds.
    pub hi: f64,
    /// Coefficients.
    pub coefs: Vec<(usize, f64)>,
}

/// A solver-neutral MILP (minimisation).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    /// Columns.
    pub cols: Vec<Column>,
    /// Rows.
    pub rows: Vec<Row>,
}

impl Model {
    fn col(&mut self, name: String, lo: f64, hi: f64, integer: bool) -> usize {
        self.cols.push(Column { name, lo, hi, integer, cost: 0.0 });
        self.cols.len() - 1
    }
    fn row(&mut self, family: &'static str, lo: f64, hi: f64, coefs: Vec<(usize, f64)>) {
        self.rows.push(Row { family, lo, hi, coefs });
    }
}

/// Column indices of the variables read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Vars {
    /// `k_vec[n][p-1]`.
    pub k_vec: Vec<Vec<usize>>,
    /// `core_asgn[c][n]`.
    pub core_asgn: Vec<Vec<usize>>,
    /// `asgn[c][s][n]`.
    pub asgn: Vec<Vec<Vec<usize>>>,
    /// `slot_asgn[s][n]`.
    pub slot_asgn: Vec<Vec<usize>>,
    /// `idle_start[c][s]`.
    pub idle_start: Vec<Vec<usize>>,
    /// `idle_end[c][s]`.
    pub idle_end: Vec<Vec<usize>>,
    /// `total_lat`.
    pub total_lat: usize,
    /// `lat_iter`.
    pub lat_iter: usize,
    /// `idle_min`.
    pub idle_min: usize,
}

/// Builds the linear model; `fixed` optionally fixes each layer's core set (replay).
pub fn build(inp: &MilpInput, fixed: Option<&[(usize, Vec<usize>)]>) -> Result<(Model, Vars), CoError> {
    let n = inp.nodes.len();
    let nc = inp.cores.len();
    let it = inp.iterations as f64;
    let mut m = Model::default();
    let nn = n as f64;
    let umax = inp.lat.iter().flatten().flatten().copied().max().unwrap_or(0).max(0) as f64;
    let k_vec: Vec<Vec<usize>> =
        (0..n).map(|i| (1..=nc).map(|p| m.col(format!("k_vec[{i},{p}]"), 0.0, 1.0, true)).collect()).collect();
    let core_asgn: Vec<Vec<usize>> =
        (0..nc).map(|c| (0..n).map(|i| m.col(format!("core_asgn[{c},{i}]"), 0.0, 1.0, true)).collect()).collect();
    let slot_asgn: Vec<Vec<usize>> =
        (0..n).map(|s| (0..n).map(|i| m.col(format!("slot_asgn[{s},{i}]"), 0.0, 1.0, true)).collect()).collect();
    let asgn: Vec<Vec<Vec<usize>>> = (0..nc)
        .map(|c| {
            (0..n).map(|s| (0..n).map(|i| m.col(format!("asgn[{c},{s},{i}]"), 0.0, 1.0, true)).collect()).collect()
        })
        .collect();
    let lat_id_core: Vec<Vec<usize>> = (0..n)
        .map(|i| (0..nc).map(|c| m.col(format!("lat_id_core[{i},{c}]"), 0.0, f64::INFINITY, false)).collect())
        .collect();
    let lat_slot: Vec<usize> = (0..n).map(|s| m.col(format!("lat_slot[{s}]"), 0.0, umax, false)).collect();
    let idle_start: Vec<Vec<usize>> =
        (0..nc).map(|c| (0..n).map(|s| m.col(format!("idle_start[{c},{s}]"), 0.0, 1.0, true)).collect()).collect();
    let idle_end: Vec<Vec<usize>> =
        (0..nc).map(|c| (0..n).map(|s| m.col(format!("idle_end[{c},{s}]"), 0.0, 1.0, true)).collect()).collect();
    let ys: Vec<Vec<usize>> =
        (0..nc).map(|c| (0..n).map(|s| m.col(format!("ys[{c},{s}]"), 0.0, umax, false)).collect()).collect();
    let ye: Vec<Vec<usize>> =
        (0..nc).map(|c| (0..n).map(|s| m.col(format!("ye[{c},{s}]"), 0.0, umax, false)).collect()).collect();
    let lat_iter = m.col("lat_iter".into(), 0.0, f64::INFINITY, false);
    let idle_min = m.col("idle_min".into(), 0.0, f64::INFINITY, false);
    let total_lat = m.col("total_lat".into(), f64::NEG_INFINITY, f64::INFINITY, false);
    m.cols[total_lat].cost = 1.0;
    // (1) one split per node.
    for i in 0..n {
        m.row("split choice", 1.0, 1.0, k_vec[i].iter().map(|&x| (x, 1.0)).collect());
    }
    // (2) number of cores = split, allowed cores only.
    for i in 0..n {
        let mut coefs: Vec<(usize, f64)> = (0..nc).map(|c| (core_asgn[c][i], 1.0)).collect();
        coefs.extend((0..nc).map(|p| (k_vec[i][p], -((p + 1) as f64))));
        m.row("cores per split", 0.0, 0.0, coefs);
        for c in 0..nc {
            let mut coefs = vec![(core_asgn[c][i], 1.0)];
            coefs.extend((0..nc).filter(|&p| inp.split_ok[i][c][p]).map(|p| (k_vec[i][p], -1.0)));
            m.row("allowed cores", f64::NEG_INFINITY, 0.0, coefs);
        }
    }
    // (3) one slot per node, all its cores in that slot, one node per core and slot.
    for i in 0..n {
        m.row("slot choice", 1.0, 1.0, (0..n).map(|s| (slot_asgn[s][i], 1.0)).collect());
        for c in 0..nc {
            let mut coefs = vec![(core_asgn[c][i], 1.0)];
            coefs.extend((0..n).map(|s| (asgn[c][s][i], -1.0)));
            m.row("core assignment", 0.0, 0.0, coefs);
            for s in 0..n {
                m.row("slot assignment", f64::NEG_INFINITY, 0.0, vec![(asgn[c][s][i], 1.0), (slot_asgn[s][i], -1.0)]);
            }
        }
    }
    for c in 0..nc {
        for s in 0..n {
            m.row("one node per core and slot", f64::NEG_INFINITY, 1.0, (0..n).map(|i| (asgn[c][s][i], 1.0)).collect());
        }
    }
    // (4) the CNs of a layer share their cores.
    for g in &inp.groups {
        for w in g.windows(2) {
            for c in 0..nc {
                m.row("same cores per layer", 0.0, 0.0, vec![(core_asgn[c][w[0]], 1.0), (core_asgn[c][w[1]], -1.0)]);
            }
        }
    }
    // (5) dependencies: consumer in a later slot.
    for &(p, q) in &inp.deps {
        let mut coefs: Vec<(usize, f64)> = (0..n).map(|s| (slot_asgn[s][q], s as f64)).collect();
        coefs.extend((0..n).map(|s| (slot_asgn[s][p], -(s as f64))));
        m.row("dependencies", 1.0, f64::INFINITY, coefs);
    }
    // (6) weights within the I2 capacity.
    let mut wcs: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nc];
    for i in 0..n {
        let w = inp.weights[i] as f64;
        if w == 0.0 {
            continue;
        }
        for (c, wc_c) in wcs.iter_mut().enumerate() {
            // A capacity that holds every weight of the stack cannot bind: no row (exact).
            if inp.weights.iter().sum::<u64>() as f64 <= inp.caps[c] {
                continue;
            }
            let wc = m.col(format!("w_split_on[{c},{i}]"), 0.0, f64::INFINITY, false);
            // wc - Σ_p ceil(w/p) k_vec - w core_asgn >= -w
            let mut coefs = vec![(wc, 1.0), (core_asgn[c][i], -w)];
            coefs.extend((0..nc).map(|p| (k_vec[i][p], -((inp.weights[i]).div_ceil(p as u64 + 1) as f64))));
            m.row("weights per core", -w, f64::INFINITY, coefs);
            wc_c.push((wc, 1.0));
        }
    }
    for (c, coefs) in wcs.into_iter().enumerate() {
        if !coefs.is_empty() {
            m.row("core capacity", f64::NEG_INFINITY, inp.caps[c], coefs);
        }
    }
    // (7) latencies.
    for i in 0..n {
        for c in 0..nc {
            let mut coefs = vec![(lat_id_core[i][c], 1.0)];
            coefs.extend((0..nc).filter(|&p| inp.lat[i][c][p] != 0).map(|p| (k_vec[i][p], -(inp.lat[i][c][p] as f64))));
            m.row("node latency", 0.0, 0.0, coefs);
            let u = inp.lat[i][c].iter().copied().max().unwrap_or(0) as f64;
            if u <= 0.0 {
                continue;
            }
            for s in 0..n {
                // lat_slot[s] >= lat_id_core - u (1 - asgn)
                m.row(
                    "slot latency",
                    -u,
                    f64::INFINITY,
                    vec![(lat_slot[s], 1.0), (lat_id_core[i][c], -1.0), (asgn[c][s][i], -u)],
                );
            }
        }
    }
    let mut coefs = vec![(lat_iter, 1.0)];
    coefs.extend(lat_slot.iter().map(|&x| (x, -1.0)));
    m.row("iteration latency", 0.0, 0.0, coefs);
    // (8) overlap of consecutive iterations.
    for c in 0..nc {
        // incl[s] = nodes on c in slots <= s, later[s] = nodes on c in slots >= s (running sums:
        // the same model as the reference's sums, with O(N) entries per core and slot).
        let incl: Vec<usize> = (0..n).map(|s| m.col(format!("incl[{c},{s}]"), 0.0, nn, false)).collect();
        let later: Vec<usize> = (0..n).map(|s| m.col(format!("later[{c},{s}]"), 0.0, nn, false)).collect();
        for s in 0..n {
            let mut a: Vec<(usize, f64)> = vec![(incl[s], 1.0)];
            if s > 0 {
                a.push((incl[s - 1], -1.0));
            }
            a.extend((0..n).map(|i| (asgn[c][s][i], -1.0)));
            m.row("nodes up to a slot", 0.0, 0.0, a);
            let mut b: Vec<(usize, f64)> = vec![(later[s], 1.0)];
            if s + 1 < n {
                b.push((later[s + 1], -1.0));
            }
            b.extend((0..n).map(|i| (asgn[c][s][i], -1.0)));
            m.row("nodes from a slot", 0.0, 0.0, b);
        }
        for s in 0..n {
            // idle_start = 1 => incl = 0 : incl + N idle_start <= N
            m.row("idle start", f64::NEG_INFINITY, nn, vec![(incl[s], 1.0), (idle_start[c][s], nn)]);
            // idle_start = 0 => incl >= 1 : incl + idle_start >= 1
            m.row("idle start", 1.0, f64::INFINITY, vec![(incl[s], 1.0), (idle_start[c][s], 1.0)]);
            // excl = tot <=> no node on c in slots >= s.
            m.row("idle end", f64::NEG_INFINITY, nn, vec![(later[s], 1.0), (idle_end[c][s], nn)]);
            m.row("idle end", 1.0, f64::INFINITY, vec![(later[s], 1.0), (idle_end[c][s], 1.0)]);
            // y <= lat_slot, y <= umax idle.
            for (y, idle) in [(ys[c][s], idle_start[c][s]), (ye[c][s], idle_end[c][s])] {
                m.row("idle time", f64::NEG_INFINITY, 0.0, vec![(y, 1.0), (lat_slot[s], -1.0)]);
                m.row("idle time", f64::NEG_INFINITY, 0.0, vec![(y, 1.0), (idle, -umax)]);
            }
        }
        let mut coefs = vec![(idle_min, 1.0)];
        coefs.extend((0..n).flat_map(|s| [(ys[c][s], -1.0), (ye[c][s], -1.0)]));
        m.row("minimum idle time", f64::NEG_INFINITY, 0.0, coefs);
    }
    // Symmetry breaking (objective-neutral): cores that are identical for the model (same
    // latencies, splits and capacity) are used in lexicographic order of their CN sets (earlier
    // CNs on lower positions), and non-empty slots come first (an empty slot lasts 0 cycles).
    if n <= 40 && fixed.is_none() {
        for c1 in 0..nc {
            let Some(c2) = (c1 + 1..nc).find(|&c2| identical(inp, c1, c2)) else { continue };
            let mut coefs = Vec::new();
            for i in 0..n {
                let w = 2f64.powi((n - 1 - i) as i32);
                coefs.push((core_asgn[c1][i], w));
                coefs.push((core_asgn[c2][i], -w));
            }
            m.row("symmetry", 0.0, f64::INFINITY, coefs);
        }
    }
    for s in 0..n.saturating_sub(1) {
        let mut coefs: Vec<(usize, f64)> = (0..n).map(|i| (slot_asgn[s][i], nn)).collect();
        coefs.extend((0..n).map(|i| (slot_asgn[s + 1][i], -1.0)));
        m.row("symmetry", 0.0, f64::INFINITY, coefs);
    }
    // total_lat = it lat_iter - (it - 1) idle_min
    m.row("total latency", 0.0, 0.0, vec![(total_lat, 1.0), (lat_iter, -it), (idle_min, it - 1.0)]);
    if let Some(fixed) = fixed {
        for i in 0..n {
            let layer = inp.ids[i].0;
            let Some((_, set)) = fixed.iter().find(|(l, _)| *l == layer) else {
                return Err(CoError::Replay(format!("no cores given for layer {layer}")));
            };
            for (c, &core) in inp.cores.iter().enumerate() {
                let v = if set.contains(&core) { 1.0 } else { 0.0 };
                m.cols[core_asgn[c][i]].lo = v;
                m.cols[core_asgn[c][i]].hi = v;
            }
            if let Some(&bad) = set.iter().find(|x| !inp.cores.contains(x)) {
                return Err(CoError::Replay(format!("layer {layer}: core {bad} is not a compute core")));
            }
        }
    }
    Ok((m, Vars { k_vec, core_asgn, asgn, slot_asgn, idle_start, idle_end, total_lat, lat_iter, idle_min }))
}

/// The model in free MPS format (columns `c<j>`, rows `r<i>`, integer columns between
/// markers, every bound explicit), for other MILP solvers (e.g. CBC) and for inspection.
pub fn to_mps(m: &Model) -> String {
    use std::fmt::Write as _;
    let mut s = String::from("NAME co\nROWS\n N obj\n");
    // Row kinds; a row free on both sides is left out.
    let kind: Vec<Option<char>> = m
        .rows
        .iter()
        .map(|r| match (r.lo.is_finite(), r.hi.is_finite()) {
            (true, true) if r.lo == r.hi => Some('E'),
            (true, _) => Some('G'),
            (false, true) => Some('L'),
            (false, false) => None,
        })
        .collect();
    for (i, k) in kind.iter().enumerate() {
        if let Some(k) = k {
            let _ = writeln!(s, " {k} r{i}");
        }
    }
    let mut by_col: Vec<Vec<(usize, f64)>> = vec![Vec::new(); m.cols.len()];
    for (i, r) in m.rows.iter().enumerate() {
        if kind[i].is_some() {
            for &(j, a) in &r.coefs {
                by_col[j].push((i, a));
            }
        }
    }
    s.push_str("COLUMNS\n");
    let mut in_int = false;
    for (j, c) in m.cols.iter().enumerate() {
        if c.integer != in_int {
            let _ = writeln!(s, "    MARKER 'MARKER' '{}'", if c.integer { "INTORG" } else { "INTEND" });
            in_int = c.integer;
        }
        let _ = writeln!(s, "    c{j} obj {}", c.cost);
        for &(i, a) in &by_col[j] {
            let _ = writeln!(s, "    c{j} r{i} {a}");
        }
    }
    if in_int {
        s.push_str("    MARKER 'MARKER' 'INTEND'\n");
    }
    s.push_str("RHS\n");
    for (i, r) in m.rows.iter().enumerate() {
        match kind[i] {
            Some('L') => {
                let _ = writeln!(s, "    rhs r{i} {}", r.hi);
            }
            Some(_) => {
                let _ = writeln!(s, "    rhs r{i} {}", r.lo);
            }
            None => {}
        }
    }
    s.push_str("RANGES\n");
    for (i, r) in m.rows.iter().enumerate() {
        if kind[i] == Some('G') && r.hi.is_finite() {
            let _ = writeln!(s, "    rng r{i} {}", r.hi - r.lo);
        }
    }
    s.push_str("BOUNDS\n");
    for (j, c) in m.cols.iter().enumerate() {
        match (c.lo.is_finite(), c.hi.is_finite()) {
            (false, false) => {
                let _ = writeln!(s, " FR bnd c{j}");
            }
            (false, true) => {
                let _ = writeln!(s, " MI bnd c{j}\n UP bnd c{j} {}", c.hi);
            }
            (true, false) => {
                let _ = writeln!(s, " LO bnd c{j} {}\n PL bnd c{j}", c.lo);
            }
            (true, true) => {
                let _ = writeln!(s, " LO bnd c{j} {}\n UP bnd c{j} {}", c.lo, c.hi);
            }
        }
    }
    s.push_str("ENDATA\n");
    s
}

/// Whether cores `a` and `b` (indices) are interchangeable in the model.
pub fn identical(inp: &MilpInput, a: usize, b: usize) -> bool {
    inp.caps[a] == inp.caps[b]
        && (0..inp.nodes.len()).all(|i| inp.lat[i][a] == inp.lat[i][b] && inp.split_ok[i][a] == inp.split_ok[i][b])
}

/// Outcome of a solve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Status {
    /// Proven optimal.
    Optimal,
    /// The node limit was reached with a feasible incumbent (deterministic).
    NodeLimit,
    /// The time limit was reached with a feasible incumbent (depends on the machine's speed).
    TimeLimit,
}

/// A solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Status.
    pub status: Status,
    /// Column values.
    pub values: Vec<f64>,
    /// Objective.
    pub objective: f64,
    /// Branch-and-bound nodes HiGHS explored.
    pub nodes: i64,
    /// Relative gap between the objective and HiGHS's proven lower bound (0 when optimal).
    pub gap: f64,
}

/// Solver failures.
#[derive(Clone, Debug, PartialEq)]
pub enum SolveFailure {
    /// Proven infeasible.
    Infeasible,
    /// No feasible point within the limits.
    NoSolution(String),
    /// Any other solver status.
    Other(String),
}

/// Work limits of one solve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Wall-clock seconds.
    pub time: f64,
    /// Branch-and-bound nodes (`None`: unlimited). Unlike the time limit, the result of a
    /// node-limited solve does not depend on the machine.
    pub nodes: Option<u64>,
}

impl Limits {
    /// A time limit only.
    pub fn time(seconds: f64) -> Limits {
        Limits { time: seconds, nodes: None }
    }
}

/// Solves with HiGHS: one thread, fixed seed, relative gap 0 (proven optimum), the limits, and
/// optionally a starting point (`f64::INFINITY` for values HiGHS is to complete).
pub fn solve_highs(m: &Model, limits: Limits, start: Option<&[f64]>) -> Result<Solution, SolveFailure> {
    use highs::{RowProblem, Sense};
    let mut pb = RowProblem::default();
    let cols: Vec<highs::Col> =
        m.cols.iter().map(|c| pb.add_column_with_integrality(c.cost, c.lo..=c.hi, c.integer)).collect();
    for r in &m.rows {
        let coefs: Vec<(highs::Col, f64)> = r.coefs.iter().map(|&(j, a)| (cols[j], a)).collect();
        pb.add_row(r.lo..=r.hi, coefs);
    }
    let mut model = pb.optimise(Sense::Minimise);
    if std::env::var("ZZ_CO_DEBUG").as_deref() != Ok("2") {
        model.make_quiet();
    }
    model.set_option("threads", 1);
    model.set_option("random_seed", 0);
    model.set_option("mip_rel_gap", 0.0);
    model.set_option("mip_abs_gap", 1e-6);
    model.set_option("time_limit", limits.time);
    if let Some(nodes) = limits.nodes {
        model.set_option("mip_max_nodes", i32::try_from(nodes).unwrap_or(i32::MAX));
    }
    if let Some(x) = start {
        // An unusable start is ignored by HiGHS (it then searches from scratch).
        let _ = model.try_set_solution(Some(x), None, None, None);
    }
    let solved = model.try_solve().map_err(|e| SolveFailure::Other(format!("{e:?}")))?;
    let (raw, nodes) = read_status(&solved);
    let gap = solved.mip_gap();
    let status = match raw {
        highs_sys::MODEL_STATUS_OPTIMAL => Status::Optimal,
        highs_sys::MODEL_STATUS_REACHED_TIME_LIMIT => Status::TimeLimit,
        highs_sys::MODEL_STATUS_REACHED_SOLUTION_LIMIT => Status::NodeLimit,
        highs_sys::MODEL_STATUS_INFEASIBLE => return Err(SolveFailure::Infeasible),
        other => return Err(SolveFailure::Other(format!("HiGHS model status {other}"))),
    };
    let values = solved.get_solution().columns().to_vec();
    if values.len() != m.cols.len() || values.iter().any(|v| !v.is_finite()) {
        return Err(SolveFailure::NoSolution(format!("HiGHS model status {raw}")));
    }
    // At a limit HiGHS may hand back values without an incumbent: use them only if they
    // satisfy the model.
    if status != Status::Optimal && !satisfies(m, &values) {
        let limit = match status {
            Status::NodeLimit => format!("the node limit of {} nodes", limits.nodes.unwrap_or(0)),
            _ => format!("the time limit of {} s", limits.time),
        };
        return Err(SolveFailure::NoSolution(format!(
            "no feasible allocation found within {limit} (raise --co-node-limit / --co-time-limit or use smaller layer stacks)"
        )));
    }
    let objective = m.cols.iter().zip(&values).map(|(c, v)| c.cost * v).sum();
    Ok(Solution { status, values, objective, nodes, gap: if status == Status::Optimal { 0.0 } else { gap } })
}

/// The model status and node count of a solved model, read through HiGHS's C API (the `highs`
/// crate panics on the node-limit status and has no node count).
#[allow(unsafe_code)]
fn read_status(solved: &highs::SolvedModel) -> (i32, i64) {
    let mut nodes: i64 = 0;
    // SAFETY: `solved` owns a live HiGHS instance for the duration of both calls; the info name
    // is a NUL-terminated constant and `nodes` a valid i64 the call writes (an unknown name only
    // returns an error status and leaves it 0).
    let raw = unsafe {
        highs_sys::Highs_getInt64InfoValue(solved.as_ptr(), c"mip_node_count".as_ptr(), &mut nodes);
        highs_sys::Highs_getModelStatus(solved.as_ptr())
    };
    (raw, nodes)
}

/// Whether `values` meet every bound, integrality and row of `m` (absolute tolerance 1e-6,
/// relative to the row's scale).
fn satisfies(m: &Model, values: &[f64]) -> bool {
    const TOL: f64 = 1e-6;
    let cols_ok = m.cols.iter().zip(values).all(|(c, &v)| {
        v >= c.lo - TOL * (1.0 + c.lo.abs())
            && v <= c.hi + TOL * (1.0 + c.hi.abs())
            && (!c.integer || (v - v.round()).abs() <= TOL)
    });
    cols_ok
        && m.rows.iter().all(|r| {
            let (sum, scale) =
                r.coefs.iter().fold((0.0, 1.0f64), |(s, k), &(j, a)| (s + a * values[j], k.max((a * values[j]).abs())));
            sum >= r.lo - TOL * scale && sum <= r.hi + TOL * scale
        })
}
