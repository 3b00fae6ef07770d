"""Building the pieces of a training run from a :class:`TrainConfig`: the data splits and
loaders, the model and processor (tokenizer statistics from the data), and the optimizer with
its warmup + cosine schedule."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vla.training.augment import AugmentConfig
from vla.training.config import TrainConfig
from vla.training.data import (
    ChunkTargets,
    Collator,
    EpochSampler,
    PastActions,
    summarize_episodes,
)
from vla.training.grounding import TargetPoints

__all__ = ["TrainData", "aux_targets", "build_data", "build_model", "build_optimizer"]


def aux_targets(config: Any) -> tuple[bool, bool]:
    """Whether a model's batches need ``(target_points, word_labels)``: the targets of its
    grounding (``point_loss``) and reading (``read_loss``) losses."""
    return bool(getattr(config, "point_loss", 0)), bool(getattr(config, "read_loss", 0))


@dataclass
class TrainData:
    """The train and validation splits (by episode), the merged ``meta/stats.json`` statistics
    and the ``training_data.json`` record."""

    cfg: TrainConfig
    train: Any
    val: Any | None
    stats: dict[str, Any]
    training_data: dict[str, Any]
    _loaders: dict[str, Any] = field(default_factory=dict)

    def train_loader(self, processor: Any, points: bool = False, words: bool = False) -> Any:
        """Shuffled (seeded, per epoch), augmented batches of the train split (cached); with
        ``points``, each batch has the grounding loss's ``target_points`` too, with ``words``
        the reading loss's ``word_labels``."""
        if "train" not in self._loaders:
            aug = {"auto": AugmentConfig(), "screen": AugmentConfig.screen()}.get(self.cfg.augment)
            train = TargetPoints(self.train, points, words) if points or words else self.train
            self._loaders["train"] = self._loader(
                _targets(train, processor),
                Collator(processor, aug, self.cfg.seed, self.cfg.state_dropout, words),
                shuffle=True,
                drop_last=True,
                extra=self.first_frames() * self.cfg.first_frame_repeat,
            )
        return self._loaders["train"]

    def first_frames(self) -> list[int]:
        """The item index of each train episode's first frame."""
        return [self.train.episode_steps(e).start for e in range(len(self.train.episodes))]

    def val_loader(self, processor: Any, points: bool = False, words: bool = False) -> Any | None:
        """Batches of the validation split in order, not augmented (``points``, ``words``: with
        the grounding and reading targets); None without a split."""
        if self.val is None or len(self.val) == 0:
            return None
        if "val" not in self._loaders:
            val = TargetPoints(self.val, points, words) if points or words else self.val
            self._loaders["val"] = self._loader(
                _targets(val, processor), Collator(processor, words=words), shuffle=False
            )
        return self._loaders["val"]

    def val_items(self, n: int, processor: Any = None) -> list[dict[str, Any]]:
        """``n`` validation items spread evenly over the split (the same ones every time), with
        the action histories ``processor``'s model reads."""
        if self.val is None or len(self.val) == 0 or n == 0:
            return []
        idx = sorted({int(i) for i in _spread(len(self.val), n)})
        ds = self.val if processor is None else _with_history(self.val, processor)
        return [ds[i] for i in idx]

    def _loader(
        self,
        ds: Any,
        collate: Collator,
        shuffle: bool,
        drop_last: bool = False,
        extra: Sequence[int] = (),
    ) -> Any:
        from torch.utils.data import DataLoader

        bs = min(self.cfg.batch_size, len(ds))
        return DataLoader(
            ds,
            batch_size=bs,
            sampler=EpochSampler(len(ds), self.cfg.seed, shuffle=shuffle, extra=extra),
            collate_fn=collate,
            num_workers=self.cfg.num_workers,
            persistent_workers=self.cfg.num_workers > 0,
            drop_last=drop_last,
        )


def _targets(ds: Any, processor: Any) -> Any:
    """``ds`` with the previous actions when the model reads them, and robot action-chunk
    targets when the model decodes chunks (issue 14)."""
    ds = _with_history(ds, processor)
    chunk = processor.tokenizer.chunk_size
    return ChunkTargets(ds, chunk) if chunk > 1 else ds


def _with_history(ds: Any, processor: Any) -> Any:
    """``ds`` with ``item["history"]`` (:class:`PastActions`) for a model whose prompt holds the
    episode's previous actions (``action_history``)."""
    k = processor.action_history
    return PastActions(ds, k) if k else ds


def _spread(length: int, n: int) -> list[float]:
    import numpy as np

    return list(np.linspace(0, length - 1, num=min(n, length)))


def build_data(cfg: TrainConfig) -> TrainData:
    """Open the datasets, split them by episode and read their statistics."""
    from vla.datasets import EpisodeDataset, load_stats

    for path in cfg.datasets:
        if not (Path(path) / "meta").is_dir():
            raise FileNotFoundError(
                f"TrainConfig.datasets entry {path!r} is not a dataset folder (no meta/ in it); "
                "record one with `vla collect`"
            )
    common = {"val_fraction": cfg.val_fraction, "seed": cfg.seed}
    train = EpisodeDataset(cfg.datasets, split="train", **common)
    val = EpisodeDataset(cfg.datasets, split="val", **common) if cfg.val_fraction > 0 else None
    for ds in (train, val):
        if ds is not None and hasattr(ds, "preload"):
            ds.preload()  # read shards once, before DataLoader workers fork
    if len(train) == 0:
        raise ValueError(f"the train split of {cfg.datasets} is empty")
    everything = EpisodeDataset(cfg.datasets, split="all", **common)
    record = summarize_episodes(_episode_seeds(everything), cfg.datasets)
    return TrainData(cfg, train, val, load_stats(cfg.datasets), record)


def _episode_seeds(ds: Any) -> list[tuple[str, int]]:
    """(env_id, seed) of every episode in ``ds``: from its episode table when it has one."""
    episodes = getattr(ds, "episodes", None)
    if episodes is not None:
        return [(str(e["env_id"]), int(e["seed"])) for e in _rows(episodes)]
    return sorted({(str(ds[i]["env_id"]), int(ds[i]["seed"])) for i in range(len(ds))})


def _rows(table: Any) -> list[dict[str, Any]]:
    if hasattr(table, "to_dict") and hasattr(table, "columns"):  # pandas DataFrame
        return table.to_dict("records")
    if hasattr(table, "to_pylist"):  # pyarrow Table
        return table.to_pylist()
    return list(table)


def build_model(cfg: TrainConfig, stats: dict[str, Any]) -> tuple[Any, Any]:
    """A fresh model from the preset ``cfg.config`` (or a saved one when it names a folder) and
    its processor, whose tokenizer normalises robot values with the data's statistics."""
    from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor

    if Path(cfg.config).is_dir():
        model = VLAForActionPrediction.from_pretrained(cfg.config)
        processor = VLAProcessor.from_pretrained(cfg.config)
        return model, processor
    mcfg = VLAConfig.from_preset(cfg.config, **cfg.model_overrides)
    processor = VLAProcessor.from_config(mcfg)
    processor.tokenizer.set_stats(stats)
    return VLAForActionPrediction(mcfg), processor


def build_optimizer(
    cfg: TrainConfig, model: Any, total_steps: int, calls_per_step: int = 1
) -> tuple[Any, Any]:
    """AdamW (no weight decay on biases and norms) and linear warmup then cosine decay to
    ``lr * min_lr_ratio`` at ``total_steps`` optimizer steps. ``calls_per_step``: how many
    times the scheduler is stepped per optimizer step (accelerate steps it once per process)."""
    import torch

    decay, no_decay = [], []
    for p in model.parameters():
        if p.requires_grad:
            (decay if p.ndim >= 2 else no_decay).append(p)
    groups = [
        {"params": decay, "weight_decay": cfg.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.95))
    warmup = min(cfg.warmup_steps, max(0, total_steps - 1))

    def factor(calls: int) -> float:
        step = calls // calls_per_step
        if step < warmup:
            return (step + 1) / (warmup + 1)
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        cosine = 0.5 * (1 + math.cos(math.pi * progress))
        return cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * cosine

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
