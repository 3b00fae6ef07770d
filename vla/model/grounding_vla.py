"""An auxiliary grounding loss: the model points at the image patch that holds the object the
instruction names (``VLAConfig.point_loss``).

A robot policy trained by behaviour cloning alone must discover, through the noise of the
action labels, which cube "the red cube" is and where it lies; at a CPU budget the robot model
stayed near baselines that never look at the image (docs/results.md). Saying where the target
is, directly, is a dense and easy signal: the hidden state that predicts the first action
token (it has read the image, the state and the instruction) scores every image patch of the
first view (a query and a key projection, scaled dot product, as GUI-Actor's attention head
scores patches), and a cross-entropy pulls the score to the patch under the target's pixel
(``info["target_pixels"]`` of the Panda envs, kept per step by the recorder). It is a training
signal only: decoding never reads it, and :meth:`TargetPointer.scores` shows where the model
looks.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

__all__ = [
    "TargetPointer",
    "first_view_patches",
    "patch_index",
    "point_loss",
    "pointer_hits",
    "with_point_loss",
]


class TargetPointer(nn.Module):
    """Scores image patches from one hidden state: ``q(h) . k(patch) / sqrt(d)``."""

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.query = nn.Linear(hidden_size, hidden_size)
        self.key = nn.Linear(hidden_size, hidden_size)

    def scores(self, query: torch.Tensor, patches: torch.Tensor) -> torch.Tensor:
        """``query`` (B, D), ``patches`` (B, P, D) -> (B, P) logits over the patches."""
        q, k = self.query(query), self.key(patches)
        return torch.einsum("bd,bpd->bp", q, k) / q.shape[-1] ** 0.5


def patch_index(points: torch.Tensor, grid: int) -> torch.Tensor:
    """``points`` (B, 2): ``(x, y)`` as fractions of the image's width and height -> (B,) the
    row-major index of the patch of a ``grid x grid`` patch grid that holds each; -1 where the
    point is missing (NaN) or outside the image."""
    inside = (points >= 0).all(-1) & (points < 1).all(-1)  # False for NaN
    cells = (points.nan_to_num(0.0).clamp(0, 1 - 1e-6) * grid).long()
    return torch.where(
        inside, cells[:, 1] * grid + cells[:, 0], torch.full_like(inside, -1, dtype=torch.long)
    )


def point_loss(
    pointer: TargetPointer,
    hidden: torch.Tensor,
    labels: torch.Tensor,
    patches: int,
    points: torch.Tensor,
) -> torch.Tensor | None:
    """The grounding cross-entropy of a batch, or None when no row has a target in view.

    Args:
        hidden: (B, L, D) last hidden states of the whole sequence; the first ``patches``
            positions are the first view's image tokens (a square grid), the text comes last.
        labels: (B, T) the text positions' targets (-100 on the prompt): the query is the
            position before the first labelled one, whose hidden state predicts the action.
        points: (B, 2) the target's ``(x, y)`` as fractions of the image size (NaN: none).
    """
    logits, target, keep = _pointed(pointer, hidden, labels, patches, points)
    if not keep.any():
        return None
    return nn.functional.cross_entropy(logits[keep].float(), target[keep])


def pointer_hits(
    pointer: TargetPointer,
    hidden: torch.Tensor,
    labels: torch.Tensor,
    patches: int,
    points: torch.Tensor,
) -> tuple[int, int]:
    """``(hits, rows)``: of the rows with a target in view, how many put their highest patch
    score on the target's patch (arguments as :func:`point_loss`)."""
    logits, target, keep = _pointed(pointer, hidden, labels, patches, points)
    hits = (logits.argmax(-1) == target) & keep
    return int(hits.sum()), int(keep.sum())


def _pointed(
    pointer: TargetPointer,
    hidden: torch.Tensor,
    labels: torch.Tensor,
    patches: int,
    points: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(logits (B, P), target patch (B,), keep (B,))`` of :func:`point_loss`."""
    target = patch_index(points.to(torch.float32), round(patches**0.5))
    labelled = labels != -100
    keep = (target >= 0) & labelled.any(-1)
    first = labelled.float().argmax(-1)  # index of the first labelled text position
    query_at = hidden.shape[1] - labels.shape[1] + first - 1
    rows = torch.arange(hidden.shape[0], device=hidden.device)
    return pointer.scores(hidden[rows, query_at], hidden[:, :patches]), target, keep


def with_point_loss(
    model: Any,
    loss: torch.Tensor | None,
    hidden: torch.Tensor,
    labels: torch.Tensor | None,
    points: torch.Tensor | None,
) -> torch.Tensor | None:
    """``loss`` plus ``config.point_loss`` times :func:`point_loss` when the model has a
    :class:`TargetPointer` and the batch has target points; else ``loss`` unchanged."""
    pointer = getattr(model, "target_pointer", None)
    if loss is None or labels is None or points is None or pointer is None:
        return loss
    extra = point_loss(pointer, hidden, labels, first_view_patches(model.config), points)
    return loss if extra is None else loss + model.config.point_loss * extra


def first_view_patches(config: Any) -> int:
    """How many image tokens the first (or only) view has at fixed resolution."""
    vision = config.vision_config
    return int((vision.image_size // vision.patch_size) ** 2)
