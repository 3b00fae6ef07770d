"""From dataset folders to model batches: splits, a seeded epoch sampler, augmentation and
collation through :class:`~vla.model.VLAProcessor`, robot action-chunk targets
(:class:`ChunkTargets`), and the record of which env seeds trained a model
(``training_data.json``; :mod:`vla.hub` reads it back for evaluation's seed check)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vla.actions import ROBOT_ACTIONS, Action, action_points, from_dict
from vla.training.augment import AugmentConfig, augment_sample
from vla.training.reading import word_boxes, word_labels

__all__ = [
    "ChunkTargets",
    "Collator",
    "EpochSampler",
    "PastActions",
    "summarize_episodes",
]


class EpochSampler:
    """A seeded random permutation of ``range(n)`` that changes with :meth:`set_epoch`, plus
    ``extra`` indices drawn once more each (an epoch is ``n + len(extra)`` draws).

    Same ``seed`` and epoch -> same order, so a resumed run sees the batches it would have seen.
    """

    def __init__(
        self, n: int, seed: int = 0, shuffle: bool = True, extra: Sequence[int] = ()
    ) -> None:
        self.n, self.seed, self.shuffle, self.epoch = n, seed, shuffle, 0
        self.extra = np.asarray(extra, np.int64)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        indices = np.concatenate([np.arange(self.n, dtype=np.int64), self.extra])
        if not self.shuffle:
            return iter(indices.tolist())
        order = np.random.default_rng((self.seed, self.epoch)).permutation(len(indices))
        return iter(indices[order].tolist())

    def __len__(self) -> int:
        return self.n + len(self.extra)


class Collator:
    """Turns a list of dataset items into one processor batch (a dict of tensors).

    Picklable, so DataLoader worker processes can run it. With ``augment`` set, each sample is
    augmented (:func:`vla.training.augment.augment_sample`) from a generator seeded per worker.
    Items with ``target_pixels`` (:class:`vla.training.grounding.TargetPoints`) add
    ``target_points`` (B, 2) to the batch: the point moved with the image, as fractions of its
    size (native resolution: of its padded patch grid; NaN where an item has none), and
    ``goal_points`` likewise when some item has ``goal_pixels`` (where the motion ends).
    ``state_dropout``: the share of robot samples whose state is left out (the model's "no
    state" input), drawn from the same generator. With ``words`` (native resolution), items'
    ``page_words`` become the reading loss's ``word_labels`` (:mod:`vla.training.reading`).
    """

    def __init__(
        self,
        processor: Any,
        augment_cfg: AugmentConfig | None = None,
        seed: int = 0,
        state_dropout: float = 0.0,
        words: bool = False,
    ):
        self.processor = processor
        self.augment_cfg = augment_cfg
        self.seed = seed
        self.state_dropout = float(state_dropout)
        self.words = words
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
        samples = [self._sample(item) for item in items]
        images, actions, views, points, goals, words = (list(x) for x in zip(*samples, strict=True))
        states = [item.get("state") for item in items]
        if self.state_dropout > 0:
            hide = self._generator().random(len(states)) < self.state_dropout
            states = [None if h else s for s, h in zip(states, hide, strict=True)]
        histories = [item.get("history") for item in items]
        batch = self.processor(
            images,
            [item["instruction"] for item in items],
            states=None if all(s is None for s in states) else states,
            actions=actions,
            views=views if any(v is not None for v in views) else None,
            histories=None if all(h is None for h in histories) else histories,
        )
        if any("target_pixels" in item for item in items):  # the grounding loss's targets
            import torch

            batch["target_points"] = torch.tensor(points, dtype=torch.float32)
            if any(item.get("goal_pixels") for item in items):  # the second pointer's
                batch["goal_points"] = torch.tensor(goals, dtype=torch.float32)
        if self.words:
            grids = [self.processor.grid.plan(im.shape[1], im.shape[0]) for im in images]
            rows, cols = (n // self.processor.grid.patch for n in batch["pixel_values"].shape[-2:])
            texts, boxes = zip(*words, strict=True)
            batch["word_labels"] = word_labels(grids, texts, boxes, rows, cols)
        return batch

    def _sample(self, item: dict[str, Any]) -> tuple[Any, ...]:
        """``(image, action, views, point, goal, (words, boxes))`` of one item, augmented; the
        point and the goal (``goal_pixels``: where the motion ends; NaN: none) are in the image
        the model sees first (its first view when it reads named views), as fractions of that
        image's width and height, moved with that image's crop. A UI step of a grounding batch
        (``target_pixels`` present) without a recorded point points where its action acts: a
        click's point, a drag's start. The words' boxes (pixels of ``item["image"]``, None
        without ``page_words``) move with its augmentation."""
        image, action, names = item["image"], item["action"], self.processor.view_names
        named = item.get("images") if names else None
        if named is not None:  # a dataset may hold cameras the model does not read
            named = {k: v for k, v in named.items() if k in names}
        first = names[0] if named is not None and names[0] in named else None
        point, goal = item_point(item, first), item_point(item, first, "goal_pixels")
        texts, boxes = word_boxes(item.get("page_words"))
        if self.augment_cfg is not None:
            both = (point, goal)  # in item["image"], or in view `first` when the model has views
            image, action, moved, boxes, moved_goal = self._augment(
                image, action, boxes, *((None, None) if first else both)
            )
            if named is not None:  # every view its own draw; robot actions do not move
                for k, v in named.items():
                    named[k], _, seen, _, seen_goal = self._augment(
                        v, action, None, *(both if k == first else (None, None))
                    )
                    if k == first:
                        moved, moved_goal = seen, seen_goal
            point, goal = moved, moved_goal
        acts_at = action_points(action) if point is None and "target_pixels" in item else []
        if acts_at:  # a UI step points where it acts (augmented)
            x, y = acts_at[0]
            point = (x + 0.5, y + 0.5)  # the centre of the pixel a click at integer x hits
        h, w = (image if first is None else named[first]).shape[:2]  # type: ignore[index]
        point, goal = self._fraction(point, w, h), self._fraction(goal, w, h)
        return image, action, named, point, goal, (texts, boxes)

    def _fraction(self, point: tuple[float, float] | None, w: int, h: int) -> tuple[float, float]:
        """``point`` (pixels of a ``w`` x ``h`` image) as fractions of it (native resolution:
        of its padded patch grid); NaN for None."""
        if point is None:
            return (math.nan, math.nan)
        frac = (point[0] / w, point[1] / h)
        grid = getattr(self.processor, "grid", None)
        return frac if grid is None else grid.plan(w, h).grid_fraction(*frac)

    def _augment(
        self, image: Any, action: Any, boxes: Any = None, point: Any = None, goal: Any = None
    ) -> tuple[Any, Any, Any, Any, Any]:
        """``(image, action, point, boxes, goal)`` after :func:`augment_sample` of one image;
        the goal (a second point) moves as a box of no size after ``boxes``. A robot chunk (a
        list) is augmented as its first action (robot actions are in the base frame: the image
        changes, the chunk does not)."""
        rng, cfg = self._generator(), self.augment_cfg
        words = boxes
        if goal is not None:
            extra = np.array([[goal[0], goal[1], 0.0, 0.0]])
            boxes = extra if words is None else np.concatenate([words, extra])
        first = action[0] if isinstance(action, list) else action
        image, moved_action, point, boxes = augment_sample(image, first, point, boxes, rng, cfg)
        if not isinstance(action, list):
            action = moved_action
        if goal is not None:
            goal = (float(boxes[-1, 0]), float(boxes[-1, 1]))
            boxes = None if words is None else boxes[:-1]
        return image, action, point, boxes, goal


def item_point(
    item: dict[str, Any], camera: str | None = None, key: str = "target_pixels"
) -> tuple[float, float] | None:
    """The grounding target's ``(x, y)`` pixels (``target_pixels`` of
    :class:`vla.training.grounding.TargetPoints`; ``key="goal_pixels"``: the goal's) in
    ``camera``'s image, by default in ``item["image"]`` (the env's first camera); None when
    the item has none."""
    pixels = item.get(key)
    if not pixels or (camera is not None and camera not in pixels):
        return None
    x, y = pixels[camera] if camera is not None else next(iter(pixels.values()))
    return float(x), float(y)


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


# ------------------------------------------------------------- targets: robot action chunks


class _EpisodeItems:
    """Items of an episode dataset (``episodes`` and ``episode_steps``, as
    :class:`vla.datasets.EpisodeDataset` gives) with each step's action read once and cached.
    It is an episode dataset itself, so these wrappers stack."""

    def __init__(self, dataset: Any, what: str) -> None:
        self.dataset = dataset
        self._starts, self._stops = _episode_ranges(dataset, what)
        self._actions: dict[int, Action] = {}

    def __len__(self) -> int:
        return len(self.dataset)

    @property
    def episodes(self) -> Any:
        return self.dataset.episodes

    def episode_steps(self, episode: int) -> range:
        return self.dataset.episode_steps(episode)

    def action(self, i: int) -> Action:
        """Item ``i``'s recorded action (cached; no image is decoded)."""
        return self._action(int(i) % len(self))

    def _item(self, i: int) -> tuple[int, dict[str, Any]]:
        """(the index in range, a copy of item ``i``)."""
        i = int(i) % len(self)
        item = dict(self.dataset[i])
        self._actions[i] = item["action"]
        return i, item

    def _episode(self, i: int) -> int:
        """The episode that item ``i`` belongs to."""
        return int(np.searchsorted(self._starts, i, side="right")) - 1

    def _action(self, j: int) -> Action:
        if j not in self._actions:
            self._actions[j] = _read_action(self.dataset, j)
        return self._actions[j]


class ChunkTargets(_EpisodeItems):
    """A dataset whose robot steps have chunk targets: ``item["action"]`` becomes the list of
    the next ``chunk_size`` actions of the same episode, starting with the step's own, for a
    model trained with ``VLAConfig.chunk_size > 1`` (the tokenizer encodes them as one
    sequence). Past the end of the episode the last action is repeated (for ``ee_delta`` the
    arm keeps its last motion, for ``joint_target`` it holds its last target). UI steps keep
    their single action. Everything else of the item is unchanged (``image``, ``images``...).

    ``dataset`` must list its episodes (``len(dataset.episodes)``) and give each episode's
    item indexes (``dataset.episode_steps(e)``, a contiguous range), as
    :class:`vla.datasets.EpisodeDataset` does. Each step's action is read once and cached.
    """

    def __init__(self, dataset: Any, chunk_size: int) -> None:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise ValueError(f"Got {chunk_size!r} for `chunk_size`; it must be an int >= 1")
        super().__init__(dataset, "chunk targets")
        self.chunk_size = chunk_size

    def __getitem__(self, i: int) -> dict[str, Any]:
        i, item = self._item(i)
        if self.chunk_size > 1 and isinstance(item["action"], ROBOT_ACTIONS):
            item["action"] = self.chunk(i)
        return item

    def chunk(self, i: int) -> list[Action]:
        """The actions of steps ``i .. i + chunk_size - 1`` of ``i``'s episode (the last one
        repeated past its end)."""
        e = self._episode(i)
        stop = min(i + self.chunk_size, int(self._stops[e]))
        actions = [self._action(j) for j in range(i, stop)]
        return actions + [actions[-1]] * (self.chunk_size - len(actions))


def _episode_ranges(dataset: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(starts, stops) of the item indexes of each episode of ``dataset``."""
    if not (hasattr(dataset, "episodes") and hasattr(dataset, "episode_steps")):
        raise ValueError(
            f"{what} need a dataset with `episodes` and `episode_steps` "
            f"(vla.datasets.EpisodeDataset); got {type(dataset).__name__}"
        )
    ranges = [dataset.episode_steps(e) for e in range(len(dataset.episodes))]
    return (np.array([r.start for r in ranges], np.int64),
            np.array([r.stop for r in ranges], np.int64))  # fmt: skip


def _read_action(dataset: Any, j: int) -> Action:
    """Item ``j``'s action, without decoding its image when the dataset can (``action(j)``)."""
    read = getattr(dataset, "action", None)
    return read(j) if callable(read) else dataset[j]["action"]


# ------------------------------------------------------------- inputs: the previous actions


class PastActions(_EpisodeItems):
    """A dataset whose items carry ``item["history"]``: the actions executed before the step in
    its episode, the last ``k`` (oldest first; empty at the first step), for a model trained
    with ``VLAConfig.action_history = k``. An episode that kept what was executed in place of
    its recorded labels (DAgger: ``executed`` in its metadata) gives those, as the policy saw
    them; otherwise the recorded actions of its earlier steps. ``dataset`` is as for
    :class:`ChunkTargets`; every other key of the item is unchanged.
    """

    def __init__(self, dataset: Any, k: int) -> None:
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"Got {k!r} for `k`; it must be an int >= 1")
        super().__init__(dataset, "action histories")
        self.k = k
        self._executed: dict[int, list[Action]] = {}

    def __getitem__(self, i: int) -> dict[str, Any]:
        i, item = self._item(i)
        item["history"] = self.history(i)
        return item

    def history(self, i: int) -> list[Action]:
        """The actions executed at steps ``max(start, i - k) .. i - 1`` of ``i``'s episode."""
        e = self._episode(i)
        start = int(self._starts[e])
        first = max(start, i - self.k)
        executed = self.dataset.episodes[e].get("executed")
        if executed:
            if e not in self._executed:
                self._executed[e] = [from_dict(a) for a in executed]
            return self._executed[e][first - start : i - start]
        return [self._action(j) for j in range(first, i)]
