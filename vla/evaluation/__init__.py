"""Closed-loop evaluation: ``evaluate(EvalConfig(policy=..., env_ids=[...]))`` runs episodes
over vector envs with batched inference and writes ``eval_info.json`` and ``report.html``.

``vla eval`` is a thin wrapper around the same call. See docs/evaluation.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["EvalConfig", "EvalInfo", "evaluate", "wilson_interval"]

if TYPE_CHECKING:
    from vla.evaluation.closed_loop import evaluate
    from vla.evaluation.config import EvalConfig
    from vla.evaluation.info import EvalInfo
    from vla.evaluation.metrics import wilson_interval

_LAZY = {
    "EvalConfig": "vla.evaluation.config",
    "EvalInfo": "vla.evaluation.info",
    "evaluate": "vla.evaluation.closed_loop",
    "wilson_interval": "vla.evaluation.metrics",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'vla.evaluation' has no attribute {name!r}")
