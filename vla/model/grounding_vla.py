"""An auxiliary grounding loss: the model points at the image patch that holds the object the
instruction names (``VLAConfig.point_loss``).

A robot policy trained by behaviour cloning alone must discover, through the noise of the
action labels, which cube "the red cube" is and where it lies; at a CPU budget the robot model
stayed near baselines that never look at the image (docs/results.md). Saying where the target
is, directly, is a dense and easy signal: the hidden state that predicts the first action
token (it has read the image, the state and the instruction) scores every image patch of the
first view (a query and a key projection, scaled dot product, as GUI-Actor's attention head
scores patches), and a cross-entropy pulls the score to the patch under the target's pixel
(``info["target_pixels"]`` of the Panda envs, kept per step by the recorder). It is a training
signal only: decoding never reads it, and :meth:`TargetPointer.scores` shows where the model
looks. At native resolution (``max_image_tokens``) it points among the detail grid's patches
of each image (:class:`PatchLayout`), never at the batch's padding.

``VLAConfig.point_to_action`` makes the pointing part of the action: the same pointer, queried
from the hidden state at ``SEP`` (the one that predicts the first action token), gives a soft
choice of patch; its expected ``(x, y)``, the robot state and the pointed patch's features go
through an MLP (:class:`PointedAction`), and that summary is fused into the hidden state of
every action position before the LM head (late fusion, identity at initialisation). A motion
toward the cube is then a function of where the cube is and where the gripper is, both given
to the head directly. Decoding computes the summary once in the prefix pass
(``VLAOutput.point_memory``) and fuses it into every incremental step.

``VLAConfig.point_goal`` adds a second pointer (``goal_pointer``, the same kind), trained on
where the motion ends (``info["goal_pixels"]``: the pad of ``push``, the tray or bowl, the base
cube of ``stack``) and fused the same way after the first (``goal_action``, no state): a push
is a function of both ends, and the object pointer marks only one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from vla.model.vocabulary_vla import SEP

__all__ = [
    "PatchLayout",
    "PointedAction",
    "TargetPointer",
    "add_pointers",
    "first_view_patches",
    "fuse_pointed",
    "fuse_pointed_steps",
    "patch_layout",
    "point_loss",
    "pointer_hits",
    "with_point_loss",
]


class TargetPointer(nn.Module):
    """Scores image patches from one hidden state: ``q(h) . k(patch) / sqrt(d)``."""

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.query = nn.Linear(hidden_size, hidden_size)
        self.key = nn.Linear(hidden_size, hidden_size)

    def scores(self, query: torch.Tensor, patches: torch.Tensor) -> torch.Tensor:
        """``query`` (B, D), ``patches`` (B, P, D) -> (B, P) logits over the patches."""
        q, k = self.query(query), self.key(patches)
        return torch.einsum("bd,bpd->bp", q, k) / q.shape[-1] ** 0.5


@dataclass(frozen=True)
class PatchLayout:
    """Where the patches the pointer chooses among sit in the sequence: ``rows x cols`` tokens,
    row-major, from position ``start``. ``sizes`` (B, 2): each row's own ``(rows, cols)``
    corner of that grid (native resolution: the rest is the batch's padding, never pointed
    at); None: every row fills the grid (fixed resolution)."""

    start: int
    rows: int
    cols: int
    sizes: torch.Tensor | None = None

    @property
    def patches(self) -> int:
        return self.rows * self.cols

    def target(self, points: torch.Tensor) -> torch.Tensor:
        """``points`` (B, 2): ``(x, y)`` as fractions of each row's grid (its width and height
        in patches) -> (B,) the index, in this layout, of the patch that holds each; -1 where
        the point is missing (NaN) or outside."""
        inside = (points >= 0).all(-1) & (points < 1).all(-1)  # False for NaN
        sizes = self._sizes(points.shape[0], points.device).to(points.dtype)
        cells = (points.nan_to_num(0.0).clamp(0, 1 - 1e-6) * sizes.flip(-1)).long()  # (x, y)
        index = cells[:, 1] * self.cols + cells[:, 0]
        return torch.where(inside, index, torch.full_like(index, -1))

    def valid(self, batch: int, device: Any) -> torch.Tensor:
        """(B, P) True on the patches each row really has."""
        sizes = self._sizes(batch, device)
        rows = torch.arange(self.rows, device=device).repeat_interleave(self.cols)
        cols = torch.arange(self.cols, device=device).repeat(self.rows)
        return (rows[None] < sizes[:, :1]) & (cols[None] < sizes[:, 1:])

    def _sizes(self, batch: int, device: Any) -> torch.Tensor:
        if self.sizes is not None:
            return self.sizes.to(device)
        return torch.tensor([[self.rows, self.cols]], device=device).expand(batch, 2)


def patch_layout(
    config: Any,
    pixel_values: torch.Tensor,
    image_grids: torch.Tensor | None = None,
    thumbnail_values: torch.Tensor | None = None,
) -> PatchLayout:
    """The :class:`PatchLayout` of a batch: the first view's square grid at fixed resolution;
    in native mode (``config.max_image_tokens``) the detail grid of the padded
    ``pixel_values``, after the thumbnail's tokens when the batch has thumbnails."""
    patch = config.vision_config.patch_size
    if not config.max_image_tokens:
        side = config.vision_config.image_size // patch
        return PatchLayout(0, side, side)
    assert image_grids is not None  # the image encoder refuses a native batch without them
    start = 0 if thumbnail_values is None else (thumbnail_values.shape[-1] // patch) ** 2
    rows, cols = pixel_values.shape[-2] // patch, pixel_values.shape[-1] // patch
    return PatchLayout(start, rows, cols, image_grids[:, :2])


def point_loss(
    pointer: TargetPointer,
    hidden: torch.Tensor,
    labels: torch.Tensor,
    layout: PatchLayout,
    points: torch.Tensor,
) -> torch.Tensor | None:
    """The grounding cross-entropy of a batch, or None when no row has a target in view.

    Args:
        hidden: (B, L, D) last hidden states of the whole sequence; ``layout`` says which
            positions are the patches to point at; the text comes last.
        labels: (B, T) the text positions' targets (-100 on the prompt): the query is the
            position before the first labelled one, whose hidden state predicts the action.
        points: (B, 2) the target's ``(x, y)`` as fractions of each row's patch grid (NaN:
            none): of the image at fixed resolution, of its padded detail grid in native mode
            (:meth:`vla.model.image_grid.ImageGrid.grid_fraction`).
    """
    logits, target, keep = _pointed(pointer, hidden, labels, layout, points)
    if not keep.any():
        return None
    return nn.functional.cross_entropy(logits[keep].float(), target[keep])


def pointer_hits(
    pointer: TargetPointer,
    hidden: torch.Tensor,
    labels: torch.Tensor,
    layout: PatchLayout,
    points: torch.Tensor,
) -> tuple[int, int]:
    """``(hits, rows)``: of the rows with a target in view, how many put their highest patch
    score on the target's patch (arguments as :func:`point_loss`)."""
    logits, target, keep = _pointed(pointer, hidden, labels, layout, points)
    hits = (logits.argmax(-1) == target) & keep
    return int(hits.sum()), int(keep.sum())


def _pointed(
    pointer: TargetPointer,
    hidden: torch.Tensor,
    labels: torch.Tensor,
    layout: PatchLayout,
    points: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(logits (B, P), target patch (B,), keep (B,))`` of :func:`point_loss`; a row's
    padding patches score -inf."""
    target = layout.target(points.to(torch.float32))
    labelled = labels != -100
    keep = (target >= 0) & labelled.any(-1)
    first = labelled.float().argmax(-1)  # index of the first labelled text position
    query_at = hidden.shape[1] - labels.shape[1] + first - 1
    rows = torch.arange(hidden.shape[0], device=hidden.device)
    patches = hidden[:, layout.start : layout.start + layout.patches]
    logits = pointer.scores(hidden[rows, query_at], patches)
    if layout.sizes is not None:
        logits = logits.masked_fill(~layout.valid(len(rows), logits.device), float("-inf"))
    return logits, target, keep


def with_point_loss(
    model: Any,
    loss: torch.Tensor | None,
    hidden: torch.Tensor,
    labels: torch.Tensor | None,
    points: torch.Tensor | None,
    images: tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None],
    goals: torch.Tensor | None = None,
) -> torch.Tensor | None:
    """``loss`` plus ``config.point_loss`` times :func:`point_loss` when the model has a
    :class:`TargetPointer` and the batch has target points (and likewise for the goal's
    pointer, ``config.point_goal``, and the batch's ``goals``); else ``loss`` unchanged.
    ``images``: the batch's ``(pixel_values, image_grids, thumbnail_values)``."""
    if loss is None or labels is None:
        return loss
    layout = patch_layout(model.config, *images)
    for name, where in (("target_pointer", points), ("goal_pointer", goals)):
        pointer = getattr(model, name, None)
        if pointer is None or where is None:
            continue
        extra = point_loss(pointer, hidden, labels, layout, where)
        if extra is not None:
            loss = loss + model.config.point_loss * extra
    return loss


def add_pointers(model: nn.Module, config: Any, dim: int) -> None:
    """The pointing parts ``config`` asks for, as ``model``'s submodules: ``target_pointer``
    (``point_loss`` or ``point_to_action``), ``pointed_action`` (``point_to_action``), and
    ``goal_pointer`` with ``goal_action`` (``point_goal``: where the motion ends, no state).
    Absent otherwise, so checkpoints saved without them load unchanged."""
    if config.point_loss or config.point_to_action:
        model.target_pointer = TargetPointer(dim)
    if config.point_to_action:
        model.pointed_action = PointedAction(dim, config.state_dim)
    if config.point_goal:
        model.goal_pointer = TargetPointer(dim)
        model.goal_action = PointedAction(dim, 0)


def first_view_patches(config: Any) -> int:
    """How many image tokens the first (or only) view has at fixed resolution."""
    vision = config.vision_config
    return int((vision.image_size // vision.patch_size) ** 2)


class PointedAction(nn.Module):
    """Where the model points, fused into the action positions (``config.point_to_action``).

    ``summary``: ``[expected (x, y) of the pointed patch, the state, its features]`` -> (D,);
    ``fuse``: ``h + mlp([h, summary])`` at each action position (zero at initialisation:
    call :meth:`reset` after the model's weight initialisation).
    """

    def __init__(self, dim: int, state_dim: int) -> None:
        super().__init__()
        self.state_dim = state_dim
        self.summary = nn.Sequential(
            nn.Linear(2 + state_dim + dim, dim), nn.GELU(), nn.Linear(dim, dim)
        )
        self.fuse = nn.Sequential(nn.Linear(2 * dim, dim), nn.GELU(), nn.Linear(dim, dim))

    def reset(self) -> None:
        """Make :meth:`fuse_into` the identity (the model starts as one without it)."""
        for param in self.fuse[-1].parameters():
            nn.init.zeros_(param)

    def memory(
        self,
        pointer: TargetPointer,
        hidden: torch.Tensor,
        query_at: torch.Tensor,
        patches: int,
        states: torch.Tensor | None,
    ) -> torch.Tensor:
        """(B, D) summary from the whole sequence's hidden states (B, L, D), the query's index
        (B,) in it, the first view's ``patches`` and the (B, state_dim) states (None: zeros)."""
        rows = torch.arange(hidden.shape[0], device=hidden.device)
        image = hidden[:, :patches]
        attn = pointer.scores(hidden[rows, query_at], image).float().softmax(-1)  # (B, P)
        xy = attn @ patch_centres(patches).to(attn.device)  # (B, 2)
        if states is None:
            states = hidden.new_zeros(hidden.shape[0], self.state_dim)
        pooled = torch.einsum("bp,bpd->bd", attn.to(image.dtype), image)
        return self.summary(torch.cat([xy.to(hidden.dtype), states.to(hidden.dtype), pooled], -1))

    def fuse_into(
        self, hidden: torch.Tensor, memory: torch.Tensor, where: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``hidden`` (B, T, D) with the summary fused in (only where ``where`` (B, T) is set)."""
        context = memory[:, None].expand_as(hidden)
        fused = hidden + self.fuse(torch.cat([hidden, context], dim=-1))
        return fused if where is None else torch.where(where[..., None], fused, hidden)


def patch_centres(patches: int) -> torch.Tensor:
    """(P, 2) ``(x, y)`` of each patch's centre of a square grid, as fractions, row-major."""
    grid = round(patches**0.5)
    cells = (torch.arange(grid, dtype=torch.float32) + 0.5) / grid
    ys, xs = torch.meshgrid(cells, cells, indexing="ij")
    return torch.stack([xs.flatten(), ys.flatten()], dim=-1)


def fuse_pointed(
    model: Any,
    hidden: torch.Tensor,
    input_ids: torch.Tensor,
    states: torch.Tensor | None,
    state_mask: torch.Tensor | None,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``(the text positions' hidden states, the pointed summary)`` of a full pass: ``hidden``
    (B, L, D) of the whole sequence, ``input_ids`` (B, T) its text. Without
    ``config.point_to_action`` the text's hidden states come back unchanged with None.

    The query is the last ``SEP`` of each row; the summary is fused from there on (the
    positions that predict the verb and its arguments). With ``config.point_goal`` the goal's
    pointer (no state) is fused after the first, and the summary is both, (B, 2D)."""
    n = input_ids.shape[1]
    text = hidden[:, -n:]
    head: PointedAction | None = getattr(model, "pointed_action", None)
    if head is None:
        return text, None
    positions = torch.arange(n, device=input_ids.device)
    sep = torch.where(input_ids == SEP, positions, -1).amax(-1).clamp(min=0)  # (B,)
    if states is not None and state_mask is not None:
        states = states * state_mask[:, None].to(states.dtype)
    query_at, patches = hidden.shape[1] - n + sep, first_view_patches(model.config)
    after = positions[None] >= sep[:, None]
    memory = head.memory(model.target_pointer, hidden, query_at, patches, states)
    text = head.fuse_into(text, memory, after)
    goal: PointedAction | None = getattr(model, "goal_action", None)
    if goal is not None:
        goal_memory = goal.memory(model.goal_pointer, hidden, query_at, patches, None)
        text = goal.fuse_into(text, goal_memory, after)
        memory = torch.cat([memory, goal_memory], dim=-1)
    return text, memory


def fuse_pointed_steps(
    model: Any, hidden: torch.Tensor, memory: torch.Tensor | None
) -> torch.Tensor:
    """``hidden`` (B, L, D) of an incremental decode step (every position an action one) with
    the prefix's pointed summary fused in; unchanged without ``config.point_to_action``."""
    head: PointedAction | None = getattr(model, "pointed_action", None)
    if head is None:
        return hidden
    if memory is None:
        raise ValueError(
            "this model points to act: pass the prefix pass's `point_memory` "
            "(VLAOutput.point_memory) to decode_step"
        )
    goal: PointedAction | None = getattr(model, "goal_action", None)
    if goal is None:
        return head.fuse_into(hidden, memory)
    first, second = memory.chunk(2, dim=-1)
    return goal.fuse_into(head.fuse_into(hidden, first), second)
