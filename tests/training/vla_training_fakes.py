"""A tiny env and policies for testing evaluation without a browser or simulator.

``ColorClickEnv``: a 64x64 white image with one coloured square; the instruction names its
colour. A click inside the square succeeds and ends the episode; three misses truncate it.
``RedClicker`` clicks the centre of the red pixels (so it fails on blue episodes). ``TINY``:
the overrides of a very small model. ``load_benchmark(name)``: a ``benchmarks/`` script as a
module (they are scripts, not a package).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from vla.actions import Click, Done, UISpace
from vla.envs.spaces import ActionSpace, observation_space

ENV_ID = "vla-test/color-click-v0"
#: ``vla-tiny`` overrides for a very small robot-capable model (pipeline tests, seconds to train).
TINY = {
    "vision_image_size": 32,
    "vision_hidden_size": 32,
    "vision_intermediate_size": 64,
    "text_hidden_size": 32,
    "text_intermediate_size": 64,
    "state_dim": 16,
}


class ColorClickEnv(gym.Env):
    metadata: ClassVar[dict] = {"render_modes": ["rgb_array"]}

    def __init__(self, size: int = 64, max_steps: int = 3) -> None:
        self.size, self.max_steps = size, max_steps
        self.observation_space = observation_space(size, size)
        self.action_space = ActionSpace(UISpace(("click", "done")), image_size=(size, size))

    def _obs(self) -> dict[str, Any]:
        return {"image": self.image.copy(), "instruction": f"click the {self.color} square"}

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.color = "red" if self.np_random.random() < 0.75 else "blue"
        self.x, self.y = (int(v) for v in self.np_random.integers(4, self.size - 12, size=2))
        self.image = np.full((self.size, self.size, 3), 255, np.uint8)
        rgb = (255, 0, 0) if self.color == "red" else (0, 0, 255)
        self.image[self.y : self.y + 8, self.x : self.x + 8] = rgb
        self.steps = 0
        return self._obs(), {"is_success": False, "seed": seed}

    def step(self, action):
        self.steps += 1
        hit = (
            isinstance(action, Click)
            and self.x <= action.x < self.x + 8
            and self.y <= action.y < self.y + 8
        )
        truncated = not hit and self.steps >= self.max_steps
        terminated = hit or isinstance(action, Done)
        return self._obs(), float(hit), terminated, truncated, {"is_success": hit}


class EndlessEnv(ColorClickEnv):
    """A user's env that never ends an episode by itself (no truncation, no success)."""

    def step(self, action):
        return self._obs(), 0.0, False, False, {"is_success": False}


def register() -> None:
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point=ColorClickEnv)


class RedClicker:
    """A policy that clicks the centre of the red pixels (or the image centre if none)."""

    device = "cpu"

    def act_batch(self, images, instructions, states=None, spaces=None):
        out = []
        for img in images:
            ys, xs = np.nonzero((img[..., 0] > 200) & (img[..., 1] < 50) & (img[..., 2] < 50))
            if len(xs):
                out.append(Click(float(xs.mean()), float(ys.mean())))
            else:
                out.append(Click(img.shape[1] / 2, img.shape[0] / 2))
        return out

    def act(self, image, instruction, state=None, space=None):
        return self.act_batch([image], [instruction])[0]


def load_benchmark(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` loaded as a module."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recorded(out: Path, env_id: str, episodes: int, **settings: Any) -> Any:
    """``episodes`` expert episodes of ``env_id`` recorded into ``out`` by ``collect`` (one
    process, no progress bar; ``settings``: more ``CollectConfig`` fields), read back whole."""
    from vla.datasets import CollectConfig, EpisodeDataset, collect

    collect(CollectConfig(env_ids=[env_id], episodes=episodes, out=out, workers=0,
                          progress=False, **settings))  # fmt: skip
    return EpisodeDataset(out, split="all")
