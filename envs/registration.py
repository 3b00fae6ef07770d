"""Registration of every gymnasium id the project provides. Each domain contributes a
``register()`` function in its own package; this module only calls them."""

from __future__ import annotations

import importlib

# Each module exposes `register() -> None`, which calls gymnasium.register with string entry
# points ("module:Class") so that nothing heavy is imported at registration time.
_DOMAINS = ("vla.envs.browser", "vla.envs.robot", "vla.envs.desktop")


def register_all() -> None:
    for name in _DOMAINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:  # the domain is not built yet
                continue
            raise
        module.register()
