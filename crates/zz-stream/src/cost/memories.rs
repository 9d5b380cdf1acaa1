//! A core's memories as the per-CN search sees them: Stream's operand links, the reference's
//! memory-level hash order, operands too large for the core, and the off-chip memory added for them.

use super::*;

/// Stream's memory-operand links (always the default).
pub(super) fn stream_links() -> Vec<(String, MemOperand)> {
    vec![("I".into(), MemOperand::I1), ("W".into(), MemOperand::I2), ("O".into(), MemOperand::O)]
}

/// Python's `hash(int(sha512(pickle.dumps(i)).hexdigest(), 16))` for small non-negative ints
/// (the hash of a ZigZag memory level with this id).
pub(super) fn level_hash(id: usize) -> i64 {
    use sha2::Digest;
    let mut p: Vec<u8> = vec![0x80, 0x04];
    if id < 256 {
        p.extend_from_slice(&[0x4b, id as u8, 0x2e]);
    } else {
        p.extend_from_slice(&[0x95, 4, 0, 0, 0, 0, 0, 0, 0, 0x4d, (id & 0xff) as u8, ((id >> 8) & 0xff) as u8, 0x2e]);
    }
    let d = sha2::Sha512::digest(&p);
    const M: u128 = (1u128 << 61) - 1;
    let mut r: u128 = 0;
    for &b in d.iter() {
        r = ((r << 8) | u128::from(b)) % M;
    }
    r as i64
}

/// Memory operands of each top-level memory, in `set(top levels)` iteration order.
// reference quirk: the top memories are visited in Python `set` order (hash of the level id),
// which decides the order of the too-large operands and so of the DRAM level's ports.
pub(super) fn top_memories_in_set_order(acc: &Accelerator) -> Vec<usize> {
    let mut first_seen: Vec<MemOperand> = Vec::new();
    for m in &acc.memories {
        for &op in &m.operands {
            if !first_seen.contains(&op) {
                first_seen.push(op);
            }
        }
    }
    let mut set: PySet<usize> = PySet::new();
    for op in first_seen {
        if let Some(top) = acc.memories.iter().rposition(|m| m.operands.contains(&op)) {
            set.add(level_hash(top), top);
        }
    }
    set.iter().copied().collect()
}

/// `check_core_capacity_for_node`.
pub(super) fn too_large_for_capacity(core: &StreamCore, info: &LayerInfo, alone: bool) -> Vec<MemOperand> {
    let links = stream_links();
    // reference quirk: a layer alone in its stack streams every operand from DRAM, however small.
    if alone {
        return links.iter().map(|(_, m)| *m).collect();
    }
    let acc = &core.accelerator;
    let bits_of = |m: MemOperand| -> u64 {
        let Some((lop, _)) = links.iter().find(|(_, x)| *x == m) else { return 0 };
        info.operands.iter().find(|o| &o.name == lop).map(|o| (o.size_elem * o.precision as f64) as u64).unwrap_or(0)
    };
    let lowest_capacity = |m: MemOperand| -> f64 {
        let Some(mem) = acc.memories.iter().find(|x| x.operands.contains(&m)) else { return 0.0 };
        mem.size as f64 * acc.instances(mem) as f64
    };
    let mut out = Vec::new();
    for top in top_memories_in_set_order(acc) {
        let mem = &acc.memories[top];
        let cap = mem.size;
        let mut bits: Vec<(MemOperand, u64)> = mem.operands.iter().map(|&m| (m, bits_of(m))).collect();
        let total: u64 = bits.iter().map(|b| b.1).sum();
        if cap >= total {
            continue;
        }
        bits.sort_by_key(|b| b.1);
        let mut n = bits.len();
        while cap < bits[..n].iter().map(|b| b.1).sum::<u64>() {
            n -= 1;
            if n == 0 {
                break;
            }
        }
        let rest = |n: usize| cap as i128 - bits[..n].iter().map(|b| b.1 as i128).sum::<i128>();
        let required = |n: usize| bits[n..].iter().map(|b| lowest_capacity(b.0)).sum::<f64>().round() as i128;
        if n > 0 && n < bits.len() {
            while rest(n) < required(n) {
                n -= 1;
                if n == 0 {
                    break;
                }
            }
        }
        out.extend(bits[n..].iter().map(|b| b.0));
    }
    out
}

/// The core with the off-chip memory added on top for `ops` (`add_offchip_to_core`).
pub(super) fn add_offchip(
    core: &Accelerator,
    offchip: &Accelerator,
    ops: &[MemOperand],
) -> Result<Accelerator, CostError> {
    if offchip.memories.len() != 1 {
        return Err(CostError::Invariant(format!(
            "the off-chip core must have exactly one memory, found {}",
            offchip.memories.len()
        )));
    }
    let dram = &offchip.memories[0];
    let mut m: Memory = dram.clone();
    m.operands = ops.to_vec();
    for p in &mut m.ports {
        p.allocation.retain(|(op, _)| ops.contains(op));
    }
    let mut acc = core.clone();
    acc.memories.push(m);
    Ok(acc)
}
