"""A limit on waiting at a screen that does not change.

A greedy policy that answers ``wait`` to a screenshot, and sees the same screenshot (and, with
a saturated action history, the same prompt) after waiting, answers ``wait`` again: it waits
until the step cap. Waiting helps only while something moves (an animation, a suggestion list
about to open), and then the screen changes. :class:`StillWaits` counts, per env copy, the
waits in a row after which the screen stayed the same; once ``limit`` of them have passed, the
next action is decoded under the same grammar without the ``wait`` verb, i.e. it is the
policy's best action that is not a wait. A changed screen or any other action resets the
count. UI grammars only: a robot action space has no ``wait``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vla.actions import UISpace, Wait

__all__ = ["StillWaits", "check_still_waits"]


def check_still_waits(limit: Any) -> None:
    """Refuse a ``still_waits`` setting that is not None or an int >= 1."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"Got {limit!r} for `still_waits`; it must be an int >= 1 or None")


class StillWaits:
    """Per-copy counts of waits at an unchanged screen (copy 0 in the single-episode loop).

    Args:
        limit: waits in a row at an unchanged screen that are allowed; the next action may not
            be a wait.
    """

    def __init__(self, limit: int) -> None:
        if limit is None:
            raise ValueError("Got None for `still_waits`; it must be an int >= 1")
        check_still_waits(limit)
        self.limit = limit
        self.overrides = 0  # actions decoded without `wait` since construction
        self._screens: dict[int, np.ndarray] = {}
        self._waits: dict[int, int] = {}

    def reset(self, copy: int | None = None) -> None:
        """Forget one copy's episode (``copy``), or every copy's (None)."""
        if copy is None:
            self._screens.clear()
            self._waits.clear()
        else:
            self._screens.pop(copy, None)
            self._waits.pop(copy, None)

    def space(self, copy: int, image: Any, space: Any, has_state: bool = False) -> Any:
        """The grammar for ``copy``'s next action at ``image``: ``space`` itself, or ``space``
        without ``wait`` once the copy has waited ``limit`` times with the screen unchanged.
        ``space`` None with no robot state (``has_state``) is the default :class:`UISpace`."""
        screen = np.asarray(image)
        before = self._screens.get(copy)
        if before is None or before.shape != screen.shape or not np.array_equal(before, screen):
            self._waits[copy] = 0
        self._screens[copy] = screen.copy()
        if self._waits.get(copy, 0) < self.limit:
            return space
        ui = UISpace() if space is None and not has_state else space
        if not isinstance(ui, UISpace) or "wait" not in ui.verbs or len(ui.verbs) == 1:
            return space
        self.overrides += 1
        return UISpace(tuple(v for v in ui.verbs if v != "wait"))

    def record(self, copy: int, action: Any) -> None:
        """``copy`` is about to execute ``action``."""
        self._waits[copy] = self._waits.get(copy, 0) + 1 if isinstance(action, Wait) else 0
