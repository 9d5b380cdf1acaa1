"""Every returned object pickles; bad inputs raise exceptions carrying file, line and column."""

from __future__ import annotations

import pickle

import pytest

import zigzag_rs
from zigzag_rs.api import get_hardware_performance_zigzag


def _gemm(zigzag_ref):
    return (
        str(zigzag_ref / "workload/gemm_layer.yaml"),
        str(zigzag_ref / "hardware/gemm_l1.yaml"),
        str(zigzag_ref / "mapping/gemm_l1.yaml"),
    )


def test_cmes_round_trip_through_pickle(zigzag_ref, tmp_path):
    result = get_hardware_performance_zigzag(*_gemm(zigzag_ref), lpf_limit=3, dump_folder=str(tmp_path))
    again = pickle.loads(pickle.dumps(result))
    assert again == result
    total, layers = again[2][0]
    assert total.energy_total == result[0]
    cme = layers[0][0]
    assert type(next(iter(cme.mem_energy_breakdown))).__name__ == "LayerOperand"
    # loops print as ZigZag's, e.g. (D1, 16), without quotes
    assert "(D" in str(cme.temporal_mapping) and "'" not in str(cme.temporal_mapping)


def test_reports_and_sweeps_pickle(zigzag_ref):
    report = zigzag_rs.evaluate(*_gemm(zigzag_ref), lpf_limit=3)
    assert pickle.loads(pickle.dumps(report)) == report
    swept = zigzag_rs.sweep(
        _gemm(zigzag_ref)[1],
        {"operational_array.sizes": [[8, 8, 8], [16, 16, 16]]},
        _gemm(zigzag_ref)[0],
        _gemm(zigzag_ref)[2],
        lpf_limit=3,
    )
    assert pickle.loads(pickle.dumps(swept)).numbers() == swept.numbers()


def test_bad_input_raises_input_error_with_location(zigzag_ref, tmp_path):
    bad = tmp_path / "bad_accelerator.yaml"
    text = (zigzag_ref / "hardware/gemm_l1.yaml").read_text()
    bad.write_text(text.replace("bandwidth_max:", "bandwidth_max: [oops]\n    old_bandwidth_max:", 1))
    workload, _, mapping = _gemm(zigzag_ref)
    with pytest.raises(zigzag_rs.InputError) as info:
        get_hardware_performance_zigzag(workload, str(bad), mapping, dump_folder=str(tmp_path / "out"))
    e = info.value
    assert isinstance(e, ValueError) and isinstance(e, zigzag_rs.ZigZagError)
    assert e.file == str(bad) and e.line > 0 and e.column > 0
    assert f"{e.file}:{e.line}:{e.column}" in str(e)
    again = pickle.loads(pickle.dumps(e))
    assert (again.file, again.line, again.column, again.key, str(again)) == (e.file, e.line, e.column, e.key, str(e))


def test_missing_file_and_bad_type(zigzag_ref, tmp_path):
    workload, acc, mapping = _gemm(zigzag_ref)
    with pytest.raises(zigzag_rs.InputError) as info:
        zigzag_rs.evaluate(workload, str(tmp_path / "nope.yaml"), mapping)
    assert info.value.line == 0 and "nope.yaml" in str(info.value)
    with pytest.raises(TypeError):
        zigzag_rs.evaluate(workload, 42, mapping)
    with pytest.raises(TypeError):
        zigzag_rs.evaluate(workload, acc, mapping, no_such_option=1)


def test_open_yaml_keeps_last_duplicate_and_locates_syntax_errors(tmp_path):
    good = tmp_path / "a.yaml"
    good.write_text("a: 1\nb: [1, 2.5, x]\na: 3\n4: null\n")
    assert zigzag_rs.open_yaml(good) == {"a": 3, "b": [1, 2.5, "x"], 4: None}
    bad = tmp_path / "b.yaml"
    bad.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(zigzag_rs.InputError) as info:
        zigzag_rs.open_yaml(bad)
    assert info.value.line >= 1
