"""The checks of :class:`~vla.model.VLAConfig` fields that several settings share: named views,
the execution text and the auxiliary losses (each a one-line error naming the fix)."""

from __future__ import annotations

from typing import Any

__all__ = ["check_aux_losses", "check_execution", "check_views"]


def check_views(names: Any, max_image_tokens: int | None) -> list[str]:
    """``view_names`` as a list of distinct non-empty strings (fixed resolution only)."""
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise ValueError(f"Got {names!r} for `view_names`; it must be a list of camera names")
    if any(not isinstance(n, str) or not n for n in names) or len(set(names)) != len(names):
        raise ValueError(
            f"Got {names!r} for `view_names`; the names must be distinct non-empty strings"
        )
    if names and max_image_tokens:
        raise ValueError(
            f"Got view_names={list(names)!r} with max_image_tokens={max_image_tokens}; "
            "several views need the fixed resolution (max_image_tokens=None)"
        )
    return list(names)


def check_execution(execution: Any) -> None:
    """``VLAConfig.execution`` is None or a ``--execution`` text (parsed where it is used)."""
    if execution is not None and (not isinstance(execution, str) or not execution):
        raise ValueError(
            f"Got {execution!r} for `execution`; it must be None or a text such as "
            "'receding:8' (vla eval --execution)"
        )


def check_aux_losses(config: Any) -> None:
    """``point_loss`` and ``read_loss`` are numbers >= 0; acting on the pointing needs fixed
    resolution, reading needs native resolution."""
    for name in ("point_loss", "read_loss"):
        weight = getattr(config, name)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight >= 0:
            raise ValueError(f"Got {weight!r} for `{name}`; it must be a number >= 0")
    if config.point_to_action and config.max_image_tokens:
        raise ValueError(
            "Got point_to_action with max_image_tokens; acting on the pointed patch needs "
            "fixed-resolution images (set max_image_tokens=None)"
        )
    if config.point_goal and not config.point_to_action:
        raise ValueError(
            "Got point_goal without point_to_action; the goal's pointer feeds the action "
            "beside the first one (set point_to_action=true)"
        )
    if config.read_loss and not config.max_image_tokens:
        raise ValueError(
            "Got read_loss without max_image_tokens; the reading loss labels the patches of "
            "native-resolution images (set max_image_tokens, e.g. 140 for MiniWoB pages)"
        )
