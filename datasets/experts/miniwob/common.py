"""Small helpers the MiniWoB experts share: finding elements in ``info["elements"]`` and
turning them into pixel actions.

Element dicts are documented in :class:`vla.envs.browser.miniwob.MiniWoBEnv`; ``bbox`` is
``[left, top, width, height]`` in image pixels. Every finder accepts either the ``info`` dict
or the element list itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vla.actions import Action, Click

__all__ = [
    "ExpertBase",
    "ExpertError",
    "center",
    "children",
    "click",
    "elements_of",
    "find",
    "find_all",
    "has_class",
    "parse_quoted",
    "require",
    "uncovered_point",
    "utterance",
]

Element = dict[str, Any]
IMAGE_W, IMAGE_H = 160, 210


class ExpertError(RuntimeError):
    """The expert cannot find what it needs on the page (names what it looked for)."""


def elements_of(info_or_elements: dict[str, Any] | list[Element]) -> list[Element]:
    """``info["elements"]`` when given ``info``; the list itself when given a list."""
    if isinstance(info_or_elements, dict):
        return info_or_elements["elements"]
    return info_or_elements


def utterance(info: dict[str, Any]) -> str:
    """The task instruction carried in ``info``."""
    return info["utterance"]


def parse_quoted(text: str) -> list[str]:
    """The double-quoted strings in ``text``, in order."""
    return re.findall(r'"([^"]*)"', text)


def center(el: Element) -> tuple[float, float]:
    """Centre of the element's box in image pixels, clamped into the 160x210 image."""
    left, top, w, h = el["bbox"]
    x = min(max(left + w / 2.0, 0.0), IMAGE_W - 1.0)
    y = min(max(top + h / 2.0, 0.0), IMAGE_H - 1.0)
    return x, y


def uncovered_point(el: Element, covers: list[Element], step: float = 2.0) -> tuple[float, float]:
    """The point of ``el``'s box nearest its centre that lies in none of the ``covers`` boxes
    (elements drawn on top of it), in image pixels. :class:`ExpertError` if it is hidden."""
    left, top, w, h = el["bbox"]
    cx, cy = center(el)
    best: tuple[float, float] | None = None
    y = top + 1.0
    while y <= top + h - 1.0:
        x = left + 1.0
        while x <= left + w - 1.0:
            inside = 0 <= x < IMAGE_W and 0 <= y < IMAGE_H
            free = not any(
                c["bbox"][0] - 1 <= x <= c["bbox"][0] + c["bbox"][2] + 1
                and c["bbox"][1] - 1 <= y <= c["bbox"][1] + c["bbox"][3] + 1
                for c in covers
            )
            if (
                inside
                and free
                and (
                    best is None
                    or (x - cx) ** 2 + (y - cy) ** 2 < (best[0] - cx) ** 2 + (best[1] - cy) ** 2
                )
            ):
                best = (x, y)
            x += step
        y += step
    if best is None:
        raise ExpertError(f"element {el['ref']} ({el['tag']}#{el['id']}) is entirely covered")
    return best


def click(el: Element, **kwargs: Any) -> Click:
    """A click at the centre of ``el`` (kwargs go to :class:`~vla.actions.Click`)."""
    return Click(*center(el), **kwargs)


def has_class(el: Element, name: str) -> bool:
    """Whether ``name`` is one of the element's classes."""
    return name in (el.get("classes") or "").split()


def _matches(el: Element, pred: Callable[[Element], bool] | None, attrs: dict[str, Any]) -> bool:
    for key, want in attrs.items():
        if key == "classes":  # one class name, matched as a class, not a substring
            if not has_class(el, want):
                return False
        elif el.get(key) != want:
            return False
    return pred is None or pred(el)


def find_all(
    info_or_elements: dict[str, Any] | list[Element],
    pred: Callable[[Element], bool] | None = None,
    *,
    visible: bool | None = None,
    **attrs: Any,
) -> list[Element]:
    """Elements (document order) whose keys equal ``attrs`` (``classes="x"`` tests one class)
    and that satisfy ``pred``; ``visible=True``/``False`` filters on visibility."""
    return [
        e
        for e in elements_of(info_or_elements)
        if (visible is None or bool(e["visible"]) == visible) and _matches(e, pred, attrs)
    ]


def find(
    info_or_elements: dict[str, Any] | list[Element],
    pred: Callable[[Element], bool] | None = None,
    *,
    visible: bool | None = None,
    **attrs: Any,
) -> Element | None:
    """The first element :func:`find_all` would return, or None."""
    found = find_all(info_or_elements, pred, visible=visible, **attrs)
    return found[0] if found else None


def require(
    info_or_elements: dict[str, Any] | list[Element],
    pred: Callable[[Element], bool] | None = None,
    *,
    visible: bool | None = True,
    **attrs: Any,
) -> Element:
    """Like :func:`find` (visible elements by default) but raises :class:`ExpertError`
    naming what was looked for when nothing matches."""
    el = find(info_or_elements, pred, visible=visible, **attrs)
    if el is None:
        raise ExpertError(f"no {'visible ' if visible else ''}element with {attrs or pred!r}")
    return el


def children(info_or_elements: dict[str, Any] | list[Element], parent: Element) -> list[Element]:
    """Direct children of ``parent`` (visible or not), document order."""
    return [e for e in elements_of(info_or_elements) if e["parent"] == parent["ref"]]


class ExpertBase:
    """Base for MiniWoB experts: keeps the env, a per-episode step counter ``t`` and the
    expert's own previous action ``prev`` (None at the start of an episode)."""

    def __init__(self, env: Any = None, **kwargs: Any) -> None:
        self.env = env
        self.t = 0
        self.prev: Action | None = None

    def reset(self) -> None:
        """Forget the previous episode."""
        self.t = 0
        self.prev = None

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        """Next action; reads the page from ``info`` every step."""
        action = self.policy(obs, info)
        self.t += 1
        self.prev = action
        return action

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        """Subclasses: the action for this step."""
        raise NotImplementedError
