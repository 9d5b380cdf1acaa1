"""Accelerator parameter sweeps with ``zigzag-rs sweep``'s semantics, serially in Rust or on any
``concurrent.futures.Executor`` (threads, processes, Ray tasks ...): the points are the cross
product of the parameter values (the last parameter varies fastest), each evaluated as the
command line does; feasibility, the energy-latency Pareto front and the best point (lowest EDP
on the front) are decided over all points, so the result does not depend on the executor."""

from __future__ import annotations

import concurrent.futures
import json
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from . import _core
from ._inputs import Source, to_source


def _sweep_text(parameters: Any) -> Source:
    if isinstance(parameters, (str, os.PathLike)):
        return ("path", os.fspath(parameters), None)
    if isinstance(parameters, dict):
        if "parameters" in parameters:
            body = parameters
        else:
            body = {"parameters": [{"path": k, "values": list(v)} for k, v in parameters.items()]}
    else:
        body = {"parameters": [dict(p) for p in parameters]}
    return ("yaml", "<sweep parameters>", json.dumps(body))


def _portable(src: Source) -> Source:
    """A path input as its content, so that workers on other machines need no shared files."""
    kind, name, _ = src
    if kind != "path":
        return src
    if name.lower().endswith(".onnx"):
        with open(name, "rb") as f:
            return ("onnx", name, f.read())
    with open(name, encoding="utf-8") as f:
        return ("yaml", name, f.read())


def _evaluate_chunk(job: tuple, points: list[int]) -> str:
    """One executor task: the JSON of the given points (module-level, so it pickles)."""
    return _core.sweep_points(job, points)


@dataclass
class SweepResult:
    """Every point (``point``, ``parameters``, ``energy``, ``latency``, ``edp``, ``area``,
    ``tclk``, ``onchip_memory_bits``, ``feasible``, ``pareto``, ``error``) and the index of the
    lowest-EDP point on the front (``best``, or ``None``)."""

    paths: list[str]
    points: list[dict[str, Any]]
    best: int | None
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """What ``zigzag-rs sweep`` writes to ``sweep.json``."""
        keys = ("point", "parameters", "energy", "latency", "area", "tclk", "onchip_memory_bits", "feasible", "pareto", "error")
        return {"points": [{k: p[k] for k in keys} for p in self.points], "best": self.best, "seconds": self.seconds}

    def numbers(self) -> list[tuple]:
        """Per point the figures that must not depend on how the sweep ran."""
        return [(p["point"], p["energy"], p["latency"], p["area"], p["tclk"], p["feasible"], p["pareto"], p["error"]) for p in self.points]


def sweep(
    base_accelerator: Any,
    parameters: Any,
    workload: Any,
    mapping: Any,
    *,
    opt: str = "latency",
    lpf_limit: int = 6,
    max_latency: float | None = None,
    max_area: float | None = None,
    max_memory: float | None = None,
    executor: concurrent.futures.Executor | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    """Sweeps accelerator parameters. ``parameters``: a sweep file path, a list of
    ``{"path": ..., "values": [...]}`` or a dict ``{path: values}`` (paths as in
    ``examples/sweep.yaml``). Without ``executor`` all points run in parallel inside Rust;
    with one, chunks of ``chunk_size`` points are submitted to it as tasks (inputs travel as
    text, so the workers need no shared files). ``progress(n)`` is told of every ``n`` more
    points done. ``max_memory`` is in bits."""
    job = (
        to_source(base_accelerator, "accelerator"),
        to_source(workload, "workload"),
        to_source(mapping, "mapping"),
        _sweep_text(parameters),
        opt,
        lpf_limit,
    )
    paths, values = _core.sweep_plan(job)
    n = len(values)
    start = time.perf_counter()
    if executor is None:
        raw = json.loads(_core.sweep_points(job, list(range(n)), progress))
    else:
        job = tuple(_portable(s) if isinstance(s, tuple) else s for s in job)
        size = chunk_size or max(1, math.ceil(n / 32))
        chunks = [list(range(i, min(n, i + size))) for i in range(0, n, size)]
        futures = {executor.submit(_evaluate_chunk, job, c): c for c in chunks}
        by_point: dict[int, dict[str, Any]] = {}
        for fut in concurrent.futures.as_completed(futures):
            done = json.loads(fut.result())
            for p in done:
                by_point[p["point"]] = p
            if progress is not None:
                progress(len(done))
        raw = [by_point[k] for k in range(n)]
    seconds = time.perf_counter() - start
    return _assemble(paths, values, raw, max_latency, max_area, max_memory, seconds)


def _admit(p: dict[str, Any], max_latency: float | None, max_area: float | None, max_memory: float | None) -> bool:
    return (
        p["error"] is None
        and (max_latency is None or p["latency"] <= max_latency)
        and (max_area is None or p["area"] <= max_area)
        and (max_memory is None or p["onchip_memory_bits"] <= max_memory)
    )


def _assemble(
    paths: Sequence[str],
    values: Sequence[Sequence[str]],
    raw: list[dict[str, Any]],
    max_latency: float | None,
    max_area: float | None,
    max_memory: float | None,
    seconds: float,
) -> SweepResult:
    points = []
    for p, vals in zip(raw, values):
        energy = float("nan") if p["energy"] is None else p["energy"]
        latency = float("nan") if p["latency"] is None else p["latency"]
        q = dict(p, energy=energy, latency=latency, parameters=dict(zip(paths, vals)), edp=energy * latency)
        q["feasible"] = _admit(q, max_latency, max_area, max_memory)
        points.append(q)
    feasible = [k for k, p in enumerate(points) if p["feasible"]]
    front = _core.pareto_front([(points[k]["energy"], points[k]["latency"]) for k in feasible])
    for p in points:
        p["pareto"] = False
    for k, on in zip(feasible, front):
        points[k]["pareto"] = bool(on)
    best = None
    for k in feasible:
        if points[k]["pareto"] and (best is None or points[k]["edp"] < points[best]["edp"]):
            best = k
    return SweepResult(list(paths), points, best, seconds)
