"""Cost-model evaluations as ZigZag returns them, filled from the Rust engine's run report.

``CostModelEvaluation`` is one layer under its chosen mapping, ``CumulativeCME`` the sum over
the layers. Both carry the attribute names ZigZag 3.9.1's classes of the same names have (see
``ATTRIBUTES`` in the package docs); they are plain Python objects, so they pickle, compare
and print without the extension module.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .datatypes import DIRECTIONS, DataDirection, LayerDim, LayerOperand, MemoryOperand, OADimension

# (direction, its value) once: an Enum member's `.value` is a descriptor call per access.
_DIRS = tuple((d, d.value) for d in DIRECTIONS)


def _as_int_if_integral(x: float) -> int | float:
    return int(x) if isinstance(x, float) and x.is_integer() else x


class FourWayDataMoving:
    """A value per data direction of one memory level (ZigZag's ``FourWayDataMoving``)."""

    __slots__ = ("data",)

    def __init__(self, data: Mapping[Any, Any] | None = None):
        if data is None:
            self.data = {d: 0 for d in DIRECTIONS}
        else:
            self.data = {d: data[v] if v in data else data[d] for d, v in _DIRS}

    def get(self, direction: DataDirection | str) -> Any:
        """The value of one direction."""
        return self.data[DataDirection(direction)]

    def set(self, direction: DataDirection | str, value: Any) -> None:
        """Replaces the value of one direction."""
        self.data[DataDirection(direction)] = value

    @property
    def rd_out_to_low(self) -> Any:
        return self.data[DataDirection.RD_OUT_TO_LOW]

    @property
    def wr_in_by_low(self) -> Any:
        return self.data[DataDirection.WR_IN_BY_LOW]

    @property
    def rd_out_to_high(self) -> Any:
        return self.data[DataDirection.RD_OUT_TO_HIGH]

    @property
    def wr_in_by_high(self) -> Any:
        return self.data[DataDirection.WR_IN_BY_HIGH]

    def total(self) -> Any:
        """Sum over the four directions."""
        return sum(self.data[d] for d in DIRECTIONS)

    def __add__(self, other: "FourWayDataMoving") -> "FourWayDataMoving":
        return type(self)({v: self.data[d] + other.data[d] for d, v in _DIRS})

    def __mul__(self, factor: Any) -> "FourWayDataMoving":
        return type(self)({v: self.data[d] * factor for d, v in _DIRS})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FourWayDataMoving) and self.data == other.data

    def __repr__(self) -> str:
        inner = ", ".join(f"{v}: {self.data[d]}" for d, v in _DIRS)
        return f"{type(self).__name__}({inner})"

    def __getstate__(self) -> dict[str, Any]:
        return {v: self.data[d] for d, v in _DIRS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.data = {d: state[v] for d, v in _DIRS}

    def __jsonrepr__(self) -> dict[str, Any]:
        return {v: self.data[d] for d, v in _DIRS}


class MemoryAccesses(FourWayDataMoving):
    """Word accesses of one memory level per direction."""

    __slots__ = ()


class AccessEnergy(FourWayDataMoving):
    """Access energy (pJ) of one memory level per direction."""

    __slots__ = ()


def _loops(levels: Iterable[Iterable[Any]], cast=lambda x: x) -> list[list[tuple[LayerDim, Any]]]:
    return [[(LayerDim(dim), cast(size)) for dim, size in level] for level in levels]


def _per_operand(d: Mapping[str, Any], f) -> dict[LayerOperand, Any]:
    return {LayerOperand(op): f(v) for op, v in d.items()}


class SpatialMapping(dict):
    """A user-format spatial mapping: OA dimension -> {layer dimension: unrolling}."""

    def __str__(self) -> str:
        inner = ", ".join(
            f"{oa}: {{" + ", ".join(f"{dim}: {_as_int_if_integral(f)}" for dim, f in dims.items()) + "}"
            for oa, dims in self.items()
        )
        return "{" + inner + "}"

    def __reduce__(self):
        return (type(self), (dict(self),))


def _levels_json(levels_per_operand: dict) -> dict[str, Any]:
    """Loops per operand and level as ZigZag's JSON dump writes them (each loop as text)."""
    return {str(op): [[str(loop) for loop in level] for level in levels] for op, levels in levels_per_operand.items()}


class SpatialMappingInternal:
    """The spatial unrollings per operand and architectural level (ZigZag's class of that name).

    ``mapping_dict_origin[op][i]`` holds the loops served by memory level ``i`` of ``op`` (the
    last entry: above the top level), each loop a ``(LayerDim, unrolling)`` pair.
    """

    def __init__(self, mapping_dict_origin: dict[LayerOperand, list[list[tuple[LayerDim, float]]]]):
        self.mapping_dict_origin = mapping_dict_origin
        self.arch_level = {op: len(levels) for op, levels in mapping_dict_origin.items()}

    def __str__(self) -> str:
        return f"SpatialMapping({self.mapping_dict_origin})"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpatialMappingInternal) and self.mapping_dict_origin == other.mapping_dict_origin

    def __jsonrepr__(self) -> dict[str, Any]:
        return _levels_json(self.mapping_dict_origin)


class TemporalMapping:
    """The temporal loops per operand and memory level, innermost first (ZigZag's class)."""

    def __init__(self, mapping_dic_stationary: dict[LayerOperand, list[list[tuple[LayerDim, int]]]], mapping_type: str):
        self.mapping_dic_stationary = mapping_dic_stationary
        self.mem_level = {op: len(levels) for op, levels in mapping_dic_stationary.items()}
        self.type = mapping_type

    def __str__(self) -> str:
        return str(self.mapping_dic_stationary)

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TemporalMapping) and self.mapping_dic_stationary == other.mapping_dic_stationary

    def __jsonrepr__(self) -> dict[str, Any]:
        return _levels_json(self.mapping_dic_stationary)


class LayerNode:
    """The layer a cost-model evaluation belongs to (the attributes ZigZag's ``LayerNode`` shares)."""

    def __init__(self, report: Mapping[str, Any]):
        self.id: int = report["id"]
        self.name: str = report["name"]
        self.type: str = report["operator_type"]
        self.equation: str = report.get("equation", "")
        self.memory_operand_links: dict[LayerOperand, MemoryOperand] = {
            LayerOperand(op): MemoryOperand(m) for op, m in report["memory_operand_links"].items()
        }
        self.layer_operands: list[LayerOperand] = list(self.memory_operand_links)
        self.spatial_mapping = SpatialMapping(
            {OADimension(oa): {LayerDim(d): _as_int_if_integral(f) for d, f in dims.items()} for oa, dims in report["spatial_mapping"].items()}
        )

    def __str__(self) -> str:
        return f"LayerNode_{self.name}"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LayerNode) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self.id, self.name))

    def __jsonrepr__(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "equation": self.equation,
            "user_spatial_mapping": {str(oa): {str(d): f for d, f in dims.items()} for oa, dims in self.spatial_mapping.items()},
            "memory_operand_links": {str(k): str(v) for k, v in self.memory_operand_links.items()},
        }


class Accelerator:
    """The accelerator a result was computed on (its name; ZigZag's object carries the whole model)."""

    def __init__(self, name: str):
        self.name = name

    def __str__(self) -> str:
        return f"Accelerator({self.name})"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Accelerator) and self.name == other.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __jsonrepr__(self) -> dict[str, Any]:
        return {"name": self.name}


#: Scalar attributes every evaluation has (ZigZag's ``CostModelEvaluationABC``).
SCALARS = (
    "mac_energy",
    "mem_energy",
    "energy_total",
    "data_onloading_cycle",
    "data_offloading_cycle",
    "systolic_drain_cycle",
    "ideal_cycle",
    "ideal_temporal_cycle",
    "latency_total0",
    "latency_total1",
    "latency_total2",
    "mac_spatial_utilization",
    "mac_utilization0",
    "mac_utilization1",
    "mac_utilization2",
)


class CostModelEvaluationABC:
    """What layer results and their sums share: energies, latencies, utilisations, breakdowns."""

    mem_energy_breakdown: dict[LayerOperand, list[float]]
    mem_energy_breakdown_further: dict[LayerOperand, list[AccessEnergy]]
    memory_word_access: dict[LayerOperand, list[MemoryAccesses]]
    accelerator: Accelerator | None

    @property
    def core(self) -> Accelerator | None:
        return self.accelerator

    def __add__(self, other: "CostModelEvaluationABC") -> "CumulativeCME":
        out = CumulativeCME()
        for name in ("mac_energy", "mem_energy", "energy_total"):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        for attr in ("mem_energy_breakdown", "mem_energy_breakdown_further", "memory_word_access"):
            mine, theirs = getattr(self, attr), getattr(other, attr)
            merged = {}
            for op, levels in mine.items():
                if op in theirs:
                    other_levels = theirs[op]
                    n = min(len(levels), len(other_levels))
                    merged[op] = [levels[i] + other_levels[i] for i in range(n)] + list(levels[n:]) + list(other_levels[n:])
            for source in (mine, theirs):
                for op, levels in source.items():
                    if op not in merged:
                        merged[op] = levels
            setattr(out, attr, merged)
        for name in (
            "data_onloading_cycle",
            "data_offloading_cycle",
            "systolic_drain_cycle",
            "ideal_cycle",
            "ideal_temporal_cycle",
            "latency_total0",
            "latency_total1",
            "latency_total2",
        ):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        out._set_utilisations()
        for cme in (self, other):
            if isinstance(cme, CostModelEvaluation):
                out.layer_ids.append(cme.layer.id)
            elif isinstance(cme, CumulativeCME):
                out.layer_ids += cme.layer_ids
        out.accelerator = self.accelerator if self.accelerator is not None else other.accelerator
        return out

    def _set_utilisations(self) -> None:
        def ratio(a: float, b: float) -> float:
            return a / b if b else 0.0

        self.mac_spatial_utilization = ratio(self.ideal_cycle, self.ideal_temporal_cycle)
        self.mac_utilization0 = ratio(self.ideal_cycle, self.latency_total0)
        self.mac_utilization1 = ratio(self.ideal_cycle, self.latency_total1)
        self.mac_utilization2 = ratio(self.ideal_cycle, self.latency_total2)

    def __simplejsonrepr__(self) -> dict[str, float]:
        return {"energy": self.energy_total, "latency": self.latency_total2}

    def __jsonrepr__(self) -> dict[str, Any]:
        layer_result = isinstance(self, CostModelEvaluation)
        return {
            "outputs": {
                "memory": {
                    "utilization": self.mem_utili_shared if layer_result else None,
                    "word_accesses": self.memory_word_access,
                },
                "energy": {
                    "energy_total": self.energy_total,
                    "operational_energy": self.mac_energy,
                    "memory_energy": self.mem_energy,
                    "memory_energy_breakdown_per_level": self.mem_energy_breakdown,
                    "memory_energy_breakdown_per_level_per_operand": self.mem_energy_breakdown_further,
                },
                "latency": {
                    "data_onloading": self.latency_total1 - self.latency_total0,
                    "computation": self.latency_total0,
                    "data_offloading": self.latency_total2 - self.latency_total1,
                },
                "spatial": {
                    "mac_utilization": {
                        "ideal": self.mac_spatial_utilization,
                        "stalls": self.mac_utilization0,
                        "stalls_onloading": self.mac_utilization1,
                        "stalls_onloading_offloading": self.mac_utilization2,
                    }
                },
            },
            "inputs": {
                "accelerator": self.accelerator,
                "layer": self.layer if layer_result else self.layer_ids,
                "spatial_mapping": self.spatial_mapping_int if layer_result else None,
                "temporal_mapping": self.temporal_mapping if layer_result else None,
            },
        }

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__  # type: ignore[union-attr]

    __hash__ = object.__hash__


class CumulativeCME(CostModelEvaluationABC):
    """The sum of layer evaluations (ZigZag's ``CumulativeCME``)."""

    def __init__(self) -> None:
        self.mem_energy_breakdown = {}
        self.mem_energy_breakdown_further = {}
        self.memory_word_access = {}
        self.layer_ids: list[int] = []
        for name in SCALARS:
            setattr(self, name, 0.0)
        self.accelerator = None

    def __str__(self) -> str:
        return "CumulativeCME"

    __repr__ = __str__


class CostModelEvaluation(CostModelEvaluationABC):
    """One layer under its chosen spatial and temporal mapping (ZigZag's ``CostModelEvaluation``).

    Beyond ZigZag's names: ``memory_levels`` (memory names per operand and level, lowest first),
    ``stall_slack_comb``, ``spatial_mappings_evaluated`` and ``temporal_mappings_evaluated``.
    In-memory-computing layers (``is_imc``) also have ZigZag's ``CostModelEvaluationForIMC``
    attributes: ``mac_energy_breakdown``, ``tclk``, ``tclk_breakdown``, ``imc_area``,
    ``imc_area_breakdown``, ``mem_area``, ``mem_area_breakdown``, ``area_total``.
    """

    def __init__(self, report: Mapping[str, Any], accelerator: Accelerator, mapping_type: str = "uneven"):
        self.accelerator = accelerator
        self.layer = LayerNode(report)
        for name in SCALARS:
            setattr(self, name, report["energy" if name == "energy_total" else name])
        self.energy_total = report["energy"]
        self.stall_slack_comb = report.get("stall_slack_comb", 0.0)
        self.memory_operand_links = self.layer.memory_operand_links
        self.memory_levels = _per_operand(report["memory_levels"], list)
        self.mem_energy_breakdown = _per_operand(report["mem_energy_breakdown"], list)
        self.mem_energy_breakdown_further = _per_operand(
            report["mem_energy_breakdown_further"], lambda levels: [AccessEnergy(x) for x in levels]
        )
        self.memory_word_access = _per_operand(
            report["memory_word_access"],
            lambda levels: [MemoryAccesses({k: _as_int_if_integral(v) for k, v in x.items()}) for x in levels],
        )
        self.mem_utili_shared = _per_operand(report["mem_utilization_shared"], list)
        # as ZigZag: unrollings are floats in `spatial_mapping`, integers in `spatial_mapping_int`
        internal = report["spatial_mapping_internal"]
        self.spatial_mapping = SpatialMappingInternal(_per_operand(internal, lambda lv: _loops(lv, float)))
        self.spatial_mapping_int = SpatialMappingInternal(_per_operand(internal, lambda lv: _loops(lv, _as_int_if_integral)))
        self.spatial_mapping_dict_int = self.spatial_mapping_int.mapping_dict_origin
        self.temporal_mapping = TemporalMapping(_per_operand(report["temporal_mapping"], _loops), mapping_type)
        self.active_mem_level = {op: len(levels) for op, levels in self.temporal_mapping.mapping_dic_stationary.items()}
        self.spatial_mappings_evaluated: int = report.get("spatial_mappings_evaluated", 0)
        self.temporal_mappings_evaluated: int = report.get("temporal_mappings_evaluated", 0)
        imc = report.get("imc")
        self.is_imc = imc is not None
        self.cycles_per_op = imc["cycles_per_op"] if imc else 1.0
        if imc:
            for name in (
                "mac_energy_breakdown",
                "tclk",
                "tclk_breakdown",
                "imc_area",
                "imc_area_breakdown",
                "mem_area",
                "mem_area_breakdown",
                "area_total",
            ):
                setattr(self, name, imc[name])

    def __str__(self) -> str:
        return f"CostModelEvaluation({self.layer}, {self.accelerator})"

    __repr__ = __str__


def evaluations_from_report(report: Mapping[str, Any], mapping_type: str = "uneven"):
    """ZigZag's return nesting from a run report: ``[(CumulativeCME, [(cme, (layer, [])), ...])]``."""
    accelerator = Accelerator(report.get("accelerator", ""))
    layers = [CostModelEvaluation(layer, accelerator, mapping_type) for layer in report["layers"]]
    total = CumulativeCME()
    for cme in layers:
        total += cme
    return [(total, [(cme, (cme.layer, [])) for cme in layers])]
