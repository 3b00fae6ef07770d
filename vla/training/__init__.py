"""Behaviour cloning of a VLA on recorded demonstrations: ``train(TrainConfig(...))``.

``vla train`` is a thin wrapper around the same call. See docs/training.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["TrainConfig", "TrainResult", "train"]

if TYPE_CHECKING:
    from vla.training.config import TrainConfig
    from vla.training.trainer import TrainResult, train


def __getattr__(name: str) -> Any:
    if name == "TrainConfig":
        from vla.training.config import TrainConfig

        return TrainConfig
    if name in ("TrainResult", "train"):
        import vla.training.trainer as trainer

        return getattr(trainer, name)
    raise AttributeError(f"module 'vla.training' has no attribute {name!r}")
