//! Spatial mappings: conversion of a user spatial mapping into the fractional and integer
//! variants, attachment to each operand's memory levels, and the per-level spatial
//! quantities (unit counts, unique units, bandwidth boost).

use crate::decouple::Decoupler;
use crate::error::CostError;
use crate::hierarchy::HierarchyInfo;
use crate::layer_info::{Dim, LayerInfo};
use crate::numeric::{py_ceil, py_int, py_round, py_round3};
use crate::temporal::{MAX_LEVELS, MAX_OPS};
use smallvec::SmallVec;
use zz_ir::accelerator::MemOperand;

/// A loop: dimension id and size (fractional for uneven spatial unrollings).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Loop {
    /// Dimension id.
    pub dim: Dim,
    /// Size.
    pub size: f64,
}

/// Loops of one level, innermost first.
pub type LevelLoops = SmallVec<[Loop; 8]>;

/// A spatial mapping in user form with resolved ids: per OA dimension (index), ordered loops.
pub type OaMapping = Vec<(usize, SmallVec<[Loop; 4]>)>;

/// Operand bindings of a layer on an accelerator: which memory operand each layer operand uses.
#[derive(Clone, Debug, PartialEq)]
pub struct OperandBinding {
    /// Memory operand of each layer operand (index = layer operand index, 0 = output).
    pub mem_op: SmallVec<[MemOperand; 3]>,
    /// Number of memory levels of each layer operand.
    pub n_levels: SmallVec<[usize; 3]>,
    /// Layer operand linked to each memory operand, if any.
    pub layer_op_of: [Option<u8>; 3],
    /// Link order (memory-operand-links file order), as layer operand indices.
    pub link_order: SmallVec<[u8; 3]>,
}

impl OperandBinding {
    /// Resolves `memory_operand_links` for the layer's operands.
    pub fn new(layer: &LayerInfo, hw: &HierarchyInfo, links: &[(String, MemOperand)]) -> Result<Self, CostError> {
        // An IMC array whose costs could not be computed stops every layer here.
        hw.imc_costs()?;
        let mut mem_op = SmallVec::new();
        let mut n_levels = SmallVec::new();
        let mut layer_op_of = [None; 3];
        for (k, o) in layer.operands.iter().enumerate() {
            let m = links.iter().find(|(n, _)| *n == o.name).map(|(_, m)| *m).ok_or_else(|| CostError::Mapping {
                layer: layer.name.clone(),
                message: format!("memory_operand_links has no entry for layer operand {}", o.name),
            })?;
            if layer_op_of[m.index()].is_some() {
                return Err(CostError::Mapping {
                    layer: layer.name.clone(),
                    message: format!("memory operand {m} is linked to two layer operands"),
                });
            }
            let n = hw.levels[m.index()].len();
            if n == 0 {
                return Err(CostError::Mapping {
                    layer: layer.name.clone(),
                    message: format!(
                        "layer operand {} is linked to memory operand {m}, which no memory stores",
                        o.name
                    ),
                });
            }
            layer_op_of[m.index()] = Some(k as u8);
            mem_op.push(m);
            n_levels.push(n);
        }
        let link_order = links
            .iter()
            .filter_map(|(n, _)| layer.operands.iter().position(|o| o.name == *n).map(|i| i as u8))
            .collect();
        Ok(OperandBinding { mem_op, n_levels, layer_op_of, link_order })
    }
}

/// Converts a user spatial mapping into the `(fractional, integer)` variants
/// (reference `SpatialMappingConversionStage`): the first OA dimension carrying the largest
/// unrolling of a dimension absorbs the remainder, `f' = S / ceil(S / (f*early)) / early`.
pub fn convert_user_mapping(
    layer: &LayerInfo,
    hw: &HierarchyInfo,
    user: &[(String, Vec<(String, u64)>)],
) -> Result<(OaMapping, OaMapping), CostError> {
    let mut out: [OaMapping; 2] = [Vec::new(), Vec::new()];
    for (variant, lim) in out.iter_mut().enumerate() {
        let fractional = variant == 0;
        for (oa_name, loops) in user {
            let oa = hw.oa_index(oa_name).ok_or_else(|| CostError::Mapping {
                layer: layer.name.clone(),
                message: format!("spatial mapping uses {oa_name}, which is not a dimension of the operational array"),
            })?;
            let mut entries: SmallVec<[Loop; 4]> = SmallVec::new();
            for (dim_name, f) in loops {
                let Some(dim) = layer.dim_id(dim_name) else { continue };
                let mut f = *f as f64;
                let oa_size = hw.oa_sizes[oa] as f64;
                if f > oa_size {
                    f = oa_size;
                }
                let l = layer.sizes[dim as usize] as f64;
                if f > l {
                    return Err(CostError::Mapping {
                        layer: layer.name.clone(),
                        message: format!("spatial unrolling {dim_name}={f} on {oa_name} exceeds the layer size {l}"),
                    });
                }
                // The first OA dim (mapping order) holding the largest unrolling of `dim` (unclamped values).
                let mx = user
                    .iter()
                    .map(|(_, ls)| ls.iter().rev().find(|(d, _)| d == dim_name).map(|(_, v)| *v).unwrap_or(0))
                    .max()
                    .unwrap_or(0);
                let first = user
                    .iter()
                    .position(|(_, ls)| ls.iter().rev().find(|(d, _)| d == dim_name).map(|(_, v)| *v) == Some(mx));
                let is_first = first.and_then(|i| hw.oa_index(&user[i].0)) == Some(oa);
                if is_first {
                    let mut early = 1.0;
                    for (_, ls) in lim.iter() {
                        for lp in ls {
                            if lp.dim == dim {
                                early *= lp.size;
                            }
                        }
                    }
                    let t = py_ceil(l / (f * early));
                    let nf = l / t / early;
                    entries.push(Loop { dim, size: if fractional { nf } else { py_int(nf) } });
                } else {
                    entries.push(Loop { dim, size: f });
                }
            }
            if !entries.is_empty() {
                lim.push((oa, entries));
            }
        }
    }
    let [f, i] = out;
    Ok((f, i))
}

/// Attaches OA-dimension loops to the memory levels of every operand: entry `k < M` holds the
/// fan-out directly below memory level `k`, entry `M` the dims served by no memory of the operand.
pub fn attach_to_levels(hw: &HierarchyInfo, bind: &OperandBinding, lim: &OaMapping) -> Vec<Vec<LevelLoops>> {
    let mut res = Vec::with_capacity(bind.mem_op.len());
    for &m in &bind.mem_op {
        let mut taken = vec![false; lim.len()];
        let mut levels: Vec<LevelLoops> = Vec::with_capacity(hw.levels[m.index()].len() + 1);
        let merge = |acc: &mut LevelLoops, loops: &SmallVec<[Loop; 4]>| {
            for lp in loops {
                if let Some(e) = acc.iter_mut().find(|e| e.dim == lp.dim) {
                    e.size *= lp.size;
                } else {
                    acc.push(*lp);
                }
            }
        };
        for &mi in &hw.levels[m.index()] {
            let mut acc = LevelLoops::new();
            for &oa in &hw.memories[mi].served_dims {
                if let Some(pos) = lim.iter().position(|(o, _)| *o == oa as usize)
                    && !taken[pos]
                {
                    merge(&mut acc, &lim[pos].1);
                    taken[pos] = true;
                }
            }
            levels.push(acc);
        }
        let mut acc = LevelLoops::new();
        for (pos, (_, loops)) in lim.iter().enumerate() {
            if !taken[pos] {
                merge(&mut acc, loops);
            }
        }
        levels.push(acc);
        res.push(levels);
    }
    res
}

/// The per-level spatial loops, unit counts and bandwidth boosts of a [`SpatialAnalysis`] in
/// flat, fixed-size form: what every evaluation of a temporal mapping reads.
#[derive(Clone, Debug, PartialEq)]
pub struct SpatialTables {
    loops: Vec<Loop>,
    ranges: [[(u16, u16); MAX_LEVELS + 1]; MAX_OPS],
    /// Active instances per operand per architectural level.
    pub unit_count: [[f64; MAX_LEVELS + 1]; MAX_OPS],
    /// Bandwidth boost per operand per architectural level.
    pub boost: [[f64; MAX_LEVELS + 1]; MAX_OPS],
}

impl SpatialTables {
    /// Spatial loops of operand `op` at architectural level `a`.
    #[inline]
    pub fn loops(&self, op: usize, a: usize) -> &[Loop] {
        let (s, e) = self.ranges[op][a];
        &self.loops[s as usize..e as usize]
    }
}

/// Per-operand spatial quantities (reference `SpatialMappingInternal`), over architectural levels.
#[derive(Clone, Debug, PartialEq)]
pub struct SpatialAnalysis {
    /// Loops per operand per architectural level.
    pub levels: Vec<Vec<LevelLoops>>,
    /// Active instances at each architectural level.
    pub unit_count: Vec<SmallVec<[f64; 5]>>,
    /// Instances holding distinct data.
    pub unit_unique: Vec<SmallVec<[f64; 5]>>,
    /// Bandwidth boost between levels `a` and `a+1` (last entry 1).
    pub boost: Vec<SmallVec<[f64; 5]>>,
    /// The same in flat form (operands and levels beyond the fixed bounds left out).
    pub tables: SpatialTables,
}

impl SpatialAnalysis {
    /// Analyses per-level spatial loops of every operand.
    pub fn new(layer: &LayerInfo, levels: Vec<Vec<LevelLoops>>) -> Self {
        let n = levels.len();
        let mut unit_count = Vec::with_capacity(n);
        let mut unit_unique = Vec::with_capacity(n);
        let mut boost = Vec::with_capacity(n);
        for (op, lv) in levels.iter().enumerate() {
            let a_len = lv.len();
            let mut ur: SmallVec<[f64; 5]> = SmallVec::new();
            let mut ut: SmallVec<[f64; 5]> = SmallVec::new();
            let mut dec = Decoupler::new(layer, op);
            for l in lv {
                let p = dec.level_products(l.iter().copied());
                ur.push(p.r);
                ut.push(p.all);
            }
            let mut uc = SmallVec::new();
            let mut uu = SmallVec::new();
            for a in 0..a_len {
                let mut t = 1.0;
                let mut u = 1.0;
                for b in a..a_len {
                    t *= ut[b];
                    u *= ur[b];
                }
                uc.push(py_round(py_round3(t)));
                uu.push(u);
            }
            let mut bo: SmallVec<[f64; 5]> =
                (0..a_len.saturating_sub(1)).map(|a| py_round(uu[a] / uu[a + 1])).collect();
            bo.push(1.0);
            unit_count.push(uc);
            unit_unique.push(uu);
            boost.push(bo);
        }
        let mut tables = SpatialTables {
            loops: Vec::new(),
            ranges: [[(0, 0); MAX_LEVELS + 1]; MAX_OPS],
            unit_count: [[1.0; MAX_LEVELS + 1]; MAX_OPS],
            boost: [[1.0; MAX_LEVELS + 1]; MAX_OPS],
        };
        for (op, lv) in levels.iter().enumerate().take(MAX_OPS) {
            for (a, l) in lv.iter().enumerate().take(MAX_LEVELS + 1) {
                let start = tables.loops.len() as u16;
                tables.loops.extend_from_slice(l);
                tables.ranges[op][a] = (start, tables.loops.len() as u16);
                tables.unit_count[op][a] = unit_count[op][a];
                tables.boost[op][a] = boost[op][a];
            }
        }
        SpatialAnalysis { levels, unit_count, unit_unique, boost, tables }
    }
}
