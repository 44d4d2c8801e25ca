"""Figures remembered per data version: member data only changes by a write, which gives it
a new version (copilot/data/derived.py), so a figure computed for the same question over
the same version is still right. Data without a version (written before versions) is never
remembered."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import Connection

from copilot.data.dataset import data_version

T = TypeVar("T")
_SIZE = 256
_LOCK = threading.Lock()
_MEMORY: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()


def remembered(conn: Connection, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """compute(), or what it returned before for `key` over the same data version."""
    version = data_version(conn)
    if version is None:
        return compute()
    full = (version, *key)
    with _LOCK:
        if full in _MEMORY:
            _MEMORY.move_to_end(full)
            return _MEMORY[full]  # type: ignore[return-value]
    value = compute()  # outside the lock: two threads may both compute, both are right
    with _LOCK:
        _MEMORY[full] = value
        while len(_MEMORY) > _SIZE:
            _MEMORY.popitem(last=False)
    return value


def recall(conn: Connection, key: tuple[Hashable, ...]) -> object | None:
    """What was remembered for `key` over the current data version, if anything."""
    version = data_version(conn)
    with _LOCK:
        return None if version is None else _MEMORY.get((version, *key))


def forget() -> None:
    """Drop everything (benchmarks measuring cold calls)."""
    _MEMORY.clear()
