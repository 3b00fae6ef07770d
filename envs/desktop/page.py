"""``vla/desktop-page-miniwob-<task>-v0``: the desktop suite's task, seen as its actor sees it.

The second pass of the two-pass desktop policy (:class:`vla.rollout.focus.FocusPolicy`) acts
on a page-sized crop of the screen around the box its locator found. A headless page env never
shows what that crop can hold on a real screen: headful Chromium's own pop-up list over a
``<select>``, another window's edge where the page ends, a page a few pixels off. This env
shows exactly that crop, so an actor can be trained (``vla collect``, ``vla collect --dagger``)
and evaluated on it:

* each episode is one :class:`~vla.envs.desktop.suite.DesktopSuiteEnv` episode (the same seed
  gives the same screen and the same task);
* the observation is the crop :func:`~vla.envs.desktop.views.page_view` cuts around the task
  area moved by ``(dx, dy)`` pixels, drawn once per episode, each up to ``jitter_px``, as a
  locator's error moves it (the crop keeps its place for the episode, as with ``locate_once``):
  ``page_size`` times the page's scale, shown at ``page_size`` as ``FocusPolicy`` shows it
  (native pixels at scale 1; a 2x HiDPI crop halved);
* actions are in the shown crop's pixels and are executed on the whole screen, mapped back
  through the crop (:func:`~vla.envs.desktop.views.action_to_screen`), with every desktop
  safety rule on.

``info`` is the suite's, plus ``view`` (the crop, screen-image pixels ``(x, y, w, h)``) and
``offset`` (the episode's ``(dx, dy)``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from vla.actions import Action
from vla.envs.desktop.locate import task_box
from vla.envs.desktop.views import (
    View,
    action_to_screen,
    action_to_view,
    map_action,
    page_view,
    render_view,
)
from vla.envs.spaces import ActionSpace, observation_space

__all__ = ["DesktopPageEnv"]


class DesktopPageEnv(gym.Env):
    """A desktop-suite task seen through the page crop a two-pass policy's actor is shown.

    Args:
        task: the MiniWoB++ task name.
        page_size: ``(width, height)`` of the actor's pages at scale 1 (MiniWoB++: 160x210).
        jitter_px: the largest move of the crop from the true task area, per axis, in pixels
            (drawn once per episode from the env's generator).
        render_mode: None or ``"rgb_array"`` (the crop).
        suite: keyword arguments of :class:`~vla.envs.desktop.suite.DesktopSuiteEnv`
            (``screen``, ``hidpi``, ``distractors``, ``max_steps``...).
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 2}

    def __init__(
        self,
        task: str,
        page_size: tuple[int, int] = (160, 210),
        jitter_px: int = 6,
        render_mode: str | None = None,
        **suite: Any,
    ) -> None:
        if int(jitter_px) != jitter_px or jitter_px < 0:
            raise ValueError(f"Got jitter_px={jitter_px!r}; it must be an integer >= 0")
        if len(page_size) != 2 or any(int(v) != v or v < 1 for v in page_size):
            raise ValueError(f"Got page_size={page_size!r}; it must be (width, height) >= 1")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"Got {render_mode!r} for `render_mode`; use None or 'rgb_array'")
        from vla.envs.desktop.suite import DesktopSuiteEnv

        self.page_size = (int(page_size[0]), int(page_size[1]))
        self.jitter_px = int(jitter_px)
        self.render_mode = render_mode
        self.suite = DesktopSuiteEnv(task, **suite)
        size = self.page_size
        self.observation_space = observation_space(size[1], size[0])
        self.action_space = ActionSpace(self.suite.action_space.spec, image_size=size)
        self._view: View = (0, 0, size[0], size[1])
        self._offset = (0, 0)
        self._crop: np.ndarray | None = None

    @property
    def mapping(self) -> Any:
        """The suite's image -> screen mapping (screen-image pixels, not the crop's)."""
        return self.suite.mapping

    @property
    def view(self) -> View:
        """The episode's crop, ``(x, y, width, height)`` in screen-image pixels."""
        return self._view

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A new suite episode (``seed``) and the crop it is seen through."""
        super().reset(seed=seed)
        obs, info = self.suite.reset(seed=seed, options=options)
        j = self.jitter_px
        dx, dy = (int(v) for v in self.np_random.integers(-j, j + 1, size=2))
        x0, y0, x1, y1 = task_box(info, self.suite.mapping)
        screen = np.asarray(obs["image"])
        image_size = (screen.shape[1], screen.shape[0])
        self._offset = (dx, dy)
        self._view = page_view((x0 + dx, y0 + dy, x1 + dx, y1 + dy), self.page_size, image_size)
        return self._observe(obs), self._info(info)

    def step(self, action: Action) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Execute ``action`` (crop pixels) on the screen; observe the same crop."""
        if self._crop is None:
            raise RuntimeError("call reset() before step()")
        on_screen = action_to_screen(action, self._view, self.page_size)
        obs, reward, terminated, truncated, info = self.suite.step(on_screen)
        return self._observe(obs), reward, terminated, truncated, self._info(info)

    def to_crop(self, action: Action) -> Action:
        """A screen-image action (the suite's expert's) in this episode's crop pixels, kept
        inside the crop."""
        w, h = self.page_size
        inside = action_to_view(action, self._view, self.page_size)  # kept >= 0
        return map_action(inside, lambda p: (min(p[0], w - 1e-3), min(p[1], h - 1e-3)))

    def render(self) -> np.ndarray | None:
        """The crop (``rgb_array``)."""
        return self._crop if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        """Close the suite env (its windows, browsers and X server)."""
        self.suite.close()
        super().close()

    def _observe(self, obs: dict[str, Any]) -> dict[str, Any]:
        self._crop = render_view(np.asarray(obs["image"]), self._view, self.page_size)
        return {"image": self._crop, "instruction": obs["instruction"]}

    def _info(self, info: dict[str, Any]) -> dict[str, Any]:
        return {**info, "view": list(self._view), "offset": list(self._offset)}
