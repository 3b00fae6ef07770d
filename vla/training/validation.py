"""Validation on held-out episodes: teacher-forced loss and action-token accuracy over the whole
split, then closed-form decoding of a subset through :class:`vla.Policy` to measure what the
actions would do: click distance in pixels (UI) and per-dimension absolute error (robot)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from vla.actions import ROBOT_ACTIONS, Action, action_points

#: a batch's image inputs, in the order the model's image encoders take them
_IMAGE_KEYS = ("pixel_values", "image_grids", "thumbnail_values")

__all__ = [
    "action_errors",
    "decode_metrics",
    "format_validation",
    "image_spread",
    "relative_spread",
    "teacher_forced_metrics",
    "token_accuracy",
]


def token_accuracy(logits: Any, labels: Any) -> tuple[int, int]:
    """(correct, total) greedy predictions on label positions.

    Hugging Face convention: ``labels`` align with ``input_ids`` and position ``t`` of ``logits``
    predicts token ``t + 1``; positions labelled -100 are ignored. Shapes: logits (B, T, V),
    labels (B, T).
    """
    pred = logits[:, :-1].argmax(-1)  # (B, T-1)
    target = labels[:, 1:]
    mask = target != -100
    return int(((pred == target) & mask).sum()), int(mask.sum())


def teacher_forced_metrics(model: Any, loader: Any, device: Any) -> dict[str, float]:
    """Mean loss (per batch) and action-token accuracy over every batch of ``loader``; with
    batches that say where the named object is (``target_points``) and a model trained to
    point at it (``point_loss``), ``val/point_accuracy``: how often its top patch is the
    object's (``val/goal_accuracy``: the same of the goal's pointer, ``point_goal``); with
    ``word_labels`` and a model trained to read (``read_loss``), ``val/read_accuracy``: the
    share of the words' bytes its patches name right. The loss is the action loss alone either
    way. ``val/image_spread`` (:func:`image_spread` of the first batch): near 0 when the vision
    tower has collapsed and gives every image the same tokens (the policy is then blind)."""
    import torch

    losses, correct, total, spread = [], 0, 0, math.nan
    pointed, goaled, read = (np.zeros(2, dtype=np.int64) for _ in range(3))
    model.eval()
    with torch.no_grad():
        for batch in loader:
            batch = {k: v.to(device) if hasattr(v, "to") else v for k, v in batch.items()}
            if math.isnan(spread):
                spread = image_spread(model, batch)
            points, words = batch.pop("target_points", None), batch.pop("word_labels", None)
            goals = batch.pop("goal_points", None)
            with _last_hidden(model, points, words) as hidden:
                out = model(**batch)
            losses.append(float(out.loss))
            c, t = token_accuracy(out.logits, batch["labels"])
            correct, total = correct + c, total + t
            if hidden:
                pointed += _pointer_hits(model, hidden[0], batch, points)
                goaled += _pointer_hits(model, hidden[0], batch, goals, "goal_pointer")
                read += _read_hits(model, hidden[0], batch, words)
    metrics = {
        "val/loss": float(np.mean(losses)) if losses else math.nan,
        "val/token_accuracy": correct / total if total else math.nan,
        "val/image_spread": spread,
    }
    for name, (hits, rows) in (("point", pointed), ("goal", goaled), ("read", read)):
        if rows:
            metrics[f"val/{name}_accuracy"] = int(hits) / int(rows)
    return metrics


def image_spread(model: Any, batch: dict[str, Any]) -> float:
    """How much the model's image tokens differ between the batch's images: the norm of their
    deviation from the batch mean, relative to their norm (0: every image gives the same
    tokens). A vision tower that sees gives 0.15-0.6 on browser pages; the blind browser runs
    of 2026-12-04 gave under 0.02 (docs/benchmarks.md, "Is the model looking?")."""
    tokens, _ = model.encode_image_masked(
        *(batch.get(k) for k in _IMAGE_KEYS), view_mask=batch.get("view_mask")
    )
    return relative_spread(tokens)


def relative_spread(x: Any) -> float:
    """The norm of ``x``'s deviation from its mean over the first axis, relative to its norm."""
    x = x.float()
    return float((x - x.mean(0)).norm() / x.norm().clamp(min=1e-12))


@contextlib.contextmanager
def _last_hidden(model: Any, points: Any, words: Any = None) -> Iterator[list[Any]]:
    """Collects the language model's last hidden states of the forward pass run inside (only
    when there are target points and the model has a pointer, or word labels and a reader;
    else the list stays empty)."""
    seen: list[Any] = []
    pointer = points is not None and getattr(model, "target_pointer", None) is not None
    if not pointer and (words is None or getattr(model, "word_reader", None) is None):
        yield seen
        return
    hook = model.language_model.model.register_forward_hook(
        lambda _module, _args, output: seen.append(output.last_hidden_state)
    )
    try:
        yield seen
    finally:
        hook.remove()


def _pointer_hits(
    model: Any, hidden: Any, batch: dict[str, Any], points: Any, name: str = "target_pointer"
) -> tuple[int, int]:
    from vla.model.grounding_vla import patch_layout, pointer_hits

    pointer = getattr(model, name, None)
    if points is None or pointer is None:
        return 0, 0
    layout = patch_layout(model.config, *(batch.get(k) for k in _IMAGE_KEYS))
    return pointer_hits(pointer, hidden, batch["labels"], layout, points)


def _read_hits(model: Any, hidden: Any, batch: dict[str, Any], words: Any) -> tuple[int, int]:
    from vla.model.grounding_vla import patch_layout
    from vla.model.reading_vla import read_hits

    if words is None or getattr(model, "word_reader", None) is None:
        return 0, 0
    layout = patch_layout(model.config, *(batch.get(k) for k in _IMAGE_KEYS))
    return read_hits(model.word_reader, hidden, layout, words)


def action_errors(pred: Action, target: Action) -> dict[str, Any]:
    """How far ``pred`` is from ``target``: ``verb_ok``, ``exact`` (same dataclass values),
    ``click_px`` (mean Euclidean pixel distance of the points, UI, same verb only) and
    ``abs_err`` (per-dimension absolute error of the vector, robot, same verb only)."""
    out: dict[str, Any] = {"verb_ok": pred.verb == target.verb, "exact": pred == target}
    if not out["verb_ok"]:
        return out
    if isinstance(target, ROBOT_ACTIONS):
        out["abs_err"] = np.abs(np.subtract(pred.vector, target.vector))
    elif action_points(target):
        pairs = zip(action_points(pred), action_points(target), strict=True)
        dists = [math.dist(p, q) for p, q in pairs]
        out["click_px"] = float(np.mean(dists))
    return out


def decode_metrics(policy: Any, items: Sequence[dict[str, Any]], batch_size: int = 32) -> dict:
    """Decode ``items`` (dataset items) with ``policy.act_batch`` and summarise
    :func:`action_errors`: verb accuracy, exact-match rate, mean and median click distance (px),
    share of clicks within 5 px, and the robot per-dimension mean absolute error."""
    errors = []
    for i in range(0, len(items), batch_size):
        chunk = items[i : i + batch_size]
        states = [it.get("state") for it in chunk]
        names = getattr(policy, "view_names", ())  # a model with camera views: hand them over
        views = [
            {k: v for k, v in it["images"].items() if k in names} if "images" in it else None
            for it in chunk
        ]
        extra: dict[str, Any] = {"views": views} if names else {}
        if any("history" in it for it in chunk):  # a model that reads its previous actions
            extra["histories"] = [it.get("history") for it in chunk]
        preds = policy.act_batch(
            [it["image"] for it in chunk],
            [it["instruction"] for it in chunk],
            states=None if all(s is None for s in states) else states,
            **extra,
        )
        errors += [action_errors(p, it["action"]) for p, it in zip(preds, chunk, strict=True)]
    if not errors:
        return {}
    out: dict[str, Any] = {
        "val/verb_accuracy": float(np.mean([e["verb_ok"] for e in errors])),
        "val/exact_match": float(np.mean([e["exact"] for e in errors])),
        "val/decoded": len(errors),
    }
    px = [e["click_px"] for e in errors if "click_px" in e]
    if px:
        out["val/click_px_mean"] = float(np.mean(px))
        out["val/click_px_median"] = float(np.median(px))
        out["val/click_within_5px"] = float(np.mean(np.asarray(px) <= 5.0))
    abs_err = [e["abs_err"] for e in errors if "abs_err" in e]
    if abs_err and len({len(a) for a in abs_err}) == 1:
        out["val/action_abs_err"] = np.mean(abs_err, axis=0).round(5).tolist()
    return out


# (metrics key, label, format): the order and rounding of a validation line
_LINE = (
    ("val/loss", "loss", "{:.3f}"),
    ("val/token_accuracy", "token acc", "{:.1%}"),
    ("val/verb_accuracy", "verb acc", "{:.1%}"),
    ("val/exact_match", "exact", "{:.1%}"),
    ("val/click_px_median", "click err median", "{:.1f} px"),
    ("val/click_px_mean", "mean", "{:.1f} px"),
    ("val/click_within_5px", "within 5 px", "{:.0%}"),
    ("val/point_accuracy", "points at the target", "{:.0%}"),
    ("val/goal_accuracy", "at the goal", "{:.0%}"),
    ("val/read_accuracy", "reads the words", "{:.0%}"),
    ("val/image_spread", "image spread", "{:.3f}"),
)


def format_validation(step: int, metrics: dict[str, Any]) -> str:
    """One rounded line for people, e.g. ``val step 2000: loss 0.412, token acc 93.1%, click err
    median 3.2 px, ...``; the robot per-dimension error is in the units of the action vector
    (metres / radians for ``EEDelta``) with 4 significant digits. Missing or non-finite values
    are left out; the exact numbers stay in ``metrics.jsonl``."""
    parts = []
    for key, label, fmt in _LINE:
        value = metrics.get(key)
        if isinstance(value, (int, float)) and math.isfinite(value):
            parts.append(f"{label} {fmt.format(value)}")
    abs_err = metrics.get("val/action_abs_err")
    if abs_err:
        parts.append("abs err per dim [" + ", ".join(f"{v:.4g}" for v in abs_err) + "]")
    line = f"val step {step}: " + (", ".join(parts) if parts else "no validation metrics")
    if "val/time_s" in metrics:
        line += f" ({metrics['val/time_s']:.1f} s)"
    return line
