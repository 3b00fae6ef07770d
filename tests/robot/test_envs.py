"""Every registered Panda env: gymnasium contract, determinism, bad actions, success on
hand-built states, clean close."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from vla.actions import Click, EEDelta, JointTarget

pytestmark = pytest.mark.robot
pytest.importorskip("pybullet")

import vla.envs  # noqa: E402,F401  (registers the ids)
from vla.envs.robot import TASK_IDS  # noqa: E402


@pytest.fixture(scope="module", params=TASK_IDS)
def env(request):
    env = gym.make(request.param)
    yield env
    env.close()


def test_all_five_tasks_registered():
    assert set(TASK_IDS) == {
        f"vla/panda-{t}-v0" for t in ("reach", "push", "pick-place", "stack", "sequence")
    }
    for env_id in TASK_IDS:
        assert gym.spec(env_id).entry_point == "vla.envs.robot.panda_env:PandaEnv"
        assert gym.spec(env_id).max_episode_steps <= 120


def test_env_checker(env):
    from gymnasium.utils.env_checker import check_env

    check_env(env.unwrapped, skip_render_check=True)


def test_observation_contract(env):
    obs, info = env.reset(seed=3)
    assert env.observation_space.contains(obs)
    assert obs["image"].shape == (128, 128, 3) and obs["image"].dtype == np.uint8
    assert obs["state"].shape == (14,) and obs["state"].dtype == np.float32
    assert "cube" in obs["instruction"]
    assert info["is_success"] is False
    goal = info["goal"]
    for color in [goal.get("object"), goal.get("base"), *goal.get("objects", [])]:
        if color:
            assert color in obs["instruction"] and f"{color} cube" in info["objects"]
    np.testing.assert_allclose(info["ee_position"], obs["state"][8:11], atol=1e-5)


def test_same_seed_same_image_and_outcome(env):
    actions = [EEDelta((0.03, -0.02, -0.04), (0, 0, 0.1), 0.3)] * 3 + [EEDelta((0, 0.05, 0))]
    runs = []
    for seed in (11, 12, 11):
        obs, _ = env.reset(seed=seed)
        out = [env.step(a)[0] for a in actions]
        runs.append((obs["image"], obs["instruction"], out[-1]["image"], out[-1]["state"]))
    first, other, again = runs
    for a, b in zip(first, again, strict=True):
        assert np.array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize(
    "action, match",
    [
        (np.array([0.0, np.nan, 0, 0, 0, 0, 1]), "finite"),
        (np.zeros(5), "7 values"),
        (Click(3, 4), "EEDelta"),
        (JointTarget((0.0,) * 7), "EEDelta"),
        ("up", "EEDelta"),
    ],
)
def test_bad_actions_raise_value_error(env, action, match):
    env.reset(seed=0)
    with pytest.raises(ValueError, match=match):
        env.step(action)
    obs, *_ = env.step(EEDelta((0, 0, 0)))  # the simulator is still fine
    assert np.all(np.isfinite(obs["state"]))


def test_out_of_workspace_is_clipped_and_reported(env):
    env.reset(seed=0)
    info = {}
    for _ in range(10):
        *_, info = env.step(np.array([0.0, 0.3, -0.3, 0.0, 0.0, 0.0, 1.0]))
    assert any("xyz step" in r for r in info["clipped"])
    assert any("workspace" in r for r in info["clipped"])  # z below the table top
    assert info["ee_position"][2] > 0.0
    *_, info = env.step(EEDelta((0, 0, 0)))
    assert info["clipped"] == []


def test_joint_target_control():
    env = gym.make("vla/panda-reach-v0", control="joint_target")
    try:
        obs, _ = env.reset(seed=0)
        assert env.action_space.spec.action == "joint_target"
        q = obs["state"][:7] + 0.1
        for _ in range(5):
            obs, *_ = env.step(JointTarget(tuple(q), gripper=1.0))
        np.testing.assert_allclose(obs["state"][:7], q, atol=0.01)
        with pytest.raises(ValueError, match="JointTarget"):
            env.step(EEDelta((0, 0, 0)))
    finally:
        env.close()


def test_wrist_camera_and_size():
    env = gym.make("vla/panda-pick-place-v0", camera="wrist", image_size=64)
    try:
        obs, _ = env.reset(seed=0)
        assert obs["image"].shape == (64, 64, 3) and obs["image"].std() > 5
    finally:
        env.close()


def test_several_cameras_give_named_views():
    from gymnasium.utils.env_checker import check_env

    env = gym.make("vla/panda-stack-v0", cameras=("scene", "wrist"), image_size=64)
    try:
        obs, _ = env.reset(seed=3)
        assert list(obs["images"]) == ["scene", "wrist"]
        assert all(view.shape == (64, 64, 3) for view in obs["images"].values())
        np.testing.assert_array_equal(obs["image"], obs["images"]["scene"])
        assert not np.array_equal(obs["images"]["scene"], obs["images"]["wrist"])
        assert env.observation_space.contains(obs)
        check_env(env.unwrapped, skip_render_check=True)
    finally:
        env.close()


def test_scene_camera_differs_from_front_and_keeps_old_default():
    front = gym.make("vla/panda-reach-v0", image_size=64)
    scene = gym.make("vla/panda-reach-v0", camera="scene", image_size=64)
    try:
        a, _ = front.reset(seed=1)
        b, _ = scene.reset(seed=1)
        assert "images" not in a and "images" not in b  # one camera: the old observation
        assert not np.array_equal(a["image"], b["image"])
    finally:
        front.close()
        scene.close()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"camera": "top"}, "camera"),
        ({"cameras": ("scene", "ceiling")}, "cameras"),
        ({"cameras": ()}, "cameras"),
        ({"cameras": "scene"}, "cameras"),
        ({"cameras": ("wrist", "wrist")}, "twice"),
    ],
)
def test_camera_errors_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gym.make("vla/panda-reach-v0", **kwargs)


def test_constructor_errors_name_the_argument():
    with pytest.raises(ValueError, match="task"):
        gym.make("vla/panda-reach-v0", task="juggle")
    with pytest.raises(ValueError, match="control"):
        gym.make("vla/panda-reach-v0", control="torque")


def test_truncates_at_the_step_limit():
    env = gym.make("vla/panda-reach-v0", render_images=False)
    try:
        env.reset(seed=0)
        steps, truncated, terminated = 0, False, False
        while not (truncated or terminated):
            *_, terminated, truncated, _ = env.step(EEDelta((0, 0, 0.05)))  # away from cubes
            steps += 1
        assert truncated and not terminated and steps == env.spec.max_episode_steps
    finally:
        env.close()


def test_close_disconnects():
    env = gym.make("vla/panda-stack-v0")
    env.reset(seed=0)
    arm = env.unwrapped.arm
    client = arm.client
    env.close()
    assert not arm.p.isConnected(client)


def test_a_nan_that_bypasses_the_dataclass_is_refused_and_the_env_goes_on():
    from vla.actions import EEDelta

    env = gym.make("vla/panda-reach-v0", render_images=False)
    try:
        env.reset(seed=0)
        bad = EEDelta((0.0, 0.0, 0.0))
        object.__setattr__(bad, "xyz", (float("nan"), 0.0, 0.0))
        with pytest.raises(ValueError, match=r"EEDelta\.xyz must be finite"):
            env.step(bad)
        with pytest.raises(ValueError, match="finite"):
            env.step(np.full(7, np.nan))  # a NaN vector is refused by the action language
        obs = env.step(EEDelta((0.01, 0.0, 0.0)))[0]
        assert np.all(np.isfinite(obs["state"]))
    finally:
        env.close()


@pytest.mark.parametrize("task", ["reach", "pick-place", "sequence"])
def test_target_pixels_land_on_the_named_cube_in_every_world_camera(task):
    """`info["target_pixels"]` is the grounding label: the pixel under it shows the colour of
    the cube the instruction names (the cameras look down, so the projected centre is on the
    cube's top or side face)."""
    from vla.envs.robot.scene import COLORS

    env = gym.make(f"vla/panda-{task}-v0", cameras=["front", "scene"], image_size=128)
    try:
        for seed in range(4):
            obs, info = env.reset(seed=seed)
            goal = info["goal"]
            rgb = np.asarray(COLORS[goal.get("object") or goal["objects"][0]]) * 255
            for name in ("front", "scene"):
                x, y = info["target_pixels"][name]
                assert 0 <= x < 128 and 0 <= y < 128, (seed, name, x, y)
                patch = obs["images"][name][int(y) - 1 : int(y) + 2, int(x) - 1 : int(x) + 2]
                dist = np.abs(patch.reshape(-1, 3).astype(float) - rgb).sum(-1)
                assert dist.min() < 120, (seed, name, patch.reshape(-1, 3).tolist(), rgb)
        obs, _, _, _, info = env.step(EEDelta(np.zeros(3), np.zeros(3), 1.0))
        assert set(info["target_pixels"]) == {"front", "scene"}
    finally:
        env.close()


@pytest.mark.parametrize("task", ["stack", "pick-place"])
def test_target_pixels_move_to_where_a_held_cube_goes(task):
    """Once the expert holds the named cube off the table, the grounding label is where the
    cube goes (stack: the base cube; pick-place: the tray), not the cube in the hand."""
    from vla.datasets.experts.panda import PandaExpert
    from vla.envs.robot.panda_env import LIFTED

    env = gym.make(f"vla/panda-{task}-v0", cameras=["front"], image_size=128)
    try:
        obs, info = env.reset(seed=1)
        expert, goal, phases = PandaExpert(), info["goal"], set()
        assert info["target_pixels"]["front"] == _pixel(env, info, goal["object"])
        for _ in range(60):
            obs, _, done, _, info = env.step(expert.act(obs, info))
            cube = info["objects"][f"{goal['object']} cube"]["position"]
            held = info["gripper_width"] < 0.05 and cube[2] > 0.02 + 2 * LIFTED
            where = goal.get("base") or "container"
            want = _pixel(env, info, where if held else goal["object"])
            if held or cube[2] < 0.021:  # skip the steps at the edge of "held"
                assert np.allclose(info["target_pixels"]["front"], want), (held, cube)
                phases.add(held)
            if done:
                break
        assert phases == {False, True}
    finally:
        env.close()


@pytest.mark.parametrize("task", ["reach", "push", "pick-place", "stack", "sequence"])
def test_goal_pixels_are_where_the_motion_ends(task):
    """`info["goal_pixels"]` (the second pointer's label) is the pad of push, the tray or bowl,
    the base cube of stack, in every camera, the whole episode; reach has none."""
    from vla.datasets.experts.panda import PandaExpert

    env = gym.make(f"vla/panda-{task}-v0", cameras=["front", "scene"], image_size=128)
    try:
        obs, info = env.reset(seed=2)
        expert, goal = PandaExpert(), info["goal"]
        for _ in range(8):
            if task == "reach":
                assert "goal_pixels" not in info
            else:
                if "base" in goal:
                    where = info["objects"][f"{goal['base']} cube"]["position"]
                elif "container" in info:
                    where = info["container"]["position"]
                else:
                    where = info["objects"][f"{goal['target']} target"]["position"]
                want = env.unwrapped._pixels(where)
                assert set(info["goal_pixels"]) == {"front", "scene"}
                for name in ("front", "scene"):
                    assert np.allclose(info["goal_pixels"][name], want[name]), (name, want)
                    assert min(want[name]) >= 0 and max(want[name]) < 128
            obs, _, _, _, info = env.step(expert.act(obs, info))
    finally:
        env.close()


def _pixel(env, info, what):
    """Where ``what`` (a cube's colour, or "container") is in the front camera's image."""
    xyz = (
        info["container"]["position"]
        if what == "container"
        else (info["objects"][f"{what} cube"]["position"])
    )
    return env.unwrapped._pixels(xyz)["front"]
