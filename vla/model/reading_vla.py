"""An auxiliary reading loss: every image patch that shows a word names it (``VLAConfig.read_loss``).

The browser model finds the links, options and buttons of a page but picks the wrong one: in
the first 40 evaluation seeds of the shipped checkpoint, 17 first clicks of click-link land on
another link and 29 of click-option on another option (``benchmarks/click_misses.py``). The
action and the grounding loss (:mod:`vla.model.grounding_vla`) say which patch holds the word
the instruction names once per step; they never say what the other patches say, so a tiny
model trained on a few thousand pages learns to find words without learning to read them.

The pages' own DOM says what every word is and where (``info["words"]`` of the MiniWoB envs,
kept per step by the recorder). Each patch whose square a word covers most of (at least a
quarter of it) predicts that word's first :data:`READ_BYTES` UTF-8 bytes from its last hidden
state: a linear read-out per byte, so the word must be legible in the patch's features, where
the pointer's keys and the action's attention look. It is a training signal only: decoding
never reads it. The labels come from :func:`vla.training.reading.word_labels`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from vla.model.grounding_vla import PatchLayout, patch_layout

__all__ = ["READ_BYTES", "WordReader", "read_hits", "read_loss", "with_read_loss"]

#: How many leading bytes of its word a patch names.
READ_BYTES = 8


class WordReader(nn.Module):
    """(B, P, D) patch states -> (B, P, READ_BYTES, 256) logits over each byte of the word."""

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.read = nn.Linear(hidden_size, READ_BYTES * 256)

    def forward(self, patches: torch.Tensor) -> torch.Tensor:
        return self.read(patches).unflatten(-1, (READ_BYTES, 256))


def _logits(reader: WordReader, hidden: torch.Tensor, layout: PatchLayout) -> torch.Tensor:
    return reader(hidden[:, layout.start : layout.start + layout.patches])


def read_loss(
    reader: WordReader, hidden: torch.Tensor, layout: PatchLayout, labels: torch.Tensor
) -> torch.Tensor | None:
    """The reading cross-entropy over every labelled byte, or None when nothing is labelled.

    Args:
        hidden: (B, L, D) last hidden states of the whole sequence; ``layout`` says which
            positions are the image's patches.
        labels: (B, P, READ_BYTES) byte ids of the word each patch shows, -100 where a patch
            shows none or its word is shorter (``layout``'s patches, row-major).
    """
    keep = labels != -100
    if not keep.any():
        return None
    logits = _logits(reader, hidden, layout)
    return nn.functional.cross_entropy(logits[keep].float(), labels[keep])


def read_hits(
    reader: WordReader, hidden: torch.Tensor, layout: PatchLayout, labels: torch.Tensor
) -> tuple[int, int]:
    """``(right, labelled)``: of the labelled bytes, how many the read-out gets right."""
    keep = labels != -100
    if not keep.any():
        return 0, 0
    right = _logits(reader, hidden, layout).argmax(-1) == labels
    return int((right & keep).sum()), int(keep.sum())


def with_read_loss(
    model: Any,
    loss: torch.Tensor | None,
    hidden: torch.Tensor,
    labels: torch.Tensor | None,
    images: tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None],
) -> torch.Tensor | None:
    """``loss`` plus ``config.read_loss`` times :func:`read_loss` when the model has a
    :class:`WordReader` and the batch has ``word_labels``; else ``loss`` unchanged.
    ``images``: the batch's ``(pixel_values, image_grids, thumbnail_values)``."""
    reader = getattr(model, "word_reader", None)
    if loss is None or labels is None or reader is None:
        return loss
    extra = read_loss(reader, hidden, patch_layout(model.config, *images), labels)
    return loss if extra is None else loss + model.config.read_loss * extra
