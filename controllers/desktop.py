"""Desktop controller: ``mss`` screenshots of a monitor or a region, ``pyautogui`` events.

Every UI action of :mod:`vla.actions` is executed here, after a safety check that is on by
default (:class:`SafetyConfig`):

* pyautogui's fail-safe stays on: moving the mouse to a screen corner stops everything
  (``pyautogui.FailSafeException``); actions that would land on a corner are refused;
* an **allowed region** (default: the captured region): actions outside it are refused and
  reported, never executed;
* a **maximum action rate** (actions are spaced by at least ``1 / max_actions_per_s``);
* **dry run**: no event is sent; each intended action is drawn on the screenshot, which is
  written to ``dry_run_dir``;
* typing text that looks like a password or a shell command, and chords that close or lock
  things, need ``confirm(text) -> True`` unless ``yes=True``; without a ``confirm`` they are
  refused.

Actions are typed dataclasses; nothing a model emits is ever evaluated as code. Coordinates
are mapped from image pixels to the screen by :class:`~vla.controllers.screen_mapping.ScreenMapping`
and nowhere else. ``pyautogui`` binds to ``$DISPLAY`` when first imported, which happens on the
first executed action (never in dry run).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vla.actions import Action, Click, Done, Drag, Key, Scroll, Type, Wait
from vla.controllers.screen_mapping import Region, ScreenMapping, detect_scale, region_contains

__all__ = [
    "DesktopController",
    "RateLimiter",
    "SafetyConfig",
    "StoppedByUser",
    "draw_intent",
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

_SHELL_WORDS = (
    "sudo", "su", "rm", "rmdir", "mv", "dd", "mkfs", "chmod", "chown", "curl", "wget", "bash",
    "sh", "zsh", "python", "python3", "perl", "ruby", "node", "powershell", "cmd", "kill",
    "killall", "pkill", "shutdown", "reboot", "halt", "ssh", "scp", "nc", "eval", "exec",
    "git", "pip", "apt", "apt-get", "systemctl", "crontab", "cat", "ls", "cd", "echo", "export",
    "cp", "tar", "nohup", "xargs", "chmod", "powershell.exe", "cmd.exe",
)  # fmt: skip
_SHELL_START = re.compile(r"^\s*(?:" + "|".join(map(re.escape, _SHELL_WORDS)) + r")(?:\s|$)")
_SHELL_SYNTAX = re.compile(
    r"(\|\s*\w|&&|\|\||;\s*\w|\$\(|\$\{|`|>\s*[/~]|<\s*/|\brm\s+-|~/"
    r"|(?:^|\s)/(?:etc|bin|usr|var|dev|boot|root|home|sys|proc|tmp)\b)"
)
_RISKY_CHORDS = {
    ("Alt", "F4"), ("Control", "Alt", "Delete"), ("Control", "Alt", "Backspace"),
    ("Meta", "l"), ("Control", "q"), ("Control", "w"),
}  # fmt: skip


class StoppedByUser(RuntimeError):
    """The user moved the mouse to a fail-safe corner (pyautogui's ``FailSafeException``)."""


def risky_text(text: str) -> str | None:
    """Why typing ``text`` needs confirmation (``None`` when it does not).

    Flags shell commands (a command word first, or shell operators such as ``|``, ``&&``,
    ``$(``) and password-like tokens (8+ characters, no spaces, at least three of: lower case,
    upper case, digits, symbols).
    """
    if _SHELL_START.search(text) or _SHELL_SYNTAX.search(text):
        return f"text {text!r} looks like a shell command"
    token = text.strip()
    classes = sum(
        bool(re.search(p, token)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9\s]")
    )
    if len(token) >= 8 and " " not in token and classes >= 3:
        return f"text of {len(token)} characters looks like a password"
    return None


def risky_keys(keys: tuple[str, ...]) -> str | None:
    """Why pressing the chord ``keys`` needs confirmation (closing, quitting, locking)."""
    return f"chord {'+'.join(keys)!r} can close or lock things" if keys in _RISKY_CHORDS else None


class RateLimiter:
    """Spaces calls by at least ``1 / max_per_s`` seconds (``wait`` sleeps as needed).

    ``clock`` and ``sleep`` are injectable so that tests count rather than time.
    """

    def __init__(
        self,
        max_per_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not max_per_s > 0:
            raise ValueError(f"max_actions_per_s must be > 0; got {max_per_s!r}")
        self.interval = 1.0 / max_per_s
        self._clock, self._sleep = clock, sleep
        self._last: float | None = None

    def wait(self) -> float:
        """Block until the next call is allowed; returns the seconds slept."""
        slept = 0.0
        if self._last is not None:
            slept = max(0.0, self._last + self.interval - self._clock())
            if slept > 0:
                self._sleep(slept)
        self._last = self._clock()
        return slept


@dataclass
class SafetyConfig:
    """Safety settings of a :class:`DesktopController`; the defaults are the safe ones.

    Attributes:
        allowed_region: ``(left, top, width, height)`` in input (screen) coordinates where
            actions may land; ``None`` means the captured region.
        max_actions_per_s: the most event-sending actions per second.
        dry_run: send no event; draw each intended action on a screenshot instead.
        dry_run_dir: where dry-run screenshots go (``step-0001.png``, ...).
        yes: type risky text and press risky chords without asking.
        confirm: ``confirm(message) -> bool`` asked before risky text or chords (the CLI
            asks on the terminal); ``None`` refuses them unless ``yes``.
    """

    allowed_region: Region | None = None
    max_actions_per_s: float = 5.0
    dry_run: bool = False
    dry_run_dir: str | Path = "runs/desktop-dry-run"
    yes: bool = False
    confirm: Callable[[str], bool] | None = None


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
        self._sct: Any = None
        self._gui: Any = None
        self._mapping: ScreenMapping | None = None
        self._limiter = RateLimiter(self.safety.max_actions_per_s)
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
        """The captured area in capture coordinates."""
        if self.region is not None:
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
            import pyautogui

            pyautogui.FAILSAFE = True  # never off: the user's way out is a screen corner
            pyautogui.PAUSE = self.pause_s
            self._gui = pyautogui
        return self._gui

    def points(self, action: Action) -> list[tuple[float, float]]:
        """The image-pixel points ``action`` touches (none for keyboard, wait and done)."""
        if isinstance(action, (Click, Scroll)):
            return [(action.x, action.y)]
        if isinstance(action, Drag):
            return [(action.x0, action.y0), (action.x1, action.y1)]
        return []

    def check(self, action: Action) -> tuple[list[tuple[int, int]], str | None]:
        """Screen points of ``action`` and the reason it is refused (``None`` = allowed)."""
        if not isinstance(action, (Click, Drag, Scroll, Type, Key, Wait, Done)):
            return [], f"{type(action).__name__} is not a UI action"
        mapping = self.mapping
        allowed = self.safety.allowed_region or tuple(round(v) for v in mapping.input_region)
        screen: list[tuple[int, int]] = []
        for x, y in self.points(action):
            if not mapping.in_image(x, y):
                return screen, f"point ({x:g}, {y:g}) is outside the {mapping.image_size} image"
            sx, sy = mapping.to_screen(x, y)
            if not region_contains(allowed, sx, sy):  # type: ignore[arg-type]
                return screen, f"screen point ({sx}, {sy}) is outside the allowed region {allowed}"
            if not self.safety.dry_run and (sx, sy) in self._pyautogui().FAILSAFE_POINTS:
                return screen, f"screen point ({sx}, {sy}) is a fail-safe corner"
            screen.append((sx, sy))
        risk = None
        if isinstance(action, Type):
            risk = risky_text(action.text)
        elif isinstance(action, Key):
            risk = risky_keys(action.keys)
        if risk and not self.safety.yes:
            ask = self.safety.confirm
            if ask is None or not ask(f"{risk}; execute it?"):
                return screen, f"not confirmed: {risk}"
        return screen, None

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
        self._limiter.wait()
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
        image = self.grab()
        left, top = self.mapping.input_region[:2]
        s = self.mapping.scale
        local = [((x - left) * s, (y - top) * s) for x, y in screen]  # capture pixels
        image = draw_intent(image, action, local)
        out = Path(self.safety.dry_run_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.n_dry_run += 1
        image.save(out / f"step-{self.n_dry_run:04d}.png")

    def close(self) -> None:
        """Release the screenshot handle (pyautogui holds no resource of ours)."""
        if self._sct is not None:
            self._sct.close()
            self._sct = None


def draw_intent(image: Any, action: Action, points: list[tuple[float, float]]) -> Any:
    """Draw ``action`` at ``points`` (pixels of ``image``) with a caption; returns a copy."""
    from PIL import ImageDraw

    from vla.actions import to_dict

    image = image.copy()
    draw = ImageDraw.Draw(image)
    ink, edge = (255, 0, 255), (0, 0, 0)  # magenta on black shows on any background
    if len(points) == 2:
        draw.line((*points[0], *points[1]), fill=ink, width=2)
    for x, y in points:
        draw.ellipse((x - 8, y - 8, x + 8, y + 8), outline=edge, width=1)
        draw.ellipse((x - 6, y - 6, x + 6, y + 6), outline=ink, width=2)
        draw.line((x - 10, y, x + 10, y), fill=ink)
        draw.line((x, y - 10, x, y + 10), fill=ink)
    fields = {k: v for k, v in to_dict(action).items() if k != "verb"}
    caption = f"{action.verb} " + " ".join(f"{k}={v}" for k, v in fields.items())
    draw.rectangle((0, 0, image.width, 14), fill=(0, 0, 0))
    draw.text((3, 1), caption[:120], fill=(255, 255, 0))
    return image
