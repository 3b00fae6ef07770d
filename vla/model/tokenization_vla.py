"""The action tokenizer: instructions and :mod:`vla.actions` to token ids and back.

The ids themselves (special tokens, bytes, verbs, flags, keys, coordinate and value bins, pointer
tokens) are laid out in :mod:`vla.model.vocabulary_vla`. Action grammar (every sequence ends with
``EOS``)::

    click   VERB [right|middle] [x2|x3] X Y      (with a pointer: VERB [flags] PATCH CELL)
    drag    VERB X0 Y0 X1 Y1
    scroll  VERB X Y DX DY
    type    VERB byte{1..max_text_bytes}
    key     VERB key{1..max_keys}        (modifiers first, in ``MODIFIERS`` order, no repeats)
    wait    VERB          done  VERB
    robot   VERB value{chunk_size * dims}

Coordinates are normalised by the size of the image the policy saw (``image_size = (width,
height)``, like ``vla.envs.spaces.ActionSpace``) and decode to their bin centre, so
``decode(encode(a))`` equals ``a`` within half a bin (a pointer click: within half a cell); see
:mod:`vla.model.vocabulary_vla` for the bins, the pointer and the robot statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vla.actions import (
    KEY_NAMES,
    ROBOT_VERBS,
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
from vla.model.vocabulary_vla import BOS as BOS
from vla.model.vocabulary_vla import (
    BYTE_OFFSET,
    EOS,
    FLAG_OFFSET,
    FLAGS,
    KEY_OFFSET,
    VERB_OFFSET,
    VERBS,
    ActionVocabulary,
)
from vla.model.vocabulary_vla import N_SPECIAL as N_SPECIAL
from vla.model.vocabulary_vla import PAD as PAD
from vla.model.vocabulary_vla import PLACEHOLDER as PLACEHOLDER
from vla.model.vocabulary_vla import SEP as SEP
from vla.model.vocabulary_vla import STATS_KEYS as STATS_KEYS
from vla.model.vocabulary_vla import TOKENIZER_FILE as TOKENIZER_FILE

# The ``X as X`` imports re-export id constants that callers have always imported from here.
__all__ = ["ActionTokenizer"]


class ActionTokenizer(ActionVocabulary):
    """Maps instructions and :mod:`vla.actions` to token ids and back (grammar in the module doc).

    Args: as :class:`~vla.model.vocabulary_vla.ActionVocabulary` (``coord_bins``, ``value_bins``,
    ``max_text_bytes``, ``max_keys``, ``scroll_range``, ``chunk_size``).
    """

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
        return verb + self._encode_ui_args(action, image_size) + [EOS]  # type: ignore[arg-type]

    def _encode_ui_args(self, action: Action, image_size: tuple[int, int] | None) -> list[int]:
        w, h = image_size if image_size is not None else (1, 1)
        if w <= 0 or h <= 0:
            raise ValueError(f"image_size must be (width, height) > 0; got {image_size!r}")
        if isinstance(action, Click):
            flags = [self.flag_id(action.button)] if action.button != "left" else []
            flags += [self.flag_id(f"x{action.count}")] if action.count != 1 else []
            if self.grid is not None:
                return [*flags, *self._point(action.x, action.y, (w, h))]
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

    def _encode_robot(self, actions: list[Any]) -> list[int]:
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
            button: Any = next((f for f in flags if f in ("right", "middle")), "left")
            count = next((int(f[1]) for f in flags if f in ("x2", "x3")), 1)
            if self.grid is not None:
                self._expect_pointer(rest)
                return Click(*self._unpoint(rest[0], rest[1], (w, h)), button, count)
            self._expect(verb, rest, 2, coords=2)
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
            if isinstance(t, int) and not self.value_offset <= t < self.patch_offset:
                raise ValueError(f"{verb} argument {i} must be a value bin; got token {t}")

    def _expect_pointer(self, args: Sequence[int]) -> None:
        if len(args) != 2:
            raise ValueError(f"click expects a patch and a cell token; got {len(args)}: {args!r}")
        if not self.patch_offset <= args[0] < self.cell_offset:
            raise ValueError(f"click argument 0 must be a patch token; got token {args[0]}")
        if not self.cell_offset <= args[1] < self.vocab_size:
            raise ValueError(f"click argument 1 must be a cell token; got token {args[1]}")

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


def action_xy(action: Drag) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` of a drag."""
    return action.x0, action.y0, action.x1, action.y1
