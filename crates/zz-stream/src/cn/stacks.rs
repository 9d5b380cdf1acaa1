//! Layer stacks: which layers are fused together (`LayerStacksGenerationStage`).

use super::*;

/// Layer stacks (`LayerStacksGenerationStage`).
pub fn layer_stacks(
    wl: &StreamWorkload,
    opts: &CnOptions,
    total_weight_capacity: u64,
) -> Result<Vec<Vec<usize>>, CnError> {
    let mut cn_ids: Vec<usize> = wl.nodes.iter().filter(|n| n.computation().is_some()).map(|n| n.id).collect();
    let stacks: Vec<Vec<usize>> = match (opts.mode, &opts.layer_stacks) {
        (Mode::Lbl, _) => {
            cn_ids.sort_unstable();
            cn_ids.iter().map(|&i| vec![i]).collect()
        }
        (Mode::Fused, Some(given)) => {
            let mut s = given.clone();
            for n in &wl.nodes {
                if !s.iter().any(|st| st.contains(&n.id)) {
                    s.push(vec![n.id]);
                }
            }
            s
        }
        (Mode::Fused, None) => {
            let mut nodes: Vec<&zz_ir::stream::workload::StreamNode> = wl.nodes.iter().collect();
            nodes.sort_by_key(|n| n.id);
            let mut stacks = Vec::new();
            let mut cur: Vec<usize> = Vec::new();
            let mut cumsum: u64 = 0;
            let mut first_complete = false;
            for n in nodes {
                let Some(c) = n.computation() else { continue };
                if first_complete {
                    stacks.push(std::mem::take(&mut cur));
                    cur = vec![n.id];
                    continue;
                }
                let Some(op) = c.constant_operands.first() else {
                    cur.push(n.id);
                    continue;
                };
                let size = operand_size_bit(&c.layer, op)?;
                cumsum += size;
                if cumsum as f64 / total_weight_capacity as f64 > 1.0 {
                    stacks.push(std::mem::take(&mut cur));
                    cur = vec![n.id];
                    cumsum = size;
                    first_complete = true;
                } else {
                    cur.push(n.id);
                }
            }
            stacks.push(cur);
            stacks
        }
    };
    // Keep only ids of computation nodes (empty stacks stay).
    Ok(stacks
        .into_iter()
        .map(|s| s.into_iter().filter(|id| wl.nodes.iter().any(|n| n.id == *id && n.computation().is_some())).collect())
        .collect())
}
