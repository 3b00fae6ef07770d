"""Execute :mod:`vla.actions` UI actions in Chromium through Playwright.

:class:`PlaywrightController` drives one page of one Chromium. The browser process itself
(launch, parent-death cleanup, profile folder) belongs to
:class:`~vla.controllers.chromium.ChromiumProcess`; this module connects Playwright to it over
the DevTools protocol and executes actions.

Coordinates: every method takes **page (CSS) pixels of the viewport**, origin at the viewport's
top-left. Mapping from the pixels of an observed image to page pixels is the env's job.

Robustness: every call runs under a watchdog (``timeout_s``): a hung call has its browser
killed and raises :class:`BrowserError`, as does any Playwright failure (crashed browser, dead
driver, failed navigation, script error), with the page's URL and the cause. :meth:`restart`
brings up a fresh browser (and driver). Tabs: one current page; pages the browser opens are
queued for :meth:`PlaywrightController.follow_new_page`.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from vla.actions import Click, Done, Drag, Key, Scroll, Type, Wait
from vla.controllers.chromium import (
    LAUNCH_FLAGS,
    BrowserError,
    ChromiumProcess,
    chromium_args,
    find_chromium,
)
from vla.controllers.playwright_driver import acquire_driver, release_driver

__all__ = ["LAUNCH_FLAGS", "BrowserError", "PlaywrightController", "find_chromium"]

CAPTURE_TIMEOUT_S = 2.0  # a capture answers in ~20 ms; one that waits this long was dropped
# wheel() returns before the scroll lands; two frames later the next capture shows it
_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


class PlaywrightController:
    """One Chromium page driven by Playwright.

    Args:
        viewport: ``(width, height)`` of the page viewport in CSS pixels.
        headless: run without a window (default). ``False`` needs an X display (``DISPLAY``).
        window_position: ``(x, y)`` screen position of the window (headful only).
        window_size: ``(width, height)`` of the window (headful only); defaults to the viewport.
        timeout_s: seconds any single call may take before the browser is declared hung.
        launch_timeout_s: seconds allowed for starting Chromium and for loading a page.
        executable: Chromium binary; default :func:`find_chromium`.
        extra_args: more Chromium command-line flags.
        on_context: called with the Playwright ``BrowserContext`` each time a browser starts,
            before any page loads: the place to install routes and init scripts (the env's
            URL policy and tab model live there, not here).
    """

    def __init__(
        self,
        viewport: tuple[int, int] = (160, 210),
        headless: bool = True,
        window_position: tuple[int, int] | None = None,
        window_size: tuple[int, int] | None = None,
        timeout_s: float = 10.0,
        launch_timeout_s: float = 30.0,
        executable: str | None = None,
        extra_args: tuple[str, ...] = (),
        on_context: Callable[[Any], None] | None = None,
    ) -> None:
        if len(viewport) != 2 or min(viewport) < 1:
            raise ValueError(f"Got {viewport!r} for `viewport`; it must be (width, height) >= 1")
        if timeout_s <= 0:
            raise ValueError(f"Got {timeout_s!r} for `timeout_s`; it must be > 0")
        self.viewport = (int(viewport[0]), int(viewport[1]))
        self.headless = bool(headless)
        self.window_position = window_position
        self.window_size = window_size
        self.timeout_s = float(timeout_s)
        self.launch_timeout_s = max(float(launch_timeout_s), self.timeout_s)
        self.executable = executable or find_chromium()
        self.extra_args = tuple(extra_args)
        self.on_context = on_context
        self._chromium: ChromiumProcess | None = None
        self._pw: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._cdp: Any = None
        self._new_pages: list[Any] = []
        self._broken = False  # the driver connection failed: only a restart helps
        self._timed_out = False

    # ------------------------------------------------------------------ lifecycle

    @property
    def pid(self) -> int | None:
        """Process id of the Chromium browser process (None when not running)."""
        return self._chromium.pid if self._chromium is not None else None

    @property
    def page(self) -> Any:
        """The current Playwright ``Page`` (starts the browser on first use)."""
        if self._page is None:
            self.start()
        return self._page

    def is_alive(self) -> bool:
        """Whether the browser process is running and Playwright is connected to it."""
        return (
            not self._broken
            and self._chromium is not None
            and self._chromium.is_running()
            and self._browser is not None
            and self._browser.is_connected()
        )

    def start(self) -> None:
        """Launch Chromium and connect Playwright to it (no-op when already running).
        Raises :class:`BrowserError` when either fails."""
        if self._page is not None:
            return
        args = chromium_args(
            self.window_size or self.viewport, self.headless, self.window_position, self.extra_args
        )
        self._chromium = ChromiumProcess(self.executable, args, self.launch_timeout_s)
        # Runs at garbage collection or interpreter exit when close() was never called; it
        # touches no Playwright object, so it cannot fail on a half-torn-down interpreter.
        self._finalizer = weakref.finalize(self, self._chromium.close)
        try:
            ws = self._chromium.start()
            self._connect(ws)
        except Exception as e:
            self.close(keep_driver=True)
            if isinstance(e, BrowserError):
                raise
            raise BrowserError(f"could not connect to Chromium: {_one_line(e)}") from e

    def _connect(self, ws: str) -> None:
        from playwright.sync_api import Error as PlaywrightError

        for attempt in range(2):
            if self._pw is None:  # the driver (a node process) survives restarts
                self._pw = acquire_driver()
            try:
                self._browser = self._pw.chromium.connect_over_cdp(
                    ws, timeout=self.launch_timeout_s * 1000
                )
                break
            except PlaywrightError as e:
                if attempt or "connection closed" not in str(e).lower():
                    raise
                release_driver(self._pw, dead=True)  # its node process died: start another
                self._pw = None
        self._broken = False
        ctx = self._browser.contexts[0]
        if self.on_context is not None:
            self.on_context(ctx)
        pages = self._new_pages  # not self: the driver's handler must not keep us alive
        ctx.on("page", lambda page: pages.append(page))
        self._use_page(ctx.pages[0] if ctx.pages else ctx.new_page())

    def _use_page(self, page: Any) -> None:
        page.set_viewport_size({"width": self.viewport[0], "height": self.viewport[1]})
        page.set_default_timeout(self.timeout_s * 1000)
        page.set_default_navigation_timeout(self.launch_timeout_s * 1000)
        self._page = page
        self._cdp = page.context.new_cdp_session(page)

    def follow_new_page(self) -> bool:
        """Make the newest page the browser opened since the last call the current one, and
        close every other page. Returns whether the current page changed."""
        fresh = [p for p in self._new_pages if p is not self._page and not p.is_closed()]
        self._new_pages.clear()
        if not fresh:
            return False
        with self.guard("switch to the new tab"):
            old, new = self._page, fresh[-1]
            for p in [old, *fresh[:-1]]:
                if p is not None and not p.is_closed():
                    p.close()
            self._use_page(new)
        return True

    def close(self, keep_driver: bool = False) -> None:
        """Close the browser and kill its whole process tree. Safe to call twice.

        ``keep_driver=True`` keeps Playwright's driver process for a quick :meth:`start`.
        """
        if self._browser is not None and not self._broken:
            with contextlib.suppress(Exception):  # drops the CDP connection; the kill follows
                self._browser.close()
        if self._pw is not None and not keep_driver:
            with contextlib.suppress(Exception):  # a dead driver is replaced by the next start
                release_driver(self._pw)
            self._pw = None
        if self._chromium is not None:
            self._finalizer.detach()
            self._chromium.close()
        self._chromium = self._browser = self._page = self._cdp = None
        self._new_pages.clear()

    def restart(self) -> None:
        """Kill the browser (whatever its state) and start a fresh one."""
        self.close(keep_driver=True)
        self.start()

    def __enter__(self) -> PlaywrightController:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- guarded calls

    @contextlib.contextmanager
    def guard(self, what: str, timeout_s: float | None = None) -> Iterator[None]:
        """Run a block under the watchdog (``timeout_s``, default the controller's). Any
        Playwright failure inside, and a hang, raise :class:`BrowserError` (``url`` = the
        current page's, ``cause`` = Playwright's message)."""
        from playwright.sync_api import Error as PlaywrightError

        if self._page is None:
            self.start()
        self._timed_out = False
        chromium = self._chromium

        def fire() -> None:
            self._timed_out = True
            if chromium is not None:
                chromium.kill()

        limit = self.timeout_s if timeout_s is None else timeout_s
        timer = threading.Timer(limit, fire)
        timer.start()
        try:
            yield
        except PlaywrightError as e:
            raise self._error(what, limit, e) from e
        finally:
            timer.cancel()
        if self._timed_out:
            raise self._error(what, limit, None)

    def _error(self, what: str, limit: float, e: Exception | None) -> BrowserError:
        url = self._page.url if self._page is not None else None
        cause = _one_line(e) if e is not None else ""
        if self._timed_out:
            return BrowserError(f"{what}: browser hung for more than {limit} s", url, "hung")
        if self._chromium is None or not self._chromium.is_running():
            return BrowserError(f"{what}: browser crashed or was closed ({cause})", url, cause)
        if "connection closed" in cause.lower() or "has been closed" in cause.lower():
            self._broken = True  # a dead driver or a closed page: the next reset restarts
            return BrowserError(f"{what}: lost the browser connection ({cause})", url, cause)
        return BrowserError(f"{what}: {cause}", url, cause)

    def goto(self, url: str, wait_until: str = "load") -> None:
        """Navigate to ``url`` and wait for its ``load`` event (or ``wait_until``).

        A failed navigation (refused connection, missing file, unknown host) raises
        :class:`BrowserError` only after Chromium's error page has replaced the page: Playwright
        reports the failure first, and a ``goto`` made before the error page commits would be
        "interrupted by another navigation" (issue 16: 12 of 15 such resets failed)."""
        from playwright.sync_api import Error as PlaywrightError

        with self.guard(f"goto {url}", self.launch_timeout_s):
            page = self.page
            for attempt in range(3):
                try:
                    page.goto(url, wait_until=wait_until)
                    return
                except PlaywrightError as e:
                    # The old page's own script navigated at the same moment: go again.
                    if "interrupted by another navigation" in str(e) and attempt < 2:
                        continue
                    with contextlib.suppress(PlaywrightError):
                        page.wait_for_url(_is_error_page, timeout=2000)
                        page.wait_for_load_state("load", timeout=2000)
                    raise

    def evaluate(self, script: str, arg: Any = None) -> Any:
        """Evaluate a JavaScript expression or function in the page; returns its JSON value."""
        with self.guard("evaluate"):
            return self.page.evaluate(script, arg)

    def screen_origin(self) -> tuple[int, int]:
        """Screen position ``(x, y)`` of the viewport's top-left pixel (headful windows).

        Without a window manager (bare Xvfb) this equals ``window_position``; with one, the
        window frame's size is added as far as the page can tell (``outer - inner`` size).
        """
        x, y, dw, dh = self.evaluate(
            "() => [screenX, screenY, outerWidth - innerWidth, outerHeight - innerHeight]"
        )
        return int(x + max(dw, 0) // 2), int(y + max(dh, 0))

    def _capture(self, params: dict[str, Any]) -> str:
        """``Page.captureScreenshot``'s base64 PNG. Chromium drops a capture whose document is
        replaced while it runs (a page that navigates itself by script) and never answers it:
        after ``CAPTURE_TIMEOUT_S`` ask again, once the new document has loaded."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            reply = self._cdp.send(
                "Page.captureScreenshot", params, timeout=CAPTURE_TIMEOUT_S * 1e3
            )
        except PlaywrightTimeout:
            self.page.wait_for_load_state("load")
            reply = self._cdp.send("Page.captureScreenshot", params)
        return str(reply["data"])

    def screenshot(
        self,
        clip: tuple[float, float, float, float] | None = None,
        document: bool = False,
        scroll: tuple[float, float] | None = None,
    ) -> np.ndarray:
        """RGB uint8 array ``(H, W, 3)`` of ``clip = (left, top, width, height)`` (default: the
        viewport), captured over CDP as PNG (fewer round trips than ``page.screenshot``).

        ``clip`` is in viewport pixels, or in document pixels with ``document=True`` (then it
        may reach beyond the viewport). ``scroll = (scrollX, scrollY)`` saves a round trip
        when the caller already knows the page's scroll offset.
        """
        import base64
        import io

        from PIL import Image

        x, y, w, h = clip if clip is not None else (0, 0, *self.viewport)
        if not document:
            if scroll is None:
                scroll = tuple(self.evaluate("() => [window.scrollX, window.scrollY]"))
            x, y = x + scroll[0], y + scroll[1]  # CDP clips are in document coordinates
        params = {
            "format": "png",
            "clip": {"x": x, "y": y, "width": w, "height": h, "scale": 1},
            "captureBeyondViewport": bool(document),
            "optimizeForSpeed": True,
        }
        with self.guard("screenshot"):
            data = self._capture(params)
        img = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
        out = np.asarray(img, dtype=np.uint8)
        if out.shape[:2] != (int(h), int(w)):  # HiDPI or rounding: resample to the clip size
            out = np.asarray(img.resize((int(w), int(h)), Image.BILINEAR), dtype=np.uint8)
        return out

    # -------------------------------------------------------------------- actions

    def execute(
        self,
        action: Any,
        to_page: Callable[[float, float], tuple[float, float]] | None = None,
    ) -> None:
        """Execute one UI action. ``to_page`` maps the action's (x, y) to page pixels
        (identity by default). Raises ``ValueError`` for a non-UI action and
        :class:`BrowserError` when the browser fails."""
        tp = to_page or (lambda x, y: (x, y))
        with self.guard(f"execute {type(action).__name__}"):
            mouse, keyboard = self.page.mouse, self.page.keyboard
            if isinstance(action, Click):
                x, y = tp(action.x, action.y)
                mouse.click(x, y, button=action.button, click_count=action.count)
            elif isinstance(action, Drag):
                x0, y0 = tp(action.x0, action.y0)
                x1, y1 = tp(action.x1, action.y1)
                mouse.move(x0, y0)
                mouse.down()
                mouse.move(x1, y1, steps=8)  # intermediate moves so that drag handlers fire
                mouse.up()
            elif isinstance(action, Scroll):
                x, y = tp(action.x, action.y)
                mouse.move(x, y)
                mouse.wheel(action.dx, action.dy)
                self.page.evaluate(_TWO_FRAMES)
            elif isinstance(action, Type):
                keyboard.type(action.text)
            elif isinstance(action, Key):
                keyboard.press(action.combo)
            elif isinstance(action, (Wait, Done)):
                pass
            else:
                raise ValueError(
                    f"PlaywrightController executes UI actions; got {type(action).__name__}"
                )


def _is_error_page(url: str) -> bool:
    return url.startswith("chrome-error:")


def _one_line(e: BaseException) -> str:
    """The first line of an exception's message (Playwright appends a call log)."""
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
