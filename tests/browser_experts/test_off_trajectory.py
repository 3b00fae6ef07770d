"""Experts finish from states they did not lead to: before the expert's first step, a few
wrong pixel actions (a click on the wrong widget, junk typed into a field, a scroll away, a
wrong drag, opening the wrong e-mail) change the page; the expert, which reads the page at
every step, must still solve the episode. This is how DAgger uses them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("playwright")

pytestmark = pytest.mark.browser

Info = dict[str, Any]


def _el(info: Info, pred: Callable[[dict], bool]) -> dict:
    found = [e for e in info["elements"] if e["visible"] and pred(e)]
    assert found, "the perturbation's target is not on the page"
    return found[0]


def _click(pred: Callable[[dict], bool]) -> Callable[[Info], Any]:
    from vla.actions import Click

    def act(info: Info) -> Any:
        x, y, w, h = _el(info, pred)["bbox"]
        return Click(x + w / 2, y + h / 2)

    return act


def _const(action: Any) -> Callable[[Info], Any]:
    return lambda info: action


def _wrong_sender(info: Info) -> Any:
    """Open the first e-mail that is not the asked sender's."""
    from vla.actions import Click
    from vla.datasets.experts.miniwob.inbox import task_fields

    name = task_fields(info)["by"]
    row = _el(info, lambda e: "email-sender" in e["classes"] and e["text"] not in ("", name))
    x, y, w, h = row["bbox"]
    return Click(x + w / 2, y + h / 2)


def _swap_first_two(info: Info) -> Any:
    """Drag the top list item below the second one (usually unsorting the list further)."""
    from vla.actions import Drag

    items = sorted(
        (e for e in info["elements"] if e["tag"] == "li" and e["visible"]),
        key=lambda e: e["bbox"][1],
    )
    (x0, y0, w0, h0), (_, y1, _, h1) = items[0]["bbox"], items[1]["bbox"]
    return Drag(x0 + w0 / 2, y0 + h0 / 2, x0 + w0 / 2, y1 + h1 / 2 + 6)


def _perturbations() -> dict[str, list[Callable[[Info], Any]]]:
    from vla.actions import Key, Scroll, Type

    return {
        # junk in the username; the pop-up (if any) may open on this click
        "login-user-popup": [_click(lambda e: e["id"] == "username"), _const(Type("zzz"))],
        # the wrong radio, junk typed into the 3rd box
        "form-sequence-2": [
            _click(lambda e: e["type"] == "radio" and e["value"] == "3"),
            _click(lambda e: e["id"] == "input-3"),
            _const(Type("99")),
        ],
        # the slider moved to its minimum, every check box checked
        "form-sequence": [
            _click(lambda e: "ui-slider-handle" in e["classes"]),
            _const(Key("End")),
            _click(lambda e: e["id"] == "checkbox-1"),
            _click(lambda e: e["id"] == "checkbox-2"),
            _click(lambda e: e["id"] == "checkbox-3"),
        ],
        # a wrong height chosen, then the drop-down left open
        "form-sequence-3": [
            _click(lambda e: e["classes"] == "selectric"),
            _const(Key("ArrowDown")),
            _const(Key("ArrowDown")),
            _const(Key("ArrowDown")),
            _const(Key("Enter")),
            _click(lambda e: e["classes"] == "selectric"),
        ],
        # junk in the first search box of whichever layout was drawn
        "multi-layouts": [
            _click(lambda e: e["tag"] == "input" and e["type"] == "text"),
            _const(Type("junk")),
        ],
        # the wrong e-mail opened, then its reply form
        "email-inbox": [_wrong_sender, _click(lambda e: "email-reply" in e["classes"])],
        # the wrong e-mail opened
        "email-inbox-forward-nl": [_wrong_sender],
        # the page scrolled down over the inbox
        "email-inbox-nl-turk": [_const(Scroll(80, 120, 0, 400))],
        "drag-sort-numbers": [_swap_first_two],
        # the last tab or section opened first: the search goes on from there, in order
        "click-tab-2": [_click(lambda e: e["tag"] == "a" and e["text"] == "Tab #3")],
        "click-collapsible-2": [_click(lambda e: e["tag"] == "h3" and e["text"] == "Section #3")],
        "scroll-text-2": [_const(Scroll(80, 100, 0, 300))],
    }


CASES = sorted(_perturbations())
SEEDS = (0, 1)


@pytest.mark.parametrize("task", CASES)
def test_expert_finishes_after_a_perturbation(task: str) -> None:
    import gymnasium as gym

    import vla.envs  # noqa: F401
    from vla.datasets import make_expert

    steps = _perturbations()[task]
    env = gym.make(f"vla/miniwob-{task}-v0")
    try:
        expert = make_expert(env)
        for seed in SEEDS:
            obs, info = env.reset(seed=seed)
            for perturb in steps:
                obs, _, terminated, _, info = env.step(perturb(info))
                assert not terminated, (task, seed, "the perturbation ended the episode")
            expert.reset()
            terminated = truncated = False
            while not (terminated or truncated):
                obs, _, terminated, truncated, info = env.step(expert.act(obs, info))
            assert info["is_success"], (task, seed, info.get("raw_reward"), info.get("error"))
    finally:
        env.close()
