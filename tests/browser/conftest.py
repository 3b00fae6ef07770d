"""Fixtures for the browser tests: skip when no Chromium is installed; local pages only."""

from __future__ import annotations

import os
import pathlib

import pytest

PAGES = pathlib.Path(__file__).parent / "pages"


def _chromium_available() -> bool:
    try:
        from vla.controllers.playwright import find_chromium

        find_chromium()
        import playwright  # noqa: F401
    except (FileNotFoundError, ImportError):
        return False
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _chromium_available():
        return
    skip = pytest.mark.skip(reason="needs Chromium and playwright")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def events_url() -> str:
    """file:// URL of a page whose JavaScript records every input event in ``window.events``."""
    return (PAGES / "events.html").resolve().as_uri()


def _proc_stats() -> list[tuple[int, list[str]]]:
    """``(pid, fields after the command name)`` of /proc/<pid>/stat for every process:
    fields[0] is the state, [1] the parent pid, [2] the process group, [3] the session."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                out.append((int(entry), f.read().rsplit(")", 1)[1].split()))
        except OSError:
            continue
    return out


def _browser_pids(pgid: int) -> list[int]:
    """Live or zombie processes in a browser's process group or session."""
    return [pid for pid, fields in _proc_stats() if pgid in (int(fields[2]), int(fields[3]))]


def _zombie_children() -> list[int]:
    """Zombie processes whose parent is this test process."""
    me = os.getpid()
    return [pid for pid, f in _proc_stats() if f[0] == "Z" and int(f[1]) == me]


@pytest.fixture()
def browser_pids():
    """``browser_pids(pgid)``: live or zombie processes in a browser's group or session."""
    return _browser_pids


@pytest.fixture()
def zombie_children():
    """``zombie_children()``: zombie processes whose parent is this test process."""
    return _zombie_children


def _site_pages(port: int, closed_port: int) -> dict[str, str]:
    """The pages of the local test site, by path. Each link is a 300x150 block at (0, 0)."""
    big = "display:block;width:300px;height:150px;background:#cdf"
    return {
        "/": f'<title>A</title><a id="go" href="/b" style="{big}">to b</a>',
        "/b": "<title>B</title><h1>page b</h1>",
        "/to-slow": f'<title>A</title><a href="/slow" style="{big}">slow</a>',
        "/slow": "<title>S</title><h1>slow page</h1>",
        "/blank": f'<title>A</title><a target="_blank" href="/b" style="{big}">new tab</a>',
        "/popup": (
            f'<title>A</title><button onclick="window.open(\'/b\')" style="{big}">pop</button>'
        ),
        "/other-host": f'<title>A</title><a href="http://localhost:{port}/b" style="{big}">x</a>',
        "/to-redirect": f'<title>A</title><a href="/redirect" style="{big}">redirect</a>',
        "/refused": f'<title>A</title><a href="http://127.0.0.1:{closed_port}/" style="{big}">x</a>',
        "/data-frame": '<title>A</title><iframe src="data:text/html,<p>FRAMED</p>"></iframe>',
        # a chain of script redirects, 100 ms apart: /hop0 -> /hop1 -> /hop2 -> /b
        **{
            f"/hop{i}": f"<title>hop</title><script>setTimeout(() => location.href ="
            f" '{f'/hop{i + 1}' if i < 2 else '/b'}', 100)</script>"
            for i in range(3)
        },
    }


@pytest.fixture(scope="module")
def refused_url() -> str:
    """``http://127.0.0.1:<port>/`` where nothing listens: connections are refused."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


@pytest.fixture(scope="module")
def site(refused_url):
    """``http://127.0.0.1:<port>``: a threaded local web site (see ``_site_pages``) that stops
    with the test module. ``/slow`` answers after 0.3 s; ``/redirect`` sends a 302 to
    ``http://localhost:<port>/b`` (another host)."""
    import http.server
    import threading
    import time

    closed_port = int(refused_url.rsplit(":", 1)[1].strip("/"))
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", f"http://localhost:{port}/b")
                self.end_headers()
                return
            if self.path == "/slow":
                time.sleep(0.3)
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "<title>404</title>").encode())

        def log_message(self, *args: object) -> None:  # keep the test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    pages.update(_site_pages(port, closed_port))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
