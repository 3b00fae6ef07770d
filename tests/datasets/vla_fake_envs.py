"""Tiny envs and experts that follow the observation contract, for the dataset tests.

``FakeUIEnv``: click the red square. The expert scrolls, then clicks it; seeds with
``seed % 4 == 3`` put the square out of reach, so those episodes fail (truncated).
``FakeRobotEnv``: drive a 3-D point to a goal with ``EEDelta``; state is ``(x, y, z, gripper)``.
``delay`` (seconds per step) makes episodes slow enough to be interrupted in tests.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from vla.actions import Click, EEDelta, Scroll, UISpace
from vla.actions import RobotSpace as _RobotSpace
from vla.envs.spaces import ActionSpace, observation_space

SIZE = 32


class FakeUIEnv(gym.Env):
    metadata: ClassVar[dict[str, Any]] = {"render_fps": 5, "render_modes": []}

    def __init__(self, delay: float = 0.0, max_steps: int = 4) -> None:
        self.delay, self.max_steps = delay, max_steps
        self.observation_space = observation_space(SIZE, SIZE)
        self.action_space = ActionSpace(UISpace(), image_size=(SIZE, SIZE))

    def _obs(self) -> dict[str, Any]:
        image = np.full((SIZE, SIZE, 3), 240, np.uint8)
        x, y = self.target
        image[y - 2 : y + 3, x - 2 : x + 3] = (255, 0, 0)
        image[0, : self.t] = (0, 0, 255)  # a step counter so frames differ
        return {"image": image, "instruction": f"click the red square ({self.shape})"}

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple:
        super().reset(seed=seed)
        self.target = tuple(int(v) for v in self.np_random.integers(3, SIZE - 3, size=2))
        self.reachable = seed is None or seed % 4 != 3
        self.shape = ["small", "big"][int(self.np_random.integers(2))]
        self.t, self.success = 0, False
        return self._obs(), {"is_success": False, "target": self.target}

    def step(self, action: Any) -> tuple:
        time.sleep(self.delay)
        self.t += 1
        if isinstance(action, Click) and self.reachable:
            self.success = (round(action.x), round(action.y)) == self.target
        info = {"is_success": self.success, "target": self.target}
        truncated = self.t >= self.max_steps and not self.success
        return self._obs(), float(self.success), self.success, truncated, info


class FakeUIExpert:
    """Scroll once, then click the target (read from the privileged ``info``)."""

    def __init__(self, env: gym.Env, **kwargs: Any) -> None:
        self.t = 0

    def reset(self) -> None:
        self.t = 0

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Any:
        self.t += 1
        if self.t == 1:
            return Scroll(5, 6, 0, 40)
        return Click(*info["target"])


class FakeRobotEnv(gym.Env):
    metadata: ClassVar[dict[str, Any]] = {"render_fps": 10, "render_modes": []}

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.observation_space = observation_space(24, 24, state_dim=4)
        self.action_space = ActionSpace(_RobotSpace("ee_delta"))

    def _obs(self) -> dict[str, Any]:
        image = np.zeros((24, 24, 3), np.uint8)
        i, j = (np.clip((self.pos[:2] + 1) * 11.5, 0, 23)).astype(int)
        image[j, i] = (0, 255, 0)
        state = np.array([*self.pos, self.gripper], np.float32)
        return {"image": image, "instruction": "move to the goal", "state": state}

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple:
        super().reset(seed=seed)
        self.pos = self.np_random.uniform(-0.5, 0.5, 3)
        self.goal = self.np_random.uniform(-0.5, 0.5, 3)
        self.gripper, self.t = 1.0, 0
        return self._obs(), {"is_success": False, "goal": self.goal}

    def step(self, action: EEDelta) -> tuple:
        time.sleep(self.delay)
        self.t += 1
        self.pos = self.pos + np.asarray(action.xyz)
        self.gripper = action.gripper
        success = bool(np.linalg.norm(self.pos - self.goal) < 1e-3)
        info = {"is_success": success, "goal": self.goal}
        return self._obs(), float(success), success, self.t >= 10 and not success, info


class FakeRobotExpert:
    """Move halfway to the goal, then the rest, closing the gripper on the last step."""

    def __init__(self, env: gym.Env, **kwargs: Any) -> None:
        self.env = env

    def reset(self) -> None:
        pass

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> EEDelta:
        delta = info["goal"] - obs["state"][:3].astype(np.float64)
        if np.linalg.norm(delta) > 0.2:
            return EEDelta(xyz=(delta / 2).tolist(), rpy=(0.0, 0.0, 0.01), gripper=1.0)
        return EEDelta(xyz=delta.tolist(), gripper=0.0)


def make_ui_env(**kwargs: Any) -> FakeUIEnv:
    """A factory, for ``module:factory`` env ids."""
    return FakeUIEnv(**kwargs)
