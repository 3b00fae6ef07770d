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
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["VirtualDisplay"]


class VirtualDisplay:
    """Xvfb on a free display number (chosen by Xvfb itself through ``-displayfd``).

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
        """Start Xvfb and return the display name (``":N"``); waits until it accepts clients."""
        if self._proc is not None:
            return self.display  # type: ignore[return-value]
        exe = shutil.which("Xvfb")
        if exe is None:
            raise RuntimeError("Xvfb is not installed: apt-get install xvfb xauth")
        read_fd, write_fd = os.pipe()
        w, h = self.size
        self._proc = subprocess.Popen(
            [
                exe,
                "-displayfd",
                str(write_fd),
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                f"{w}x{h}x{self.depth}",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # written once the server is ready
        if not number:
            self.stop()
            raise RuntimeError("Xvfb exited before it was ready")
        self.display = f":{number}"
        self._dir = tempfile.TemporaryDirectory(prefix="vla-xvfb-")
        xauth = Path(self._dir.name) / "Xauthority"
        xauth.touch()  # python-xlib (pyautogui) needs the file to exist
        if self.set_env:
            self._saved = {k: os.environ.get(k) for k in ("DISPLAY", "XAUTHORITY")}
            os.environ["DISPLAY"], os.environ["XAUTHORITY"] = self.display, str(xauth)
        return self.display

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
