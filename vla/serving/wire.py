"""The wire format of ``vla serve``: msgpack with numpy arrays as openpi encodes them.

Every websocket message is one binary frame holding one msgpack map. Arrays travel exactly as in
openpi's ``openpi_client.msgpack_numpy``, so a client written for an openpi policy server talks
to ``vla serve`` with only its field names changed::

    {b"__ndarray__": True, b"data": <bin: C-order bytes>, b"dtype": "|u1", b"shape": [210, 160, 3]}

(numpy scalars: ``{b"__npgeneric__": True, b"data": <value>, b"dtype": "<f4"}``). Keys of the
array map are msgpack ``bin`` (bytes), every other key is a ``str``.

Request (client -> server), one observation per message:

=============  ====================================================================  =========
field          value                                                                 required
=============  ====================================================================  =========
image          uint8 array (H, W, 3), RGB, 1 <= H, W <= 4096                         yes
instruction    str, 1 to 4096 characters, not blank                                 yes
state          float array (D,) (any float/int dtype, or a list of numbers)          robots
space          ``{"kind": "ui", "verbs": [...]}`` or                                no
               ``{"kind": "robot", "action": "ee_delta"|"joint_target", "n_joints": 7}``
id             int or str (<= 128 chars), echoed in the reply                        no
history        list of <= 64 actions (``vla.actions.to_dict`` maps), oldest first:  no
               the episode's executed actions, for a policy with ``action_history``
views          map camera name -> uint8 array (H, W, 3), <= 8 of them: the camera    no
               views of a policy that reads several (the metadata's
               ``image_views``, e.g. front and wrist); a missing one is masked
=============  ====================================================================  =========

Reply (server -> client): ``{"id": ..., "action": vla.actions.to_dict(action), "timing":
{"queue_ms", "infer_ms", "total_ms", "batch_size"}}`` or ``{"id": ..., "error": "<field>:
<problem>"}``. The error text always starts with the field it is about (``message`` for the
frame as a whole, ``server`` for the server's own state). The first message of every connection
is the server's metadata (see :func:`vla.serving.server.metadata`).
"""

from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from vla.actions import ROBOT_VERBS, UI_VERBS, Action, RobotSpace, UISpace, from_dict

__all__ = [
    "FIELDS",
    "Request",
    "WireError",
    "check_views",
    "dumps",
    "loads",
    "parse_request",
    "request_id",
    "require",
    "space_from_dict",
    "space_to_dict",
]

#: The fields a request may carry.
FIELDS = ("image", "instruction", "state", "space", "id", "history", "views")
MAX_IMAGE_SIDE = 4096
MAX_INSTRUCTION_CHARS = 4096
MAX_STATE_DIM = 1024
MAX_ID_CHARS = 128
MAX_HISTORY = 64
MAX_VIEWS = 8
MAX_VIEW_NAME = 64
# Numeric dtypes only (openpi refuses object, void and complex; we refuse every other kind too,
# so a hostile dtype string never reaches a pickle or a structured-dtype parser).
_DTYPES = frozenset(
    p + k for p in "<|" for k in ("u1", "i1", "b1", "u2", "i2", "u4", "i4", "u8", "i8")
) | frozenset({"<f2", "<f4", "<f8"})


class WireError(ValueError):
    """A message that breaks the wire format; ``str(err)`` is ``"<field>: <problem>"``."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def require() -> tuple[Any, Any]:
    """Import ``msgpack`` and ``websockets``, or raise ``ImportError`` naming the extra."""
    try:
        import msgpack
        import websockets
    except ImportError as err:
        raise ImportError(
            f"vla serving needs msgpack and websockets ({err.name} is missing): "
            "pip install -e '.[serve]'"
        ) from None
    return msgpack, websockets


# ------------------------------------------------------------------------------ codec


def _pack(obj: Any) -> Any:
    if isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind in "VOc":
        raise ValueError(f"arrays of dtype {obj.dtype} cannot be sent")
    if isinstance(obj, np.ndarray):
        obj = np.ascontiguousarray(obj)
        return {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str,
                b"shape": list(obj.shape)}  # fmt: skip
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    raise TypeError(f"cannot encode {type(obj).__name__} as msgpack")


def dumps(obj: Any) -> bytes:
    """Encode ``obj`` (maps, lists, str, numbers, bytes, numpy arrays and scalars) as msgpack."""
    msgpack, _ = require()
    return msgpack.packb(obj, default=_pack, use_bin_type=True)


def _unpack_hook(obj: dict) -> Any:
    if b"__ndarray__" in obj or b"__npgeneric__" in obj:
        return _array("array", obj)
    return obj


def loads(data: Any, arrays: bool = True) -> Any:
    """Decode one msgpack message; with ``arrays`` the openpi array maps become numpy arrays.

    Raises :class:`WireError` (field ``message``) for anything that is not valid msgpack.
    """
    msgpack, _ = require()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WireError("message", f"expected a binary msgpack frame; got {type(data).__name__}")
    try:
        return msgpack.unpackb(
            data, object_hook=_unpack_hook if arrays else None, raw=False, strict_map_key=True
        )
    except WireError:
        raise
    except (ValueError, TypeError, RecursionError, msgpack.UnpackException) as err:
        problem = f"not a valid msgpack message ({type(err).__name__}: {err})"
        raise WireError("message", problem) from None


def _array(field: str, obj: Any) -> np.ndarray:
    """Decode an openpi array map, checking dtype, shape and data length."""
    if not isinstance(obj, dict) or not (b"__ndarray__" in obj or b"__npgeneric__" in obj):
        raise WireError(field, f"expected an array map with __ndarray__; got {_kind(obj)}")
    dtype = obj.get(b"dtype")
    if isinstance(dtype, bytes):
        dtype = dtype.decode("ascii", "replace")
    if dtype not in _DTYPES:
        raise WireError(
            field, f"dtype must be a numeric numpy typestr such as '|u1'; got {dtype!r}"
        )
    if b"__npgeneric__" in obj:
        value = obj.get(b"data")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise WireError(field, f"scalar data must be a number; got {_kind(value)}")
        try:
            return np.asarray(np.dtype(dtype).type(value))
        except (OverflowError, ValueError) as err:
            raise WireError(field, f"scalar {value!r} does not fit {dtype}: {err}") from None
    shape, data = obj.get(b"shape"), obj.get(b"data")
    if not isinstance(shape, (list, tuple)) or len(shape) > 8:
        raise WireError(field, f"shape must be a list of at most 8 ints; got {_kind(shape)}")
    if not all(type(s) is int and 0 <= s < 2**31 for s in shape):
        raise WireError(field, f"shape must hold ints >= 0; got {shape!r}")
    if not isinstance(data, bytes):
        raise WireError(field, f"data must be bytes; got {_kind(data)}")
    expected = math.prod(shape) * np.dtype(dtype).itemsize
    if len(data) != expected:
        raise WireError(
            field, f"data has {len(data)} bytes; shape {shape} {dtype} needs {expected}"
        )
    return np.frombuffer(data, dtype=np.dtype(dtype)).reshape(shape)


def _kind(value: Any) -> str:
    # reprlib bounds depth and length: a hostile message may nest thousands of levels deep.
    text = reprlib.repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


# ----------------------------------------------------------------------- action spaces


def space_to_dict(space: UISpace | RobotSpace) -> dict[str, Any]:
    """``{"kind": "ui", "verbs": [...]}`` or ``{"kind": "robot", "action": ..., "n_joints": ...}``."""
    if isinstance(space, UISpace):
        return {"kind": "ui", "verbs": list(space.verbs)}
    if isinstance(space, RobotSpace):
        return {"kind": "robot", "action": space.action, "n_joints": space.n_joints}
    raise ValueError(f"space must be a UISpace or a RobotSpace; got {space!r}")


def space_from_dict(data: Any, field: str = "space") -> UISpace | RobotSpace:
    """Inverse of :func:`space_to_dict`; raises :class:`WireError` naming ``field``."""
    if not isinstance(data, dict):
        raise WireError(field, f"expected a map with 'kind'; got {_kind(data)}")
    kind = data.get("kind")
    allowed = {"ui": {"kind", "verbs"}, "robot": {"kind", "action", "n_joints"}}
    if kind not in allowed:
        raise WireError(field, f"kind must be 'ui' or 'robot'; got {kind!r}")
    unknown = sorted(map(str, set(data) - allowed[kind]))
    if unknown:
        raise WireError(field, f"unknown key(s) {unknown} for kind {kind!r}")
    try:
        if kind == "ui":
            verbs = data.get("verbs", list(UI_VERBS))
            if not isinstance(verbs, list) or not all(isinstance(v, str) for v in verbs):
                raise ValueError(f"verbs must be a list of strings from {UI_VERBS}; got {verbs!r}")
            return UISpace(tuple(verbs))
        action, n_joints = data.get("action", "ee_delta"), data.get("n_joints", 7)
        if action not in ROBOT_VERBS or type(n_joints) is not int or not 1 <= n_joints <= 64:
            raise ValueError(
                f"action must be one of {ROBOT_VERBS} and n_joints an int in [1, 64]; "
                f"got {action!r}, {n_joints!r}"
            )
        return RobotSpace(action, n_joints)
    except ValueError as err:
        raise WireError(field, str(err)) from None


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Request:
    """One validated observation: what :meth:`vla.Policy.act` takes, plus the client's id."""

    image: np.ndarray  # uint8 (H, W, 3)
    instruction: str
    state: np.ndarray | None  # float32 (D,)
    space: UISpace | RobotSpace | None
    id: int | str | None = None
    history: tuple[Action, ...] | None = None
    views: dict[str, np.ndarray] | None = None  # camera name -> uint8 (H, W, 3)


def parse_request(msg: Any) -> Request:
    """Validate one decoded request (decoded with ``loads(..., arrays=False)``).

    Raises :class:`WireError` naming the first field at fault.
    """
    if not isinstance(msg, dict):
        raise WireError("message", f"expected a map of {list(FIELDS)}; got {_kind(msg)}")
    unknown = [k for k in msg if k not in FIELDS]
    if unknown:
        raise WireError(
            "message", f"unknown field(s) {[str(k)[:40] for k in unknown[:5]]}; known: {FIELDS}"
        )
    req_id = msg.get("id")
    if req_id is not None and not _valid_id(req_id):
        raise WireError(
            "id", f"must be an int or a str of <= {MAX_ID_CHARS} chars; got {_kind(req_id)}"
        )
    for name in ("image", "instruction"):
        if name not in msg:
            raise WireError(name, "missing (required)")
    image = _image("image", msg["image"])
    text = msg["instruction"]
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_INSTRUCTION_CHARS:
        raise WireError(
            "instruction",
            f"must be a non-blank str of <= {MAX_INSTRUCTION_CHARS} chars; got {_kind(text)}",
        )
    state = _state(msg.get("state"))
    space = space_from_dict(msg["space"]) if msg.get("space") is not None else None
    history, views = _history(msg.get("history")), _views(msg.get("views"))
    return Request(image, text, state, space, req_id, history, views)


def check_views(names: tuple[str, ...], views: dict[str, np.ndarray] | None) -> None:
    """Raise :class:`WireError` when ``views`` name a camera that a policy reading the views
    ``names`` (empty: one image) does not know."""
    if views is None:
        return
    if not names:
        raise WireError("views", "this policy reads one image; send `image` alone")
    unknown = [name for name in views if name not in names]
    if unknown:
        raise WireError(
            "views", f"unknown camera(s) {unknown[:5]}; this policy reads {list(names)}"
        )


def _image(field: str, value: Any) -> np.ndarray:
    """An RGB image field: uint8 (H, W, 3) with 1 <= H, W <= ``MAX_IMAGE_SIDE``."""
    image = _array(field, value)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise WireError(field, f"must be uint8 (H, W, 3); got {image.dtype} {image.shape}")
    if not (1 <= image.shape[0] <= MAX_IMAGE_SIDE and 1 <= image.shape[1] <= MAX_IMAGE_SIDE):
        raise WireError(field, f"H and W must be in [1, {MAX_IMAGE_SIDE}]; got {image.shape}")
    return image


def _views(value: Any) -> dict[str, np.ndarray] | None:
    """The ``views`` field: None, or a map of <= ``MAX_VIEWS`` camera names to images."""
    if value is None:
        return None
    if not isinstance(value, dict) or not 1 <= len(value) <= MAX_VIEWS:
        raise WireError(
            "views", f"must be a map of 1 to {MAX_VIEWS} camera names to images; got {_kind(value)}"
        )
    views = {}
    for name, image in value.items():
        if not isinstance(name, str) or not 1 <= len(name) <= MAX_VIEW_NAME:
            raise WireError(
                "views",
                f"camera names must be str of 1 to {MAX_VIEW_NAME} chars; got {_kind(name)}",
            )
        views[name] = _image("views", image)
    return views


def request_id(raw: Any) -> int | str | None:
    """The ``id`` of a refused message (raw bytes), if it has one a reply may echo (else None)."""
    try:
        msg = loads(raw, arrays=False)
    except WireError:
        return None
    rid = msg.get("id") if isinstance(msg, dict) else None
    return rid if _valid_id(rid) else None


def _valid_id(value: Any) -> bool:
    """An int64, or a str of at most ``MAX_ID_CHARS`` characters."""
    if type(value) is int:
        return abs(value) < 2**63
    return isinstance(value, str) and len(value) <= MAX_ID_CHARS


def _history(value: Any) -> tuple[Action, ...] | None:
    """The ``history`` field: None, or a list of ``to_dict`` maps -> actions."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_HISTORY:
        raise WireError(
            "history", f"must be a list of <= {MAX_HISTORY} action maps; got {_kind(value)}"
        )
    actions = []
    for i, item in enumerate(value):
        try:
            actions.append(from_dict(item))
        except (TypeError, ValueError) as err:
            raise WireError("history", f"item {i}: {str(err)[:200]}") from None
    return tuple(actions)


def _state(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, list):
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise WireError("state", f"a list state must hold numbers; got {_kind(value)}")
        arr = np.asarray(value, dtype=np.float64)
    else:
        arr = _array("state", value)
    if arr.ndim != 1 or not 1 <= arr.shape[0] <= MAX_STATE_DIM:
        raise WireError(
            "state", f"must have shape (D,) with 1 <= D <= {MAX_STATE_DIM}; got {arr.shape}"
        )
    if arr.dtype.kind == "b":
        raise WireError("state", "must be numeric; got bool")
    if not np.isfinite(arr).all():
        raise WireError("state", "must be finite; got NaN or inf")
    return arr.astype(np.float32)
