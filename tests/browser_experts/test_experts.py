"""Full expert episodes on the MiniWoB++ tasks of widgets.py, visual.py, navigation.py,
sequences.py, drag.py, scroll.py and inbox.py, and the forms.py tasks added with them.

One env per task, two seeds each; every episode must end in success. The >= 99 % figure over
200 seeds is measured by benchmarks/miniwob_experts.py, not here.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright")

pytestmark = pytest.mark.browser

TASKS = [
    "click-button-sequence", "click-checkboxes", "click-option", "click-widget", "choose-list",
    "click-scroll-list", "use-autocomplete",
    "click-color", "click-shades", "click-pie", "identify-shape", "grid-coordinate",
    "click-tab", "click-tab-2", "click-collapsible", "click-collapsible-2", "navigate-tree",
    "search-engine",
    "click-collapsible-nodelay", "click-collapsible-2-nodelay", "click-tab-2-hard",
    "use-autocomplete-nodelay", "click-checkboxes-large",
    "enter-text-dynamic", "login-user-popup",
    "form-sequence", "form-sequence-2", "form-sequence-3", "use-spinner", "enter-date",
    "enter-time", "multi-layouts", "multi-orderings",
    "drag-box", "drag-single-shape", "drag-items", "drag-sort-numbers", "use-slider",
    "scroll-text", "scroll-text-2",
    "email-inbox", "email-inbox-nl-turk", "email-inbox-forward-nl", "email-inbox-delete",
    "email-inbox-forward", "email-inbox-forward-nl-turk", "email-inbox-important",
    "email-inbox-noscroll", "email-inbox-reply", "email-inbox-star-reply",
]  # fmt: skip
SEEDS = (0, 1)


def test_every_task_has_an_expert() -> None:
    from vla.datasets import has_expert
    from vla.datasets.experts.miniwob import EXPERTS

    assert set(TASKS) <= set(EXPERTS)
    assert all(has_expert(f"vla/miniwob-{task}-v0") for task in TASKS)


@pytest.mark.parametrize("task", TASKS)
def test_expert_solves_task(task: str) -> None:
    import gymnasium as gym

    import vla.envs  # noqa: F401
    from vla.actions import Click, Drag, Key, Scroll, Type, Wait
    from vla.datasets import make_expert

    env = gym.make(f"vla/miniwob-{task}-v0")
    try:
        expert = make_expert(env)
        for seed in SEEDS:
            obs, info = env.reset(seed=seed)
            expert.reset()
            terminated = truncated = False
            steps = 0
            while not (terminated or truncated):
                action = expert.act(obs, info)
                assert isinstance(action, (Click, Drag, Key, Scroll, Type, Wait)), action
                if isinstance(action, Click):  # a pixel of the 160x210 image the policy sees
                    assert 0 <= action.x < 160 and 0 <= action.y < 210, action
                obs, _, terminated, truncated, info = env.step(action)
                steps += 1
            assert info["is_success"], (
                task,
                seed,
                steps,
                info.get("raw_reward"),
                info.get("error"),
            )
            assert info["raw_reward"] > 0
    finally:
        env.close()
