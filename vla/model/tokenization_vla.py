"""The action tokenizer: one vocabulary for instruction bytes and typed actions.

Token id layout (``ActionTokenizer(coord_bins=C, value_bins=V)``; ``K = len(KEY_NAMES)``):

==========================  ===========================  ==================================
ids                         tokens                       used for
==========================  ===========================  ==================================
0 .. 7                      ``PAD BOS EOS SEP`` + 4 free  padding, start, end of action, end
                                                         of instruction
8 .. 263                    256 bytes                    instruction text and ``Type.text``
                                                         (UTF-8)
264 .. 272                  9 verbs                      ``UI_VERBS + ROBOT_VERBS`` in order
273 .. 276                  ``right middle x2 x3``       non-default ``Click.button``/``count``
277 .. 277+K-1              key names                    ``Key.keys`` (``vla.actions.KEY_NAMES``)
``KEY_END`` .. +C-1         coordinate bins              UI pixel coordinates
``COORD_END`` .. +V-1       value bins                   robot values and scroll deltas
==========================  ===========================  ==================================

``action_token_ids`` (verbs .. value bins, plus ``EOS``) are the tokens the model is trained to
emit; everything else is input. Action grammar (every sequence ends with ``EOS``)::

    click   VERB [right|middle] [x2|x3] X Y
    drag    VERB X0 Y0 X1 Y1
    scroll  VERB X Y DX DY
    type    VERB byte{1..max_text_bytes}
    key     VERB key{1..max_keys}        (modifiers first, in ``MODIFIERS`` order, no repeats)
    wait    VERB          done  VERB
    robot   VERB value{chunk_size * dims}

Coordinates are normalised by the size of the image the policy saw (``image_size = (width,
height)``, like ``vla.envs.spaces.ActionSpace``) and quantised into ``coord_bins`` uniform bins;
a bin decodes to its centre. 1024 bins give 1.9 px on a 1920-px axis. Scroll deltas use the value
bins over the fixed range ``[-scroll_range, scroll_range]`` pixels (default 1000: 7.8 px bins).
Robot values are normalised per dimension to [-1, 1] with the dataset's 1st/99th percentiles
(``q01``/``q99`` of ``meta/stats.json``, as OpenVLA does) and quantised into ``value_bins`` bins.
Out-of-range values are clipped and counted in :attr:`ActionTokenizer.clip_counts`, never raised.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vla.actions import (
    KEY_NAMES,
    ROBOT_VERBS,
    UI_VERBS,
    Action,
    Click,
    Done,
    Drag,
    EEDelta,
    JointTarget,
    Key,
    RobotSpace,
    Scroll,
    Type,
    Wait,
)

__all__ = ["ActionTokenizer"]

PAD, BOS, EOS, SEP = 0, 1, 2, 3
N_SPECIAL = 8
BYTE_OFFSET = N_SPECIAL
VERBS: tuple[str, ...] = UI_VERBS + ROBOT_VERBS
VERB_OFFSET = BYTE_OFFSET + 256
FLAG_OFFSET = VERB_OFFSET + len(VERBS)
FLAGS = ("right", "middle", "x2", "x3")  # non-default Click.button / Click.count
KEY_OFFSET = FLAG_OFFSET + len(FLAGS)
STATS_KEYS = {"ee_delta": "action.ee_delta", "joint_target": "action.joint_target"}
TOKENIZER_FILE = "action_tokenizer.json"


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"Got {value!r} for `{name}`; it must be an int >= {low}")
    return value


class ActionTokenizer:
    """Maps instructions and :mod:`vla.actions` to token ids and back (layout in the module doc).

    Args:
        coord_bins: bins per image axis for UI coordinates (>= 2).
        value_bins: bins per continuous robot dimension and scroll delta (>= 2).
        max_text_bytes: longest ``Type.text`` in UTF-8 bytes; longer text is cut and counted.
        max_keys: most keys in one ``Key`` chord.
        scroll_range: scroll deltas are quantised over ``[-scroll_range, scroll_range]`` pixels.
        chunk_size: robot actions per decoded sequence (action chunking; 1 = none).
    """

    def __init__(
        self,
        coord_bins: int = 1024,
        value_bins: int = 256,
        max_text_bytes: int = 64,
        max_keys: int = 4,
        scroll_range: float = 1000.0,
        chunk_size: int = 1,
    ) -> None:
        self.coord_bins = _check_int("coord_bins", coord_bins, 2)
        self.value_bins = _check_int("value_bins", value_bins, 2)
        self.max_text_bytes = _check_int("max_text_bytes", max_text_bytes, 1)
        self.max_keys = _check_int("max_keys", max_keys, 1)
        self.chunk_size = _check_int("chunk_size", chunk_size, 1)
        if not (isinstance(scroll_range, (int, float)) and math.isfinite(scroll_range)) or (
            scroll_range <= 0
        ):
            raise ValueError(f"Got {scroll_range!r} for `scroll_range`; it must be > 0")
        self.scroll_range = float(scroll_range)
        self.coord_offset = KEY_OFFSET + len(KEY_NAMES)
        self.value_offset = self.coord_offset + self.coord_bins
        self.vocab_size = self.value_offset + self.value_bins
        self.stats: dict[str, dict[str, Any]] = {}
        self.clip_counts: dict[str, int] = {
            "coord": 0,
            "scroll": 0,
            "value": 0,
            "text": 0,
            "keys": 0,
        }

    # ------------------------------------------------------------------ vocabulary helpers

    pad_id, bos_id, eos_id, sep_id = PAD, BOS, EOS, SEP

    def verb_id(self, verb: str) -> int:
        """Token id of an action verb (``"click"``, ``"ee_delta"`` ...)."""
        if verb not in VERBS:
            raise ValueError(f"unknown verb {verb!r}; known verbs: {VERBS}")
        return VERB_OFFSET + VERBS.index(verb)

    def flag_id(self, flag: str) -> int:
        """Token id of a click flag: ``"right"``, ``"middle"``, ``"x2"`` or ``"x3"``."""
        return FLAG_OFFSET + FLAGS.index(flag)

    def key_id(self, key: str) -> int:
        """Token id of a key name from ``vla.actions.KEY_NAMES``."""
        return KEY_OFFSET + KEY_NAMES.index(key)

    @property
    def action_token_range(self) -> tuple[int, int]:
        """``[start, stop)`` of the action tokens (verbs to the last value bin); EOS is id 2."""
        return VERB_OFFSET, self.vocab_size

    def encode_text(self, text: str, max_bytes: int | None = None) -> list[int]:
        """UTF-8 byte tokens of ``text``, cut to ``max_bytes`` at a character boundary."""
        if not isinstance(text, str):
            raise ValueError(f"text must be a str; got {type(text).__name__} {text!r}")
        data = text.encode("utf-8")
        if max_bytes is not None and len(data) > max_bytes:
            data = data[:max_bytes].decode("utf-8", errors="ignore").encode("utf-8")
        return [BYTE_OFFSET + b for b in data]

    def decode_text(self, ids: Sequence[int]) -> str:
        """Inverse of :meth:`encode_text` (invalid UTF-8 becomes U+FFFD)."""
        return bytes(int(i) - BYTE_OFFSET for i in ids).decode("utf-8", errors="replace")

    # ---------------------------------------------------------------------- statistics

    def set_stats(self, stats: dict[str, Any]) -> None:
        """Use a dataset's ``meta/stats.json`` dict to normalise robot values (q01/q99 per dim)."""
        if not isinstance(stats, dict):
            raise ValueError(
                f"stats must be the dict of meta/stats.json; got {type(stats).__name__}"
            )
        out: dict[str, dict[str, Any]] = {}
        for key, entry in stats.items():
            if not isinstance(entry, dict):
                raise ValueError(f"stats[{key!r}] must be a dict; got {entry!r}")
            low = entry.get("q01", entry.get("min"))
            high = entry.get("q99", entry.get("max"))
            if low is None or high is None or len(low) != len(high):
                raise ValueError(f"stats[{key!r}] needs q01 and q99 lists of equal length")
            out[key] = {
                k: list(map(float, v)) if isinstance(v, list) else v for k, v in entry.items()
            }
        self.stats = out

    def bounds(self, space: RobotSpace) -> tuple[list[float], list[float]]:
        """Per-dimension ``(low, high)`` normalisation bounds for a robot action space."""
        key = STATS_KEYS[space.action]
        if key not in self.stats:
            raise ValueError(
                f"no statistics for {key!r}: call ActionTokenizer.set_stats(meta/stats.json) "
                f"before encoding {space.action} actions (have: {sorted(self.stats)})"
            )
        entry = self.stats[key]
        low = entry.get("q01", entry.get("min"))
        high = entry.get("q99", entry.get("max"))
        if len(low) != space.dims:
            raise ValueError(f"stats[{key!r}] has {len(low)} dims; {space!r} needs {space.dims}")
        high = [h if h - lo > 1e-8 else lo + 1e-8 for lo, h in zip(low, high, strict=False)]
        return list(low), high

    # ------------------------------------------------------------------- quantisation

    def _bin(self, u: float, n: int, kind: str) -> int:
        """Bin of ``u`` in [0, 1] among ``n``; outside values are clipped and counted."""
        if u < 0.0 or u > 1.0:
            self.clip_counts[kind] += 1
        return min(max(math.floor(u * n), 0), n - 1)

    def _coord(self, value: float, size: int) -> int:
        return self.coord_offset + self._bin(value / size, self.coord_bins, "coord")

    def _uncoord(self, token: int, size: int) -> float:
        return (token - self.coord_offset + 0.5) / self.coord_bins * size

    def _value(self, value: float, low: float, high: float, kind: str = "value") -> int:
        return self.value_offset + self._bin((value - low) / (high - low), self.value_bins, kind)

    def _unvalue(self, token: int, low: float, high: float) -> float:
        return low + (token - self.value_offset + 0.5) / self.value_bins * (high - low)

    # ------------------------------------------------------------------------ encode

    def encode(
        self, action: Action | Sequence[Action], image_size: tuple[int, int] | None = None
    ) -> list[int]:
        """Token ids of one action, ``EOS`` included.

        Args:
            action: a UI or robot action, or ``chunk_size`` robot actions of one kind.
            image_size: ``(width, height)`` in pixels of the image the policy saw (UI actions).
        """
        if isinstance(action, (list, tuple)):
            return self._encode_robot(list(action))
        if isinstance(action, (EEDelta, JointTarget)):
            return self._encode_robot([action])
        if image_size is None and isinstance(action, (Click, Drag, Scroll)):
            raise ValueError(f"encoding {type(action).__name__} needs image_size=(width, height)")
        verb = [self.verb_id(getattr(action, "verb", ""))] if hasattr(action, "verb") else []
        if not verb:
            raise ValueError(f"encode expects a vla.actions action; got {action!r}")
        return verb + self._encode_ui_args(action, image_size) + [EOS]

    def _encode_ui_args(self, action: Action, image_size: tuple[int, int] | None) -> list[int]:
        w, h = image_size if image_size is not None else (1, 1)
        if w <= 0 or h <= 0:
            raise ValueError(f"image_size must be (width, height) > 0; got {image_size!r}")
        if isinstance(action, Click):
            flags = [self.flag_id(action.button)] if action.button != "left" else []
            flags += [self.flag_id(f"x{action.count}")] if action.count != 1 else []
            return [*flags, self._coord(action.x, w), self._coord(action.y, h)]
        if isinstance(action, Drag):
            return [
                self._coord(v, s) for v, s in zip(action_xy(action), (w, h, w, h), strict=False)
            ]
        if isinstance(action, Scroll):
            r = self.scroll_range
            deltas = [self._value(d, -r, r, "scroll") for d in (action.dx, action.dy)]
            return [self._coord(action.x, w), self._coord(action.y, h), *deltas]
        if isinstance(action, Type):
            ids = self.encode_text(action.text, self.max_text_bytes)
            if len(ids) < len(action.text.encode("utf-8")):
                self.clip_counts["text"] += 1
            return ids
        if isinstance(action, Key):
            if len(action.keys) > self.max_keys:
                self.clip_counts["keys"] += 1
            return [self.key_id(k) for k in action.keys[: self.max_keys]]
        if isinstance(action, (Wait, Done)):
            return []
        raise ValueError(f"encode expects a vla.actions action; got {action!r}")

    def _encode_robot(self, actions: list[Action]) -> list[int]:
        if len(actions) != self.chunk_size:
            raise ValueError(
                f"expected a chunk of {self.chunk_size} robot action(s); got {len(actions)}"
            )
        kinds = {type(a) for a in actions}
        if len(kinds) != 1 or not kinds <= {EEDelta, JointTarget}:
            raise ValueError(f"a robot chunk must hold actions of one robot type; got {kinds}")
        first = actions[0]
        n = len(first.positions) if isinstance(first, JointTarget) else 7
        space = RobotSpace(first.verb, n_joints=n)  # type: ignore[arg-type]
        low, high = self.bounds(space)
        ids = [self.verb_id(first.verb)]
        for a in actions:
            if len(a.vector) != space.dims:
                raise ValueError(f"chunk mixes joint counts: {len(a.vector)} vs {space.dims}")
            ids += [self._value(v, lo, hi) for v, lo, hi in zip(a.vector, low, high, strict=False)]
        return [*ids, EOS]

    # ------------------------------------------------------------------------ decode

    def decode(
        self,
        tokens: Sequence[int],
        image_size: tuple[int, int] | None = None,
        space: RobotSpace | None = None,
    ) -> Action:
        """Parse token ids (as produced by :meth:`encode`) into an action.

        Returns the first action of a robot chunk; see :meth:`decode_chunk` for all of them.
        ``space`` gives the joint count of ``joint_target`` (inferred from stats if omitted).
        Raises ``ValueError`` naming the position of a token that breaks the grammar.
        """
        return self.decode_chunk(tokens, image_size, space)[0]

    def decode_chunk(
        self,
        tokens: Sequence[int],
        image_size: tuple[int, int] | None = None,
        space: RobotSpace | None = None,
    ) -> list[Action]:
        """Like :meth:`decode` but returns every action of the sequence (``chunk_size`` for robots)."""
        ids = [int(t) for t in tokens]
        if ids and ids[-1] == EOS:
            ids = ids[:-1]
        if not ids or not VERB_OFFSET <= ids[0] < FLAG_OFFSET:
            raise ValueError(f"action tokens must start with a verb; got {tokens!r}")
        verb, args = VERBS[ids[0] - VERB_OFFSET], ids[1:]
        if verb in ROBOT_VERBS:
            return self._decode_robot(verb, args, space)
        return [self._decode_ui(verb, args, image_size)]

    def _decode_ui(self, verb: str, args: list[int], image_size: tuple[int, int] | None) -> Action:
        if verb in ("wait", "done"):
            self._expect(verb, args, 0)
            return Wait() if verb == "wait" else Done()
        if verb == "type":
            if not all(BYTE_OFFSET <= t < VERB_OFFSET for t in args) or not args:
                raise ValueError(f"type expects 1+ byte tokens; got {args!r}")
            return Type(self.decode_text(args))
        if verb == "key":
            names = [KEY_NAMES[t - KEY_OFFSET] for t in args if KEY_OFFSET <= t < self.coord_offset]
            self._expect(verb, names, len(args))
            return Key(tuple(names))
        if image_size is None:
            raise ValueError(f"decoding {verb} needs image_size=(width, height)")
        w, h = image_size
        flags = [FLAGS[t - FLAG_OFFSET] for t in args if FLAG_OFFSET <= t < KEY_OFFSET]
        rest = args[len(flags) :]
        if verb == "click":
            self._expect(verb, rest, 2, coords=2)
            button = next((f for f in flags if f in ("right", "middle")), "left")
            count = next((int(f[1]) for f in flags if f in ("x2", "x3")), 1)
            return Click(self._uncoord(rest[0], w), self._uncoord(rest[1], h), button, count)
        if verb == "drag":
            self._expect(verb, rest, 4, coords=4)
            return Drag(*(self._uncoord(t, s) for t, s in zip(rest, (w, h, w, h), strict=False)))
        self._expect(verb, rest, 4, coords=2)
        r = self.scroll_range
        dx, dy = (self._unvalue(t, -r, r) for t in rest[2:])
        return Scroll(self._uncoord(rest[0], w), self._uncoord(rest[1], h), dx, dy)

    def _expect(self, verb: str, args: Sequence[Any], n: int, coords: int = 0) -> None:
        if len(args) != n:
            raise ValueError(f"{verb} expects {n} argument token(s); got {len(args)}: {args!r}")
        for i, t in enumerate(args[:coords]):
            if not self.coord_offset <= t < self.value_offset:
                raise ValueError(f"{verb} argument {i} must be a coordinate bin; got token {t}")
        for i, t in enumerate(args[coords:], start=coords):
            if isinstance(t, int) and not self.value_offset <= t < self.vocab_size:
                raise ValueError(f"{verb} argument {i} must be a value bin; got token {t}")

    def _decode_robot(self, verb: str, args: list[int], space: RobotSpace | None) -> list[Action]:
        if space is None or space.action != verb:
            space = self.robot_space(verb)
        low, high = self.bounds(space)
        d = space.dims
        self._expect(verb, args, d * self.chunk_size, coords=0)
        out: list[Action] = []
        for c in range(self.chunk_size):
            vals = [
                self._unvalue(t, lo, hi)
                for t, lo, hi in zip(args[c * d :], low, high, strict=False)
            ]
            vals[-1] = min(max(vals[-1], 0.0), 1.0)  # gripper opening lives in [0, 1]
            out.append(space.from_vector(vals))
        return out

    def robot_space(self, verb: str | None = None) -> RobotSpace:
        """The robot action space implied by the statistics (``verb`` picks one if both exist)."""
        verbs = [v for v in ROBOT_VERBS if STATS_KEYS[v] in self.stats and verb in (None, v)]
        if not verbs:
            raise ValueError(
                f"no robot action statistics (want {verb or ROBOT_VERBS}); call set_stats"
            )
        dims = len(
            self.stats[STATS_KEYS[verbs[0]]].get("q01", self.stats[STATS_KEYS[verbs[0]]].get("min"))
        )
        return RobotSpace(verbs[0], n_joints=dims - 1 if verbs[0] == "joint_target" else 7)  # type: ignore[arg-type]

    # ------------------------------------------------------------------- persistence

    def to_dict(self) -> dict[str, Any]:
        """Constructor arguments and statistics, JSON-serialisable."""
        return {
            "coord_bins": self.coord_bins,
            "value_bins": self.value_bins,
            "max_text_bytes": self.max_text_bytes,
            "max_keys": self.max_keys,
            "scroll_range": self.scroll_range,
            "chunk_size": self.chunk_size,
            "stats": self.stats,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ActionTokenizer:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        stats = data.pop("stats", {})
        tok = cls(**data)
        if stats:
            tok.set_stats(stats)
        return tok

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``action_tokenizer.json`` (arguments + statistics) into ``directory``."""
        path = Path(directory) / TOKENIZER_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1))
        return path

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> ActionTokenizer:
        """Load what :meth:`save_pretrained` wrote."""
        path = Path(directory) / TOKENIZER_FILE
        if not path.is_file():
            raise FileNotFoundError(f"no {TOKENIZER_FILE} in {directory}")
        return cls.from_dict(json.loads(path.read_text()))

    def __repr__(self) -> str:
        return (
            f"ActionTokenizer(coord_bins={self.coord_bins}, value_bins={self.value_bins}, "
            f"vocab_size={self.vocab_size}, stats={sorted(self.stats)})"
        )


def action_xy(action: Drag) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` of a drag."""
    return action.x0, action.y0, action.x1, action.y1
