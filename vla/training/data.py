"""From dataset folders to model batches: splits, a seeded epoch sampler, augmentation and
collation through :class:`~vla.model.VLAProcessor`, and the record of which env seeds trained a
model (``training_data.json``; :mod:`vla.hub` reads it back for evaluation's seed check)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vla.training.augment import AugmentConfig, augment

__all__ = [
    "Collator",
    "EpochSampler",
    "summarize_episodes",
]


class EpochSampler:
    """A seeded random permutation of ``range(n)`` that changes with :meth:`set_epoch`.

    Same ``seed`` and epoch -> same order, so a resumed run sees the batches it would have seen.
    """

    def __init__(self, n: int, seed: int = 0, shuffle: bool = True) -> None:
        self.n, self.seed, self.shuffle, self.epoch = n, seed, shuffle, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        if not self.shuffle:
            return iter(range(self.n))
        order = np.random.default_rng((self.seed, self.epoch)).permutation(self.n)
        return iter(order.tolist())

    def __len__(self) -> int:
        return self.n


class Collator:
    """Turns a list of dataset items into one processor batch (a dict of tensors).

    Picklable, so DataLoader worker processes can run it. With ``augment`` set, each sample is
    augmented (:func:`vla.training.augment.augment`) from a generator seeded per worker.
    """

    def __init__(self, processor: Any, augment_cfg: AugmentConfig | None = None, seed: int = 0):
        self.processor = processor
        self.augment_cfg = augment_cfg
        self.seed = seed
        self._rng: np.random.Generator | None = None

    def _generator(self) -> np.random.Generator:
        if self._rng is None:
            import torch

            info = torch.utils.data.get_worker_info()
            self._rng = np.random.default_rng(
                (self.seed, info.id + 1 if info else 0, torch.initial_seed())
            )
        return self._rng

    def __call__(self, items: Sequence[dict[str, Any]]) -> dict[str, Any]:
        images, actions = [], []
        for item in items:
            image, action = item["image"], item["action"]
            if self.augment_cfg is not None:
                image, action = augment(image, action, self._generator(), self.augment_cfg)
            images.append(image)
            actions.append(action)
        states = [item.get("state") for item in items]
        return self.processor(
            images,
            [item["instruction"] for item in items],
            states=None if all(s is None for s in states) else states,
            actions=actions,
        )


def summarize_episodes(episodes: Sequence[tuple[str, int]], dataset_paths: Sequence[str]) -> dict:
    """The ``training_data.json`` record: env ids, and per env the seeds of the episodes that
    trained (or validated) the model as sorted inclusive ranges ``[[first, last], ...]``.
    ``episodes``: ``(env_id, seed)`` pairs."""
    seeds: dict[str, set[int]] = {}
    for env_id, seed in episodes:
        seeds.setdefault(env_id, set()).add(int(seed))
    return {
        "datasets": [str(Path(p).resolve()) for p in dataset_paths],
        "env_ids": sorted(seeds),
        "episodes": {k: len(v) for k, v in sorted(seeds.items())},
        "seed_ranges": {k: _ranges(v) for k, v in sorted(seeds.items())},
    }


def _ranges(values: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v == out[-1][1] + 1:
            out[-1][1] = v
        else:
            out.append([v, v])
    return out
