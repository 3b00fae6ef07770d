"""Experts for MiniWoB++ tasks built from form widgets: buttons, check boxes, radio buttons,
``<select>`` lists (drop-down and multi-select) and a jQuery UI autocomplete.

Every expert reads only ``obs`` and ``info`` (the DOM snapshot described in
:class:`vla.envs.browser.miniwob.MiniWoBEnv`) and returns pixel actions at element centres,
in screenshot pixels. Where the DOM does not show what was already done (the button sequence,
a select's open pop-up, the keyboard focus inside a list) the expert keeps a short plan that
``reset()`` clears.
"""

from __future__ import annotations

import re
from typing import Any

from vla.actions import Action, Click, Key, Scroll, Type, Wait
from vla.datasets.experts.miniwob.common import (
    ExpertBase,
    ExpertError,
    children,
    click,
    find,
    find_all,
    has_class,
    parse_quoted,
    require,
    utterance,
)

__all__ = [
    "EXPERTS",
    "ChooseListExpert",
    "ClickButtonSequenceExpert",
    "ClickCheckboxesExpert",
    "ClickOptionExpert",
    "ClickScrollListExpert",
    "ClickWidgetExpert",
    "UseAutocompleteExpert",
    "uncovered_point",
]

Element = dict[str, Any]


def _parse(info: dict[str, Any], pattern: str, task: str) -> re.Match[str]:
    m = re.match(pattern, utterance(info))
    if m is None:
        raise ExpertError(f"{task}: cannot parse the utterance {utterance(info)!r}")
    return m


def _submit(info: dict[str, Any]) -> Element:
    """The task's Submit button (``#subbtn`` or the button whose text is Submit)."""
    return find(info, id="subbtn", visible=True) or require(info, tag="button", text="Submit")


def uncovered_point(bbox: list[float], covers: list[list[float]]) -> tuple[float, float]:
    """The point of ``bbox`` (``[left, top, width, height]``, px) that is farthest from both
    its own edges and every box in ``covers`` (boxes drawn on top of it), on a 1 px grid."""
    x, y, w, h = bbox
    best, best_score = (x + w / 2, y + h / 2), float("-inf")
    for i in range(int(w)):
        for j in range(int(h)):
            px, py = x + i + 0.5, y + j + 0.5
            score = min(px - x, x + w - px, py - y, y + h - py)
            for cx, cy, cw, ch in covers:  # distance outside the cover; <= 0 inside it
                score = min(score, max(cx - px, px - cx - cw, cy - py, py - cy - ch))
            if score > best_score:
                best, best_score = (px, py), score
    if best_score <= 0:
        raise ExpertError(f"box {bbox} is completely covered by {covers}")
    return best


class ClickButtonSequenceExpert(ExpertBase):
    """click-button-sequence: click ONE, then TWO. The page shows no trace of the first
    click, so the expert counts its own steps. The buttons may overlap; TWO comes later in
    the DOM and is drawn on top, so ONE is clicked where TWO does not cover it."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        one, two = require(info, id="subbtn"), require(info, id="subbtn2")
        if self.t == 0:
            return Click(*uncovered_point(one["bbox"], [two["bbox"]]))
        return click(two)


def _labelled_inputs(info: dict[str, Any], input_type: str) -> list[tuple[str, Element]]:
    """``(label text, input)`` for every ``<label><input type=...>text</label>``."""
    by_ref = {e["ref"]: e for e in info["elements"]}
    out = []
    for box in find_all(info, tag="input", type=input_type):
        label = by_ref.get(box["parent"])
        out.append((label["text"] if label and label["tag"] == "label" else "", box))
    return out


class ClickCheckboxesExpert(ExpertBase):
    """click-checkboxes: "Select a, b and click Submit." (or "Select nothing ...").
    Toggle every box whose state is wrong, then Submit; stateless."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        words = _parse(info, r"Select (.*) and click Submit\.?$", "click-checkboxes").group(1)
        wanted = set() if words == "nothing" else {w.strip() for w in words.split(",")}
        for text, box in _labelled_inputs(info, "checkbox"):
            if bool(box["checked"]) != (text in wanted):
                return click(box)
        return click(_submit(info))


class ClickOptionExpert(ExpertBase):
    """click-option: check the radio button named in "Select X and click Submit.", then
    Submit; stateless."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        word = _parse(info, r"Select (.*) and click Submit\.?$", "click-option").group(1)
        for text, box in _labelled_inputs(info, "radio"):
            if text == word.strip() and not box["checked"]:
                return click(box)
        return click(_submit(info))


class ClickWidgetExpert(ExpertBase):
    """click-widget: 'Click on a "textarea" widget.' Each ``.widget`` div holds one input,
    textarea or button whose ``data-type`` names its kind; click that control."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        kind = parse_quoted(utterance(info))[0]
        return click(
            require(
                info,
                lambda e: (
                    e["tag"] in ("input", "textarea", "button")
                    and e["attrs"].get("data-type") == kind
                ),
            )
        )


def _options(info: dict[str, Any], select: Element) -> list[Element]:
    return [c for c in children(info, select) if c["tag"] == "option"]


class ChooseListExpert(ExpertBase):
    """choose-list: pick an item of a drop-down ``<select>`` and Submit.

    Click the select (it takes focus and opens its pop-up), type the item's name (type-ahead
    highlights the first item with that prefix), Enter to commit. If a longer name sharing
    the prefix came first, ArrowUp/ArrowDown on the focused, closed select move the value
    one item at a time until it is right; then Submit.
    """

    def reset(self) -> None:
        super().reset()
        self.phase = "open"

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        pattern = r"Select (.*) from the list and click Submit\.?$"
        target = _parse(info, pattern, "choose-list").group(1)
        select = require(info, tag="select")
        if self.phase == "open" or not select["focused"]:
            self.phase = "type"
            return click(select)
        if self.phase == "type":
            self.phase = "commit"
            return Type(target)
        if self.phase == "commit":
            self.phase = "check"
            return Key("Enter")
        names = [o["text"] for o in _options(info, select)]
        current = select.get("value")
        if current == target or target not in names:
            return click(_submit(info))
        here = names.index(current) if current in names else 0
        return Key("ArrowDown" if names.index(target) > here else "ArrowUp")


class ClickScrollListExpert(ExpertBase):
    """click-scroll-list: select one or two items of a scrolling multi-select, then Submit.

    Scroll the list until the first item shows, click it (a plain click selects it alone),
    then for a second item move the focus with Control+ArrowUp/Down (which leaves the
    selection alone) and add it with Control+Space: no modifier-click is needed.
    """

    def reset(self) -> None:
        super().reset()
        self.focus: int | None = None  # option index that has keyboard focus in the list
        self.toggled = False  # whether Control+Space added the second item

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        pattern = r"Select (.*) from the scroll list and click Submit\.?$"
        text = _parse(info, pattern, "click-scroll-list").group(1)
        select = require(info, tag="select")
        options = _options(info, select)
        names = [o["text"] for o in options]
        targets = _split_names(text, names)
        first = names.index(targets[0])
        if self.focus is None:
            action = _scroll_into(select, options[first])
            if action is not None:
                return action
            self.focus = first
            return click(options[first])
        if len(targets) == 2:
            second = names.index(targets[1])
            if self.focus != second:
                step = 1 if second > self.focus else -1
                self.focus += step
                return Key("Control+ArrowDown" if step > 0 else "Control+ArrowUp")
            if not self.toggled:
                self.toggled = True
                return Key("Control+Space")
        return click(_submit(info))


def _split_names(text: str, names: list[str]) -> list[str]:
    """Split "A" or "A, B" into item names, trusting the list (names may contain commas)."""
    if text in names:
        return [text]
    for a in names:
        if text.startswith(a + ", ") and text[len(a) + 2 :] in names:
            return [a, text[len(a) + 2 :]]
    raise ExpertError(f"click-scroll-list: {text!r} does not name items of the list {names}")


def _scroll_into(select: Element, option: Element) -> Action | None:
    """A Scroll over ``select`` that brings ``option`` inside its box, or None if it shows."""
    sx, sy, sw, sh = select["bbox"]
    oy, oh = option["bbox"][1], option["bbox"][3]
    if oy >= sy and oy + oh <= sy + sh and option["visible"]:
        return None
    dy = (oy + oh / 2) - (sy + sh / 2)
    return Scroll(sx + sw / 2, sy + sh / 2, 0.0, float(round(dy)))


class UseAutocompleteExpert(ExpertBase):
    """use-autocomplete: enter a country that starts with "f" (and ends with "e").

    Click the input and type the prefix; ArrowDown makes jQuery UI search at once (instead of
    after its 300 ms delay). Click a suggestion that also has the right ending, typing more
    of its name first if it lies below the image; then Submit.
    """

    def reset(self) -> None:
        super().reset()
        self.phase = "focus"
        self.waits = 0

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        quoted = parse_quoted(utterance(info))
        start, end = quoted[0], (quoted[1] if len(quoted) > 1 else "")
        box = require(info, id="tags")
        value = box.get("value") or ""
        if self.phase == "focus":
            self.phase = "type"
            return click(box)
        if self.phase == "type":
            self.phase = "search"
            return Type(start)
        items = find_all(info, lambda e: has_class(e, "ui-menu-item-wrapper"))
        if value.startswith(start) and value.endswith(end) and not _any_shown(items):
            return click(_submit(info))
        if self.phase == "search" and not _any_shown(items):
            self.phase = "pick"
            return Key("ArrowDown")
        matches = [i for i in items if i["text"].startswith(start) and i["text"].endswith(end)]
        for item in matches:
            if item["visible"]:
                return click(item)
        if matches and matches[0]["text"].startswith(value) and matches[0]["text"] != value:
            return Type(matches[0]["text"][len(value) :])  # narrow the menu until it shows
        self.waits += 1
        return Wait() if self.waits < 20 else Key("Escape")


def _any_shown(elements: list[Element]) -> bool:
    return any(e["visible"] for e in elements)


EXPERTS: dict[str, type] = {
    "click-button-sequence": ClickButtonSequenceExpert,
    "click-checkboxes": ClickCheckboxesExpert,
    "click-option": ClickOptionExpert,
    "click-widget": ClickWidgetExpert,
    "choose-list": ChooseListExpert,
    "click-scroll-list": ClickScrollListExpert,
    "use-autocomplete": UseAutocompleteExpert,
    "use-autocomplete-nodelay": UseAutocompleteExpert,  # the same page, no search delay
    "click-checkboxes-large": ClickCheckboxesExpert,  # up to 12 boxes
}
