"""MiniWoB++ tasks in a headful Chromium window, solved through vla/desktop-v0.

The desktop env only sees screenshots of the window and only sends real X events; success is
read from the page's own reward (``WOB_RAW_REWARD_GLOBAL``) by the probe.
"""

from __future__ import annotations

from typing import Any

import pytest

from vla.policy import CHECKPOINTS_DIR
from vla.rollout import PolicyAgent, run_episode

pytestmark = [pytest.mark.display, pytest.mark.browser]

POSITION = (211, 137)  # the window is not at the screen origin
SEEDS = range(100_000, 100_003)  # evaluation seeds (disjoint from data collection seeds)


def open_task(task: str, **kwargs: Any) -> tuple[Any, Any]:
    from vla.envs.desktop.browser_window import miniwob_on_desktop

    kwargs.setdefault("max_actions_per_s", 20.0)
    return miniwob_on_desktop(task, position=POSITION, **kwargs)


@pytest.mark.parametrize(
    ("task", "capture"),
    [
        ("click-test", {"margin": 30}),
        ("click-button", {"margin": 30, "image_size": (110, 135)}),  # region 220x270, resized
        ("click-dialog", {"margin": 0}),
        ("focus-text", {"margin": 30}),
        ("enter-text", {"margin": 30}),
        ("click-checkboxes", {"margin": 30, "image_size": (110, 135)}),
    ],
)
def test_expert_solves_task_through_the_desktop(xvfb: str, task: str, capture: dict) -> None:
    from vla.datasets import make_expert

    desktop, browser = open_task(task, yes=True, **capture)
    try:
        mapping = desktop.unwrapped.mapping
        assert mapping.region[:2] != (0, 0)
        if "image_size" in capture:
            assert mapping.image_size == capture["image_size"]
        expert = make_expert(desktop, inner=browser)
        for seed in SEEDS:
            result = run_episode(expert, desktop, seed=seed)
            assert result.success, (task, seed, result)
            assert result.total_reward > 0 and result.errors == []
    finally:
        desktop.close()
        browser.close()


def test_probe_measures_the_page_position(xvfb: str) -> None:
    desktop, browser = open_task("click-test")
    try:
        (x, y), scale = desktop.unwrapped.probe.geometry()
        assert (x, y) == POSITION and scale == 1.0
        assert desktop.unwrapped.mapping.region == (*POSITION, 160, 210)
    finally:
        desktop.close()
        browser.close()


def test_a_policy_reads_the_task_from_the_page_and_acts_through_the_desktop(
    xvfb: str, tiny_policy_dir: Any
) -> None:
    from vla.policy import Policy

    policy = Policy.from_pretrained(tiny_policy_dir, device="cpu")  # untrained: pipeline only
    desktop, browser = open_task("click-test", margin=0, max_steps=2)
    seen: list[tuple[Any, str]] = []
    act = policy.act

    def spy(image: Any, instruction: str, state: Any = None, space: Any = None) -> Any:
        seen.append((image.shape, instruction))
        return act(image, instruction, state, space=space)

    policy.act = spy  # type: ignore[method-assign]
    try:
        agent = PolicyAgent.for_env(policy, desktop.action_space)
        result = run_episode(agent, desktop, seed=100_000)
    finally:
        desktop.close()
        browser.close()
    assert 1 <= result.steps <= 2 and len(seen) == result.steps
    assert all(shape == (210, 160, 3) and text == "Click the button." for shape, text in seen)


@pytest.mark.slow
def test_shipped_browser_checkpoint_solves_click_test_through_the_desktop(xvfb: str) -> None:
    if not (CHECKPOINTS_DIR / "vla-browser-tiny").is_dir():
        pytest.skip("the shipped checkpoint vla-browser-tiny is not built yet (make checkpoints)")
    from vla.policy import Policy

    policy = Policy.from_pretrained("vla-browser-tiny", device="cpu")
    # The capture is exactly the task area, as the checkpoint saw it in training.
    desktop, browser = open_task("click-test", margin=0, max_steps=5)
    try:
        agent = PolicyAgent.for_env(policy, desktop.action_space)
        results = [run_episode(agent, desktop, seed=seed) for seed in range(100_000, 100_005)]
    finally:
        desktop.close()
        browser.close()
    # The shipped checkpoint solves click-test in 100 of 100 headless episodes (docs/results.md)
    # and won 5 of 5 here; through the screen it must too, judged by the page's reward. One
    # miss is tolerated for the screen path's timing on a loaded machine.
    wins = sum(r.success for r in results)
    assert wins >= 4, [(r.steps, r.actions, r.errors) for r in results]
