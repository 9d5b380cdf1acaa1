"""The files ZigZag's API writes into its dump folder, and its pickle of the layer evaluations.

* ``overall_simple.json``: ``{"energy": ..., "latency": ...}`` of the whole workload;
* ``<layer name>_complete.json`` per layer (``/`` in names becomes ``_``) with ZigZag's keys
  (``outputs.memory|energy|latency|spatial``, ``inputs.accelerator|layer|spatial_mapping|
  temporal_mapping``); differences: ``inputs.accelerator`` holds only the accelerator's name
  (ZigZag dumps its whole object tree) and ``inputs.layer`` the layer's name, type, equation,
  memory-operand links and user spatial mapping (ZigZag adds the loop sizes, precisions and
  dimension relations);
* ``loop_ordering.txt``: per layer the zigzag-rs loop-nest table (ZigZag writes its own
  ``print_mapping`` text there); ZigZag's memory-hierarchy figure is not drawn;
* the pickle: the list of layer ``CostModelEvaluation`` objects.
"""

from __future__ import annotations

import json
import os
import pickle
from typing import Any

from . import _core


def json_repr(obj: Any, simple: bool = False) -> Any:
    """JSON-ready form of results, the way ZigZag's ``json_repr_handler`` walks them; str
    subclasses (operands, dimensions) become plain strings, so json writes them as ZigZag does.
    The files are written by :func:`dumps_results`, which must equal this walk (tested)."""
    if isinstance(obj, str):
        return str(obj)
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    hook = "__simplejsonrepr__" if simple else "__jsonrepr__"
    if hasattr(obj, hook):
        return json_repr(getattr(obj, hook)(), simple)
    if isinstance(obj, dict):
        return {json_repr(k, simple): json_repr(v, simple) for k, v in obj.items()}
    if isinstance(obj, (list, set, tuple)):
        return [json_repr(x, simple) for x in obj]
    raise TypeError(f"{type(obj).__name__} has no JSON form")


def dumps_results(obj: Any, simple: bool = False) -> str:
    """``json.dumps(json_repr(obj, simple), indent=4)`` without the Python-level walk: the C
    encoder calls the hooks itself (str subclasses are written as their text, as ``str()`` of
    every one of this package's gives) and writes compact text, which Rust lays out as
    ``indent=4`` does (Python's own indenting encoder is pure Python and slow)."""
    hook = "__simplejsonrepr__" if simple else "__jsonrepr__"

    def default(o: Any) -> Any:
        if hasattr(o, hook):
            return getattr(o, hook)()
        if isinstance(o, set):
            return list(o)
        raise TypeError(f"{type(o).__name__} has no JSON form")

    return _core.indent_json(json.dumps(obj, separators=(",", ":"), default=default))


def write_json(obj: Any, filename: str, simple: bool = False) -> None:
    os.makedirs(os.path.dirname(filename) or ".", exist_ok=True)
    with open(filename, "w", encoding="UTF-8") as fp:
        fp.write(dumps_results(obj, simple))


def write_zigzag_outputs(cmes: list, dump_folder: str, pickle_filename: str, loop_nests: list[str]) -> None:
    """Writes what ZigZag's save and visualisation stages write for one API call."""
    total, layers = cmes[0]
    os.makedirs(dump_folder, exist_ok=True)
    for cme, _ in layers:
        write_json(cme, f"{dump_folder}/{cme.layer.name.replace('/', '_')}_complete.json")
    if loop_nests:
        with open(os.path.join(dump_folder, "loop_ordering.txt"), "a", encoding="UTF-8") as f:
            for table in loop_nests:
                f.write(table)
                f.write("\n")
    write_json(total, f"{dump_folder}/overall_simple.json", simple=True)
    dirname = os.path.dirname(pickle_filename)
    if dirname:
        os.makedirs(dirname, exist_ok=True)
    with open(pickle_filename, "wb") as handle:
        pickle.dump([cme for cme, _ in layers], handle, protocol=pickle.HIGHEST_PROTOCOL)
