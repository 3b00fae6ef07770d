"""Execute :mod:`vla.actions` UI actions in Chromium through Playwright.

:class:`PlaywrightController` owns one Chromium process. It starts Chromium itself (Playwright's
own build when ``playwright install chromium`` was run, else ``/usr/bin/chromium``) in its own
process group, connects Playwright over the DevTools protocol, and kills the whole group on
:meth:`~PlaywrightController.close`, so no browser process outlives the controller.

Coordinates: every method takes **page (CSS) pixels of the viewport**, origin at the viewport's
top-left. Mapping from the pixels of an observed image to page pixels is the env's job.

Robustness: every call runs under a watchdog (``timeout_s``). A call that hangs (e.g. a page
stuck in a JavaScript loop) has its browser killed, and the call raises
:class:`BrowserError`; so does any call on a crashed browser. :meth:`restart` brings up a
fresh browser.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from vla.actions import Click, Done, Drag, Key, Scroll, Type, Wait

__all__ = ["LAUNCH_FLAGS", "BrowserError", "PlaywrightController", "find_chromium"]

#: Flags measured to work (and to speed up screenshots) on a GPU-less machine; see DESIGN.md.
LAUNCH_FLAGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu-vsync",
    "--disable-frame-rate-limit",
    "--no-default-browser-check",
    "--disable-breakpad",
    "--disable-dev-shm-usage",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--password-store=basic",
    "--hide-scrollbars",  # new headless draws scrollbars inside the viewport, over the image
)
_PR_SET_CHILD_SUBREAPER = 36


_DRIVERS = threading.local()  # one Playwright driver per thread, shared by its controllers


def _acquire_driver() -> Any:
    """The calling thread's Playwright driver (started on first use; reference counted).
    Playwright's sync API allows only one running instance per thread."""
    if getattr(_DRIVERS, "pw", None) is None:
        from playwright.sync_api import sync_playwright

        _DRIVERS.pw = sync_playwright().start()
        _DRIVERS.users = 0
    _DRIVERS.users += 1
    return _DRIVERS.pw


def _release_driver(pw: Any) -> None:
    if getattr(_DRIVERS, "pw", None) is not pw:
        return  # another thread's driver (e.g. __del__ run elsewhere): leave it alone
    _DRIVERS.users -= 1
    if _DRIVERS.users <= 0:
        _DRIVERS.pw = None
        pw.stop()


class BrowserError(RuntimeError):
    """The browser crashed, hung past the timeout, or was closed."""


def find_chromium() -> str:
    """Path of Playwright's own Chromium if installed, else a system Chromium.

    Raises ``FileNotFoundError`` naming what to install when there is none.
    """
    base = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or os.path.expanduser(
        "~/.cache/ms-playwright"
    )
    for pattern in ("chromium-*/chrome-linux*/chrome", "chromium-*/chrome-linux/chrome"):
        found = sorted(glob.glob(os.path.join(base, pattern)))
        if found:
            return found[-1]
    for name in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if os.path.exists(name):
            return name
    path = shutil.which("chromium") or shutil.which("chrome")
    if path:
        return path
    raise FileNotFoundError(
        "no Chromium found: run `playwright install chromium` or `apt-get install chromium`"
    )


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
    ) -> None:
        if len(viewport) != 2 or min(viewport) < 1:
            raise ValueError(f"viewport must be (width, height) >= 1; got {viewport!r}")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0; got {timeout_s!r}")
        self.viewport = (int(viewport[0]), int(viewport[1]))
        self.headless = bool(headless)
        self.window_position = window_position
        self.window_size = window_size
        self.timeout_s = float(timeout_s)
        self.launch_timeout_s = max(float(launch_timeout_s), self.timeout_s)
        self.executable = executable or find_chromium()
        self.extra_args = tuple(extra_args)
        self._proc: subprocess.Popen | None = None
        self._user_dir: str | None = None
        self._pw: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._cdp: Any = None
        self._timed_out = False

    # ------------------------------------------------------------------ lifecycle

    @property
    def pid(self) -> int | None:
        """Process id of the Chromium browser process (None when not running)."""
        return self._proc.pid if self._proc is not None else None

    @property
    def page(self) -> Any:
        """The Playwright ``Page`` (starts the browser on first use)."""
        if self._page is None:
            self.start()
        return self._page

    def is_alive(self) -> bool:
        """Whether the browser process is running and connected."""
        return (
            self._proc is not None
            and self._proc.poll() is None
            and self._browser is not None
            and self._browser.is_connected()
        )

    def start(self) -> None:
        """Launch Chromium and connect Playwright to it (no-op when already running)."""
        if self._page is not None:
            return
        with contextlib.suppress(OSError, AttributeError):
            # Chromium's helpers outlive a killed browser; adopt them so we can reap them.
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        self._user_dir = tempfile.mkdtemp(prefix="vla-chromium-")
        self._proc = subprocess.Popen(
            self._command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            text=True,
        )
        try:
            ws = self._read_ws_endpoint()
            if self._pw is None:  # the driver (a node process) survives restarts
                self._pw = _acquire_driver()
            self._browser = self._pw.chromium.connect_over_cdp(
                ws, timeout=self.launch_timeout_s * 1000
            )
            self._open_page()
        except Exception:
            self.close()
            raise

    def _command(self) -> list[str]:
        w, h = self.window_size or self.viewport
        cmd = [
            self.executable,
            "--remote-debugging-port=0",
            f"--user-data-dir={self._user_dir}",
            *LAUNCH_FLAGS,
            f"--window-size={w},{h}",
            *self.extra_args,
        ]
        if self.headless:
            cmd.append("--headless=new")
        else:
            cmd.append("--test-type")  # no "unsupported flag" infobar pushing the page down
        if self.window_position is not None:
            x, y = self.window_position
            cmd.append(f"--window-position={int(x)},{int(y)}")
        cmd.append("--app=data:text/html,")  # headful: a bare window, no toolbar
        return cmd

    def _read_ws_endpoint(self) -> str:
        assert self._proc is not None and self._proc.stderr is not None
        deadline = time.monotonic() + self.launch_timeout_s
        lines: list[str] = []
        timer = threading.Timer(self.launch_timeout_s, self._kill_group)
        timer.start()
        try:
            while time.monotonic() < deadline:
                line = self._proc.stderr.readline()
                if not line:
                    break
                lines.append(line)
                m = re.search(r"DevTools listening on (ws://\S+)", line)
                if m:
                    # Keep draining stderr so that Chromium never blocks on a full pipe.
                    threading.Thread(target=self._drain, daemon=True).start()
                    return m.group(1)
        finally:
            timer.cancel()
        raise BrowserError(
            f"Chromium ({self.executable}) did not start; its output:\n{''.join(lines[-20:])}"
        )

    def _drain(self) -> None:
        proc = self._proc
        if proc is not None and proc.stderr is not None:
            with contextlib.suppress(OSError, ValueError):
                for _ in proc.stderr:
                    pass

    def _open_page(self) -> None:
        ctx = self._browser.contexts[0]
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.set_viewport_size({"width": self.viewport[0], "height": self.viewport[1]})
        page.set_default_timeout(self.timeout_s * 1000)
        page.set_default_navigation_timeout(self.launch_timeout_s * 1000)
        self._page = page
        self._cdp = ctx.new_cdp_session(page)

    def close(self, keep_driver: bool = False) -> None:
        """Close the browser and kill its whole process tree. Safe to call twice.

        ``keep_driver=True`` keeps Playwright's driver process for a quick :meth:`start`.
        """
        if self._browser is not None and self.is_alive():
            with contextlib.suppress(Exception):  # any failure falls through to the kill below
                self._browser.new_browser_cdp_session().send("Browser.close")
                self._proc.wait(timeout=3)  # type: ignore[union-attr]
        if self._browser is not None:
            with contextlib.suppress(Exception):
                self._browser.close()  # drops the CDP connection
        if self._pw is not None and not keep_driver:
            with contextlib.suppress(Exception):
                _release_driver(self._pw)
            self._pw = None
        self._kill_group()
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
            if self._proc.stderr is not None:
                with contextlib.suppress(OSError):
                    self._proc.stderr.close()
        if self._proc is not None:
            self._reap_orphans(self._proc.pid)
        if self._user_dir is not None:
            shutil.rmtree(self._user_dir, ignore_errors=True)
        self._proc = self._browser = self._page = self._cdp = None
        self._user_dir = None

    def restart(self) -> None:
        """Kill the browser (whatever its state) and start a fresh one."""
        self.close(keep_driver=True)
        self.start()

    def _kill_group(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signal.SIGKILL)

    def _group_members(self, pgid: int) -> list[tuple[int, int, str]]:
        """``(pid, ppid, state)`` of every process in the browser's process group or session,
        plus Chromium zombies adopted by this process."""
        me, out = os.getpid(), []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as f:
                    head, tail = f.read().rsplit(")", 1)
                fields = tail.split()
                state, ppid, pgrp, sid = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
                comm = head.split("(", 1)[1]
            except (OSError, IndexError, ValueError):
                continue
            ours = pgid in (pgrp, sid)
            adopted_zombie = ppid == me and state == "Z" and comm.startswith("chrom")
            if ours or adopted_zombie:
                out.append((int(stat.split("/")[2]), ppid, state))
        return out

    def _reap_orphans(self, pgid: int) -> None:
        """Kill what is left of the browser's process group and reap the helpers that were
        re-parented to this process (it is a child subreaper), so no zombie is left."""
        me = os.getpid()
        deadline = time.monotonic() + 3.0
        while True:
            members = self._group_members(pgid)
            if not members or time.monotonic() > deadline:
                return
            for pid, ppid, _ in members:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                if ppid == me:
                    with contextlib.suppress(ChildProcessError):
                        os.waitpid(pid, 0)
            time.sleep(0.02)

    def __enter__(self) -> PlaywrightController:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    # ---------------------------------------------------------------- guarded calls

    @contextlib.contextmanager
    def guard(self, what: str, timeout_s: float | None = None) -> Iterator[None]:
        """Run a block under the watchdog (``timeout_s``, default the controller's); raise
        :class:`BrowserError` on crash or hang."""
        if self._page is None:
            self.start()
        self._timed_out = False

        def fire() -> None:
            self._timed_out = True
            self._kill_group()

        limit = self.timeout_s if timeout_s is None else timeout_s
        timer = threading.Timer(limit, fire)
        timer.start()
        try:
            yield
        except BrowserError:
            raise
        except Exception as e:  # Playwright raises its own Error / TimeoutError types
            if self._timed_out:
                raise BrowserError(f"{what}: browser hung for more than {limit} s") from e
            if not self.is_alive():
                raise BrowserError(f"{what}: browser crashed or was closed ({e})") from e
            raise
        finally:
            timer.cancel()
        if self._timed_out:
            raise BrowserError(f"{what}: browser hung for more than {limit} s")

    def goto(self, url: str) -> None:
        """Navigate to ``url`` and wait for its ``load`` event."""
        with self.guard(f"goto {url}", self.launch_timeout_s):
            self.page.goto(url, wait_until="load")

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
            data = self._cdp.send("Page.captureScreenshot", params)["data"]
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
