"""Fixtures for the serving tests: real ``vla serve`` processes on 127.0.0.1 (a free port).

Each server runs under ``timeout`` so that it stops by itself even if pytest dies; the
fixtures stop it at the end of the module (SIGTERM, then SIGKILL) and check its exit code.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("websockets")
pytest.importorskip("msgpack")

TOKEN = "test-token-0123456789"


@dataclass
class Server:
    """A running ``vla serve`` process and its JSON log (stderr)."""

    proc: subprocess.Popen
    log_path: Path
    port: int

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def events(self, name: str) -> list[dict]:
        out = []
        for line in self.log_path.read_text().splitlines():
            if line.startswith("{"):
                event = json.loads(line)
                if event.get("event") == name:
                    out.append(event)
        return out

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode


def launch_server(tmp: Path, policy: str, *args: str) -> tuple[subprocess.Popen, Path]:
    """Start ``vla serve --policy POLICY --port 0 ARGS`` (under ``timeout 600``)."""
    log_path = tmp / f"serve-{policy}-{time.monotonic_ns()}.log"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = ["timeout", "600", sys.executable, "-m", "vla", "serve", "--policy", policy]
    with log_path.open("w") as log:
        proc = subprocess.Popen([*cmd, "--port", "0", *args], stderr=log, env=env)
    return proc, log_path


def wait_ready(proc: subprocess.Popen, log_path: Path) -> Server:
    """Wait for the ``listening`` log line of a launched server (its port)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for line in log_path.read_text().splitlines():
            if '"event": "listening"' in line:
                return Server(proc, log_path, json.loads(line)["port"])
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"vla serve did not start:\n{log_path.read_text()[-3000:]}")


# The servers load torch and a checkpoint (seconds each), so those that a test module names in
# its SERVERS tuple start together the first time one of them is asked for, and stop when the
# module ends.
_SERVERS = {
    "browser": ("vla-browser-tiny", "--token", TOKEN, "--max-batch", "8", "--max-wait-ms", "200",
                "--max-message-bytes", "400000", "--threads", "1"),
    "robot": ("vla-robot-tiny",),
    "one_at_a_time": ("vla-browser-tiny", "--max-batch", "1"),
    "asked_twice": ("vla-robot-tiny",),
}  # fmt: skip


@pytest.fixture(scope="module")
def _launched(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("serve")
    names = getattr(request.module, "SERVERS", tuple(_SERVERS))
    launched = {name: launch_server(tmp, *_SERVERS[name]) for name in names}
    yield launched
    for proc, _ in launched.values():  # whatever a test did not stop already
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _server(launched: dict, name: str) -> Iterator[Server]:
    server = wait_ready(*launched[name])
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def browser_server(_launched: dict) -> Iterator[Server]:
    """vla-browser-tiny with a token, a 400 kB message limit and a generous batching window."""
    yield from _server(_launched, "browser")


@pytest.fixture(scope="module")
def robot_server(_launched: dict) -> Iterator[Server]:
    """vla-robot-tiny with the defaults."""
    yield from _server(_launched, "robot")


@pytest.fixture
def one_at_a_time_server(_launched: dict) -> Iterator[Server]:
    """vla-browser-tiny with ``--max-batch 1`` (for the shutdown test: it is stopped there)."""
    yield from _server(_launched, "one_at_a_time")


def chromium_available() -> bool:
    try:
        import playwright  # noqa: F401

        from vla.controllers.playwright import find_chromium

        find_chromium()
    except (FileNotFoundError, ImportError):
        return False
    return True


@pytest.fixture(scope="module")
def asked_twice_server(_launched: dict) -> Iterator[Server]:
    """vla-robot-tiny, for a test that signals the server process itself."""
    yield from _server(_launched, "asked_twice")
