"""Experts for the clicking tasks: click-test, click-test-2, click-button, click-link,
click-dialog, click-dialog-2."""

from __future__ import annotations

from typing import Any

from vla.actions import Action
from vla.datasets.experts.miniwob.common import ExpertBase, click, require

__all__ = ["EXPERTS"]


class ClickTest(ExpertBase):
    """click-test: click the one button."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        return click(require(info, id="subbtn"))


EXPERTS: dict[str, type] = {"click-test": ClickTest}
