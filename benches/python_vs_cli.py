"""Overhead of the Python API over the command line: ResNet-18 (ONNX) on tpu_like, lpf 6.

Times, interleaved and repeated, (a) the `zigzag-rs map ... -q --json FILE` process (start,
reading, search, JSON written) and (b) the in-process Python calls
`zigzag_rs.api.get_hardware_performance_zigzag` (dump folder and pickle written) and
`zigzag_rs.evaluate` (the report dict only), and prints the medians and minima of wall time
and of CPU time (user + system, all threads: the child's rusage for the process, the
interpreter's `process_time` for the calls), which swings far less on a shared machine.

    python benches/python_vs_cli.py [--cli target/release/zigzag-rs] [--runs 21]

Run it in the venv of `scripts/python_tests.sh`, with the CLI built in the same profile as the
wheel (`target/debug/zigzag-rs` after that script).
"""

from __future__ import annotations

import argparse
import json
import resource
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
    cpu: dict[str, list[float]] = {"cli": [], "api": [], "evaluate": []}

    def child_cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cli.json"
        results = {}
        for k in range(args.runs + 1):  # the first round warms caches and is not counted
            t, c = time.perf_counter(), child_cpu()
            subprocess.run([args.cli, "map", "-a", a, "-w", w, "-m", m, "-q", "--json", str(out)], check=True, capture_output=True)
            cli_s, cli_c = time.perf_counter() - t, child_cpu() - c
            results["cli"] = json.loads(out.read_text())
            t, c = time.perf_counter(), time.process_time()
            energy, latency, _ = get_hardware_performance_zigzag(w, a, m, dump_folder=f"{tmp}/dump{k}")
            api_s, api_c = time.perf_counter() - t, time.process_time() - c
            results["api"] = {"energy": energy, "latency": latency}
            t, c = time.perf_counter(), time.process_time()
            results["evaluate"] = zigzag_rs.evaluate(w, a, m)
            eval_s, eval_c = time.perf_counter() - t, time.process_time() - c
            if k:
                times["cli"].append(cli_s)
                times["api"].append(api_s)
                times["evaluate"].append(eval_s)
                cpu["cli"].append(cli_c)
                cpu["api"].append(api_c)
                cpu["evaluate"].append(eval_c)
    same = all(results[x]["energy"] == results["cli"]["energy"] and results[x]["latency"] == results["cli"]["latency"] for x in results)
    print(f"ResNet-18 ONNX / tpu_like, lpf 6, {args.runs} interleaved runs each (median, min):")
    for kind, table in (("wall", times), ("CPU", cpu)):
        cli_med = statistics.median(table["cli"])
        for name, label in (
            ("cli", "zigzag-rs map -q --json (process)"),
            ("api", "get_hardware_performance_zigzag (dump folder + pickle)"),
            ("evaluate", "zigzag_rs.evaluate (report dict)"),
        ):
            med, lo = statistics.median(table[name]), min(table[name])
            print(f"  {kind:<4} {label:<58} {med * 1e3:8.1f} ms  {lo * 1e3:8.1f} ms  {100 * (med / cli_med - 1):+6.1f} % vs CLI")
    print(f"  same totals everywhere: {same} (energy {results['cli']['energy']} pJ, latency {results['cli']['latency']} cycles)")


if __name__ == "__main__":
    main()
