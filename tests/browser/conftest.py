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
