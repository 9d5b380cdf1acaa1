"""A 50-point sweep through a local Ray cluster gives exactly the serial results."""

from __future__ import annotations

import importlib.util
import sys

import pytest

import zigzag_rs

from conftest import EXAMPLES, REPO


def test_ray_sweep_equals_serial():
    ray = pytest.importorskip("ray", reason="SKIPPED: ray is not installed")
    spec = importlib.util.spec_from_file_location("ray_sweep", REPO / "examples/python/ray_sweep.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["ray_sweep"] = module
    spec.loader.exec_module(module)
    acc, wl, mapping = (str(EXAMPLES / f) for f in ("accelerator.yaml", "workload.yaml", "mapping.yaml"))
    parameters = module.FIFTY_POINTS
    serial = zigzag_rs.sweep(acc, parameters, wl, mapping)
    assert len(serial.points) == 50
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    try:
        with module.RayExecutor() as executor:
            distributed = zigzag_rs.sweep(acc, parameters, wl, mapping, executor=executor, chunk_size=5)
    finally:
        ray.shutdown()
    assert distributed.numbers() == serial.numbers()
    assert distributed.best == serial.best
