"""Crash-safe writing of episodes into the on-disk format (see :mod:`vla.datasets.format`).

Protocol (one writer per dataset, enforced by a lock file):

1. A finished episode is written at once to ``.staging/<env>__seed-<seed>.parquet``
   (temporary name, fsync, rename). A failed episode that is not kept is appended to
   ``.staging/failed.jsonl`` so that a resumed run does not replay it.
2. ``commit()`` packs the staged episodes into the next ``data/chunk-XXX/file-YYY.parquet``
   in the LeRobot v3 columns (temporary name + rename; when the new episodes widen the
   dataset's :class:`~vla.datasets.v3.Layout`, older files are first rewritten to it), then
   rewrites ``meta/vla/episodes.jsonl`` the same way. That rename is the commit point.
   With ``video=True`` each camera of the packed episodes is first encoded into
   ``videos/observation.images.<camera>/chunk-XXX/file-YYY.mp4`` (same number as the data
   file; temporary name + rename, :mod:`vla.datasets.video`) and the data file has no
   camera column.
   ``meta/tasks.parquet``, ``meta/episodes/``, ``info.json`` and both ``stats.json`` are
   derived from it and rewritten next; staged files are deleted last.
3. ``open()`` recovers from a crash at any point: data and video files not referenced by
   ``meta/vla/episodes.jsonl`` are deleted (their episodes are still staged), staged episodes already
   committed are dropped, temporary files are removed and derived metadata is rewritten.

So ``kill -9`` loses only the episodes still running in workers, and resuming never
duplicates an episode: an episode's identity is ``(env_id, seed)``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vla.actions import JointTarget, from_dict
from vla.datasets import format as fmt
from vla.datasets.atomic import atomic_write_text, write_bytes_atomic, write_parquet_atomic
from vla.datasets.format import EpisodeRecord, build_episode
from vla.datasets.jsonfiles import read_json, read_jsonl
from vla.datasets.v3 import Layout, camera_column
from vla.datasets.v3io import file_layout, to_v3
from vla.datasets.v3meta import task_ids, write_meta
from vla.datasets.v3stats import image_stats as image_stats_of
from vla.datasets.v3stats import sample_indices, to_json

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "DatasetWriter",
    "EpisodeRecord",
    "atomic_write_text",
    "build_episode",
    "task_ids",
    "write_bytes_atomic",
    "write_meta",
    "write_parquet_atomic",
]


# the episode's per-step lists: actions executed in place of the recorded ones (DAgger), as
# dicts, and the env's grounding and reading labels (format.build_episode)
PER_STEP_KEYS = ("executed", "target_pixels", "goal_pixels", "page_words")


def _slug(env_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", env_id)


@dataclass
class DatasetWriter:
    """Single writer of one dataset folder; see the module docstring for the protocol.

    ``max_file_mb`` bounds a data file: :meth:`add` commits once the staged episodes reach it.
    ``envs`` holds per-env collection metadata persisted in ``info.json["envs"]``.
    ``video``: store cameras as MP4 (:mod:`vla.datasets.video`); a dataset holds one kind, so
    resuming one with the other kind raises ``ValueError``.
    """

    root: Path
    max_file_mb: float = 64.0
    video: bool = False
    episodes: list[dict[str, Any]] = field(default_factory=list)
    envs: dict[str, dict[str, Any]] = field(default_factory=dict)
    collection: dict[str, Any] = field(default_factory=dict)
    staged: dict[tuple[str, int], Path] = field(default_factory=dict)
    failed: dict[str, set[int]] = field(default_factory=dict)
    _lock: Any = None
    _staged_bytes: int = 0
    _committed: set[tuple[str, int]] = field(default_factory=set)  # (env_id, seed) of episodes

    # ------------------------------------------------------------------ opening, recovery
    def open(self) -> DatasetWriter:
        """Lock the folder and recover from any interrupted run. Returns ``self``."""
        import fcntl

        self.root = Path(self.root)
        (self.root / fmt.STAGING_DIR).mkdir(parents=True, exist_ok=True)
        self._lock = open(self.root / fmt.LOCK_PATH, "a+")  # noqa: SIM115 - held until close
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise RuntimeError(f"{self.root} is being written by another process") from None
        try:
            self._recover()
            if self.episodes and Layout.of(self.episodes).video != self.video:
                kind = "MP4 video" if not self.video else "PNG images"
                raise ValueError(
                    f"{self.root} stores cameras as {kind}; got video={self.video}. "
                    f"Resume with{'out' if self.video else ''} --video or use another --out"
                )
        except BaseException:
            self._release()
            raise
        return self

    def close(self) -> None:
        """Commit what is staged and release the lock."""
        if self._lock is None:
            return
        try:
            if self.staged:
                self.commit()
        finally:
            self._release()

    def _release(self) -> None:
        staging = self.root / fmt.STAGING_DIR
        if staging.exists() and not any(staging.iterdir()):
            staging.rmdir()
        (self.root / fmt.LOCK_PATH).unlink(missing_ok=True)
        self._lock.close()
        self._lock = None

    def __enter__(self) -> DatasetWriter:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _recover(self) -> None:
        info_path = self.root / fmt.INFO_PATH
        info = read_json(info_path) if info_path.exists() else {}
        self.episodes = read_jsonl(self.root / fmt.EPISODES_PATH)
        self._committed = {(e["env_id"], e["seed"]) for e in self.episodes}
        self.envs = info.get("envs", {})
        self.collection = info.get("collection", {})
        for env_id, meta in self.envs.items():
            self.failed[env_id] = set(meta.get("failed_seeds", []))
        referenced = {e["data/path"] for e in self.episodes}
        referenced |= {v["path"] for e in self.episodes for v in e.get("videos", {}).values()}
        for folder in ("data", "videos"):
            found = (self.root / folder).rglob("*") if (self.root / folder).exists() else []
            for path in sorted(found):
                rel = path.relative_to(self.root).as_posix()
                if path.is_file() and rel not in referenced:
                    path.unlink()  # uncommitted file from a crash; its episodes are still staged
        for path in self.root.rglob(".*.tmp-*"):
            path.unlink()
        staging = self.root / fmt.STAGING_DIR
        for path in sorted(staging.glob("*.parquet")):
            key = self._staged_key(path)
            if key is None or key in self._committed:
                path.unlink()
            else:
                self.staged[key] = path
                self._staged_bytes += path.stat().st_size
        logged = (
            (staging / "failed.jsonl").read_text().splitlines()
            if (staging / "failed.jsonl").exists()
            else []
        )
        for line in logged:
            with contextlib.suppress(json.JSONDecodeError, KeyError):  # a torn last line
                rec = json.loads(line)
                self.failed.setdefault(rec["env_id"], set()).add(int(rec["seed"]))
        if self.episodes:
            rewritten = conform_files(self.root, self.episodes, Layout.of(self.episodes))
            current = (
                info.get("total_episodes") == len(self.episodes)
                and (self.root / fmt.EPISODES_META_PATH).is_file()
            )
            if rewritten or logged or not current:  # a crash between commit and meta
                self._write_derived(reuse_stats=not rewritten)

    def _staged_key(self, path: Path) -> tuple[str, int] | None:
        import pyarrow.parquet as pq

        try:
            meta = json.loads(pq.read_schema(path).metadata[b"vla"])
        except (OSError, ValueError, KeyError, TypeError):  # ArrowInvalid is a ValueError
            return None
        return meta["env_id"], int(meta["seed"])

    # ------------------------------------------------------------------------- writing
    def done(self, env_id: str) -> tuple[set[int], set[int]]:
        """Seeds of ``env_id`` already recorded (committed or staged) and failed-not-kept."""
        kept = {e["seed"] for e in self.episodes if e["env_id"] == env_id}
        kept |= {s for (env, s) in self.staged if env == env_id}
        return kept, set(self.failed.get(env_id, set()))

    def add(self, record: EpisodeRecord, keep: bool = True) -> None:
        """Stage ``record`` durably (or, when not ``keep``, remember its seed as failed)."""
        key = (record.env_id, record.seed)
        if key in self.staged or key in self._committed:
            raise ValueError(f"episode {record.env_id!r} seed {record.seed} is already recorded")
        staging = self.root / fmt.STAGING_DIR
        if not keep:
            with open(staging / "failed.jsonl", "a", encoding="utf-8") as f:
                f.write(json.dumps({"env_id": record.env_id, "seed": record.seed}) + "\n")
                f.flush()
                os.fsync(f.fileno())
            self.failed.setdefault(record.env_id, set()).add(record.seed)
            return
        path = staging / f"{_slug(record.env_id)}__seed-{record.seed}.parquet"
        write_parquet_atomic(record.table, path)
        self.staged[key] = path
        self._staged_bytes += path.stat().st_size
        if self._staged_bytes >= self.max_file_mb * 2**20:
            self.commit()

    def commit(self) -> None:
        """Pack staged episodes into a new data file and commit it (see module docstring)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.staged:
            return
        keys = sorted(self.staged)
        tables = [pq.read_table(self.staged[k]) for k in keys]
        number = 1 + max((self._file_number(e) for e in self.episodes), default=-1)
        tasks = task_ids(self.episodes)
        next_index = self.episodes[-1]["dataset_to_index"] if self.episodes else 0
        new: list[dict[str, Any]] = []
        row = 0
        for table in tables:
            entry = _episode_entry(table, tasks, len(self.episodes) + len(new), number, row)
            entry["dataset_from_index"] = next_index
            entry["dataset_to_index"] = next_index + table.num_rows
            new.append(entry)
            row += table.num_rows
            next_index += table.num_rows
        if self.video:
            _encode_videos(self.root, tables, new, number, self.episodes)
        layout = Layout.of(self.episodes + new)
        rewritten = conform_files(self.root, self.episodes, layout)  # older files lack a column
        parts = []
        for table, e in zip(tables, new, strict=True):
            indexes = {
                "episode_index": [e["episode_index"]] * e["length"],
                "index": list(range(e["dataset_from_index"], e["dataset_to_index"])),
            }
            parts.append(to_v3(table, layout, indexes, tasks))
        write_parquet_atomic(pa.concat_tables(parts), self.root / fmt.data_path(number))
        self.episodes += new
        self._committed |= {(e["env_id"], e["seed"]) for e in new}
        atomic_write_text(
            self.root / fmt.EPISODES_PATH, "".join(json.dumps(e) + "\n" for e in self.episodes)
        )  # the commit point
        self._write_derived(reuse_stats=not rewritten)
        for k in keys:
            self.staged.pop(k).unlink()
        self._staged_bytes = 0
        failed_log = self.root / fmt.STAGING_DIR / "failed.jsonl"
        if failed_log.exists():
            failed_log.unlink()  # its seeds are in info.json now

    @staticmethod
    def _file_number(episode: dict[str, Any]) -> int:
        return episode["data/chunk_index"] * fmt.CHUNKS_SIZE + episode["data/file_index"]

    def _write_derived(self, reuse_stats: bool = True) -> None:
        for env_id, seeds in self.failed.items():
            self.envs.setdefault(env_id, {})["failed_seeds"] = sorted(seeds)
        write_meta(self.root, self.episodes, self.envs, self.collection, reuse_stats)


def conform_files(root: Path, episodes: list[dict[str, Any]], layout: Layout) -> bool:
    """Rewrite (atomically, one by one) every committed data file not written with ``layout``:
    each file names its own layout, so a crash between two rewrites leaves readable files.
    Returns whether any file was rewritten."""
    import pyarrow.parquet as pq

    rewritten = False
    for rel in sorted({e["data/path"] for e in episodes}):
        path = Path(root) / rel
        if file_layout(pq.read_schema(path)) != layout:
            write_parquet_atomic(to_v3(pq.read_table(path), layout), path)
            rewritten = True
    return rewritten


def _encode_videos(
    root: Path,
    tables: list[pa.Table],
    new: list[dict[str, Any]],
    number: int,
    committed: list[dict[str, Any]],
) -> None:
    """Encode each camera of the staged ``tables`` into video file ``number`` (episodes back to
    back) and record where each episode is in its ``new`` entry (``videos``). Every episode of
    a video dataset must have the cameras (names and shapes) and the fps of the first."""
    from vla.datasets.v3 import camera_column
    from vla.datasets.video import encode_video, video_path

    first = (committed or new)[0]
    for e in new:
        if e["cameras"] != first["cameras"] or e["fps"] != first["fps"]:
            raise ValueError(
                f"{e['env_id']} seed {e['seed']} has cameras {e['cameras']} at {e['fps']} fps; "
                f"this video dataset has {first['cameras']} at {first['fps']} fps (MP4 cameras "
                "need the same cameras and fps in every episode; record it without --video)"
            )
    fps = float(first["fps"])
    for name in first["cameras"]:
        key = camera_column(name)
        rel = video_path(key, number, fmt.CHUNKS_SIZE)

        def frames(table: pa.Table, key: str = key) -> Any:
            column = table[key].combine_chunks().field("bytes")
            return (fmt.decode_image(column[i].as_py()) for i in range(len(column)))

        done = encode_video((frames(t) for t in tables), root / rel, fps)
        start = 0
        for e, n in zip(new, done["lengths"], strict=True):
            e.setdefault("videos", {})[name] = {
                "path": rel, "chunk_index": number // fmt.CHUNKS_SIZE,
                "file_index": number % fmt.CHUNKS_SIZE, "from_timestamp": start / fps,
                "to_timestamp": (start + n) / fps, "info": done["info"],
            }  # fmt: skip
            start += n


def _episode_entry(
    table: pa.Table, tasks: dict[str, int], index: int, number: int, row: int
) -> dict[str, Any]:
    """The ``meta/vla/episodes.jsonl`` row of one staged episode, stored as episode ``index``
    at ``row`` of data file ``number``. Adds its instructions to ``tasks`` when new."""
    meta = json.loads(table.schema.metadata[b"vla"])
    instructions = list(dict.fromkeys(table["instruction"].to_pylist()))
    for t in instructions:
        tasks.setdefault(t, len(tasks))
    n = table.num_rows
    cameras, image_stats = {}, {}
    picks = sample_indices(n)
    for name in fmt.staged_cameras(table):
        column = table[camera_column(name)].combine_chunks().field("bytes")
        frames = [fmt.decode_image(column[int(i)].as_py()) for i in picks]
        cameras[name] = list(frames[0].shape)
        image_stats[camera_column(name)] = to_json({"x": image_stats_of(frames)})["x"]
    state = table[fmt.STATE_KEY][0].as_py()
    actions = [from_dict(json.loads(a)) for a in table["action"].to_pylist()]
    joints = {len(a.positions) for a in actions if isinstance(a, JointTarget)}
    per_step = {k: meta[k] for k in PER_STEP_KEYS if k in meta}
    return {
        "episode_index": index,
        "env_id": meta["env_id"],
        "seed": meta["seed"],
        "tasks": instructions,
        "task_index": tasks[instructions[0]],
        "length": n,
        "success": meta["success"],
        "return": float(np.asarray(table["next.reward"]).sum()),
        "fps": meta["fps"],
        "data/chunk_index": number // fmt.CHUNKS_SIZE,
        "data/file_index": number % fmt.CHUNKS_SIZE,
        "data/path": fmt.data_path(number),
        "file_from_row": row,
        "cameras": cameras,
        "image_shape": next(iter(cameras.values())),
        "state_dim": None if state is None else len(state),
        "action_verbs": sorted({a.verb for a in actions}),
        "joints": joints.pop() if len(joints) == 1 else None,
        "image_stats": image_stats,
        **per_step,
    }
