"""The training loss of :class:`~vla.model.VLAForActionPrediction`: cross-entropy on the action
tokens, optionally with bin smoothing (``VLAConfig.bin_smoothing``, docs/model.md)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from vla.actions import KEY_NAMES
from vla.model.vocabulary_vla import KEY_OFFSET

__all__ = ["action_loss"]


def action_loss(logits: torch.Tensor, target: torch.Tensor, config: Any) -> torch.Tensor:
    """Cross-entropy of ``logits`` (N, V) against ``target`` (N,); with
    ``config.bin_smoothing`` a coordinate or value target is a Gaussian over its own bins."""
    sigma = float(config.bin_smoothing)
    if sigma <= 0:
        return nn.functional.cross_entropy(logits, target)
    soft = nn.functional.one_hot(target, logits.shape[-1]).to(logits.dtype)
    coord_offset = KEY_OFFSET + len(KEY_NAMES)  # the layout of vla.model.vocabulary_vla
    value_offset = coord_offset + config.coord_bins
    for offset, n in (
        (coord_offset, config.coord_bins),
        (value_offset, config.value_bins),
    ):
        rows = (target >= offset) & (target < offset + n)
        if not rows.any():
            continue
        grid = torch.arange(n, device=logits.device, dtype=logits.dtype)
        dist = (grid[None] - (target[rows] - offset).to(logits.dtype)[:, None]) / (sigma * n)
        weights = torch.exp(-0.5 * dist**2)
        block = torch.zeros_like(soft[rows])
        block[:, offset : offset + n] = weights / weights.sum(-1, keepdim=True)
        soft[rows] = block
    return -(soft * logits.log_softmax(-1)).sum(-1).mean()
