"""Desktop safety rules: what :class:`~vla.controllers.desktop.DesktopController` refuses, paces
or asks about before it executes anything. The controller only executes; the rules live here.

* an **allowed region** (default: the captured region): actions outside it, or outside the
  image, are refused and reported, never executed; so are pyautogui's fail-safe corners;
* a **maximum action rate** (:class:`RateLimiter`);
* **risky text and chords** (:func:`risky_text`, :func:`risky_keys`) need ``confirm(message)
  -> True`` unless ``yes=True``; without a ``confirm`` they are refused.

The text rules are line-aware: every line of the text, and every shell segment after ``;``,
``&&``, ``||``, ``|``, ``&``, a backtick or ``$(``, is checked on its own, so ``"ok\\nsudo
reboot"`` is caught like ``"sudo reboot"``. They cover POSIX shells, ``cmd.exe`` and
PowerShell (:mod:`vla.controllers.shell_rules`). Prose, e-mail addresses and URLs pass.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vla.actions import Action, Click, Done, Drag, Key, Scroll, Type, Wait, action_points
from vla.controllers.screen_mapping import Region, ScreenMapping, check_region, region_contains
from vla.controllers.shell_rules import risky_line

__all__ = ["RateLimiter", "SafetyConfig", "SafetyGuard", "risky_keys", "risky_text"]

# Chords that close, quit or lock things, or open a launcher, a run dialog or a terminal (from
# which anything can be typed next). Any chord holding Meta (Windows / Super / Command) opens
# the OS launcher or one of its shortcuts, and Control+Alt+<key> is the desktop's own layer
# (terminal, lock, VT switch, Ctrl+Alt+Del), so both are risky as a family.
_RISKY_CHORDS = {
    ("Alt", "F1"), ("Alt", "F2"), ("Alt", "F4"), ("Control", "q"), ("Control", "w"),
    ("Control", "Shift", "q"), ("Control", "Shift", "w"), ("Control", "Shift", "Escape"),
    ("Control", "Escape"), ("Shift", "Delete"),
}  # fmt: skip
_PASSWORD_CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9\s]")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s/]+\S*$")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")


def _password_like(line: str) -> bool:
    """8+ characters, no spaces, 3 of 4 character classes, and not a URL or an e-mail."""
    token = line.strip()
    if len(token) < 8 or " " in token or _URL.match(token) or _EMAIL.match(token):
        return False
    return sum(bool(re.search(p, token)) for p in _PASSWORD_CLASSES) >= 3


def risky_text(text: str) -> str | None:
    """Why typing ``text`` needs confirmation (``None`` when it does not).

    Every line is checked: a shell command (POSIX, ``cmd.exe`` or PowerShell: a command word
    first in any segment, or a destructive pattern anywhere, such as ``rm -rf``, ``format c:``,
    a fork bomb or ``curl ... | sh``) or a password-like token (8+ characters, no spaces, at
    least three of: lower case, upper case, digits, symbols; URLs and e-mails excepted).
    """
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        where = f" (line {number})" if "\n" in text or "\r" in text else ""
        why = risky_line(line)
        if why:
            return f"text {text!r} looks like a shell command{where}: {why}"
        if _password_like(line):
            return f"text of {len(line.strip())} characters looks like a password{where}"
    return None


def risky_keys(keys: Sequence[str]) -> str | None:
    """Why pressing the chord ``keys`` needs confirmation (closing, quitting, locking, or
    opening a launcher, run dialog or terminal); ``None`` when it does not."""
    chord = tuple(keys)
    mods = set(chord) & {"Control", "Alt", "Shift", "Meta"}
    if chord in _RISKY_CHORDS:
        return f"chord {'+'.join(chord)!r} can close, quit or lock things"
    if "Meta" in mods:
        return f"chord {'+'.join(chord)!r} uses the OS key (launcher, run dialog, lock)"
    if {"Control", "Alt"} <= mods and len(chord) > 2:
        return f"chord {'+'.join(chord)!r} is a desktop shortcut (terminal, lock, Ctrl+Alt+Del)"
    return None


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
        if not (isinstance(max_per_s, (int, float)) and max_per_s > 0 and math.isfinite(max_per_s)):
            raise ValueError(f"max_actions_per_s must be a finite number > 0; got {max_per_s!r}")
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
        max_actions_per_s: the most event-sending actions per second (> 0).
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

    def __post_init__(self) -> None:
        if self.allowed_region is not None:
            self.allowed_region = check_region("allowed_region", self.allowed_region)
        rate = self.max_actions_per_s
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
            raise ValueError(f"Got {rate!r} for `max_actions_per_s`; it must be a number > 0")
        for name in ("dry_run", "yes"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"Got {getattr(self, name)!r} for `{name}`; it must be a bool")
        if self.confirm is not None and not callable(self.confirm):
            raise ValueError(f"Got {self.confirm!r} for `confirm`; it must be callable or None")


class SafetyGuard:
    """Applies a :class:`SafetyConfig`: :meth:`check` decides, :meth:`pace` rate-limits."""

    def __init__(self, config: SafetyConfig) -> None:
        self.config = config
        self._limiter = RateLimiter(config.max_actions_per_s)

    def pace(self) -> float:
        """Wait until the rate limit allows the next event-sending action; returns seconds slept."""
        return self._limiter.wait()

    def check(
        self,
        action: Action,
        mapping: ScreenMapping,
        failsafe_points: Sequence[tuple[int, int]] = (),
    ) -> tuple[list[tuple[int, int]], str | None]:
        """Screen points of ``action`` and the reason it is refused (``None`` = allowed).

        ``failsafe_points`` are pyautogui's fail-safe corners in input coordinates (empty in
        dry run, where no event is sent). Risky text or chords ask ``confirm`` here.
        """
        if not isinstance(action, (Click, Drag, Scroll, Type, Key, Wait, Done)):
            return [], f"{type(action).__name__} is not a UI action"
        allowed = self.config.allowed_region or tuple(round(v) for v in mapping.input_region)
        screen: list[tuple[int, int]] = []
        for x, y in action_points(action):
            if not mapping.in_image(x, y):
                return screen, f"point ({x:g}, {y:g}) is outside the {mapping.image_size} image"
            sx, sy = mapping.to_screen(x, y)
            if not region_contains(allowed, sx, sy):  # type: ignore[arg-type]
                return screen, f"screen point ({sx}, {sy}) is outside the allowed region {allowed}"
            if (sx, sy) in failsafe_points:
                return screen, f"screen point ({sx}, {sy}) is a fail-safe corner"
            screen.append((sx, sy))
        risk = None
        if isinstance(action, Type):
            risk = risky_text(action.text)
        elif isinstance(action, Key):
            risk = risky_keys(action.keys)
        if risk and not self.config.yes:
            ask = self.config.confirm
            if ask is None or not ask(f"{risk}; execute it?"):
                return screen, f"not confirmed: {risk}"
        return screen, None
