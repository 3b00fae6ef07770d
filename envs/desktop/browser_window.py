"""A browser task shown in a real (headful) window, seen and driven through the desktop.

:class:`BrowserWindowProbe` joins a headful browser env (e.g. ``vla/miniwob-<task>-v0`` made
with ``headless=False``) to ``vla/desktop-v0``: the desktop env acts with real mouse and
keyboard events on the window, and the probe reads the page's state (elements, reward, done)
and where the page is on screen, so that experts and metrics work through the screen.

```python
desktop, browser = miniwob_on_desktop("click-button", position=(200, 120))
expert = vla.datasets.make_expert(desktop, inner=browser)
result = vla.rollout.run_episode(expert, desktop, seed=3)    # success from the page's reward
```
"""

from __future__ import annotations

from typing import Any

__all__ = ["BrowserWindowProbe", "miniwob_on_desktop"]

_GEOMETRY_JS = """() => [window.screenX, window.screenY, window.outerWidth, window.outerHeight,
                         window.innerWidth, window.innerHeight, window.devicePixelRatio]"""


class BrowserWindowProbe:
    """Privileged state of a headful browser env, for a ``vla/desktop-v0`` ``probe``.

    Calling it returns the browser env's fresh page state (``elements`` with boxes in page
    pixels, ``raw_reward``, ``done``, ``utterance``...) plus:

    * ``page_origin``: screen ``(x, y)`` of the page's top-left (the window position plus
      any browser frame: ``outer - inner`` size, borders split evenly left and right);
    * ``page_scale``: screen pixels per page pixel (``devicePixelRatio``; X11 convention,
      where the screen is in device pixels);
    * ``reward`` (the raw reward once the task is done, else 0), ``is_success`` and
      ``terminated`` (the task ended), which the desktop env uses for its step tuple.

    ``reset(seed)`` starts the browser env's next episode and returns its instruction;
    ``settle()`` waits until the page has painted the effect of the last action.

    ``pointer_at``: the page point ``(x, y)`` (CSS pixels) the pointer calibrates at; default
    the window's centre. Give a point no other window covers (the desktop suite does).
    """

    def __init__(
        self,
        browser_env: Any,
        calibrate: bool = True,
        pointer_at: tuple[float, float] | None = None,
    ) -> None:
        self.env = browser_env
        self.calibrate = calibrate
        self.pointer_at = pointer_at
        self._origin: tuple[float, float] | None = None
        self._scale = 1.0

    def reset(self, seed: int | None = None) -> str:
        _, info = self.env.reset(seed=seed)
        self._origin = None  # the window may have moved between episodes
        return str(info.get("utterance", ""))

    def geometry(self) -> tuple[tuple[float, float], float]:
        """``(page_origin, page_scale)``, calibrated with the real pointer when possible.

        The window's ``screenX/outerHeight - innerHeight`` arithmetic misses bars that
        Chromium draws inside the window (an info bar pushes the page down), so the pointer
        is moved into the window once and a ``mousemove`` event tells where the page is
        (``screenX - clientX``). Without events the arithmetic is the fallback.
        """
        controller = self.env.unwrapped.controller
        sx, sy, ow, oh, iw, ih, dpr = controller.evaluate(_GEOMETRY_JS)
        border = max(0.0, (ow - iw) / 2)  # all in CSS pixels; X11 screen pixels are * dpr
        left, top = sx + border, sy + max(0.0, oh - ih - border)
        if self.calibrate:
            px, py = (
                (left + self.pointer_at[0], top + self.pointer_at[1])
                if self.pointer_at
                else (
                    sx + ow / 2,
                    sy + oh / 2,
                )
            )
            measured = _pointer_origin(controller, px * dpr, py * dpr)
            if measured is not None:
                left, top = measured
        return (left * dpr, top * dpr), float(dpr)

    def settle(self) -> None:
        """Wait until the page has painted what the last action changed (two animation
        frames), so that the desktop env's next screenshot shows it."""
        self.env.unwrapped.controller.evaluate(_TWO_FRAMES)

    def __call__(self) -> dict[str, Any]:
        if self._origin is None:
            self._origin, self._scale = self.geometry()
        # The browser env's own state reader: the same page facts its step() reports.
        state = dict(self.env.unwrapped._read_state())
        done = bool(state.get("done", False))
        state["raw_reward"] = float(state.get("raw_reward", 0.0))
        state["reward"] = state["raw_reward"] if done else 0.0
        state["terminated"] = done
        state["page_origin"] = self._origin
        state["page_scale"] = self._scale
        return state


_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"

_LISTEN_JS = """() => { window.__vlaMove = null; window.addEventListener('mousemove',
  e => { window.__vlaMove = [e.screenX - e.clientX, e.screenY - e.clientY]; },
  {capture: true, once: true}); }"""


def _pointer_origin(controller: Any, x: float, y: float) -> tuple[float, float] | None:
    """Screen position of the page's top-left (CSS pixels) from a real pointer move to
    ``(x, y)``, or ``None`` when the page saw no event within a second."""
    import time

    from vla.controllers.desktop import pyautogui_on_display

    pyautogui = pyautogui_on_display()
    controller.evaluate(_LISTEN_JS)
    for dx in (0, 3):  # a second, different move in case the first one was coalesced
        pyautogui.moveTo(round(x) + dx, round(y), _pause=False)
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            moved = controller.evaluate("() => window.__vlaMove")
            if moved:
                return float(moved[0]), float(moved[1])
            time.sleep(0.02)
    return None


def miniwob_on_desktop(
    task: str,
    position: tuple[int, int] = (200, 120),
    margin: int = 0,
    image_size: tuple[int, int] | None = None,
    **desktop_kwargs: Any,
) -> tuple[Any, Any]:
    """A MiniWoB++ task in a headful Chromium window at ``position``, and a
    ``vla/desktop-v0`` env capturing the task area (plus ``margin`` pixels on each side).

    Returns ``(desktop_env, browser_env)``; close both. ``reset`` of the desktop env starts
    the next MiniWoB episode; success is the page's reward. Needs an X display.
    """
    import gymnasium as gym

    import vla.envs  # noqa: F401

    browser = gym.make(f"vla/miniwob-{task}-v0", headless=False, window_position=position)
    # Chromium warns about --no-sandbox in an info bar that pushes the page down inside the
    # window; --test-type keeps the page at the window's top-left.
    controller = browser.unwrapped.controller
    if "--test-type" not in controller.extra_args:
        controller.extra_args = (*controller.extra_args, "--test-type")
    try:
        probe = BrowserWindowProbe(browser)
        probe.reset(seed=0)  # opens the window so its geometry can be measured
        (ox, oy), scale = probe.geometry()
        w, h = browser.unwrapped.image_size
        region = (
            round(ox) - margin,
            round(oy) - margin,
            round(w * scale) + 2 * margin,
            round(h * scale) + 2 * margin,
        )
        desktop = gym.make("vla/desktop-v0", region=region, image_size=image_size, **desktop_kwargs)
        desktop.unwrapped.probe = probe  # set after make: gym deep-copies make()'s kwargs
    except BaseException:
        browser.close()
        raise
    return desktop, browser
