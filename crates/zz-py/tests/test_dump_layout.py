"""The dump folder's JSON is laid out exactly as ``json.dump(..., indent=4)`` (ZigZag's layout),
although it is encoded by the C encoder and indented in Rust."""

from __future__ import annotations

import json
import math

from zigzag_rs._dump import dumps_results, json_repr
from zigzag_rs.api import get_hardware_performance_zigzag


def test_layout_equals_python_indent_4_on_tricky_values():
    data = {
        "empty": [[], {}, [[]], {"a": {}}],
        "numbers": [0, -1, 1.5, 1e-07, 1e22, 3.0, float("nan"), math.inf, -math.inf, 2**70],
        "strings": ["", "a,b:c", "q\"]}", "back\\slash", "tab\t", "é ∑ 😀", "{[,:]}"],
        "nested": {"k:1": [{"x": [1, {"y": None}]}, True, False]},
        "ä:key": 1,
    }
    assert dumps_results(data) == json.dumps(data, indent=4)


def test_dump_files_equal_python_indent_4(zigzag_ref, tmp_path):
    w = str(zigzag_ref / "workload/resnet18.onnx")
    a, m = str(zigzag_ref / "hardware/tpu_like.yaml"), str(zigzag_ref / "mapping/tpu_like.yaml")
    _, _, cmes = get_hardware_performance_zigzag(w, a, m, dump_folder=str(tmp_path / "dump"))
    total, layers = cmes[0]
    for cme, _ in layers[:3]:
        path = tmp_path / "dump" / f"{cme.layer.name.replace('/', '_')}_complete.json"
        assert path.read_text() == json.dumps(json_repr(cme), indent=4)
    assert (tmp_path / "dump/overall_simple.json").read_text() == json.dumps(json_repr(total, True), indent=4)


def test_results_encoding_equals_the_python_walk(zigzag_ref):
    w = str(zigzag_ref / "workload/resnet18.onnx")
    a, m = str(zigzag_ref / "hardware/tpu_like.yaml"), str(zigzag_ref / "mapping/tpu_like.yaml")
    _, _, cmes = get_hardware_performance_zigzag(w, a, m)
    total, layers = cmes[0]
    for cme, _ in layers:
        assert dumps_results(cme) == json.dumps(json_repr(cme), indent=4)
        assert dumps_results(cme, True) == json.dumps(json_repr(cme, True), indent=4)
    assert dumps_results(total, True) == json.dumps(json_repr(total, True), indent=4)
