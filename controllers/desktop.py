"""Desktop controller: ``mss`` screenshots of a monitor or a region, ``pyautogui`` events.

The controller executes; the safety rules it applies first live in
:mod:`vla.controllers.desktop_safety` (allowed region, rate limit, dry run, risky text and
chords; on by default, see :class:`~vla.controllers.desktop_safety.SafetyConfig`). pyautogui's
fail-safe stays on: moving the mouse to a screen corner stops everything
(:class:`StoppedByUser`). In dry run no event is sent; each intended action is drawn on the
observation (:func:`vla.render.draw_action`) and written to ``dry_run_dir``.

Actions are typed dataclasses; nothing a model emits is ever evaluated as code. Coordinates
are mapped from image pixels to the screen by :class:`~vla.controllers.screen_mapping.ScreenMapping`
and nowhere else. A ``region`` is checked against the real monitors (``mss``) when the mapping
is first built. ``pyautogui`` is imported on the first executed action (never in dry run) and
follows ``$DISPLAY`` (:func:`pyautogui_on_display`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vla.actions import Action, Click, Done, Drag, Key, Scroll, Type, Wait
from vla.controllers.desktop_safety import (
    RateLimiter,
    SafetyConfig,
    SafetyGuard,
    risky_keys,
    risky_text,
)
from vla.controllers.screen_mapping import (
    Region,
    ScreenMapping,
    check_region,
    check_region_on_screen,
    detect_scale,
)

# RateLimiter, SafetyConfig, risky_keys and risky_text live in desktop_safety (issue 17); they
# stay importable from here, where they were public before.
__all__ = [
    "DesktopController",
    "RateLimiter",
    "SafetyConfig",
    "StoppedByUser",
    "draw_intent",
    "pyautogui_on_display",
    "risky_keys",
    "risky_text",
]

# Playwright key names (vla.actions.KEY_NAMES) -> pyautogui names.
_KEYMAP = {
    "Control": "ctrl", "Shift": "shift", "Alt": "alt", "Meta": "win", "Enter": "enter",
    "Tab": "tab", "Escape": "esc", "Backspace": "backspace", "Delete": "delete",
    "Space": "space", "Insert": "insert", "ArrowUp": "up", "ArrowDown": "down",
    "ArrowLeft": "left", "ArrowRight": "right", "Home": "home", "End": "end",
    "PageUp": "pageup", "PageDown": "pagedown", **{f"F{i}": f"f{i}" for i in range(1, 13)},
}  # fmt: skip


class StoppedByUser(RuntimeError):
    """The user moved the mouse to a fail-safe corner (pyautogui's ``FailSafeException``)."""


@dataclass
class DesktopController:
    """Captures ``region`` (or a whole ``monitor``) and executes UI actions on it.

    Args:
        region: ``(left, top, width, height)`` in capture coordinates; ``None`` = ``monitor``.
        monitor: the ``mss`` monitor index used when ``region`` is ``None`` (1 = primary).
        image_size: ``(width, height)`` observations are resized to; ``None`` = region size.
        scale: capture pixels per input unit (HiDPI); ``None`` detects it from the primary
            monitor's capture size and ``pyautogui.size()``.
        safety: see :class:`SafetyConfig`.
        pause_s: ``pyautogui.PAUSE``, the sleep after every low-level pyautogui call. 0 by
            default: pacing is the rate limiter's job, settling the env's.
        drag_duration_s: how long a drag's move takes (apps need intermediate moves).
        scroll_px_per_click: wheel-notch size used to turn ``Scroll.dy`` pixels into notches.
    """

    region: Region | None = None
    monitor: int = 1
    image_size: tuple[int, int] | None = None
    scale: float | None = None
    safety: SafetyConfig = field(default_factory=SafetyConfig)
    pause_s: float = 0.0
    drag_duration_s: float = 0.15
    scroll_px_per_click: float = 100.0

    def __post_init__(self) -> None:
        if self.region is not None:
            self.region = check_region("region", self.region)
        if not isinstance(self.safety, SafetyConfig):
            raise ValueError(f"safety must be a SafetyConfig; got {self.safety!r}")
        if isinstance(self.monitor, bool) or not isinstance(self.monitor, int) or self.monitor < 0:
            raise ValueError(f"Got {self.monitor!r} for `monitor`; it must be an int >= 0")
        for name, bound in (("pause_s", ">= 0"), ("drag_duration_s", ">= 0"),
                            ("scroll_px_per_click", "> 0")):  # fmt: skip
            value = getattr(self, name)
            numeric = isinstance(value, (int, float)) and math.isfinite(value)
            if not numeric or value < 0 or (bound == "> 0" and value == 0):
                raise ValueError(f"Got {value!r} for `{name}`; it must be a finite number {bound}")
        self._sct: Any = None
        self._gui: Any = None
        self._mapping: ScreenMapping | None = None
        self._region_on_screen = False
        self.guard = SafetyGuard(self.safety)
        self.n_dry_run = 0

    # ------------------------------------------------------------------ capture

    def _mss(self) -> Any:
        if self._sct is None:
            import os

            import mss
            from mss.exception import ScreenShotError

            try:
                self._sct = (getattr(mss, "MSS", None) or mss.mss)()
            except ScreenShotError as e:
                raise RuntimeError(
                    f"cannot capture the screen (DISPLAY={os.environ.get('DISPLAY')!r}): {e}. "
                    "Without a screen, start a virtual one: vla.envs.desktop.xvfb.VirtualDisplay"
                ) from e
        return self._sct

    @property
    def capture_region(self) -> Region:
        """The captured area in capture coordinates; a ``region`` is checked against the
        monitors the first time (``ValueError`` naming the region and the monitors' bounds)."""
        if self.region is not None:
            if not self._region_on_screen:
                check_region_on_screen(self.region, self._mss().monitors)
                self._region_on_screen = True
            return self.region
        monitors = self._mss().monitors
        if not 0 <= self.monitor < len(monitors):
            raise ValueError(f"monitor must be in [0, {len(monitors) - 1}]; got {self.monitor}")
        m = monitors[self.monitor]
        return (m["left"], m["top"], m["width"], m["height"])

    @property
    def mapping(self) -> ScreenMapping:
        """The image -> screen mapping (built once: region, image size, HiDPI scale)."""
        if self._mapping is None:
            region = self.capture_region
            size = self.image_size or (region[2], region[3])
            self._mapping = ScreenMapping(region, size, self._scale())
        return self._mapping

    def _scale(self) -> float:
        if self.scale is not None:
            return float(self.scale)
        if self.safety.dry_run:
            return 1.0
        # pyautogui.size() is the whole X screen on Linux but the primary monitor on Windows
        # and macOS: the same size as some mss monitor means no scaling.
        monitors = self._mss().monitors
        sizes = [(m["width"], m["height"]) for m in monitors[1:] + monitors[:1]]
        pointer = tuple(self._pyautogui().size())
        if pointer in sizes:
            return 1.0
        for size in sizes:
            try:
                return detect_scale(size, pointer)  # type: ignore[arg-type]
            except ValueError:
                continue
        raise ValueError(f"no monitor {sizes} matches pointer space {pointer}; pass scale=")

    def grab(self) -> Any:
        """The captured region at capture resolution, as a ``PIL.Image`` (RGB)."""
        from PIL import Image

        left, top, width, height = self.capture_region
        shot = self._mss().grab({"left": left, "top": top, "width": width, "height": height})
        return Image.frombytes("RGB", shot.size, shot.rgb)

    def capture(self) -> np.ndarray:
        """The observation: ``uint8[H, W, 3]`` RGB, resized to ``mapping.image_size``."""
        from PIL import Image

        image = self.grab()
        size = self.mapping.image_size
        if image.size != size:
            image = image.resize(size, Image.Resampling.BILINEAR)
        return np.asarray(image, dtype=np.uint8)

    # ----------------------------------------------------------------- execution

    def _pyautogui(self) -> Any:
        if self._gui is None:
            self._gui = pyautogui_on_display()
            self._gui.PAUSE = self.pause_s
        else:
            pyautogui_on_display()  # $DISPLAY may have changed since (a suite env's own Xvfb)
        return self._gui

    def check(self, action: Action) -> tuple[list[tuple[int, int]], str | None]:
        """Screen points of ``action`` and the reason it is refused (``None`` = allowed): the
        :class:`~vla.controllers.desktop_safety.SafetyGuard` decides, given pyautogui's
        fail-safe corners (none in dry run, where pyautogui is never imported)."""
        corners = () if self.safety.dry_run else tuple(self._pyautogui().FAILSAFE_POINTS)
        return self.guard.check(action, self.mapping, corners)

    def execute(self, action: Action) -> dict[str, Any]:
        """Check and execute one action. Never raises for a refused action.

        Returns ``{"executed": bool, "refused": reason or None, "screen": [(x, y), ...],
        "dry_run": bool, "error": reason or None}``. :class:`StoppedByUser` (the fail-safe
        corner) and ``KeyboardInterrupt`` propagate: they are the user stopping everything.
        """
        screen, refused = self.check(action)
        out: dict[str, Any] = {
            "executed": False,
            "refused": refused,
            "screen": screen,
            "dry_run": self.safety.dry_run,
            "error": None,
        }
        if refused or isinstance(action, (Wait, Done)):
            return out
        self.guard.pace()
        if self.safety.dry_run:
            self._write_dry_run(action, screen)
            return out
        gui = self._pyautogui()
        try:
            out["error"] = self._send(action, screen)
        except gui.FailSafeException as e:
            raise StoppedByUser(str(e)) from e
        out["executed"] = out["error"] is None
        return out

    def _send(self, action: Action, screen: list[tuple[int, int]]) -> str | None:
        gui = self._pyautogui()
        if isinstance(action, Click):
            x, y = screen[0]
            # Apps drop repeats stamped at the same instant as the first click: space them
            # (pyautogui also sleeps `interval` after the last click, so only for repeats).
            interval = 0.04 if action.count > 1 else 0.0
            gui.click(x, y, clicks=action.count, interval=interval, button=action.button)
        elif isinstance(action, Drag):
            (x0, y0), (x1, y1) = screen
            gui.moveTo(x0, y0)
            gui.mouseDown(button="left")
            try:  # Ctrl+C mid-drag must not leave the button held
                gui.moveTo(x1, y1, duration=self.drag_duration_s)
            finally:
                gui.mouseUp(button="left")
        elif isinstance(action, Scroll):
            x, y = screen[0]
            gui.moveTo(x, y)
            for delta, fn, sign in ((action.dy, gui.scroll, -1), (action.dx, gui.hscroll, 1)):
                if delta:  # at least one notch; dy > 0 scrolls down (pyautogui: up)
                    notches = max(1, round(abs(delta) / self.scroll_px_per_click))
                    fn(sign * int(math.copysign(notches, delta)))
        elif isinstance(action, Type):
            keymap = getattr(gui.platformModule, "keyboardMapping", {})
            bad = sorted({c for c in action.text if keymap.get(c) is None})
            if bad:
                return f"cannot type characters {bad!r} with pyautogui"
            gui.write(action.text, interval=0.0)
        elif isinstance(action, Key):
            names = [_KEYMAP.get(k, k) for k in action.keys]
            pressed: list[str] = []
            try:  # release whatever was pressed, even on Ctrl+C
                for name in names:
                    gui.keyDown(name)
                    pressed.append(name)
            finally:
                for name in reversed(pressed):
                    gui.keyUp(name)
        return None

    # ------------------------------------------------------------------ dry run

    def _write_dry_run(self, action: Action, screen: list[tuple[int, int]]) -> None:
        image = draw_intent(self.capture(), action, screen)
        out = Path(self.safety.dry_run_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.n_dry_run += 1
        from PIL import Image

        Image.fromarray(image, "RGB").save(out / f"step-{self.n_dry_run:04d}.png")

    def close(self) -> None:
        """Release the screenshot handle (pyautogui holds no resource of ours)."""
        if self._sct is not None:
            self._sct.close()
            self._sct = None


def pyautogui_on_display() -> Any:
    """``pyautogui``, with its fail-safe on, sending events to the current ``$DISPLAY``.

    pyautogui opens its X connection (and measures the fail-safe corners) once, at import. A
    process that later points ``$DISPLAY`` at another X server (e.g. the private Xvfb of a
    ``vla/desktop-miniwob-*`` env, then back) would send events to the first one, so on X11
    the connection and the corners are renewed here whenever ``$DISPLAY`` names another
    server. Elsewhere this is a plain import.
    """
    import os

    import pyautogui

    pyautogui.FAILSAFE = True  # never off: the user's way out is a screen corner
    x11 = getattr(pyautogui.platformModule, "_display", None)
    wanted = os.environ.get("DISPLAY")
    if x11 is not None and wanted and x11.get_display_name() != wanted:
        from Xlib.display import Display

        pyautogui.platformModule._display = Display(wanted)  # the old server may be gone
        right, bottom = pyautogui.size()
        corners = [(0, 0), (0, bottom - 1), (right - 1, 0), (right - 1, bottom - 1)]
        pyautogui.FAILSAFE_POINTS[:] = corners
    return pyautogui


def draw_intent(
    frame: np.ndarray, action: Action, screen: list[tuple[int, int]] | None = None
) -> np.ndarray:
    """``frame`` (the observation, ``uint8[H, W, 3]``) with ``action`` drawn on it in image
    pixels by :func:`vla.render.draw_action`, and a caption naming the ``screen`` points where
    the events would land. Returns a new ``uint8`` array (a band is added below and above)."""
    from vla.render import draw_action

    where = " -> screen " + " ".join(f"({x}, {y})" for x, y in screen) if screen else ""
    return draw_action(frame, action, caption=f"dry run: {action.verb}{where}")
