"""The shared step loop of the browser envs: action checking, execution, failure handling.

Subclasses say where the image is on the page (:meth:`BrowserEnvBase._clip`), how an episode
starts, and what the page reports after a step (:meth:`BrowserEnvBase._read_state`).
"""

from __future__ import annotations

import functools
import time
from importlib import resources
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from vla.actions import UI_ACTIONS, Done, Wait, action_points
from vla.controllers.playwright import BrowserError, PlaywrightController
from vla.envs.spaces import ActionSpace, observation_space

__all__ = ["BrowserEnvBase"]


@functools.cache
def _script(name: str) -> str:
    return resources.files("vla.envs.browser").joinpath(name).read_text()


def dom_script() -> str:
    """The JavaScript function (source) that lists the page's elements; see ``dom.js``."""
    return _script("dom.js")


def words_script() -> str:
    """The JavaScript function (source) that lists the page's words with their boxes (the
    reading loss's labels); see ``words.js``."""
    return _script("words.js")


class BrowserEnvBase(gym.Env):
    """A gymnasium env over one :class:`~vla.controllers.playwright.PlaywrightController`.

    Observation: ``{"image": uint8[H, W, 3], "instruction": str}``; ``image_size = (W, H)``.
    Action: a :mod:`vla.actions` UI action in pixels of that image. An action whose point lies
    outside the image is not executed: ``info["error"]`` says so and the episode goes on. A
    crashed or hung browser ends the episode (``terminated``, ``info["error"]`` names the
    reason, ``is_success`` False); the next ``reset`` starts a fresh browser.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(
        self,
        image_size: tuple[int, int],
        viewport: tuple[int, int],
        max_steps: int,
        render_mode: str | None = None,
        headless: bool = True,
        window_position: tuple[int, int] | None = None,
        window_size: tuple[int, int] | None = None,
        timeout_s: float = 10.0,
        dom: bool = True,
        max_elements: int = 2000,
        wait_ms: float = 0.0,
    ) -> None:
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array'; got {render_mode!r}")
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1; got {max_steps!r}")
        if wait_ms < 0:
            raise ValueError(f"wait_ms must be >= 0; got {wait_ms!r}")
        #: a ``Wait`` lasts until this long after the previous observation (0: one env step)
        self.wait_ms = float(wait_ms)
        self._observed_at = 0.0
        self.render_mode = render_mode
        self.image_size = (int(image_size[0]), int(image_size[1]))
        self.max_steps = int(max_steps)
        self.dom = bool(dom)
        self.max_elements = int(max_elements)
        w, h = self.image_size
        self.observation_space = observation_space(h, w)
        from vla.actions import UISpace

        self.action_space = ActionSpace(UISpace(), image_size=self.image_size)
        self.controller = PlaywrightController(
            viewport=viewport,
            headless=headless,
            window_position=window_position,
            window_size=window_size,
            timeout_s=timeout_s,
        )
        self._steps = 0
        self._epoch = 0
        self._instruction = ""
        self._last_image = np.zeros((h, w, 3), np.uint8)
        self._needs_restart = False
        #: Wall time of the last ``step`` in seconds (executing, reading the page, screenshot).
        self.last_step_time_s = 0.0
        #: True when ``_clip`` is in document (not viewport) pixels: full-page images.
        self._document = False

    # ------------------------------------------------------------- for subclasses

    def _clip(self) -> tuple[float, float, float, float]:
        """``(left, top, width, height)`` of the image region in viewport pixels."""
        raise NotImplementedError

    def _to_page(self, x: float, y: float) -> tuple[float, float]:
        """Image pixel -> viewport pixel."""
        left, top, cw, ch = self._clip()
        w, h = self.image_size
        return left + x * cw / w, top + y * ch / h

    def _read_state(self) -> dict[str, Any]:
        """Page state after a step: ``{"done", "raw_reward", "reward", "utterance", ...}``."""
        raise NotImplementedError

    def _before_action(self) -> None:
        """Hook run just before each action is executed."""

    def _observe(self) -> tuple[dict[str, Any], np.ndarray]:
        """The page state (:meth:`_read_state`) and the image after an action. A state with
        an ``"error"`` reports a failure inside the episode (it goes on)."""
        state = self._read_state()
        return state, self._screenshot(state.get("scroll"))

    # ---------------------------------------------------------------- helpers

    def _screenshot(self, scroll: tuple[float, float] | None = None) -> np.ndarray:
        img = self.controller.screenshot(self._clip(), document=self._document, scroll=scroll)
        w, h = self.image_size
        if img.shape[:2] != (h, w):
            from PIL import Image

            img = np.asarray(Image.fromarray(img).resize((w, h), Image.BILINEAR), np.uint8)
        self._last_image = img
        self._observed_at = time.perf_counter()
        return img

    def _elements(self, skip: tuple[str, ...] = (), page_coords: bool = False) -> list[dict]:
        opts = self._dom_options(skip, page_coords)
        return [] if opts is None else self.controller.evaluate(dom_script(), opts)

    def _dom_options(self, skip: tuple[str, ...] = (), page_coords: bool = False) -> dict | None:
        """The argument of ``dom.js`` for this env's image, or None when ``dom=False``."""
        if not self.dom:
            return None
        left, top, cw, ch = self._clip()
        w, h = self.image_size
        return {
            "clip": [left, top, cw, ch],
            "scale": [w / cw, h / ch],
            "skip": list(skip),
            "max": self.max_elements,
            "epoch": self._epoch,
            "page_coords": page_coords,
        }

    def _obs(self, image: np.ndarray) -> dict[str, Any]:
        return {"image": image, "instruction": self._instruction}

    def _check(self, action: Any) -> str | None:
        """None when ``action`` can run; else the reason (raises for non-UI actions)."""
        if not isinstance(action, UI_ACTIONS):
            raise ValueError(f"{type(self).__name__} takes vla.actions UI actions; got {action!r}")
        w, h = self.image_size
        for x, y in action_points(action):
            if not (0 <= x < w and 0 <= y < h):
                return (
                    f"{action.verb} at ({x:g}, {y:g}) is outside the {w}x{h} image "
                    f"(x must be in [0, {w}), y in [0, {h}))"
                )
        return None

    # ------------------------------------------------------------------ gym API

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Execute ``action``; returns ``(obs, reward, terminated, truncated, info)``.

        ``reward`` is the task's raw reward when the episode ends on this step, else 0 (it
        does not depend on wall time; the page's time-discounted reward is ``info["reward"]``);
        ``terminated`` when the task ended (or ``Done``/a browser failure);
        ``truncated`` when ``max_steps`` steps were taken. ``info``: see the subclass.
        """
        self._steps += 1
        t0 = time.perf_counter()
        error = self._check(action)
        try:
            if error is None:
                self._pace(action)
                self._before_action()
                self.controller.execute(action, self._to_page)
            state, image = self._observe()
        except BrowserError as e:
            self._needs_restart = True
            info = self._failed_info(f"browser failure: {e}")
            return self._obs(self._last_image), 0.0, True, False, info
        info = dict(state)
        self.last_step_time_s = time.perf_counter() - t0  # not in info: it is not reproducible
        if error is not None:
            info["error"] = f"{error}; {info['error']}" if "error" in info else error
        terminated = bool(state["done"]) or isinstance(action, Done)
        truncated = not terminated and self._steps >= self.max_steps
        reward = float(state["raw_reward"]) if state["done"] else 0.0
        return self._obs(image), reward, terminated, truncated, info

    def _pace(self, action: Any) -> None:
        """With ``wait_ms``, hold a ``Wait`` until ``wait_ms`` after the last observation, so an
        animation takes the same number of waits on a fast host as on a slow one, and whether a
        policy or an expert spent the time in between."""
        if isinstance(action, Wait) and self.wait_ms > 0:
            left = self.wait_ms / 1000.0 - (time.perf_counter() - self._observed_at)
            if left > 0:
                time.sleep(left)

    def _failed_info(self, reason: str) -> dict[str, Any]:
        return {
            "utterance": self._instruction,
            "fields": {},
            "elements": [],
            "raw_reward": -1.0,
            "reward": -1.0,
            "done": True,
            "is_success": False,
            "error": reason,
        }

    def _ensure_browser(self) -> None:
        if self._needs_restart or not self.controller.is_alive():
            self.controller.restart()
            self._needs_restart = False
            self._on_browser_start()

    def _on_browser_start(self) -> None:
        """Hook: the browser was (re)started and shows a blank page."""

    def render(self) -> np.ndarray | None:
        """The last observed image (``render_mode="rgb_array"``), uint8 ``(H, W, 3)``."""
        return self._last_image.copy() if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        """Close the browser and kill its processes."""
        self.controller.close()
        super().close()
