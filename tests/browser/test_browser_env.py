"""vla/browser-v0 on a local page: instruction at reset, success predicate, full-page mode."""

from __future__ import annotations

import pathlib

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import vla.envs  # noqa: F401
from vla.actions import Click, Type
from vla.envs.browser.url_policy import URLPolicy

PAGES_POLICY = URLPolicy(file_roots=(str(pathlib.Path(__file__).parent / "pages"),))

pytestmark = pytest.mark.browser


def test_viewport_env_on_a_local_page(events_url):
    env = gym.make(
        "vla/browser-v0",
        url=events_url,
        viewport=(500, 400),
        max_steps=5,
        url_policy=PAGES_POLICY,
    )
    try:
        check_env(env.unwrapped)
        obs, info = env.reset(options={"instruction": "type hello"})
        assert obs["instruction"] == "type hello" == info["utterance"]
        assert obs["image"].shape == (400, 500, 3)
        field = next(e for e in info["elements"] if e["id"] == "field")
        assert field["attrs"]["placeholder"] == "type here" and field["visible"]
        below = next(e for e in info["elements"] if e["id"] == "below")
        assert not below["visible"]  # out of view: listed, marked invisible
        dot = next(e for e in info["elements"] if e["id"] == "dot")
        assert dot["tag"] == "circle" and dot["attrs"]["fill"] == "#f00"
        assert dot["bbox"] == [430, 20, 40, 40]
        left, top, w, h = field["bbox"]
        env.step(Click(left + w / 2, top + h / 2))
        _, reward, terminated, _, info = env.step(Type("hello"))
        field = next(e for e in info["elements"] if e["id"] == "field")
        assert field["value"] == "hello" and field["focused"]
        assert reward == 0.0 and not terminated and not info["is_success"]
    finally:
        env.close()


def test_full_page_scrolls_to_click_below_the_fold(events_url):
    env = gym.make(
        "vla/browser-v0",
        url=events_url,
        viewport=(500, 400),
        full_page=True,
        page_height=1000,
        image_size=(250, 500),
        success_js="() => document.title === 'done'",
        url_policy=PAGES_POLICY,
    )
    try:
        obs, info = env.reset()
        assert obs["image"].shape == (500, 250, 3)
        below = next(e for e in info["elements"] if e["id"] == "below")
        assert below["bbox"] == [5, 450, 60, 20]  # half scale
        assert below["visible"]
        # The green button is drawn in the image at its document position, half scale.
        r, g, b = obs["image"][453, 10]
        assert g > 140 and r < 40 and b < 40
        _, reward, terminated, _, info = env.step(Click(35, 460))
        assert terminated and reward == 1.0 and info["is_success"]
        assert info["scroll"][1] > 0
        first, _ = env.reset()
        assert np.array_equal(first["image"], obs["image"])
    finally:
        env.close()
