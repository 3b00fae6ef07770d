"""Browser envs over Playwright: ``vla/miniwob-<task>-v0`` (MiniWoB++) and ``vla/browser-v0``
(any URL). Importing this package loads neither Playwright nor Chromium; :func:`register`
registers the ids with string entry points (called by ``vla.envs`` on import)."""

from __future__ import annotations

__all__ = ["register"]


def register() -> None:
    """Register ``vla/miniwob-<task>-v0`` for every task page of the installed ``miniwob``
    package, and ``vla/browser-v0``."""
    import gymnasium as gym

    from vla.envs.browser.miniwob import miniwob_tasks

    for task in miniwob_tasks():
        gym.register(
            id=f"vla/miniwob-{task}-v0",
            entry_point="vla.envs.browser.miniwob:MiniWoBEnv",
            kwargs={"task": task},
            disable_env_checker=True,
        )
    gym.register(
        id="vla/browser-v0",
        entry_point="vla.envs.browser.page:BrowserEnv",
        disable_env_checker=True,
    )
