//! Tests of the ONNX workload reader: reference models against the oracle fixtures, and
//! malformed or unsupported models (truncated, garbage, unsupported attributes) giving clean errors.

use std::panic::catch_unwind;
use std::path::{Path, PathBuf};

use prost::Message;
use serde::Deserialize;
use zz_inputs::onnx::proto::attribute_proto::AttributeType;
use zz_inputs::onnx::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
    tensor_shape_proto, type_proto,
};
use zz_inputs::{InputError, read_workload_onnx, read_workload_onnx_bytes};
use zz_ir::workload::{Layer, LayerKind, Workload};

/// The shared reference folder, or `None` (test skipped) when it is absent.
fn reference() -> Option<PathBuf> {
    let p = zz_test_support::reference_path();
    if p.is_dir() {
        Some(p)
    } else {
        println!("SKIPPED: ../shared/reference absent");
        None
    }
}

fn read(path: &Path) -> Workload {
    match read_workload_onnx(path) {
        Ok((w, _warnings)) => w,
        Err(e) => panic!("{e}"),
    }
}

fn compute(w: &Workload) -> Vec<&Layer> {
    w.compute_layers()
}

fn size(l: &Layer, d: &str) -> u64 {
    l.size_of(d).unwrap_or_else(|| panic!("{}: no dim {d}", l.name))
}

// ------------------------------------------------------------------------------------------------
// reference models

#[test]
fn resnet18_matches_oracle_fixture() {
    let Some(r) = reference() else { return };
    let w = read(&r.join("zigzag/workload/resnet18.onnx"));
    let text = std::fs::read_to_string(r.join("zigzag/oracle/tpu_like_onnx.json")).unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected = fixture["layers"].as_array().unwrap();
    let got = compute(&w);
    let got_names: Vec<&str> = got.iter().map(|l| l.name.as_str()).collect();
    let exp_names: Vec<&str> = expected.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(got_names, exp_names, "compute layers in topological order");
    for (l, e) in got.iter().zip(expected) {
        assert_eq!(l.id as u64, e["id"].as_u64().unwrap(), "{}", l.name);
        assert_eq!(l.operator_type, e["type"].as_str().unwrap(), "{}", l.name);
        assert_eq!(l.equation, e["equation"].as_str().unwrap(), "{}", l.name);
        let exp_dims: Vec<(String, u64)> =
            e["loop_dim_sizes"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())).collect();
        assert_eq!(l.loop_dims, exp_dims, "{}", l.name);
        let exp_prec: Vec<(String, u64)> =
            e["operand_precision"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())).collect();
        assert_eq!(l.precision, exp_prec, "{}", l.name);
        assert_eq!(l.total_mac_count(), e["total_mac_count"].as_u64().unwrap(), "{}", l.name);
    }
}

#[test]
fn resnet18_graph_structure() {
    let Some(r) = reference() else { return };
    let (w, warnings) = read_workload_onnx(&r.join("zigzag/workload/resnet18.onnx")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(w.layers.len(), 49);
    assert!(w.layers.iter().enumerate().all(|(i, l)| l.id == i));
    assert_eq!(w.layers.iter().filter(|l| l.kind == LayerKind::Dummy).count(), 28);
    // topological order covers every node once
    let mut order = w.topological_order();
    assert_eq!(order.len(), 49);
    order.sort_unstable();
    assert_eq!(order, (0..49).collect::<Vec<_>>());

    let conv1 = &w.layers[0];
    assert_eq!(conv1.operands.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["O", "W", "I"]);
    assert_eq!(conv1.operands[1].dims, ["G", "K", "C", "FY", "FX"]);
    assert_eq!(conv1.operand_source, [("W".to_string(), 0), ("I".to_string(), 0)]);
    assert_eq!(conv1.constant_operands(), ["W", "I"]);
    assert_eq!(conv1.pr_sizes, Some(vec![("IX".to_string(), 224), ("IY".to_string(), 224)]));
    assert_eq!(conv1.padding, [("IX".to_string(), (3, 3)), ("IY".to_string(), (3, 3))]);
    let rel = &conv1.relations[0];
    assert_eq!(
        (rel.derived.as_str(), rel.a.as_str(), rel.coef_a, rel.b.as_str(), rel.coef_b),
        ("IX", "OX", 2, "FX", 1)
    );

    let relu = &w.layers[1];
    assert_eq!((relu.kind, relu.operator_type.as_str(), relu.equation.as_str()), (LayerKind::Dummy, "relu", ""));
    assert_eq!(relu.operand_source, [("I".to_string(), 0)]);
    assert!(w.edges.contains(&(0, 1)));

    // block conv: one predecessor (the max pool) -> W constant, I from node 2
    assert_eq!(w.layers[3].operand_source, [("W".to_string(), 3), ("I".to_string(), 2)]);
    // Add nodes have two predecessors
    let add = w.layers.iter().find(|l| l.operator_type == "add").unwrap();
    assert_eq!(add.operand_source.len(), 2);

    let fc = w.layers.last().unwrap();
    assert_eq!(fc.name, "/fc/Gemm");
    assert_eq!(fc.operands[1].name, "I");
    assert_eq!(fc.operand_source, [("W".to_string(), 48), ("I".to_string(), 47)]);
    assert_eq!(w.layers[47].operator_type, "flatten");
}

#[derive(Deserialize)]
struct YamlLayer {
    id: usize,
    operator_type: String,
    loop_dims: Vec<String>,
    loop_sizes: Vec<u64>,
    #[serde(default)]
    dimension_relations: Vec<String>,
}

/// The ONNX and the hand-written YAML ResNet-18 describe the same convolutions (the YAML's
/// downsample convs use 3x3 kernels where the ONNX has 1x1, and its classifier is a 1x1 conv).
#[test]
fn resnet18_onnx_agrees_with_yaml() {
    let Some(r) = reference() else { return };
    let w = read(&r.join("zigzag/workload/resnet18.onnx"));
    let text = std::fs::read_to_string(r.join("zigzag/workload/resnet18.yaml")).unwrap();
    let yaml: Vec<YamlLayer> = serde_saphyr::from_str(&text).unwrap();
    let yaml_convs: Vec<&YamlLayer> = yaml.iter().filter(|l| l.operator_type.starts_with("Conv")).collect();
    // ONNX compute layers in node order (the YAML lists the downsample after the block's second conv too)
    let onnx: Vec<&Layer> = w.layers.iter().filter(|l| l.kind == LayerKind::Compute).collect();
    assert_eq!(onnx.len(), yaml_convs.len());
    for (o, y) in onnx.iter().zip(&yaml_convs) {
        let ysize = |d: &str| y.loop_dims.iter().position(|x| x == d).map(|i| y.loop_sizes[i]).unwrap();
        let ctx = format!("ONNX {} vs YAML id {}", o.name, y.id);
        assert_eq!(size(o, "K"), ysize("K"), "{ctx}");
        assert_eq!(size(o, "C"), ysize("C"), "{ctx}");
        if o.operator_type == "Gemm" {
            assert_eq!((ysize("OX"), ysize("OY"), ysize("FX")), (1, 1, 1), "{ctx}");
            continue;
        }
        assert_eq!(size(o, "OX"), ysize("OX"), "{ctx}");
        assert_eq!(size(o, "OY"), ysize("OY"), "{ctx}");
        if y.operator_type == "Conv" {
            assert_eq!(size(o, "FX"), ysize("FX"), "{ctx}");
            assert_eq!(size(o, "FY"), ysize("FY"), "{ctx}");
        }
        let stride = y.dimension_relations[0].split('=').nth(1).unwrap().split('*').next().unwrap();
        assert_eq!(o.relations[0].coef_a.to_string(), stride, "{ctx}");
    }
}

#[test]
fn tutorial_single_layers_match_lab1_fixture() {
    let Some(r) = reference() else { return };
    let w = read(&r.join("zigzag-tutorial/lab1/inputs/workload/resnet18_first_layer.onnx"));
    let text = std::fs::read_to_string(r.join("zigzag-tutorial/oracle/lab1.json")).unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let e = &fixture["layers"][0];
    assert_eq!(w.layers.len(), 1);
    let l = &w.layers[0];
    assert_eq!(l.name, e["name"].as_str().unwrap());
    assert_eq!(l.operator_type, e["type"].as_str().unwrap());
    assert_eq!(l.equation, e["equation"].as_str().unwrap());
    let exp_dims: Vec<(String, u64)> =
        e["loop_dim_sizes"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())).collect();
    assert_eq!(l.loop_dims, exp_dims);
    let exp_prec: Vec<(String, u64)> =
        e["operand_precision"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())).collect();
    assert_eq!(l.precision, exp_prec);

    let w6 = read(&r.join("zigzag-tutorial/lab6/inputs/workload/resnet18_second_layer.onnx"));
    let l = &w6.layers[0];
    assert_eq!(l.name, "Conv2");
    let dims: Vec<(&str, u64)> = l.loop_dims.iter().map(|(d, s)| (d.as_str(), *s)).collect();
    assert_eq!(dims, [("B", 1), ("K", 64), ("G", 1), ("OX", 56), ("OY", 56), ("C", 64), ("FX", 3), ("FY", 3)]);
    assert_eq!(l.pr_sizes, Some(vec![("IX".to_string(), 56), ("IY".to_string(), 56)]));
}

#[test]
fn mobilenetv2_depthwise_and_clip_nodes() {
    let Some(r) = reference() else { return };
    let (w, warnings) = read_workload_onnx(&r.join("zigzag/workload/mobilenetv2.onnx")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(w.layers.len(), 170);
    let convs: Vec<&Layer> = w.layers.iter().filter(|l| l.operator_type == "Conv").collect();
    assert_eq!(convs.len(), 52);
    assert_eq!(compute(&w).len(), 53);
    let first = convs[0];
    assert_eq!((size(first, "K"), size(first, "C"), size(first, "OX"), size(first, "G")), (32, 3, 112, 1));
    // depthwise 3x3: G = 32, K = C = 1
    let dw = &w.layers[4];
    assert_eq!((size(dw, "G"), size(dw, "K"), size(dw, "C"), size(dw, "FX")), (32, 1, 1, 3));
    assert_eq!((size(dw, "OX"), size(dw, "OY")), (112, 112));
    assert!(convs.iter().all(|l| size(l, "G") == 1 || (size(l, "K"), size(l, "C")) == (1, 1)));
    // Clip nodes have three predecessors (input + two Constants); like the reference, only two become sources
    let clip = w.layers.iter().find(|l| l.operator_type == "clip").unwrap();
    assert_eq!(clip.operand_source.len(), 2);
    assert_eq!(compute(&w).last().unwrap().operator_type, "Gemm");
}

#[test]
fn alexnet_grouped_convs_and_gemms() {
    let Some(r) = reference() else { return };
    let w = read(&r.join("zigzag/workload/alexnet.onnx"));
    let c = compute(&w);
    let types: Vec<&str> = c.iter().map(|l| l.operator_type.as_str()).collect();
    assert_eq!(types, ["Conv", "Conv", "Conv", "Conv", "Conv", "Gemm", "Gemm", "Gemm"]);
    let conv1 = c[0];
    assert_eq!(conv1.name, "Op0");
    assert_eq!((size(conv1, "K"), size(conv1, "C"), size(conv1, "FX"), size(conv1, "OX")), (96, 3, 11, 54));
    assert_eq!(conv1.relations[0].coef_a, 4);
    // group = 2: K and C are per group
    let conv2 = c[1];
    assert_eq!((size(conv2, "G"), size(conv2, "K"), size(conv2, "C")), (2, 128, 48));
    let fc6 = c[5];
    assert_eq!(fc6.equation, "O[d][k] = I[d][c] * W[c][k]");
    assert_eq!(fc6.loop_dims, [("C".to_string(), 9216), ("D".to_string(), 1), ("K".to_string(), 4096)]);
}

/// Every ONNX file under the reference folder either parses or fails cleanly (no panic).
#[test]
fn every_reference_onnx_file_reads_without_panic() {
    let Some(r) = reference() else { return };
    let mut files = Vec::new();
    let mut stack = vec![r];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "onnx") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 5);
    for f in &files {
        let res = catch_unwind(|| read_workload_onnx(f));
        match res {
            Ok(Ok((w, _))) => assert!(!w.layers.is_empty(), "{}", f.display()),
            Ok(Err(e)) => println!("{}: error: {e}", f.display()),
            Err(_) => panic!("panic while reading {}", f.display()),
        }
    }
}

// ------------------------------------------------------------------------------------------------
// hand-built models

fn value_info(name: &str, dims: &[i64]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|&d| tensor_shape_proto::Dimension {
            value: Some(tensor_shape_proto::dimension::Value::DimValue(d)),
            ..Default::default()
        })
        .collect();
    ValueInfoProto {
        name: Some(name.to_string()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(1),
                shape: Some(TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn initializer(name: &str, dims: &[i64]) -> TensorProto {
    TensorProto { name: Some(name.to_string()), dims: dims.to_vec(), data_type: Some(1), ..Default::default() }
}

fn ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_string()),
        r#type: Some(AttributeType::Ints as i32),
        ints: v.to_vec(),
        ..Default::default()
    }
}

fn int(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_string()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(v),
        ..Default::default()
    }
}

fn string(name: &str, v: &str) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_string()),
        r#type: Some(AttributeType::String as i32),
        s: Some(v.as_bytes().to_vec()),
        ..Default::default()
    }
}

fn node(op: &str, name: &str, inputs: &[&str], outputs: &[&str], attribute: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        op_type: Some(op.to_string()),
        name: Some(name.to_string()),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        attribute,
        ..Default::default()
    }
}

fn model(
    nodes: Vec<NodeProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    init: Vec<TensorProto>,
) -> Vec<u8> {
    ModelProto {
        ir_version: Some(7),
        graph: Some(GraphProto {
            node: nodes,
            name: Some("g".to_string()),
            input: inputs,
            output: outputs,
            initializer: init,
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

/// A 3x3 conv `x [1,3,16,16] -> y [1,8,16,16]` with extra attributes.
fn conv_model(extra: Vec<AttributeProto>) -> Vec<u8> {
    let mut attrs = vec![ints("kernel_shape", &[3, 3]), ints("pads", &[1, 1, 1, 1])];
    attrs.extend(extra);
    model(
        vec![node("Conv", "conv", &["x", "w"], &["y"], attrs)],
        vec![value_info("x", &[1, 3, 16, 16])],
        vec![value_info("y", &[1, 8, 16, 16])],
        vec![initializer("w", &[8, 3, 3, 3])],
    )
}

/// Reads bytes under `catch_unwind` and expects an error.
fn expect_err(name: &str, bytes: &[u8]) -> InputError {
    let res = catch_unwind(|| read_workload_onnx_bytes(name, bytes)).unwrap_or_else(|_| panic!("panic on {name}"));
    match res {
        Ok((w, _)) => panic!("{name}: expected an error, got {} layers", w.layers.len()),
        Err(e) => {
            assert_eq!(e.file, name);
            assert!(e.to_string().contains(name), "{e}");
            assert!(e.line >= 1 && e.column >= 1, "{e}");
            e
        }
    }
}

#[test]
fn tiny_conv_reads() {
    let (w, warnings) = read_workload_onnx_bytes("tiny.onnx", &conv_model(vec![])).unwrap();
    assert!(warnings.is_empty());
    let l = &w.layers[0];
    assert_eq!(l.loop_dims.iter().map(|(_, s)| *s).collect::<Vec<_>>(), [1, 8, 1, 16, 16, 3, 3, 3]);
    assert_eq!(l.precision_of("O"), Some(16));
}

#[test]
fn custom_precision_attributes() {
    let bytes = conv_model(vec![int("weight_size", 4), int("act_size", 6)]);
    let (w, _) = read_workload_onnx_bytes("prec.onnx", &bytes).unwrap();
    let p: Vec<(&str, u64)> = w.layers[0].precision.iter().map(|(o, b)| (o.as_str(), *b)).collect();
    assert_eq!(p, [("W", 4), ("I", 6), ("O_final", 6), ("O", 12)]);
    let bytes = conv_model(vec![int("output_size", 32)]);
    let (w, _) = read_workload_onnx_bytes("prec.onnx", &bytes).unwrap();
    assert_eq!(w.layers[0].precision_of("O"), Some(32));
    let e = expect_err("prec.onnx", &conv_model(vec![ints("act_size", &[8])]));
    assert_eq!(e.key, "conv.act_size");
}

#[test]
fn kernel_shape_from_weights_and_asymmetric_quirk() {
    // no kernel_shape: taken from the weight dims [8, 3, 5, 3]; strides [2, 1] -> IX uses strides[0]
    let bytes = model(
        vec![node("Conv", "", &["x", "w"], &["y"], vec![ints("strides", &[2, 1]), ints("pads", &[2, 1, 2, 1])])],
        vec![value_info("x", &[1, 3, 16, 16])],
        vec![value_info("y", &[1, 8, 8, 16])],
        vec![initializer("w", &[8, 3, 5, 3])],
    );
    let (w, _) = read_workload_onnx_bytes("k.onnx", &bytes).unwrap();
    let l = &w.layers[0];
    assert_eq!(l.name, "Op0");
    assert_eq!((size(l, "FX"), size(l, "FY"), size(l, "OX"), size(l, "OY")), (5, 3, 16, 8));
    assert_eq!((l.relations[0].coef_a, l.relations[1].coef_a), (2, 1));
    assert_eq!(l.padding[0], ("IX".to_string(), (2, 2)));
}

#[test]
fn unsupported_attribute_values_are_errors() {
    let e = expect_err("auto_pad.onnx", &conv_model(vec![string("auto_pad", "SAME_UPPER")]));
    assert_eq!(e.key, "conv.auto_pad");
    assert!(e.message.contains("SAME_UPPER"), "{e}");
    assert!(e.message.contains("byte offset"), "{e}");
    assert!(e.column > 1, "{e}");
    // NOTSET is fine
    assert!(read_workload_onnx_bytes("ok.onnx", &conv_model(vec![string("auto_pad", "NOTSET")])).is_ok());

    // 3-D convolution
    let bytes = model(
        vec![node("Conv", "conv3d", &["x", "w"], &["y"], vec![ints("kernel_shape", &[3, 3, 3])])],
        vec![value_info("x", &[1, 3, 8, 16, 16])],
        vec![value_info("y", &[1, 8, 6, 14, 14])],
        vec![initializer("w", &[8, 3, 3, 3, 3])],
    );
    let e = expect_err("conv3d.onnx", &bytes);
    assert_eq!(e.key, "conv3d.kernel_shape");

    // wrong attribute type
    let e = expect_err("group.onnx", &conv_model(vec![ints("group", &[1])]));
    assert_eq!(e.key, "conv.group");
    let e = expect_err("strides.onnx", &conv_model(vec![ints("strides", &[1, 1, 1])]));
    assert_eq!(e.key, "conv.strides");
}

#[test]
fn gemm_rank_mismatch_is_an_error() {
    let bytes = model(
        vec![node("MatMul", "mm", &["a", "b"], &["c"], vec![])],
        vec![value_info("a", &[2, 4, 8])],
        vec![value_info("c", &[4, 16])],
        vec![initializer("b", &[8, 16])],
    );
    let e = expect_err("gemm.onnx", &bytes);
    assert_eq!(e.key, "mm");
    assert!(e.message.contains("rank"), "{e}");
}

#[test]
fn matmul_two_predecessors_and_batch() {
    // a -> Relu -> r ; b -> Relu -> s ; MatMul(r, s): weights not constant, batched
    let bytes = model(
        vec![
            node("Relu", "ra", &["a"], &["r"], vec![]),
            node("Relu", "rb", &["b"], &["s"], vec![]),
            node("MatMul", "mm", &["r", "s"], &["c"], vec![int("weight_size", 4)]),
        ],
        vec![value_info("a", &[2, 4, 8]), value_info("b", &[2, 8, 16])],
        vec![value_info("c", &[2, 4, 16])],
        vec![],
    );
    let (w, warnings) = read_workload_onnx_bytes("mm.onnx", &bytes).unwrap();
    // r and s shapes are not declared, but the MatMul only needs r (inferred)
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let l = &w.layers[2];
    assert_eq!(l.equation, "O[b][d][k] = I[b][d][c] * W[b][c][k]");
    assert_eq!(l.loop_dims, [("C".into(), 8), ("D".into(), 4), ("K".into(), 16), ("B".into(), 2)]);
    assert_eq!(l.operand_source, [("W".to_string(), 1), ("I".to_string(), 0)]);
    assert!(l.constant_operands().is_empty());
    assert_eq!(l.precision_of("W"), Some(8), "non-constant weights take the activation precision");
    assert_eq!(w.edges, [(1, 2), (0, 2)]);
}

#[test]
fn missing_shapes_are_propagated_or_reported() {
    // x -> Conv(stride 2) -> Relu -> MaxPool -> Conv -> y, only x and y declared
    let bytes = model(
        vec![
            node(
                "Conv",
                "c1",
                &["x", "w1"],
                &["t1"],
                vec![ints("kernel_shape", &[3, 3]), ints("strides", &[2, 2]), ints("pads", &[1, 1, 1, 1])],
            ),
            node("Relu", "r", &["t1"], &["t2"], vec![]),
            node("MaxPool", "p", &["t2"], &["t3"], vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])]),
            node("Conv", "c2", &["t3", "w2"], &["y"], vec![ints("kernel_shape", &[1, 1])]),
        ],
        vec![value_info("x", &[1, 3, 32, 32])],
        vec![value_info("y", &[1, 4, 8, 8])],
        vec![initializer("w1", &[16, 3, 3, 3]), initializer("w2", &[4, 16, 1, 1])],
    );
    let (w, warnings) = read_workload_onnx_bytes("prop.onnx", &bytes).unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}"); // c1 output, c2 input
    assert!(warnings[0].to_string().contains("prop.onnx"));
    let c1 = &w.layers[0];
    assert_eq!((size(c1, "K"), size(c1, "OX"), size(c1, "OY")), (16, 16, 16));
    let c2 = &w.layers[3];
    assert_eq!((size(c2, "C"), size(c2, "OX")), (16, 8));
    assert_eq!(c2.pr_sizes, Some(vec![("IX".to_string(), 8), ("IY".to_string(), 8)]));

    // an op without shape rule in between: clear error naming the node and tensor
    let bytes = model(
        vec![
            node("MysteryOp", "m", &["x"], &["t"], vec![]),
            node("Conv", "c", &["t", "w"], &["y"], vec![ints("kernel_shape", &[1, 1])]),
        ],
        vec![value_info("x", &[1, 3, 8, 8])],
        vec![value_info("y", &[1, 4, 8, 8])],
        vec![initializer("w", &[4, 3, 1, 1])],
    );
    let e = expect_err("unknown.onnx", &bytes);
    assert_eq!(e.key, "c");
    assert!(e.message.contains("`t`") && e.message.contains("shape inference"), "{e}");
}

#[test]
fn more_than_two_predecessors_is_an_error() {
    let bytes = model(
        vec![
            node("Relu", "a", &["x"], &["t0"], vec![]),
            node("Relu", "b", &["x"], &["t1"], vec![]),
            node("Relu", "c", &["x"], &["t2"], vec![]),
            node("Conv", "conv", &["t0", "t1", "t2"], &["y"], vec![ints("kernel_shape", &[1, 1])]),
        ],
        vec![value_info("x", &[1, 3, 8, 8]), value_info("t0", &[1, 3, 8, 8])],
        vec![value_info("y", &[1, 3, 8, 8])],
        vec![],
    );
    let e = expect_err("preds.onnx", &bytes);
    assert_eq!(e.key, "conv");
    assert!(e.message.contains("3 predecessor"), "{e}");
}

#[test]
fn if_nodes_are_unsupported() {
    let bytes = model(
        vec![node("If", "branch", &["cond"], &["y"], vec![])],
        vec![value_info("cond", &[1])],
        vec![value_info("y", &[1])],
        vec![],
    );
    let e = expect_err("if.onnx", &bytes);
    assert!(e.message.contains("`If`"), "{e}");
}

#[test]
fn structurally_broken_files_are_errors() {
    // empty file: decodes to an empty model without graph
    let e = expect_err("empty.onnx", &[]);
    assert_eq!(e.key, "graph");
    // graph without nodes
    let e = expect_err("nodes.onnx", &model(vec![], vec![], vec![], vec![]));
    assert_eq!(e.key, "graph.node");
    // garbage
    expect_err("garbage.onnx", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff");
    expect_err("text.onnx", b"- id: 0\n  operator_type: Conv\n");
    // every prefix of a valid model: no panic
    let full = conv_model(vec![]);
    for cut in 0..full.len() {
        let _ = catch_unwind(|| read_workload_onnx_bytes("prefix.onnx", &full[..cut]))
            .unwrap_or_else(|_| panic!("panic on a {cut}-byte prefix"));
    }
}

#[test]
fn truncated_reference_model_reports_byte_offset() {
    let Some(r) = reference() else { return };
    let bytes = std::fs::read(r.join("zigzag/workload/resnet18.onnx")).unwrap();
    let e = expect_err("resnet18_half.onnx", &bytes[..bytes.len() / 2]);
    assert!(e.message.contains("byte offset"), "{e}");
    assert!(e.message.contains("truncated"), "{e}");
    assert_eq!(e.line, 1);
}

#[test]
fn bad_input_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs");
    let cases = [
        ("onnx_truncated.onnx", "truncated"),
        ("onnx_garbage.onnx", "not a valid ONNX model"),
        ("onnx_unsupported_auto_pad.onnx", "SAME_UPPER"),
    ];
    for (file, needle) in cases {
        let path = dir.join(file);
        let res = catch_unwind(|| read_workload_onnx(&path)).unwrap_or_else(|_| panic!("panic on {file}"));
        let e = res.err().unwrap_or_else(|| panic!("{file}: expected an error"));
        let text = e.to_string();
        assert!(text.contains(file), "{text}");
        assert!(text.contains(needle), "{file}: {text}");
        assert!(e.line >= 1 && e.column >= 1, "{text}");
    }
    let missing = read_workload_onnx(&dir.join("onnx_does_not_exist.onnx")).unwrap_err();
    assert!(missing.to_string().starts_with("file not found: "), "{missing}");
}

#[test]
fn a_node_consuming_its_own_output_is_an_error() {
    let bytes = model(
        vec![node(
            "Conv",
            "conv",
            &["x", "w", "y"],
            &["y"],
            vec![ints("kernel_shape", &[3, 3]), ints("pads", &[1, 1, 1, 1])],
        )],
        vec![value_info("x", &[1, 3, 16, 16])],
        vec![value_info("y", &[1, 8, 16, 16])],
        vec![initializer("w", &[8, 3, 3, 3])],
    );
    let e = expect_err("selfloop.onnx", &bytes);
    assert!(e.message.contains("consumes its own output `y`"), "{e}");
}

#[test]
fn pads_or_strides_beyond_every_tensor_size_are_errors() {
    let e =
        expect_err("pads.onnx", &conv_model_with(vec![ints("kernel_shape", &[3, 3]), ints("pads", &[1, 1, 1000, 1])]));
    assert!(e.message.contains("1000") && e.message.contains("larger than every spatial size"), "{e}");
    let e = expect_err(
        "strides.onnx",
        &conv_model_with(vec![ints("kernel_shape", &[3, 3]), ints("pads", &[1, 1, 1, 1]), ints("strides", &[64, 1])]),
    );
    assert!(e.message.contains("64"), "{e}");
}

fn conv_model_with(attrs: Vec<AttributeProto>) -> Vec<u8> {
    model(
        vec![node("Conv", "conv", &["x", "w"], &["y"], attrs)],
        vec![value_info("x", &[1, 3, 16, 16])],
        vec![value_info("y", &[1, 8, 16, 16])],
        vec![initializer("w", &[8, 3, 3, 3])],
    )
}

#[test]
fn stream_reader_rejects_pads_or_strides_beyond_every_tensor_size_too() {
    use zz_inputs::stream::{
        CoreResolver, read_stream_accelerator, read_stream_mapping, read_stream_workload_onnx_bytes,
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (acc, _) =
        read_stream_accelerator(&repo.join("examples/multicore/dual_edge16.yaml"), &CoreResolver::default()).unwrap();
    let (mapping, _) = read_stream_mapping(&repo.join("examples/multicore/mapping.yaml")).unwrap();
    let ok = conv_model_with(vec![ints("kernel_shape", &[3, 3]), ints("pads", &[1, 1, 1, 1])]);
    read_stream_workload_onnx_bytes("ok.onnx", &ok, &mapping, &acc).unwrap();
    for (name, attrs, bad) in [
        ("pads.onnx", vec![ints("kernel_shape", &[3, 3]), ints("pads", &[1, 1, 1000, 1])], "1000"),
        (
            "strides.onnx",
            vec![ints("kernel_shape", &[3, 3]), ints("pads", &[1, 1, 1, 1]), ints("strides", &[64, 1])],
            "64",
        ),
    ] {
        let e = read_stream_workload_onnx_bytes(name, &conv_model_with(attrs), &mapping, &acc).unwrap_err();
        assert!(e.message.contains(bad) && e.message.contains("larger than every spatial size"), "{e}");
        assert_eq!(e.file, name);
    }
}
