"""Experts for MiniWoB++ forms that take several different widgets in a row: form-sequence
(slider, check box), form-sequence-2 (radio, text box), form-sequence-3 (drop-down, button),
use-spinner, enter-date, enter-time, multi-layouts and multi-orderings.

Every expert is closed-loop: each step it reads the widgets' current state from ``info``
(the slider's value label, check box and radio states, text values, the drop-down's label)
and works on the first one that is not yet right, so it also finishes from a state that
someone else's wrong clicks or typing left behind. It submits once everything is right.
"""

from __future__ import annotations

import re
from typing import Any

from vla.actions import Action, Click, Key, Type
from vla.datasets.experts.miniwob.common import (
    ExpertBase,
    ExpertError,
    children,
    click,
    find,
    find_all,
    has_class,
    require,
)
from vla.datasets.experts.miniwob.forms import fill_action

__all__ = [
    "EXPERTS",
    "EnterDateExpert",
    "EnterTimeExpert",
    "FormSequence2Expert",
    "FormSequence3Expert",
    "FormSequenceExpert",
    "MultiLayoutsExpert",
    "UseSpinnerExpert",
]

Element = dict[str, Any]
_ORDINALS = {"1st": 1, "2nd": 2, "3rd": 3}


def _field(info: dict[str, Any], key: str, task: str) -> str:
    """``info["fields"][key]`` (MiniWoB's parse of the utterance), or ExpertError."""
    value = info["fields"].get(key)
    if value is None:
        raise ExpertError(f"{task}: no field {key!r} in {info['fields']!r}")
    return value


def _ordinal(text: str, task: str) -> int:
    """ "2nd" or "2" -> 2."""
    try:
        return _ORDINALS.get(text) or int(text)
    except ValueError:
        raise ExpertError(f"{task}: not an ordinal: {text!r}") from None


def slider_keys(value: int, target: int, lo: int) -> Key | None:
    """Key that moves a focused jQuery UI slider from ``value`` towards ``target`` (None when
    there): Home when the minimum ``lo`` is nearer than the current value, else an arrow."""
    if value == target:
        return None
    if target - lo < abs(target - value):
        return Key("Home")
    return Key("ArrowRight") if target > value else Key("ArrowLeft")


class FormSequenceExpert(ExpertBase):
    """form-sequence: "Select 3 with the slider, click the 2nd checkbox, then hit Submit."
    Focus the slider's handle and move it with the keys (the value shows in ``#val``), make
    the named box the only checked one, then Submit."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        target = int(_field(info, "slider target", "form-sequence"))
        box = _ordinal(_field(info, "checkbox target", "form-sequence"), "form-sequence")
        handle = require(info, lambda e: has_class(e, "ui-slider-handle"))
        key = slider_keys(int(require(info, id="val")["text"]), target, lo=-10)
        if key is not None:
            return key if handle["focused"] else click(handle)
        for i in (1, 2, 3):
            checkbox = require(info, id=f"checkbox-{i}")
            if bool(checkbox["checked"]) != (i == box):
                return click(checkbox)
        return click(require(info, id="subbtn"))


class FormSequence2Expert(ExpertBase):
    """form-sequence-2: check the Nth radio button, type the number into the Mth text box
    (the other two stay empty), then Submit."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        task = "form-sequence-2"
        radio = _ordinal(_field(info, "radio target", task), task)
        box = _ordinal(_field(info, "textbox target", task), task)
        text = _field(info, "textbox text", task)
        want = require(info, tag="input", type="radio", value=str(radio))
        if not want["checked"]:
            return click(want)
        for i in (1, 2, 3):
            action = fill_action(
                require(info, id=f"input-{i}"), text if i == box else "", self.prev
            )
            if action is not None:
                return action
        return click(require(info, id="subbtn"))


class FormSequence3Expert(ExpertBase):
    """form-sequence-3: choose a height in the Selectric drop-down, then click the named
    button. The drop-down is opened with a click and driven with the arrow keys and Enter
    (its list is taller than the page); the label shows the current choice."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        task = "form-sequence-3"
        choice = _field(info, "dropdown target", task)
        wrapper = require(info, lambda e: has_class(e, "selectric-wrapper"))
        label = require(info, lambda e: has_class(e, "label") and e["tag"] == "span")
        items = find_all(info, tag="li")  # the options, the blank first one included
        if has_class(wrapper, "selectric-open"):
            texts = [e["text"] for e in items]
            if choice not in texts:
                raise ExpertError(f"{task}: no option {choice!r} in {texts}")
            now = next((i for i, e in enumerate(items) if has_class(e, "highlighted")), 0)
            want = texts.index(choice)
            if now == want:
                return Key("Enter")
            return Key("ArrowDown") if want > now else Key("ArrowUp")
        if label["text"] != choice:
            return click(require(info, lambda e: has_class(e, "selectric")))
        name = _field(info, "button target", task)
        return click(require(info, tag="button", text=name))


class UseSpinnerExpert(ExpertBase):
    """use-spinner: "Select -3 with the spinner and hit Submit." The page ignores typing, so
    the expert clicks the up or down arrow until the box shows the number, then Submit."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        target = int(_field(info, "target", "use-spinner"))
        value = require(info, id="spinner")["value"]
        try:
            now = int(value)
        except ValueError:
            raise ExpertError(f"use-spinner: the spinner shows {value!r}") from None
        if now == target:
            return click(require(info, id="subbtn"))
        arrow = "ui-spinner-up" if target > now else "ui-spinner-down"
        return click(require(info, lambda e: has_class(e, arrow)))


def _left_edge(field: Element) -> Click:
    """A click in the first (month / hour) segment of a date or time input."""
    left, top, _, h = field["bbox"]
    return Click(left + 6.0, top + h / 2.0)


class _SegmentedInputExpert(ExpertBase):
    """Base for enter-date / enter-time: click the first segment of ``#tt``, type the digits
    (Chromium moves on to the next segment by itself), then Submit. A wrong value is
    overwritten the same way."""

    task = ""

    def value_and_keys(self, info: dict[str, Any]) -> tuple[str, str]:
        """``(value the input must hold, text to type into it)``."""
        raise NotImplementedError

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        want, keys = self.value_and_keys(info)
        field = require(info, id="tt")
        if field["value"] == want:
            return click(require(info, id="subbtn"))
        if field["focused"] and isinstance(self.prev, Click):
            return Type(keys)
        return _left_edge(field)


class EnterDateExpert(_SegmentedInputExpert):
    """enter-date: "Enter 08/27/2013 as the date and hit submit." """

    def value_and_keys(self, info: dict[str, Any]) -> tuple[str, str]:
        m = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4})", _field(info, "target", "enter-date"))
        if m is None:
            raise ExpertError(f"enter-date: cannot parse {info['fields']!r}")
        month, day, year = m.groups()
        return f"{year}-{month}-{day}", f"{month}{day}{year}"


class EnterTimeExpert(_SegmentedInputExpert):
    """enter-time: "Enter 8:52 AM as the time and press submit." """

    def value_and_keys(self, info: dict[str, Any]) -> tuple[str, str]:
        target = _field(info, "target", "enter-time").replace(" ", "")
        m = re.fullmatch(r"(\d{1,2}):(\d\d)(AM|PM)", target)
        if m is None:
            raise ExpertError(f"enter-time: cannot parse {target!r}")
        hour, minute, half = int(m.group(1)), m.group(2), m.group(3)
        hour24 = hour % 12 + (12 if half == "PM" else 0)
        return f"{hour24:02d}:{minute}", f"{hour:02d}{minute}{half}"


_ROLES = (("genre", "genre"), ("director", "director"), ("year", "year"), ("date", "year"))


def _label_of(info: dict[str, Any], field: Element) -> str:
    """The text next to ``field``: the own text of the nearest ancestor's descendants."""
    by_ref = {e["ref"]: e for e in info["elements"]}
    el = field
    while el["parent"] is not None and el["parent"] in by_ref:
        el = by_ref[el["parent"]]
        stack, texts = [el], []
        while stack:
            node = stack.pop()
            if node is not field and node["tag"] not in ("input", "button"):
                texts.append(node["text"])
            stack.extend(children(info, node))
        if any(t.strip() for t in texts):
            return " ".join(texts).lower()
    return ""


class MultiLayoutsExpert(ExpertBase):
    """multi-layouts / multi-orderings: a movie search form (genre, director, year) in one
    of five layouts with shuffled rows. Each text box's role comes from the label nearest
    to it; fill the three boxes, then press the button (Submit, Search or Go!)."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        for field in find_all(info, tag="input", type="text", visible=True):
            label = _label_of(info, field)
            role = next((r for word, r in _ROLES if word in label), None)
            if role is None:
                raise ExpertError(f"multi-layouts: no role for the box labelled {label!r}")
            action = fill_action(field, _field(info, role, "multi-layouts"), self.prev)
            if action is not None:
                return action
        area = require(info, id="area")
        button = find(
            info,
            lambda e: e["text"].strip() in ("Submit", "Search", "Go!") and e["ref"] > area["ref"],
            visible=True,
        )
        if button is None:
            raise ExpertError("multi-layouts: no Submit/Search/Go! button")
        return click(button)


EXPERTS: dict[str, type] = {
    "form-sequence": FormSequenceExpert,
    "form-sequence-2": FormSequence2Expert,
    "form-sequence-3": FormSequence3Expert,
    "use-spinner": UseSpinnerExpert,
    "enter-date": EnterDateExpert,
    "enter-time": EnterTimeExpert,
    "multi-layouts": MultiLayoutsExpert,
    "multi-orderings": MultiLayoutsExpert,
}
