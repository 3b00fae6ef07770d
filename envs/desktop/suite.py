"""``vla/desktop-miniwob-<task>-v0``: a MiniWoB++ task on a whole 1920x1080 desktop.

Each env owns a private X server (Xvfb) of ``screen`` logical pixels (times 2 with
``hidpi=True``). On it, the task runs in a headful Chromium window, and every ``reset(seed)``
draws (:func:`~vla.envs.desktop.suite_layout.draw_layout`) the window's size and place, the
desktop's colour and the distractor windows: a terminal, a second Chromium window on another
local page, windows overlapping the task's window. The observation is the *whole* screen; the
actions are executed with real X events by :class:`~vla.envs.desktop.env.DesktopEnv` (every
safety rule on), and success is the page's own reward, read by
:class:`~vla.envs.desktop.browser_window.BrowserWindowProbe`.

```python
env = gymnasium.make("vla/desktop-miniwob-click-button-v0")          # starts its own Xvfb
expert = vla.datasets.make_expert(env)                                # MiniWoB expert, via the screen
print(vla.rollout.run_episode(expert, env, seed=3).success)
```

Use one suite env at a time in a process: while it is open, ``$DISPLAY`` names its X server
(Chromium, xterm and pyautogui find it there) and is restored by ``close()``.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from vla.actions import Action
from vla.envs.desktop.browser_window import _TWO_FRAMES, BrowserWindowProbe
from vla.envs.desktop.suite_layout import (
    DISTRACTOR_KINDS,
    PROTECT_MARGIN,
    TASK_AREA,
    SuiteLayout,
    draw_layout,
)

__all__ = ["DesktopSuiteEnv"]


class DesktopSuiteEnv(gym.Env):
    """A MiniWoB++ task in a Chromium window among distractor windows, seen as a whole screen.

    Args:
        task: the MiniWoB++ task name (``click-button``...).
        screen: ``(width, height)`` of the screen in logical pixels (CSS pixels of the pages).
        hidpi: a 2x HiDPI screen: Xvfb has ``2 * screen`` physical pixels, Chromium draws with
            device scale factor 2 and terminals use fonts twice as large.
        distractors: kinds of distractor window shown in every episode (each once), from
            :data:`~vla.envs.desktop.suite_layout.DISTRACTOR_KINDS`; ``()`` for none.
        image_size: ``(width, height)`` the screenshot is resized to; default the physical
            screen size (no resize).
        max_steps: step limit (the episode is truncated when reached).
        settle_s: wait after an executed action before the screenshot.
        max_actions_per_s: the desktop env's rate limit.
        yes: type risky-looking text (MiniWoB++ passwords) without asking. On by default: the
            X server is private and no window on it runs a shell; the check still runs on a
            real desktop (``vla/desktop-v0``, ``vla run --desktop``).

    Observation ``{"image": uint8[H, W, 3], "instruction": str}``: the whole screen (``H, W``
    are the physical screen size, or ``image_size``). Actions are :mod:`vla.actions` UI
    actions in pixels of that image. ``info`` holds the page's state (``elements``...,
    ``page_origin``, ``page_scale``: see the probe) and ``layout``
    (:class:`~vla.envs.desktop.suite_layout.SuiteLayout`). ``reward`` / ``is_success``: the
    page's reward. The same seed gives the same layout and the same MiniWoB episode.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 5}

    def __init__(
        self,
        task: str,
        screen: tuple[int, int] = (1920, 1080),
        hidpi: bool = False,
        distractors: tuple[str, ...] = DISTRACTOR_KINDS,
        image_size: tuple[int, int] | None = None,
        max_steps: int = 30,
        settle_s: float = 0.1,
        max_actions_per_s: float = 20.0,
        yes: bool = True,
        render_mode: str | None = None,
    ) -> None:
        if len(screen) != 2 or any(int(v) != v or v < 400 for v in screen):
            raise ValueError(f"Got {screen!r} for `screen`; it must be (width, height) >= 400")
        bad = [k for k in distractors if k not in DISTRACTOR_KINDS]
        if bad:
            raise ValueError(f"Got {bad!r} in `distractors`; kinds are {DISTRACTOR_KINDS}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"Got {render_mode!r} for `render_mode`; use None or 'rgb_array'")
        self.task = task
        self.screen = (int(screen[0]), int(screen[1]))
        self.scale = 2 if hidpi else 1
        self.distractors = tuple(distractors)
        self.render_mode = render_mode
        self.layout: SuiteLayout | None = None
        self._parts: list[Any] = []  # what close() stops, last first
        try:
            self._start(image_size, max_steps, settle_s, max_actions_per_s, yes)
        except BaseException:
            self.close()
            raise
        self.observation_space = self.desktop.observation_space
        self.action_space = self.desktop.action_space

    def _start(
        self, image_size: Any, max_steps: int, settle: float, rate: float, yes: bool
    ) -> None:
        from vla.envs.desktop.env import DesktopEnv
        from vla.envs.desktop.windows import XDesk
        from vla.envs.desktop.xvfb import VirtualDisplay

        physical = (self.screen[0] * self.scale, self.screen[1] * self.scale)
        self._display = VirtualDisplay(physical)
        self._parts.append(self._display)
        self._display.start()
        self._desk = XDesk(str(self._display.display), self.scale)
        self._parts.append(self._desk)
        dpi = (f"--force-device-scale-factor={self.scale}",)
        self.browser: Any = gym.make(f"vla/miniwob-{self.task}-v0", headless=False)
        self._parts.append(self.browser)
        self.browser.unwrapped.controller.extra_args += dpi
        # The pointer calibrates in the free margin right of and below the task area, which
        # no distractor covers, and rests there when the screenshot is taken.
        margin = PROTECT_MARGIN // 2
        self.probe = _SuiteProbe(
            self.browser, pointer_at=(TASK_AREA[0] + margin, TASK_AREA[1] + margin)
        )
        self.probe.desk = self._desk
        _activate(self.browser.unwrapped.controller, self.scale)
        # Open the window and load the task page now: a page loaded after its window was
        # resized paints differently from one resized after loading, which every later
        # episode is, and the same seed must give the same screen.
        self.probe.reset(seed=0)
        # The X server shows exactly one screen: the pointer and the capture agree (scale 1).
        self.desktop = DesktopEnv(
            image_size=image_size,
            scale=1.0,
            max_steps=max_steps,
            settle_s=settle,
            max_actions_per_s=rate,
            yes=yes,
            probe=self.probe,
        )
        self._parts.append(self.desktop)
        self.probe.screen = self.desktop.controller
        self._second: Any = None  # the distractor browser, started on first use
        self._dpi_args = dpi

    @property
    def mapping(self) -> Any:
        """The image -> screen mapping (:class:`~vla.controllers.screen_mapping.ScreenMapping`)."""
        return self.desktop.mapping

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Draw the layout from ``seed``, arrange the windows, start the task's episode."""
        super().reset(seed=seed)
        self.layout = draw_layout(self.np_random, self.screen, self.distractors)
        self._arrange(self.layout)
        if seed is None:  # the task's episode follows this env's generator, like the layout
            seed = int(self.np_random.integers(2**31))
        obs, info = self.desktop.reset(seed=seed, options=options)
        info["layout"] = self.layout
        return obs, info

    def _arrange(self, layout: SuiteLayout) -> None:
        """Put every window where ``layout`` says, bottom to top."""
        task = layout.task
        _set_bounds(self.browser.unwrapped.controller, task)
        self._desk.set_background(layout.background)
        self._desk.close_terminals()
        for window in layout.distractors:
            if window.kind == "browser":
                self._show_second_browser(window)
            else:
                self._desk.place(self._desk.open_terminal(window), window)
        self._desk.restack()  # a window activated on the way may have raised itself
        self.probe.settle()  # the moved and resized windows have drawn themselves
        if self._second is not None:
            self._second.evaluate(_TWO_FRAMES)
        # The pointer goes to the task window's free margin (the probe calibrates there), so
        # the screenshot does not depend on where the previous episode left it.
        self.probe.geometry()
        self.probe.wait_until_still()

    def _show_second_browser(self, window: Any) -> None:
        from vla.controllers.playwright import PlaywrightController
        from vla.envs.desktop.windows import distractor_page

        size = (window.rect.width, window.rect.height)
        if self._second is None:
            self._second = PlaywrightController(
                viewport=size, headless=False, extra_args=self._dpi_args
            )
            self._parts.insert(1, self._second)  # closed before the X server stops
            _set_bounds(self._second, window.rect)
            _activate(self._second, self.scale)
            # Back to the task window: the first click of an episode then changes no
            # window's activation (a deactivated Chromium window draws itself again).
            _activate(self.browser.unwrapped.controller, self.scale)
        page = self._second.page
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.set_content(distractor_page(window.lines))
        _set_bounds(self._second, window.rect)
        pid = self._second.pid
        if pid is not None:
            self._desk.place(pid, None)  # raise it above the windows before it

    def step(self, action: Action) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Execute ``action`` on the screen (see :class:`~vla.envs.desktop.env.DesktopEnv`)."""
        obs, reward, terminated, truncated, info = self.desktop.step(action)
        info["layout"] = self.layout
        return obs, reward, terminated, truncated, info

    def render(self) -> np.ndarray | None:
        """The last screenshot (``rgb_array``)."""
        return self.desktop._image if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        """Close the windows, the browsers and the X server (restoring ``$DISPLAY``)."""
        parts, self._parts = self._parts, []
        for part in reversed(parts):
            if hasattr(part, "stop"):
                part.stop()
            else:
                part.close()
        super().close()


class _SuiteProbe(BrowserWindowProbe):
    """The task page's probe; once the page has drawn an action's effect, the distractors
    are stacked above the task window again (:meth:`XDesk.restack`) and the screen is left
    to finish drawing (:meth:`wait_until_still`)."""

    desk: Any = None
    screen: Any = None  # the desktop controller whose ``grab()`` is the observation

    def settle(self) -> None:
        super().settle()
        if self.desk is not None:
            self.desk.restack()
        self.wait_until_still()

    def wait_until_still(self, interval_s: float = 0.03, timeout_s: float = 2.0) -> None:
        """Grab the screen until three grabs ``interval_s`` apart are the same (at most
        ``timeout_s``): windows exposed by a restack, a terminal and the second browser
        repaint after their own X events, later than the task page's animation frames, and
        a screenshot taken while they draw differs from one of the same seed taken after.
        Two equal grabs were not enough on a loaded machine, where a window can pause longer
        than one interval between two stages of its repaint (a CI run of 2026-12-07 saw the
        same seed and action give two different screens)."""
        if self.screen is None:
            return
        deadline = time.monotonic() + timeout_s
        last, unchanged = self.screen.grab().tobytes(), 0
        while time.monotonic() < deadline:
            time.sleep(interval_s)
            now = self.screen.grab().tobytes()
            unchanged = unchanged + 1 if now == last else 0
            if unchanged == 2:
                return
            last = now


def _activate(controller: Any, scale: int) -> None:
    """Click a new Chromium window once, at its page's top-left pixel (outside the MiniWoB++
    task area's widgets). Chromium raises its window when first activated; done before any
    distractor is stacked above it, no episode sees that happen."""
    from vla.controllers.desktop import pyautogui_on_display

    x, y = controller.screen_origin()
    pyautogui_on_display().click(x * scale + 1, y * scale + 1)


def _set_bounds(controller: Any, rect: Any) -> None:
    """Move and resize a headful Chromium window to ``rect`` (logical pixels) over CDP."""
    page = controller.page  # starts the browser when needed
    cdp = page.context.new_cdp_session(page)
    try:
        window_id = cdp.send("Browser.getWindowForTarget")["windowId"]
        bounds = {"left": rect.x, "top": rect.y, "width": rect.width, "height": rect.height}
        cdp.send("Browser.setWindowBounds", {"windowId": window_id, "bounds": bounds})
    finally:
        cdp.detach()
