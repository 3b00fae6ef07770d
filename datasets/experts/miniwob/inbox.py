"""Expert for the MiniWoB++ e-mail client tasks (``email-inbox`` and its variants): find the
e-mail by a sender, then delete it, star it, reply to it with a text or forward it to a name.

The inbox (``#main``) is a 150 px high list that scrolls by itself and holds more e-mails
than it shows, so the expert scrolls it (a :class:`~vla.actions.Scroll` over the list) until
the sender's row is inside the list's box. Every step it reads which view is open (inbox,
search, an opened e-mail, the reply or forward form) and what it holds, and backs out of a
view that belongs to the wrong e-mail (the arrow buttons), so it finishes from wherever
another policy's clicks left the page.
"""

from __future__ import annotations

from typing import Any

from vla.actions import Action, Scroll, Wait
from vla.datasets.experts.miniwob.common import (
    ExpertBase,
    ExpertError,
    center,
    children,
    click,
    find,
    find_all,
    has_class,
    require,
)
from vla.datasets.experts.miniwob.forms import fill_action

__all__ = ["EXPERTS", "EmailInboxExpert", "task_fields"]

Element = dict[str, Any]


def task_fields(info: dict[str, Any]) -> dict[str, str]:
    """The task's fields (``info["fields"]``; the env unpacks the natural-language variants'
    ``{"utterance": ..., "fields": ...}`` into the instruction and these)."""
    return dict(info["fields"])


def _inside(el: Element, box: Element) -> bool:
    """Whether ``el``'s box lies within ``box``'s box and the 210 px high image."""
    x, y, w, h = el["bbox"]
    bx, by, bw, bh = box["bbox"]
    return bx <= x and by <= y and x + w <= bx + bw and y + h <= min(by + bh, 210.0)


def _sender_row(info: dict[str, Any], main: Element, name: str) -> Element:
    """The inbox row (``.email-thread`` > ``.email-left`` > ``.email-sender``) of ``name``."""
    by_ref = {e["ref"]: e for e in info["elements"]}
    for sender in find_all(info, lambda e: has_class(e, "email-sender"), text=name):
        left = by_ref.get(sender["parent"])
        row = by_ref.get(left["parent"]) if left else None
        if row is not None and has_class(row, "email-thread") and row["parent"] == main["ref"]:
            return row
    raise ExpertError(f"email-inbox: no e-mail by {name!r} in the inbox")


def _within(info: dict[str, Any], root: Element, pred: Any, visible: bool | None = True) -> Element:
    """The first descendant of ``root`` (visible ones unless ``visible`` is None) that
    satisfies ``pred``."""
    stack = list(reversed(children(info, root)))
    while stack:
        el = stack.pop()
        if (visible is None or el["visible"]) and pred(el):
            return el
        stack.extend(reversed(children(info, el)))
    raise ExpertError(f"email-inbox: nothing matching {pred!r} inside #{root['id']}")


def _click_icon(info: dict[str, Any], root: Element, name: str) -> Action:
    """Click the ``.name`` element inside ``root``; ``Wait()`` while it has no size yet (the
    icons are CSS ``content: url(...)`` images, 0x0 until the file has loaded)."""
    icon = _within(info, root, lambda e: has_class(e, name), visible=None)
    return click(icon) if icon["visible"] else Wait()


def _click_close(info: dict[str, Any], close_id: str) -> Action:
    """Click the ``#close_id`` button of a view; ``Wait()`` while it has no size yet (it is an
    icon image too: seen 0x0 once under load, right after the view opened)."""
    button = require(info, id=close_id, visible=None)
    return click(button) if button["visible"] else Wait()


class EmailInboxExpert(ExpertBase):
    """email-inbox*: the task (``delete``, ``star``, ``reply``, ``forward``), sender, reply
    text and forward recipient come from MiniWoB's fields (the forward-only variants have no
    ``task`` field)."""

    def reset(self) -> None:
        super().reset()
        self._row_box: list[float] | None = None

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        fields = task_fields(info)
        task, name = fields.get("task", "forward"), fields.get("by")
        if name is None:
            raise ExpertError(f"email-inbox: no sender in {fields!r}")
        if (view := find(info, id="forward", visible=True)) is not None:
            return self._forward(info, view, name, fields.get("to", ""))
        if (view := find(info, id="reply", visible=True)) is not None:
            return self._reply(info, view, name, fields.get("message", ""))
        if (view := find(info, id="email", visible=True)) is not None:
            return self._email(info, view, name, task)
        if find(info, id="search", visible=True) is not None:
            return click(require(info, id="search-cancel"))
        return self._inbox(info, name, task)

    def _inbox(self, info: dict[str, Any], name: str, task: str) -> Action:
        main = require(info, id="main")
        row = _sender_row(info, main, name)
        if not _inside(row, main):
            dy = row["bbox"][1] - main["bbox"][1] - 10.0
            x, y = center(main)
            return Scroll(x, y, 0.0, dy)
        moving = isinstance(self.prev, Scroll) and self._row_box != row["bbox"]
        self._row_box = list(row["bbox"])
        if moving:  # the list may still be scrolling smoothly: look again
            return Wait()
        if task in ("delete", "star"):
            return _click_icon(info, row, "trash" if task == "delete" else "star")
        return click(_within(info, row, lambda e: has_class(e, "email-sender")))

    def _email(self, info: dict[str, Any], view: Element, name: str, task: str) -> Action:
        sender = _within(info, view, lambda e: has_class(e, "email-sender"))
        if sender["text"] != name:
            return _click_close(info, "close-email")
        kind = {"delete": "trash", "star": "star", "reply": "email-reply"}.get(
            task, "email-forward"
        )
        return _click_icon(info, view, kind)

    def _reply(self, info: dict[str, Any], view: Element, name: str, text: str) -> Action:
        sender = _within(info, view, lambda e: has_class(e, "reply-sender"))
        if sender["text"] != name:
            return _click_close(info, "close-reply")
        action = fill_action(require(info, id="reply-text"), text, self.prev)
        return action if action is not None else click(require(info, id="send-reply"))

    def _forward(self, info: dict[str, Any], view: Element, name: str, to: str) -> Action:
        """Forward form: it must belong to ``name``'s e-mail (the hidden ``#email`` view it
        came from shows the sender) and keep that e-mail's body."""
        opened = require(info, id="email", visible=None)
        sender = _within(info, opened, lambda e: has_class(e, "email-sender"), visible=None)
        if sender["text"] != name:
            return _click_close(info, "close-forward")
        body = find(info, lambda e: has_class(e, "email-body") and e["parent"] == opened["ref"])
        targets = [(_within(info, view, lambda e: has_class(e, "forward-sender")), to)]
        if body is not None:
            targets.append((require(info, id="forward-text"), body["text"]))
        for field, text in targets:
            action = fill_action(field, text, self.prev)
            if action is not None:
                return action
        return click(require(info, id="send-forward"))


EXPERTS: dict[str, type] = {
    "email-inbox": EmailInboxExpert,
    "email-inbox-forward-nl": EmailInboxExpert,
    "email-inbox-nl-turk": EmailInboxExpert,
    "email-inbox-delete": EmailInboxExpert,
    "email-inbox-forward": EmailInboxExpert,
    "email-inbox-forward-nl-turk": EmailInboxExpert,
    "email-inbox-important": EmailInboxExpert,
    "email-inbox-noscroll": EmailInboxExpert,
    "email-inbox-reply": EmailInboxExpert,
    "email-inbox-star-reply": EmailInboxExpert,
}
