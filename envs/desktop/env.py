"""The desktop env: screenshots in, typed UI actions out, with the controller's safety on."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from vla.actions import UI_VERBS, Action, Done, UISpace
from vla.controllers.desktop import DesktopController, StoppedByUser
from vla.controllers.desktop_safety import SafetyConfig
from vla.controllers.screen_mapping import Region, ScreenMapping
from vla.envs.spaces import ActionSpace, observation_space

__all__ = ["DesktopEnv"]


class DesktopEnv(gym.Env):
    """The real screen, or a region of it, as a gymnasium env (``vla/desktop-v0``).

    Observation: ``{"image": uint8[H, W, 3], "instruction": str}``: the captured region resized
    to ``image_size = (W, H)``; the instruction is given at construction or as
    ``reset(options={"instruction": ...})``. Actions are :mod:`vla.actions` UI actions in pixels
    of that image; the controller maps them to the screen (region offset, resize, HiDPI).

    ``step`` returns ``(obs, reward, terminated, truncated, info)``:

    * ``terminated``: the action was ``Done``, or the ``probe`` reported ``terminated``;
    * ``truncated``: ``max_steps`` reached, or the user stopped the episode with pyautogui's
      fail-safe (mouse in a screen corner); ``info["stopped_by"]`` says which;
    * ``reward`` and ``info["is_success"]``: from the ``probe`` when there is one, else 0 and
      False (a bare desktop has no notion of success);
    * ``info["action_result"]``: the controller's report (``executed``, ``refused``,
      ``screen`` points, ``dry_run``, ``error``); ``info["error"]`` holds a refusal or failure.

    ``probe() -> dict`` (optional) returns privileged facts about the app on screen, e.g. a
    headful browser page's elements and reward. It is merged into ``info``, which experts and
    metrics read and policies never see; its keys ``reward``, ``is_success`` and
    ``terminated`` drive the tuple above. A probe with ``reset(seed=...) -> str | None`` starts
    the app's next episode on ``reset`` and may return its instruction; one with ``settle()``
    is asked, after an executed action and ``settle_s``, to wait until the app has drawn the
    action's effect (see :mod:`vla.envs.desktop.browser_window`).

    A desktop is not reproducible: ``seed`` seeds ``np_random`` only. Ctrl+C
    (``KeyboardInterrupt``) is never caught here.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 5}

    def __init__(
        self,
        region: Region | None = None,
        monitor: int = 1,
        image_size: tuple[int, int] | None = None,
        scale: float | None = None,
        instruction: str = "",
        max_steps: int = 30,
        settle_s: float = 0.1,
        allowed_region: Region | None = None,
        max_actions_per_s: float = 5.0,
        dry_run: bool = False,
        dry_run_dir: str | Path = "runs/desktop-dry-run",
        yes: bool = False,
        confirm: Callable[[str], bool] | None = None,
        probe: Callable[[], dict[str, Any]] | None = None,
        verbs: tuple[str, ...] = UI_VERBS,
        render_mode: str | None = None,
    ) -> None:
        if not isinstance(max_steps, int) or max_steps < 1:
            raise ValueError(f"max_steps must be an int >= 1; got {max_steps!r}")
        if settle_s < 0:
            raise ValueError(f"settle_s must be >= 0; got {settle_s!r}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array'; got {render_mode!r}")
        safety = SafetyConfig(
            allowed_region=allowed_region,
            max_actions_per_s=max_actions_per_s,
            dry_run=dry_run,
            dry_run_dir=dry_run_dir,
            yes=yes,
            confirm=confirm,
        )
        self.controller = DesktopController(
            region=region, monitor=monitor, image_size=image_size, scale=scale, safety=safety
        )
        self.instruction = instruction
        self.max_steps = max_steps
        self.settle_s = settle_s
        self.probe = probe
        self.render_mode = render_mode
        width, height = self.controller.mapping.image_size
        self.observation_space = observation_space(height, width)
        self.action_space = ActionSpace(UISpace(tuple(verbs)), image_size=(width, height))
        self._steps = 0
        self._stopped: str | None = None
        self._image: np.ndarray | None = None

    @property
    def mapping(self) -> ScreenMapping:
        """The image -> screen mapping of the observations (for experts and tools)."""
        return self.controller.mapping

    def _observe(self) -> dict[str, Any]:
        self._image = self.controller.capture()
        return {"image": self._image, "instruction": self.instruction}

    def _info(self, extra: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {"is_success": False, "step": self._steps, **extra}
        if self.probe is not None:
            info.update(self.probe())
        info["is_success"] = bool(info["is_success"])
        return info

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start an episode on whatever the screen shows; ``options["instruction"]`` sets it."""
        super().reset(seed=seed)
        if options and "instruction" in options:
            self.instruction = str(options["instruction"])
        self._steps, self._stopped = 0, None
        app_reset = getattr(self.probe, "reset", None)
        if app_reset is not None:  # the app on screen starts its next episode
            instruction = app_reset(seed=seed)
            if instruction is not None and not (options and "instruction" in options):
                self.instruction = str(instruction)
            time.sleep(self.settle_s)  # let the window show the new episode
        obs = self._observe()
        return obs, self._info({"stopped_by": None})

    def step(self, action: Action) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Execute ``action`` (safety-checked), wait ``settle_s``, capture the next obs."""
        self._steps += 1
        result: dict[str, Any] = {"executed": False, "refused": None, "screen": [], "error": None}
        if self._stopped is not None:
            result["error"] = f"the episode is over ({self._stopped}); call reset()"
        else:
            try:
                result = self.controller.execute(action)
            except StoppedByUser:
                self._stopped = "fail-safe"
        if result["executed"]:
            if self.settle_s:
                time.sleep(self.settle_s)  # let the app draw the effect before the screenshot
            app_settle = getattr(self.probe, "settle", None)
            if app_settle is not None:  # the app can tell when it has drawn it
                app_settle()
        if self._stopped is None and self._steps >= self.max_steps:
            self._stopped = "step limit"
        obs = self._observe()
        error = result["refused"] or result["error"]
        info = self._info({"action_result": result, "error": error, "stopped_by": self._stopped})
        terminated = isinstance(action, Done) or bool(info.pop("terminated", False))
        reward = float(info.get("reward", 0.0))
        return obs, reward, terminated, self._stopped is not None, info

    def render(self) -> np.ndarray | None:
        """The last observation image (``rgb_array``)."""
        return self._image if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        self.controller.close()
        super().close()
