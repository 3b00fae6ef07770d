"""vla/miniwob-<task>-v0: the gymnasium contract, seeding, the info contract, experts."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import vla.envs  # noqa: F401
from vla.actions import Click, Done, Type
from vla.datasets import has_expert, make_expert

pytestmark = pytest.mark.browser

ELEMENT_KEYS = {
    "ref", "parent", "tag", "id", "classes", "text", "value", "type", "bbox", "rects",
    "visible", "focused", "checked", "disabled", "bg_color", "color", "attrs", "clipped",
}  # fmt: skip


@pytest.fixture(scope="module")
def env():
    e = gym.make("vla/miniwob-click-button-v0", render_mode="rgb_array")
    yield e
    e.close()


def test_every_task_page_is_registered():
    from vla.envs.browser.miniwob import miniwob_tasks

    tasks = miniwob_tasks()
    assert len(tasks) > 100 and "click-test" in tasks
    for task in tasks:
        assert f"vla/miniwob-{task}-v0" in gym.registry
    assert "vla/browser-v0" in gym.registry


def test_check_env(env):
    check_env(env.unwrapped)


def test_same_seed_same_first_screenshot_other_seed_differs(env):
    a, info_a = env.reset(seed=7)
    env.step(Click(80, 150))  # disturb the page between the two resets
    b, _ = env.reset(seed=7)
    assert np.array_equal(a["image"], b["image"])
    assert a["instruction"] == b["instruction"] == info_a["utterance"]
    c, _ = env.reset(seed=8)
    assert not np.array_equal(a["image"], c["image"])
    assert np.array_equal(env.render(), c["image"])


def test_info_contract(env):
    obs, info = env.reset(seed=3)
    assert obs["image"].shape == (210, 160, 3) and obs["image"].dtype == np.uint8
    assert set(info) >= {"utterance", "fields", "elements", "raw_reward", "reward", "is_success"}
    assert info["is_success"] is False and info["raw_reward"] == 0.0
    assert all(set(e) == ELEMENT_KEYS for e in info["elements"])
    target = obs["instruction"].split('"')[1]
    (button,) = [e for e in info["elements"] if e["tag"] == "button" and e["text"] == target][:1]
    left, top, w, h = button["bbox"]
    assert 0 <= left < 160 and 50 <= top < 210 and w > 0 and h > 0 and button["visible"]
    # The element's box is where the screenshot shows a button (not the white background).
    patch = obs["image"][int(top) + 1 : int(top + h) - 1, int(left) + 1 : int(left + w) - 1]
    assert (patch != 255).any()
    # Clicking its centre is what the task wants.
    _, reward, terminated, truncated, info = env.step(Click(left + w / 2, top + h / 2))
    assert terminated and not truncated and reward == 1.0
    assert info["is_success"] and info["raw_reward"] == 1.0 and 0 < info["reward"] < 1


def test_fields_from_the_utterance():
    env = gym.make("vla/miniwob-login-user-v0")
    try:
        _, info = env.reset(seed=0)
        user, password = info["utterance"].split('"')[1::2]
        assert info["fields"] == {"username": user, "password": password}
        inputs = [e for e in info["elements"] if e["tag"] == "input"]
        assert [e["type"] for e in inputs] == ["text", "password"]
    finally:
        env.close()


def test_natural_language_variants_give_a_text_instruction_and_their_fields():
    """MiniWoB's -nl tasks hand over {"utterance": text, "fields": {...}}: the observation's
    instruction is the text (what the model reads) and the fields go to info."""
    env = gym.make("vla/miniwob-email-inbox-forward-nl-v0")
    try:
        obs, info = env.reset(seed=3)
        assert isinstance(obs["instruction"], str) and obs["instruction"] == info["utterance"]
        assert set(info["fields"]) == {"by", "to"}
        assert info["fields"]["to"] in obs["instruction"]
    finally:
        env.close()


def test_click_outside_the_image_is_an_error_not_a_miss(env):
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step(Click(170, 20))
    assert "outside the 160x210 image" in info["error"]
    assert not terminated and reward == 0.0


def test_step_limit_truncates_and_done_terminates():
    env = gym.make("vla/miniwob-click-test-v0", max_steps=2)
    try:
        env.reset(seed=0)
        assert env.step(Type("x"))[3] is False
        _, _, terminated, truncated, info = env.step(Type("x"))
        assert truncated and not terminated and not info["is_success"]
        env.reset(seed=0)
        assert env.step(Done())[2] is True
    finally:
        env.close()


def test_the_page_timer_does_not_end_a_slow_episode(env):
    env.reset(seed=0)
    ctl = env.unwrapped.controller
    # Move the page clock past MiniWoB's 10 s episode limit as a slow policy would.
    ctl.evaluate("() => { core.ept0 -= 20000; }")
    ctl.evaluate("() => new Promise(r => setTimeout(r, 100))")
    _, _, terminated, _, info = env.step(Type("x"))
    assert not terminated and info["raw_reward"] == 0.0


@pytest.mark.parametrize(
    "task", ["click-test", "click-test-2", "click-dialog-2", "enter-text", "login-user"]
)
def test_expert_solves_episodes(task):
    env = gym.make(f"vla/miniwob-{task}-v0")
    assert has_expert(f"vla/miniwob-{task}-v0")
    expert = make_expert(env)
    try:
        for seed in range(3):
            obs, info = env.reset(seed=seed)
            expert.reset()
            for _ in range(10):
                obs, reward, terminated, truncated, info = env.step(expert.act(obs, info))
                if terminated or truncated:
                    break
            assert info["is_success"], (task, seed, info.get("reason"), info["utterance"])
            assert reward == 1.0
    finally:
        env.close()


def test_has_expert_is_false_for_tasks_without_one():
    assert not has_expert("vla/miniwob-terminal-v0")
    assert not has_expert("vla/browser-v0")


def test_wait_ms_paces_waits_so_an_animation_takes_the_same_number_of_waits():
    """With ``wait_ms`` a Wait lasts until that long after the last observation (a click is
    not held), so click-collapsible's opening section (about 400 ms) takes about 4 waits of
    100 ms, where one-step waits take as many as the host's step time fits (17-19 here)."""
    import time

    from vla.actions import Wait

    env = gym.make("vla/miniwob-click-collapsible-v0", wait_ms=100)
    try:
        expert = make_expert(env)
        obs, info = env.reset(seed=4)
        expert.reset()
        waits = 0
        for _ in range(env.unwrapped.max_steps):
            action = expert.act(obs, info)
            t0 = time.perf_counter()
            obs, _, terminated, truncated, info = env.step(action)
            if isinstance(action, Wait):
                waits += 1
                assert time.perf_counter() - t0 >= 0.09  # the observation before came just now
            if terminated or truncated:
                break
        # a loaded host only makes the steps longer, so fewer waits
        assert info["is_success"] and 1 <= waits <= 8, waits
    finally:
        env.close()
    with pytest.raises(ValueError, match="wait_ms must be >= 0"):
        gym.make("vla/miniwob-click-test-v0", wait_ms=-1)
