"""The distractor windows of a desktop-suite episode, on a bare X server (no window manager).

:class:`XDesk` talks to the X server with python-xlib (a dependency of pyautogui): it paints
the desktop's background, starts terminal windows (``xterm``) and gives them their exact
place, and stacks windows. Without a window manager, X does what it is asked: a window's
geometry is what it was configured to, and the window mapped (or raised) last is on top.

A terminal distractor runs no shell: ``xterm -hold -e printf ...`` prints its lines and keeps
the window open after ``printf`` has exited, so text typed into it goes nowhere.

:func:`distractor_page` is the HTML of the second browser's local page.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import time
from typing import Any

from vla.envs.desktop.suite_layout import Window
from vla.envs.desktop.xvfb import _parent_death_signal

__all__ = ["XDesk", "distractor_page"]


class XDesk:
    """The X server ``display`` (e.g. ``":123"``): background, terminals, stacking.

    Args:
        display: the X display name.
        scale: physical pixels per logical pixel (2 on the HiDPI screen): windows are given in
            logical pixels, fonts are scaled.
    """

    def __init__(self, display: str, scale: int = 1) -> None:
        if shutil.which("xterm") is None:
            raise RuntimeError(
                "the desktop suite's terminal distractors need xterm: apt-get install xterm "
                "(make setup installs it), or pass distractors=('browser',)"
            )
        from Xlib import display as xdisplay

        self.scale = scale
        self._x = xdisplay.Display(display)
        self._root = self._x.screen().root
        self._pid_atom = self._x.intern_atom("_NET_WM_PID")
        self._terminals: list[subprocess.Popen] = []
        self._stack: list[Any] = []  # the windows placed since close_terminals, bottom to top
        # terminals among them: id -> the rows (from the top) that showed text once placed
        self._texts: dict[int, tuple[int, ...]] = {}

    def set_background(self, color: str) -> None:
        """Paint the root window (the desktop) ``#rrggbb``."""
        self._root.change_attributes(background_pixel=int(color[1:], 16))  # 24-bit TrueColor
        self._root.clear_area(0, 0, 0, 0)
        self._x.sync()

    def open_terminal(self, window: Window) -> int:
        """Start an xterm showing ``window.lines`` at ``window.rect``; returns its pid."""
        bg, fg = window.colors
        rect = window.rect
        font = ["-fn", "6x13"] if self.scale == 1 else ["-fa", "DejaVu Sans Mono", "-fs", "18"]
        # The last line hides the text cursor (DECTCEM): xterm draws it hollow or filled as
        # the pointer comes and goes, a moment after the text, so a screenshot would depend
        # on timing.
        text = ["printf", "%s\n", *window.lines, "\x1b[?25l"]
        cmd = ["xterm", "-hold", *font, "-bg", bg, "-fg", fg, "-T", "terminal"]
        cmd += ["-geometry", f"80x24+{rect.x * self.scale}+{rect.y * self.scale}", "-e", *text]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_parent_death_signal(),
        )
        self._terminals.append(proc)
        return proc.pid

    def close_terminals(self) -> None:
        """Stop every terminal this desk started."""
        for proc in self._terminals:
            proc.terminate()
        for proc in self._terminals:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._terminals = []
        self._stack, self._texts = [], {}

    def windows_of(self, pid: int) -> list[Any]:
        """The viewable top-level windows whose ``_NET_WM_PID`` is ``pid``."""
        from Xlib import X
        from Xlib.error import BadWindow

        out = []
        for w in self._root.query_tree().children:
            try:
                prop = w.get_full_property(self._pid_atom, X.AnyPropertyType)
                viewable = w.get_attributes().map_state == X.IsViewable
            except BadWindow:  # destroyed since the listing (a terminal of the last episode)
                continue
            if prop and prop.value[0] == pid and viewable:
                out.append(w)
        return out

    def place(self, pid: int, window: Window | None, timeout_s: float = 10.0) -> None:
        """Wait until ``pid`` shows a window, then give it ``window.rect`` (if any) and raise
        it above every other window. ``RuntimeError`` when none shows within ``timeout_s``."""
        from Xlib import X

        deadline = time.monotonic() + timeout_s
        while not (found := self.windows_of(pid)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"no window of process {pid} appeared in {timeout_s:g} s")
            time.sleep(0.02)
        for w in found:
            if window is not None:
                x, y, width, height = window.rect.scaled(self.scale)
                w.configure(x=x, y=y, width=width, height=height, stack_mode=X.Above)
            else:
                w.configure(stack_mode=X.Above)
        self._stack += found
        self._x.sync()
        if window is not None and window.lines:
            self._texts[found[0].id] = self._text_rows(found[0], deadline)

    def restack(self) -> None:
        """Raise the placed windows again, bottom to top. A click activates the window it
        lands in, and Chromium raises its window when first activated; the distractors stay
        above the task window for the whole episode, as the layout says."""
        from Xlib import X
        from Xlib.error import BadWindow

        order = [w.id for w in self._viewable()]
        placed = [w.id for w in self._stack if w.id in order]
        if not placed or order[-len(placed) :] == placed:
            return  # already the top windows, bottom to top
        for attempt in range(2):
            for w in self._stack:
                try:
                    w.configure(stack_mode=X.Above)
                except BadWindow:  # a window its app closed (a click on a page can do that)
                    continue
            self._x.sync()
            deadline = time.monotonic() + 5.0
            boxes = [_box(w) if w.id in order else (0, 0, 0, 0) for w in self._stack]
            try:
                for i, w in enumerate(self._stack):  # raised terminals draw what was covered
                    if w.id in order and w.id in self._texts:
                        self._wait_for_text(w, boxes[i + 1 :], deadline)
                return
            except NoTextError:
                # Once in ~900 CI resets a terminal showed no text for 5 s after the raise
                # (not reproduced in 40 resets here): raise every window again, once.
                if attempt:
                    raise

    def _viewable(self) -> list[Any]:
        """The viewable top-level windows, bottom to top."""
        from Xlib import X
        from Xlib.error import BadWindow

        out = []
        for w in self._root.query_tree().children:
            try:
                if w.get_attributes().map_state == X.IsViewable:
                    out.append(w)
            except BadWindow:
                continue
        return out

    def _bands(self, window: Any) -> list[tuple[int, int, int, int]]:
        """The left end of every text row of the terminal ``window``, in screen pixels: lines
        start at the left edge, in 6x13 cells (larger at scale 2)."""
        x, y, width, height = _box(window)
        row, strip = 13 * self.scale, min(width, 60 * self.scale)
        return [(x, y + top, strip, min(row, height - top)) for top in range(2, height - 1, row)]

    def _drawn(self, window: Any, band: tuple[int, int, int, int]) -> bool:
        """Whether ``band`` of ``window`` shows more than one colour (some text)."""
        from Xlib import X

        wy = _box(window)[1]
        image = window.get_image(0, band[1] - wy, band[2], band[3], X.ZPixmap, 0xFFFFFFFF)
        pixels = image.data[: len(image.data) - len(image.data) % 4]
        return len({pixels[i : i + 3] for i in range(0, len(pixels), 4)}) > 1

    def _text_rows(self, window: Any, deadline: float) -> tuple[int, ...]:
        """The rows of a freshly placed (uncovered) terminal that show text, once two reads
        agree: the terminal has drawn its text, so the screenshot of the same seed is the same.
        The first xterm of a process takes a moment to load its font."""
        last: tuple[int, ...] = ()
        while True:
            rows = tuple(i for i, b in enumerate(self._bands(window)) if self._drawn(window, b))
            if rows and rows == last:
                return rows
            if time.monotonic() > deadline:
                if rows:
                    return rows
                raise NoTextError(
                    f"terminal window {window.id:#x} at {_box(window)} drew no text within its "
                    "time limit"
                )
            last = rows
            time.sleep(0.02)

    def _wait_for_text(self, window: Any, above: list[tuple], deadline: float) -> None:
        """Wait until a row of text of the raised terminal ``window`` that no window ``above``
        covers shows more than one colour: it has drawn its text again. The rows watched are
        those that showed text when the terminal was placed (:meth:`_text_rows`): which rows
        hold text is not known from its lines alone (xterm may print them before or after its
        resize, wrapped or cut), and a blank row never changes. Nothing to wait for when every
        row of text is covered."""
        rows = self._texts.get(window.id, ())
        bands = [b for i, b in enumerate(self._bands(window)) if i in rows]
        bands = [b for b in bands if b[3] > 0 and not any(_overlap(b, a) for a in above)]
        while bands:
            if any(self._drawn(window, b) for b in bands):
                return
            if time.monotonic() > deadline:
                raise NoTextError(
                    f"terminal window {window.id:#x} at {_box(window)} drew no text within its "
                    f"time limit ({len(bands)} rows watched; windows above it: {above})"
                )
            time.sleep(0.02)

    def close(self) -> None:
        self.close_terminals()
        self._x.close()


class NoTextError(RuntimeError):
    """A terminal window showed no text within its time limit."""


def _box(window: Any) -> tuple[int, int, int, int]:
    """``(x, y, width, height)`` of a top-level window on the screen."""
    g = window.get_geometry()
    return (g.x, g.y, g.width, g.height)


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


_PAGE = """<!doctype html><html><head><title>{title}</title><style>
body {{ font: 14px sans-serif; margin: 12px; background: #f4f4f4; }}
h1 {{ font-size: 18px; }} button {{ margin: 4px; font-size: 14px; }}
input {{ caret-color: transparent; }}
</style></head><body><h1>{title}</h1><p>{text}</p><div>{buttons}</div>
<p><input placeholder="{first}"></p><ul>{links}</ul></body></html>"""


def distractor_page(labels: tuple[str, ...]) -> str:
    """A local page with buttons and links named like a task's (lures for a policy). Its
    input's caret is transparent: once a click focuses it, a blinking caret would make two
    screenshots of the same seed and actions differ (a headless screenshot hides it too)."""
    esc = [html.escape(label) for label in labels] or ["ok"]
    return _PAGE.format(
        title=esc[0].capitalize() + " dashboard",
        text=" ".join(esc) + ".",
        buttons="".join(f"<button>{label}</button>" for label in esc),
        first=esc[-1],
        links="".join(f'<li><a href="#{label}">{label}</a></li>' for label in esc),
    )
