"""zigzag_rs: ZigZag's and Stream's Python APIs over the zigzag-rs engine.

* ``zigzag_rs.api.get_hardware_performance_zigzag`` / ``..._imc``: drop-ins for ZigZag 3.9.1's
  ``zigzag.api`` (same parameters and returns; ``zigzag_rs.utils.open_yaml`` for
  ``zigzag.utils.open_yaml``);
* ``zigzag_rs.stream.api.optimize_allocation_ga`` / ``optimize_allocation_co``: classic
  Stream's entry points;
* ``evaluate`` (one run, its report as a dict), ``evaluate_many`` (a batch, in parallel in
  Rust) and ``sweep`` (accelerator parameter sweeps, optionally on any
  ``concurrent.futures.Executor``, e.g. one backed by Ray tasks).

The engine releases the GIL while it works; every returned object pickles.
"""

from ._core import __version__
from .batch import Point, evaluate, evaluate_many
from .errors import InputError, OptionError, SearchError, StreamError, ZigZagError
from .sweep import SweepResult, sweep
from .utils import open_yaml

__all__ = [
    "__version__",
    "InputError",
    "OptionError",
    "Point",
    "SearchError",
    "StreamError",
    "SweepResult",
    "ZigZagError",
    "evaluate",
    "evaluate_many",
    "open_yaml",
    "sweep",
]
