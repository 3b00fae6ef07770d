"""Experts for the MiniWoB++ tasks whose answer sits in a scrolled text area: scroll-text and
scroll-text-2.

The snapshot in ``info`` does not carry a text area's scroll offset, so these experts keep a
one-step plan: they scroll the text area all the way (one :class:`~vla.actions.Scroll` whose
``dy`` is far larger than any of these texts, so it ends at the edge from wherever the text
area was) and then act on the page. A policy that scrolled the text area elsewhere before
the expert started does not matter; the expert scrolls again whenever its previous action
was not that scroll.
"""

from __future__ import annotations

from typing import Any

from vla.actions import Action, Scroll
from vla.datasets.experts.miniwob.common import (
    ExpertBase,
    ExpertError,
    center,
    click,
    require,
    utterance,
)
from vla.datasets.experts.miniwob.forms import fill_action

__all__ = ["EXPERTS", "ScrollText2Expert", "ScrollTextExpert", "scroll_to_end"]

Element = dict[str, Any]
_FAR = 5000.0  # CSS px: more than any MiniWoB text area holds


def scroll_to_end(el: Element, down: bool) -> Scroll:
    """A wheel scroll over ``el``'s centre that reaches its bottom (or top)."""
    x, y = center(el)
    return Scroll(x, y, 0.0, _FAR if down else -_FAR)


class ScrollTextExpert(ExpertBase):
    """scroll-text: "Find the last word in the text area, enter it into the text field and
    hit Submit." Scroll the text area to its end (where the last word shows), type the
    word (the page ignores punctuation) into ``#answer-input``, then Submit."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        area = require(info, id="text-area")
        words = (area["value"] or area["text"]).split()
        if not words:
            raise ExpertError("scroll-text: the text area is empty")
        answer = "".join(c for c in words[-1] if c.isalnum())
        if self.t == 0:
            return scroll_to_end(area, down=True)
        action = fill_action(require(info, id="answer-input"), answer, self.prev)
        return action if action is not None else click(require(info, id="subbtn"))


class ScrollText2Expert(ExpertBase):
    """scroll-text-2: "Scroll the textarea to the top (bottom) of the text hit submit." Scroll
    it to that end, then Submit."""

    def policy(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        utt = utterance(info)
        if "to the bottom" in utt:
            down = True
        elif "to the top" in utt:
            down = False
        else:
            raise ExpertError(f"scroll-text-2: no top or bottom in {utt!r}")
        scroll = scroll_to_end(require(info, id="text-area"), down)
        return click(require(info, id="subbtn")) if self.prev == scroll else scroll


EXPERTS: dict[str, type] = {
    "scroll-text": ScrollTextExpert,
    "scroll-text-2": ScrollText2Expert,
}
