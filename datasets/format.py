"""The on-disk episode format: paths, the Arrow schema of a step row, and (de)serialisation.

A dataset is a folder laid out like a LeRobotDataset v3 (``codebase_version`` ``"v3.0"``)::

    data/chunk-000/file-000.parquet   one row per step, many episodes per file
    meta/info.json                    features (dtype, shape), counts, fps, env ids, versions
    meta/stats.json                   per-dimension statistics of robot actions and states
    meta/episodes.jsonl               one line per episode: index, env, seed, task, rows, success
    meta/tasks.jsonl                  task_index -> task (the episode's first instruction)

Every column is plain Arrow, and the Parquet schema carries Hugging Face ``datasets``
feature metadata, so ``datasets.load_dataset("parquet", data_files=...)`` reads it with no
project code and decodes ``observation.image`` as an ``Image``. ``datasets/README.md``
documents every field. Actions are stored typed (verb + fields, see
:func:`vla.actions.to_dict`), never as token ids.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from vla.actions import ROBOT_ACTIONS, UI_ACTIONS, Action, from_dict, to_dict

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "ACTION_FIELDS",
    "CHUNKS_SIZE",
    "CODEBASE_VERSION",
    "FORMAT_VERSION",
    "EpisodeRecord",
    "action_from_row",
    "action_to_row",
    "build_episode",
    "data_path",
    "decode_image",
    "encode_image",
    "features_info",
    "schema",
]

#: LeRobotDataset layout version this format follows.
CODEBASE_VERSION = "v3.0"
#: Version of this project's additions (typed action struct, env/seed columns, jsonl meta).
FORMAT_VERSION = 1
#: Data files per ``chunk-XXX`` folder (as LeRobot).
CHUNKS_SIZE = 1000
DATA_PATH = "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet"
INFO_PATH = "meta/info.json"
STATS_PATH = "meta/stats.json"
EPISODES_PATH = "meta/episodes.jsonl"
TASKS_PATH = "meta/tasks.jsonl"
STAGING_DIR = ".staging"
LOCK_PATH = ".lock"
IMAGE_KEY = "observation.image"
STATE_KEY = "observation.state"
VECTOR_KEY = "action.vector"

#: Every field of every action dataclass -> its Arrow type name in the ``action`` struct.
#: Fields absent from an action's verb are null in that row.
ACTION_FIELDS: dict[str, str] = {
    "x": "float64",
    "y": "float64",
    "button": "string",
    "count": "int64",
    "x0": "float64",
    "y0": "float64",
    "x1": "float64",
    "y1": "float64",
    "dx": "float64",
    "dy": "float64",
    "text": "string",
    "keys": "list<string>",
    "xyz": "list<float64>",
    "rpy": "list<float64>",
    "positions": "list<float64>",
    "gripper": "float64",
}
_missing = {f.name for c in UI_ACTIONS + ROBOT_ACTIONS for f in fields(c)} - set(ACTION_FIELDS)
if _missing:  # pragma: no cover - guards a change to vla.actions
    raise RuntimeError(f"format.ACTION_FIELDS lacks action fields {sorted(_missing)}")


def data_path(file_number: int) -> str:
    """Relative path of the ``file_number``-th data file (``CHUNKS_SIZE`` files per chunk)."""
    return DATA_PATH.format(
        chunk_index=file_number // CHUNKS_SIZE, file_index=file_number % CHUNKS_SIZE
    )


def _arrow_type(name: str) -> pa.DataType:
    import pyarrow as pa

    if name.startswith("list<"):
        return pa.list_(_arrow_type(name[5:-1]))
    return {"float64": pa.float64(), "float32": pa.float32(), "int64": pa.int64()}.get(
        name, pa.string()
    )


def _hf_feature(name: str) -> dict[str, Any]:
    if name.startswith("list<"):
        return {"feature": _hf_feature(name[5:-1]), "_type": "Sequence"}
    return {"dtype": name, "_type": "Value"}


# column -> type name (see _arrow_type); the image column is special-cased.
_COLUMNS: dict[str, str] = {
    IMAGE_KEY: "image",
    STATE_KEY: "list<float32>",
    "instruction": "string",
    "action": "action",
    VECTOR_KEY: "list<float32>",
    "next.reward": "float32",
    "next.done": "bool",
    "next.terminated": "bool",
    "next.truncated": "bool",
    "next.success": "bool",
    "env_id": "string",
    "seed": "int64",
    "success": "bool",
    "episode_index": "int64",
    "frame_index": "int64",
    "timestamp": "float32",
    "task_index": "int64",
    "index": "int64",
}
COLUMNS: tuple[str, ...] = tuple(_COLUMNS)


def schema() -> pa.Schema:
    """The Arrow schema of a data file, with Hugging Face feature metadata attached."""
    import pyarrow as pa

    arrow: list[pa.Field] = []
    hf: dict[str, Any] = {}
    for name, kind in _COLUMNS.items():
        if kind == "image":
            arrow.append(pa.field(name, pa.struct([("bytes", pa.binary()), ("path", pa.string())])))
            hf[name] = {"_type": "Image"}
        elif kind == "action":
            struct = [("verb", pa.string())] + [
                (k, _arrow_type(t)) for k, t in ACTION_FIELDS.items()
            ]
            arrow.append(pa.field(name, pa.struct(struct)))
            hf[name] = {"verb": _hf_feature("string")} | {
                k: _hf_feature(t) for k, t in ACTION_FIELDS.items()
            }
        elif kind == "bool":
            arrow.append(pa.field(name, pa.bool_()))
            hf[name] = _hf_feature("bool")
        else:
            arrow.append(pa.field(name, _arrow_type(kind)))
            hf[name] = _hf_feature(kind)
    meta = {b"huggingface": json.dumps({"info": {"features": hf}}).encode()}
    return pa.schema(arrow, metadata=meta)


def features_info(
    image_shapes: list[tuple[int, ...]], state_dims: list[int], vector_dims: list[int]
) -> dict[str, dict[str, Any]]:
    """The ``features`` entry of ``meta/info.json``: dtype and shape of every column.

    Shapes that differ between envs (a merged browser + robot dataset) are given as ``null``
    in the varying dimension; ``shapes`` then lists every shape present.
    """

    def shape(shapes: list[tuple[int, ...]]) -> dict[str, Any]:
        unique = sorted(set(shapes))
        if len(unique) == 1:
            return {"shape": list(unique[0])}
        ranks = {len(s) for s in unique}
        common = [
            unique[0][i] if len({s[i] for s in unique}) == 1 else None for i in range(min(ranks))
        ]
        return {"shape": common, "shapes": [list(s) for s in unique]}

    out: dict[str, dict[str, Any]] = {}
    for name, kind in _COLUMNS.items():
        if kind == "image":
            out[name] = {"dtype": "image", "format": "png", "names": ["height", "width", "channel"]}
            out[name] |= shape(image_shapes) if image_shapes else {"shape": [None, None, 3]}
        elif kind == "action":
            out[name] = {"dtype": "struct", "fields": {"verb": "string", **ACTION_FIELDS}}
        elif name in (STATE_KEY, VECTOR_KEY):
            dims = state_dims if name == STATE_KEY else vector_dims
            if dims:
                out[name] = {"dtype": "float32", "nullable": True} | shape([(d,) for d in dims])
        else:
            out[name] = {"dtype": kind, "shape": [1]}
    return out


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


def action_to_row(action: Action) -> tuple[dict[str, Any], list[float] | None]:
    """The ``action`` struct (every field, null where the verb lacks it) and ``action.vector``
    (robot actions only: continuous dimensions, gripper last)."""
    data = to_dict(action)
    row: dict[str, Any] = {"verb": data.pop("verb")} | dict.fromkeys(ACTION_FIELDS)
    row.update(data)
    vector = getattr(action, "vector", None)
    return row, (list(vector) if vector is not None else None)


def action_from_row(row: dict[str, Any]) -> Action:
    """Inverse of :func:`action_to_row` (nulls are ignored)."""
    return from_dict(row)


@dataclass
class EpisodeRecord:
    """One recorded episode: its rows (``schema()``; global indexes still -1) and summary."""

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


def build_episode(
    env_id: str, seed: int, steps: list[dict[str, Any]], fps: float, compress_level: int = 6
) -> EpisodeRecord:
    """Turn recorded steps into an :class:`EpisodeRecord`.

    Each step is ``{"image": uint8[H,W,3], "instruction": str, "state": float32[D] | None,
    "action": Action, "reward": float, "terminated": bool, "truncated": bool,
    "success": bool}`` where image/instruction/state are the observation the action was taken
    in and reward/terminated/truncated/success come from the ``step`` that followed.
    The episode's ``success`` is that of its last step.
    """
    import pyarrow as pa

    if not steps:
        raise ValueError(f"episode {env_id!r} seed {seed} has no steps")
    n = len(steps)
    actions, vectors = zip(*(action_to_row(s["action"]) for s in steps), strict=True)
    states = [
        None if s.get("state") is None else np.asarray(s["state"], np.float32).tolist()
        for s in steps
    ]
    success = bool(steps[-1]["success"])
    columns: dict[str, Any] = {
        IMAGE_KEY: [
            {"bytes": encode_image(s["image"], compress_level), "path": None} for s in steps
        ],
        STATE_KEY: states,
        "instruction": [str(s["instruction"]) for s in steps],
        "action": list(actions),
        VECTOR_KEY: list(vectors),
        "next.reward": [float(s["reward"]) for s in steps],
        "next.done": [bool(s["terminated"] or s["truncated"]) for s in steps],
        "next.terminated": [bool(s["terminated"]) for s in steps],
        "next.truncated": [bool(s["truncated"]) for s in steps],
        "next.success": [bool(s["success"]) for s in steps],
        "env_id": [env_id] * n,
        "seed": [int(seed)] * n,
        "success": [success] * n,
        "episode_index": [-1] * n,
        "frame_index": list(range(n)),
        "timestamp": [i / fps for i in range(n)],
        "task_index": [-1] * n,
        "index": [-1] * n,
    }
    arrow_schema = schema()
    meta = dict(arrow_schema.metadata) | {b"vla": json.dumps({"fps": float(fps)}).encode()}
    table = pa.Table.from_pydict(columns, schema=arrow_schema.with_metadata(meta))
    ret = float(sum(s["reward"] for s in steps))
    task = str(steps[0]["instruction"])
    return EpisodeRecord(env_id, int(seed), success, table, float(fps), task, ret)
