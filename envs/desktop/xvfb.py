"""A private virtual X display (Xvfb) for running the desktop env without a screen: CI, tests,
benchmarks, servers.

```python
with VirtualDisplay((1280, 800)) as display:   # sets DISPLAY and XAUTHORITY while open
    env = gym.make("vla/desktop-v0")
```

``pyautogui`` binds to ``$DISPLAY`` when it is first imported, so start the display before
anything imports pyautogui, and use one display per process.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["VirtualDisplay"]


def _screen(width: int, height: int, depth: int) -> list[str]:
    return ["-screen", "0", f"{width}x{height}x{depth}"]


def _parent_death_signal() -> Any:
    """A ``preexec_fn`` that makes the child get SIGTERM when this process dies (Linux), so
    no Xvfb is left behind; ``None`` elsewhere. libc is loaded here, in the parent: the
    child only makes one system call between fork and exec."""
    try:
        import ctypes
        import signal

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _lock_pid(number: int) -> int | None:
    """The PID an X server wrote into display ``number``'s lock file (None: no lock yet)."""
    try:
        return int(Path(f"/tmp/.X{number}-lock").read_text().strip())
    except (OSError, ValueError):
        return None


def _socket(number: int) -> Path:
    return Path(f"/tmp/.X11-unix/X{number}")


def _accepts(path: Path) -> bool:
    """A client can connect to the Unix socket at ``path`` now. Its file exists from the
    server's ``bind`` on, but until its ``listen`` a connection is refused (``ECONNREFUSED``):
    on a busy CPU a client started in that gap failed with ``Can't connect to display``."""
    import socket

    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(1.0)
    try:
        client.connect(str(path))
    except OSError:
        return False
    finally:
        client.close()
    return True


class VirtualDisplay:
    """Xvfb on a free display number.

    Args:
        size: ``(width, height)`` of the screen in pixels.
        depth: colour depth in bits.
        set_env: point ``DISPLAY`` and ``XAUTHORITY`` at it while it runs (restored after).
    """

    def __init__(self, size: tuple[int, int] = (1280, 800), depth: int = 24, set_env: bool = True):
        if len(size) != 2 or min(size) < 1:
            raise ValueError(f"size must be (width, height) >= 1; got {size!r}")
        self.size, self.depth, self.set_env = (int(size[0]), int(size[1])), depth, set_env
        self.display: str | None = None
        self._proc: subprocess.Popen | None = None
        self._dir: tempfile.TemporaryDirectory | None = None
        self._saved: dict[str, str | None] = {}

    def start(self) -> str:
        """Start Xvfb and return the display name (``":N"``); waits until it accepts clients.

        The number is drawn at random from 100-999 (low numbers are where other tools and
        other users' servers live; ``-displayfd`` would start at 0), skipping locked ones.
        """
        if self._proc is not None:
            return self.display  # type: ignore[return-value]
        exe = shutil.which("Xvfb")
        if exe is None:
            raise RuntimeError("Xvfb is not installed: apt-get install xvfb xauth")
        rng = random.Random()
        for _ in range(20):
            number = rng.randrange(100, 1000)
            if Path(f"/tmp/.X{number}-lock").exists() or _socket(number).exists():
                continue
            if self._launch(exe, number):
                break
        else:
            raise RuntimeError("could not start Xvfb on a free display (20 tries)")
        self.display = f":{number}"
        self._dir = tempfile.TemporaryDirectory(prefix="vla-xvfb-")
        xauth = Path(self._dir.name) / "Xauthority"
        xauth.touch()  # python-xlib (pyautogui) needs the file to exist
        if self.set_env:
            self._saved = {k: os.environ.get(k) for k in ("DISPLAY", "XAUTHORITY")}
            os.environ["DISPLAY"], os.environ["XAUTHORITY"] = self.display, str(xauth)
        return self.display

    def _launch(self, exe: str, number: int) -> bool:
        """Start Xvfb on ``:number``; True once its socket accepts clients, False if it
        exited."""
        w, h = self.size
        self._proc = subprocess.Popen(
            # -noreset: by default the server resets when its last client leaves, and a
            # client connecting during the reset is dropped ("connection lost").
            [exe, f":{number}", "-noreset", "-nolisten", "tcp", *_screen(w, h, self.depth)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_parent_death_signal(),
        )
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:  # lost a race for the number
                self._proc = None
                return False
            # the socket of a server that won the race for the number exists too, while ours
            # is still on its way out: only a lock file with our PID says the server is ours
            ours = _socket(number).exists() and _lock_pid(number) == self._proc.pid
            if ours and _accepts(_socket(number)):
                return True
            time.sleep(0.05)
        self._proc.kill()
        self._proc.wait()
        self._proc = None
        return False

    def stop(self) -> None:
        """Stop Xvfb and restore the environment variables."""
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved = {}
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> VirtualDisplay:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
