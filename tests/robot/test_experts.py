"""A short expert episode per task succeeds, also under noise; factory checks."""

from __future__ import annotations

import gymnasium as gym
import pytest

from vla.actions import EEDelta

pytestmark = pytest.mark.robot
pytest.importorskip("pybullet")

import vla.envs  # noqa: E402,F401
from vla.datasets import has_expert, make_expert  # noqa: E402
from vla.envs.robot import TASK_IDS  # noqa: E402


def _episode(env_id, seed, noise=0.0, render=False):
    env = gym.make(env_id, render_images=render)
    try:
        expert = make_expert(env, noise=noise, seed=seed)
        obs, info = env.reset(seed=seed)
        expert.reset()
        steps, done = 0, False
        while not done:
            action = expert.act(obs, info)
            assert isinstance(action, EEDelta) and env.action_space.contains(action)
            assert max(abs(v) for v in action.xyz) <= 0.05
            obs, _, terminated, truncated, info = env.step(action)
            steps, done = steps + 1, terminated or truncated
        return info["is_success"], steps
    finally:
        env.close()


@pytest.mark.parametrize("env_id", TASK_IDS)
def test_expert_episode_succeeds(env_id):
    ok, steps = _episode(env_id, seed=0, render=True)
    assert ok, f"{env_id} expert failed after {steps} steps"


@pytest.mark.parametrize("env_id", ["vla/panda-push-v0", "vla/panda-sequence-v0"])
def test_expert_succeeds_under_its_own_noise(env_id):
    for seed in (1, 2):
        ok, steps = _episode(env_id, seed=seed, noise=0.3)
        assert ok, f"{env_id} seed {seed} failed with noise after {steps} steps"


def test_has_expert_and_factory_errors():
    assert all(has_expert(i) for i in TASK_IDS)
    assert not has_expert("vla/panda-juggle-v0")
    env = gym.make("vla/panda-reach-v0", render_images=False)
    try:
        with pytest.raises(ValueError, match="noise"):
            make_expert(env, noise=2.0)
        with pytest.raises(ValueError, match="unknown options"):
            make_expert(env, speed=3)
    finally:
        env.close()


def test_a_noisy_expert_records_the_step_it_meant():
    # DART: the noise moves the arm off the clean path, but the label of each state is the
    # expert's noise-free step from it, not the perturbed one that was executed.
    import json

    import numpy as np

    from vla.datasets import run_episode

    env = gym.make("vla/panda-push-v0", render_images=False)
    try:
        expert = make_expert(env, noise=0.3, seed=3)
        executed = []
        act = expert.act
        expert.act = lambda obs, info: executed.append(act(obs, info)) or executed[-1]
        record = run_episode(env, expert, "vla/panda-push-v0", seed=3, max_steps=60)
    finally:
        env.close()
    stored = [json.loads(a) for a in record.table.column("action").to_pylist()]
    assert record.success and len(stored) == len(executed) == len(expert.labels) > 5
    for row, clean in zip(stored, expert.labels, strict=True):
        assert np.allclose(row["xyz"], clean.xyz, atol=1e-6)
        assert np.linalg.norm(clean.xyz) <= 0.04 + 1e-9  # the expert's own speed limit
    pairs = zip(expert.labels, executed, strict=True)
    moved = [np.linalg.norm(np.subtract(c.xyz, e.xyz)) for c, e in pairs]
    assert np.mean([m > 1e-4 for m in moved]) > 0.8  # and the executed steps were perturbed
