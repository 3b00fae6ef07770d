"""A user's own task for examples/custom_task.py: "click the <colour> square".

Any env works with ``vla collect`` / ``vla train`` / ``vla eval`` if its observation is
``{"image": uint8[H, W, 3], "instruction": str}`` (plus ``"state"`` for robots), its actions
are :mod:`vla.actions`, and ``info["is_success"]`` says whether the task is done. The expert is
any object with ``act(obs, info) -> Action``; it may read privileged ``info``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from vla.actions import Click, UISpace
from vla.envs.spaces import ActionSpace, observation_space

COLOURS = {"red": (220, 30, 30), "green": (30, 170, 60), "blue": (40, 70, 220)}
SIZE, SQUARE = 64, 12


class ColourSquaresEnv(gym.Env):
    """Two squares of different colours on a grey canvas; click the one the instruction names.

    One click ends the episode: success if it lands inside the named square.
    """

    metadata: ClassVar[dict] = {"render_modes": ["rgb_array"]}

    def __init__(self, render_mode: str | None = None) -> None:
        self.render_mode = render_mode
        self.observation_space = observation_space(SIZE, SIZE)
        self.action_space = ActionSpace(UISpace(("click",)), image_size=(SIZE, SIZE))

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        names = list(COLOURS)
        target, other = self.np_random.choice(len(names), size=2, replace=False)
        self.target = names[target]
        self.image = np.full((SIZE, SIZE, 3), 200, np.uint8)
        self.boxes: dict[str, tuple[int, int]] = {}
        while len(self.boxes) < 2:  # two non-overlapping squares
            x, y = (int(v) for v in self.np_random.integers(2, SIZE - SQUARE - 2, size=2))
            if all(abs(x - a) > SQUARE or abs(y - b) > SQUARE for a, b in self.boxes.values()):
                self.boxes[names[target] if not self.boxes else names[other]] = (x, y)
        for name, (x, y) in self.boxes.items():
            self.image[y : y + SQUARE, x : x + SQUARE] = COLOURS[name]
        return self._obs(), {"is_success": False, "target_box": self.boxes[self.target]}

    def _obs(self) -> dict[str, Any]:
        return {"image": self.image.copy(), "instruction": f"click the {self.target} square"}

    def step(self, action):
        x, y = self.boxes[self.target]
        hit = (
            isinstance(action, Click) and x <= action.x < x + SQUARE and y <= action.y < y + SQUARE
        )
        info = {"is_success": bool(hit), "target_box": (x, y)}
        return self._obs(), float(hit), True, False, info

    def render(self) -> np.ndarray:
        return self.image.copy()


class ColourSquaresExpert:
    """Clicks the centre of the named square, read from privileged ``info``."""

    def reset(self) -> None:
        pass

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Click:
        x, y = info["target_box"]
        return Click(x + SQUARE / 2, y + SQUARE / 2)


def make_expert(env: gym.Env, **kwargs: Any) -> ColourSquaresExpert:
    """The factory ``vla collect --expert my_task:make_expert`` calls."""
    return ColourSquaresExpert()
