"""The derived metadata of a dataset, rewritten from ``meta/vla/episodes.jsonl`` after every
commit: LeRobot's ``meta/info.json``, ``meta/stats.json``, ``meta/tasks.parquet`` and
``meta/episodes/chunk-000/file-000.parquet``, and our ``meta/vla/stats.json``. For video
cameras (an episode's ``videos`` entry) they carry LeRobot's ``video_path``, the features'
video ``info`` and the ``videos/<key>/...`` columns of the episodes table."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from vla.datasets import format as fmt
from vla.datasets.v3 import Layout, camera_column
from vla.datasets.v3stats import STAT_KEYS, aggregate, feature_stats, from_json, to_json

__all__ = ["task_ids", "write_meta"]


def task_ids(episodes: list[dict[str, Any]]) -> dict[str, int]:
    """instruction -> task_index of committed ``episodes`` (in order of first appearance)."""
    tasks: dict[str, int] = {}
    for e in episodes:
        for t in e["tasks"]:
            tasks.setdefault(t, len(tasks))
    return tasks


def _numeric_stats(
    root: Path,
    episodes: list[dict[str, Any]],
    features: dict[str, dict[str, Any]],
    reuse: bool = True,
) -> list[dict[str, dict[str, np.ndarray]]]:
    """Per-episode LeRobot statistics of every non-image, non-string feature (camera statistics
    are kept per episode in ``meta/vla/episodes.jsonl``). An episode's statistics already in
    ``meta/episodes`` (same index, first frame and length, and the feature declared as before in
    ``info.json``) are reused unless ``reuse`` is False (data files were rewritten); the others
    are read from the data files. Without the reuse every commit re-read the whole dataset (a
    collection got slower with every episode)."""
    import pyarrow.parquet as pq

    names = [n for n, f in features.items() if f["dtype"] not in ("image", "video", "string")]
    known = _stored_stats(root, names, features) if reuse else {}
    out: list[dict[str, dict[str, np.ndarray]]] = []
    by_file: dict[str, Any] = {}
    for e in episodes:
        stats = dict(known.get((e["episode_index"], e["dataset_from_index"], e["length"]), {}))
        missing = [n for n in names if n not in stats]
        if missing:
            rel = e["data/path"]
            if rel not in by_file:
                by_file = {rel: pq.read_table(root / rel, columns=names)}  # one file at a time
            rows = by_file[rel].slice(e["file_from_row"], e["length"])
            for n in missing:
                values = np.asarray(rows[n].to_pylist())
                stats[n] = feature_stats(values, axis=0, keepdims=values.ndim == 1)
        out.append(stats | from_json(e.get("image_stats", {})))
    return out


def _stored_stats(
    root: Path, names: list[str], features: dict[str, dict[str, Any]]
) -> dict[tuple[int, int, int], dict[str, dict[str, np.ndarray]]]:
    """``(episode_index, dataset_from_index, length)`` -> the statistics of ``names`` stored in
    ``meta/episodes`` (a feature declared otherwise in the stored ``info.json``, or with a
    missing value, is left out, so it is recomputed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path, info_path = root / fmt.EPISODES_META_PATH, root / fmt.INFO_PATH
    if not path.is_file() or not info_path.is_file():
        return {}
    declared = json.loads(info_path.read_text()).get("features", {})
    names = [n for n in names if declared.get(n) == features[n]]
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):  # derived and rewritten below: recompute from data
        return {}
    columns = set(table.column_names)
    wanted = [n for n in names if all(f"stats/{n}/{k}" in columns for k in STAT_KEYS)]
    out = {}
    for row in table.to_pylist():
        key = (row["episode_index"], row["dataset_from_index"], row["length"])
        out[key] = {
            n: {k: np.asarray(row[f"stats/{n}/{k}"]) for k in STAT_KEYS}
            for n in wanted
            if all(row[f"stats/{n}/{k}"] is not None for k in STAT_KEYS)
        }
    return out


def _write_tasks(root: Path, tasks: dict[str, int]) -> None:
    """``meta/tasks.parquet`` as LeRobot writes it: pandas, indexed by the task string."""
    import pandas as pd

    from vla.datasets.atomic import write_bytes_atomic

    frame = pd.DataFrame(
        {"task_index": np.asarray(list(tasks.values()), np.int64)},
        index=pd.Index(list(tasks), name="task"),
    )
    buf = io.BytesIO()
    frame.to_parquet(buf)
    write_bytes_atomic(root / fmt.TASKS_PATH, buf.getvalue())


def _write_episodes(
    root: Path,
    episodes: list[dict[str, Any]],
    features: dict[str, Any],
    stats: list[dict[str, dict[str, np.ndarray]]],
) -> None:
    """``meta/episodes/chunk-000/file-000.parquet``: one row per episode (LeRobot's columns)."""
    import pyarrow as pa

    from vla.datasets.atomic import write_parquet_atomic

    rows = []
    for e, s in zip(episodes, stats, strict=True):
        row: dict[str, Any] = {
            "episode_index": e["episode_index"], "tasks": e["tasks"], "length": e["length"],
            "data/chunk_index": e["data/chunk_index"], "data/file_index": e["data/file_index"],
            "dataset_from_index": e["dataset_from_index"],
            "dataset_to_index": e["dataset_to_index"],
        }  # fmt: skip
        for name, where in e.get("videos", {}).items():
            key = camera_column(name)
            for k in ("chunk_index", "file_index", "from_timestamp", "to_timestamp"):
                row[f"videos/{key}/{k}"] = where[k]
        for name in features:
            if features[name]["dtype"] in ("string",):
                continue
            for k in STAT_KEYS:
                row[f"stats/{name}/{k}"] = np.asarray(s[name][k]).tolist() if name in s else None
        row |= {"meta/episodes/chunk_index": 0, "meta/episodes/file_index": 0}
        rows.append(row)
    write_parquet_atomic(pa.Table.from_pylist(rows), root / fmt.EPISODES_META_PATH)


def write_meta(
    root: Path,
    episodes: list[dict[str, Any]],
    envs: dict[str, dict[str, Any]],
    collection: dict[str, Any],
    reuse_stats: bool = True,
) -> None:
    """(Re)write every derived metadata file from the committed ``episodes``
    (``meta/vla/episodes.jsonl`` must already be written). ``reuse_stats=False`` recomputes
    every episode's statistics (after data files were rewritten)."""
    from vla import __version__
    from vla.datasets.atomic import atomic_write_text
    from vla.datasets.stats import compute_dataset_stats
    from vla.datasets.video import VIDEO_PATH

    root = Path(root)
    tasks = task_ids(episodes)
    layout = Layout.of(episodes)
    features = layout.features()
    for name, where in episodes[0].get("videos", {}).items() if episodes else ():
        features[camera_column(name)]["info"] = where["info"]
    per_episode = _numeric_stats(root, episodes, features, reuse_stats)
    _write_tasks(root, tasks)
    _write_episodes(root, episodes, features, per_episode)
    info = {
        "codebase_version": fmt.CODEBASE_VERSION,
        "robot_type": _robot_type(episodes),
        "total_episodes": len(episodes),
        "total_frames": sum(e["length"] for e in episodes),
        "total_tasks": len(tasks),
        "chunks_size": fmt.CHUNKS_SIZE,
        "data_files_size_in_mb": 100,
        "video_files_size_in_mb": 200,
        "fps": _fps(episodes),
        "splits": {"train": f"0:{len(episodes)}"},
        "data_path": fmt.DATA_PATH,
        "video_path": VIDEO_PATH if layout.video else None,
        "features": features,
    } | _extra_info(episodes, envs, collection, layout, __version__)
    atomic_write_text(root / fmt.INFO_PATH, json.dumps(info, indent=4, ensure_ascii=False) + "\n")
    lerobot_stats = to_json(aggregate(per_episode)) if episodes else {}
    atomic_write_text(root / fmt.STATS_PATH, json.dumps(lerobot_stats, indent=4) + "\n")
    vla_stats = compute_dataset_stats(root, episodes)
    atomic_write_text(root / fmt.VLA_STATS_PATH, json.dumps(vla_stats, indent=2) + "\n")


def _fps(episodes: list[dict[str, Any]]) -> int | float | None:
    rates = {e["fps"] for e in episodes}
    if not rates:
        return None
    fps = rates.pop()
    return int(fps) if float(fps).is_integer() else fps


def _robot_type(episodes: list[dict[str, Any]]) -> str | None:
    robots = {e["env_id"] for e in episodes if e.get("state_dim")}
    return "panda" if robots and all("panda" in r for r in robots) else None


def _extra_info(
    episodes: list[dict[str, Any]],
    envs: dict[str, dict[str, Any]],
    collection: dict[str, Any],
    layout: Layout,
    version: str,
) -> dict[str, Any]:
    """Our keys of ``info.json`` (LeRobot reads only its own): env ids, per-env counts and
    seeds (``failed_seeds`` always present), collection settings, the action encoding."""
    from vla.datasets.v3 import BUTTONS, VERBS

    per_env: dict[str, dict[str, Any]] = {}
    for env_id in sorted({e["env_id"] for e in episodes} | set(envs)):
        eps = [e for e in episodes if e["env_id"] == env_id]
        failed = sorted(envs.get(env_id, {}).get("failed_seeds", []))
        seeds = [e["seed"] for e in eps] + failed
        per_env[env_id] = dict(envs.get(env_id, {})) | {
            "failed_seeds": failed,
            "episodes": len(eps),
            "frames": sum(e["length"] for e in eps),
            "successes": sum(bool(e["success"]) for e in eps),
            "seed_range": [min(seeds), max(seeds)] if seeds else None,
        }
    return {
        "format": "vla-episodes",
        "format_version": fmt.FORMAT_VERSION,
        "vla_version": version,
        "successful_episodes": sum(bool(e["success"]) for e in episodes),
        "data_files": sorted({e["data/path"] for e in episodes}),
        "env_ids": sorted(per_env),
        "envs": per_env,
        "collection": collection,
        "vla_layout": layout.to_json(),
        "vla_action_encoding": {"verbs": list(VERBS), "buttons": list(BUTTONS)},
    }
