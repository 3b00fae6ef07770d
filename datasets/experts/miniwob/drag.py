"""Experts for the MiniWoB++ drag tasks: drag-box, drag-single-shape, drag-items,
drag-sort-numbers and use-slider.

Each emits :class:`~vla.actions.Drag` actions (press, move in small steps, release) between
points of the 160x210 image. The boxes come from ``info`` at every step: drag-box and
drag-single-shape check whether the shape is already where it must be (box positions, the
shape's SVG ``transform``), drag-sort-numbers re-reads the list order, so each drags again
when an earlier drag (its own or anybody's) left the page wrong.
"""

from __future__ import annotations

import re
from typing import Any

from vla.actions import Action, Drag, Key
from vla.datasets.experts.miniwob.common import (
    IMAGE_H,
    IMAGE_W,
    ExpertBase,
    ExpertError,
    center,
    children,
    click,
    has_class,
    require,
    uncovered_point,
    utterance,
)

__all__ = [
    "EXPERTS",
    "DragBoxExpert",
    "DragItemsExpert",
    "DragSingleShapeExpert",
    "DragSortNumbersExpert",
    "UseSliderExpert",
]

Element = dict[str, Any]


def _clamp(x: float, y: float) -> tuple[float, float]:
    """A point kept one pixel inside the image."""
    return min(max(x, 1.0), IMAGE_W - 2.0), min(max(y, 1.0), IMAGE_H - 2.0)


def drag(start: tuple[float, float], end: tuple[float, float]) -> Drag:
    """A drag between two image points (the end point clamped into the image)."""
    return Drag(start[0], start[1], *_clamp(*end))


class DragBoxExpert(ExpertBase):
    """drag-box: drag the small box (``s``) inside the large one (``L``), then Submit.

    The page accepts the small box's top-left corner 1..29 px right of and below the large
    box's, so the small box's centre goes onto the large box's centre. The large box comes
    later in the DOM and is drawn on top, so the small one is grabbed where it is uncovered;
    when the large box hides it (all but a sliver), the large box is dragged onto it instead.
    """

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        small = require(info, id="draggableSmall")
        large = require(info, id="draggableLarge")
        dx = small["bbox"][0] - large["bbox"][0]
        dy = small["bbox"][1] - large["bbox"][1]
        if 1 <= dx <= 29 and 1 <= dy <= 29:
            return click(require(info, id="subbtn"))
        (sx, sy), (lx, ly) = center(small), center(large)
        try:
            grab = uncovered_point(small, [large])
        except ExpertError:  # hidden under the large box: bring the large box over it
            return drag((lx, ly), (sx, sy))
        return drag(grab, (grab[0] + lx - sx, grab[1] + ly - sy))


_DIRECTIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
_STEP = 30.0  # px the shape is dragged per try


def _translate(el: Element) -> tuple[float, float]:
    """The ``translate(x, y)`` of an SVG element's ``transform`` ((0, 0) when it has none)."""
    m = re.search(r"translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)", el["attrs"].get("transform", ""))
    return (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)


class DragSingleShapeExpert(ExpertBase):
    """drag-single-shape: "Drag the item right then press Submit." The drag handler moves the
    shape with an SVG ``translate``; once it points the asked way, Submit."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        m = re.search(r"Drag the item (left|right|up|down)", utterance(info))
        if m is None:
            raise ExpertError(f"drag-single-shape: cannot parse {utterance(info)!r}")
        ux, uy = _DIRECTIONS[m.group(1)]
        shape = require(info, lambda e: has_class(e, "black-shape"))
        tx, ty = _translate(shape)
        if tx * ux + ty * uy >= 5.0:  # moved clearly the asked way (the other axis is free)
            return click(require(info, id="subbtn"))
        x, y = center(shape)
        return drag((x, y), (x + ux * _STEP, y + uy * _STEP))


def _list_items(info: dict[str, Any]) -> list[tuple[str, Element]]:
    """``(text, li)`` for the sortable list's items, top to bottom."""
    ul = require(info, id="sortable")
    out = []
    for li in children(info, ul):
        if li["tag"] != "li" or has_class(li, "ui-sortable-placeholder"):
            continue
        text = next((c["text"] for c in children(info, li) if c["tag"] == "div"), "")
        out.append((text.strip(), li))
    return sorted(out, key=lambda t: t[1]["bbox"][1])


def drag_to_slot(item: Element, slot: Element) -> Drag:
    """Drag a sortable ``item`` by its centre so that it lands in ``slot``'s place: a little
    past the slot's centre in the direction of travel, so jQuery UI sortable swaps them."""
    x, y = center(item)
    _, sy = center(slot)
    past = 6.0 if sy > y else -6.0
    return drag((x, y), (x, sy + past))


_POSITION = re.compile(
    r"Drag (?P<name>.+?) (?:to the (?P<pos>top|bottom|\d+)(?:st|nd|rd|th)?(?: position)?"
    r"|(?P<dir>up|down) by one position)\.?$"
)


class DragItemsExpert(ExpertBase):
    """drag-items: "Drag Conchita to the 1st position." (or "to the top", "up by one
    position", ...). The episode ends when the first drag is released, so there is one
    try: drag the named item into the asked place."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        m = _POSITION.match(utterance(info))
        if m is None:
            raise ExpertError(f"drag-items: cannot parse {utterance(info)!r}")
        items = _list_items(info)
        names = [t for t, _ in items]
        if m.group("name") not in names:
            raise ExpertError(f"drag-items: no item {m.group('name')!r} in {names}")
        now = names.index(m.group("name"))
        pos, direction = m.group("pos"), m.group("dir")
        if direction:
            want = now + (1 if direction == "down" else -1)
        else:
            ends = {"top": 0, "bottom": len(items) - 1}
            want = int(pos) - 1 if pos.isdigit() else ends[pos]
        if not 0 <= want < len(items) or want == now:
            raise ExpertError(f"drag-items: position {want + 1} for item {now + 1}")
        return drag_to_slot(items[now][1], items[want][1])


class DragSortNumbersExpert(ExpertBase):
    """drag-sort-numbers: sort the list ascending, then Submit. Each step: the first place
    that holds the wrong number gets the smallest number below it dragged into it."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        items = _list_items(info)
        try:
            numbers = [int(t) for t, _ in items]
        except ValueError:
            raise ExpertError(f"drag-sort-numbers: not numbers: {[t for t, _ in items]}") from None
        for i, n in enumerate(numbers):
            smallest = min(numbers[i:])
            if n != smallest:
                j = numbers.index(smallest, i)
                return drag_to_slot(items[j][1], items[i][1])
        return click(require(info, id="subbtn"))


class UseSliderExpert(ExpertBase):
    """use-slider: "Select 42 with the slider and hit Submit." on a horizontal or vertical
    jQuery UI slider of unknown range. Focus the handle, press Home and End to read the
    range off the value label, drag the handle to the proportional point of the track, fix
    the last steps with the arrow keys, then Submit."""

    def reset(self) -> None:
        super().reset()
        self.lo: int | None = None
        self.hi: int | None = None
        self.dragged = False

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        m = re.search(r"Select (-?\d+) with the slider", utterance(info))
        if m is None:
            raise ExpertError(f"use-slider: cannot parse {utterance(info)!r}")
        target = int(m.group(1))
        value = int(require(info, id="val")["text"])
        if self.prev == Key("Home"):
            self.lo = value
        elif self.prev == Key("End"):
            self.hi = value
        if value == target:
            return click(require(info, id="subbtn"))
        handle = require(info, lambda e: has_class(e, "ui-slider-handle"))
        if not handle["focused"]:
            return click(handle)
        if self.lo is None:
            return Key("Home")
        if self.hi is None:
            return Key("End")
        if not self.dragged and abs(value - target) > 3:
            self.dragged = True
            return self._drag(info, handle, (target - self.lo) / max(self.hi - self.lo, 1))
        vertical = has_class(require(info, id="slider"), "ui-slider-vertical")
        if target > value:
            return Key("ArrowUp") if vertical else Key("ArrowRight")
        return Key("ArrowDown") if vertical else Key("ArrowLeft")

    def _drag(self, info: dict[str, Any], handle: Element, frac: float) -> Drag:
        """Drag the handle to ``frac`` (0 = minimum, 1 = maximum) along the track."""
        track = require(info, id="slider")
        left, top, w, h = track["bbox"]
        if has_class(track, "ui-slider-vertical"):
            end = (left + w / 2.0, top + h * (1.0 - frac))
        else:
            end = (left + w * frac, top + h / 2.0)
        return drag(center(handle), end)


EXPERTS: dict[str, type] = {
    "drag-box": DragBoxExpert,
    "drag-single-shape": DragSingleShapeExpert,
    "drag-items": DragItemsExpert,
    "drag-sort-numbers": DragSortNumbersExpert,
    "use-slider": UseSliderExpert,
}
