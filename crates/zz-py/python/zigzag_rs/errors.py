"""The exceptions the engine raises. All derive from ``ZigZagError``; they pickle (Ray and
multiprocessing send them back to the caller)."""

from __future__ import annotations


class ZigZagError(Exception):
    """Any failure of a zigzag_rs call."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputError(ZigZagError, ValueError):
    """A bad input file or value: ``file``, ``line`` and ``column`` (1-based; 0 when the file
    could not be read at all) say where, ``key`` which entry (dotted, or ``-``)."""

    def __init__(self, message: str, file: str = "", line: int = 0, column: int = 0, key: str = "-"):
        super().__init__(message)
        self.args = (message, file, line, column, key)
        self.file = file
        self.line = line
        self.column = column
        self.key = key

    def __str__(self) -> str:
        return self.message


class OptionError(ZigZagError, ValueError):
    """An option value or combination the inputs do not allow."""


class SearchError(ZigZagError, RuntimeError):
    """The mapping search of a layer failed (e.g. no loop ordering fits the memories), or the
    cost model gave a non-finite result."""


class StreamError(ZigZagError, RuntimeError):
    """A multi-core (Stream) run could not be prepared, allocated or scheduled."""
