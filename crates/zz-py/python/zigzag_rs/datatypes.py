"""Names used as keys and loop labels in results: operands, dimensions and data directions.

ZigZag keys its result dictionaries by ``LayerOperand`` objects and labels loops with
``LayerDim`` objects whose ``repr`` is the bare name (a loop prints as ``(K, 32)``). Here they
are ``str`` subclasses: ``cme.mem_energy_breakdown["O"]`` works, they compare and hash like
their names, they print as ZigZag's do, and they pickle without this package's classes
leaking into places that expect plain strings.
"""

from __future__ import annotations

from enum import Enum


_INTERNED: dict[tuple[type, str], "_BareName"] = {}


class _BareName(str):
    """A name whose ``repr`` is the name itself, without quotes. Instances are interned (one
    object per class and name), so a pickle of many results stores each name once."""

    __slots__ = ()

    def __new__(cls, value: str = ""):
        key = (cls, str(value))
        obj = _INTERNED.get(key)
        if obj is None:
            obj = _INTERNED[key] = super().__new__(cls, value)
        return obj

    def __repr__(self) -> str:
        return str.__str__(self)

    @property
    def name(self) -> str:
        """The plain name (as ZigZag's ``OperandABC.name``)."""
        return str.__str__(self)

    def __reduce__(self):  # keep the subclass through pickling
        return (type(self), (str.__str__(self),))


class LayerOperand(_BareName):
    """A layer operand: ``O``, ``W``, ``I``, ..."""

    __slots__ = ()


class MemoryOperand(_BareName):
    """A memory operand: ``O``, ``I1``, ``I2``, ..."""

    __slots__ = ()


class LayerDim(_BareName):
    """A layer (loop) dimension: ``K``, ``C``, ``OX``, ..."""

    __slots__ = ()


class OADimension(_BareName):
    """An operational-array dimension: ``D1``, ``D2``, ..."""

    __slots__ = ()


class DataDirection(str, Enum):
    """The four directions of data at a memory level (ZigZag's ``DataDirection``)."""

    RD_OUT_TO_LOW = "rd_out_to_low"
    WR_IN_BY_LOW = "wr_in_by_low"
    RD_OUT_TO_HIGH = "rd_out_to_high"
    WR_IN_BY_HIGH = "wr_in_by_high"

    def __str__(self) -> str:
        return self.value


DIRECTIONS: tuple[DataDirection, ...] = tuple(DataDirection)
