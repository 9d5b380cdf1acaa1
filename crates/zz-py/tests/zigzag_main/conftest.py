"""Runs ZigZag's tests from a folder where `zigzag/inputs` is the reference inputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE = (Path(__file__).resolve().parents[2] / "../../../shared/reference/zigzag").resolve()


@pytest.fixture(autouse=True)
def _in_zigzag_folder(tmp_path_factory, monkeypatch):
    if not REFERENCE.is_dir():
        pytest.skip(f"SKIPPED: {REFERENCE} absent")
    root = tmp_path_factory.getbasetemp() / "zigzag_root"
    if not (root / "zigzag" / "inputs").exists():
        (root / "zigzag").mkdir(parents=True, exist_ok=True)
        os.symlink(REFERENCE, root / "zigzag" / "inputs")
    monkeypatch.chdir(root)
