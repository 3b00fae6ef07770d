"""Targets of the grounding loss (``VLAConfig.point_loss``, :mod:`vla.model.grounding_vla`):
where, in each training image, the object the instruction names is (and, for the reading loss,
what each word of the page is: :mod:`vla.training.reading`).

The recorder keeps an env's ``info["target_pixels"]`` (camera name -> ``[x, y]`` pixels of the
observation acted on) and ``info["goal_pixels"]`` (where the motion ends) in the episode's
metadata; :class:`TargetPoints` hands each item its step's entries, and the
:class:`~vla.training.data.Collator` moves the points with the image's augmentation and passes
them to the model as ``target_points`` and ``goal_points`` (fractions of the image size).
"""

from __future__ import annotations

from typing import Any

from vla.training.data import _EpisodeItems

__all__ = ["TargetPoints"]


class TargetPoints(_EpisodeItems):
    """A dataset whose items carry ``item["target_pixels"]`` (camera name -> ``[x, y]``, or
    None where the episode kept none: such steps add no grounding loss) and
    ``item["goal_pixels"]`` (where the motion ends: the second pointer's label,
    ``VLAConfig.point_goal``) with ``points``, and
    ``item["page_words"]`` with ``words`` (the reading loss's words and boxes,
    :mod:`vla.training.reading`; None likewise). ``dataset`` is an episode dataset as for
    :class:`~vla.training.data.ChunkTargets`; these wrappers stack."""

    def __init__(self, dataset: Any, points: bool = True, words: bool = False) -> None:
        super().__init__(dataset, "target points")
        wanted = (("target_pixels", points), ("goal_pixels", points), ("page_words", words))
        self.keys = tuple(key for key, on in wanted if on)

    def __getitem__(self, i: int) -> dict[str, Any]:
        i, item = self._item(i)
        e = self._episode(i)
        for key in self.keys:
            per_step = self.dataset.episodes[e].get(key)
            item[key] = per_step[i - int(self._starts[e])] if per_step else None
        return item
