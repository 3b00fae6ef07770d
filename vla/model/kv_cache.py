"""The KV cache of a transformers language model under either of its names: ``cache`` since
transformers 5.24, ``past_key_values`` before."""

from __future__ import annotations

import functools
import inspect
from typing import Any

__all__ = ["kv_cache_kwarg", "kv_cache_of"]


@functools.cache
def kv_cache_kwarg(model_cls: Any) -> str:
    """The name a transformers language model's ``forward`` takes its KV cache under:
    ``cache`` since transformers 5.24, ``past_key_values`` before. Looked up once per class
    (``decode_step`` runs per decoded token)."""
    params = inspect.signature(model_cls.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def kv_cache_of(out: Any) -> Any:
    """The KV cache of a transformers model output, under either name."""
    fields = getattr(out, "__dataclass_fields__", {})
    return getattr(out, "cache" if "cache" in fields else "past_key_values", None)
