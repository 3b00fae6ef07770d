"""Success predicates, on hand-built positions and on hand-built simulator states."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from vla.actions import EEDelta

pytestmark = pytest.mark.robot
pytest.importorskip("pybullet")

import vla.envs  # noqa: E402,F401
from vla.envs.robot.scene import Container  # noqa: E402
from vla.envs.robot.tasks import TASKS, in_container, on_target, stacked, touching  # noqa: E402


def at(point, dx, dy, dz):
    """``point`` shifted by ``(dx, dy, dz)`` metres."""
    return np.asarray(point, float) + np.array([dx, dy, dz])


TRAY = Container("tray", -1, inner_half=0.075, wall_height=0.03, round=False)
BOWL = Container("bowl", -1, inner_half=0.08, wall_height=0.035, round=True)


def test_touching():
    assert touching((0.5, 0.0, 0.06), (0.5, 0.0, 0.02))
    assert not touching((0.5, 0.0, 0.08), (0.5, 0.0, 0.02))
    assert not touching((0.56, 0.0, 0.02), (0.5, 0.0, 0.02))


def test_on_target():
    assert on_target((0.5, 0.03, 0.02), (0.5, 0.0, 0.001))
    assert not on_target((0.5, 0.06, 0.02), (0.5, 0.0, 0.001))
    assert not on_target((0.5, 0.0, 0.1), (0.5, 0.0, 0.001))  # held above it


@pytest.mark.parametrize("box", [TRAY, BOWL])
def test_in_container(box):
    c = np.array([0.5, 0.1, 0.0])
    assert in_container(at(c, 0.0, 0.0, 0.026), c, box)
    assert in_container(at(c, 0.04, -0.03, 0.026), c, box)
    assert not in_container(at(c, 0.09, 0.0, 0.02), c, box)  # beside it
    assert not in_container(at(c, 0.0, 0.0, 0.1), c, box)  # above it


def test_round_container_excludes_corners():
    c = np.zeros(3)
    corner = (0.06, 0.06, 0.026)
    assert in_container(corner, c, TRAY) and not in_container(corner, c, BOWL)


def test_stacked():
    base = np.array([0.5, 0.0, 0.02])
    assert stacked(at(base, 0.01, 0.0, 0.04), base)
    assert not stacked(at(base, 0.03, 0.0, 0.04), base)  # overhanging
    assert not stacked(at(base, 0.0, 0.0, 0.0), base)  # side by side
    assert not stacked(at(base, 0.0, 0.0, 0.04), at(base, 0, 0, 0.04))  # base not on table


def test_every_task_samples_valid_layouts():
    rng = np.random.default_rng(0)
    for task in TASKS.values():
        for _ in range(50):
            layout = task.sample(rng)
            colors = [c for c, _ in layout.cubes]
            assert len(set(colors)) == len(colors) <= task.n_cubes
            xy = np.array([p[:2] for _, p in layout.cubes])
            d = np.linalg.norm(xy[:, None] - xy[None], axis=-1) + np.eye(len(xy))
            assert d.min() >= 0.089
            assert colors[0] in layout.instruction


def _hand_built(task, seed, move):
    """Reset, teleport bodies with ``move(env, info)``, take one still step, return info."""
    env = gym.make(f"vla/panda-{task}-v0", render_images=False)
    try:
        _, info = env.reset(seed=seed)
        assert not info["is_success"]
        move(env.unwrapped, info)
        *_, terminated, _, info = env.step(EEDelta((0, 0, 0.05)))
        return info, terminated
    finally:
        env.close()


def _put(env, color, xyz):
    env.scene.place(env._names[color], xyz)


def test_env_success_pick_place_positive_and_negative():
    def inside(env, info):
        _put(env, info["goal"]["object"], at(info["container"]["position"], 0, 0, 0.03))

    def beside(env, info):
        _put(env, info["goal"]["object"], at(info["container"]["position"], 0.12, 0, 0.02))

    info, terminated = _hand_built("pick-place", 1, inside)
    assert info["is_success"] and terminated
    info, terminated = _hand_built("pick-place", 1, beside)
    assert not info["is_success"] and not terminated


def test_env_success_stack_and_push_and_reach():
    def stack(env, info):
        base = info["objects"][f"{info['goal']['base']} cube"]["position"]
        _put(env, info["goal"]["object"], at(base, 0, 0, 0.041))

    assert _hand_built("stack", 2, stack)[0]["is_success"]

    def push(env, info):
        target = info["objects"][f"{info['goal']['target']} target"]["position"]
        _put(env, info["goal"]["object"], (target[0] + 0.02, target[1], 0.02))

    assert _hand_built("push", 2, push)[0]["is_success"]

    def nothing(env, info):
        pass

    for task in ("stack", "push", "reach"):
        assert not _hand_built(task, 2, nothing)[0]["is_success"]


def test_env_sequence_order_matters():
    def right_order(env, info):
        a, b = info["goal"]["objects"]
        c = info["container"]["position"]
        _put(env, a, at(c, 0.03, 0, 0.03))
        _put(env, b, at(c, -0.03, 0, 0.03))

    def wrong_first(env, info):
        _put(env, info["goal"]["objects"][1], at(info["container"]["position"], 0, 0, 0.03))

    info, terminated = _hand_built("sequence", 4, right_order)
    assert info["is_success"] and terminated
    info, terminated = _hand_built("sequence", 4, wrong_first)
    assert not info["is_success"] and terminated  # the order can no longer be met
    assert info["goal"]["placed"] == [info["goal"]["objects"][1]]
