//! The ZigZag flow Stream runs for one (CN layer, core): spatial mappings, the temporal search
//! with Stream's objective, and the cost model evaluation derived from it.

use super::*;

/// Result of one search.
pub(super) struct Found {
    pub(super) eval: CostEvaluation,
    pub(super) nest: LoopNest,
    pub(super) spatial: UserSpatialMapping,
    pub(super) setup_index: usize,
}

/// LOMA (or, with [`CostOptions::optimal`], the optimal engine) over one spatial mapping with
/// the Stream objective; first best in generation order.
pub(super) fn search_temporal(
    info: &LayerInfo,
    hw: &HierarchyInfo,
    bind: &OperandBinding,
    setup: &SpatialSetup,
    opts: &CostOptions,
    obj: &Objective,
    stats: &mut SearchStats,
) -> Result<Option<(CostEvaluation, LoopNest, f64)>, CostError> {
    if let Some(o) = &opts.optimal {
        let r =
            zz_search::optimal::search_with(info, hw, bind, setup, opts.mapping_type, opts.lpf_limit, obj, o, &|_| {});
        return match r {
            Ok(r) => {
                stats.add(&r.stats);
                let nest = r.result.mapping.to_nest().map_err(CostError::Invariant)?;
                let v = obj.value(&setup.context(info, hw, bind), &nest, &r.result.best)?;
                Ok(Some((r.result.best, nest, v)))
            }
            // as LOMA: a spatial mapping no ordering fits is no candidate
            Err(CostError::Mapping { .. }) => Ok(None),
            Err(e) => Err(e),
        };
    }
    let ctx = setup.context(info, hw, bind);
    let alloc = Allocator::new(info, hw, bind, &setup.frac.levels, opts.mapping_type);
    let found = zz_search::loma::search_orderings(
        info,
        setup,
        &ctx,
        &alloc,
        opts.lpf_limit,
        &[],
        None,
        &|_| {},
        obj,
        Default::default(),
    )?;
    Ok(found.best)
}

/// Cycles per operation of an operator type (`get_cc_per_op`).
pub(super) fn cc_per_op(op_type: &str) -> f64 {
    match op_type {
        "silu" | "sigmoid" | "exp" => 4.0,
        _ => 1.0,
    }
}

/// Runs the Stream ZigZag flow for one (layer of a CN, core).
#[allow(clippy::too_many_arguments)]
pub(super) fn run_zigzag(
    tile: &zz_ir::workload::Layer,
    op_type: &str,
    core: &StreamCore,
    offchip: &StreamCore,
    too_large: &[MemOperand],
    spatial_mapping: Option<&UserSpatialMapping>,
    nb_parallel: u64,
    opts: &CostOptions,
) -> Result<Cme, CostError> {
    let acc = if too_large.is_empty() {
        (*core.accelerator).clone()
    } else {
        add_offchip(&core.accelerator, &offchip.accelerator, too_large)?
    };
    if acc.operational_array.is_imc {
        return Err(CostError::Unsupported(format!(
            "core `{}` is an in-memory-computing array (`is_imc: true`); classic Stream's IMC cores \
             are not modelled by `zigzag-rs stream` (use `zigzag-rs map` for a single IMC core)",
            acc.name
        )));
    }
    let hw = HierarchyInfo::new(&acc);
    let info = LayerInfo::new(tile)?;
    let links = stream_links();
    let bind = OperandBinding::new(&info, &hw, &links)?;
    let sm = core.dataflows.clone().or_else(|| spatial_mapping.cloned());
    let entry = MappingEntry {
        name: tile.name.clone(),
        spatial_mapping: sm,
        spatial_mapping_hint: Vec::new(),
        temporal_ordering: Vec::new(),
        memory_operand_links: links.clone(),
    };
    // The core is deep-copied by the reference when DRAM is added.
    // reference quirk: the core is deep-copied when DRAM is added, which re-orders the sets of
    // served array dimensions that the spatial generator's capacity clamp walks.
    let order = if too_large.is_empty() { ServedDimsOrder::AsParsed } else { ServedDimsOrder::DeepCopied };
    let candidates = spatial_generation::generate_with(&info, &hw, &bind, &entry, &opts.spatial, order)?;
    let obj = Objective::new(&acc, !too_large.is_empty(), nb_parallel);
    let mut best: Option<(Found, f64)> = None;
    let mut setups = Vec::with_capacity(candidates.len());
    let mut stats = SearchStats::default();
    for (i, sm) in candidates.into_iter().enumerate() {
        let setup = SpatialSetup::new(&info, &hw, &bind, &sm)?;
        if let Some((eval, nest, v)) = search_temporal(&info, &hw, &bind, &setup, opts, &obj, &mut stats)?
            && best.as_ref().is_none_or(|b| v < b.1)
        {
            best = Some((Found { eval, nest, spatial: sm, setup_index: i }, v));
        }
        setups.push(setup);
    }
    let Some((mut found, _)) = best else {
        return Err(CostError::Mapping {
            layer: tile.name.clone(),
            message: "no spatial/temporal mapping fits the core".into(),
        });
    };
    // `increase_cc_per_op`: the chosen mapping re-evaluated with the operator's cycles per op.
    let cpo = cc_per_op(op_type);
    if cpo != 1.0 {
        let setup = &setups[found.setup_index];
        let mut ctx = setup.context(&info, &hw, &bind);
        ctx.cycles_per_op = cpo;
        found.eval = zz_cost::evaluation::evaluate_nest(&ctx, &found.nest)?;
    }
    Ok(Cme {
        eval: found.eval,
        spatial: found.spatial,
        temporal: found.nest.to_mapping(),
        nest: found.nest,
        accelerator: Arc::new(acc),
        dram_operands: too_large.to_vec(),
        operands: info.operands.iter().map(|o| o.name.clone()).collect(),
        search: opts.optimal.is_some().then_some(stats),
    })
}

/// What the scheduler derives from a CME (`SetFixedAllocationPerformanceStage`).
pub(super) fn derive(
    cme: Arc<Cme>,
    core: &StreamCore,
    tile: &zz_ir::workload::Layer,
    op_type: &str,
    latency_attr: LatencyAttr,
) -> Result<CoreCost, CostError> {
    let links = stream_links();
    let mem_of = |lop: &str| links.iter().find(|(l, _)| l == lop).map(|(_, m)| *m);
    // Too large = more levels in the evaluated hierarchy than in the core.
    let mut too_large = Vec::new();
    for name in &cme.operands {
        let Some(m) = mem_of(name) else { continue };
        let evaluated = cme.accelerator.memories.iter().filter(|x| x.operands.contains(&m)).count();
        if evaluated > core.nb_levels(m) {
            too_large.push(m);
        }
    }
    let e = &cme.eval;
    let mut onchip = e.energy_total;
    let mut offchip = 0.0;
    let mut per_op = Vec::new();
    for &m in &too_large {
        let Some(k) = cme.operands.iter().position(|n| mem_of(n) == Some(m)) else { continue };
        let part = *e.mem_energy_breakdown[k].last().unwrap_or(&0.0);
        offchip += part;
        onchip -= part;
        per_op.push((m, part));
    }
    let latency = latency_attr.of(e);
    let mut bw = Vec::new();
    if !too_large.is_empty() {
        // Rebuild the evaluation context of the chosen mapping to get the instantaneous bandwidth.
        let hw = HierarchyInfo::new(&cme.accelerator);
        let info = LayerInfo::new(tile)?;
        let bind = OperandBinding::new(&info, &hw, &links)?;
        let setup = SpatialSetup::new(&info, &hw, &bind, &cme.spatial)?;
        let mut ctx = setup.context(&info, &hw, &bind);
        ctx.cycles_per_op = cc_per_op(op_type);
        let nest = cme.nest;
        let scaling = e.ideal_temporal_cycle / latency;
        for &m in &too_large {
            bw.push((m, top_inst_bandwidth(&ctx, &nest, e, m, scaling)?));
        }
    }
    Ok(CoreCost {
        core: core.id,
        cme,
        too_large_operands: too_large,
        runtime: latency,
        onchip_energy: onchip,
        offchip_energy: offchip,
        offchip_energy_per_operand: per_op,
        offchip_bandwidth_per_op: bw,
    })
}
