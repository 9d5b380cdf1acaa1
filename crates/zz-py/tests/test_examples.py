"""The Python examples (the tutorial's flow with `zigzag_rs` imported) run and give the
tutorial's reference numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import REFERENCE, REPO

EXAMPLES = REPO / "examples" / "python"
TUTORIAL_ORACLE = REFERENCE / "zigzag-tutorial" / "oracle"


def _run(script: str, out) -> subprocess.CompletedProcess:
    env = dict(os.environ, ZIGZAG_RS_EXAMPLE_OUT=str(out), ZIGZAG_RS_REFERENCE=str(REFERENCE))
    return subprocess.run([sys.executable, str(EXAMPLES / script)], cwd=EXAMPLES, env=env, capture_output=True, text=True)


def _oracle_totals(name: str) -> dict:
    return json.loads((TUTORIAL_ORACLE / f"{name}.json").read_text())["totals"]


@pytest.mark.parametrize(
    "script, dumps",
    [
        ("lab1_fixed_mapping.py", {"lab1": "lab1"}),
        ("lab2_loma.py", {"lab2": "lab2"}),
        ("lab3_compare.py", {f"lab3/accelerator{i}": f"lab3_acc{i}" for i in (1, 2, 3)}),
    ],
)
def test_tutorial_script(script, dumps, tmp_path):
    if not TUTORIAL_ORACLE.is_dir():
        pytest.skip(f"SKIPPED: {TUTORIAL_ORACLE} absent")
    r = _run(script, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "SKIPPED" not in r.stdout
    for folder, oracle in dumps.items():
        got = json.loads((tmp_path / folder / "overall_simple.json").read_text())
        want = _oracle_totals(oracle)
        assert got["energy"] == pytest.approx(want["energy"], rel=1e-9)
        assert got["latency"] == pytest.approx(want["latency"], rel=1e-9)


def test_stream_ga_script(tmp_path):
    lab = REFERENCE / "stream/oracle/inputs/stream-tutorial/lab3/inputs"
    if not lab.is_dir():
        pytest.skip(f"SKIPPED: {lab} absent")
    r = _run("stream_lab3_ga.py", tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "stream/lab3_ga/gantt.html").is_file()
    # The same output set as `zigzag-rs stream --output` after a genetic-algorithm run.
    for name in ["schedule.json", "graph.json", "graph.dot", "pareto.json", "pareto.png", "allocation_mapping.yaml"]:
        assert (tmp_path / "stream/lab3_ga" / name).is_file(), name
    assert "CNs scheduled" in r.stdout


def _stream_script_against_oracle(script: str, lab: str, oracle: str, tmp_path) -> tuple[dict, list[str]]:
    """Runs a Stream example script; returns the oracle fixture and the script's output lines,
    whose first line (latency, energy, CNs) is checked against the fixture here."""
    lab_dir = REFERENCE / "stream/oracle/inputs/stream-tutorial" / lab / "inputs"
    path = REFERENCE / "stream/oracle" / oracle
    if not lab_dir.is_dir() or not path.is_file():
        pytest.skip(f"SKIPPED: {lab_dir} or {path} absent")
    r = _run(script, tmp_path)
    assert r.returncode == 0, r.stderr
    fixture = json.loads(path.read_text())
    totals = fixture["totals"]
    lines = r.stdout.splitlines()
    first = lines[0]
    assert float(first.split()[1]) == totals["latency"], first
    assert float(first.split()[4]) == pytest.approx(totals["energy"], rel=1e-6), first  # printed with one decimal
    assert f"{len(fixture['computation_nodes'])} CNs scheduled" in first
    return fixture, lines


def test_stream_lbl_script_gives_the_oracle_latency(tmp_path):
    _, lines = _stream_script_against_oracle("stream_lab1_lbl.py", "lab1", "tutorial_lab1_lbl_fixed.json", tmp_path)
    assert "4 CNs scheduled" in lines[0]


def test_stream_fused_fixed_script_gives_the_oracle_schedule(tmp_path):
    fixture, lines = _stream_script_against_oracle(
        "stream_lab3_fused_fixed.py", "lab3", "tutorial_lab3_fused_fixed_from_ga.json", tmp_path
    )
    # The fixture's allocation, read back from the schedule.
    expected = {int(k): v[0] for k, v in fixture["allocation"]["per_layer"].items()}
    assert lines[1] == "layer -> core: " + ", ".join(f"{k} -> {v}" for k, v in sorted(expected.items()))
    assert (tmp_path / "stream/lab3_fused_fixed/gantt.html").is_file()
    # Every layer is fixed: no GA ran, so no GA outputs.
    assert not (tmp_path / "stream/lab3_fused_fixed/pareto.json").exists()
