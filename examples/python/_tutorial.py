"""Where the tutorial inputs are: $ZIGZAG_TUTORIAL, else ../shared/reference next to the repository."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def reference(sub: str) -> Path:
    """`../shared/reference/<sub>` (or $ZIGZAG_RS_REFERENCE/<sub>); exits with a note when absent."""
    root = Path(os.environ.get("ZIGZAG_RS_REFERENCE", REPO / "../shared/reference")).resolve()
    path = root / sub
    if not path.is_dir():
        print(f"SKIPPED: {path} absent (set ZIGZAG_RS_REFERENCE to the reference folder)")
        sys.exit(0)
    return path


def output(name: str) -> str:
    """Output folder of an example: $ZIGZAG_RS_EXAMPLE_OUT/<name>, else outputs/<name>."""
    return str(Path(os.environ.get("ZIGZAG_RS_EXAMPLE_OUT", "outputs")) / name)
