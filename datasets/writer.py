"""Crash-safe writing of episodes into the on-disk format (see :mod:`vla.datasets.format`).

Protocol (one writer per dataset, enforced by a lock file):

1. A finished episode is written at once to ``.staging/<env>__seed-<seed>.parquet``
   (temporary name, fsync, rename). A failed episode that is not kept is appended to
   ``.staging/failed.jsonl`` so that a resumed run does not replay it.
2. ``commit()`` packs the staged episodes into the next ``data/chunk-XXX/file-YYY.parquet``
   (temporary name + rename), then rewrites ``meta/episodes.jsonl`` the same way. That rename
   is the commit point. ``meta/tasks.jsonl``, ``info.json`` and ``stats.json`` are derived
   from it and rewritten next; staged files are deleted last.
3. ``open()`` recovers from a crash at any point: data files not referenced by
   ``episodes.jsonl`` are deleted (their episodes are still staged), staged episodes already
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

from vla.datasets import format as fmt
from vla.datasets.format import EpisodeRecord, build_episode
from vla.datasets.jsonfiles import read_json, read_jsonl

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["DatasetWriter", "EpisodeRecord", "atomic_write_text", "build_episode", "write_meta"]


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, fsync and rename."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    # PNG bytes are already compressed; compressing them again only costs read time.
    compression = {c: ("none" if c == fmt.IMAGE_KEY else "snappy") for c in table.column_names}
    pq.write_table(table, tmp, row_group_size=256, compression=compression)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _slug(env_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", env_id)


@dataclass
class DatasetWriter:
    """Single writer of one dataset folder; see the module docstring for the protocol.

    ``max_file_mb`` bounds a data file: :meth:`add` commits once the staged episodes reach it.
    ``envs`` holds per-env collection metadata persisted in ``info.json["envs"]``.
    """

    root: Path
    max_file_mb: float = 64.0
    episodes: list[dict[str, Any]] = field(default_factory=list)
    envs: dict[str, dict[str, Any]] = field(default_factory=dict)
    collection: dict[str, Any] = field(default_factory=dict)
    staged: dict[tuple[str, int], Path] = field(default_factory=dict)
    failed: dict[str, set[int]] = field(default_factory=dict)
    _lock: Any = None
    _staged_bytes: int = 0

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
        self._recover()
        return self

    def close(self) -> None:
        """Commit what is staged and release the lock."""
        if self._lock is None:
            return
        try:
            if self.staged:
                self.commit()
        finally:
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
        self.envs = info.get("envs", {})
        self.collection = info.get("collection", {})
        for env_id, meta in self.envs.items():
            self.failed[env_id] = set(meta.get("failed_seeds", []))
        referenced = {e["data/path"] for e in self.episodes}
        for path in (
            sorted((self.root / "data").rglob("*")) if (self.root / "data").exists() else []
        ):
            rel = path.relative_to(self.root).as_posix()
            if path.is_file() and rel not in referenced:
                path.unlink()  # uncommitted file from a crash; its episodes are still staged
        for path in self.root.rglob(".*.tmp-*"):
            path.unlink()
        done = {(e["env_id"], e["seed"]) for e in self.episodes}
        staging = self.root / fmt.STAGING_DIR
        for path in sorted(staging.glob("*.parquet")):
            key = self._staged_key(path)
            if key is None or key in done:
                path.unlink()
            else:
                self.staged[key] = path
                self._staged_bytes += path.stat().st_size
        for line in (
            (staging / "failed.jsonl").read_text().splitlines()
            if (staging / "failed.jsonl").exists()
            else []
        ):
            with contextlib.suppress(json.JSONDecodeError, KeyError):  # a torn last line
                rec = json.loads(line)
                self.failed.setdefault(rec["env_id"], set()).add(int(rec["seed"]))
        if self.episodes:
            self._write_derived()

    def _staged_key(self, path: Path) -> tuple[str, int] | None:
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path, columns=["env_id", "seed"])
        except (OSError, ValueError):  # pyarrow raises ArrowInvalid (a ValueError) on garbage
            return None
        if table.num_rows == 0:
            return None
        return table["env_id"][0].as_py(), int(table["seed"][0].as_py())

    # ------------------------------------------------------------------------- writing
    def done(self, env_id: str) -> tuple[set[int], set[int]]:
        """Seeds of ``env_id`` already recorded (committed or staged) and failed-not-kept."""
        kept = {e["seed"] for e in self.episodes if e["env_id"] == env_id}
        kept |= {s for (env, s) in self.staged if env == env_id}
        return kept, set(self.failed.get(env_id, set()))

    def add(self, record: EpisodeRecord, keep: bool = True) -> None:
        """Stage ``record`` durably (or, when not ``keep``, remember its seed as failed)."""
        key = (record.env_id, record.seed)
        if key in self.staged or key in {(e["env_id"], e["seed"]) for e in self.episodes}:
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
        tables = [pq.read_table(self.staged[k], schema=fmt.schema()) for k in keys]
        fps = [json.loads(pq.read_schema(self.staged[k]).metadata[b"vla"])["fps"] for k in keys]
        number = 1 + max((self._file_number(e) for e in self.episodes), default=-1)
        rel = fmt.data_path(number)
        tasks = {t["task"]: t["task_index"] for t in self._tasks()}
        next_episode = len(self.episodes)
        next_index = self.episodes[-1]["dataset_to_index"] if self.episodes else 0
        new, row = [], 0
        for i, table in enumerate(tables):
            new.append(
                _episode_entry(
                    table, fps[i], tasks, index=next_episode + i, number=number, row=row,
                    first_frame=next_index,
                )
            )  # fmt: skip
            tables[i] = with_indexes(table, new[-1])
            row += table.num_rows
            next_index += table.num_rows
        write_parquet_atomic(pa.concat_tables(tables), self.root / rel)
        self.episodes += new
        atomic_write_text(
            self.root / fmt.EPISODES_PATH, "".join(json.dumps(e) + "\n" for e in self.episodes)
        )  # the commit point
        self._write_derived()
        for k in keys:
            self.staged.pop(k).unlink()
        self._staged_bytes = 0
        failed_log = self.root / fmt.STAGING_DIR / "failed.jsonl"
        if failed_log.exists():
            failed_log.unlink()  # its seeds are in info.json now

    @staticmethod
    def _file_number(episode: dict[str, Any]) -> int:
        return episode["data/chunk_index"] * fmt.CHUNKS_SIZE + episode["data/file_index"]

    def _tasks(self) -> list[dict[str, Any]]:
        seen: dict[str, int] = {}
        for e in self.episodes:
            seen.setdefault(e["tasks"][0], e["task_index"])
        return [{"task_index": i, "task": t} for t, i in sorted(seen.items(), key=lambda x: x[1])]

    def _write_derived(self) -> None:
        for env_id, seeds in self.failed.items():
            self.envs.setdefault(env_id, {})["failed_seeds"] = sorted(seeds)
        write_meta(self.root, self.episodes, self.envs, self.collection, self._tasks())


def with_indexes(table: pa.Table, episode: dict[str, Any]) -> pa.Table:
    import pyarrow as pa

    n = table.num_rows
    start = episode["dataset_from_index"]
    values = {
        "episode_index": np.full(n, episode["episode_index"], np.int64),
        "task_index": np.full(n, episode["task_index"], np.int64),
        "index": np.arange(start, start + n, dtype=np.int64),
    }
    for name, array in values.items():
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(array))
    return table


def _episode_entry(
    table: pa.Table, fps: float, tasks: dict[str, int], *, index: int, number: int, row: int,
    first_frame: int,
) -> dict[str, Any]:  # fmt: skip
    """The ``meta/episodes.jsonl`` row of one staged episode, stored as episode ``index`` at
    ``row`` of data file ``number``, its frames from dataset index ``first_frame``. Adds its
    instruction to ``tasks`` (task -> task_index) when new."""
    n = table.num_rows
    first = table.slice(0, 1).to_pylist()[0]
    task = first["instruction"]
    tasks.setdefault(task, len(tasks))
    image = fmt.decode_image(first[fmt.IMAGE_KEY]["bytes"])
    state = first[fmt.STATE_KEY]
    return {
        "episode_index": index,
        "env_id": first["env_id"],
        "seed": first["seed"],
        "tasks": [task],
        "task_index": tasks[task],
        "length": n,
        "success": first["success"],
        "return": float(np.asarray(table["next.reward"]).sum()),
        "fps": fps,
        "data/chunk_index": number // fmt.CHUNKS_SIZE,
        "data/file_index": number % fmt.CHUNKS_SIZE,
        "data/path": fmt.data_path(number),
        "file_from_row": row,
        "dataset_from_index": first_frame,
        "dataset_to_index": first_frame + n,
        "image_shape": list(image.shape),
        "state_dim": None if state is None else len(state),
        "action_verbs": sorted(set(table["action"].combine_chunks().field("verb").to_pylist())),
    }


def write_meta(
    root: Path,
    episodes: list[dict[str, Any]],
    envs: dict[str, dict[str, Any]],
    collection: dict[str, Any],
    tasks: list[dict[str, Any]],
) -> None:
    """(Re)write ``meta/tasks.jsonl``, ``meta/info.json`` and ``meta/stats.json`` from the
    committed episodes (``meta/episodes.jsonl`` must already be written)."""
    from vla import __version__
    from vla.datasets.stats import compute_dataset_stats

    root = Path(root)
    atomic_write_text(root / fmt.TASKS_PATH, "".join(json.dumps(t) + "\n" for t in tasks))
    per_env: dict[str, dict[str, Any]] = {}
    for env_id in sorted({e["env_id"] for e in episodes} | set(envs)):
        eps = [e for e in episodes if e["env_id"] == env_id]
        seeds = [e["seed"] for e in eps] + list(envs.get(env_id, {}).get("failed_seeds", []))
        per_env[env_id] = dict(envs.get(env_id, {})) | {
            # always present, [] when none, so readers need no default (issue 16)
            "failed_seeds": sorted(envs.get(env_id, {}).get("failed_seeds", [])),
            "episodes": len(eps),
            "frames": sum(e["length"] for e in eps),
            "successes": sum(bool(e["success"]) for e in eps),
            "seed_range": [min(seeds), max(seeds)] if seeds else None,
        }
    state_dims = [e["state_dim"] for e in episodes if e.get("state_dim")]
    stats = compute_dataset_stats(root, episodes)
    vector_dims = [len(v["mean"]) for k, v in stats.items() if k.startswith("action.")]
    info = {
        "codebase_version": fmt.CODEBASE_VERSION,
        "format": "vla-episodes",
        "format_version": fmt.FORMAT_VERSION,
        "vla_version": __version__,
        "total_episodes": len(episodes),
        "total_frames": sum(e["length"] for e in episodes),
        "total_tasks": len(tasks),
        "successful_episodes": sum(bool(e["success"]) for e in episodes),
        "chunks_size": fmt.CHUNKS_SIZE,
        "data_files": sorted({e["data/path"] for e in episodes}),
        "fps": episodes[0]["fps"] if episodes and "fps" in episodes[0] else None,
        "splits": {"train": f"0:{len(episodes)}"},
        "data_path": fmt.DATA_PATH,
        "env_ids": sorted(per_env),
        "envs": per_env,
        "collection": collection,
        "features": fmt.features_info(
            [tuple(e["image_shape"]) for e in episodes], state_dims, vector_dims
        ),
    }
    atomic_write_text(root / fmt.INFO_PATH, json.dumps(info, indent=2) + "\n")
    atomic_write_text(root / fmt.STATS_PATH, json.dumps(stats, indent=2) + "\n")
