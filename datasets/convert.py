"""Datasets from elsewhere into this format: ``vla dataset upgrade`` (a vla dataset of format 1:
struct ``action``, ``observation.image``, ``meta/episodes.jsonl``) and ``vla dataset import``
(a LeRobotDataset v3.0 written by LeRobot or any other tool).

Both re-record every episode through :class:`~vla.datasets.writer.DatasetWriter`, so the
result is an ordinary dataset (atomic, verified by ``vla dataset verify``, trainable with
``vla train``). Images are copied as decoded pixels (PNG is lossless); LeRobot's video
cameras are decoded with PyAV (:mod:`vla.datasets.video`) and stored as PNG, or as our
lossless MP4 with ``video=True``.
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


def _new_writer(out: Path, video: bool = False) -> Any:
    from vla.datasets.writer import DatasetWriter

    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"--out {out} exists and is not empty; a new dataset is written")
    return DatasetWriter(out, video=video)


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
    src: str | Path,
    out: str | Path,
    action: str = "ee_delta",
    env_id: str | None = None,
    video: bool = False,
) -> ConvertResult:
    """Convert the LeRobotDataset v3.0 at ``src`` into a new dataset at ``out``.

    ``action`` says what the ``action`` vector is: ``ee_delta`` (``x, y, z, roll, pitch, yaw,
    gripper``) or ``joint_target`` (joint positions, gripper last); the gripper must be an
    opening in [0, 1]. Each episode becomes env ``env_id`` (default ``lerobot:<folder>``)
    with its episode index as seed; ``success`` is ``next.success`` of its last frame when
    the data has it, else false. Cameras may be images or video (any codec PyAV decodes,
    AV1 and H.264 included; frame ``t`` of an episode is the one at its
    ``from_timestamp + t / fps``). ``video``: store the cameras of ``out`` as MP4 too.
    """
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
    if not cameras:
        raise ValueError(f"{src}: import needs at least one camera (image or video feature)")
    table = pq.read_table(sorted(src.glob("data/*/*.parquet")))
    env_id = env_id or f"lerobot:{src.name}"
    fps = float(info.get("fps") or 10.0)
    columns = {k: table[k].to_pylist() for k in table.column_names}
    by_episode: dict[int, list[int]] = {}
    for row, ep in enumerate(columns["episode_index"]):
        by_episode.setdefault(int(ep), []).append(row)
    frames = _LeRobotFrames(src, info, cameras, columns)
    tasks = _task_names(src)
    with _new_writer(out, video) as writer:
        writer.collection = {"imported_from": str(src), "action": action}
        for ep, rows in sorted(by_episode.items()):
            rows.sort(key=lambda r: columns["frame_index"][r])
            views = frames.episode(ep, rows)
            steps = [
                _lerobot_step(columns, r, {k: v[t] for k, v in views.items()}, tasks, action)
                for t, r in enumerate(rows)
            ]
            steps[-1]["terminated"] = True
            writer.add(_record(env_id, ep, steps, fps))
    return ConvertResult(out, len(by_episode), table.num_rows)


def _task_names(src: Path) -> dict[int, str]:
    import pandas as pd

    tasks = pd.read_parquet(src / fmt.TASKS_PATH)
    return {int(i): str(t) for t, i in zip(tasks.index, tasks["task_index"], strict=True)}


class _LeRobotFrames:
    """The camera frames of a LeRobot dataset's episodes: PNG/JPEG bytes from the data
    columns, or decoded from ``videos/`` at the episode's ``from_timestamp``."""

    def __init__(
        self, src: Path, info: dict[str, Any], cameras: list[str], columns: dict[str, list[Any]]
    ) -> None:
        self.src, self.info, self.cameras, self.columns = src, info, cameras, columns
        videos = [k for k in cameras if info["features"][k]["dtype"] == "video"]
        self.where: dict[int, dict[str, Any]] = {}
        if videos:
            import pyarrow.parquet as pq

            from vla.datasets.video import require_av

            require_av()
            meta = pq.read_table(sorted(src.glob("meta/episodes/*/*.parquet"))).to_pylist()
            self.where = {int(m["episode_index"]): m for m in meta}

    def episode(self, ep: int, rows: list[int]) -> dict[str, Any]:
        """camera name (``.`` -> ``_``) -> frames of the episode's ``rows`` (in order)."""
        from vla.datasets.video import decode_frames

        out: dict[str, Any] = {}
        for key in self.cameras:
            name = key.removeprefix("observation.images.").replace(".", "_")
            if self.info["features"][key]["dtype"] != "video":
                out[name] = [fmt.decode_image(self.columns[key][r]["bytes"]) for r in rows]
                continue
            m = self.where[ep]
            rel = self.info["video_path"].format(
                video_key=key,
                chunk_index=m[f"videos/{key}/chunk_index"],
                file_index=m[f"videos/{key}/file_index"],
            )
            fps = float(self.info.get("fps") or 10.0)
            out[name] = decode_frames(
                self.src / rel, m[f"videos/{key}/from_timestamp"], len(rows), fps
            )
        return out


def _lerobot_step(
    columns: dict[str, list[Any]],
    row: int,
    views: dict[str, Any],
    tasks: dict[int, str],
    action: str,
) -> dict[str, Any]:
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
