"""Gymnasium environments. Importing ``vla.envs`` registers every id (lazily, by entry point):

* ``vla/miniwob-<task>-v0``: MiniWoB++ task pages in Chromium over Playwright;
* ``vla/browser-v0``: any URL;
* ``vla/desktop-v0``: the real screen through mss + pyautogui;
* ``vla/desktop-miniwob-<task>-v0``: a MiniWoB++ task among distractor windows on a whole
  1920x1080 virtual screen;
* ``vla/panda-<task>-v0``: a simulated Franka Panda in PyBullet.

Observation contract (every env): ``{"image": uint8[H, W, 3], "instruction": str}`` plus
``"state": float32[D]`` for robots. Actions are :mod:`vla.actions` dataclasses; the action
space is :class:`vla.envs.spaces.ActionSpace`. ``info["is_success"]`` is always present.
Registering ids is the only side effect of importing this package.

``vla.envs.make(spec, **kwargs)`` builds an env from a gymnasium id, ``"module:Class"`` or
``"module:factory"``; ``check_observation`` and ``ContractWrapper`` check and adapt the
observation contract (:mod:`vla.envs.contract`).
"""

from __future__ import annotations

from vla.envs.contract import ContractWrapper, check_observation
from vla.envs.make import make
from vla.envs.registration import register_all

__all__ = ["ContractWrapper", "check_observation", "make", "register_all"]

register_all()
