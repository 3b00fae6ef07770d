"""Experts for MiniWoB++ tasks whose target is told apart by how it looks: colours and
shades, an SVG figure, SVG grid points and a pie menu.

The page's DOM says what a person sees in the picture: a box's ``data-color``, a span's
computed background colour (whose hue names the shade), an SVG element's tag, a circle's
id. Every expert re-reads ``info`` each step and clicks element centres in screenshot px.
"""

from __future__ import annotations

import re
from typing import Any

from vla.actions import Action, Click, Wait
from vla.datasets.experts.miniwob.common import (
    ExpertBase,
    ExpertError,
    center,
    click,
    find_all,
    has_class,
    parse_quoted,
    require,
    utterance,
)

__all__ = [
    "EXPERTS",
    "ClickColorExpert",
    "ClickPieExpert",
    "ClickShadesExpert",
    "GridCoordinateExpert",
    "IdentifyShapeExpert",
    "hue",
]

Element = dict[str, Any]


class ClickColorExpert(ExpertBase):
    """click-color: "Click on the <colour> colored box." Click the ``div.color`` in the task
    area whose ``data-color`` is that colour."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        m = re.search(r"Click on the (.+?) colored box", utterance(info))
        if m is None:
            raise ExpertError(f"click-color: cannot parse {utterance(info)!r}")
        colour = m.group(1).strip().lower()
        area = require(info, id="area")
        return click(
            require(
                info,
                lambda e: (
                    e["parent"] == area["ref"]
                    and has_class(e, "color")
                    and e["attrs"].get("data-color", "").lower() == colour
                ),
            )
        )


def hue(css_colour: str) -> float | None:
    """Hue in degrees [0, 360) of a CSS ``rgb(r, g, b)``/``rgba(...)`` string; None for grey
    or a colour this function cannot read."""
    m = re.match(r"rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)", css_colour or "")
    if m is None:
        return None
    r, g, b = (int(v) / 255.0 for v in m.groups())
    hi, lo = max(r, g, b), min(r, g, b)
    if hi - lo < 1e-6:
        return None
    if hi == r:
        h = ((g - b) / (hi - lo)) % 6
    elif hi == g:
        h = (b - r) / (hi - lo) + 2
    else:
        h = (r - g) / (hi - lo) + 4
    return (60.0 * h) % 360.0


_HUES = {"red": 0.0, "green": 120.0, "blue": 240.0}


def _shade_of(span: Element) -> str | None:
    """The colour family of a shade swatch: the nearest of red/green/blue to its hue."""
    h = hue(span.get("bg_color") or "")
    if h is None:
        return span["attrs"].get("data-color")
    return min(_HUES, key=lambda name: min(abs(h - _HUES[name]), 360 - abs(h - _HUES[name])))


class ClickShadesExpert(ExpertBase):
    """click-shades: select every swatch of the asked colour family (by the hue of its
    background), deselect any other, then Submit; stateless (``span.selected`` marks them)."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        m = re.search(r"shades of (\w+)", utterance(info))
        if m is None or m.group(1) not in _HUES:
            raise ExpertError(f"click-shades: cannot parse {utterance(info)!r}")
        area = require(info, id="area")
        for span in find_all(info, tag="span", parent=area["ref"]):
            if has_class(span, "selected") != (_shade_of(span) == m.group(1)):
                return click(span)
        return click(require(info, id="submit"))


_FIGURES = {"rect": "rectangle", "circle": "circle", "polygon": "triangle"}  # SVG tag -> kind


class IdentifyShapeExpert(ExpertBase):
    """identify-shape: name the figure in the SVG. A ``rect``, ``circle`` or ``polygon`` is a
    rectangle, circle or triangle; a ``text`` is a letter or a digit."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        svg = require(info, id="area_svg")
        figure = require(info, parent=svg["ref"])
        if figure["tag"] == "text":
            kind = "digit" if (figure.get("text") or "").strip().isdigit() else "letter"
        elif figure["tag"] in _FIGURES:
            kind = _FIGURES[figure["tag"]]
        else:
            raise ExpertError(f"identify-shape: unknown figure <{figure['tag']}>")
        return click(require(info, lambda e: e["attrs"].get("data-type") == kind, tag="button"))


class GridCoordinateExpert(ExpertBase):
    """grid-coordinate: "Click on the grid coordinate (x,y)." Each grid point is an SVG
    circle whose id is its coordinate."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        m = re.search(r"\((-?\d+),\s*(-?\d+)\)", utterance(info))
        if m is None:
            raise ExpertError(f"grid-coordinate: cannot parse {utterance(info)!r}")
        return click(require(info, tag="circle", id=f"({m.group(1)},{m.group(2)})"))


class ClickPieExpert(ExpertBase):
    """click-pie: open the pie menu with its centre "+" and click the slice titled "X".

    The titles are SVG ``<text>`` elements whose ``<tspan>`` child holds the label; closed,
    they are a pixel wide. The slices fly out over a few hundred ms; the expert clicks the
    title once its box has grown and moved less than 2 px since the previous observation (or
    after 8 open steps: a title may keep pulsing by a few px while the pointer rests on "+").

    The menu's *selected* item (white title, the bottom slice) cannot be clicked while the
    menu is at rest: hovering it makes wheelnav re-insert its SVG nodes on every
    ``mouseover``, so the press lands on a detached node and Chromium hands it to the
    ``<svg>``. While the menu animates, wheelnav ignores hovers. So for that item the expert
    learns where the slice is once the menu is open, then clicks "+" (fold or unfold) and,
    while the menu moves, the slice at 75 % of the title's radius: only that slice ever
    covers the point, so a click there either wins or hits nothing.
    """

    def reset(self) -> None:
        super().reset()
        self.waits = 0  # steps since the "+" was clicked while the menu is still closed
        self.previous: list[float] | None = None  # the title's box one step ago
        self.point: tuple[float, float] | None = None  # a point only the selected slice covers
        self.folded = False  # the last action clicked "+" after the point was learned
        self.open_waits = 0  # steps seen with the menu open
        self.point_clicks = 0  # clicks on the point since "+" was last clicked

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        label = parse_quoted(utterance(info))[-1]
        titles = {e["ref"]: e for e in find_all(info, tag="text") if "-title-" in e["id"]}
        span = require(info, lambda e: e["parent"] in titles and e["text"] == label, tag="tspan")
        spreader = require(info, id="wheelnav-divWheel-spreadertitle")
        box = list(span["bbox"])
        moving = (
            self.previous is None
            or max(abs(a - b) for a, b in zip(box, self.previous, strict=True)) >= 2.0
        )
        self.previous = box
        if self.point is not None:  # the selected item: click it while the menu moves
            if self.folded or (moving and self.point_clicks < 3):
                self.folded = False
                self.point_clicks += 1
                return Click(*self.point)
            self.folded, self.point_clicks = True, 0
            return click(spreader)
        if box[2] < 4 or box[3] < 4:  # the menu is closed
            self.waits = (self.waits + 1) % 20  # click "+" again if it has not opened
            return click(spreader) if self.waits == 1 else Wait()
        self.open_waits += 1
        if moving and self.open_waits < 8:  # some titles keep pulsing by a few px: stop waiting
            return Wait()
        if not _is_selected(titles[span["parent"]]):
            return click(span)
        (cx, cy), (tx, ty) = center(spreader), center(span)
        self.point = (cx + 0.75 * (tx - cx), cy + 0.75 * (ty - cy))
        self.folded = True
        return click(spreader)


def _is_selected(title: Element) -> bool:
    """wheelnav draws the selected item's title in white."""
    fill = (title["attrs"].get("fill") or "").lower().replace(" ", "")
    return fill in ("#fff", "#ffffff", "white", "rgb(255,255,255)")


EXPERTS: dict[str, type] = {
    "click-color": ClickColorExpert,
    "click-shades": ClickShadesExpert,
    "click-pie": ClickPieExpert,
    "identify-shape": IdentifyShapeExpert,
    "grid-coordinate": GridCoordinateExpert,
}
