"""Where the windows of a desktop-suite episode go: a pure function of the reset seed.

:func:`draw_layout` places the task's browser window and the distractor windows on a screen of
``screen = (width, height)`` *logical* pixels (CSS pixels; the physical screen is ``scale``
times larger on a HiDPI display). Nothing here touches a display, so the layout of any seed can
be drawn, tested and printed without one.

Kinds of distractor (:data:`DISTRACTOR_KINDS`):

* ``"terminal"``: a terminal window (xterm) showing a shell session, anywhere on the screen;
* ``"browser"``: a second Chromium window showing another local page (buttons, links, text);
* ``"overlap"``: two or three terminal-like windows that overlap one another *and* the task's
  browser window.

Every distractor is stacked above the task window, and none covers the task's *protected*
area (the MiniWoB++ task area, 160x210 at the page's top-left, plus :data:`PROTECT_MARGIN`),
so the task stays solvable and the expert's clicks reach the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DISTRACTOR_KINDS", "PROTECT_MARGIN", "Rect", "SuiteLayout", "Window", "draw_layout"]

#: The kinds of distractor window a suite episode may show.
DISTRACTOR_KINDS = ("terminal", "browser", "overlap")
#: Logical pixels kept free right of and below the 160x210 task area (MiniWoB++ widgets such
#: as date pickers and autocompletes draw a little past it).
PROTECT_MARGIN = 40
#: The MiniWoB++ task area, logical pixels at the page's top-left.
TASK_AREA = (160, 210)
# Windows keep this far from the screen edges, so no click lands on a fail-safe corner.
_EDGE = 8
_TRIES = 200  # rejection sampling of a window that must avoid the protected area


@dataclass(frozen=True)
class Rect:
    """``(x, y, width, height)`` in logical screen pixels; ``x, y`` is the top-left."""

    x: int
    y: int
    width: int
    height: int

    def intersects(self, other: Rect) -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )

    def scaled(self, scale: int) -> tuple[int, int, int, int]:
        """``(x, y, width, height)`` in physical pixels."""
        return (self.x * scale, self.y * scale, self.width * scale, self.height * scale)


@dataclass(frozen=True)
class Window:
    """One distractor window: its ``kind``, its place, and what it shows.

    ``lines`` is the text a terminal shows, or the labels of the buttons and links of a
    browser page; ``colors`` is ``(background, foreground)`` as ``#rrggbb``.
    """

    kind: str
    rect: Rect
    lines: tuple[str, ...]
    colors: tuple[str, str]


@dataclass(frozen=True)
class SuiteLayout:
    """Everything a reset draws: the task window, the distractors (bottom to top) and the
    desktop's background colour."""

    screen: tuple[int, int]
    task: Rect
    distractors: tuple[Window, ...] = field(default_factory=tuple)
    background: str = "#204060"

    @property
    def protected(self) -> Rect:
        """The task area plus margin: no distractor covers it."""
        w, h = TASK_AREA
        return Rect(self.task.x, self.task.y, w + PROTECT_MARGIN, h + PROTECT_MARGIN)


_WORDS = (
    "build", "deploy", "status", "report", "invoice", "meeting", "update", "cancel", "submit",
    "search", "profile", "settings", "archive", "upload", "review", "notes", "export", "login",
    "ok", "next", "back", "save", "delete", "open", "close", "reply", "share", "print",
)  # fmt: skip
_COMMANDS = (
    "ls -l", "git status", "make test", "python train.py", "tail -f log.txt", "htop",
    "cat notes.md", "pip list", "du -sh *", "ping -c 3 localhost", "vim report.txt",
)  # fmt: skip
_DARK = ("#1e1e1e", "#202830", "#2b2b3a", "#1c2b1c", "#30241a", "#000000")
_LIGHT = ("#d0d0d0", "#c0e0c0", "#e0e0a0", "#a0c8ff", "#ffffff")


def _int(rng: Any, low: int, high: int) -> int:
    """A whole number in ``[low, high]`` (inclusive) from ``rng`` (``numpy.random.Generator``)."""
    return int(rng.integers(low, max(low, high) + 1))


def _place(rng: Any, screen: tuple[int, int], size: tuple[int, int], ok: Any) -> Rect | None:
    """A window of about ``size`` (shrunk when no place fits) at a random place where
    ``ok(rect)`` holds, or None."""
    w, h = min(size[0], screen[0] - 2 * _EDGE), min(size[1], screen[1] - 2 * _EDGE)
    for attempt in range(_TRIES):
        if attempt and attempt % 50 == 0:  # crowded: try smaller windows
            w, h = max(160, int(w * 0.8)), max(120, int(h * 0.8))
        x = _int(rng, _EDGE, screen[0] - w - _EDGE)
        y = _int(rng, _EDGE, screen[1] - h - _EDGE)
        rect = Rect(x, y, w, h)
        if ok(rect):
            return rect
    return None


def _terminal_lines(rng: Any) -> tuple[str, ...]:
    lines = []
    for _ in range(_int(rng, 3, 8)):
        lines.append(f"user@desktop:~$ {_COMMANDS[_int(rng, 0, len(_COMMANDS) - 1)]}")
        for _ in range(_int(rng, 0, 3)):
            words = [_WORDS[_int(rng, 0, len(_WORDS) - 1)] for _ in range(_int(rng, 2, 7))]
            lines.append(" ".join(words))
    return tuple(lines)


def _colors(rng: Any) -> tuple[str, str]:
    return _DARK[_int(rng, 0, len(_DARK) - 1)], _LIGHT[_int(rng, 0, len(_LIGHT) - 1)]


def draw_layout(
    rng: Any, screen: tuple[int, int], kinds: tuple[str, ...] = DISTRACTOR_KINDS
) -> SuiteLayout:
    """Draw one episode's layout from ``rng`` (a ``numpy.random.Generator``).

    Args:
        rng: the env's ``np_random``, seeded by ``reset(seed=...)``: same seed, same layout.
        screen: ``(width, height)`` of the screen in logical pixels.
        kinds: distractor kinds to show (each once; see :data:`DISTRACTOR_KINDS`).

    The task window is 320-900 x 340-760 logical pixels (clipped to the screen) anywhere on
    the screen; distractors never cover :attr:`SuiteLayout.protected`. A distractor that finds
    no place (only on small screens) is left out.
    """
    for kind in kinds:
        if kind not in DISTRACTOR_KINDS:
            raise ValueError(f"Got {kind!r} in `distractors`; kinds are {DISTRACTOR_KINDS}")
    sw, sh = screen
    if sw < 400 or sh < 400:
        raise ValueError(f"Got {screen!r} for `screen`; it must be at least 400 x 400")
    tw = min(_int(rng, 320, 900), sw - 2 * _EDGE)
    th = min(_int(rng, 340, 760), sh - 2 * _EDGE)
    task = Rect(_int(rng, _EDGE, sw - tw - _EDGE), _int(rng, _EDGE, sh - th - _EDGE), tw, th)
    layout = SuiteLayout(screen, task)
    protected = layout.protected
    free = lambda r: not r.intersects(protected)  # noqa: E731
    windows: list[Window] = []
    for kind in kinds:
        if kind == "terminal":
            size = (_int(rng, 360, 760), _int(rng, 200, 480))
            rect = _place(rng, screen, size, free)
            lines = _terminal_lines(rng)
            found = [Window(kind, rect, lines, _colors(rng))] if rect else []
        elif kind == "browser":
            size = (_int(rng, 400, 900), _int(rng, 300, 640))
            rect = _place(rng, screen, size, free)
            labels = tuple(_WORDS[_int(rng, 0, len(_WORDS) - 1)] for _ in range(_int(rng, 3, 8)))
            found = [Window(kind, rect, labels, ("#ffffff", "#000000"))] if rect else []
        else:
            found = _overlapping(rng, screen, task, free)
        windows += found
    return SuiteLayout(screen, task, tuple(windows), _background(rng))


def _overlapping(rng: Any, screen: tuple[int, int], task: Rect, free: Any) -> list[Window]:
    """Two or three windows, the first over the task window, each over the one before."""
    out: list[Window] = []
    below = task
    for _ in range(_int(rng, 2, 3)):
        size = (_int(rng, 240, 520), _int(rng, 160, 360))
        rect = _place(rng, screen, size, lambda r, b=below: free(r) and r.intersects(b))
        if rect is None:
            break
        out.append(Window("overlap", rect, _terminal_lines(rng), _colors(rng)))
        below = rect
    return out


def _background(rng: Any) -> str:
    r, g, b = (_int(rng, 16, 128) for _ in range(3))
    return f"#{r:02x}{g:02x}{b:02x}"
