"""Overhead of the Python API over the command line: ResNet-18 (ONNX) on tpu_like, lpf 6.

Times, interleaved and repeated, (a) the `zigzag-rs map ... -q --json FILE` process (start,
reading, search, JSON written) and (b) the in-process Python calls
`zigzag_rs.api.get_hardware_performance_zigzag` (dump folder and pickle written) and
`zigzag_rs.evaluate` (the report dict only), and prints medians and minima.

    python benches/python_vs_cli.py [--cli target/release/zigzag-rs] [--runs 21]

Run by `scripts/bench_python.sh`, which builds both in release mode.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import zigzag_rs
from zigzag_rs.api import get_hardware_performance_zigzag

REPO = Path(__file__).resolve().parents[1]
REF = (REPO / "../shared/reference/zigzag").resolve()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=str(REPO / "target/release/zigzag-rs"))
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    if not REF.is_dir():
        print(f"SKIPPED: {REF} absent")
        return
    w, a, m = str(REF / "workload/resnet18.onnx"), str(REF / "hardware/tpu_like.yaml"), str(REF / "mapping/tpu_like.yaml")
    times: dict[str, list[float]] = {"cli": [], "api": [], "evaluate": []}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cli.json"
        results = {}
        for k in range(args.runs + 1):  # the first round warms caches and is not counted
            t = time.perf_counter()
            subprocess.run([args.cli, "map", "-a", a, "-w", w, "-m", m, "-q", "--json", str(out)], check=True, capture_output=True)
            cli_s = time.perf_counter() - t
            results["cli"] = json.loads(out.read_text())
            t = time.perf_counter()
            energy, latency, _ = get_hardware_performance_zigzag(w, a, m, dump_folder=f"{tmp}/dump{k}")
            api_s = time.perf_counter() - t
            results["api"] = {"energy": energy, "latency": latency}
            t = time.perf_counter()
            results["evaluate"] = zigzag_rs.evaluate(w, a, m)
            eval_s = time.perf_counter() - t
            if k:
                times["cli"].append(cli_s)
                times["api"].append(api_s)
                times["evaluate"].append(eval_s)
    same = all(results[x]["energy"] == results["cli"]["energy"] and results[x]["latency"] == results["cli"]["latency"] for x in results)
    cli_med = statistics.median(times["cli"])
    print(f"ResNet-18 ONNX / tpu_like, lpf 6, {args.runs} interleaved runs each (median, min):")
    for name, label in (
        ("cli", "zigzag-rs map -q --json (process)"),
        ("api", "get_hardware_performance_zigzag (dump folder + pickle)"),
        ("evaluate", "zigzag_rs.evaluate (report dict)"),
    ):
        med, lo = statistics.median(times[name]), min(times[name])
        print(f"  {label:<58} {med * 1e3:8.1f} ms  {lo * 1e3:8.1f} ms  {100 * (med / cli_med - 1):+6.1f} % vs CLI")
    print(f"  same totals everywhere: {same} (energy {results['cli']['energy']} pJ, latency {results['cli']['latency']} cycles)")


if __name__ == "__main__":
    main()
