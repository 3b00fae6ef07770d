"""Reading datasets for training: a map-style torch ``Dataset`` over the Parquet shards.

``EpisodeDataset(paths, split="train")[i]`` is one step::

    {"image": uint8[H, W, 3], "instruction": str, "state": float32[D] or None,
     "action": vla.actions.Action, "env_id": str, "episode_index": int, "frame_index": int,
     "seed": int, "success": bool}

plus ``"images": {camera: uint8[H, W, 3]}`` when the episode has several cameras (``image``
is then the first). ``instruction`` is the step's task (``task_index`` -> ``meta/tasks``).

The train/validation split is by episode: episodes are ordered by a hash of
``(seed, env_id, episode seed)`` and the first ``val_fraction`` of them are validation, so an
episode never straddles the split and the split of an episode does not change when the
dataset grows. Shuffling is global (across shards) and deterministic for a seed:
:meth:`EpisodeDataset.sampler` gives a torch ``Sampler`` for a ``DataLoader``.

Each process reads a data file once, on first use, and keeps its columns in memory (the PNG
bytes stay encoded in one Arrow buffer; images are decoded per item). Call :meth:`preload`
before creating ``DataLoader`` workers to read everything once and share it (fork, copy on
write). Video cameras (``vla collect --video``, or a LeRobot dataset imported with its
videos) are decoded with PyAV a whole episode at a time, with one seek, and each process
keeps the decoded episodes it used last, up to ``video_cache_mb``.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vla.datasets import format as fmt
from vla.datasets.jsonfiles import read_json, read_jsonl
from vla.datasets.v3 import camera_column, decode_action

__all__ = [
    "EpisodeDataset",
    "ShuffleSampler",
    "collate",
    "load_episode",
    "read_episodes",
    "read_info",
]

_SPLITS = ("train", "val", "all")


def read_info(root: str | Path) -> dict[str, Any]:
    """``meta/info.json`` of the dataset at ``root``."""
    path = Path(root) / fmt.INFO_PATH
    if not path.exists():
        raise FileNotFoundError(f"{root} is not a dataset: {fmt.INFO_PATH} is missing")
    return read_json(path)


def read_episodes(root: str | Path) -> list[dict[str, Any]]:
    """The committed episodes of the dataset at ``root`` (``meta/vla/episodes.jsonl``).

    Raises ``FileNotFoundError`` saying what to run for an older vla dataset
    (``vla dataset upgrade``) or a LeRobot dataset written by other tools
    (``vla dataset import``)."""
    root = Path(root)
    path = root / fmt.EPISODES_PATH
    if not path.exists():
        if (root / fmt.LEGACY_EPISODES_PATH).exists():
            raise FileNotFoundError(
                f"{root} is a vla dataset of format 1 (before LeRobot v3 columns); convert it "
                f"with `vla dataset upgrade {root} --out NEW`"
            )
        if (root / fmt.TASKS_PATH).exists() and (root / fmt.INFO_PATH).exists():
            raise FileNotFoundError(
                f"{root} is a LeRobot dataset not written by vla; convert it with "
                f"`vla dataset import {root} --out NEW`"
            )
        raise FileNotFoundError(f"{root} is not a dataset: {fmt.EPISODES_PATH} is missing")
    return read_jsonl(path)


def load_episode(root: str | Path, episode_index: int) -> list[dict[str, Any]]:
    """The steps of one episode of the dataset at ``root``, as :class:`EpisodeDataset` items."""
    episodes = read_episodes(root)
    if not 0 <= episode_index < len(episodes):
        raise IndexError(
            f"Got {episode_index} for `episode`; {root} has episodes 0..{len(episodes) - 1}"
        )
    ds = EpisodeDataset(root, split="all")
    return [ds[i] for i in ds.episode_steps(episode_index)]


def _as_roots(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    roots = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not roots:
        raise ValueError("EpisodeDataset needs at least one dataset path")
    return roots


def split_episodes(
    episodes: list[dict[str, Any]], split: str, val_fraction: float, seed: int
) -> list[dict[str, Any]]:
    """The episodes of ``split`` (see the module docstring), in their original order."""
    if split not in _SPLITS:
        raise ValueError(f"Got {split!r} for `split`; it must be one of {_SPLITS}")
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"Got {val_fraction!r} for `val_fraction`; it must be in [0, 1)")
    if split == "all":
        return list(episodes)

    def key(e: dict[str, Any]) -> str:
        return hashlib.sha1(f"{seed}:{e['env_id']}:{e['seed']}".encode()).hexdigest()

    n_val = round(val_fraction * len(episodes))
    if val_fraction > 0 and len(episodes) >= 2:
        n_val = max(n_val, 1)
    val = {id(e) for e in sorted(episodes, key=key)[:n_val]}
    return [e for e in episodes if (id(e) in val) == (split == "val")]


class _FileColumns:
    """The columns of one data file held in memory; images stay PNG-encoded."""

    def __init__(self, path: Path) -> None:
        import pyarrow.parquet as pq

        from vla.datasets.v3io import file_layout

        table = pq.read_table(path)
        self.layout = file_layout(table.schema)
        cameras = {} if self.layout.video else self.layout.cameras
        self.images = {c: _Images(table[camera_column(c)]) for c in cameras}
        names = [c for c in table.column_names if c.startswith("action")]
        names += [
            c for c in (fmt.STATE_KEY, "task_index", "frame_index") if c in table.column_names
        ]
        self.columns = {name: table[name].to_pylist() for name in names}

    def action(self, row: int) -> Any:
        names = ("action", "action.discrete", "action.mask", "action.text", "action.keys")
        return decode_action(
            {c: self.columns[c][row] for c in names if c in self.columns}, self.layout
        )


class _Images:
    """One camera column: PNG bytes in one Arrow buffer, sliced per row (null: no image)."""

    def __init__(self, column: Any) -> None:
        import pyarrow as pa

        images = column.combine_chunks()
        self.valid = np.asarray(images.is_valid())
        images = images.field("bytes")
        if not pa.types.is_binary(images.type):
            images = images.cast(pa.large_binary())
        offset_type = np.int32 if pa.types.is_binary(images.type) else np.int64
        _, offsets, data = images.buffers()
        start = images.offset
        self.offsets = np.frombuffer(offsets, offset_type)[start : start + len(images) + 1]
        self.data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)

    def decode(self, row: int) -> np.ndarray | None:
        if not self.valid[row]:
            return None
        return fmt.decode_image(self.data[self.offsets[row] : self.offsets[row + 1]].tobytes())


class _VideoEpisodes:
    """Decoded video episodes of this process, least recently used dropped first once they
    hold more than ``max_bytes`` (the episode being read is always kept)."""

    def __init__(self, max_bytes: float) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, float], np.ndarray] = OrderedDict()
        self._bytes = 0

    def frames(self, path: Path, start: float, length: int, fps: float) -> np.ndarray:
        """``uint8[length, H, W, 3]`` of the episode at ``start`` seconds in ``path``."""
        from vla.datasets.video import decode_frames

        key = (str(path), start)
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        frames = decode_frames(path, start, length, fps)
        self._items[key] = frames
        self._bytes += frames.nbytes
        while self._bytes > self.max_bytes and len(self._items) > 1:
            self._bytes -= self._items.popitem(last=False)[1].nbytes
        return frames


class EpisodeDataset(torch.utils.data.Dataset):
    """Steps of one or several datasets (see the module docstring for the item layout).

    ``paths``: dataset folder(s). ``split``: ``"train"``, ``"val"`` or ``"all"``.
    ``val_fraction``: share of episodes held out for ``"val"``. ``seed``: seeds the split.
    ``transform``: applied to each item dict before it is returned. ``video_cache_mb``:
    decoded video episodes each process keeps (MiB; the whole dataset fits by default for
    small datasets, and a ``DataLoader`` worker decodes an episode once while it fits).
    Raises ``ImportError`` naming the ``video`` extra when a dataset has video cameras and
    PyAV is missing.
    """

    def __init__(
        self,
        paths: str | Path | Iterable[str | Path],
        split: str = "train",
        val_fraction: float = 0.1,
        seed: int = 0,
        transform: Callable[[dict[str, Any]], Any] | None = None,
        video_cache_mb: float = 1024.0,
    ) -> None:
        from vla.datasets.v3meta import task_ids

        self.roots = _as_roots(paths)
        episodes, self._tasks = [], []
        for r, root in enumerate(self.roots):
            eps = read_episodes(root)
            episodes += [e | {"_root": r} for e in eps]
            self._tasks.append(list(task_ids(eps)))
        self.episodes = split_episodes(episodes, split, val_fraction, seed)
        self.split, self.transform = split, transform
        files = sorted({(e["_root"], e["data/path"]) for e in self.episodes})
        self._files = [self.roots[r] / rel for r, rel in files]
        file_id = {key: i for i, key in enumerate(files)}
        self._ep_file = np.array([file_id[e["_root"], e["data/path"]] for e in self.episodes])
        self._ep_row = np.array([e["file_from_row"] for e in self.episodes], np.int64)
        lengths = np.array([e["length"] for e in self.episodes], np.int64)
        self._ep_start = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self._cache: dict[int, _FileColumns] = {}
        if video_cache_mb <= 0:
            raise ValueError(f"Got {video_cache_mb!r} for `video_cache_mb`; it must be > 0")
        self._videos = _VideoEpisodes(video_cache_mb * 2**20)
        if any(e.get("videos") for e in self.episodes):
            from vla.datasets.video import require_av

            require_av()  # here, not in the first DataLoader worker

    def __len__(self) -> int:
        return int(self._ep_start[-1])

    def _locate(self, i: int) -> tuple[_FileColumns, int, dict[str, Any]]:
        if not -len(self) <= i < len(self):
            raise IndexError(f"index {i} out of range for {len(self)} steps")
        i %= len(self)
        e = int(np.searchsorted(self._ep_start, i, side="right")) - 1
        f = int(self._ep_file[e])
        if f not in self._cache:
            self._cache[f] = _FileColumns(self._files[f])
        return self._cache[f], int(self._ep_row[e] + i - self._ep_start[e]), self.episodes[e]

    def action(self, i: int) -> Any:
        """The recorded action of item ``i`` alone (no image is decoded)."""
        cols, row, _ = self._locate(int(i))
        return cols.action(row)

    def __getitem__(self, i: int) -> Any:
        cols, row, episode = self._locate(int(i))
        c = cols.columns
        dim = episode.get("state_dim")
        views = self._views(cols, row, episode)
        item = {
            "image": next(iter(views.values())),
            "instruction": self._tasks[episode["_root"]][c["task_index"][row]],
            "state": None if not dim else np.asarray(c[fmt.STATE_KEY][row][:dim], np.float32),
            "action": cols.action(row),
            "env_id": episode["env_id"],
            "episode_index": episode["episode_index"],
            "frame_index": c["frame_index"][row],
            "seed": episode["seed"],
            "success": episode["success"],
        }
        if len(views) > 1:
            item["images"] = views
        return self.transform(item) if self.transform else item

    def _views(
        self, cols: _FileColumns, row: int, episode: dict[str, Any]
    ) -> dict[str, np.ndarray | None]:
        if not episode.get("videos"):
            return {name: cols.images[name].decode(row) for name in episode["cameras"]}
        root = self.roots[episode["_root"]]
        step = row - episode["file_from_row"]
        return {
            name: self._videos.frames(
                root / v["path"], v["from_timestamp"], episode["length"], episode["fps"]
            )[step].copy()  # the cache must not change with the item
            for name, v in episode["videos"].items()
        }

    def preload(self) -> EpisodeDataset:
        """Read every data file now (before forking ``DataLoader`` workers)."""
        for f in range(len(self._files)):
            if f not in self._cache:
                self._cache[f] = _FileColumns(self._files[f])
        return self

    def episode_steps(self, episode: int) -> range:
        """Item indexes of the ``episode``-th episode of this split."""
        return range(int(self._ep_start[episode]), int(self._ep_start[episode + 1]))

    def order(self, seed: int, epoch: int = 0) -> np.ndarray:
        """A permutation of all items, shuffled across shards; the same for the same seed."""
        return np.random.default_rng([seed, epoch]).permutation(len(self))

    def sampler(self, seed: int = 0, shuffle: bool = True) -> ShuffleSampler:
        """A ``Sampler`` yielding :meth:`order` (call ``set_epoch`` for a new order)."""
        return ShuffleSampler(self, seed=seed, shuffle=shuffle)


class ShuffleSampler(torch.utils.data.Sampler[int]):
    """Deterministic global shuffle of an :class:`EpisodeDataset` for ``(seed, epoch)``."""

    def __init__(self, dataset: EpisodeDataset, seed: int = 0, shuffle: bool = True) -> None:
        self.dataset, self.seed, self.shuffle, self.epoch = dataset, seed, shuffle, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.dataset)

    def __iter__(self) -> Iterator[int]:
        if not self.shuffle:
            return iter(range(len(self.dataset)))
        return iter(self.dataset.order(self.seed, self.epoch).tolist())


def collate(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Batch items for a ``DataLoader``: ``image`` becomes ``uint8[B, H, W, 3]`` and ``state``
    ``float32[B, D]`` when their shapes agree (lists otherwise); everything else is a list
    (``images``: a list of per-item dicts, ``None`` for a single-camera item)."""
    keys = dict.fromkeys(k for it in items for k in it)  # "images" only on multi-camera steps
    out: dict[str, Any] = {k: [it.get(k) for it in items] for k in keys}
    if len({im.shape for im in out["image"]}) == 1:
        out["image"] = torch.from_numpy(np.stack(out["image"]))
    states = out["state"]
    if all(s is not None for s in states) and len({s.shape for s in states}) == 1:
        out["state"] = torch.from_numpy(np.stack(states))
    return out
