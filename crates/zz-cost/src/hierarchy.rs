//! Analysed accelerator: per memory operand its memory levels, per memory its port
//! functions, and the memory-sharing groups (reference `MemoryHierarchy`, `MemoryLevel`,
//! `Accelerator.mem_sharing_list`).

use crate::error::CostError;
use crate::imc::ImcCosts;
use smallvec::SmallVec;
use zz_ir::accelerator::{Accelerator, Direction, MemOperand};

/// One port with the (memory operand, level of that operand in this memory, direction) it serves.
#[derive(Clone, Debug, PartialEq)]
pub struct PortInfo {
    /// Port name.
    pub name: String,
    /// Narrowest access, bits.
    pub bw_min: f64,
    /// Widest access, bits.
    pub bw_max: f64,
    /// Served functions in the reference's order (memory operand order, then allocation order).
    pub served: SmallVec<[(MemOperand, u8, Direction); 8]>,
    /// The port serves both `I1` and `I2`.
    pub shared_by_two_inputs: bool,
}

/// One memory as seen by the cost model.
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryInfo {
    /// Name.
    pub name: String,
    /// Capacity in bits.
    pub size: f64,
    /// Read cost per max-width word.
    pub r_cost: f64,
    /// Write cost per max-width word.
    pub w_cost: f64,
    /// Stored operands in file order.
    pub operands: SmallVec<[MemOperand; 3]>,
    /// Level of each memory operand in this memory (index by `MemOperand::index`).
    pub level_of: [Option<u8>; 3],
    /// Served operational-array dimensions (indices into the array's dimension list), file order.
    pub served_dims: SmallVec<[u8; 4]>,
    /// Ports that serve something, file order.
    pub ports: Vec<PortInfo>,
    /// Port index serving (operand, direction), if any: `port_of[op.index()][dir.index()]`.
    pub port_of: [[Option<u8>; 4]; 3],
    /// Double buffering forced (honoured by the allocator).
    pub force_double_buffering: bool,
    /// Number of physical instances (product of array dims not served).
    pub unroll_count: u64,
}

impl MemoryInfo {
    /// `(bw_min, bw_max)` of the port serving `(op, dir)`, or `None` when not allocated.
    #[inline]
    pub fn bandwidth(&self, op: MemOperand, dir: Direction) -> Option<(f64, f64)> {
        self.port_of[op.index()][dir.index()].map(|p| {
            let p = &self.ports[p as usize];
            (p.bw_min, p.bw_max)
        })
    }
}

/// The analysed accelerator.
#[derive(Clone, Debug, PartialEq)]
pub struct HierarchyInfo {
    /// Accelerator name.
    pub name: String,
    /// Array dimension names.
    pub oa_names: Vec<String>,
    /// Array dimension sizes.
    pub oa_sizes: Vec<u64>,
    /// Systolic dimensions (indices).
    pub systolic: Vec<u8>,
    /// Energy per MAC.
    pub unit_energy: f64,
    /// Number of MAC units.
    pub total_units: u64,
    /// Memories in file order.
    pub memories: Vec<MemoryInfo>,
    /// Memory indices per memory operand, lowest first (`levels[op.index()]`).
    pub levels: [Vec<usize>; 3],
    /// Sharing groups: for memories holding several operands, operand → level in that memory.
    pub sharing: Vec<SmallVec<[(MemOperand, u8); 3]>>,
    /// The operational array is an in-memory-computing array (`is_imc: true`).
    pub is_imc: bool,
    /// For an IMC array: its area and clock period, or why they cannot be computed (reported
    /// when a layer is bound to the accelerator).
    pub imc: Option<Result<ImcCosts, CostError>>,
}

impl HierarchyInfo {
    /// Analyses an accelerator.
    pub fn new(acc: &Accelerator) -> Self {
        let oa = &acc.operational_array;
        let oa_index = |n: &str| oa.dimensions.iter().position(|d| d == n).map(|i| i as u8);
        let mut counts = [0u8; 3];
        let mut memories = Vec::with_capacity(acc.memories.len());
        let mut levels: [Vec<usize>; 3] = Default::default();
        for (mi, m) in acc.memories.iter().enumerate() {
            let mut level_of = [None; 3];
            for &op in &m.operands {
                level_of[op.index()] = Some(counts[op.index()]);
                counts[op.index()] += 1;
                levels[op.index()].push(mi);
            }
            // Allocation: per operand, direction -> port name, insertion position of the first
            // assignment kept, value overwritten by later ones.
            let mut alloc: [SmallVec<[(Direction, usize); 4]>; 3] = Default::default();
            for (pi, p) in m.ports.iter().enumerate() {
                for &(op, dir) in &p.allocation {
                    let list = &mut alloc[op.index()];
                    if let Some(e) = list.iter_mut().find(|(d, _)| *d == dir) {
                        e.1 = pi;
                    } else {
                        list.push((dir, pi));
                    }
                }
            }
            let mut served: Vec<SmallVec<[(MemOperand, u8, Direction); 8]>> = vec![SmallVec::new(); m.ports.len()];
            let mut port_file_of = [[None; 4]; 3];
            for &op in &m.operands {
                for &(dir, pi) in &alloc[op.index()] {
                    served[pi].push((op, level_of[op.index()].unwrap_or(0), dir));
                    port_file_of[op.index()][dir.index()] = Some(pi);
                }
            }
            let mut ports = Vec::new();
            let mut remap = vec![None; m.ports.len()];
            for (pi, p) in m.ports.iter().enumerate() {
                if served[pi].is_empty() {
                    continue;
                }
                remap[pi] = Some(ports.len() as u8);
                let ins: SmallVec<[MemOperand; 2]> =
                    served[pi].iter().map(|s| s.0).filter(|o| o.is_input()).fold(SmallVec::new(), |mut v, o| {
                        if !v.contains(&o) {
                            v.push(o)
                        }
                        v
                    });
                ports.push(PortInfo {
                    name: p.name.clone(),
                    bw_min: p.bandwidth_min as f64,
                    bw_max: p.bandwidth_max as f64,
                    served: served[pi].clone(),
                    shared_by_two_inputs: ins.len() > 1,
                });
            }
            let mut port_of = [[None; 4]; 3];
            for o in 0..3 {
                for d in 0..4 {
                    port_of[o][d] = port_file_of[o][d].and_then(|pi: usize| remap[pi]);
                }
            }
            let served_dims: SmallVec<[u8; 4]> = m.served_dimensions.iter().filter_map(|d| oa_index(d)).collect();
            let unroll_count = acc.instances(m);
            memories.push(MemoryInfo {
                name: m.name.clone(),
                size: m.size as f64,
                r_cost: m.r_cost,
                w_cost: m.w_cost,
                operands: m.operands.iter().copied().collect(),
                level_of,
                served_dims,
                ports,
                port_of,
                force_double_buffering: m.force_double_buffering,
                unroll_count,
            });
        }
        // Sharing list: per memory operand in order of first appearance, per memory holding it,
        // the memory's operand→level dict if it holds more than one operand and is not listed yet.
        let mut first_seen: Vec<MemOperand> = Vec::new();
        for m in &memories {
            for &op in &m.operands {
                if !first_seen.contains(&op) {
                    first_seen.push(op);
                }
            }
        }
        let mut sharing: Vec<SmallVec<[(MemOperand, u8); 3]>> = Vec::new();
        for op in first_seen {
            for &mi in &levels[op.index()] {
                let m = &memories[mi];
                if m.operands.len() > 1 {
                    let grp: SmallVec<[(MemOperand, u8); 3]> =
                        m.operands.iter().map(|&o| (o, m.level_of[o.index()].unwrap_or(0))).collect();
                    if !sharing.contains(&grp) {
                        sharing.push(grp);
                    }
                }
            }
        }
        let imc = oa.is_imc.then(|| match &oa.imc {
            Some(p) => ImcCosts::new(oa, p),
            None => Err(CostError::Unsupported(format!(
                "accelerator `{}` is an IMC array (`is_imc: true`) without IMC parameters",
                acc.name
            ))),
        });
        HierarchyInfo {
            imc,
            is_imc: oa.is_imc,
            name: acc.name.clone(),
            oa_names: oa.dimensions.clone(),
            oa_sizes: oa.sizes.clone(),
            systolic: oa.systolic_dimensions.iter().filter_map(|d| oa_index(d)).collect(),
            unit_energy: oa.unit_energy,
            total_units: oa.total_unit_count(),
            memories,
            levels,
            sharing,
        }
    }

    /// Memory of operand `op` at level `lv`.
    #[inline]
    pub fn memory(&self, op: MemOperand, lv: usize) -> &MemoryInfo {
        &self.memories[self.levels[op.index()][lv]]
    }

    /// The IMC array's costs (`None` for a digital MAC array); the error when they could not be
    /// computed.
    pub fn imc_costs(&self) -> Result<Option<&ImcCosts>, CostError> {
        match &self.imc {
            None => Ok(None),
            Some(Ok(c)) => Ok(Some(c)),
            Some(Err(e)) => Err(e.clone()),
        }
    }

    /// Index of the OA dimension with this name.
    pub fn oa_index(&self, name: &str) -> Option<usize> {
        self.oa_names.iter().position(|d| d == name)
    }
}
