"""The LeRobotDataset v3 columns of a dataset: its :class:`Layout` (cameras, state size, action
groups) and the fixed-shape encoding of typed actions into ``action`` & co.

A data file holds exactly the columns of ``meta/info.json["features"]`` (LeRobot rejects any
other), in this order::

    observation.images.<camera>   image (PNG struct {bytes, path}), one column per camera;
                                  absent when cameras are MP4 video (:mod:`vla.datasets.video`)
    observation.state             float32[D]                    (only when the data has states)
    action                        float32[K] robot-only data, float64[K] when UI actions exist
    action.discrete               int64[3]  (verb, button, count)          \\
    action.mask                   float32[K] 1 where the action slot is used  } only with UI actions
    action.text, action.keys      string (Type text; Key keys as a JSON list)/ or several verbs
    next.reward float32, next.done / next.terminated / next.success bool
    timestamp float32, frame_index, episode_index, index, task_index int64

``action`` is the concatenation of the slots of each action *group* present in the dataset:
``ui`` = ``x, y, x0, y0, x1, y1, dx, dy`` (pixels of the observed image), ``ee_delta`` =
``x, y, z, roll, pitch, yaw, gripper``, ``joint_target`` = ``joint_0 .. joint_{n-1}, gripper``.
With one group its names are bare (a Panda dataset reads like any LeRobot dataset); with
several they are prefixed (``ui.x``, ``ee_delta.x``). Unused slots are 0 and 0 in
``action.mask``. Verb ids index :data:`VERBS`, button ids :data:`BUTTONS` (-1 when unused),
count is 0 when unused. :func:`decode_action` gives back the exact :mod:`vla.actions` object
(float64 slots keep UI pixels exact; robot-only data is float32 as LeRobot expects).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from vla.actions import ROBOT_VERBS, UI_VERBS, Action, from_dict, to_dict

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "BUTTONS",
    "GROUPS",
    "VERBS",
    "Layout",
    "camera_column",
    "decode_action",
    "encode_actions",
]

#: Verb ids of ``action.discrete[0]`` (stable: new verbs are appended).
VERBS: tuple[str, ...] = UI_VERBS + ROBOT_VERBS
#: Button ids of ``action.discrete[1]``.
BUTTONS: tuple[str, ...] = ("left", "right", "middle")
#: Action groups in their order inside ``action``.
GROUPS: tuple[str, ...] = ("ui", "ee_delta", "joint_target")
UI_SLOTS = ("x", "y", "x0", "y0", "x1", "y1", "dx", "dy")
EE_SLOTS = ("x", "y", "z", "roll", "pitch", "yaw", "gripper")
CAMERA_PREFIX = "observation.images."
STATE = "observation.state"
_NEXT = {"next.reward": "float32", "next.done": "bool", "next.terminated": "bool"}
_NEXT |= {"next.success": "bool"}
DEFAULTS = {"timestamp": "float32", "frame_index": "int64", "episode_index": "int64"}
DEFAULTS |= {"index": "int64", "task_index": "int64"}


def camera_column(name: str) -> str:
    """``observation.images.<name>``; a camera name must not contain ``/`` (LeRobot's rule)."""
    if not name or "/" in name:
        raise ValueError(f"camera name must be non-empty without '/'; got {name!r}")
    return CAMERA_PREFIX + name


def _group(verb: str) -> str:
    return "ui" if verb in UI_VERBS else verb


@dataclass(frozen=True)
class Layout:
    """What the columns of a dataset are: ``cameras`` name -> ``[H, W, 3]`` (first is primary),
    ``state_dim`` (0: no state column), ``groups`` (subset of :data:`GROUPS`, in that order),
    ``joints`` (joint count of ``joint_target``, 0 when absent) and ``video`` (cameras are
    MP4 files in ``videos/``, LeRobot dtype ``video``, with no column in the data files)."""

    cameras: dict[str, list[int]] = field(default_factory=dict)
    state_dim: int = 0
    groups: tuple[str, ...] = ()
    joints: int = 0
    video: bool = False

    @staticmethod
    def of(episodes: list[dict[str, Any]]) -> Layout:
        """The smallest layout holding every episode (``meta/vla/episodes.jsonl`` rows)."""
        cameras: dict[str, list[int]] = {}
        verbs: set[str] = set()
        joints = {e["joints"] for e in episodes if e.get("joints")}
        if len(joints) > 1:
            raise ValueError(f"JointTarget actions of different lengths {sorted(joints)}")
        for e in episodes:
            for name, shape in e["cameras"].items():
                cameras.setdefault(name, list(shape))
            verbs |= set(e["action_verbs"])
        state = max((e.get("state_dim") or 0 for e in episodes), default=0)
        groups = tuple(g for g in GROUPS if g in {_group(v) for v in verbs})
        videos = {bool(e.get("videos")) for e in episodes}
        if len(videos) > 1:
            raise ValueError("episodes mix video and PNG cameras; a dataset stores one kind")
        return Layout(cameras, state, groups, joints.pop() if joints else 0, videos == {True})

    def to_json(self) -> dict[str, Any]:
        return {"cameras": self.cameras, "state_dim": self.state_dim,
                "groups": list(self.groups), "joints": self.joints, "video": self.video}  # fmt: skip

    @staticmethod
    def from_json(data: dict[str, Any]) -> Layout:
        return Layout(dict(data["cameras"]), int(data["state_dim"]), tuple(data["groups"]),
                      int(data["joints"]), bool(data.get("video", False)))  # fmt: skip

    @property
    def discrete(self) -> bool:
        """Whether the verb needs its own columns (UI actions, or more than one group)."""
        return "ui" in self.groups or len(self.groups) > 1

    @property
    def action_dtype(self) -> str:
        return "float64" if "ui" in self.groups else "float32"

    def slots(self) -> list[tuple[str, str]]:
        """``(group, slot)`` of every dimension of ``action``."""
        out: list[tuple[str, str]] = []
        for g in self.groups:
            names = {"ui": UI_SLOTS, "ee_delta": EE_SLOTS}.get(g) or (
                *(f"joint_{i}" for i in range(self.joints)),
                "gripper",
            )
            out += [(g, s) for s in names]
        return out

    def action_names(self) -> list[str]:
        prefix = len(self.groups) > 1
        return [f"{g}.{s}" if prefix else s for g, s in self.slots()]

    def features(self) -> dict[str, dict[str, Any]]:
        """``info.json["features"]`` (LeRobot's dtype / shape / names, in column order; a
        ``video`` feature's ``info`` is added by :func:`vla.datasets.v3meta.write_meta`)."""
        out: dict[str, dict[str, Any]] = {}
        kind = "video" if self.video else "image"
        for name, shape in self.cameras.items():
            out[camera_column(name)] = {
                "dtype": kind, "shape": list(shape), "names": ["height", "width", "channels"]
            }  # fmt: skip
        if self.state_dim:
            names = [f"state_{i}" for i in range(self.state_dim)]
            out[STATE] = {"dtype": "float32", "shape": [self.state_dim], "names": names}
        if self.groups:
            k = len(self.slots())
            out["action"] = {"dtype": self.action_dtype, "shape": [k], "names": self.action_names()}
        if self.discrete:
            out["action.discrete"] = {
                "dtype": "int64", "shape": [3], "names": ["verb", "button", "count"]
            }  # fmt: skip
            out["action.mask"] = {"dtype": "float32", "shape": [k], "names": self.action_names()}
            out["action.text"] = {"dtype": "string", "shape": [1], "names": None}
            out["action.keys"] = {"dtype": "string", "shape": [1], "names": None}
        for name, dtype in (_NEXT | DEFAULTS).items():
            out[name] = {"dtype": dtype, "shape": [1], "names": None}
        return out

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema of a data file, with the Hugging Face feature metadata that
        ``datasets`` and LeRobot read."""
        import pyarrow as pa

        types = {"float32": pa.float32(), "float64": pa.float64(), "int64": pa.int64(),
                 "bool": pa.bool_(), "string": pa.string()}  # fmt: skip
        fields: list[pa.Field] = []
        hf: dict[str, Any] = {}
        for name, ft in self.features().items():
            if ft["dtype"] == "video":
                continue  # LeRobot: a video feature has no column in the data files
            if ft["dtype"] == "image":
                fields.append(
                    pa.field(name, pa.struct([("bytes", pa.binary()), ("path", pa.string())]))
                )
                hf[name] = {"_type": "Image"}
            elif ft["shape"] == [1]:
                fields.append(pa.field(name, types[ft["dtype"]]))
                hf[name] = {"dtype": ft["dtype"], "_type": "Value"}
            else:
                fields.append(pa.field(name, pa.list_(types[ft["dtype"]], ft["shape"][0])))
                value = {"dtype": ft["dtype"], "_type": "Value"}
                hf[name] = {"feature": value, "length": ft["shape"][0], "_type": "List"}
        meta = {b"huggingface": json.dumps({"info": {"features": hf}}).encode(),
                b"vla": json.dumps({"layout": self.to_json()}).encode()}  # fmt: skip
        return pa.schema(fields, metadata=meta)


def encode_actions(actions: list[Action], layout: Layout) -> dict[str, list[Any]]:
    """The action columns (``action`` and, with :attr:`Layout.discrete`, ``action.discrete``,
    ``action.mask``, ``action.text``, ``action.keys``) of ``actions`` under ``layout``."""
    slots = layout.slots()
    index = {gs: i for i, gs in enumerate(slots)}
    cols: dict[str, list[Any]] = {"action": []}
    if layout.discrete:
        cols |= {"action.discrete": [], "action.mask": [], "action.text": [], "action.keys": []}
    for action in actions:
        group = _group(action.verb)
        if group not in layout.groups:
            raise ValueError(f"action {action!r} does not fit the dataset's groups {layout.groups}")
        vec, mask = np.zeros(len(slots)), np.zeros(len(slots), np.float32)
        for slot, value in _slot_values(action, layout.joints).items():
            vec[index[group, slot]] = value
            mask[index[group, slot]] = 1.0
        cols["action"].append(vec.tolist())
        if layout.discrete:
            data = to_dict(action)
            button = BUTTONS.index(data["button"]) if "button" in data else -1
            cols["action.discrete"].append([VERBS.index(action.verb), button, data.get("count", 0)])
            cols["action.mask"].append(mask.tolist())
            cols["action.text"].append(data.get("text", ""))
            cols["action.keys"].append(json.dumps(data["keys"]) if "keys" in data else "")
    return cols


def _slot_values(action: Action, joints: int) -> dict[str, float]:
    data = to_dict(action)
    if action.verb == "ee_delta":
        return dict(zip(EE_SLOTS, [*data["xyz"], *data["rpy"], data["gripper"]], strict=True))
    if action.verb == "joint_target":
        if len(data["positions"]) != joints:
            raise ValueError(f"JointTarget has {len(data['positions'])} joints; dataset {joints}")
        out = {f"joint_{i}": v for i, v in enumerate(data["positions"])}
        return out | {"gripper": data["gripper"]}
    return {k: float(v) for k, v in data.items() if k in UI_SLOTS}


def decode_action(row: dict[str, Any], layout: Layout) -> Action:
    """The :mod:`vla.actions` object of one row's action columns (inverse of
    :func:`encode_actions`)."""
    vec = row["action"]
    if layout.discrete:
        verb_id, button, count = row["action.discrete"]
        verb = VERBS[verb_id]
    else:
        verb = layout.groups[0] if layout.groups[0] != "ui" else ""
    group = _group(verb)
    values = {s: vec[i] for i, (g, s) in enumerate(layout.slots()) if g == group}
    if verb == "ee_delta":
        xyz = [values[s] for s in EE_SLOTS[:3]]
        return from_dict({"verb": verb, "xyz": xyz, "rpy": [values[s] for s in EE_SLOTS[3:6]],
                          "gripper": values["gripper"]})  # fmt: skip
    if verb == "joint_target":
        positions = [values[f"joint_{i}"] for i in range(layout.joints)]
        return from_dict({"verb": verb, "positions": positions, "gripper": values["gripper"]})
    used = {s: values[s] for s, m in zip(UI_SLOTS, _ui_mask(row, layout), strict=True) if m}
    data: dict[str, Any] = {"verb": verb, **used}
    if verb == "click":
        data |= {"button": BUTTONS[button], "count": int(count)}
    elif verb == "type":
        data["text"] = row["action.text"]
    elif verb == "key":
        data["keys"] = json.loads(row["action.keys"])
    return from_dict(data)


def _ui_mask(row: dict[str, Any], layout: Layout) -> list[float]:
    mask = row["action.mask"]
    return [m for (g, _), m in zip(layout.slots(), mask, strict=True) if g == "ui"]
