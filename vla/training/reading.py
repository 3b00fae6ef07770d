"""Targets of the reading loss (``VLAConfig.read_loss``, :mod:`vla.model.reading_vla`): which
word each image patch shows.

The recorder keeps the MiniWoB envs' ``info["words"]`` (``[word, left, top, width, height]``,
image pixels) per step as the episode's ``page_words``; :class:`~vla.training.grounding.TargetPoints`
hands each item its step's list, the :class:`~vla.training.data.Collator` moves the boxes with
the image's augmentation, and :func:`word_labels` turns them into the model's ``word_labels``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from vla.model.image_grid import ImageGrid
from vla.model.reading_vla import READ_BYTES

__all__ = ["word_boxes", "word_labels"]

#: A patch names the word that covers the most of it, if that is at least this share of it.
MIN_COVER = 0.25


def word_boxes(words: Sequence[Sequence[Any]] | None) -> tuple[list[str], np.ndarray | None]:
    """``(texts, boxes (N, 4))`` of an item's ``page_words``; ``([], None)`` without any."""
    if not words:
        return [], None
    return [str(w[0]) for w in words], np.array([w[1:5] for w in words], dtype=np.float64)


def word_labels(
    grids: Sequence[ImageGrid],
    texts: Sequence[Sequence[str]],
    boxes: Sequence[np.ndarray | None],
    rows: int,
    cols: int,
) -> Any:
    """(B, rows * cols, READ_BYTES) int64 labels of a batch's padded detail grid (row-major,
    each image's own grid in its top-left corner): the first bytes of the word that covers the
    most of each patch (at least :data:`MIN_COVER` of it), -100 elsewhere and past a word's end.

    ``grids``: each image's :class:`ImageGrid`; ``boxes``: its words' ``[left, top, width,
    height]`` in caller pixels (after augmentation), ``texts`` their words."""
    import torch

    out = np.full((len(grids), rows, cols, READ_BYTES), -100, dtype=np.int64)
    for i, (grid, words, box) in enumerate(zip(grids, texts, boxes, strict=True)):
        if box is None or not len(box):
            continue
        cover, which = _coverage(grid, box)
        for r, c in zip(*np.nonzero(cover >= MIN_COVER * grid.patch**2), strict=True):
            data = words[which[r, c]].encode("utf-8")[:READ_BYTES]
            out[i, r, c, : len(data)] = np.frombuffer(data, dtype=np.uint8)
    return torch.from_numpy(out.reshape(len(grids), rows * cols, READ_BYTES))


def _coverage(grid: ImageGrid, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(area, word)`` per patch of ``grid`` (rows, cols): the largest area, in model pixels,
    any one word covers of it, and which word that is."""
    sx, sy, p = grid.model_width / grid.width, grid.model_height / grid.height, grid.patch
    left, right = boxes[:, 0] * sx, (boxes[:, 0] + boxes[:, 2]) * sx
    top, bottom = boxes[:, 1] * sy, (boxes[:, 1] + boxes[:, 3]) * sy
    edges_x, edges_y = np.arange(grid.cols) * p, np.arange(grid.rows) * p
    # (N, cols) and (N, rows) overlaps of each word with each patch column and row
    wide = np.clip(
        np.minimum(right[:, None], edges_x + p) - np.maximum(left[:, None], edges_x), 0, None
    )
    tall = np.clip(
        np.minimum(bottom[:, None], edges_y + p) - np.maximum(top[:, None], edges_y), 0, None
    )
    area = tall[:, :, None] * wide[:, None, :]  # (N, rows, cols)
    return area.max(0), area.argmax(0)
