"""Malformed and hostile messages for checking a ``vla serve`` deployment.

:func:`hostile_messages` yields ``(frame, field)`` pairs: a frame that a server must refuse and
the field its error reply must name (the text before the first ``:``). Each frame breaks exactly
one rule of :mod:`vla.serving.wire` (or of the served policy: a state for a UI-only policy,
a robot space without a state). Used by ``tests/serving`` and ``benchmarks/serving.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from vla.serving.wire import dumps, require

__all__ = ["hostile_messages"]

Case = Callable[[np.random.Generator, dict[str, Any]], tuple[Any, str]]


def _arr(data: Any, dtype: Any, shape: Any) -> dict[bytes, Any]:
    return {b"__ndarray__": True, b"data": data, b"dtype": dtype, b"shape": shape}


def _random_bytes(rng: np.random.Generator, _v: dict) -> tuple[Any, str]:
    n = int(rng.integers(0, 300))
    data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    # 0xc1 is never valid msgpack: it guarantees that the bytes are not a well-formed map.
    return b"\xc1" + data if rng.random() < 0.5 else data + b"\xc1", "message"


def _text_frame(rng: np.random.Generator, _v: dict) -> tuple[Any, str]:
    return rng.choice(["{}", "hello", '{"image": 1}', ""]).item(), "message"


def _not_a_map(rng: np.random.Generator, _v: dict) -> tuple[Any, str]:
    values = [1, -5, 3.5, "image", [1, 2], None, True, b"\x00" * 10, [[{}]]]
    return values[int(rng.integers(len(values)))], "message"


def _truncated(rng: np.random.Generator, valid: dict) -> tuple[Any, str]:
    frame = dumps(valid)
    return frame[: int(rng.integers(1, len(frame)))], "message"


def _deep(rng: np.random.Generator, _v: dict) -> tuple[Any, str]:
    depth = int(rng.integers(200, 5000))
    return b"\x91" * depth + b"\x00", "message"  # fixarray of one element, nested


def _bad_keys(rng: np.random.Generator, valid: dict) -> tuple[Any, str]:
    msgpack, _ = require()
    msg = dict(valid)
    msg[int(rng.integers(0, 100))] = 1  # int keys are refused (strict_map_key)
    return msgpack.packb(msg, default=lambda o: _arr(o.tobytes(), o.dtype.str, list(o.shape))), (
        "message"
    )


def _unknown_field(rng: np.random.Generator, valid: dict) -> tuple[Any, str]:
    name = rng.choice(["images", "obs", "__ndarray__", "token", "x" * 300]).item()
    return {**valid, name: 1}, "message"


def _missing(rng: np.random.Generator, valid: dict) -> tuple[Any, str]:
    field = rng.choice(["image", "instruction"]).item()
    return {k: v for k, v in valid.items() if k != field}, field


def _bad_image(rng: np.random.Generator, valid: dict) -> tuple[Any, str]:
    h, w = valid["image"].shape[:2]
    good = valid["image"].tobytes()
    choices = [
        1, "img", [1, 2, 3], None, {b"__ndarray__": True},
        _arr(good, "|O", [h, w, 3]), _arr(good, "V8", [h, w, 3]), _arr(good, "<c8", [h, w, 3]),
        _arr(good, "(2,)f4", [h, w, 3]), _arr(good, 7, [h, w, 3]), _arr(good, "|u1", [h, w]),
        _arr(good, "|u1", [h, w, 3, 1]), _arr(good[:-1], "|u1", [h, w, 3]),
        _arr(good, "|u1", [h, -w, -3]), _arr(good, "|u1", [2**40, 1, 3]),
        _arr(good, "|u1", [float(h), w, 3]), _arr(good, "|u1", [1] * 20),
        _arr(good, "|u1", "shape"), _arr("text", "|u1", [1, 1, 3]), _arr(good, "<f4", [h, w, 3]),
        _arr(np.zeros((h, w, 4), np.uint8).tobytes(), "|u1", [h, w, 4]),
        _arr(np.zeros((h, w, 3), np.float32).tobytes(), "<f4", [h, w, 3]),
        _arr(b"", "|u1", [0, 0, 3]), _arr(b"\x00" * 3 * 5000, "|u1", [1, 5000, 3]),
        {b"__npgeneric__": True, b"data": 3, b"dtype": "|u1"},
    ]  # fmt: skip
    return {**valid, "image": choices[int(rng.integers(len(choices)))]}, "image"


def _bad_instruction(rng: np.random.Generator, valid: dict) -> tuple[Any, str]:
    choices = ["", "   ", 5, None, ["click"], b"click", "x" * 5000, {"text": "click"}]
    return {**valid, "instruction": choices[int(rng.integers(len(choices)))]}, "instruction"


def _bad_state(rng: np.random.Generator, valid: dict) -> tuple[Any, str]:
    choices = [
        "state", [1.0, "a"], [True, False], [], _arr(b"", "<f4", [0]),
        _arr(np.array([np.nan, 1], np.float32).tobytes(), "<f4", [2]),
        _arr(np.array([np.inf], np.float64).tobytes(), "<f8", [1]),
        _arr(np.zeros((2, 2), np.float32).tobytes(), "<f4", [2, 2]),
        _arr(np.zeros(2, np.float32).tobytes(), "<f4", [3]), [float("nan")],
        list(range(2000)), _arr(b"\x01\x00", "|b1", [2]),
    ]  # fmt: skip
    return {**valid, "state": choices[int(rng.integers(len(choices)))]}, "state"


def _bad_space(rng: np.random.Generator, valid: dict) -> tuple[Any, str]:
    choices = [
        "ui", 3, [], {}, {"kind": "arm"}, {"kind": "ui", "verbs": ["fly"]},
        {"kind": "ui", "verbs": []}, {"kind": "ui", "verbs": "click"},
        {"kind": "ui", "extra": 1}, {"kind": "robot", "action": "teleport", "n_joints": 7},
        {"kind": "robot", "action": "joint_target", "n_joints": 0},
        {"kind": "robot", "action": "joint_target", "n_joints": 10**9},
    ]  # fmt: skip
    return {**valid, "space": choices[int(rng.integers(len(choices)))]}, "space"


def _policy_mismatch(rng: np.random.Generator, valid: dict) -> tuple[Any, str]:
    """Valid on the wire but not for a UI-only policy (the checks of the served policy)."""
    if rng.random() < 0.5:
        return {**valid, "space": {"kind": "robot", "action": "ee_delta", "n_joints": 7}}, "state"
    state = _arr(np.zeros(4, np.float32).tobytes(), "<f4", [4])
    if rng.random() < 0.5:
        return {**valid, "state": state}, "space"
    space = {"kind": "robot", "action": "ee_delta", "n_joints": 7}
    return {**valid, "state": state, "space": space}, "space"


def _bad_id(rng: np.random.Generator, valid: dict) -> tuple[Any, str]:
    choices = [1.5, [1], {"a": 1}, "i" * 500, b"id", True, 2**64 - 1]
    return {**valid, "id": choices[int(rng.integers(len(choices)))]}, "id"


_CASES: tuple[Case, ...] = (
    _random_bytes, _text_frame, _not_a_map, _truncated, _deep, _bad_keys, _unknown_field,
    _missing, _bad_image, _bad_instruction, _bad_state, _bad_space, _policy_mismatch, _bad_id,
)  # fmt: skip


def hostile_messages(
    valid: dict[str, Any], n: int, seed: int = 0, ui_only: bool = True
) -> Iterator[tuple[bytes | str, str]]:
    """``n`` frames that a server must refuse, each with the field its error must name.

    Args:
        valid: a valid request (``image`` a numpy uint8 array, ``instruction`` a str) to break.
        n: how many frames.
        seed: the generator's seed (the same seed gives the same frames).
        ui_only: the served policy has no robot action space; with ``False`` the cases that rely
            on that are left out.
    """
    rng = np.random.default_rng(seed)
    cases = [c for c in _CASES if ui_only or c is not _policy_mismatch]
    base = {**valid, "image": _arr(valid["image"].tobytes(), "|u1", list(valid["image"].shape))}
    for _ in range(n):
        case = cases[int(rng.integers(len(cases)))]
        msg, field = case(rng, valid if case in (_truncated, _bad_keys, _bad_image) else base)
        if isinstance(msg, (bytes, str)):
            yield msg, field
        else:
            yield dumps(msg), field
