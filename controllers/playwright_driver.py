"""The Playwright driver (its node process) of each thread, shared by the thread's controllers.

Playwright's sync API allows one running instance per thread, so controllers of one thread
share one driver, counted by reference and stopped with its last user (or at once when it
died, so that the next controller starts a fresh one).
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["acquire_driver", "release_driver"]

_DRIVERS = threading.local()  # one Playwright driver per thread, shared by its controllers


def acquire_driver() -> Any:
    """The calling thread's Playwright driver (started on first use; reference counted).
    Playwright's sync API allows only one running instance per thread."""
    if getattr(_DRIVERS, "pw", None) is None:
        from playwright.sync_api import sync_playwright

        _DRIVERS.pw = sync_playwright().start()
        _DRIVERS.users = 0
    _DRIVERS.users += 1
    return _DRIVERS.pw


def release_driver(pw: Any, dead: bool = False) -> None:
    """Drop one reference to ``pw``; stop it with the last one, or at once when ``dead``
    (its node process died: every controller of this thread then needs a new one)."""
    if getattr(_DRIVERS, "pw", None) is not pw:
        return  # another thread's driver, or a dead one already replaced: leave it alone
    _DRIVERS.users -= 1
    if _DRIVERS.users <= 0 or dead:
        _DRIVERS.pw = None
        pw.stop()  # a dead driver's stop() returns without error (measured, playwright 1.65)
