"""The Chromium browser process: finding it, launching it, and making sure it dies.

:class:`ChromiumProcess` starts Chromium with ``--remote-debugging-port=0`` and a fresh
profile folder ``/tmp/vla-chromium-*``, and hands back the DevTools endpoint that Playwright
connects to. It does not drive pages; :mod:`vla.controllers.playwright` does.

Lifetime: Chromium never outlives the Python process that started it, however that process
ends (``close()``, a normal exit without ``close()``, an uncaught exception, SIGTERM, even
SIGKILL). Chromium is started by a small supervisor process (a few lines of Python, run with
``python -I -S``) that holds the read end of a pipe whose write end only this process holds.
When the pipe reports end-of-file, because :meth:`ChromiumProcess.close` closed it or because
this process died, the supervisor kills Chromium's process group, reaps every helper that
was re-parented to it (it is a child subreaper, so a crash leaves no zombie and no helper
with its own session, such as ``chrome_crashpad_handler``, escapes), deletes the profile
folder, and exits. A parent-death signal (``prctl(PR_SET_PDEATHSIG)``) alone would kill the
browser but leave the profile folder behind, and it fires when the launching *thread* ends;
``benchmarks/chromium_launch.py`` measures this design against Playwright's own
``chromium.launch`` (docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

__all__ = ["LAUNCH_FLAGS", "BrowserError", "ChromiumProcess", "chromium_args", "find_chromium"]

#: Flags measured to work on a GPU-less machine; the vsync and frame-rate ones bring a 160x210
#: screenshot from about 33 ms to 22-24 ms.
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
    "--disable-smooth-scrolling",  # a wheel scroll lands at once: the next screenshot shows it
    "--hide-scrollbars",  # new headless draws scrollbars inside the viewport, over the image
)

# Runs as `python -I -S -c _SUPERVISOR <profile dir> <chromium command...>`. It prints the
# browser's pid, then blocks on stdin; end-of-file (our close() or our death) means clean up.
_SUPERVISOR = r"""
import ctypes, os, shutil, signal, subprocess, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C reaches the parent, which closes us
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # likewise: only end-of-file ends us
try:
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphaned helpers come here
except AttributeError:
    pass  # not Linux: no prctl; the process-group kill below still runs
profile, cmd = sys.argv[1], sys.argv[2:]
browser = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           start_new_session=True)
print(browser.pid, flush=True)
sys.stdin.buffer.read()
me, deadline = os.getpid(), time.monotonic() + 5.0
while True:
    for stat in os.listdir("/proc"):
        if not stat.isdigit():
            continue
        try:
            with open(f"/proc/{stat}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me or browser.pid in (int(fields[2]), int(fields[3])):
            try:
                os.kill(int(stat), signal.SIGKILL)
            except OSError:
                pass
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        break  # every child and adopted helper is reaped
    if time.monotonic() > deadline:
        break
    time.sleep(0.01)
shutil.rmtree(profile, ignore_errors=True)
"""


class BrowserError(RuntimeError):
    """The browser failed: it did not start, crashed, hung past the timeout, was closed, or a
    page could not be loaded. ``url`` is the page concerned (None when not known) and
    ``cause`` the underlying reason, one line."""

    def __init__(self, message: str, url: str | None = None, cause: str | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.cause = cause if cause is not None else message


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


def chromium_args(
    window_size: tuple[int, int],
    headless: bool,
    window_position: tuple[int, int] | None = None,
    extra_args: tuple[str, ...] = (),
) -> list[str]:
    """Chromium's flags for one env: :data:`LAUNCH_FLAGS`, the window, then ``extra_args``.
    Headful windows are bare app windows (no tool bar) at ``window_position`` (screen px)."""
    w, h = window_size
    args = [*LAUNCH_FLAGS, f"--window-size={int(w)},{int(h)}", *extra_args]
    if headless:
        args.append("--headless=new")
    else:
        args.append("--test-type")  # no "unsupported flag" infobar pushing the page down
    if window_position is not None:
        x, y = window_position
        args.append(f"--window-position={int(x)},{int(y)}")
    args.append("--app=data:text/html,")  # headful: a bare window, no toolbar
    return args


class ChromiumProcess:
    """One Chromium browser process under a supervisor (see the module docstring).

    Args:
        executable: the Chromium binary.
        args: command-line flags after ``--remote-debugging-port`` and ``--user-data-dir``.
        launch_timeout_s: seconds allowed until Chromium prints its DevTools endpoint.
    """

    def __init__(self, executable: str, args: list[str], launch_timeout_s: float) -> None:
        self.executable = executable
        self.args = list(args)
        self.launch_timeout_s = float(launch_timeout_s)
        self.pid: int | None = None  #: the browser process (leader of its process group)
        self.profile_dir: str | None = None
        self._sup: subprocess.Popen | None = None

    def start(self) -> str:
        """Launch Chromium; return its DevTools websocket URL. Raises :class:`BrowserError`
        (with Chromium's last output) when it does not start within ``launch_timeout_s``."""
        self.profile_dir = tempfile.mkdtemp(prefix="vla-chromium-")
        cmd = [
            self.executable,
            "--remote-debugging-port=0",
            f"--user-data-dir={self.profile_dir}",
            *self.args,
        ]
        self._sup = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _SUPERVISOR, self.profile_dir, *cmd],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,  # Chromium's stderr: the endpoint, then its log
            start_new_session=True,  # terminal signals go to us; we close the supervisor
            text=True,
        )
        timer = threading.Timer(self.launch_timeout_s, self._kill_supervisor)
        timer.start()
        try:
            self.pid = int(self._sup.stdout.readline() or 0) or None  # type: ignore[union-attr]
            ws, lines = self._read_endpoint(self._sup)
        finally:
            timer.cancel()
        if ws is None:
            self.close()
            raise BrowserError(
                f"Chromium ({self.executable}) did not start; its output:\n" + "".join(lines[-20:])
            )
        return ws

    def _read_endpoint(self, sup: subprocess.Popen) -> tuple[str | None, list[str]]:
        lines: list[str] = []
        for line in sup.stderr:  # type: ignore[union-attr]
            lines.append(line)
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                # Keep draining stderr so that Chromium never blocks on a full pipe.
                threading.Thread(target=self._drain, args=(sup,), daemon=True).start()
                return m.group(1), lines
        return None, lines

    @staticmethod
    def _drain(sup: subprocess.Popen) -> None:
        if sup.stderr is not None:
            with contextlib.suppress(OSError, ValueError):
                for _ in sup.stderr:
                    pass

    def is_running(self) -> bool:
        """Whether the browser process exists and is not a zombie."""
        if self.pid is None:
            return False
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL the browser's process group now (the watchdog's hammer; returns at once).
        :meth:`close` still has to run to reap it and delete the profile."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)

    def _kill_supervisor(self) -> None:
        self.kill()
        if self._sup is not None:
            with contextlib.suppress(ProcessLookupError):
                self._sup.kill()  # unblocks a launch that never printed its endpoint

    def close(self) -> None:
        """Kill the browser and its helpers, reap them, delete the profile folder. Returns
        once all that is done (at most about 5 s); safe to call twice."""
        sup, self._sup = self._sup, None
        if sup is not None:
            with contextlib.suppress(OSError, ValueError):
                sup.stdin.close()  # type: ignore[union-attr]  # end-of-file: clean up
            try:
                sup.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
                sup.kill()
                sup.wait()
            for stream in (sup.stdout, sup.stderr):
                with contextlib.suppress(OSError, ValueError):
                    stream.close()  # type: ignore[union-attr]
        if self.profile_dir is not None:
            shutil.rmtree(self.profile_dir, ignore_errors=True)  # the supervisor's job; belt
        self.pid = self.profile_dir = None
