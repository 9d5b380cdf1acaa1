"""Shared fixtures of the zigzag_rs tests: where the reference material is (skipping, and
saying so, when it is absent) and the command-line binary the drop-in is compared with."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CRATE = Path(__file__).resolve().parent.parent
REPO = CRATE.parent.parent
REFERENCE = (CRATE / "../../../shared/reference").resolve()
ZIGZAG_REF = REFERENCE / "zigzag"
STREAM_REF = REFERENCE / "stream"
EXAMPLES = REPO / "examples"


def _skip_without_reference() -> None:
    if not ZIGZAG_REF.is_dir():
        pytest.skip(f"SKIPPED: {REFERENCE} absent")


@pytest.fixture
def zigzag_ref() -> Path:
    _skip_without_reference()
    return ZIGZAG_REF


@pytest.fixture
def stream_ref() -> Path:
    if not STREAM_REF.is_dir():
        pytest.skip(f"SKIPPED: {REFERENCE} absent")
    return STREAM_REF


def cli_binary() -> str | None:
    """The `zigzag-rs` binary: $ZIGZAG_RS_CLI, else one built in the workspace's target dir."""
    env = os.environ.get("ZIGZAG_RS_CLI")
    if env:
        return env
    for profile in ("release", "debug"):
        p = REPO / "target" / profile / "zigzag-rs"
        if p.is_file():
            return str(p)
    return shutil.which("zigzag-rs")


@pytest.fixture
def cli() -> str:
    b = cli_binary()
    if b is None:
        pytest.skip("SKIPPED: no zigzag-rs binary (set ZIGZAG_RS_CLI or build zz-cli)")
    return b


def run_cli(binary: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, check=False)
