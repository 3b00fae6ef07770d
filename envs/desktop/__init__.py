"""Desktop envs: the real screen, and a MiniWoB++ task suite on a whole virtual desktop.

* ``vla/desktop-v0``: the real screen (or a region of it) as a gymnasium env. Observations are
  ``mss`` screenshots resized to the policy's input; actions are executed by
  :class:`vla.controllers.desktop.DesktopController` with its safety checks on.
* ``vla/desktop-miniwob-<task>-v0``: a MiniWoB++ task in a headful Chromium window among
  distractor windows on a private 1920x1080 Xvfb, seen as a whole screen
  (:class:`vla.envs.desktop.suite.DesktopSuiteEnv`).
* ``vla/desktop-locate-miniwob-<task>-v0``: the same screens, where the agent names the task's
  area in views that zoom in on each answer (:class:`vla.envs.desktop.locate.DesktopLocateEnv`):
  the first pass of the coarse-to-fine desktop policy (:class:`vla.rollout.focus.FocusPolicy`).
* ``vla/desktop-page-miniwob-<task>-v0``: the same tasks seen through the page crop that
  policy's actor is shown (:class:`vla.envs.desktop.page.DesktopPageEnv`): to train and
  evaluate an actor on what a real screen puts in its crop.

Registered lazily by :func:`register` (called from :mod:`vla.envs.registration`); nothing
heavy is imported here.
"""

from __future__ import annotations

__all__ = ["register"]


def register() -> None:
    """Register ``vla/desktop-v0``, ``vla/desktop-miniwob-<task>-v0``,
    ``vla/desktop-locate-miniwob-<task>-v0`` and ``vla/desktop-page-miniwob-<task>-v0`` (one per
    task page of the installed ``miniwob`` package) with string entry points."""
    import gymnasium as gym

    from vla.envs.browser.miniwob import miniwob_tasks

    if "vla/desktop-v0" not in gym.registry:
        gym.register(
            id="vla/desktop-v0",
            entry_point="vla.envs.desktop.env:DesktopEnv",
        )
    for task in miniwob_tasks():
        gym.register(
            id=f"vla/desktop-miniwob-{task}-v0",
            entry_point="vla.envs.desktop.suite:DesktopSuiteEnv",
            kwargs={"task": task},
            disable_env_checker=True,
        )
        gym.register(
            id=f"vla/desktop-locate-miniwob-{task}-v0",
            entry_point="vla.envs.desktop.locate:DesktopLocateEnv",
            kwargs={"task": task},
            disable_env_checker=True,
        )
        gym.register(
            id=f"vla/desktop-page-miniwob-{task}-v0",
            entry_point="vla.envs.desktop.page:DesktopPageEnv",
            kwargs={"task": task},
            disable_env_checker=True,
        )
