"""The public names of :mod:`vla.datasets` (re-exported by its ``__init__``)."""

from __future__ import annotations

import importlib
from typing import Any

from vla.datasets.experts import Expert, has_expert, make_expert, register_expert

__all__ = ["Expert", "has_expert", "make_expert", "register_expert"]

# Heavy names (pyarrow, torch) load on first use: name -> module.
_LAZY: dict[str, str] = {}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'vla.datasets' has no attribute {name!r}")
