"""Type stubs of the extension module (the engine calls the Python layer wraps)."""

from typing import Any, Callable

_Source = tuple[str, str, Any]

__version__: str

def run_zigzag(
    workload: _Source,
    accelerator: _Source,
    mapping: _Source,
    options: str,
    loop_nests: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[str, list[str], list[str]]: ...
def run_batch(
    jobs: list[tuple[_Source, _Source, _Source, str]],
    progress: Callable[[int], None] | None = None,
) -> list[tuple[str, list[str]] | BaseException]: ...
def sweep_plan(job: tuple[_Source, _Source, _Source, _Source, str, int]) -> tuple[list[str], list[list[str]]]: ...
def sweep_points(
    job: tuple[_Source, _Source, _Source, _Source, str, int],
    points: list[int],
    progress: Callable[[int], None] | None = None,
) -> str: ...
def indent_json(text: str) -> str: ...
def pareto_front(points: list[tuple[float, float]]) -> list[bool]: ...
def load_yaml(path: str) -> Any: ...
def run_stream(job: tuple) -> tuple[str, list[str]]: ...
