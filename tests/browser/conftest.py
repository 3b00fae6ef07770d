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


def _browser_pids(pgid: int) -> list[int]:
    """Live or zombie processes in a browser's process group or session."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if pgid in (int(fields[2]), int(fields[3])):
            out.append(int(entry))
    return out


def _zombie_children() -> list[int]:
    """Zombie processes whose parent is this test process."""
    me, out = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == me:
            out.append(int(entry))
    return out


@pytest.fixture()
def browser_pids():
    """``browser_pids(pgid)``: live or zombie processes in a browser's group or session."""
    return _browser_pids


@pytest.fixture()
def zombie_children():
    """``zombie_children()``: zombie processes whose parent is this test process."""
    return _zombie_children
