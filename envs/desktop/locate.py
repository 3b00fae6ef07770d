"""``vla/desktop-locate-miniwob-<task>-v0``: find the task on a whole screen, coarse to fine.

The first pass of the desktop suite's coarse-to-fine decode (issue 19). Each episode is one
desktop-suite screen (:class:`~vla.envs.desktop.suite.DesktopSuiteEnv`: the same seed gives the
same screen) shown as a chain of *views* (:mod:`vla.envs.desktop.views`), each resized to
``view_size``:

1. the whole screen;
2. for each factor in ``zooms``: the region ``factor`` times the box the agent named in the
   view before, around that box's centre, moved and resized at random by up to ``jitter`` of
   the view (the errors a policy's own answer would bring);

and the chain of zooms is shown ``repeats`` times, each time starting again from the answer on
the whole screen. The agent answers every view with ``Drag(x0, y0, x1, y1)``: the task area's
top-left and bottom-right corners (the 160x210 MiniWoB++ area, at the page's scale) in the
view's pixels. Nothing is executed on the screen. Success: the last answer's corners are within
``tolerance`` of the task area's size.

:class:`vla.rollout.focus.FocusPolicy` runs the same chain at inference and gives the last box,
cut from the screen at native resolution, to a browser policy.

``info``: ``target_box`` (the answer, in the current view's pixels: the expert's action),
``view`` (the current view, screen pixels), ``task_box`` (screen pixels), ``box_error`` (the
last answer's largest corner error, as a fraction of the task area's width / height).
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from vla.actions import Action, Drag, UISpace
from vla.envs.desktop.suite_layout import TASK_AREA
from vla.envs.desktop.views import (
    Box,
    full_view,
    render_view,
    screen_to_view,
    view_to_screen,
    zoom_view,
)
from vla.envs.spaces import ActionSpace, observation_space

__all__ = ["DesktopLocateEnv", "task_box"]


def task_box(info: dict[str, Any], mapping: Any) -> Box:
    """The MiniWoB++ task area in screen-image pixels, from a suite step's ``info``
    (``page_origin``, ``page_scale``) and the env's image -> screen ``mapping``."""
    (ox, oy), scale = info["page_origin"], float(info.get("page_scale", 1.0))
    x0, y0 = mapping.to_image(ox, oy)
    x1, y1 = mapping.to_image(ox + TASK_AREA[0] * scale, oy + TASK_AREA[1] * scale)
    return (x0, y0, x1, y1)


class DesktopLocateEnv(gym.Env):
    """Name the MiniWoB++ task area on a whole screen, in views that zoom in on each answer.

    Args:
        task: the MiniWoB++ task name.
        zooms: the zoom chain: each view is ``factor`` times the previous answer's box.
        repeats: how many times the zoom chain follows the whole-screen answer in an episode.
        jitter: the largest random move and resize of a zoom view, as a fraction of its size.
        view_size: ``(width, height)`` every view is resized to.
        tolerance: success when the last answer's corners are within this fraction of the
            task area's size.
        suite: keyword arguments of :class:`~vla.envs.desktop.suite.DesktopSuiteEnv`
            (``screen``, ``hidpi``, ``distractors``...).
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 2}

    def __init__(
        self,
        task: str,
        zooms: tuple[float, ...] = (3.0,),
        repeats: int = 2,
        jitter: float = 0.15,
        view_size: tuple[int, int] = (256, 256),
        tolerance: float = 0.04,
        render_mode: str | None = None,
        **suite: Any,
    ) -> None:
        if any(not z >= 1.0 for z in zooms) or int(repeats) != repeats or repeats < 1:
            raise ValueError(
                f"Got zooms={zooms!r}, repeats={repeats!r}; zooms must be >= 1 and repeats "
                "an integer >= 1"
            )
        if not 0 <= jitter < 0.5 or not tolerance > 0:
            raise ValueError(f"Got jitter={jitter!r}, tolerance={tolerance!r}; use 0 <= jitter "
                             "< 0.5 and tolerance > 0")  # fmt: skip
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"Got {render_mode!r} for `render_mode`; use None or 'rgb_array'")
        from vla.envs.desktop.suite import DesktopSuiteEnv

        self.zooms = tuple(float(z) for z in zooms)
        self.repeats = int(repeats)
        self.jitter = float(jitter)
        self.view_size = (int(view_size[0]), int(view_size[1]))
        self.tolerance = float(tolerance)
        self.render_mode = render_mode
        self.suite = DesktopSuiteEnv(task, **suite)
        self.observation_space = observation_space(self.view_size[1], self.view_size[0])
        self.action_space = ActionSpace(UISpace(("drag",)), image_size=self.view_size)
        self._screen: np.ndarray | None = None
        self._instruction = ""
        self._task: Box = (0.0, 0.0, 0.0, 0.0)
        self._view = (0, 0, 1, 1)
        self._first: Box | None = None
        self._step = 0

    @property
    def length(self) -> int:
        """Views per episode."""
        return 1 + self.repeats * len(self.zooms)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A new suite screen (``seed``), shown whole."""
        super().reset(seed=seed)
        obs, info = self.suite.reset(seed=seed, options=options)
        self._screen = obs["image"]
        self._instruction = obs["instruction"]
        self._task = self._task_box(info)
        self._view = full_view(self._size)
        self._first, self._step = None, 0
        return self._observe(), self._info(None)

    def step(self, action: Action) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Score the answer on this view; show the next view, or end the episode."""
        if self._screen is None:
            raise RuntimeError("call reset() before step()")
        if not isinstance(action, Drag):
            info = self._info(None) | {"error": f"answer with a Drag box, not {action!r}"}
            return self._observe(), 0.0, True, False, info
        size = self.view_size
        corners = (view_to_screen((action.x0, action.y0), self._view, size),
                   view_to_screen((action.x1, action.y1), self._view, size))  # fmt: skip
        box: Box = (*corners[0], *corners[1])
        error = self._error(box)
        self._step += 1
        if self._step == 1:
            self._first = box
        done = self._step >= self.length
        if not done:
            k = (self._step - 1) % len(self.zooms)
            base = self._first if k == 0 else box
            self._view = zoom_view(self._jittered(base, self.zooms[k]), self.zooms[k], self._size)
        success = done and error <= self.tolerance
        return self._observe(), float(success), done, False, self._info(error, success)

    def render(self) -> np.ndarray | None:
        """The current view (``rgb_array``)."""
        return self._observe()["image"] if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        """Close the suite env (its windows, browsers and X server)."""
        self.suite.close()
        super().close()

    # ----------------------------------------------------------------------- internals

    @property
    def _size(self) -> tuple[int, int]:
        assert self._screen is not None
        return (self._screen.shape[1], self._screen.shape[0])

    def _task_box(self, info: dict[str, Any]) -> Box:
        return task_box(info, self.suite.mapping)

    def _jittered(self, box: Box, factor: float) -> Box:
        """``box`` moved by up to ``jitter`` of the view it makes, and resized by up to
        ``jitter`` of its size."""
        rng, j = self.np_random, self.jitter
        w, h = abs(box[2] - box[0]), abs(box[3] - box[1])
        cx = (box[0] + box[2]) / 2 + rng.uniform(-j, j) * w * factor
        cy = (box[1] + box[3]) / 2 + rng.uniform(-j, j) * h * factor
        s = 1.0 + rng.uniform(-j, j)
        return (cx - w * s / 2, cy - h * s / 2, cx + w * s / 2, cy + h * s / 2)

    def _error(self, box: Box) -> float:
        t = self._task
        w, h = t[2] - t[0], t[3] - t[1]
        return max(abs(box[0] - t[0]) / w, abs(box[2] - t[2]) / w,
                   abs(box[1] - t[1]) / h, abs(box[3] - t[3]) / h)  # fmt: skip

    def _observe(self) -> dict[str, Any]:
        assert self._screen is not None
        image = render_view(self._screen, self._view, self.view_size)
        return {"image": image, "instruction": self._instruction}

    def _info(self, error: float | None, success: bool = False) -> dict[str, Any]:
        w, h = self.view_size
        corners = [screen_to_view(p, self._view, self.view_size)
                   for p in (self._task[:2], self._task[2:])]  # fmt: skip
        target = [min(max(v, 0.0), (w, h)[i % 2] - 1e-3) for c in corners for i, v in enumerate(c)]
        info: dict[str, Any] = {
            "target_box": target,
            "view": list(self._view),
            "task_box": list(self._task),
            "is_success": bool(success),
        }
        if error is not None:
            info["box_error"] = error
        return info
