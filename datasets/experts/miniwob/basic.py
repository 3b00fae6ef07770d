"""Experts for the clicking tasks: click-test, click-test-2, click-button, click-link,
click-dialog, click-dialog-2."""

from __future__ import annotations

from typing import Any

from vla.actions import Action, Click
from vla.datasets.experts.miniwob.common import (
    ExpertBase,
    ExpertError,
    click,
    find_all,
    has_class,
    parse_quoted,
    require,
    uncovered_point,
)

__all__ = [
    "EXPERTS",
    "ClickButton",
    "ClickDialog",
    "ClickDialog2",
    "ClickLink",
    "ClickTest",
    "ClickTest2",
]


def _quoted(info: dict[str, Any], task: str) -> str:
    found = parse_quoted(info["utterance"])
    if not found:
        raise ExpertError(f"{task}: no quoted target in {info['utterance']!r}")
    return found[0]


class ClickTest(ExpertBase):
    """click-test: click the one button."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        return click(require(info, id="subbtn"))


class ClickTest2(ExpertBase):
    """click-test-2: click the button labelled ONE where button TWO (drawn on top of it when
    they overlap) does not cover it."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        one = require(info, tag="button", text="ONE")
        two = require(info, tag="button", text="TWO")
        return Click(*uncovered_point(one, [two]))


class ClickButton(ExpertBase):
    """click-button: click the button whose label is quoted in the utterance."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        return click(require(info, tag="button", text=_quoted(info, "click-button")))


class ClickLink(ExpertBase):
    """click-link: click the link (``span.alink``) whose text is quoted in the utterance.

    A link may wrap onto two lines; the click goes to the middle of its first line box.
    """

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        word = _quoted(info, "click-link")
        link = require(info, lambda e: has_class(e, "alink") and e["text"] == word)
        rects = link.get("rects") or [link["bbox"]]
        left, top, w, h = rects[0]
        return Click(left + w / 2.0, top + h / 2.0)


def _close_button(info: dict[str, Any]) -> dict[str, Any]:
    return require(
        info, lambda e: e["tag"] == "button" and has_class(e, "ui-dialog-titlebar-close")
    )


class ClickDialog(ExpertBase):
    """click-dialog: close the dialog with its "x" button."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        return click(_close_button(info))


class ClickDialog2(ExpertBase):
    """click-dialog-2: click the dialog button named in the utterance ("x" is the close box)."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        label = _quoted(info, "click-dialog-2")
        if label == "x":
            return click(_close_button(info))
        buttons = find_all(
            info, lambda e: e["tag"] == "button" and e["text"] == label, visible=True
        )
        if not buttons:
            raise ExpertError(f"click-dialog-2: no visible button labelled {label!r}")
        return click(buttons[0])


EXPERTS: dict[str, type] = {
    "click-test": ClickTest,
    "click-test-2": ClickTest2,
    "click-button": ClickButton,
    "click-link": ClickLink,
    "click-dialog": ClickDialog,
    "click-dialog-2": ClickDialog2,
}
