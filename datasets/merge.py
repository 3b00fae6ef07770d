"""``vla dataset merge A B --out C``: one dataset from several (browser and robot data can then
train one model). Episodes are renumbered, tasks re-indexed, statistics recomputed; an episode
whose ``(env_id, seed)`` is already in an earlier input is skipped, so merging never duplicates
a demonstration. The output is built in a temporary folder and renamed when complete."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vla.datasets import format as fmt

__all__ = ["MergeResult", "merge"]


@dataclass
class MergeResult:
    """Where the merged dataset is and what went in."""

    out: Path
    episodes: int
    frames: int
    skipped_duplicates: int


def merge(inputs: list[str | Path], out: str | Path) -> MergeResult:
    """Merge the datasets ``inputs`` (in order) into a new dataset at ``out``."""
    from vla.datasets.reader import read_episodes, read_info

    out = Path(out)
    if len(inputs) < 1:
        raise ValueError("merge needs at least one input dataset")
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"--out {out} exists and is not empty; merge writes a new dataset")
    for src in inputs:
        if (Path(src) / fmt.STAGING_DIR).exists() and any((Path(src) / fmt.STAGING_DIR).iterdir()):
            raise ValueError(
                f"{src} has staged, uncommitted episodes (an interrupted collection); "
                "rerun its `vla collect` command first"
            )
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    episodes: list[dict[str, Any]] = []
    envs: dict[str, dict[str, Any]] = {}
    state = {"tasks": {}, "file": 0, "skipped": 0, "seen": set()}
    for src in inputs:
        info = read_info(src)
        for env_id, meta in info.get("envs", {}).items():
            merged = envs.setdefault(env_id, dict(meta))
            failed = set(merged.get("failed_seeds", [])) | set(meta.get("failed_seeds", []))
            merged["failed_seeds"] = sorted(failed)
        by_file: dict[str, list[dict[str, Any]]] = {}
        for e in read_episodes(src):
            by_file.setdefault(e["data/path"], []).append(e)
        for rel, eps in sorted(by_file.items()):
            episodes += _copy_file(Path(src) / rel, eps, tmp, len(episodes), episodes, state)
    _finish(tmp, out, episodes, envs, state["tasks"], [str(p) for p in inputs])
    frames = sum(e["length"] for e in episodes)
    return MergeResult(out, len(episodes), frames, state["skipped"])


def _copy_file(
    path: Path,
    eps: list[dict[str, Any]],
    tmp: Path,
    first_episode: int,
    done: list[dict[str, Any]],
    state: dict[str, Any],
) -> list[dict[str, Any]]:
    """Copy the kept episodes of one data file into the next output file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vla.datasets.writer import with_indexes, write_parquet_atomic

    table = pq.read_table(path, schema=fmt.schema())
    rel = fmt.data_path(state["file"])
    next_index = done[-1]["dataset_to_index"] if done else 0
    new, parts, row = [], [], 0
    for e in eps:
        key = (e["env_id"], e["seed"])
        if key in state["seen"]:
            state["skipped"] += 1
            continue
        state["seen"].add(key)
        task = e["tasks"][0]
        state["tasks"].setdefault(task, len(state["tasks"]))
        n = e["length"]
        ep = dict(e) | {
            "episode_index": first_episode + len(new),
            "task_index": state["tasks"][task],
            "data/chunk_index": state["file"] // fmt.CHUNKS_SIZE,
            "data/file_index": state["file"] % fmt.CHUNKS_SIZE,
            "data/path": rel,
            "file_from_row": row,
            "dataset_from_index": next_index,
            "dataset_to_index": next_index + n,
        }
        parts.append(with_indexes(table.slice(e["file_from_row"], n), ep))
        new.append(ep)
        row += n
        next_index += n
    if parts:
        write_parquet_atomic(pa.concat_tables(parts), tmp / rel)
        state["file"] += 1
    return new


def _finish(
    tmp: Path,
    out: Path,
    episodes: list[dict[str, Any]],
    envs: dict[str, dict[str, Any]],
    tasks: dict[str, int],
    sources: list[str],
) -> None:
    from vla.datasets.writer import atomic_write_text, write_meta

    atomic_write_text(tmp / fmt.EPISODES_PATH, "".join(json.dumps(e) + "\n" for e in episodes))
    task_rows = [{"task_index": i, "task": t} for t, i in sorted(tasks.items(), key=lambda x: x[1])]
    write_meta(tmp, episodes, envs, {"merged_from": sources}, task_rows)
    if out.exists():
        out.rmdir()  # empty (checked above)
    os.replace(tmp, out)
