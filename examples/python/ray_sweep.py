"""A design-space sweep on a Ray cluster: every chunk of design points is a Ray task.

`zigzag_rs.sweep` takes any `concurrent.futures.Executor`; `RayExecutor` below is one backed by
Ray tasks (Ray is this script's dependency, not the package's). Run it on a cluster with
`RAY_ADDRESS=...`, or locally (it starts Ray with 2 CPUs):

    python examples/python/ray_sweep.py
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import zigzag_rs

EXAMPLES = Path(__file__).resolve().parents[1]

#: 5 array sizes x 5 SRAM sizes x 2 SRAM bandwidths = 50 design points of examples/accelerator.yaml
FIFTY_POINTS = [
    {"path": "operational_array.sizes", "values": [[8, 8], [16, 8], [16, 16], [32, 16], [32, 32]]},
    {"path": "memories.sram_256KB.size", "values": [524288, 1048576, 2097152, 4194304, 8388608]},
    {"path": "memories.sram_256KB.ports.r_port_1.bandwidth_max", "values": [256, 512]},
]


class RayExecutor(concurrent.futures.Executor):
    """A `concurrent.futures.Executor` whose tasks are Ray remote functions."""

    def __init__(self, **remote_options):
        import ray

        self._ray = ray
        self._options = remote_options
        self._remote = {}

    def submit(self, fn, /, *args, **kwargs):
        remote = self._remote.get(fn)
        if remote is None:
            remote = self._ray.remote(**self._options)(fn) if self._options else self._ray.remote(fn)
            self._remote[fn] = remote
        return remote.remote(*args, **kwargs).future()

    def shutdown(self, wait=True, *, cancel_futures=False):
        self._remote.clear()


def main() -> None:
    import ray

    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    acc, wl, mapping = (str(EXAMPLES / f) for f in ("accelerator.yaml", "workload.yaml", "mapping.yaml"))
    bar = tqdm(total=50, unit="point") if tqdm else None
    with RayExecutor() as executor:
        result = zigzag_rs.sweep(acc, FIFTY_POINTS, wl, mapping, executor=executor, chunk_size=5,
                                 progress=bar.update if bar else None)
    if bar:
        bar.close()
    ray.shutdown()
    best = result.points[result.best]
    print(f"{len(result.points)} points, {sum(p['pareto'] for p in result.points)} on the Pareto front")
    print(f"lowest EDP on the front: point {result.best} {best['parameters']}: {best['energy']:.1f} pJ, {best['latency']:.0f} cycles")


if __name__ == "__main__":
    main()
