"""``vla/desktop-page-miniwob-<task>-v0``: a desktop-suite task seen through the page crop a
two-pass policy's actor is shown, with actions in the crop's pixels executed on the screen."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import vla.envs  # noqa: F401
from vla.actions import Click, Type
from vla.rollout import run_episode


def test_bad_options_are_refused_before_any_server_starts() -> None:
    from vla.envs.desktop.page import DesktopPageEnv

    with pytest.raises(ValueError, match="jitter_px"):
        DesktopPageEnv("click-test", jitter_px=-1)
    with pytest.raises(ValueError, match="page_size"):
        DesktopPageEnv("click-test", page_size=(0, 210))


@pytest.mark.display
@pytest.mark.browser
def test_the_expert_solves_choose_list_through_the_crop_and_sees_the_native_list(
    xvfb: str,
) -> None:
    """The crop is the task area moved by the episode's offset; the expert's screen actions,
    moved into the crop, solve the task; the click on the ``<select>`` opens headful
    Chromium's own pop-up list inside the crop, which no headless page shows."""
    from vla.datasets import has_expert, make_expert
    from vla.envs.desktop.locate import task_box

    env_id = "vla/desktop-page-miniwob-choose-list-v0"
    assert has_expert(env_id)
    env = gym.make(env_id, jitter_px=3)
    try:
        expert = make_expert(env)
        result = run_episode(expert, env, seed=100_000)
        assert result.success and result.errors == [], result
        assert isinstance(result.actions[0], Click) and isinstance(result.actions[1], Type)
        obs, info = env.reset(seed=100_000)
        box = task_box(info, env.unwrapped.mapping)
        expert.reset()
        click = expert.act(obs, info)
        opened, *_ = env.step(click)
    finally:
        env.close()
    assert obs["image"].shape == (210, 160, 3)
    x, y, w, h = info["view"]
    dx, dy = info["offset"]
    assert max(abs(dx), abs(dy)) <= 3 and (w, h) == (160, 210)
    assert abs(x - (box[0] + dx)) <= 1 and abs(y - (box[1] + dy)) <= 1
    assert 0 <= click.x < w and 0 <= click.y < h
    # the list hangs below the select: many rows of the crop's lower half change
    lower = slice(int(click.y) + 15, h)
    changed = np.any(opened["image"][lower] != obs["image"][lower], axis=2).mean()
    assert changed > 0.2, changed


@pytest.mark.display
@pytest.mark.browser
def test_hidpi_crops_are_shown_at_the_actors_page_size(xvfb: str) -> None:
    """On a 2x screen the crop is 320x420 screenshot pixels, shown at 160x210 as FocusPolicy
    shows it (and as the actor was trained); resized screenshots give the same size."""
    from vla.datasets import make_expert

    env = gym.make("vla/desktop-page-miniwob-click-button-v0", hidpi=True)
    try:
        assert env.observation_space["image"].shape == (210, 160, 3)
        result = run_episode(make_expert(env), env, seed=100_001)
        obs, info = env.reset(seed=100_001)
    finally:
        env.close()
    assert result.success, result
    assert obs["image"].shape == (210, 160, 3) and info["view"][2:] == [320, 420]
    resized = gym.make(
        "vla/desktop-page-miniwob-click-button-v0", hidpi=True, image_size=(1920, 1080)
    )
    try:
        obs, _ = resized.reset(seed=100_001)
    finally:
        resized.close()
    assert obs["image"].shape == (210, 160, 3)
