"""The on-disk episode format: paths, staged episodes, and image (de)serialisation.

A dataset is a LeRobotDataset v3.0 folder (``codebase_version`` ``"v3.0"``, the layout that
lerobot 0.4.4 writes and reads; docs/datasets.md shows it loading with LeRobot itself)::

    data/chunk-000/file-000.parquet           one row per step, many episodes per file
    meta/info.json                            LeRobot's keys + our extra keys (envs, seeds, ...)
    meta/stats.json                           LeRobot statistics of every numeric/image feature
    meta/tasks.parquet                        task (the instruction) -> task_index
    meta/episodes/chunk-000/file-000.parquet  one row per episode: indexes, per-episode stats
    meta/vla/episodes.jsonl                   ours: env id, seed, success, ... (commit point)
    meta/vla/stats.json                       ours: per-verb action statistics for the tokenizer
    videos/<key>/chunk-000/file-000.mp4       only with ``video``: cameras (vla.datasets.video)

The data columns and the fixed-shape encoding of typed actions are in :mod:`vla.datasets.v3`;
``datasets/README.md`` documents every field. A finished episode is first *staged* as an
internal Parquet file (:func:`build_episode`: cameras as PNG, the action as JSON of
:func:`vla.actions.to_dict`) and converted to the v3 columns when the writer commits it.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from vla.actions import to_dict
from vla.datasets.v3 import CAMERA_PREFIX, STATE, camera_column

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CHUNKS_SIZE",
    "CODEBASE_VERSION",
    "FORMAT_VERSION",
    "EpisodeRecord",
    "build_episode",
    "data_path",
    "decode_image",
    "encode_image",
]

#: LeRobotDataset layout version this format follows.
CODEBASE_VERSION = "v3.0"
#: Version of this project's additions (2: LeRobot v3 columns; 1: struct action, jsonl meta).
FORMAT_VERSION = 2
#: Data files per ``chunk-XXX`` folder (as LeRobot).
CHUNKS_SIZE = 1000
DATA_PATH = "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet"
INFO_PATH = "meta/info.json"
STATS_PATH = "meta/stats.json"
TASKS_PATH = "meta/tasks.parquet"
EPISODES_META_PATH = "meta/episodes/chunk-000/file-000.parquet"
EPISODES_PATH = "meta/vla/episodes.jsonl"
VLA_STATS_PATH = "meta/vla/stats.json"
#: Files of format version 1 (``vla dataset upgrade`` converts such a dataset).
LEGACY_EPISODES_PATH = "meta/episodes.jsonl"
STAGING_DIR = ".staging"
LOCK_PATH = ".lock"
STATE_KEY = STATE


def data_path(file_number: int) -> str:
    """Relative path of the ``file_number``-th data file (``CHUNKS_SIZE`` files per chunk)."""
    return DATA_PATH.format(
        chunk_index=file_number // CHUNKS_SIZE, file_index=file_number % CHUNKS_SIZE
    )


def encode_image(image: np.ndarray, compress_level: int = 6) -> bytes:
    """PNG bytes of an ``uint8[H, W, 3]`` RGB image (lossless). zlib level 6 (PIL's default)
    gives smaller files that also decode a little faster than level 1 (benchmarks/data_loading.py)."""
    from PIL import Image

    array = np.asarray(image)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(
            f"observation image must be uint8[H, W, 3]; got {array.dtype}{list(array.shape)}"
        )
    buf = io.BytesIO()
    Image.fromarray(array, "RGB").save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def decode_image(data: bytes | memoryview) -> np.ndarray:
    """Decode PNG (or any PIL-readable) bytes to ``uint8[H, W, 3]`` RGB."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        if im.mode != "RGB":
            im = im.convert("RGB")
        return np.asarray(im)


@dataclass
class EpisodeRecord:
    """One recorded episode, staged: its rows (:func:`staged_schema`) and summary."""

    env_id: str
    seed: int
    success: bool
    table: pa.Table
    fps: float
    task: str
    episode_return: float = 0.0

    @property
    def length(self) -> int:
        return self.table.num_rows


def staged_schema(cameras: list[str]) -> pa.Schema:
    """Arrow schema of a staged episode with these camera names (internal to the writer)."""
    import pyarrow as pa

    image = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    return pa.schema(
        [pa.field(camera_column(c), image) for c in cameras]
        + [
            pa.field(STATE, pa.list_(pa.float32())),
            pa.field("instruction", pa.string()),
            pa.field("action", pa.string()),
            pa.field("next.reward", pa.float32()),
            pa.field("next.done", pa.bool_()),
            pa.field("next.terminated", pa.bool_()),
            pa.field("next.success", pa.bool_()),
            pa.field("frame_index", pa.int64()),
            pa.field("timestamp", pa.float32()),
        ]
    )


def staged_cameras(table: pa.Table) -> list[str]:
    """Camera names of a staged (or v3) table, in column order."""
    return [c[len(CAMERA_PREFIX) :] for c in table.column_names if c.startswith(CAMERA_PREFIX)]


def build_episode(
    env_id: str,
    seed: int,
    steps: list[dict[str, Any]],
    fps: float,
    compress_level: int = 6,
    camera: str = "main",
) -> EpisodeRecord:
    """Turn recorded steps into an :class:`EpisodeRecord`.

    Each step is ``{"image": uint8[H,W,3], "images": {name: uint8[H,W,3]} (optional),
    "instruction": str, "state": float32[D] | None, "action": Action, "reward": float,
    "terminated": bool, "truncated": bool, "success": bool}`` where images/instruction/state
    are the observation the action was taken in and reward/terminated/truncated/success come
    from the ``step`` that followed. A step without ``images`` has one camera, named
    ``camera`` (``observation.images.<camera>``). The episode's ``success`` is that of its
    last step. Steps that also have ``"executed"`` (an action executed in place of the
    recorded one: DAgger, a noisy expert) keep those actions in the episode's metadata; steps
    with ``"target_pixels"`` (the env's grounding label of the observation, camera name ->
    ``[x, y]``, e.g. the Panda envs' named cube), ``"goal_pixels"`` (likewise, where the
    motion ends: the second pointer's label) or ``"page_words"`` (``[word, left, top,
    width, height]`` of each word the page shows: the reading loss's labels) keep those too.
    """
    import pyarrow as pa

    if not steps:
        raise ValueError(f"episode {env_id!r} seed {seed} has no steps")
    n = len(steps)
    views = [s.get("images") or {camera: s["image"]} for s in steps]
    names = list(views[0])
    if any(list(v) != names for v in views):
        raise ValueError(f"episode {env_id!r} seed {seed}: the camera names change between steps")
    states = [
        None if s.get("state") is None else np.asarray(s["state"], np.float32).tolist()
        for s in steps
    ]
    success = bool(steps[-1]["success"])
    columns: dict[str, Any] = {
        camera_column(c): [
            {"bytes": encode_image(v[c], compress_level), "path": None} for v in views
        ]
        for c in names
    }
    columns |= {
        STATE: states,
        "instruction": [str(s["instruction"]) for s in steps],
        "action": [json.dumps(to_dict(s["action"])) for s in steps],
        "next.reward": [float(s["reward"]) for s in steps],
        "next.done": [bool(s["terminated"] or s["truncated"]) for s in steps],
        "next.terminated": [bool(s["terminated"]) for s in steps],
        "next.success": [bool(s["success"]) for s in steps],
        "frame_index": list(range(n)),
        "timestamp": [i / fps for i in range(n)],
    }
    meta: dict[str, Any] = {"fps": float(fps), "env_id": env_id, "seed": int(seed),
                            "success": success}  # fmt: skip
    if any("executed" in s for s in steps):
        meta["executed"] = [to_dict(s.get("executed", s["action"])) for s in steps]
    for key in ("target_pixels", "goal_pixels"):
        if any(s.get(key) for s in steps):
            meta[key] = [_rounded(s.get(key)) for s in steps]
    if any(s.get("page_words") for s in steps):  # whole pixels: a word's box is 10+ px high
        meta["page_words"] = [
            [[str(w[0]), *(round(float(v)) for v in w[1:5])] for w in s.get("page_words") or []]
            for s in steps
        ]
    schema = staged_schema(names).with_metadata({b"vla": json.dumps(meta).encode()})
    table = pa.Table.from_pydict(columns, schema=schema)
    ret = float(sum(s["reward"] for s in steps))
    return EpisodeRecord(
        env_id, int(seed), success, table, float(fps), str(steps[0]["instruction"]), ret
    )


def _rounded(pixels: dict[str, Any] | None) -> dict[str, list[float]] | None:
    """A step's ``target_pixels`` or ``goal_pixels`` as JSON (0.1 px)."""
    if not pixels:
        return None
    return {str(k): [round(float(c), 1) for c in v] for k, v in pixels.items()}
