"""``vla/desktop-v0``: the real screen (or a region of it) as a gymnasium env.

Observations are ``mss`` screenshots resized to the policy's input; actions are executed by
:class:`vla.controllers.desktop.DesktopController` with its safety checks on. Registered lazily
by :func:`register` (called from :mod:`vla.envs.registration`); nothing heavy is imported here.
"""

from __future__ import annotations

__all__ = ["register"]


def register() -> None:
    """Register ``vla/desktop-v0`` with a string entry point."""
    import gymnasium as gym

    if "vla/desktop-v0" not in gym.registry:
        gym.register(
            id="vla/desktop-v0",
            entry_point="vla.envs.desktop.env:DesktopEnv",
        )
