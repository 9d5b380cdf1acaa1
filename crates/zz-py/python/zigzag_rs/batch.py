"""Runs beyond the ZigZag drop-in: one evaluation as a report dict, and batches of them run in
parallel inside Rust (the GIL released for the whole batch)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from . import _core, _engine
from ._inputs import to_source
from .errors import ZigZagError


def evaluate(workload: Any, accelerator: Any, mapping: Any, *, progress: Callable[[int], None] | None = None, **options: Any) -> dict[str, Any]:
    """One single-core run; returns the report exactly as ``zigzag-rs map --json`` writes it
    (``energy``, ``latency``, ``layers[]``, ``totals`` ...). ``options`` are the command line's
    (``opt``, ``lpf_limit``, ``spatial_mappings``, ``mixed_spatial``, ``exploit_data_locality``,
    ``mapping_type``, ``engine``, ``time_limit``, ``seed``, ...); ``progress(n)`` is called with
    the number of further orderings evaluated (``tqdm``'s ``update`` fits)."""
    return _engine.evaluate(workload, accelerator, mapping, options, progress=progress).report


@dataclass(frozen=True)
class Point:
    """One run of a batch: the three inputs (paths or parsed YAML, an ONNX model or bytes for
    the workload) and the options of ``evaluate``."""

    workload: Any
    accelerator: Any
    mapping: Any
    options: dict[str, Any] = field(default_factory=dict)


def _as_point(p: Any) -> Point:
    if isinstance(p, Point):
        return p
    if isinstance(p, dict):
        return Point(**p)
    return Point(*p)


def evaluate_many(
    points: Iterable[Point | tuple | dict],
    *,
    progress: Callable[[int], None] | None = None,
    return_exceptions: bool = False,
) -> list[dict[str, Any] | ZigZagError]:
    """Evaluates every point in parallel inside Rust; reports in the order of ``points``.
    ``progress(1)`` is called as each point finishes. A failing point raises its exception
    after the batch, or, with ``return_exceptions``, stands in the list in its place."""
    jobs = []
    for p in map(_as_point, points):
        jobs.append(
            (
                to_source(p.workload, "workload"),
                to_source(p.accelerator, "accelerator"),
                to_source(p.mapping, "mapping"),
                json.dumps(_engine.single_core_options(p.options)),
            )
        )
    out: list[dict[str, Any] | ZigZagError] = []
    for r in _core.run_batch(jobs, progress):
        if isinstance(r, BaseException):
            if not return_exceptions:
                raise r
            out.append(r)  # type: ignore[arg-type]
        else:
            text, warnings = r
            _engine.log_warnings(warnings)
            out.append(json.loads(text))
    return out
