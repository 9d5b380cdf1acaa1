"""Turns the inputs users pass (paths, parsed YAML, ONNX models) into what the engine reads.

The engine takes each input as ``(kind, name, payload)``: ``("path", path, None)``,
``("yaml", name, text)`` or ``("onnx", name, bytes)``. Parsed YAML (dicts and lists, as
``open_yaml`` returns them) is written as JSON text, which is YAML.
"""

from __future__ import annotations

import json
import os
from typing import Any

Source = tuple[str, str, Any]


def _is_onnx_model(value: Any) -> bool:
    # duck-typed so that `onnx` stays the user's dependency
    return hasattr(value, "SerializeToString") and hasattr(value, "graph")


def _json_default(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not a YAML value")


def to_source(value: Any, what: str) -> Source:
    """One input (``what``: workload, accelerator or mapping) as the engine reads it."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        return ("path", value, None)
    if isinstance(value, (bytes, bytearray)):
        if what != "workload":
            raise TypeError(f"{what}: bytes are only taken for an ONNX workload")
        return ("onnx", "<onnx model>", bytes(value))
    if _is_onnx_model(value):
        if what != "workload":
            raise TypeError(f"{what}: an ONNX model is a workload, not a {what}")
        name = getattr(getattr(value, "graph", None), "name", "") or "model"
        return ("onnx", f"<onnx model {name}>", value.SerializeToString())
    if isinstance(value, (dict, list)):
        try:
            text = json.dumps(value, default=_json_default, allow_nan=True)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{what}: {e}") from None
        return ("yaml", f"<{what} {type(value).__name__}>", text)
    raise TypeError(
        f"{what}: expected a path, a dict or list as open_yaml returns"
        + (" or an onnx.ModelProto" if what == "workload" else "")
        + f", got {type(value).__name__}"
    )
