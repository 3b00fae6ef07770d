"""Browser envs over Playwright: ``vla/miniwob-<task>-v0`` (MiniWoB++) and ``vla/browser-v0``
(any URL). Importing this package loads neither Playwright nor Chromium; :func:`register`
registers the ids with string entry points (called by ``vla.envs`` on import)."""

from __future__ import annotations

__all__ = ["ANIMATED_WAIT_MS", "register"]

#: Tasks whose page animates for a few hundred milliseconds after a click (jQuery UI
#: accordions), and the ``wait_ms`` their ids get by default: a ``Wait`` then lasts until that
#: long after the previous observation, so an opening section takes 3-4 waits on any host.
#: With one env step a wait it took 13-17 on an unloaded 2-core host, more on a faster one, and
#: click-collapsible-2's expert, which opens the sections in turn, ran past the 30 steps
#: (docs/browser.md). ``gym.make(id, wait_ms=0)`` turns it off.
ANIMATED_WAIT_MS = {"click-collapsible": 100.0, "click-collapsible-2": 100.0}


def register() -> None:
    """Register ``vla/miniwob-<task>-v0`` for every task page of the installed ``miniwob``
    package (the :data:`ANIMATED_WAIT_MS` tasks with their ``wait_ms``), and
    ``vla/browser-v0``."""
    import gymnasium as gym

    from vla.envs.browser.miniwob import miniwob_tasks

    for task in miniwob_tasks():
        wait = {"wait_ms": ANIMATED_WAIT_MS[task]} if task in ANIMATED_WAIT_MS else {}
        gym.register(
            id=f"vla/miniwob-{task}-v0",
            entry_point="vla.envs.browser.miniwob:MiniWoBEnv",
            kwargs={"task": task, **wait},
            disable_env_checker=True,
        )
    gym.register(
        id="vla/browser-v0",
        entry_point="vla.envs.browser.page:BrowserEnv",
        disable_env_checker=True,
    )
