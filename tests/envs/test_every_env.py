"""One test over every registered ``vla/*`` env: gymnasium's env checker, same seed -> same
episode start, and ``close()`` leaves no process behind.

The ids come from ``gymnasium.registry``. Every id is checked, except that of the MiniWoB++
family (130 ids, one Chromium each, 4-7 s per id with the determinism check on the 2-core
development machine: over eight minutes) only a fixed set of tasks covering its kinds of page
(buttons, text entry, lists, drag, scrolling) is; their envs are one class that differs only
in the task page. The MiniWoB experts' own tests (tests/browser_experts) run every task they
support. The desktop suite (``vla/desktop-miniwob-<task>-v0``, the same pages on a whole
virtual desktop, an Xvfb and two Chromium windows each) is sampled with one task the same way;
so are the locate env on its screens (``vla/desktop-locate-miniwob-<task>-v0``) and the page
env (``vla/desktop-page-miniwob-<task>-v0``);
tests/desktop/test_suite.py covers its kinds of distractor. The whole test takes about 50 s
here.
"""

from __future__ import annotations

import warnings
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import vla.envs  # noqa: F401 - registers the ids

MINIWOB_SAMPLE = (
    "click-test",
    "click-button",
    "enter-text",
    "choose-list",
    "drag-box",
    "scroll-text-2",
)
DESKTOP_SUITE_SAMPLE = ("click-button",)
BUTTON_PAGE = "data:text/html,<button onclick=\"document.title='done'\">Go</button>"
#: Constructor kwargs an id needs to be made at all (a page to load, no real input events).
KWARGS: dict[str, dict[str, Any]] = {
    "vla/browser-v0": {"url": BUTTON_PAGE, "instruction": "Press Go.", "viewport": (160, 120)},
    "vla/desktop-v0": {"region": (0, 0, 160, 120), "dry_run": True, "max_actions_per_s": 1000},
}


def _checked_ids() -> list[str]:
    ids = sorted(i for i in gym.registry if i.startswith("vla/"))
    sample = {f"vla/miniwob-{t}-v0" for t in MINIWOB_SAMPLE}
    sample |= {f"vla/desktop-miniwob-{t}-v0" for t in DESKTOP_SUITE_SAMPLE}
    sample |= {f"vla/desktop-locate-miniwob-{t}-v0" for t in DESKTOP_SUITE_SAMPLE}
    sample |= {f"vla/desktop-page-miniwob-{t}-v0" for t in DESKTOP_SUITE_SAMPLE}
    assert sample <= set(ids), sample - set(ids)
    sampled = (
        "vla/miniwob-",
        "vla/desktop-miniwob-",
        "vla/desktop-locate-miniwob-",
        "vla/desktop-page-miniwob-",
    )
    return [i for i in ids if not i.startswith(sampled) or i in sample]


def _marks(env_id: str) -> list[Any]:
    family = env_id.split("/")[1].split("-")[0]
    mark = {"miniwob": "browser", "browser": "browser", "panda": "robot", "desktop": "display"}
    return [getattr(pytest.mark, mark[family])] if family in mark else []


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    return bool(a == b)


def _where(a: Any, b: Any) -> str:
    """Where two image observations differ, for the failure message (a flaky screen shows
    which window drew late)."""
    if not (isinstance(a, dict) and isinstance(b, dict)) or "image" not in a or "image" not in b:
        return ""
    x, y = np.asarray(a["image"]), np.asarray(b["image"])
    if x.shape != y.shape:
        return f" (image shapes {x.shape} and {y.shape})"
    ys, xs = np.nonzero(np.any(x != y, axis=-1))
    if not len(xs):
        return ""
    return f" ({len(xs)} pixels differ, in x {xs.min()}..{xs.max()}, y {ys.min()}..{ys.max()})"


def _scrub(info: dict[str, Any]) -> dict[str, Any]:
    """``info`` without MiniWoB's ``data-tampered`` attribute: the page sets it to ``"e<N>"``
    where N counts the episodes since the page loaded (core.js, WOB_EPISODE_ID), so it
    numbers the episode rather than describing it."""
    elements = [
        {**e, "attrs": {k: v for k, v in e.get("attrs", {}).items() if k != "data-tampered"}}
        for e in info.get("elements", [])
    ]
    return {**info, "elements": elements} if "elements" in info else info


def _children() -> set[int]:
    import psutil

    return {p.pid for p in psutil.Process().children(recursive=True) if p.is_running()}


def _first_step(env: gym.Env, seed: int) -> tuple[Any, ...]:
    """Reset with ``seed``, then take the expert's action (a seeded random one where there is
    no expert); return the reset observation and info and the step's observation and info."""
    from vla.datasets import has_expert, make_expert

    obs, info = env.reset(seed=seed)
    if has_expert(env.spec.id):
        expert = make_expert(env)
        expert.reset()
        action = expert.act(obs, info)
    else:  # vla/desktop-v0's expert reads a page through a browser window it is handed
        env.action_space.seed(seed)
        action = env.action_space.sample()
    obs2, _, _, _, info2 = env.step(action)
    return obs, _scrub(info), obs2, _scrub(info2)


@pytest.mark.parametrize("env_id", [pytest.param(i, marks=_marks(i)) for i in _checked_ids()])
def test_env(env_id: str, request: pytest.FixtureRequest, tmp_path: Any) -> None:
    kwargs = dict(KWARGS.get(env_id, {}))
    if env_id.startswith("vla/desktop"):
        # the session's display first: pyautogui must not be imported before it starts
        request.getfixturevalue("xvfb")
    if env_id == "vla/desktop-v0":
        kwargs["dry_run_dir"] = tmp_path
    before = _children()
    env = gym.make(env_id, **kwargs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any checker warning fails the test, except:
            # robot states are unbounded on purpose (positions, velocities).
            warnings.filterwarnings("ignore", message=".*infinity.*")
            check_env(env.unwrapped, skip_render_check=True)
        first, again = _first_step(env, 7), _first_step(env, 7)
        names = ("reset obs", "reset info", "step obs", "step info")
        for name, a, b in zip(names, first, again, strict=True):
            assert _equal(a, b), f"{env_id}: same seed, different {name}{_where(a, b)}"
    finally:
        env.close()
    assert _children() <= before, f"{env_id}: close() left processes running"
