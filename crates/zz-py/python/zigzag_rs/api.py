"""ZigZag 3.9.1's ``zigzag.api`` over the Rust engine: same names, parameters, defaults and returns.

``from zigzag.api import get_hardware_performance_zigzag`` becomes
``from zigzag_rs.api import get_hardware_performance_zigzag``; the call and what it returns
stay the same (see the package docs for the attributes of the returned evaluations and what
the dump folder holds).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal

from . import _dump, _engine
from .cost_model import CostModelEvaluationABC, evaluations_from_report

logger = logging.getLogger("zigzag_rs")

_OBJECTIVES = {"latency": "latency", "energy": "energy", "EDP": "edp"}


def get_hardware_performance_zigzag(
    workload: Any,
    accelerator: Any,
    mapping: Any,
    *,
    temporal_mapping_search_engine: Literal["loma"] | Literal["salsa"] = "loma",
    temporal_mapping_type: Literal["uneven"] | Literal["even"] = "uneven",
    opt: str = "latency",
    dump_folder: str = f"outputs/{datetime.now()}",
    pickle_filename: str | None = None,
    lpf_limit: int = 6,
    nb_spatial_mappings_generated: int = 3,
    in_memory_compute: bool = False,
    exploit_data_locality: bool = False,
    enable_mix_spatial_mapping: bool = False,
    loma_show_progress_bar: bool = True,
) -> (
    tuple[float, float, list[tuple[CostModelEvaluationABC, Any]]]
    | tuple[float, float, float, float, list[tuple[CostModelEvaluationABC, Any]]]
):
    """Searches the best mapping of every layer of ``workload`` on ``accelerator`` and returns
    ``(energy, latency, cmes)``, or ``(energy, latency, tclk, area, cmes)`` with
    ``in_memory_compute``.

    ``workload``: a path to an ONNX or YAML file, a list of layer dicts (as ``open_yaml``
    returns) or an ``onnx.ModelProto``; ``accelerator`` and ``mapping``: paths or parsed YAML.
    ``cmes`` is ``[(CumulativeCME, [(CostModelEvaluation, (layer, [])), ...])]``; energy is in
    pJ, latency in cycles (``latency_total2``). ``dump_folder`` receives
    ``overall_simple.json``, one ``<layer>_complete.json`` per layer and
    ``loop_ordering.txt``; the layer evaluations are pickled to ``pickle_filename`` (default
    ``<dump_folder>/list_of_cmes.pickle``). ``loma_show_progress_bar`` is accepted and ignored
    (the search takes milliseconds). Bad inputs raise ``zigzag_rs.InputError`` (a
    ``ValueError``) with ``file``, ``line`` and ``column``.
    """
    pickle_filename = f"{dump_folder}/list_of_cmes.pickle" if pickle_filename is None else pickle_filename
    if opt not in _OBJECTIVES:
        raise NotImplementedError("Optimization criterion 'opt' should be either 'energy' or 'latency' or 'EDP'.")
    options = {
        "opt": _OBJECTIVES[opt],
        "engine": "salsa" if temporal_mapping_search_engine == "salsa" else "loma",
        "mapping_type": str(getattr(temporal_mapping_type, "value", temporal_mapping_type)),
        "lpf_limit": lpf_limit,
        "spatial_mappings": nb_spatial_mappings_generated,
        # as ZigZag: IMC and mixed spatial mappings switch on inter-layer data locality
        "exploit_data_locality": bool(in_memory_compute or exploit_data_locality or enable_mix_spatial_mapping),
        "mixed_spatial": bool(in_memory_compute or enable_mix_spatial_mapping),
    }
    run = _engine.evaluate(workload, accelerator, mapping, options, loop_nests=True)
    cmes = evaluations_from_report(run.report, options["mapping_type"])
    _dump.write_zigzag_outputs(cmes, dump_folder, pickle_filename, run.loop_nests)
    energy_total: float = cmes[0][0].energy_total
    latency_total: float = cmes[0][0].latency_total2
    if in_memory_compute:
        layers = cmes[0][1]
        if not layers or not getattr(layers[0][0], "is_imc", False):
            raise ValueError(
                "in_memory_compute=True: the accelerator is not an in-memory-computing array "
                "(`is_imc: true` in its operational_array), so it has no tclk or IMC area"
            )
        first = layers[0][0]
        return energy_total, latency_total, first.tclk, first.area_total, cmes
    return energy_total, latency_total, cmes


def get_hardware_performance_zigzag_imc(
    *args: Any,
) -> tuple[float, float, float, float, list[tuple[CostModelEvaluationABC, Any]]]:
    """``get_hardware_performance_zigzag(*args, in_memory_compute=True)``, as in ZigZag."""
    return get_hardware_performance_zigzag(*args, in_memory_compute=True)  # type: ignore[return-value]
