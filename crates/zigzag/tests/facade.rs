//! A library user's view: runs from in-memory inputs (YAML text, ONNX bytes read here)
//! through the facade give exactly the JSON the command line writes for the same files
//! (`tests/data/*.json`, written by `zigzag-rs ... --json` on the bundled examples).

use std::path::{Path, PathBuf};

use zigzag::{Error, MapOptions, Source};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled single-core example: accelerator, workload and mapping.
fn example_paths() -> (PathBuf, PathBuf, PathBuf) {
    let root = repo();
    (root.join("examples/accelerator.yaml"), root.join("examples/workload.yaml"), root.join("examples/mapping.yaml"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap()
}

#[test]
fn single_core_search_from_yaml_text_equals_the_cli_json() {
    let accelerator = read("examples/accelerator.yaml");
    let workload = read("examples/workload.yaml");
    let mapping = read("examples/mapping.yaml");
    let run = zigzag::evaluate(
        &Source::text("accelerator.yaml", &accelerator),
        &Source::text("workload.yaml", &workload),
        &Source::text("mapping.yaml", &mapping),
        &MapOptions::default(),
    )
    .unwrap();
    assert!(run.warnings.is_empty());
    let json = zz_report::to_json_string(&run.report).unwrap() + "\n";
    // `zigzag-rs map -a examples/accelerator.yaml -w examples/workload.yaml -m examples/mapping.yaml --json F`
    assert_eq!(json, read("crates/zigzag/tests/data/map_examples.json"));
}

#[test]
fn single_core_search_from_paths_equals_the_in_memory_run() {
    let (a, w, m) = example_paths();
    let opts = MapOptions { objective: zigzag::Objective::Energy, ..Default::default() };
    let from_paths = zigzag::evaluate(&Source::path(&a), &Source::path(&w), &Source::path(&m), &opts).unwrap();
    let (ta, tw, tm) =
        (read("examples/accelerator.yaml"), read("examples/workload.yaml"), read("examples/mapping.yaml"));
    let in_memory = zigzag::evaluate(
        &Source::text("a.yaml", &ta),
        &Source::text("workload.yaml", &tw),
        &Source::text("m.yaml", &tm),
        &opts,
    )
    .unwrap();
    assert_eq!(from_paths.report, in_memory.report);
}

#[test]
fn bad_yaml_text_is_a_located_input_error() {
    let workload = read("examples/workload.yaml");
    let mapping = read("examples/mapping.yaml");
    let err = zigzag::evaluate(
        &Source::text("acc.yaml", "name: x\nmemories: [1, 2\n"),
        &Source::text("workload.yaml", &workload),
        &Source::text("mapping.yaml", &mapping),
        &MapOptions::default(),
    )
    .unwrap_err();
    let Error::Input(e) = &err else { panic!("expected an input error, got {err:?}") };
    assert_eq!(e.file, "acc.yaml");
    assert!(e.line >= 1, "{e}");
    assert!(err.is_input_error());
    assert!(err.to_string().starts_with("acc.yaml:"), "{err}");
}

#[test]
fn an_onnx_model_given_as_the_accelerator_says_where_it_belongs() {
    let err = zigzag::single_core::read_accelerator(&Source::onnx("model.onnx", &[0x08, 0x07])).unwrap_err();
    assert!(err.to_string().contains("give it to -w/--workload"), "{err}");
}

#[test]
fn option_names_parse_with_from_str() {
    assert_eq!("EDP".parse::<zigzag::Objective>(), Ok(zigzag::Objective::Edp));
    assert_eq!("salsa".parse::<zigzag::Engine>(), Ok(zigzag::Engine::Salsa));
    assert_eq!("even".parse::<zigzag::MappingType>(), Ok(zigzag::MappingType::Even));
    let e = "bogus".parse::<zigzag::Engine>().unwrap_err();
    assert_eq!(e.to_string(), "expected loma, salsa or optimal, got `bogus`");
}

#[test]
fn stream_schedule_from_in_memory_workload_and_mapping_equals_the_cli_json() {
    use zigzag::stream::{self, ScheduleRequest, StreamInputs};
    let accelerator = repo().join("examples/multicore/dual_edge16.yaml");
    let workload = read("examples/workload.yaml");
    let mapping = read("examples/multicore/mapping.yaml");
    let inputs = StreamInputs {
        accelerator: Source::path(&accelerator),
        workload: Source::text("workload.yaml", &workload),
        mapping: Source::text("mapping.yaml", &mapping),
        stream_inputs: None,
    };
    let run = stream::schedule(&inputs, &ScheduleRequest::default()).unwrap();
    let json = zz_report::stream::stream_json_string(&run.report).unwrap() + "\n";
    // `zigzag-rs stream -a examples/multicore/dual_edge16.yaml -w examples/workload.yaml
    //  -m examples/multicore/mapping.yaml --mode fused --json F`
    assert_eq!(json, read("crates/zigzag/tests/data/stream_examples_fused.json"));
}

#[test]
fn stream_errors_in_memory_name_the_in_memory_input() {
    use zigzag::stream::{self, ScheduleRequest, StreamInputs};
    let accelerator = repo().join("examples/multicore/dual_edge16.yaml");
    let workload = read("examples/workload.yaml");
    let inputs = StreamInputs {
        accelerator: Source::path(&accelerator),
        workload: Source::text("workload.yaml", &workload),
        mapping: Source::text("my-mapping.yaml", "- name: default\n  core_allocation: [0\n"),
        stream_inputs: None,
    };
    let Err(err) = stream::schedule(&inputs, &ScheduleRequest::default()) else { panic!("expected an error") };
    let Error::Input(e) = &err else { panic!("expected an input error, got {err:?}") };
    assert_eq!(e.file, "my-mapping.yaml", "{err}");
}

#[test]
fn an_open_core_allocation_is_a_typed_stream_failure() {
    use zigzag::stream::{self, ScheduleRequest, StreamInputs};
    let root = repo();
    let (a, w, m) = (
        root.join("examples/multicore/dual_edge16.yaml"),
        root.join("examples/workload.yaml"),
        root.join("examples/multicore/mapping_ga.yaml"),
    );
    let inputs = StreamInputs {
        accelerator: Source::path(&a),
        workload: Source::path(&w),
        mapping: Source::path(&m),
        stream_inputs: None,
    };
    let Err(err) = stream::schedule(&inputs, &ScheduleRequest::default()) else { panic!("expected an error") };
    assert!(matches!(err, Error::Stream { kind: zigzag::StreamFailure::NoCore, .. }), "{err:?}");
}

#[test]
fn salsa_time_limit_stops_each_search_with_the_best_found() {
    let (a, w, m) = example_paths();
    let salsa = |iterations: usize, limit: Option<f64>| {
        let opts = MapOptions {
            engine: zigzag::Engine::Salsa,
            salsa: zigzag::single_core::SalsaSettings { iterations, ..Default::default() },
            time_limit: limit.map(std::time::Duration::from_secs_f64),
            ..Default::default()
        };
        zigzag::evaluate(&Source::path(&a), &Source::path(&w), &Source::path(&m), &opts).unwrap()
    };
    // 10^9 annealing steps per spatial mapping would take hours; 50 ms per search stops them.
    let t0 = std::time::Instant::now();
    let limited = salsa(1_000_000_000, Some(0.05));
    assert!(t0.elapsed().as_secs_f64() < 30.0, "the time limit did not stop SALSA");
    assert!(limited.result.layers.iter().all(|l| l.time_limit_hit && l.temporal_evaluated > 0));
    assert!(limited.report.energy.is_finite() && limited.report.latency > 0.0);
    // A limit that is never reached changes nothing: same seed, same result.
    let unlimited = salsa(200, None);
    let generous = salsa(200, Some(3600.0));
    assert!(generous.result.layers.iter().all(|l| !l.time_limit_hit));
    assert_eq!(
        zz_report::to_json_string(&unlimited.report).unwrap(),
        zz_report::to_json_string(&generous.report).unwrap()
    );
}
