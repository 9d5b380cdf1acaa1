//! A reused [`zz_cost::Evaluator`] gives, bit for bit, what a fresh evaluation gives: its
//! workspace is overwritten, never cleared, between evaluations, so a value left over from the
//! previous mapping would show here.
//!
//! Every layer of ResNet-18 (ONNX) on the TPU-like accelerator of the reference inputs
//! (`../shared/reference/zigzag`), or of the bundled example when that folder is absent: all
//! LOMA orderings at `lpf_limit` 4 of the first spatial mapping, evaluated in generation order
//! and again in reverse order by one evaluator, each compared with `evaluate_nest`.

use std::path::Path;
use zz_cost::{
    Allocator, CostEvaluation, Evaluator, HierarchyInfo, LayerInfo, Loop, MappingType, OperandBinding, SpatialSetup,
};
use zz_search::SpatialOptions;
use zz_search::permutations::MultisetPermutations;

#[test]
fn a_reused_evaluator_matches_fresh_evaluations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let reference = root.join("../shared/reference/zigzag");
    let (acc_p, wl_p, map_p) = if reference.is_dir() {
        (
            reference.join("hardware/tpu_like.yaml"),
            reference.join("workload/resnet18.onnx"),
            reference.join("mapping/tpu_like.yaml"),
        )
    } else {
        println!("../shared/reference absent: using the bundled example instead of ResNet-18");
        (
            root.join("examples/accelerator.yaml"),
            root.join("examples/workload.yaml"),
            root.join("examples/mapping.yaml"),
        )
    };
    let acc = zz_inputs::read_accelerator(&acc_p).unwrap().0;
    let workload = if wl_p.extension().is_some_and(|e| e == "onnx") {
        zz_inputs::read_workload_onnx(&wl_p).unwrap().0
    } else {
        zz_inputs::read_workload_yaml(&wl_p).unwrap().0
    };
    let mapping = zz_inputs::read_mapping(&map_p).unwrap().0;
    let hw = HierarchyInfo::new(&acc);
    let (mut layers, mut evaluations, mut fractional_layers) = (0, 0, 0);
    for layer in &workload.layers {
        let Some(entry) = mapping.entry_for(&layer.name, &layer.operator_type) else { continue };
        let Ok(info) = LayerInfo::new(layer) else { continue };
        let bind = OperandBinding::new(&info, &hw, &entry.memory_operand_links).unwrap();
        let sm = zz_search::spatial_generation::generate(&info, &hw, &bind, entry, &SpatialOptions::default()).unwrap();
        let setup = SpatialSetup::new(&info, &hw, &bind, &sm[0]).unwrap();
        let ctx = setup.context(&info, &hw, &bind);
        let alloc = Allocator::new(&info, &hw, &bind, &setup.frac.levels, MappingType::Uneven);
        let lpfs = zz_search::lpf::loop_prime_factors(&setup.temporal_loop_sizes(&info), Some(4), 0u8);
        let nests: Vec<_> = MultisetPermutations::new(lpfs)
            .filter_map(|o| {
                let ord: Vec<Loop> = o.iter().map(|&(d, s)| Loop { dim: d, size: s as f64 }).collect();
                alloc.allocate_nest(&ord).ok()
            })
            .collect();
        let fresh: Vec<CostEvaluation> =
            nests.iter().map(|n| zz_cost::evaluation::evaluate_nest(&ctx, n).unwrap()).collect();
        let mut ev = Evaluator::new(&ctx);
        for (k, n) in nests.iter().enumerate().chain(nests.iter().enumerate().rev()) {
            let reused = ev.evaluate(n).unwrap();
            assert_eq!(reused, &fresh[k], "layer {}: ordering {k} differs when the evaluator is reused", layer.name);
            evaluations += 1;
        }
        layers += 1;
        fractional_layers += usize::from(!ctx.plan.same_variant);
    }
    println!(
        "{layers} layers, {evaluations} reused evaluations identical to fresh ones ({fractional_layers} layers with a fractional spatial unrolling)"
    );
    assert!(layers > 0 && evaluations > 0);
    if reference.is_dir() {
        // ResNet-18's classifier (K = 1000 over 32 columns) exercises the integer-variant workspace.
        assert!(fractional_layers > 0, "no layer with a fractional spatial unrolling was covered");
    }
}
