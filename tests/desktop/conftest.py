"""Fixtures for desktop tests: a private Xvfb display and headful Chromium windows on it.

``pyautogui`` binds to ``$DISPLAY`` when first imported, so one Xvfb serves the whole session
and the environment is set before anything imports pyautogui.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SCREEN = (1280, 800)
PAGES = Path(__file__).parent / "pages"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def xvfb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start Xvfb on a free display (``-displayfd``), point DISPLAY at it; kill it after."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb xauth)")
    if "pyautogui" in sys.modules:
        pytest.skip("pyautogui was imported before Xvfb started; it is bound to another display")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [
            *("Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp"),
            *("-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24"),
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        number = f.readline().strip()  # written once the server accepts connections
    if not number:
        proc.kill()
        pytest.skip("Xvfb did not start")
    xauth = tmp_path_factory.mktemp("x") / "Xauthority"
    xauth.touch()
    saved = {k: os.environ.get(k) for k in ("DISPLAY", "XAUTHORITY")}
    os.environ["DISPLAY"], os.environ["XAUTHORITY"] = f":{number}", str(xauth)
    try:
        yield f":{number}"
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def chromium_executable(playwright: Any) -> str | None:
    """Playwright's own Chromium when installed, else Debian's (``None`` = neither)."""
    own = playwright.chromium.executable_path
    if own and Path(own).exists():
        return own
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def playwright(xvfb: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def open_window(playwright: Any) -> Iterator[Any]:
    """``open_window(url, position=(x, y), size=(w, h)) -> page`` in a headful Chromium window."""
    exe = chromium_executable(playwright)
    if exe is None:
        pytest.skip("no Chromium: apt-get install chromium")
    browsers: list[Any] = []

    def open_(url: str, position: tuple[int, int] = (137, 91), size=(900, 650)) -> Any:
        browser = playwright.chromium.launch(
            executable_path=exe,
            headless=False,
            args=[
                *CHROMIUM_FLAGS,
                f"--window-position={position[0]},{position[1]}",
                f"--window-size={size[0]},{size[1]}",
            ],
        )
        browsers.append(browser)
        page = browser.new_page(no_viewport=True)
        page.goto(url)
        return page

    yield open_
    for browser in browsers:
        browser.close()
