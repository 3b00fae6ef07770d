"""A whole-screen policy in two passes (issue 19): find the task, then act on it in full detail.

A 1920x1080 screen squeezed into a small model's 80x80 input turns a button into a speck.
:class:`FocusPolicy` joins two policies, both decoding under the action grammar:

* the *locator* reads views of the screen (:mod:`vla.envs.desktop.views`), each resized to
  ``view_size``: first the whole screen, then, for each factor of ``zooms``, the region that
  factor times its previous answer. Every answer is a ``Drag`` from the task's top-left to its
  bottom-right corner (the grammar allows no other verb). It is trained on
  ``vla/desktop-locate-miniwob-<task>-v0``, which shows it the same chain of views.
* the *actor* (e.g. ``vla-browser-tiny``) acts on the last box, cut from the screen at native
  resolution, with the episode's earlier actions moved into the box's pixels; its action is
  mapped back to screen pixels exactly (a shift by the box's corner). With ``page_size`` (the
  pages the actor was trained on, 160x210 for MiniWoB++), the cut is that size at the box's
  scale (:func:`~vla.envs.desktop.views.page_view`), centred on the box, and is shown at
  ``page_size`` (a 2x HiDPI cut is halved; actions map back through the same scale): the actor
  then sees its page at the size it knows, only moved, whatever the box's corners get wrong.

With ``locate_once`` the locator runs at an episode's first action only and every later action
of the episode reuses its box (the task's window does not move during an episode of the desktop
suite): one locator chain per episode instead of one per action, and the same crop, so the same
page, at every step. An episode's first action is the one whose history is empty, so this needs
the histories :class:`vla.rollout.PolicyAgent` hands an actor that reads them (``action_history
> 0``, as ``vla-browser-tiny``); without them every action locates afresh.

A checkpoint folder with a ``focus.json`` is such a policy: the folder's model is the locator,
and ``focus.json`` names the actor (a folder inside it, or a shipped checkpoint's name), the
zooms, the view size and the page size. :func:`vla.rollout.load_policy` (``vla eval
--policy``, ``vla run``) loads it like any checkpoint.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vla.actions import Action, Drag, UISpace
from vla.envs.desktop.views import (
    Box,
    action_to_screen,
    action_to_view,
    box_view,
    full_view,
    page_view,
    render_view,
    view_to_screen,
    zoom_view,
)
from vla.hub import FOCUS_FILE

__all__ = ["FOCUS_FILE", "FocusPolicy", "write_focus_file"]

_LOCATE = UISpace(("drag",))


class FocusPolicy:
    """Locate the task on the screen with ``locator``, act inside it with ``actor``.

    Args:
        locator: a policy trained on ``vla/desktop-locate-miniwob-<task>-v0`` (same ``zooms``
            and ``view_size``).
        actor: a UI policy for the task's own page (``vla-browser-tiny``).
        zooms: the zoom chain after the whole-screen view (factors of the previous answer).
        view_size: ``(width, height)`` every locator view is resized to.
        page_size: ``(width, height)`` of the actor's pages: the actor is shown that size at the
            box's scale around the box's centre. None: the box itself.
        locate_once: keep each episode's first box for the rest of the episode (row ``i`` of a
            batch is the same episode from call to call, as in ``PolicyAgent.act_batch``).
        page_resample: how a page crop at another scale (a 2x HiDPI cut) is reduced to
            ``page_size`` (:func:`vla.envs.desktop.views.render_view`): ``"bilinear"`` (the
            default) or ``"box"``. At the actor's own scale nothing is resized.
    """

    def __init__(
        self,
        locator: Any,
        actor: Any,
        zooms: Sequence[float] = (3.0,),
        view_size: tuple[int, int] = (256, 256),
        page_size: tuple[int, int] | None = None,
        locate_once: bool = False,
        page_resample: str = "bilinear",
    ) -> None:
        if any(not z >= 1.0 for z in zooms):
            raise ValueError(f"Got zooms={tuple(zooms)!r}; every zoom factor must be >= 1")
        self.locator = locator
        self.actor = actor
        self.zooms = tuple(float(z) for z in zooms)
        self.view_size = (int(view_size[0]), int(view_size[1]))
        self.page_size = None if page_size is None else (int(page_size[0]), int(page_size[1]))
        self.locate_once = bool(locate_once)
        self.page_resample = page_resample
        self._kept: list[Box | None] = []  # locate_once: each batch row's episode box

    @property
    def device(self) -> str:
        return str(getattr(self.actor, "device", "unknown"))

    @property
    def action_history(self) -> int:
        """The actor's: :class:`vla.rollout.PolicyAgent` keeps the episode's actions for it."""
        return int(getattr(self.actor, "action_history", 0) or 0)

    def locate_batch(self, images: Sequence[Any], instructions: Sequence[str]) -> list[Box]:
        """The task's box in each screen image (pixels), after the whole zoom chain."""
        sizes = [(image.shape[1], image.shape[0]) for image in images]
        views = [full_view(size) for size in sizes]
        boxes: list[Box] = []
        for k in range(len(self.zooms) + 1):
            shown = [
                render_view(im, v, self.view_size) for im, v in zip(images, views, strict=True)
            ]
            answers = self.locator.act_batch(
                shown, list(instructions), spaces=[_LOCATE] * len(shown)
            )
            boxes = [_box(a, v, self.view_size) for a, v in zip(answers, views, strict=True)]
            if k < len(self.zooms):
                views = [zoom_view(b, self.zooms[k], s) for b, s in zip(boxes, sizes, strict=True)]
        return boxes

    def act_batch(
        self,
        images: Sequence[Any],
        instructions: Sequence[str],
        states: Sequence[Any] | None = None,
        spaces: Sequence[Any] | None = None,
        *,
        histories: Sequence[Sequence[Action] | None] | None = None,
    ) -> list[Action]:
        """One action per screen image, in its pixels (``states`` must be None: UI only)."""
        if states is not None and any(s is not None for s in states):
            raise ValueError("FocusPolicy acts on screens; it takes no robot state")
        import numpy as np

        images = [np.asarray(image) for image in images]
        boxes = self._boxes(images, instructions, histories)
        crops = [
            self._crop(b, (im.shape[1], im.shape[0])) for b, im in zip(boxes, images, strict=True)
        ]
        size = self.page_size  # a page crop at another scale (HiDPI) is shown at the actor's
        kwargs: dict[str, Any] = {}
        if self.action_history and histories is not None:
            kwargs["histories"] = [
                None if past is None else [action_to_view(a, c, size) for a in past]
                for past, c in zip(histories, crops, strict=True)
            ]
        actions = self.actor.act_batch(
            [
                render_view(im, c, size, self.page_resample)
                for im, c in zip(images, crops, strict=True)
            ],
            list(instructions),
            None,
            spaces,
            **kwargs,
        )
        return [action_to_screen(a, c, size) for a, c in zip(actions, crops, strict=True)]

    def _boxes(
        self,
        images: Sequence[Any],
        instructions: Sequence[str],
        histories: Sequence[Sequence[Action] | None] | None,
    ) -> list[Box]:
        """Each screen's box: located now, or with ``locate_once`` kept from the first action
        of the row's episode (a row with an empty history starts an episode)."""
        if not self.locate_once or histories is None or len(histories) != len(images):
            return self.locate_batch(images, instructions)
        if len(self._kept) != len(images):
            self._kept = [None] * len(images)
        fresh = [i for i, past in enumerate(histories) if not past or self._kept[i] is None]
        if fresh:
            found = self.locate_batch([images[i] for i in fresh], [instructions[i] for i in fresh])
            for i, box in zip(fresh, found, strict=True):
                self._kept[i] = box
        return [box for box in self._kept if box is not None]

    def _crop(self, box: Box, image_size: tuple[int, int]) -> Any:
        """The view of the screen the actor acts on, for the located ``box``."""
        if self.page_size is None:
            return box_view(box, image_size)
        return page_view(box, self.page_size, image_size)

    def act(
        self,
        image: Any,
        instruction: str,
        state: Any = None,
        space: Any = None,
        *,
        history: Sequence[Action] | None = None,
    ) -> Action:
        """One action for one screen image (see :meth:`act_batch`)."""
        past = None if history is None else [history]
        return self.act_batch([image], [instruction], [state], [space], histories=past)[0]

    def save_pretrained(self, directory: str | Path, actor: str) -> Path:
        """Save the locator into ``directory`` with a ``focus.json`` naming ``actor`` (a shipped
        checkpoint's name, or a folder name inside ``directory``)."""
        path = Path(directory)
        self.locator.save_pretrained(path)
        write_focus_file(path, actor, self.zooms, self.view_size, self.page_size, self.locate_once)
        return path

    @classmethod
    def from_pretrained(cls, path: str | Path, device: str | None = None) -> FocusPolicy:
        """Load the locator from ``path`` and the actor ``focus.json`` names."""
        from vla.policy import Policy

        path = Path(path)
        try:
            meta = json.loads((path / FOCUS_FILE).read_text())
            actor_spec = str(meta["actor"])
            zooms, view_size = tuple(meta["zooms"]), tuple(meta["view_size"])
            page = meta.get("page_size")
            page_size = None if page is None else (int(page[0]), int(page[1]))
            once = bool(meta.get("locate_once", False))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ValueError(
                f"{path / FOCUS_FILE} is not a valid focus file ({err!r}); it needs 'actor', "
                "'zooms', 'view_size' and optionally 'page_size' and 'locate_once' "
                "(FocusPolicy.save_pretrained writes one)"
            ) from None
        inner = path / actor_spec
        actor = Policy.from_pretrained(inner if inner.is_dir() else actor_spec, device=device)
        locator = Policy.from_pretrained(path, device=device)
        size = (int(view_size[0]), int(view_size[1]))
        return cls(locator, actor, zooms, size, page_size, locate_once=once)

    def __repr__(self) -> str:
        return (
            f"FocusPolicy(zooms={self.zooms}, view_size={self.view_size}, "
            f"page_size={self.page_size}, locate_once={self.locate_once}, actor={self.actor!r})"
        )


def write_focus_file(
    folder: str | Path,
    actor: str,
    zooms: Sequence[float],
    view_size: Sequence[int],
    page_size: Sequence[int] | None = None,
    locate_once: bool = False,
) -> Path:
    """Write ``focus.json`` into a locator's checkpoint ``folder``: it then loads as a
    :class:`FocusPolicy` whose actor is ``actor`` (a folder name inside ``folder``, or a
    shipped checkpoint's name)."""
    meta: dict[str, Any] = {"actor": actor, "zooms": [float(z) for z in zooms]}
    meta["view_size"] = list(view_size)
    if page_size is not None:
        meta["page_size"] = list(page_size)
    if locate_once:
        meta["locate_once"] = True
    path = Path(folder) / FOCUS_FILE
    path.write_text(json.dumps(meta, indent=1) + "\n")
    return path


def _box(answer: Action, view: Any, size: tuple[int, int]) -> Box:
    """A locator's answer (a ``Drag`` in view pixels) as a screen box."""
    if not isinstance(answer, Drag):  # the grammar allows only drags; a stub may not
        raise ValueError(f"the locator must answer with a Drag box; got {answer!r}")
    x0, y0 = view_to_screen((answer.x0, answer.y0), view, size)
    x1, y1 = view_to_screen((answer.x1, answer.y1), view, size)
    return (x0, y0, x1, y1)
