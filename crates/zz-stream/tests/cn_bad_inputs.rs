//! Bad Stream inputs give located errors (file, line:column, key, what was expected) and
//! never panic: accelerator, core files, mapping, ONNX operators, CN generation and the
//! pipeline's allocation.

use std::path::{Path, PathBuf};

use prost::Message;
use zz_inputs::onnx::proto::{
    GraphProto, ModelProto, NodeProto, TensorShapeProto, TypeProto, ValueInfoProto, tensor_shape_proto, type_proto,
};
use zz_inputs::stream::{
    CoreResolver, read_stream_accelerator, read_stream_mapping_str, read_stream_problem, read_stream_workload_onnx,
    read_stream_workload_yaml,
};
use zz_ir::stream::accelerator::{StreamAccelerator, total_weight_capacity};
use zz_stream::cn::{self, CnOptions, Mode};

const CORE: &str = "name: c\ntype: compute\nmemories:\n  m:\n    size: 1024\n    r_cost: 1\n    w_cost: 1\n    area: 0\n    latency: 1\n    operands: [I1, I2, O]\n    ports:\n      - name: rw_port_1\n        type: read_write\n        bandwidth_min: 8\n        bandwidth_max: 8\n        allocation: [I1, tl, I1, fh]\n    served_dimensions: [D1]\noperational_array:\n  unit_energy: 1\n  unit_area: 1\n  dimensions: [D1]\n  sizes: [4]\n";

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("zz_stream_bad_{tag}_{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read_acc(dir: &Dir, text: &str) -> zz_inputs::InputError {
    let p = dir.write("acc.yaml", text);
    read_stream_accelerator(&p, &CoreResolver::default()).map(|_| ()).unwrap_err()
}

#[test]
fn accelerator_errors_are_located() {
    let dir = Dir::new("acc");
    let good_core = CORE.replace(
        "allocation: [I1, tl, I1, fh]",
        "allocation: [\"I1, tl\", \"I1, fh\", \"I2, tl\", \"I2, fh\", \"O, tl\", \"O, fh\", \"O, fl\", \"O, th\"]",
    );
    dir.write("core.yaml", &good_core);
    let head = "name: a\ncores:\n  0: ./core.yaml\n  1: ./core.yaml\n";
    // missing offchip_core_id
    let e = read_acc(&dir, &format!("{head}core_connectivity: []\n"));
    assert_eq!((e.line, e.key.as_str()), (1, "offchip_core_id"), "{e}");
    assert!(e.file.ends_with("acc.yaml"));
    // unknown core in a connection
    let e = read_acc(
        &dir,
        &format!("{head}offchip_core_id: 1\ncore_connectivity:\n  - type: link\n    cores: [0, 7]\n    bandwidth: 8\n"),
    );
    assert_eq!((e.line, e.key.as_str()), (8, "core_connectivity[0].cores[1]"), "{e}");
    // a link with three cores
    let e = read_acc(
        &dir,
        &format!("{head}offchip_core_id: 1\ncore_connectivity:\n  - cores: [0, 1, 1]\n    bandwidth: 8\n"),
    );
    assert!(e.message.contains("exactly 2"), "{e}");
    // zero bandwidth
    let e =
        read_acc(&dir, &format!("{head}offchip_core_id: 1\ncore_connectivity:\n  - cores: [0, 1]\n    bandwidth: 0\n"));
    assert_eq!(e.key, "core_connectivity[0].bandwidth", "{e}");
    // missing core file
    let e = read_acc(&dir, "name: a\ncores:\n  0: ./nope.yaml\noffchip_core_id: 0\ncore_connectivity: []\n");
    assert_eq!((e.line, e.key.as_str()), (3, "cores.0"), "{e}");
    // gaps in core ids
    let e = read_acc(
        &dir,
        "name: a\ncores:\n  0: ./core.yaml\n  2: ./core.yaml\noffchip_core_id: 0\ncore_connectivity: []\n",
    );
    assert!(e.message.contains("without gaps"), "{e}");
    // bad memory sharing string
    let e =
        read_acc(&dir, &format!("{head}offchip_core_id: 1\ncore_connectivity: []\ncore_memory_sharing: [\"0 1\"]\n"));
    assert_eq!(e.key, "core_memory_sharing[0]", "{e}");
    // errors inside a core file point into the core file
    dir.write("bad_core.yaml", &good_core.replace("type: compute", "type: gpu"));
    let e = read_acc(&dir, "name: a\ncores:\n  0: ./bad_core.yaml\noffchip_core_id: 0\ncore_connectivity: []\n");
    assert!(e.file.ends_with("bad_core.yaml") && e.key == "type" && e.line == 2, "{e}");
    dir.write("no_type.yaml", &good_core.replace("type: compute\n", ""));
    let e = read_acc(&dir, "name: a\ncores:\n  0: ./no_type.yaml\noffchip_core_id: 0\ncore_connectivity: []\n");
    assert!(e.file.ends_with("no_type.yaml") && e.key == "type", "{e}");
}

#[test]
fn mapping_errors_are_located() {
    let e = read_stream_mapping_str("m.yaml", "- name: default\n  inter_core_tiling: [\"K, -1\"]\n").unwrap_err();
    assert_eq!((e.line, e.key.as_str()), (2, "[0].inter_core_tiling[0]"), "{e}");
    let e = read_stream_mapping_str("m.yaml", "- name: default\n  intra_core_tiling: [\"OY, *\"]\n").unwrap_err();
    assert!(e.message.contains("only allowed in `inter_core_tiling`"), "{e}");
    let e = read_stream_mapping_str("m.yaml", "- name: default\n  core_allocation: [a]\n").unwrap_err();
    assert_eq!(e.key, "[0].core_allocation[0]", "{e}");
    let e = read_stream_mapping_str("m.yaml", "name: default\n").unwrap_err();
    assert!(e.message.contains("list"), "{e}");
    let e = read_stream_mapping_str("m.yaml", "").unwrap_err();
    assert!(e.message.contains("empty"), "{e}");
}

fn testing_accelerator() -> Option<(StreamAccelerator, PathBuf)> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/stream"));
    if !root.exists() {
        return None;
    }
    let resolver = CoreResolver { stream_inputs: Some(root.to_path_buf()) };
    let p = root.join("testing/hardware/dual_testing_core_offchip.yaml");
    Some((read_stream_accelerator(&p, &resolver).unwrap().0, root.to_path_buf()))
}

fn value_info(name: &str, dims: &[i64]) -> ValueInfoProto {
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(1),
                shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|&d| tensor_shape_proto::Dimension {
                            value: Some(tensor_shape_proto::dimension::Value::DimValue(d)),
                            ..Default::default()
                        })
                        .collect(),
                }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn workload_and_generation_errors() {
    let Some((acc, root)) = testing_accelerator() else {
        println!("SKIPPED: ../shared/reference absent");
        return;
    };
    let dir = Dir::new("wl");
    // A mapping that allocates to a missing core is reported in the mapping file.
    let (m, _) = read_stream_mapping_str("m.yaml", "- name: default\n  core_allocation: [9]\n").unwrap();
    let wl = root.join("testing/workload/testing_workload_for_2_cores.yaml");
    let e = read_stream_workload_yaml(&wl, &m, &acc).unwrap_err();
    assert_eq!((e.file.as_str(), e.line, e.key.as_str()), ("m.yaml", 1, "default.core_allocation"), "{e}");

    // ONNX: an operator Stream parses but this port does not support.
    let model = ModelProto {
        graph: Some(GraphProto {
            node: vec![NodeProto {
                input: vec!["x".into()],
                output: vec!["y".into()],
                name: Some("sm".into()),
                op_type: Some("Softmax".into()),
                ..Default::default()
            }],
            input: vec![value_info("x", &[1, 8])],
            output: vec![value_info("y", &[1, 8])],
            ..Default::default()
        }),
        ..Default::default()
    };
    let p = dir.write("m.onnx", "");
    std::fs::write(&p, model.encode_to_vec()).unwrap();
    let (m, _) = read_stream_mapping_str("m.yaml", "- name: default\n  core_allocation: [0]\n").unwrap();
    let e = read_stream_workload_onnx(&p, &m, &acc).unwrap_err();
    assert!(e.key.starts_with("graph.node[0]") && e.message.contains("Softmax"), "{e}");
    // ONNX: a missing shape.
    let mut model2 = model.clone();
    if let Some(g) = model2.graph.as_mut() {
        g.node[0].op_type = Some("Relu".into());
        g.output.clear();
    }
    std::fs::write(&p, model2.encode_to_vec()).unwrap();
    let e = read_stream_workload_onnx(&p, &m, &acc).unwrap_err();
    assert!(e.message.contains("shape inference"), "{e}");
    // Not an ONNX file.
    std::fs::write(&p, [0xff, 0xff, 0xff]).unwrap();
    assert!(read_stream_workload_onnx(&p, &m, &acc).is_err());

    // Two inter-core tiling entries: Stream supports one.
    let (m, _) = read_stream_mapping_str(
        "m.yaml",
        "- name: default\n  core_allocation: [0, 1]\n  inter_core_tiling: [\"K, 2\", \"OY, 2\"]\n",
    )
    .unwrap();
    let (w, _) = read_stream_workload_yaml(&wl, &m, &acc).unwrap();
    let opts = CnOptions { mode: Mode::Lbl, layer_stacks: None };
    let e = cn::generate(&w, &opts, total_weight_capacity(&acc)).unwrap_err();
    assert!(e.message.contains("one inter_core_tiling"), "{e}");
}

#[test]
fn pipeline_needs_an_allocation_for_open_choices() {
    let Some((_, root)) = testing_accelerator() else {
        println!("SKIPPED: ../shared/reference absent");
        return;
    };
    let dir = Dir::new("pl");
    let mapping = dir.write("m.yaml", "- name: default\n  core_allocation: [0, 1]\n  inter_core_tiling: [\"K, 1\"]\n");
    let problem = read_stream_problem(
        &root.join("testing/hardware/dual_testing_core_offchip.yaml"),
        &root.join("testing/workload/testing_workload_for_2_cores.yaml"),
        &mapping,
        &CoreResolver { stream_inputs: Some(root.clone()) },
    )
    .unwrap();
    let opts = zz_stream::pipeline::PrepareOptions {
        cn: CnOptions { mode: Mode::Lbl, layer_stacks: None },
        cost: Default::default(),
    };
    let prep = zz_stream::pipeline::prepare(problem, &opts).unwrap();
    let alloc = zz_stream::pipeline::Allocation::default();
    let e =
        zz_stream::pipeline::schedule_input(&prep, &alloc, &zz_stream::pipeline::SchedulingOrder::Stream).unwrap_err();
    assert!(e.to_string().contains("give an allocation"), "{e}");
    let alloc = zz_stream::pipeline::Allocation { fixed: vec![], chosen: vec![(0, 0, 1), (1, 0, 0)] };
    let input =
        zz_stream::pipeline::schedule_input(&prep, &alloc, &zz_stream::pipeline::SchedulingOrder::Stream).unwrap();
    assert_eq!(input.cns.iter().map(|c| c.core).collect::<Vec<_>>(), vec![1, 0]);
    // Cores outside the allowed list are refused.
    let alloc = zz_stream::pipeline::Allocation { fixed: vec![(0, None, 2)], chosen: vec![(1, 0, 0)] };
    let e =
        zz_stream::pipeline::schedule_input(&prep, &alloc, &zz_stream::pipeline::SchedulingOrder::Stream).unwrap_err();
    assert!(e.to_string().contains("cannot run on core 2") && e.to_string().contains("no MAC units"), "{e}");
}
