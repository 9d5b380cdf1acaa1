"""ZigZag's ``zigzag.utils`` helpers users call: ``open_yaml``, ``pickle_load``, ``pickle_save``."""

from __future__ import annotations

import os
import pickle
from typing import Any

from . import _core


def open_yaml(path: str | os.PathLike) -> dict[str, Any] | list[dict[str, Any]]:
    """Reads a YAML file into dicts and lists, as ZigZag's ``open_yaml`` (PyYAML ``safe_load``)
    does: a duplicated key keeps its last value. Parsed by the engine's YAML reader, so no
    PyYAML is needed; a syntax error raises ``zigzag_rs.InputError`` with file, line and column."""
    return _core.load_yaml(os.fspath(path))


def pickle_load(path: str | os.PathLike) -> Any:
    """Loads a pickle (e.g. the ``list_of_cmes.pickle`` the API writes)."""
    with open(path, "rb") as fp:
        return pickle.load(fp)


def pickle_save(obj: Any, path: str | os.PathLike) -> None:
    """Pickles ``obj`` to ``path``."""
    with open(path, "wb") as fp:
        pickle.dump(obj, fp)
