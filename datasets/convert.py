"""Datasets from elsewhere into this format: ``vla dataset upgrade`` (a vla dataset of format 1:
struct ``action``, ``observation.image``, ``meta/episodes.jsonl``) and ``vla dataset import``
(a LeRobotDataset v3.0 written by LeRobot or any other tool).

Both re-record every episode through :class:`~vla.datasets.writer.DatasetWriter`, so the
result is an ordinary dataset (atomic, verified by ``vla dataset verify``, trainable with
``vla train``). Images are copied as decoded pixels (PNG is lossless).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vla.actions import Action, from_dict
from vla.datasets import format as fmt

__all__ = ["ConvertResult", "import_lerobot", "upgrade"]

#: How ``vla dataset import`` reads a LeRobot ``action`` vector.
IMPORT_ACTIONS = ("ee_delta", "joint_target")


@dataclass
class ConvertResult:
    """Where the new dataset is and how much went in."""

    out: Path
    episodes: int
    frames: int


def _new_writer(out: Path) -> Any:
    from vla.datasets.writer import DatasetWriter

    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"--out {out} exists and is not empty; a new dataset is written")
    return DatasetWriter(out)


def upgrade(src: str | Path, out: str | Path) -> ConvertResult:
    """Convert the format-1 vla dataset at ``src`` into a new dataset at ``out``."""
    import pyarrow.parquet as pq

    from vla.datasets.jsonfiles import read_json, read_jsonl

    src, out = Path(src), Path(out)
    old = read_jsonl(src / fmt.LEGACY_EPISODES_PATH)
    if not old:
        raise FileNotFoundError(
            f"{src} is not a format-1 vla dataset: no {fmt.LEGACY_EPISODES_PATH}"
        )
    info = read_json(src / fmt.INFO_PATH)
    frames = 0
    with _new_writer(out) as writer:
        writer.envs = {k: dict(v) for k, v in info.get("envs", {}).items()}
        writer.collection = dict(info.get("collection", {})) | {"upgraded_from": str(src)}
        for env_id, meta in writer.envs.items():
            writer.failed[env_id] = set(meta.get("failed_seeds", []))
        tables: dict[str, Any] = {}
        for e in old:
            if e["data/path"] not in tables:
                tables = {e["data/path"]: pq.read_table(src / e["data/path"])}
            rows = tables[e["data/path"]].slice(e["file_from_row"], e["length"]).to_pylist()
            steps = [_old_step(r) for r in rows]
            writer.add(_record(e["env_id"], e["seed"], steps, float(e.get("fps") or 10.0)))
            frames += len(steps)
    return ConvertResult(out, len(old), frames)


def _old_step(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "image": fmt.decode_image(row["observation.image"]["bytes"]),
        "instruction": row["instruction"],
        "state": row["observation.state"],
        "action": from_dict(row["action"]),
        "reward": row["next.reward"],
        "terminated": row["next.terminated"],
        "truncated": row["next.truncated"],
        "success": row["next.success"],
    }


def _record(env_id: str, seed: int, steps: list[dict[str, Any]], fps: float) -> Any:
    return fmt.build_episode(env_id, seed, steps, fps)


def import_lerobot(
    src: str | Path, out: str | Path, action: str = "ee_delta", env_id: str | None = None
) -> ConvertResult:
    """Convert the LeRobotDataset v3.0 at ``src`` (image cameras) into a new dataset at ``out``.

    ``action`` says what the ``action`` vector is: ``ee_delta`` (``x, y, z, roll, pitch, yaw,
    gripper``) or ``joint_target`` (joint positions, gripper last); the gripper must be an
    opening in [0, 1]. Each episode becomes env ``env_id`` (default ``lerobot:<folder>``)
    with its episode index as seed; ``success`` is ``next.success`` of its last frame when
    the data has it, else false. Video cameras are not read (re-encode them as images).
    """
    import pandas as pd
    import pyarrow.parquet as pq

    from vla.datasets.jsonfiles import read_json

    src, out = Path(src), Path(out)
    if action not in IMPORT_ACTIONS:
        raise ValueError(f"Got {action!r} for `action`; it must be one of {IMPORT_ACTIONS}")
    info = read_json(src / fmt.INFO_PATH)
    if not str(info.get("codebase_version", "")).startswith("v3"):
        raise ValueError(f"{src}: codebase_version {info.get('codebase_version')!r} is not v3.x")
    features = info["features"]
    cameras = [k for k, f in features.items() if f["dtype"] in ("image", "video")]
    videos = [k for k in cameras if features[k]["dtype"] == "video"]
    if videos or not cameras:
        raise ValueError(f"{src}: import needs image cameras; found video {videos} / {cameras}")
    tasks = pd.read_parquet(src / fmt.TASKS_PATH)
    task_names = {int(i): str(t) for t, i in zip(tasks.index, tasks["task_index"], strict=True)}
    table = pq.read_table(sorted(src.glob("data/*/*.parquet")))
    env_id = env_id or f"lerobot:{src.name}"
    fps = float(info.get("fps") or 10.0)
    columns = {k: table[k].to_pylist() for k in table.column_names}
    by_episode: dict[int, list[int]] = {}
    for row, ep in enumerate(columns["episode_index"]):
        by_episode.setdefault(int(ep), []).append(row)
    with _new_writer(out) as writer:
        writer.collection = {"imported_from": str(src), "action": action}
        for ep, rows in sorted(by_episode.items()):
            rows.sort(key=lambda r: columns["frame_index"][r])
            steps = [_lerobot_step(columns, r, cameras, task_names, action) for r in rows]
            steps[-1]["terminated"] = True
            writer.add(_record(env_id, ep, steps, fps))
    return ConvertResult(out, len(by_episode), table.num_rows)


def _lerobot_step(
    columns: dict[str, list[Any]],
    row: int,
    cameras: list[str],
    tasks: dict[int, str],
    action: str,
) -> dict[str, Any]:
    views = {
        c.removeprefix("observation.images.").replace(".", "_"): fmt.decode_image(
            columns[c][row]["bytes"]
        )
        for c in cameras
    }
    state = columns.get(fmt.STATE_KEY, [None] * (row + 1))[row]
    success = columns.get("next.success")
    return {
        "image": next(iter(views.values())),
        "images": views if len(views) > 1 else None,
        "instruction": tasks[int(columns["task_index"][row])],
        "state": None if state is None else np.asarray(state, np.float32),
        "action": _action(columns["action"][row], action),
        "reward": float(columns.get("next.reward", [0.0] * (row + 1))[row]),
        "terminated": False,
        "truncated": False,
        "success": bool(success[row]) if success is not None else False,
    }


def _action(vector: list[float], kind: str) -> Action:
    v = [float(x) for x in vector]
    if kind == "ee_delta":
        if len(v) != 7:
            raise ValueError(f"ee_delta needs a 7-D action (xyz, rpy, gripper); got {len(v)}-D")
        return from_dict({"verb": kind, "xyz": v[:3], "rpy": v[3:6], "gripper": v[6]})
    return from_dict({"verb": kind, "positions": v[:-1], "gripper": v[-1]})


def describe(result: ConvertResult) -> str:
    return f"wrote {result.out}: {result.episodes} episodes, {result.frames} frames"
