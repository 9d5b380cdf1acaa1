"""evaluate_many and sweep: parallel results equal serial ones, whatever runs them."""

from __future__ import annotations

import concurrent.futures
import json

import pytest

import zigzag_rs

from conftest import EXAMPLES, run_cli


def _example():
    return str(EXAMPLES / "accelerator.yaml"), str(EXAMPLES / "workload.yaml"), str(EXAMPLES / "mapping.yaml")


def test_evaluate_many_equals_one_by_one(zigzag_ref):
    acc, wl, mapping = _example()
    points = [
        zigzag_rs.Point(wl, acc, mapping, {"opt": opt, "lpf_limit": lpf}) for opt in ("latency", "energy", "edp") for lpf in (4, 6)
    ]
    seen = []
    batch = zigzag_rs.evaluate_many(points, progress=seen.append)
    assert sum(seen) == len(points)
    for p, r in zip(points, batch):
        assert r == zigzag_rs.evaluate(p.workload, p.accelerator, p.mapping, **p.options)


def test_evaluate_many_keeps_failures_in_place(tmp_path):
    acc, wl, mapping = _example()
    out = zigzag_rs.evaluate_many([(wl, acc, mapping), (wl, str(tmp_path / "missing.yaml"), mapping)], return_exceptions=True)
    assert isinstance(out[0], dict) and isinstance(out[1], zigzag_rs.InputError)
    with pytest.raises(zigzag_rs.InputError):
        zigzag_rs.evaluate_many([(wl, str(tmp_path / "missing.yaml"), mapping)])


def test_sweep_equals_cli_and_any_executor(cli, tmp_path):
    acc, wl, mapping = _example()
    sweep_file = str(EXAMPLES / "sweep.yaml")
    r = run_cli(cli, "sweep", "-a", acc, "-w", wl, "-m", mapping, "-s", sweep_file, "-q", "-o", str(tmp_path / "cli"))
    assert r.returncode == 0, r.stderr
    cli_json = json.loads((tmp_path / "cli" / "sweep.json").read_text())
    seen = []
    serial = zigzag_rs.sweep(acc, sweep_file, wl, mapping, progress=seen.append)
    assert sum(seen) == len(serial.points) == len(cli_json["points"])
    mine = serial.to_json()
    for a, b in zip(mine["points"], cli_json["points"]):
        assert {k: a[k] for k in b if k != "parameters"} == {k: b[k] for k in b if k != "parameters"}
        assert list(a["parameters"]) == list(b["parameters"])
    assert mine["best"] == cli_json["best"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        threaded = zigzag_rs.sweep(acc, sweep_file, wl, mapping, executor=pool, chunk_size=5)
    assert threaded.numbers() == serial.numbers() and threaded.best == serial.best
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        processes = zigzag_rs.sweep(acc, sweep_file, wl, mapping, executor=pool)
    assert processes.numbers() == serial.numbers()


def test_sweep_rejects_a_spatial_dimension_typo(tmp_path):
    acc, wl, mapping = _example()
    typo = tmp_path / "typo.yaml"
    text = open(mapping).read()
    assert "- K, 16" in text
    typo.write_text(text.replace("- K, 16", "- Q, 16", 1))
    with pytest.raises(zigzag_rs.InputError) as info:
        zigzag_rs.sweep(acc, str(EXAMPLES / "sweep.yaml"), wl, str(typo))
    assert "`Q` is not a layer dimension" in str(info.value)
