"""Gymnasium spaces for the project's observation and action contract."""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from vla.actions import (
    KEY_NAMES,
    ROBOT_ACTIONS,
    UI_ACTIONS,
    Action,
    Click,
    Done,
    Drag,
    Key,
    RobotSpace,
    Scroll,
    Type,
    UISpace,
    Wait,
)

__all__ = ["ActionSpace", "instruction_space", "observation_space"]

#: Characters an instruction may contain (printable ASCII plus a few common extras).
INSTRUCTION_CHARSET = string.printable + "“”‘’–—…é"


def instruction_space(max_length: int = 512) -> gym.spaces.Text:
    """The ``"instruction"`` entry of every observation."""
    return gym.spaces.Text(max_length=max_length, min_length=0, charset=INSTRUCTION_CHARSET)


def observation_space(
    height: int, width: int, state_dim: int | None = None, views: Sequence[str] | None = None
) -> gym.spaces.Dict:
    """``{"image": Box(uint8, (H, W, 3)), "instruction": Text[, "state": Box(float32, (D,))]
    [, "images": {name: Box(uint8, (H, W, 3)) for name in views}]}``."""
    image = gym.spaces.Box(0, 255, (height, width, 3), np.uint8)
    spaces: dict[str, gym.Space] = {"image": image, "instruction": instruction_space()}
    if state_dim is not None:
        spaces["state"] = gym.spaces.Box(-np.inf, np.inf, (state_dim,), np.float32)
    if views:
        spaces["images"] = gym.spaces.Dict({name: image for name in views})
    return gym.spaces.Dict(spaces)


class ActionSpace(gym.Space):
    """The space of typed :mod:`vla.actions` for one env.

    ``spec`` is a :class:`~vla.actions.UISpace` (then ``image_size=(width, height)`` bounds the
    pixel coordinates) or a :class:`~vla.actions.RobotSpace` (then ``low``/``high`` bound the
    continuous dimensions, gripper included). ``sample()`` draws valid actions from
    ``self.np_random`` so that ``check_env`` and random agents work.
    """

    def __init__(
        self,
        spec: UISpace | RobotSpace,
        image_size: tuple[int, int] | None = None,
        low: np.ndarray | None = None,
        high: np.ndarray | None = None,
        seed: int | None = None,
    ) -> None:
        if isinstance(spec, UISpace) and image_size is None:
            raise ValueError("ActionSpace(UISpace) needs image_size=(width, height)")
        self.spec = spec
        self.image_size = image_size
        if isinstance(spec, RobotSpace):
            self.low = np.full(spec.dims, -1.0) if low is None else np.asarray(low, np.float64)
            self.high = np.full(spec.dims, 1.0) if high is None else np.asarray(high, np.float64)
            self.low[-1], self.high[-1] = 0.0, 1.0  # gripper opening
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def contains(self, x: Any) -> bool:
        if isinstance(self.spec, RobotSpace):
            return (
                isinstance(x, ROBOT_ACTIONS)
                and x.verb == self.spec.action
                and len(x.vector) == self.spec.dims
            )
        if not isinstance(x, UI_ACTIONS) or x.verb not in self.spec.verbs:
            return False
        w, h = self.image_size  # type: ignore[misc]
        points = [
            (getattr(x, a), getattr(x, b))
            for a, b in (("x", "y"), ("x0", "y0"), ("x1", "y1"))
            if hasattr(x, a)
        ]
        return all(px < w and py < h for px, py in points)

    def sample(self, mask: Any = None, probability: Any = None) -> Action:
        rng = self.np_random
        if isinstance(self.spec, RobotSpace):
            return self.spec.from_vector(rng.uniform(self.low, self.high).tolist())
        w, h = self.image_size  # type: ignore[misc]

        def xy() -> tuple[float, float]:
            return float(rng.integers(0, w)), float(rng.integers(0, h))

        verb = self.spec.verbs[int(rng.integers(len(self.spec.verbs)))]
        if verb == "click":
            return Click(*xy())
        if verb == "drag":
            return Drag(*xy(), *xy())
        if verb == "scroll":
            return Scroll(*xy(), 0.0, float(rng.choice([-100, 100])))
        if verb == "type":
            return Type(
                "".join(rng.choice(list(string.ascii_lowercase), size=int(rng.integers(1, 8))))
            )
        if verb == "key":
            return Key(str(rng.choice(KEY_NAMES[4:])))
        return Wait() if verb == "wait" else Done()

    def __repr__(self) -> str:
        return f"ActionSpace({self.spec!r}, image_size={self.image_size})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ActionSpace)
            and self.spec == other.spec
            and self.image_size == other.image_size
        )
