"""Fixtures for desktop tests: a private Xvfb display and headful Chromium windows on it.

``pyautogui`` binds to ``$DISPLAY`` when first imported, so one Xvfb (the ``xvfb`` fixture of
tests/conftest.py) serves the whole session.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vla.controllers.playwright import LAUNCH_FLAGS

PAGES = Path(__file__).parent / "pages"
# The controller's measured flag set (controllers/chromium.py), so the desktop tests launch
# Chromium as the browser envs do.
CHROMIUM_FLAGS = list(LAUNCH_FLAGS)


def chromium_executable(playwright: Any) -> str | None:
    """Playwright's own Chromium when installed, else Debian's (``None`` = neither)."""
    own = playwright.chromium.executable_path
    if own and Path(own).exists():
        return own
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def playwright(xvfb: str) -> Iterator[Any]:
    """Playwright for one test module: its event loop must not outlive the module, since the
    browser envs start their own Playwright in the same thread."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
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
