"""The calls into the extension module, with inputs converted and warnings logged."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from . import _core
from ._inputs import to_source

logger = logging.getLogger("zigzag_rs")

#: Option names the single-core engine takes, with the command line's defaults.
SINGLE_CORE_DEFAULTS: dict[str, Any] = {
    "opt": "latency",
    "lpf_limit": 6,
    "spatial_mappings": 3,
    "mixed_spatial": False,
    "exploit_data_locality": False,
    "mapping_type": "uneven",
    "engine": "loma",
    "fix_capacity_clamp": False,
    "fix_onloading_sum": False,
    "time_limit": None,
    "seed": 0,
    "salsa_iterations": 1000,
    "salsa_chains": 1,
    "salsa_criterion": "energy",
}


def single_core_options(options: dict[str, Any] | None) -> dict[str, Any]:
    """``options`` completed with the defaults; an unknown name is a ``TypeError``."""
    out = dict(SINGLE_CORE_DEFAULTS)
    for key, value in (options or {}).items():
        if key not in out:
            known = ", ".join(sorted(SINGLE_CORE_DEFAULTS))
            raise TypeError(f"unknown option `{key}` (known: {known})")
        out[key] = value
    return out


def log_warnings(warnings: list[str]) -> None:
    for w in warnings:
        logger.warning("%s", w)


@dataclass
class Run:
    """One single-core run: the report (as ``zigzag-rs map --json`` writes it) and extras."""

    report: dict[str, Any]
    report_json: str
    warnings: list[str] = field(default_factory=list)
    loop_nests: list[str] = field(default_factory=list)


def evaluate(
    workload: Any,
    accelerator: Any,
    mapping: Any,
    options: dict[str, Any] | None = None,
    *,
    loop_nests: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Run:
    """Runs the single-core search; the GIL is released while the engine works."""
    text, warnings, nests = _core.run_zigzag(
        to_source(workload, "workload"),
        to_source(accelerator, "accelerator"),
        to_source(mapping, "mapping"),
        json.dumps(single_core_options(options)),
        loop_nests,
        progress,
    )
    log_warnings(warnings)
    return Run(json.loads(text), text, warnings, nests)
