"""Shared pytest configuration. Area-specific fixtures live in each tests/<area>/conftest.py."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator

import pytest

# Keep torch from oversubscribing the 2-core CI machine when several tests build models.
os.environ.setdefault("OMP_NUM_THREADS", "2")

#: The size of the shared virtual screen (the ``xvfb`` fixture).
SCREEN = (1280, 800)


@pytest.fixture(scope="session")
def xvfb() -> Iterator[str]:
    """A private Xvfb for the session; DISPLAY and XAUTHORITY point at it while it runs.

    ``pyautogui`` binds to ``$DISPLAY`` when first imported, so every test that needs a
    display (tests/desktop, the every-env test) shares this one."""
    from vla.envs.desktop.xvfb import VirtualDisplay

    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb xauth)")
    if "pyautogui" in sys.modules:
        pytest.skip("pyautogui was imported before Xvfb started; it is bound to another display")
    with VirtualDisplay(SCREEN) as display:
        yield display.display  # type: ignore[misc]
