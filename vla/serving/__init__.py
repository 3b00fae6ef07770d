"""The policy as a network service: ``vla serve`` and its client.

* :mod:`vla.serving.wire`: the msgpack + numpy wire format (openpi's array encoding) and the
  validation of every request;
* :mod:`vla.serving.batching`: dynamic batching of concurrent requests into one ``act_batch``;
* :mod:`vla.serving.server`: :class:`ServeConfig`, :func:`serve`, :class:`PolicyServer`;
* :mod:`vla.serving.client`: :class:`RemotePolicy`, the same ``act`` / ``act_batch`` as
  :class:`vla.Policy`.

Names are imported on first use, so ``import vla.serving`` needs neither torch nor the
``serve`` extra (``pip install -e '.[serve]'``: websockets, msgpack). See docs/serving.md.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["PolicyServer", "RemotePolicy", "ServeConfig", "serve"]

_HOMES = {
    "PolicyServer": "vla.serving.server",
    "ServeConfig": "vla.serving.server",
    "serve": "vla.serving.server",
    "RemotePolicy": "vla.serving.client",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'vla.serving' has no attribute {name!r}")
