"""``vla/miniwob-<task>-v0``: MiniWoB++ task pages (from the ``miniwob`` package) in Chromium.

Episode protocol (no Selenium): the task page is loaded once from ``file://``; every
``reset`` runs ``Math.seedrandom(seed); core.setDataMode('train'); core.startEpisodeReal()``
in the already-loaded page, so a reset costs one JavaScript call and a screenshot.

MiniWoB's own timer: ``core.startEpisodeReal`` arms a ``setTimeout`` that ends the episode
with reward -1 after ``core.EPISODE_MAX_TIME`` (10 s for most tasks). A slow policy would lose
episodes to wall time, so the env disarms that timer after each start: episodes end on the
task's own ``core.endEpisode`` or on ``max_steps`` (truncated). Tasks that discount their
reward by elapsed time (``core.endEpisode(r, true)``) get a deterministic discount instead:
``info["reward"] = raw * max(0, 1 - steps * step_ms / EPISODE_MAX_TIME)``, i.e. every step
counts ``step_ms`` milliseconds however long the agent thought. (The env keeps the page's
episode start one second in the past so that it can tell which tasks discount.)
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from vla.envs.browser.base import BrowserEnvBase, dom_script, words_script

__all__ = ["MINIWOB_SIZE", "MiniWoBEnv", "miniwob_html_dir", "miniwob_tasks"]

#: ``(width, height)`` of the MiniWoB task area at the top-left of the page.
MINIWOB_SIZE = (160, 210)
#: Viewport ``(width, height)``: MiniWoB's Selenium window size.
MINIWOB_VIEWPORT = (500, 320)
#: At most this many words in ``info["words"]`` (a MiniWoB page shows up to about 60).
MAX_WORDS = 96
#: Page elements that are MiniWoB's scaffolding, not part of the task.
_SCAFFOLD_IDS = ("reward-display", "click-canvas", "sync-task-cover")

_START_JS = """(a) => {
  if (!document.getElementById('vla-style')) {
    // The score board right of the task widens the page past the viewport; a focused widget
    // could then scroll the task out of view. Nothing of it shows in the 160x210 image.
    const st = document.createElement('style');
    st.id = 'vla-style';
    st.textContent = '#reward-display { display: none !important; }';
    document.head.appendChild(st);
  }
  Math.seedrandom(a.seed);
  core.setDataMode(a.mode);
  if (document.activeElement) document.activeElement.blur();
  core.startEpisodeReal();
  window.scrollTo(0, 0);
  clearTimeout(core.EP_TIMER);
  core.EP_TIMER = -1;  // non-null: core.endEpisode still scores; nothing fires on wall time
  core.ept0 = Date.now() - 1000;
  return {ready: typeof WOB_TASK_READY === 'undefined' || !!WOB_TASK_READY,
          utterance: core.getUtterance()};
}"""


def _state_js() -> str:
    return f"""(opts) => {{
  const out = {{done: !!WOB_DONE_GLOBAL, reward: WOB_REWARD_GLOBAL, raw_reward: WOB_RAW_REWARD_GLOBAL,
          reason: WOB_REWARD_REASON === null ? null : String(WOB_REWARD_REASON),
          scroll: [window.scrollX, window.scrollY],
          max_time: core.EPISODE_MAX_TIME,
          elements: opts.dom ? ({dom_script()})(opts) : [],
          words: opts.dom && opts.words ? ({words_script()})(opts) : []}};
  core.ept0 = Date.now() - 1000;  // see the module docstring: marks time-discounting tasks
  return out;
}}"""


def miniwob_html_dir() -> str:
    """Folder holding the MiniWoB++ task pages of the installed ``miniwob`` package."""
    spec = importlib.util.find_spec("miniwob")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the MiniWoB++ envs need the `miniwob` package: pip install miniwob", name="miniwob"
        )
    return os.path.join(next(iter(spec.submodule_search_locations)), "html", "miniwob")


@functools.lru_cache(maxsize=1)
def miniwob_tasks() -> tuple[str, ...]:
    """Names of every task page shipped by the ``miniwob`` package (sorted)."""
    try:
        folder = miniwob_html_dir()
    except ModuleNotFoundError:
        return ()
    return tuple(sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".html")))


@functools.lru_cache(maxsize=1)
def _field_extractors() -> dict[str, Callable[[str], Any]]:
    # miniwob/fields.py is plain Python (re, json). Load it by path: importing the `miniwob`
    # package would register its own Selenium gymnasium envs as a side effect.
    path = os.path.join(os.path.dirname(os.path.dirname(miniwob_html_dir())), "fields.py")
    spec = importlib.util.spec_from_file_location("_vla_miniwob_fields", path)
    if spec is None or spec.loader is None:
        return {}
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.FIELD_EXTRACTORS)


def utterance_fields(task: str, utterance: str) -> dict[str, str]:
    """The task's key-value fields parsed from its utterance (MiniWoB's extractors), or {}."""
    extractor = _field_extractors().get(task)
    if extractor is None:
        return {}
    try:
        return {str(k): str(v) for k, v in extractor(utterance)}
    except (ValueError, KeyError, IndexError, TypeError):
        return {}


class MiniWoBEnv(BrowserEnvBase):
    """One MiniWoB++ task. Made by ``gymnasium.make("vla/miniwob-<task>-v0", **kwargs)``.

    Args:
        task: the task page name, e.g. ``"click-button"`` (see :func:`miniwob_tasks`).
        max_steps: steps before the episode is truncated.
        render_mode: None or ``"rgb_array"`` (the last observation).
        headless: False opens a visible window (needs ``DISPLAY``).
        window_position: ``(x, y)`` of the window on screen (headful). With no window
            manager the page's top-left is at this position, so image pixel ``(x, y)`` is
            screen pixel ``(wx + x, wy + y)``.
        window_size: ``(width, height)`` of the window (headful; default the viewport).
        timeout_s: seconds a browser call may take before the browser counts as hung.
        data_mode: MiniWoB data mode passed to ``core.setDataMode`` (``"train"`` or ``"test"``).
        dom: False skips the element list in ``info`` (saves a few ms a step).
        step_ms: milliseconds each step counts for tasks whose reward decays with time.
        wait_ms: a ``Wait`` lasts until this many milliseconds after the previous observation
            (0, the default: one env step, so an animation takes more waits on a faster host).
        words: list the page's words and their boxes in ``info["words"]`` (the reading loss's
            labels; ``vla collect --env-kwargs '{"words": true}'``). Off by default: it costs
            a few to tens of milliseconds a step.

    Observation: ``{"image": uint8[210, 160, 3], "instruction": str}``: the task area at the
    page's top-left and the task's utterance.

    ``info`` after ``reset`` and each ``step``: ``utterance``, ``fields`` (dict from MiniWoB's
    field extractors, {} when the task has none), ``elements`` (list of dicts, document order:
    ``ref``, ``parent``, ``tag``, ``id``, ``classes`` (space-separated str), ``text``,
    ``value``, ``type``, ``bbox`` = ``[left, top, width, height]`` in image pixels, ``rects``
    (the line boxes of an element that wraps over several lines, same units; [] otherwise),
    ``visible``, ``focused``, ``checked``, ``disabled``, ``bg_color``, ``color``, ``attrs``,
    ``clipped`` (its content is larger than its box: it scrolls, or is still opening)),
    ``words`` (with ``words=True``, else []: ``[word, left, top, width, height]`` of each run
    of non-space characters the image shows, image pixels, document order; the reading loss's
    labels, ``words.js``),
    ``raw_reward`` (MiniWoB raw reward, 0 until done), ``reward`` (time-discounted by
    ``step_ms`` per step, see the module docstring), ``scroll`` (page scroll, CSS px),
    ``done``, ``reason``, ``is_success`` (``raw_reward > 0``), ``task``, ``page_seed``; and
    ``error`` when an action could not be executed.
    """

    def __init__(
        self,
        task: str,
        max_steps: int = 30,
        render_mode: str | None = None,
        headless: bool = True,
        window_position: tuple[int, int] | None = None,
        window_size: tuple[int, int] | None = None,
        timeout_s: float = 10.0,
        data_mode: str = "train",
        dom: bool = True,
        step_ms: float = 500.0,
        wait_ms: float = 0.0,
        words: bool = False,
    ) -> None:
        if task not in miniwob_tasks():
            raise ValueError(
                f"unknown MiniWoB task {task!r}; the installed miniwob package has "
                f"{len(miniwob_tasks())} tasks, e.g. {miniwob_tasks()[:3]}"
            )
        # MiniWoB's own window size: jQuery UI positions widgets against the window, so a
        # smaller viewport changes task layouts. It also leaves a spot for the idle pointer.
        super().__init__(
            image_size=MINIWOB_SIZE,
            viewport=MINIWOB_VIEWPORT,
            max_steps=max_steps,
            render_mode=render_mode,
            headless=headless,
            window_position=window_position,
            window_size=window_size,
            timeout_s=timeout_s,
            dom=dom,
            wait_ms=wait_ms,
        )
        self.task = task
        self.data_mode = data_mode
        self.words = bool(words)
        if step_ms < 0:
            raise ValueError(f"step_ms must be >= 0; got {step_ms!r}")
        self.step_ms = float(step_ms)
        self.url = "file://" + os.path.join(miniwob_html_dir(), f"{task}.html")
        self._loaded = False
        self._fields: dict[str, str] = {}
        self._page_seed = 0
        self._state_script = _state_js()

    def _clip(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, float(MINIWOB_SIZE[0]), float(MINIWOB_SIZE[1]))

    def _on_browser_start(self) -> None:
        self._loaded = False

    def _read_state(self) -> dict[str, Any]:
        opts = {
            "dom": self.dom,
            "clip": list(self._clip()),
            "scale": [1.0, 1.0],
            "skip": list(_SCAFFOLD_IDS),
            "max": self.max_elements,
            "words": self.words,
            "max_words": MAX_WORDS,
            "epoch": self._epoch,
            "page_coords": False,
        }
        s = self.controller.evaluate(self._state_script, opts)
        raw, page_reward = float(s["raw_reward"]), float(s["reward"])
        reward = raw
        if s["done"] and page_reward != raw:  # the task discounts by time: use step time
            reward = raw * max(0.0, 1.0 - self._steps * self.step_ms / float(s["max_time"]))
        return {
            "utterance": self._instruction,
            "fields": dict(self._fields),
            "elements": s["elements"],
            "words": s["words"],
            "raw_reward": raw,
            "reward": reward,
            "done": bool(s["done"]),
            "reason": s["reason"],
            "is_success": bool(s["done"]) and raw > 0,
            "task": self.task,
            "page_seed": self._page_seed,
            "scroll": s["scroll"],
        }

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start a new episode. The page seed is drawn from ``self.np_random``, so the same
        ``seed`` gives the same episode. ``options={"reload": True}`` reloads the page first."""
        super().reset(seed=seed)
        self._page_seed = int(self.np_random.integers(0, 2**31 - 1))
        self._steps = 0
        self._epoch += 1
        from vla.controllers.playwright import BrowserError

        for attempt in range(2):  # a browser that died between episodes gets one restart
            try:
                return self._start_episode(bool((options or {}).get("reload")))
            except BrowserError:
                if attempt:
                    raise
                self._needs_restart = True
        raise AssertionError("unreachable")

    def _start_episode(self, reload: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        self._ensure_browser()
        if reload or not self._loaded:
            self.controller.goto(self.url)
            self._loaded = True
        w, h = self.controller.viewport
        with self.controller.guard("move pointer"):
            self.controller.page.mouse.move(w - 1, h - 1)  # no hover effects in the task
        started = self.controller.evaluate(
            _START_JS, {"seed": self._page_seed, "mode": self.data_mode}
        )
        if not started["ready"]:
            with self.controller.guard("wait for WOB_TASK_READY"):
                self.controller.page.wait_for_function("() => !!WOB_TASK_READY")
            started["utterance"] = self.controller.evaluate("() => core.getUtterance()")
        utterance = started["utterance"]
        if isinstance(utterance, dict):  # the -nl variants: {"utterance": text, "fields": {...}}
            self._instruction = str(utterance.get("utterance", ""))
            self._fields = {str(k): str(v) for k, v in (utterance.get("fields") or {}).items()}
        else:
            self._instruction = utterance
            self._fields = utterance_fields(self.task, utterance)
        info = self._read_state()
        image = self._screenshot(info["scroll"])
        return self._obs(image), info

    def render(self) -> np.ndarray | None:
        """The last observed 210x160 task image (``render_mode="rgb_array"``)."""
        return super().render()
