//! Fills zz-report's [`MemoryHierarchy`] (the memory-hierarchy diagram of the HTML report) from
//! an accelerator: every memory with its size, instance count, costs and ports, and the MAC
//! array.

use zz_ir::accelerator::{Accelerator, PortType};
use zz_report::{ArrayReport, MemoryHierarchy, MemoryReport, PortReport};

/// The report DTO of `acc`'s memory hierarchy (memories lowest level first, sizes in bits,
/// bandwidths in bits/cycle).
pub fn memory_hierarchy(acc: &Accelerator) -> MemoryHierarchy {
    let oa = &acc.operational_array;
    let array = ArrayReport {
        dimensions: oa.dimensions.iter().cloned().zip(oa.sizes.iter().copied()).collect(),
        unit_energy: oa.unit_energy,
        unit_area: oa.unit_area,
        is_imc: oa.is_imc,
    };
    let memories = acc
        .memories
        .iter()
        .map(|m| MemoryReport {
            name: m.name.clone(),
            size_bits: m.size as f64,
            instances: acc.instances(m),
            r_cost: m.r_cost,
            w_cost: m.w_cost,
            area: m.area,
            mem_type: m.mem_type.clone(),
            operands: m.operands.iter().map(|o| o.as_str().to_string()).collect(),
            served_dimensions: m.served_dimensions.clone(),
            ports: m
                .ports
                .iter()
                .map(|p| PortReport {
                    name: p.name.clone(),
                    kind: match p.port_type {
                        PortType::Read => "read",
                        PortType::Write => "write",
                        PortType::ReadWrite => "read_write",
                    }
                    .to_string(),
                    bandwidth_min: p.bandwidth_min as f64,
                    bandwidth_max: p.bandwidth_max as f64,
                    serves: p.allocation.iter().map(|(o, d)| (o.as_str().to_string(), d.code().to_string())).collect(),
                })
                .collect(),
            double_buffered: m.force_double_buffering,
        })
        .collect();
    MemoryHierarchy { accelerator: acc.name.clone(), array, memories }
}
