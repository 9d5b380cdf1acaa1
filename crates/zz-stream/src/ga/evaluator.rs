//! Evaluates allocations: one full schedule per individual, memoised per allocation.

use super::*;

/// Schedules allocations of a set of genes. The scheduler input is built once by the pipeline
/// (every gene on its first core) and, per allocation, only the genes' CNs get their core, runtime
/// (`int(latency_total2)`, the genetic-algorithm path), energies, too-large operands and DRAM
/// bandwidths replaced — what [`pipeline::schedule_input`] would give for `base` plus the genome
/// as [`Allocation::chosen`].
pub struct AllocationEvaluator<'a> {
    prep: &'a Prepared,
    base_input: ScheduleInput,
    /// Per gene, the CN indices it allocates.
    cns_of_gene: Vec<Vec<usize>>,
    opts: &'a ScheduleOptions,
    /// Inputs to reuse (cloning a large input costs about as much as building it).
    spare: std::sync::Mutex<Vec<ScheduleInput>>,
}

impl<'a> AllocationEvaluator<'a> {
    /// Prepares the evaluation of `genes` on top of the cores in `base`.
    pub fn new(
        prep: &'a Prepared,
        base: &Allocation,
        genes: &[Gene],
        order: &SchedulingOrder,
        opts: &'a ScheduleOptions,
    ) -> Result<Self, StreamError> {
        let mut alloc = base.clone();
        alloc.chosen.extend(genes.iter().map(|g| (g.layer, g.group, g.cores.first().copied().unwrap_or(0))));
        let base_input = pipeline::schedule_input(prep, &alloc, order)?;
        let cns_of_gene = genes
            .iter()
            .map(|g| {
                (0..prep.graph.cns.len())
                    .filter(|&i| {
                        let c = &prep.graph.cns[i];
                        c.id == g.layer && c.group == g.group && preset_core(prep, base, i).is_none()
                    })
                    .collect()
            })
            .collect();
        Ok(Self { prep, base_input, cns_of_gene, opts, spare: Default::default() })
    }

    /// The scheduler input of an allocation (core per gene).
    pub fn input(&self, genome: &[usize]) -> Result<ScheduleInput, String> {
        let mut input = self.base_input.clone();
        self.patch(&mut input, genome)?;
        Ok(input)
    }

    /// Sets the genes' CNs of `input` to an allocation; every such CN is overwritten, so any earlier
    /// allocation of the same input is replaced completely.
    fn patch(&self, input: &mut ScheduleInput, genome: &[usize]) -> Result<(), String> {
        for (cns, &core) in self.cns_of_gene.iter().zip(genome) {
            for &i in cns {
                let Some(cc) = self.prep.costs.get(i, core) else {
                    let c = &self.prep.graph.cns[i];
                    return Err(format!("CN ({}, {}): core {core} is not among its allowed cores", c.id, c.sub_id));
                };
                let cn = &mut input.cns[i];
                cn.core = core;
                cn.runtime = cc.runtime_ga();
                cn.onchip_energy = cc.onchip_energy;
                cn.offchip_energy = cc.offchip_energy;
                cn.too_large_operands.clone_from(&cc.too_large_operands);
                cn.offchip_bandwidth = cc
                    .offchip_bandwidth_per_op
                    .iter()
                    .map(|(m, x)| {
                        let bw = OffchipBandwidth {
                            rd_out_to_low: x[0] as f64,
                            wr_in_by_low: x[1] as f64,
                            rd_out_to_high: x[2] as f64,
                            wr_in_by_high: x[3] as f64,
                        };
                        (*m, bw)
                    })
                    .collect();
            }
        }
        Ok(())
    }

    /// Schedules an allocation; `Err` holds why the scheduler rejected it.
    pub fn evaluate(&self, genome: &[usize]) -> Result<Metrics, String> {
        let spare = self.spare.lock().map(|mut v| v.pop()).unwrap_or(None);
        let mut input = spare.unwrap_or_else(|| self.base_input.clone());
        let r = self.patch(&mut input, genome).and_then(|()| self.metrics(&input));
        if let Ok(mut v) = self.spare.lock() {
            v.push(input);
        }
        r
    }

    fn metrics(&self, input: &ScheduleInput) -> Result<Metrics, String> {
        let s = scheduler::schedule(input, self.opts).map_err(|e| e.to_string())?;
        let offchip = input.topology.offchip_core;
        let peak = input
            .topology
            .memories
            .iter()
            .zip(&s.memories)
            .filter(|(m, _)| !m.cores.contains(&offchip))
            .map(|(_, u)| u.peak as f64)
            .fold(0.0, f64::max);
        Ok(Metrics { latency: s.latency, energy: s.energy.total(), peak_memory: peak })
    }
}
