"""Experts for the text-field tasks: focus-text, focus-text-2, enter-text, enter-text-2,
enter-text-dynamic, enter-password, login-user, login-user-popup.

The typing experts are closed-loop: each step they look at the fields' current values and
focus, click the first field that is not yet right, select its content (``Control+a``) if it
holds something wrong, type the target, and press the submit button once every field is right.
"""

from __future__ import annotations

import re
from typing import Any

from vla.actions import Action, Key, Type
from vla.datasets.experts.miniwob.common import (
    ExpertBase,
    ExpertError,
    click,
    find,
    parse_quoted,
    require,
)

__all__ = [
    "EXPERTS",
    "EnterPassword",
    "EnterText",
    "EnterText2",
    "FocusText",
    "FocusText2",
    "LoginUser",
    "LoginUserPopup",
    "fill_action",
    "fill_then_submit",
]

_ORDINALS = {"1st": 1, "2nd": 2, "3rd": 3}


def fill_action(field: dict[str, Any], text: str, prev: Action | None = None) -> Action | None:
    """Next action towards ``field`` holding exactly ``text`` (None when it already does):
    click it; if it holds something else, select that (``Control+a``); then type ``text``
    over the selection, or press Backspace when ``text`` is empty. ``prev``, the expert's
    previous action, tells that the content was just selected."""
    if field["value"] == text:
        return None
    if not field["focused"]:
        return click(field)
    if field["value"] and prev != Key("Control+a"):
        return Key("Control+a")
    return Type(text) if text else Key("Backspace")


def fill_then_submit(
    info: dict[str, Any],
    targets: list[tuple[str, str]],
    submit_id: str = "subbtn",
    prev: Action | None = None,
) -> Action:
    """Next action that makes each ``(field id, text)`` hold its text, then clicks submit
    (``prev``: the expert's previous action, see :func:`fill_action`)."""
    for field_id, text in targets:
        action = fill_action(require(info, id=field_id), text, prev)
        if action is not None:
            return action
    return click(require(info, id=submit_id))


def _quoted(info: dict[str, Any], task: str, n: int) -> list[str]:
    found = parse_quoted(info["utterance"])
    if len(found) < n:
        raise ExpertError(f"{task}: expected {n} quoted strings in {info['utterance']!r}")
    return found[:n]


class FocusText(ExpertBase):
    """focus-text: click into the text box."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        return click(require(info, id="tt"))


class FocusText2(ExpertBase):
    """focus-text-2: click into the 1st/2nd/3rd text box named by the utterance."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        m = re.search(r"\b(1st|2nd|3rd)\b", info["utterance"])
        if m is None:
            raise ExpertError(f"focus-text-2: no ordinal in {info['utterance']!r}")
        return click(require(info, id=f"tt{_ORDINALS[m.group(1)]}"))


class EnterText(ExpertBase):
    """enter-text: type the quoted text into the field and press Submit."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        (text,) = _quoted(info, "enter-text", 1)
        return fill_then_submit(info, [("tt", text)], prev=self.prev)


class EnterText2(ExpertBase):
    """enter-text-2: type the quoted text in all upper or all lower case, then Submit."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        (text,) = _quoted(info, "enter-text-2", 1)
        utt = info["utterance"]
        if "upper case" in utt:
            text = text.upper()
        elif "lower case" in utt:
            text = text.lower()
        else:
            raise ExpertError(f"enter-text-2: no letter case in {utt!r}")
        return fill_then_submit(info, [("tt", text)], prev=self.prev)


class EnterPassword(ExpertBase):
    """enter-password: type the quoted password into both fields, then submit."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        (password,) = _quoted(info, "enter-password", 1)
        return fill_then_submit(
            info, [("password", password), ("verify", password)], prev=self.prev
        )


class LoginUser(ExpertBase):
    """login-user: type the quoted username and password, then press Login."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        user, password = _quoted(info, "login-user", 2)
        return fill_then_submit(info, [("username", user), ("password", password)], prev=self.prev)


class LoginUserPopup(ExpertBase):
    """login-user-popup: like login-user, but focusing a field may open a "session expiring"
    pop-up that disables the form; its Cancel button closes it (OK would end the episode)."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        cancel = find(info, id="popup-cancel", visible=True)
        if cancel is not None:
            return click(cancel)
        user, password = _quoted(info, "login-user-popup", 2)
        return fill_then_submit(info, [("username", user), ("password", password)], prev=self.prev)


EXPERTS: dict[str, type] = {
    "focus-text": FocusText,
    "focus-text-2": FocusText2,
    "enter-text": EnterText,
    "enter-text-2": EnterText2,
    "enter-text-dynamic": EnterText,  # the same page; the text is random characters
    "enter-password": EnterPassword,
    "login-user": LoginUser,
    "login-user-popup": LoginUserPopup,
}
