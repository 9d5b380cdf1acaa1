"""Classic Stream's ``stream.api`` (commit 21e5ad80): ``optimize_allocation_ga`` and
``optimize_allocation_co`` with Stream's parameter names, order and defaults.

Both return a ``StreamCostModelEvaluation`` (``latency``, ``energy``, Stream's energy buckets
``total_cn_onchip_energy`` ..., and ``schedule``: per CN its layer, sub id, core, start and
end) and write, under ``output_path/experiment_id``, ``scme.pickle`` (loaded instead of
running when ``skip_if_exists`` and it exists) and what ``zigzag-rs stream --output`` writes:
``schedule.json``, ``gantt.png``, ``gantt.html``, ``memory.png``, ``trace.json`` (and
``co_mapping.yaml`` for ``optimize_allocation_co``). The constraint optimisation needs no Gurobi
licence (HiGHS). Stream's ``tiled_workload.pickle`` / ``cost_lut.pickle`` are not written.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
from dataclasses import dataclass
from typing import Any, Literal

from .. import _core, _engine
from .._inputs import to_source

logger = logging.getLogger("zigzag_rs")

#: The report's energy buckets under Stream's attribute names.
BUCKETS = {
    "CN on-chip": "total_cn_onchip_energy",
    "CN off-chip link": "total_cn_offchip_link_energy",
    "CN off-chip memory": "total_cn_offchip_memory_energy",
    "eviction link": "total_eviction_to_offchip_link_energy",
    "eviction memory": "total_eviction_to_offchip_memory_energy",
    "sink-layer output link": "total_sink_layer_output_offchip_link_energy",
    "sink-layer output memory": "total_sink_layer_output_offchip_memory_energy",
    "core-to-core link": "total_core_to_core_link_energy",
    "core-to-core memory": "total_core_to_core_memory_energy",
}


@dataclass(frozen=True)
class ScheduledCN:
    """One computation node in the schedule."""

    layer: int
    sub_id: int
    core: int
    start: float
    end: float
    energy: float
    name: str


class StreamCostModelEvaluation:
    """The schedule of a Stream run (the attributes of Stream's class of that name users read)."""

    def __init__(self, report: dict[str, Any]):
        self.report = report
        self.latency: float = report["latency"]
        self.energy: float = report["energy"]
        for bucket, value in report.get("energy_buckets", {}).items():
            setattr(self, BUCKETS.get(bucket, bucket), value)
        self.schedule = [
            ScheduledCN(c["layer"], c["sub_id"], c["core"], c["start"], c["end"], c.get("energy", 0.0), c.get("name", ""))
            for c in report.get("cns", [])
        ]
        self.max_memory_usage = max((c.get("peak_memory_bits", 0.0) for c in report.get("cores", [])), default=0.0)

    def __str__(self) -> str:
        return f"SCME(energy={self.energy:.2e}, latency={self.latency:.2e})"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StreamCostModelEvaluation) and self.report == other.report

    __hash__ = object.__hash__


def _check_inputs(hardware: str, workload: Any, mapping: str, mode: str, output_path: str) -> None:
    # Stream asserts these too (with AssertionError); here they are exceptions with the path
    if not os.path.exists(hardware):
        raise FileNotFoundError(f"Hardware file {hardware} does not exist")
    if isinstance(workload, (str, os.PathLike)) and not os.path.exists(workload):
        raise FileNotFoundError(f"Workload file {workload} does not exist")
    if isinstance(mapping, (str, os.PathLike)) and not os.path.exists(mapping):
        raise FileNotFoundError(f"Mapping file {mapping} does not exist")
    if mode not in ("lbl", "fused"):
        raise ValueError("Mode must be either 'lbl' or 'fused'")
    os.makedirs(output_path, exist_ok=True)


def _run(
    hardware: str,
    workload: Any,
    mapping: Any,
    mode: str,
    layer_stacks: list[tuple[int, ...]] | None,
    allocator: str,
    nb_ga_generations: int,
    nb_ga_individuals: int,
    experiment_id: str,
    output_path: str,
    skip_if_exists: bool,
    temporal_mapping_type: str,
    seed: int,
    engine: str = "loma",
    time_limit: float | None = None,
) -> StreamCostModelEvaluation:
    _check_inputs(hardware, workload, mapping, mode, output_path)
    if temporal_mapping_type not in ("uneven", "even"):
        raise ValueError(f"Invalid temporal mapping type: {temporal_mapping_type}. Must be 'uneven' or 'even'.")
    folder = os.path.join(output_path, experiment_id)
    os.makedirs(folder, exist_ok=True)
    scme_path = os.path.join(folder, "scme.pickle")
    if skip_if_exists and os.path.exists(scme_path):
        with open(scme_path, "rb") as f:
            scme = pickle.load(f)
        logger.info("Loaded SCME from %s", scme_path)
        return scme
    stacks = [list(s) for s in layer_stacks] if layer_stacks else None
    job = (
        to_source(hardware, "accelerator"),
        to_source(workload, "workload"),
        to_source(mapping, "mapping"),
        mode,
        stacks,
        allocator,
        nb_ga_individuals,
        nb_ga_generations,
        seed,
        6,
        folder,
        temporal_mapping_type,
        engine,
        time_limit,
    )
    text, warnings = _core.run_stream(job)
    _engine.log_warnings(warnings)
    scme = StreamCostModelEvaluation(json.loads(text))
    with open(scme_path, "wb") as f:
        pickle.dump(scme, f)
    return scme


def optimize_allocation_ga(  # noqa: PLR0913
    hardware: str,
    workload: Any,
    mapping: str,
    mode: Literal["lbl"] | Literal["fused"],
    layer_stacks: list[tuple[int, ...]],
    nb_ga_generations: int,
    nb_ga_individuals: int,
    experiment_id: str,
    output_path: str,
    skip_if_exists: bool = False,
    temporal_mapping_type: str = "uneven",
    *,
    seed: int = 0,
    engine: str = "loma",
    time_limit: float | None = None,
) -> StreamCostModelEvaluation:
    """Allocates the layers the mapping leaves open with the genetic algorithm (seeded: ``seed``,
    Stream's own run is unseeded) and schedules; see the module docs for outputs. Beyond Stream:
    ``engine="optimal"`` searches each CN's temporal mapping with the optimal engine (the best of
    the full ordering space under Stream's objective), ``time_limit`` (seconds, with the optimal
    engine) bounds each per-CN search."""
    return _run(hardware, workload, mapping, mode, layer_stacks, "ga", nb_ga_generations, nb_ga_individuals,
                experiment_id, output_path, skip_if_exists, temporal_mapping_type, seed, engine, time_limit)


def optimize_allocation_co(  # noqa: PLR0913
    hardware: str,
    workload: Any,
    mapping: str,
    mode: Literal["lbl"] | Literal["fused"],
    layer_stacks: list[tuple[int, ...]],
    experiment_id: str,
    output_path: str,
    skip_if_exists: bool = False,
    temporal_mapping_type: str = "uneven",
    *,
    engine: str = "loma",
    time_limit: float | None = None,
) -> StreamCostModelEvaluation:
    """Allocates by constraint optimisation (one MILP per layer stack, HiGHS) and schedules;
    ``engine`` and ``time_limit`` as for :func:`optimize_allocation_ga`."""
    return _run(hardware, workload, mapping, mode, layer_stacks, "co", 4, 4, experiment_id, output_path,
                skip_if_exists, temporal_mapping_type, 0, engine, time_limit)
