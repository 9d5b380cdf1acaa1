//! Off-chip bandwidth per top memory instance of a costed CN.

use super::*;

/// ZigZag's `get_inst_bandwidth` of the top memory level of `op` (`scaling` applied):
/// `[rd_out_to_low, wr_in_by_low, rd_out_to_high, wr_in_by_high]`.
pub fn top_inst_bandwidth(
    ctx: &EvalContext<'_>,
    nest: &LoopNest,
    e: &CostEvaluation,
    op: MemOperand,
    scaling: f64,
) -> Result<[u64; 4], CostError> {
    let (layer, hw, bind) = (ctx.layer, ctx.hw, ctx.bind);
    let cpo = ctx.cycles_per_op;
    let Some(x) = bind.layer_op_of[op.index()] else { return Ok([0; 4]) };
    let x = x as usize;
    let ta = TemporalAnalysis::new(layer, nest).map_err(CostError::Invariant)?;
    let im = MappingAnalysis::new(layer, ctx.spatial_int, nest, &ta, true);
    let n_levels = bind.n_levels[x];
    let top = n_levels - 1;
    let mut bw = [0u64; 4];
    for d in Direction::ALL {
        bw[d.index()] = py_ceil(im.instantaneous_bandwidth(&ta, x, top, d) * scaling / cpo) as u64;
    }
    // Bandwidth borrowed from the computation phase by the single-period (pc = 1) loads of
    // each port of this memory (`loading_bw_during_computation`).
    let mi = hw.levels[op.index()][top];
    let mem = &hw.memories[mi];
    let out_mo = bind.mem_op[0];
    let total_cycles = ta.total_cycles;
    let real = |x: usize, lv: usize, d: usize| -> f64 {
        let m_op = bind.mem_op[x];
        let u = &im.operands[x].records[lv];
        let bwm = hw.memory(m_op, lv).bandwidth(m_op, Direction::ALL[d]).map(|(_, mx)| mx).unwrap_or(0.0);
        if bwm == 0.0 { 0.0 } else { py_ceil(u.da[d] * u.prec[d] / bwm) }
    };
    for port in &mem.ports {
        if !port.served.iter().any(|s| s.0 == op) {
            continue;
        }
        let mut c1: Vec<(usize, usize, usize)> = Vec::new();
        let mut treq = 0.0;
        for &(mo, lv, d) in &port.served {
            if mo == out_mo && (d == Direction::RdOutToLow || d == Direction::WrInByHigh) {
                continue;
            }
            let Some(y) = bind.layer_op_of[mo.index()] else { continue };
            let r = &im.operands[y as usize].records[lv as usize];
            let pc = r.pc[d.index()];
            if pc == 0.0 {
                continue;
            }
            if pc == 1.0 {
                c1.push((y as usize, lv as usize, d.index()));
            } else {
                treq += py_ceil(im.operands[y as usize].bandwidth(lv as usize, d.index()) / cpo);
            }
        }
        let mut borrowed = 0.0;
        if !c1.is_empty() {
            let comp = py_ceil(total_cycles * cpo) + e.stall_slack_comb;
            let mut s = (((port.bw_max - treq) / port.bw_max) * comp).max(0.0);
            let tots: Vec<f64> = c1.iter().map(|&(y, lv, d)| real(y, lv, d)).collect();
            let mins: Vec<f64> = c1.iter().map(|&(y, _, _)| py_ceil(im.operands[y].bit_u[1] / port.bw_max)).collect();
            let mut red = vec![0.0; c1.len()];
            if s > 0.0 {
                let mut idx: Vec<usize> = (0..c1.len()).collect();
                idx.sort_by(|&a, &b| tots[b].partial_cmp(&tots[a]).unwrap_or(std::cmp::Ordering::Equal));
                for &i in &idx {
                    if s <= 0.0 {
                        break;
                    }
                    let r = (tots[i] - mins[i]).max(0.0).min(s);
                    red[i] += r;
                    s -= r;
                }
            }
            // Per memory operand the last (level, direction) of this port wins.
            for (k, &(y, _, _)) in c1.iter().enumerate() {
                if bind.mem_op[y] == op {
                    borrowed = py_ceil((red[k] / comp) * port.bw_max);
                }
            }
        }
        let add = py_ceil(borrowed * scaling) as u64;
        if mem.operands.contains(&MemOperand::O) {
            bw[Direction::WrInByHigh.index()] += add;
        } else {
            bw[Direction::RdOutToLow.index()] += add;
        }
    }
    Ok(bw)
}

/// The part of [`top_inst_bandwidth`] (scaling 1) that the transfers between layer operand
/// `x`'s top memory level and the level below fix: `rd_out_to_low + wr_in_by_low`, without
/// borrowed bandwidth (`ta`, `im`: the analyses of the nest).
pub(super) fn top_downward_bandwidth(
    ctx: &EvalContext<'_>,
    ta: &TemporalAnalysis,
    im: &MappingAnalysis,
    x: usize,
) -> f64 {
    let top = ctx.bind.n_levels[x] - 1;
    [Direction::RdOutToLow, Direction::WrInByLow]
        .into_iter()
        .map(|d| py_ceil(im.instantaneous_bandwidth(ta, x, top, d) / ctx.cycles_per_op))
        .sum()
}
