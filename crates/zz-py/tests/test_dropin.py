"""The ZigZag drop-in against the command line: the same JSON bit for bit, and ZigZag's return
shape, nesting and dump-folder files."""

from __future__ import annotations

import json
import math
import pickle

import pytest

import zigzag_rs
from zigzag_rs.api import get_hardware_performance_zigzag
from zigzag_rs.cost_model import CostModelEvaluation, CumulativeCME

from conftest import run_cli

# (workload, accelerator, mapping, extra CLI flags, API keyword arguments)
CASES = {
    "tpu_like_onnx": ("workload/resnet18.onnx", "hardware/tpu_like.yaml", "mapping/tpu_like.yaml", [], {}),
    "gemm_l1": ("workload/gemm_layer.yaml", "hardware/gemm_l1.yaml", "mapping/gemm_l1.yaml", ["--lpf-limit", "3"], {"lpf_limit": 3}),
    "edge_tpu_mixed_yaml": (
        "workload/resnet18.yaml",
        "hardware/edge_tpu_like.yaml",
        "mapping/edge_tpu_like_mixed.yaml",
        ["--mixed-spatial"],
        {"enable_mix_spatial_mapping": True},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_dropin_equals_cli_json_bit_for_bit(case, zigzag_ref, cli, tmp_path):
    workload, accelerator, mapping, flags, kwargs = CASES[case]
    out = tmp_path / "cli.json"
    r = run_cli(cli, "map", "-a", accelerator, "-w", workload, "-m", mapping, *flags, "-q", "--json", str(out), cwd=zigzag_ref)
    assert r.returncode == 0, r.stderr
    cli_text = out.read_text()
    cli_report = json.loads(cli_text)

    options = {"lpf_limit": kwargs.get("lpf_limit", 6), "mixed_spatial": kwargs.get("enable_mix_spatial_mapping", False)}
    if options["mixed_spatial"]:
        options["exploit_data_locality"] = True
    report = zigzag_rs.evaluate(str(zigzag_ref / workload), str(zigzag_ref / accelerator), str(zigzag_ref / mapping), **options)
    # the report is the CLI's JSON (only the workload's name in it could differ; it does not)
    assert json.dumps(report, indent=2) == json.dumps(cli_report, indent=2)

    energy, latency, cmes = get_hardware_performance_zigzag(
        str(zigzag_ref / workload), str(zigzag_ref / accelerator), str(zigzag_ref / mapping), dump_folder=str(tmp_path / "dump"), **kwargs
    )
    assert energy == cli_report["energy"]
    assert latency == cli_report["latency"]
    total, layers = cmes[0]
    assert isinstance(total, CumulativeCME)
    assert len(layers) == len(cli_report["layers"])
    for (cme, (layer, extra)), expected in zip(layers, cli_report["layers"]):
        assert isinstance(cme, CostModelEvaluation)
        assert layer is cme.layer and extra == []
        assert cme.energy_total == expected["energy"]
        assert cme.latency_total2 == expected["latency_total2"]
        assert cme.mac_energy == expected["mac_energy"]
        assert cme.mem_energy == expected["mem_energy"]
        assert cme.layer.name == expected["name"] and cme.layer.id == expected["id"]


def test_return_shape_and_dump_folder(zigzag_ref, tmp_path):
    dump = tmp_path / "out"
    energy, latency, cmes = get_hardware_performance_zigzag(
        str(zigzag_ref / "workload/gemm_layer.yaml"),
        str(zigzag_ref / "hardware/gemm_l1.yaml"),
        str(zigzag_ref / "mapping/gemm_l1.yaml"),
        lpf_limit=3,
        dump_folder=str(dump),
    )
    assert isinstance(energy, float) and isinstance(latency, float)
    assert json.loads((dump / "overall_simple.json").read_text()) == {"energy": energy, "latency": latency}
    (cme, _), = cmes[0][1]
    complete = json.loads((dump / f"{cme.layer.name.replace('/', '_')}_complete.json").read_text())
    assert set(complete) == {"outputs", "inputs"}
    assert set(complete["outputs"]) == {"memory", "energy", "latency", "spatial"}
    assert complete["outputs"]["energy"]["energy_total"] == cme.energy_total
    assert complete["outputs"]["latency"]["computation"] == cme.latency_total0
    assert complete["inputs"]["layer"]["name"] == cme.layer.name
    assert (dump / "loop_ordering.txt").read_text().strip()
    with open(dump / "list_of_cmes.pickle", "rb") as f:
        pickled = pickle.load(f)
    assert pickled == [cme]


def test_parsed_yaml_inputs_equal_paths(zigzag_ref, tmp_path):
    paths = (str(zigzag_ref / "workload/gemm_layer.yaml"), str(zigzag_ref / "hardware/gemm_l1.yaml"), str(zigzag_ref / "mapping/gemm_l1.yaml"))
    by_path = get_hardware_performance_zigzag(*paths, lpf_limit=3, dump_folder=str(tmp_path / "a"))
    parsed = [zigzag_rs.open_yaml(p) for p in paths]
    by_value = get_hardware_performance_zigzag(*parsed, lpf_limit=3, dump_folder=str(tmp_path / "b"))
    assert by_value[:2] == by_path[:2]


def test_onnx_bytes_equal_path(zigzag_ref, tmp_path):
    onnx_path = zigzag_ref / "workload/resnet18.onnx"
    acc, mapping = str(zigzag_ref / "hardware/tpu_like.yaml"), str(zigzag_ref / "mapping/tpu_like.yaml")
    a = zigzag_rs.evaluate(str(onnx_path), acc, mapping)
    b = zigzag_rs.evaluate(onnx_path.read_bytes(), acc, mapping)
    assert (a["energy"], a["latency"]) == (b["energy"], b["latency"])


def test_imc_returns_tclk_and_area(zigzag_ref, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the IMC entry point writes to ZigZag's default dump folder
    energy, latency, tclk, area, cmes = zigzag_rs.api.get_hardware_performance_zigzag_imc(
        str(zigzag_ref / "workload/resnet18.yaml"),
        str(zigzag_ref / "hardware/dimc.yaml"),
        str(zigzag_ref / "mapping/default_imc.yaml"),
    )
    first = cmes[0][1][0][0]
    assert first.is_imc and tclk == first.tclk and area == first.area_total
    assert math.isclose(tclk, 3.75708, rel_tol=1e-9)


def test_objective_names_are_zigzags(zigzag_ref, tmp_path):
    paths = (str(zigzag_ref / "workload/gemm_layer.yaml"), str(zigzag_ref / "hardware/gemm_l1.yaml"), str(zigzag_ref / "mapping/gemm_l1.yaml"))
    get_hardware_performance_zigzag(*paths, lpf_limit=3, opt="EDP", dump_folder=str(tmp_path / "edp"))
    with pytest.raises(NotImplementedError):
        get_hardware_performance_zigzag(*paths, opt="edp", dump_folder=str(tmp_path / "x"))
