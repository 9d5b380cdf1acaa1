//! The optimal engine (branch-and-bound) against exhaustive enumeration of the full ordering
//! space (LOMA with no prime-factor merging): the same chosen temporal mapping and the same
//! numbers, for every spatial mapping of every layer of the tutorial labs 1–3 and of the
//! ResNet-18 layers whose full space is small enough for CI, under each objective.
//! A partial or complete `temporal_ordering` of the mapping file is ignored here: the whole
//! space is searched. Prints, per case, the space size, orderings evaluated and pruned, and
//! the times of both searches.

use std::path::Path;
use std::time::Instant;
use zz_cost::{HierarchyInfo, LayerInfo, OperandBinding, SpatialSetup};
use zz_search::optimal::{self, OptimalOptions};
use zz_search::{LomaOptions, Objective, SpatialOptions, spatial_generation};

use zz_test_support::reference_dir;

/// Reads a workload, ONNX or YAML by its extension.
fn read_workload(wl: &Path) -> zz_ir::workload::Workload {
    if wl.extension().is_some_and(|e| e == "onnx") {
        zz_inputs::read_workload_onnx(wl).unwrap().0
    } else {
        zz_inputs::read_workload_yaml(wl).unwrap().0
    }
}

/// Runs `f` on the first spatial mapping of the workload's first layer.
fn with_first_spatial_setup<R>(
    acc: &Path,
    wl: &Path,
    map: &Path,
    f: impl FnOnce(&LayerInfo, &HierarchyInfo, &OperandBinding, &SpatialSetup) -> R,
) -> R {
    let acc = zz_inputs::read_accelerator(acc).unwrap().0;
    let wl = read_workload(wl);
    let mapping = zz_inputs::read_mapping(map).unwrap().0;
    let hw = HierarchyInfo::new(&acc);
    let layer = &wl.layers[0];
    let entry = mapping.entry_for(&layer.name, &layer.operator_type).unwrap();
    let info = LayerInfo::new(layer).unwrap();
    let bind = OperandBinding::new(&info, &hw, &entry.memory_operand_links).unwrap();
    let sopts = SpatialOptions { nb_mappings: 1, ..Default::default() };
    let sm = &spatial_generation::generate(&info, &hw, &bind, entry, &sopts).unwrap()[0];
    let setup = SpatialSetup::new(&info, &hw, &bind, sm).unwrap();
    f(&info, &hw, &bind, &setup)
}

/// Compares both searches on every spatial mapping of every layer with a full space of at
/// most `max_space` orderings; returns the number of cases compared.
fn compare(acc: &Path, wl: &Path, map: &Path, objectives: &[Objective], max_space: u128, nb_sm: usize) -> usize {
    let acc = zz_inputs::read_accelerator(acc).unwrap().0;
    let workload = read_workload(wl);
    let mapping = zz_inputs::read_mapping(map).unwrap().0;
    let hw = HierarchyInfo::new(&acc);
    let mut cases = 0;
    let mut seen = std::collections::HashSet::new();
    for layer in &workload.layers {
        if layer.kind != zz_ir::workload::LayerKind::Compute {
            continue;
        }
        let entry = mapping.entry_for(&layer.name, &layer.operator_type).unwrap();
        let info = LayerInfo::new(layer).unwrap();
        let bind = OperandBinding::new(&info, &hw, &entry.memory_operand_links).unwrap();
        let sopts = SpatialOptions { nb_mappings: nb_sm, ..Default::default() };
        for sm in spatial_generation::generate(&info, &hw, &bind, entry, &sopts).unwrap() {
            let setup = SpatialSetup::new(&info, &hw, &bind, &sm).unwrap();
            let space = optimal::space_size(&info, &setup);
            // Layers of one network often repeat: compare each distinct (shape, spatial mapping) once.
            let sig = format!("{:?} {:?} {:?}", info.sizes, setup.temporal_loop_sizes(&info), sm);
            if space > max_space || !seen.insert(sig) {
                continue;
            }
            for &objective in objectives {
                let lopts = LomaOptions { lpf_limit: 1000, objective, ..Default::default() };
                let t0 = Instant::now();
                let ex = zz_search::loma::search(&info, &hw, &bind, &setup, &[], &lopts, &|_| {}).unwrap();
                let t_ex = t0.elapsed().as_secs_f64();
                assert_eq!(ex.orderings_generated as u128, space, "{}: space size", layer.name);
                let dflt = LomaOptions { lpf_limit: 6, objective, ..Default::default() };
                let op = optimal::search(&info, &hw, &bind, &setup, &[], &dflt, &OptimalOptions::default(), &|_| {})
                    .unwrap();
                let st = op.stats;
                println!(
                    "{} {:?} {:?}: space {} evaluated {} (classes {} covering {}) pruned {} mirrored {} bounds {} | optimal {:.3} s, exhaustive {:.3} s | latency {} energy {}",
                    layer.name,
                    sm,
                    objective,
                    st.space,
                    st.evaluated,
                    st.classes,
                    st.covered,
                    st.pruned,
                    st.mirrored,
                    st.bound_evaluations,
                    st.seconds,
                    t_ex,
                    op.result.best.latency_total2,
                    op.result.best.energy_total
                );
                assert!(!st.time_limit_hit && st.tie_break_exact);
                assert_eq!(
                    (st.evaluated - st.classes) as u128 + st.covered + st.pruned + st.mirrored,
                    space,
                    "{}: every ordering evaluated, covered by a class, pruned or mirrored",
                    layer.name
                );
                assert_eq!(
                    (op.result.best.latency_total2, op.result.best.energy_total),
                    (ex.best.latency_total2, ex.best.energy_total),
                    "{} {:?} {:?}: optimal vs exhaustive numbers",
                    layer.name,
                    sm,
                    objective
                );
                assert_eq!(op.result.best, ex.best, "{}: every cost field", layer.name);
                assert_eq!(
                    op.result.mapping, ex.mapping,
                    "{} {:?} {:?}: the same temporal mapping",
                    layer.name, sm, objective
                );
                cases += 1;
            }
        }
    }
    cases
}

const ALL: [Objective; 3] = [Objective::Latency, Objective::Energy, Objective::Edp];

/// About 10^7 orderings per case: minutes in a release build, so not part of CI
/// (`cargo test --release -p zz-search --test optimal -- --ignored`).
#[test]
#[ignore]
fn tutorial_labs_match_exhaustive_enumeration() {
    let Some(r) = reference_dir() else {
        println!("SKIPPED: ../shared/reference absent (optimal vs exhaustive on the tutorial labs)");
        return;
    };
    let t = r.join("zigzag-tutorial");
    let mut cases = 0;
    let wl = t.join("lab1/inputs/workload/resnet18_first_layer.onnx");
    cases += compare(
        &t.join("lab1/inputs/hardware-v39/accelerator1.yaml"),
        &wl,
        &t.join("lab1/inputs/mapping/mapping.yaml"),
        &ALL,
        u128::MAX,
        3,
    );
    cases += compare(
        &t.join("lab2/inputs/hardware-v39/accelerator1.yaml"),
        &t.join("lab2/inputs/workload/resnet18_first_layer.onnx"),
        &t.join("lab2/inputs/mapping/mapping.yaml"),
        &ALL,
        u128::MAX,
        3,
    );
    for a in ["accelerator1", "accelerator2", "accelerator3"] {
        cases += compare(
            &t.join(format!("lab3/inputs/hardware-v39/{a}.yaml")),
            &t.join("lab3/inputs/workload/resnet18_first_layer.onnx"),
            &t.join(format!("lab3/inputs/mapping/{a}.yaml")),
            &ALL,
            u128::MAX,
            3,
        );
    }
    assert!(cases >= 15, "only {cases} cases compared");
}

/// The tutorial's lab 2 layer (10.8 M orderings; exhaustive enumeration takes about 20 s), the
/// case the optimal engine is measured on, for the latency objective.
#[test]
fn lab2_layer_matches_exhaustive_enumeration() {
    let Some(r) = reference_dir() else {
        println!("SKIPPED: ../shared/reference absent (optimal vs exhaustive on the lab 2 layer)");
        return;
    };
    let t = r.join("zigzag-tutorial/lab2/inputs");
    let cases = compare(
        &t.join("hardware-v39/accelerator1.yaml"),
        &t.join("workload/resnet18_first_layer.onnx"),
        &t.join("mapping/mapping.yaml"),
        &[Objective::Latency],
        u128::MAX,
        1,
    );
    assert_eq!(cases, 1);
    // The mirror symmetry is used here, and searching both mirror images gives the same answer.
    let lopts = LomaOptions { objective: Objective::Latency, ..Default::default() };
    let (with, without) = with_first_spatial_setup(
        &t.join("hardware-v39/accelerator1.yaml"),
        &t.join("workload/resnet18_first_layer.onnx"),
        &t.join("mapping/mapping.yaml"),
        |info, hw, bind, setup| {
            let run = |no_mirror| {
                let o = OptimalOptions { no_mirror, ..Default::default() };
                optimal::search(info, hw, bind, setup, &[], &lopts, &o, &|_| {}).unwrap()
            };
            (run(false), run(true))
        },
    );
    assert!(with.stats.mirrored > 0 && without.stats.mirrored == 0);
    assert_eq!(with.result.best, without.result.best);
    assert_eq!(with.result.mapping, without.result.mapping);
    assert_eq!(with.result.best.latency_total2, 1_846_106.0, "the lab 2 optimum measured with exhaustive enumeration");
}

#[test]
fn resnet18_small_spaces_match_exhaustive_enumeration() {
    let Some(r) = reference_dir() else {
        println!("SKIPPED: ../shared/reference absent (optimal vs exhaustive on ResNet-18)");
        return;
    };
    let z = r.join("zigzag");
    let wl = z.join("workload/resnet18.onnx");
    let mut cases = 0;
    for hw in ["tpu_like", "edge_tpu_like"] {
        cases += compare(
            &z.join(format!("hardware/{hw}.yaml")),
            &wl,
            &z.join(format!("mapping/{hw}.yaml")),
            &ALL,
            200_000,
            3,
        );
    }
    // The tutorial's accelerator (shared I/O buffer, weights fully on chip) on the same network:
    // here the pruning and the equal-cost subtrees do most of the work.
    let t = r.join("zigzag-tutorial/lab2/inputs");
    cases += compare(&t.join("hardware-v39/accelerator1.yaml"), &wl, &t.join("mapping/mapping.yaml"), &ALL, 200_000, 3);
    assert!(cases >= 6, "only {cases} cases compared");
}

/// An objective whose value is not a number (e.g. a cost table with a NaN in it).
struct NanObjective;

impl optimal::BoundedObjective for NanObjective {
    fn key(
        &self,
        _: &zz_cost::EvalContext<'_>,
        _: &zz_cost::temporal::LoopNest,
        _: &zz_cost::CostEvaluation,
    ) -> Result<optimal::Key, zz_cost::CostError> {
        Ok((f64::NAN, 0.0))
    }

    fn bound(
        &self,
        _: &zz_cost::EvalContext<'_>,
        _: &zz_cost::temporal::LoopNest,
        _: &zz_cost::KnownBoundaries,
        _: zz_cost::PartialBounds,
    ) -> optimal::Key {
        (f64::NAN, f64::NAN)
    }
}

/// A NaN objective value neither beats nor ties anything: the search must stop with an error
/// instead of returning an ordering whose value means nothing.
#[test]
fn nan_objective_is_an_error_not_an_optimum() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let r = with_first_spatial_setup(
        &root.join("examples/accelerator.yaml"),
        &root.join("examples/workload.yaml"),
        &root.join("examples/mapping.yaml"),
        |info, hw, bind, setup| {
            optimal::search_with(
                info,
                hw,
                bind,
                setup,
                Default::default(),
                6,
                &NanObjective,
                &OptimalOptions::default(),
                &|_| {},
            )
        },
    );
    let Err(e) = r else { panic!("a NaN objective must be an error") };
    let err = e.to_string();
    assert!(err.contains("not a number"), "{err}");
}
