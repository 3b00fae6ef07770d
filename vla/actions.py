"""The typed action language shared by every env, controller, dataset and the model.

Every action is a frozen dataclass that validates itself on construction and raises
``ValueError`` naming the field and the offending value. This module imports nothing of the
project, so anything may import it.

Units and frames:

* UI actions (:class:`Click`, :class:`Drag`, :class:`Scroll`, :class:`Type`, :class:`Key`,
  :class:`Wait`, :class:`Done`) carry coordinates in **pixels of the image the policy saw**,
  origin at the top-left, x to the right, y down. The env maps them to page or screen
  coordinates; nothing else does.
* Robot actions (:class:`EEDelta`, :class:`JointTarget`) are in the robot base frame: metres
  and radians. ``gripper`` is the commanded opening in [0, 1]: 0 closed, 1 fully open.

Text: :class:`Type` ``text`` is 1 to 256 characters of printable text plus ``"\n"`` (Enter)
and ``"\t"`` (Tab). Every other C0 control character (U+0000 to U+001F, ``"\r"`` included:
a line break is ``"\n"``), DEL (U+007F), the C1 controls (U+0080 to U+009F) and lone
surrogates (U+D800 to U+DFFF, which cannot be encoded as UTF-8) are refused with a
``ValueError`` naming the code point and its index: they are keystrokes no keyboard types
(escape sequences, NUL), not text. Any other Unicode character (accents, CJK, emoji, zero-width
joiners) is allowed; whether a controller can type it is the controller's report.

Actions round-trip through plain dicts (:func:`to_dict` / :func:`from_dict`), which is how
datasets store them: typed, never as token ids.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar, Literal, Union

__all__ = [
    "KEY_NAMES",
    "MODIFIERS",
    "ROBOT_VERBS",
    "TYPE_FORBIDDEN",
    "UI_VERBS",
    "Action",
    "Click",
    "Done",
    "Drag",
    "EEDelta",
    "JointTarget",
    "Key",
    "RobotSpace",
    "Scroll",
    "Type",
    "UISpace",
    "Wait",
    "action_points",
    "from_dict",
    "to_dict",
]

MODIFIERS = ("Control", "Shift", "Alt", "Meta")
_NAMED_KEYS = (
    "Enter", "Tab", "Escape", "Backspace", "Delete", "Space", "Insert",
    "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown",
    *(f"F{i}" for i in range(1, 13)),
)  # fmt: skip
_CHAR_KEYS = tuple(string.ascii_lowercase + string.digits + "`-=[]\\;',./")
#: Every key name a :class:`Key` action may press. Names follow Playwright's ``keyboard.press``.
KEY_NAMES: tuple[str, ...] = MODIFIERS + _NAMED_KEYS + _CHAR_KEYS
_KEY_SET = frozenset(KEY_NAMES)
MAX_TEXT_LENGTH = 256
#: Characters :class:`Type` refuses: C0 controls but Tab and Line Feed, DEL, C1, surrogates.
TYPE_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _finite(cls: str, name: str, value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{cls}.{name} must be a number; got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{cls}.{name} must be finite; got {value!r}")
    return out


def _pixel(cls: str, name: str, value: Any) -> float:
    out = _finite(cls, name, value)
    if out < 0:
        raise ValueError(f"{cls}.{name} is a pixel coordinate and must be >= 0; got {value!r}")
    return out


def _vector(cls: str, name: str, value: Any, length: int | None) -> tuple[float, ...]:
    items: Any = value
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, *_array_types())):
        raise ValueError(f"{cls}.{name} must be a sequence of numbers; got {value!r}")
    out = tuple(_finite(cls, f"{name}[{i}]", v) for i, v in enumerate(items))
    if length is not None and len(out) != length:
        raise ValueError(f"{cls}.{name} must have {length} values; got {len(out)}: {value!r}")
    if not out:
        raise ValueError(f"{cls}.{name} must not be empty")
    return out


def _array_types() -> tuple[type, ...]:
    try:  # numpy is optional here: this module imports nothing heavy
        import numpy as np

        return (np.ndarray,)
    except ImportError:  # pragma: no cover
        return ()


def _gripper(cls: str, value: Any) -> float:
    out = _finite(cls, "gripper", value)
    if not 0.0 <= out <= 1.0:
        raise ValueError(f"{cls}.gripper is an opening in [0, 1] (0 closed, 1 open); got {value!r}")
    return out


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)  # normalising a frozen dataclass field


# ----------------------------------------------------------------------------- UI actions


@dataclass(frozen=True)
class Click:
    """Press and release a mouse button at pixel ``(x, y)``; ``count`` 2 is a double click."""

    x: float
    y: float
    button: Literal["left", "right", "middle"] = "left"
    count: int = 1
    verb: ClassVar[str] = "click"

    def __post_init__(self) -> None:
        _set(self, "x", _pixel("Click", "x", self.x))
        _set(self, "y", _pixel("Click", "y", self.y))
        if self.button not in ("left", "right", "middle"):
            raise ValueError(
                f"Click.button must be 'left', 'right' or 'middle'; got {self.button!r}"
            )
        if isinstance(self.count, bool) or self.count not in (1, 2, 3):
            raise ValueError(f"Click.count must be 1, 2 or 3; got {self.count!r}")
        _set(self, "count", int(self.count))


@dataclass(frozen=True)
class Drag:
    """Press the left button at ``(x0, y0)``, move to ``(x1, y1)`` and release."""

    x0: float
    y0: float
    x1: float
    y1: float
    verb: ClassVar[str] = "drag"

    def __post_init__(self) -> None:
        for name in ("x0", "y0", "x1", "y1"):
            _set(self, name, _pixel("Drag", name, getattr(self, name)))


@dataclass(frozen=True)
class Scroll:
    """Scroll the wheel by ``(dx, dy)`` pixels with the pointer at ``(x, y)``; dy > 0 scrolls down."""

    x: float
    y: float
    dx: float = 0.0
    dy: float = 0.0
    verb: ClassVar[str] = "scroll"

    def __post_init__(self) -> None:
        _set(self, "x", _pixel("Scroll", "x", self.x))
        _set(self, "y", _pixel("Scroll", "y", self.y))
        _set(self, "dx", _finite("Scroll", "dx", self.dx))
        _set(self, "dy", _finite("Scroll", "dy", self.dy))


@dataclass(frozen=True)
class Type:
    """Type ``text`` into whatever has keyboard focus: 1 to 256 characters of printable
    text, ``"\n"`` and ``"\t"`` (see the module docstring for what is refused)."""

    text: str
    verb: ClassVar[str] = "type"

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise ValueError(
                f"Type.text must be a str; got {type(self.text).__name__} {self.text!r}"
            )
        if not 1 <= len(self.text) <= MAX_TEXT_LENGTH:
            raise ValueError(
                f"Type.text must have 1 to {MAX_TEXT_LENGTH} characters; got {len(self.text)}"
            )
        bad = TYPE_FORBIDDEN.search(self.text)
        if bad:
            raise ValueError(
                f"Type.text may hold printable text, '\\n' and '\\t' only; got "
                f"U+{ord(bad.group()):04X} at index {bad.start()}"
            )


@dataclass(frozen=True)
class Key:
    """Press a key or a chord: ``Key("Enter")``, ``Key("Control+a")`` or ``Key(("Control", "a"))``.

    ``keys`` is normalised to a tuple of names from :data:`KEY_NAMES`, modifiers first.
    """

    keys: tuple[str, ...]
    verb: ClassVar[str] = "key"

    def __post_init__(self) -> None:
        keys = self.keys
        if isinstance(keys, str):
            keys = tuple(keys.split("+")) if keys != "+" else ("+",)
        if not isinstance(keys, (tuple, list)) or not keys:
            raise ValueError(
                f"Key.keys must be a key name or a non-empty tuple of them; got {self.keys!r}"
            )
        keys = tuple(k.lower() if isinstance(k, str) and len(k) == 1 else k for k in keys)
        unknown = [k for k in keys if k not in _KEY_SET]
        if unknown:
            raise ValueError(
                f"Key.keys has unknown key(s) {unknown!r}; known keys are vla.actions.KEY_NAMES"
            )
        if len(set(keys)) != len(keys):
            raise ValueError(f"Key.keys repeats a key: {keys!r}")
        mods = tuple(k for k in MODIFIERS if k in keys)
        _set(self, "keys", mods + tuple(k for k in keys if k not in MODIFIERS))

    @property
    def combo(self) -> str:
        """The chord as Playwright spells it, e.g. ``"Control+a"``."""
        return "+".join(self.keys)


@dataclass(frozen=True)
class Wait:
    """Do nothing for one step (let the page or the world settle)."""

    verb: ClassVar[str] = "wait"


@dataclass(frozen=True)
class Done:
    """Declare the task finished; envs end the episode."""

    verb: ClassVar[str] = "done"


# -------------------------------------------------------------------------- robot actions


@dataclass(frozen=True)
class EEDelta:
    """Move the end effector by ``xyz`` metres and ``rpy`` radians (base frame) and set the gripper."""

    xyz: tuple[float, float, float]
    rpy: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gripper: float = 1.0
    verb: ClassVar[str] = "ee_delta"

    def __post_init__(self) -> None:
        _set(self, "xyz", _vector("EEDelta", "xyz", self.xyz, 3))
        _set(self, "rpy", _vector("EEDelta", "rpy", self.rpy, 3))
        _set(self, "gripper", _gripper("EEDelta", self.gripper))

    @property
    def vector(self) -> tuple[float, ...]:
        """``(dx, dy, dz, droll, dpitch, dyaw, gripper)``: the 7 continuous dimensions."""
        return (*self.xyz, *self.rpy, self.gripper)


@dataclass(frozen=True)
class JointTarget:
    """Drive the arm joints to absolute ``positions`` (radians) and set the gripper."""

    positions: tuple[float, ...] = field(default=())
    gripper: float = 1.0
    verb: ClassVar[str] = "joint_target"

    def __post_init__(self) -> None:
        _set(self, "positions", _vector("JointTarget", "positions", self.positions, None))
        _set(self, "gripper", _gripper("JointTarget", self.gripper))

    @property
    def vector(self) -> tuple[float, ...]:
        """``(*positions, gripper)``: the continuous dimensions."""
        return (*self.positions, self.gripper)


Action = Union[Click, Drag, Scroll, Type, Key, Wait, Done, EEDelta, JointTarget]  # noqa: UP007
UI_ACTIONS: tuple[Any, ...] = (Click, Drag, Scroll, Type, Key, Wait, Done)
ROBOT_ACTIONS: tuple[Any, ...] = (EEDelta, JointTarget)
UI_VERBS: tuple[str, ...] = tuple(c.verb for c in UI_ACTIONS)
ROBOT_VERBS: tuple[str, ...] = tuple(c.verb for c in ROBOT_ACTIONS)
_BY_VERB: dict[str, Any] = {c.verb: c for c in UI_ACTIONS + ROBOT_ACTIONS}
#: The ``(x, y)`` field pairs of every action type that acts at pixels.
POINT_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {
    Click: (("x", "y"),), Scroll: (("x", "y"),), Drag: (("x0", "y0"), ("x1", "y1"))
}  # fmt: skip


def action_points(action: Action) -> list[tuple[float, float]]:
    """The pixels a UI action acts at (a click's or scroll's point, a drag's ends), or none."""
    return [(getattr(action, x), getattr(action, y)) for x, y in POINT_FIELDS.get(type(action), ())]


# ------------------------------------------------------------------------- action spaces


@dataclass(frozen=True)
class UISpace:
    """The UI action space: which verbs an env accepts. Coordinates are bounded by the image."""

    verbs: tuple[str, ...] = UI_VERBS
    kind: ClassVar[str] = "ui"

    def __post_init__(self) -> None:
        bad = [v for v in self.verbs if v not in UI_VERBS]
        if bad or not self.verbs:
            raise ValueError(
                f"UISpace.verbs must be a non-empty subset of {UI_VERBS}; got {self.verbs!r}"
            )
        _set(self, "verbs", tuple(self.verbs))


@dataclass(frozen=True)
class RobotSpace:
    """A robot action space: ``action`` is ``"ee_delta"`` (7 dims) or ``"joint_target"`` (n_joints + 1)."""

    action: Literal["ee_delta", "joint_target"] = "ee_delta"
    n_joints: int = 7
    kind: ClassVar[str] = "robot"

    def __post_init__(self) -> None:
        if self.action not in ROBOT_VERBS:
            raise ValueError(f"RobotSpace.action must be one of {ROBOT_VERBS}; got {self.action!r}")
        if not isinstance(self.n_joints, int) or self.n_joints < 1:
            raise ValueError(f"RobotSpace.n_joints must be an int >= 1; got {self.n_joints!r}")

    @property
    def dims(self) -> int:
        """Number of continuous dimensions, gripper included."""
        return 7 if self.action == "ee_delta" else self.n_joints + 1

    def from_vector(self, values: Sequence[float]) -> EEDelta | JointTarget:
        """Build the action from its :attr:`dims` continuous values (gripper last)."""
        if len(values) != self.dims:
            raise ValueError(
                f"RobotSpace({self.action}) needs {self.dims} values; got {len(values)}"
            )
        v = [float(x) for x in values]
        if self.action == "ee_delta":
            return EEDelta(xyz=(v[0], v[1], v[2]), rpy=(v[3], v[4], v[5]), gripper=v[6])
        return JointTarget(positions=tuple(v[:-1]), gripper=v[-1])


# ------------------------------------------------------------------------ serialisation


def to_dict(action: Action) -> dict[str, Any]:
    """``{"verb": ..., <field>: <value>}`` with tuples as lists: JSON- and Parquet-friendly."""
    if type(action) not in _BY_VERB.values():
        raise ValueError(f"to_dict expects a vla.actions action; got {type(action).__name__}")
    out: dict[str, Any] = {"verb": action.verb}
    for f in fields(action):
        value = getattr(action, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def from_dict(data: dict[str, Any]) -> Action:
    """Inverse of :func:`to_dict`. Keys whose value is ``None`` are ignored (sparse columns).

    Raises ``ValueError`` naming the verb and the fields when a required field is missing or a
    field the verb does not have is given (with a value other than ``None``).
    """
    if not isinstance(data, dict) or "verb" not in data:
        raise ValueError(f"from_dict expects a dict with a 'verb' key; got {data!r}")
    verb = data["verb"]
    cls = _BY_VERB.get(verb) if isinstance(verb, str) else None
    if cls is None:
        raise ValueError(f"unknown action verb {verb!r}; known verbs: {sorted(_BY_VERB)}")
    kwargs = {k: v for k, v in data.items() if k != "verb" and v is not None}
    known = [f.name for f in fields(cls)]
    unknown = sorted(str(k) for k in kwargs if k not in known)
    if unknown:
        raise ValueError(f"from_dict: {verb!r} has no field(s) {unknown}; its fields are {known}")
    required = [
        f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING
    ]
    missing = [name for name in required if name not in kwargs]
    if missing:
        raise ValueError(f"from_dict: {verb!r} needs field(s) {missing}; got {sorted(kwargs)}")
    return cls(**kwargs)
