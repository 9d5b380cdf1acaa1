//! Dependency edges between the CNs of consecutive layers (through non-computation nodes),
//! found with dense tensors of producing CNs.

use super::*;

/// `get_all_node_pairs`: (producer node, consumer node, complex) over computation nodes.
pub(super) fn node_pairs(wl: &StreamWorkload) -> Result<Vec<(usize, usize, bool)>, CnError> {
    let mut pairs = Vec::new();
    for ni in wl.topological_order() {
        if wl.nodes[ni].computation().is_none() {
            continue;
        }
        let mut succ: Vec<usize> = wl.successors(ni).collect();
        while let Some(k) = succ.iter().position(|&s| wl.nodes[s].computation().is_none()) {
            let s = succ.remove(k);
            succ.extend(wl.successors(s));
        }
        for s in succ {
            let path = wl
                .shortest_path(ni, s)
                .ok_or_else(|| cn_err(&wl.nodes[ni].name, "internal: no path to a successor"))?;
            let mut complex = false;
            for &m in &path[1..path.len() - 1] {
                match wl.nodes[m].kind {
                    NodeKind::Computation(_) => {
                        return Err(cn_err(&wl.nodes[m].name, "intermediate node between two computation nodes"));
                    }
                    NodeKind::Dummy => {}
                    _ => complex = true,
                }
            }
            pairs.push((ni, s, complex));
        }
    }
    Ok(pairs)
}

pub(super) struct EdgeCtx<'a> {
    pub(super) wl: &'a StreamWorkload,
    pub(super) layers: &'a [TiledLayer],
    pub(super) cns: &'a [Cn],
    pub(super) tiled_of: &'a BTreeMap<usize, usize>,
    pub(super) orig_ir: &'a BTreeMap<usize, Vec<(String, i64)>>,
}

/// Inclusive box over `dims` of a CN, with `G` merged into `C` (consumer) or `K` (producer).
// reference quirk: boxes are compared position by position, whatever the dimension names
// (e.g. an element-wise producer's `D`, `K` against a conv consumer's `IY`, `IX`).
pub(super) fn inclusive_box(cn: &Cn, dims: &[String], layer_size: impl Fn(&str) -> u64) -> Vec<Range> {
    let get = |d: &str| cn.range(d).map(|(a, b)| (a, b - 1)).unwrap_or((0, 0));
    let has = |d: &str| dims.iter().any(|x| x == d);
    if has("G") && (has("C") || has("K")) {
        let ck = if has("C") { "C" } else { "K" };
        let gi = dims.iter().position(|x| x == "G").unwrap_or(0);
        let ci = dims.iter().position(|x| x == ck).unwrap_or(0);
        let (g0, g1) = get("G");
        let (c0, c1) = get(ck);
        let ch = (g0 + c0, g1 * layer_size(ck) as i64 + c1);
        let mut out: Vec<Range> = Vec::new();
        let first = gi.min(ci);
        for (i, d) in dims.iter().enumerate() {
            if d == "G" || d == ck {
                if i == first {
                    out.push(ch);
                }
                continue;
            }
            out.push(get(d));
        }
        // The merged axis goes where G or C/K came first, among the remaining dims.
        return out;
    }
    dims.iter().map(|d| get(d)).collect()
}

pub(super) fn boxes_intersect(a: &[Range], b: &[Range]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 <= y.1 && y.0 <= x.1)
}

impl EdgeCtx<'_> {
    pub(super) fn tl(&self, ni: usize) -> &TiledLayer {
        &self.layers[self.tiled_of[&ni]]
    }

    pub(super) fn comp(&self, ni: usize) -> &zz_ir::stream::workload::ComputationLayer {
        match &self.wl.nodes[ni].kind {
            NodeKind::Computation(c) => c,
            _ => unreachable!("computation node expected"),
        }
    }

    /// Producer CNs that complete their outputs (`ir` dims at the construction-time max).
    pub(super) fn finishing(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        let tl = self.tl(p);
        let ir = &self.orig_ir[&p];
        tl.cns
            .clone()
            .filter(move |&i| ir.iter().all(|(d, max)| self.cns[i].range(d).map(|r| r.1).unwrap_or(0) >= *max))
    }

    /// `get_non_type_predecessors(node, [DummyNode])`.
    pub(super) fn non_dummy_predecessors(&self, n: usize) -> Vec<usize> {
        let mut preds: Vec<usize> = self.wl.predecessors(n).collect();
        while let Some(k) = preds.iter().position(|&p| matches!(self.wl.nodes[p].kind, NodeKind::Dummy)) {
            let s = preds.remove(k);
            preds.extend(self.wl.predecessors(s));
        }
        preds
    }

    pub(super) fn edges_overlap(&self, p: usize, c: usize) -> Result<Vec<CnEdge>, CnError> {
        let cons = self.comp(c);
        let prod = self.comp(p);
        let mut operands: Vec<String> = Vec::new();
        for (op, src) in &cons.input_operand_source {
            let Some(pi) = self.wl.index_of(*src) else { continue };
            // The producer directly, or through dummy (pass-through) nodes.
            let through_dummies =
                self.wl.nodes[pi].computation().is_none() && self.non_dummy_predecessors(pi).contains(&p);
            if pi == p || through_dummies {
                operands.push(op.clone());
            }
        }
        let ptl = self.tl(p);
        let ctl = self.tl(c);
        let psize = |d: &str| size_in(&ptl.layer_dim_sizes, d).unwrap_or(1);
        let csize = |d: &str| size_in(&ctl.layer_dim_sizes, d).unwrap_or(1);
        let pdims = &prod.layer.operands[0].dims;
        let mut out = Vec::new();
        for op in operands {
            let cdims = &cons
                .layer
                .operands
                .iter()
                .find(|o| o.name == op)
                .ok_or_else(|| cn_err(&ctl.name, format!("no operand {op}")))?
                .dims;
            let cboxes: Vec<(usize, Vec<Range>)> =
                ctl.cns.clone().map(|i| (i, inclusive_box(&self.cns[i], cdims, csize))).collect();
            for pi in self.finishing(p) {
                let pbox = inclusive_box(&self.cns[pi], pdims, psize);
                for (ci, cb) in &cboxes {
                    if boxes_intersect(&pbox, cb) {
                        out.push(CnEdge {
                            src: pi,
                            dst: *ci,
                            operand: Some(op.clone()),
                            bits: self.cns[pi].data_produced_unique,
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Paths from `p` to `c` whose intermediates are all propagation (non-computation) nodes.
    pub(super) fn propagation_paths(&self, p: usize, c: usize) -> Vec<Vec<usize>> {
        let mut valid = std::collections::VecDeque::from([vec![p]]);
        let mut out = Vec::new();
        while let Some(path) = valid.pop_front() {
            let last = *path.last().unwrap_or(&p);
            for nx in self.wl.successors(last) {
                if self.wl.nodes[nx].computation().is_none() {
                    let mut np = path.clone();
                    np.push(nx);
                    valid.push_back(np);
                } else if nx == c {
                    let mut np = path.clone();
                    np.push(nx);
                    out.push(np);
                }
            }
        }
        out
    }

    pub(super) fn edges_tensor(&self, p: usize, c: usize) -> Result<Vec<CnEdge>, CnError> {
        let prod = self.comp(p);
        let ptl = self.tl(p);
        let ctl = self.tl(c);
        let cons = self.comp(c);
        let mut out = Vec::new();
        let paths = self.propagation_paths(p, c);
        if paths.is_empty() {
            return Err(cn_err(&ctl.name, "no path from the producer through propagation nodes"));
        }
        let base = self.producer_tensor(p)?;
        for path in paths {
            let mut t = base.clone();
            // Relevant axes: dims tiled (factor > 1) by the intra- or inter-core tiling.
            let dims = &prod.layer.operands[0].dims;
            let mut relevant = vec![false; dims.len()];
            let wildcard = ptl.inter_core_tiling.iter().any(|(_, f)| f.is_none());
            let mut tilings: Vec<(String, u64)> = ptl.intra_core_tiling.clone();
            if !wildcard {
                tilings.extend(ptl.inter_core_tiling.iter().map(|(d, f)| (d.clone(), f.unwrap_or(1))));
            }
            for (d, s) in &tilings {
                if let Some(i) = dims.iter().position(|x| x == d)
                    && *s > 1
                {
                    relevant[i] = true;
                }
            }
            // The reshape to the ONNX layout may change the rank; the reference keeps the list.
            let mut last = p;
            for &m in &path[1..path.len() - 1] {
                last = m;
                match &self.wl.nodes[m].kind {
                    NodeKind::Dummy => {}
                    NodeKind::Reshape { shape } => {
                        let new: Vec<i64> = shape.iter().copied().filter(|&x| x != 0).collect();
                        if new.is_empty() {
                            continue;
                        }
                        relevant = update_relevant_axes(relevant, &t.shape, &new);
                        t = t.reshape(&new).map_err(|e| cn_err(&self.wl.nodes[m].name, e))?;
                    }
                    NodeKind::Flatten { axis } => {
                        let sh = &t.shape;
                        let new = if *axis == 0 {
                            vec![1, -1]
                        } else {
                            let ax = if *axis < 0 {
                                (sh.len() as i64 + axis).max(0) as usize
                            } else {
                                (*axis as usize).min(sh.len())
                            };
                            vec![sh[..ax].iter().product::<usize>() as i64, -1]
                        };
                        relevant = vec![true; new.len()];
                        t = t.reshape(&new).map_err(|e| cn_err(&self.wl.nodes[m].name, e))?;
                    }
                    NodeKind::Transpose { perm } => {
                        let n = t.shape.len();
                        let perm: Vec<usize> = match perm {
                            Some(p) => {
                                p.iter().map(|&a| if a < 0 { (n as i64 + a) as usize } else { a as usize }).collect()
                            }
                            None => (0..n).rev().collect(),
                        };
                        if perm.len() != n || perm.iter().any(|&a| a >= n) {
                            return Err(cn_err(
                                &self.wl.nodes[m].name,
                                "transpose permutation does not match the tensor rank",
                            ));
                        }
                        for &a in &perm {
                            if a < relevant.len() {
                                relevant[a] = true;
                            }
                        }
                        t = t.transpose(&perm);
                    }
                    NodeKind::Computation(_) => unreachable!("propagation paths hold no computation nodes"),
                }
            }
            // The consumer operand fed by the last node of the path.
            let last_id = self.wl.nodes[last].id;
            let Some(op) = cons.input_operand_source.iter().find(|(_, s)| *s == last_id).map(|(o, _)| o.clone()) else {
                return Err(cn_err(&ctl.name, "no operand of the consumer comes from the producer path"));
            };
            let cdims = &cons.layer.operands.iter().find(|o| o.name == op).map(|o| o.dims.clone()).unwrap_or_default();
            if cdims.len() != relevant.len() || cdims.len() != t.shape.len() {
                return Err(cn_err(
                    &ctl.name,
                    format!(
                        "the propagated dependency tensor has rank {} but operand {op} has {} dimensions",
                        t.shape.len(),
                        cdims.len()
                    ),
                ));
            }
            let mut pairs: Vec<(usize, usize)> = Vec::new();
            for ci in ctl.cns.clone() {
                let ranges: Vec<Range> = cdims
                    .iter()
                    .zip(&relevant)
                    .map(|(d, &r)| if r { self.cns[ci].range(d).unwrap_or((0, 1)) } else { (0, 1) })
                    .collect();
                for pi in t.producers_in(&ranges) {
                    pairs.push((pi, ci));
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            for (pi, ci) in pairs {
                out.push(CnEdge {
                    src: pi,
                    dst: ci,
                    operand: Some(op.clone()),
                    bits: self.cns[pi].data_produced_unique,
                });
            }
        }
        Ok(out)
    }

    /// The producer's output as a tensor of producing CNs (`get_node_tensor`), reshaped to
    /// the ONNX layout.
    pub(super) fn producer_tensor(&self, p: usize) -> Result<NodeTensor, CnError> {
        let prod = self.comp(p);
        let tl = self.tl(p);
        let dims = &prod.layer.operands[0].dims;
        let pr = prod.layer.pr_sizes.clone().unwrap_or_default();
        let shape: Vec<usize> = dims
            .iter()
            .map(|d| size_in(&tl.layer_dim_sizes, d).or_else(|| size_in(&pr, d)).unwrap_or(1) as usize)
            .collect();
        let mut t = NodeTensor::new(shape.clone());
        for i in self.finishing(p) {
            let ranges: Vec<(usize, usize)> = dims
                .iter()
                .zip(&shape)
                .map(|(d, &max)| {
                    let (a, b) = self.cns[i].range(d).unwrap_or((0, 1));
                    let max = max as i64;
                    // reference quirk: a tile beyond the (unpadded) tensor is clipped to its last
                    // element, so padded CNs still "produce" it and get dependency edges.
                    let lo = a.min(max - 1).max(0);
                    let hi = b.min(max);
                    (lo as usize, hi.max(lo) as usize)
                })
                .collect();
            t.add(&ranges, i);
        }
        if let Some(rs) = &prod.operand_tensor_reshape
            && let Some((_, shape)) = rs.iter().find(|(o, _)| *o == prod.layer.operands[0].name)
        {
            t = t.reshape(shape).map_err(|e| cn_err(&tl.name, e))?;
        }
        Ok(t)
    }
}

/// `ReshapeNode.update_relevant_axes`.
pub(super) fn update_relevant_axes(mut rel: Vec<bool>, old: &[usize], new: &[i64]) -> Vec<bool> {
    let old_i: Vec<i64> = old.iter().map(|&x| x as i64).collect();
    if new.len() < old_i.len() {
        let cut = (0..new.len()).find(|&i| old_i[i] != new[i]).unwrap_or(old_i.len() - 1);
        let mut ns = new.to_vec();
        if cut < rel.len() {
            rel.remove(cut);
        }
        if cut < ns.len() {
            ns.remove(cut);
        }
        for (i, (o, n)) in old_i.iter().zip(&ns).enumerate() {
            if o != n && i < rel.len() {
                rel[i] = true;
            }
        }
        return rel;
    }
    if new.len() > old_i.len() {
        rel.push(new.last() != old_i.last());
    }
    for (i, (o, n)) in old_i.iter().zip(new).enumerate() {
        if o != n && i < rel.len() {
            rel[i] = true;
        }
    }
    rel
}

/// A dense tensor whose cells hold the CNs producing that element (Stream's `NodeTensor`),
/// in C order.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTensor {
    /// Shape.
    pub shape: Vec<usize>,
    /// Producing CNs per cell.
    pub cells: Vec<smallvec::SmallVec<[usize; 2]>>,
}

impl NodeTensor {
    /// An empty tensor.
    pub fn new(shape: Vec<usize>) -> Self {
        let n = shape.iter().product();
        NodeTensor { shape, cells: vec![Default::default(); n] }
    }

    pub(super) fn strides(shape: &[usize]) -> Vec<usize> {
        let mut s = vec![1; shape.len()];
        for i in (0..shape.len().saturating_sub(1)).rev() {
            s[i] = s[i + 1] * shape[i + 1];
        }
        s
    }

    pub(super) fn for_each_in(&self, ranges: &[(usize, usize)], mut f: impl FnMut(usize)) {
        if ranges.len() != self.shape.len() || ranges.iter().zip(&self.shape).any(|(&(a, b), &n)| a >= b || b > n) {
            return;
        }
        let st = Self::strides(&self.shape);
        let mut idx: Vec<usize> = ranges.iter().map(|r| r.0).collect();
        loop {
            f(idx.iter().zip(&st).map(|(i, s)| i * s).sum());
            let mut k = ranges.len();
            loop {
                if k == 0 {
                    return;
                }
                k -= 1;
                idx[k] += 1;
                if idx[k] < ranges[k].1 {
                    break;
                }
                idx[k] = ranges[k].0;
            }
        }
    }

    /// Marks every cell of the box as produced by `cn`.
    pub fn add(&mut self, ranges: &[(usize, usize)], cn: usize) {
        let mut cells = std::mem::take(&mut self.cells);
        self.for_each_in(ranges, |i| {
            if !cells[i].contains(&cn) {
                cells[i].push(cn);
            }
        });
        self.cells = cells;
    }

    /// numpy `reshape` (one `-1` allowed).
    pub fn reshape(&self, new: &[i64]) -> Result<NodeTensor, String> {
        let total: usize = self.cells.len();
        let known: i64 = new.iter().filter(|&&x| x != -1).product();
        let shape: Vec<usize> =
            new.iter()
                .map(|&x| {
                    if x == -1 {
                        if known == 0 { 0 } else { (total as i64 / known) as usize }
                    } else {
                        x.max(0) as usize
                    }
                })
                .collect();
        if shape.iter().product::<usize>() != total {
            return Err(format!("cannot reshape a dependency tensor of shape {:?} into {new:?}", self.shape));
        }
        Ok(NodeTensor { shape, cells: self.cells.clone() })
    }

    /// numpy `transpose` with a permutation.
    pub fn transpose(&self, perm: &[usize]) -> NodeTensor {
        let new_shape: Vec<usize> = perm.iter().map(|&a| self.shape[a]).collect();
        let old_st = Self::strides(&self.shape);
        let mut out = NodeTensor::new(new_shape.clone());
        let full: Vec<(usize, usize)> = new_shape.iter().map(|&s| (0, s)).collect();
        let new_st = Self::strides(&new_shape);
        let mut cells = std::mem::take(&mut out.cells);
        out.for_each_in(&full, |flat| {
            let mut rem = flat;
            let mut old = 0;
            for (k, s) in new_st.iter().enumerate() {
                let i = rem / s;
                rem %= s;
                old += i * old_st[perm[k]];
            }
            cells[flat] = self.cells[old].clone();
        });
        out.cells = cells;
        out
    }

    /// CNs found in the box given by numpy slices `start:stop` per axis (negative bounds
    /// count from the end, as numpy does).
    pub fn producers_in(&self, ranges: &[Range]) -> Vec<usize> {
        // reference quirk: consumer ranges are used as numpy slices, so a negative start (input
        // padding) counts from the end of the axis.
        let norm: Vec<(usize, usize)> = ranges
            .iter()
            .zip(&self.shape)
            .map(|(&(a, b), &n)| {
                let n = n as i64;
                let fix = |x: i64| if x < 0 { (x + n).max(0) } else { x.min(n) };
                (fix(a) as usize, fix(b) as usize)
            })
            .collect();
        let mut out: Vec<usize> = Vec::new();
        self.for_each_in(&norm, |i| {
            for &c in &self.cells[i] {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        });
        out
    }
}
