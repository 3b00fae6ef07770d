"""Does a browser policy's first click depend on the page? (issue 13)

A policy that clicks the target must click elsewhere when the target is elsewhere. For each
unseen seed this asks the policy for its first action twice: on the episode's own first
observation, and on that episode's page with the first seed's instruction (so only the pixels
differ). Per task it prints the spread (standard deviation over the seeds, pixels, x / y) of
the DOM expert's first clicks (how much the page moves the target), of the policy's first
clicks, and of the policy's clicks when only the page changes, with the policy's median error
against the expert. A policy whose clicks move less than a tenth of the expert's when only the
page changes is called blind: it clicks from the instruction alone. The last column says where
the sight is lost: the spread of the model's image tokens over the seeds' pages, relative to
their size (a tower that sees gives 0.3-0.7 here; the blind runs of 2026-12-04 gave under 0.01:
their vision tower maps every page to nearly the same tokens). A whole recipe evaluation takes
most of an hour; this takes seconds per task, so a blind run is caught before it. ``--layers``
prints the spread after each stage of the vision path instead, on the first task's pages.

    python benchmarks/ui_looks.py --policy runs/recipes/vla-browser-tiny/train \\
        --task click-test --task focus-text --task click-button --seeds 20
    python benchmarks/ui_looks.py --policy vla-browser-tiny --task click-test --layers
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np

#: Blind: the clicks move less than this share of the expert's when only the page changes.
BLIND_SHARE = 0.1


def first_steps(env_id: str, seeds: Sequence[int]) -> list[tuple[dict[str, Any], Any, Any]]:
    """Per seed, ``(first observation, the DOM expert's first action, the env's action space)``."""
    import gymnasium as gym

    import vla.envs  # noqa: F401  (registers the envs)
    from vla.datasets.experts import make_expert

    env = gym.make(env_id)
    try:
        out = []
        for seed in seeds:
            obs, info = env.reset(seed=seed)
            out.append((obs, make_expert(env).act(obs, info), env.action_space))
        return out
    finally:
        env.close()


def looks(expert: np.ndarray, own: np.ndarray, pixels_only: np.ndarray) -> dict[str, Any]:
    """The spreads (x / y pixels) and the verdict from (N, 2) first-click points: the expert's,
    the policy's, and the policy's with only the page changing (NaN rows: not a click)."""

    def spread(points: np.ndarray) -> list[float]:
        return [round(float(v), 2) for v in np.nanstd(points, axis=0)]

    target, moved = spread(expert), spread(pixels_only)
    error = np.linalg.norm(own - expert, axis=1)
    return {
        "expert_spread_px": target,
        "policy_spread_px": spread(own),
        "pixels_only_spread_px": moved,
        "median_error_px": round(float(np.nanmedian(error)), 2)
        if np.isfinite(error).any()
        else None,
        "blind": sum(moved) < BLIND_SHARE * sum(target),
    }


def token_spread(policy: Any, images: Sequence[Any], instruction: str) -> float:
    """How much the model's image tokens differ between ``images`` (0: the same tokens):
    ``val/image_spread`` of training validation on these images."""
    import torch

    from vla.training.validation import image_spread

    batch = policy.processor(list(images), [instruction] * len(images))
    with torch.no_grad():
        return round(image_spread(policy.model, batch), 4)


def layer_spreads(policy: Any, images: Sequence[Any], instruction: str) -> dict[str, float]:
    """:func:`token_spread`'s measure after each stage of a fixed-resolution vision path: the
    patch embedding (conv stem and positions), the vision tower, the projected image tokens."""
    import torch

    model = policy.model
    if model.config.max_image_tokens or model.config.view_names:
        raise SystemExit("--layers reads a fixed-resolution, single-view model")
    from vla.training.validation import relative_spread

    pixels = policy.processor(list(images), [instruction] * len(images))["pixel_values"]

    def spread(x: Any) -> float:
        return round(relative_spread(x), 4)

    with torch.no_grad():
        tower = model.vision_tower
        return {
            "patch embedding": spread(tower.embeddings(pixels)),
            "vision tower": spread(tower(pixel_values=pixels).last_hidden_state),
            "image tokens": spread(model.encode_image(pixels)),
        }


def first_click(action: Any) -> tuple[float, float]:
    """Where an action first acts (a click's point, a drag's start); NaN when it does not."""
    from vla.actions import action_points

    points = action_points(action)
    return points[0] if points else (float("nan"), float("nan"))


def task_looks(policy: Any, env_id: str, seeds: Sequence[int]) -> dict[str, Any]:
    """:func:`looks` of ``policy`` on ``env_id``'s first steps at ``seeds``."""
    steps = [s for s in first_steps(env_id, seeds) if not np.isnan(first_click(s[1])).any()]
    if len(steps) < 2:
        raise SystemExit(f"{env_id}: the expert's first action is not a click on these seeds")
    first = steps[0][0]["instruction"]

    def act(obs: dict[str, Any], text: str, space: Any) -> tuple[float, float]:
        spec = getattr(space, "spec", None)
        return first_click(policy.act(obs["image"], text, obs.get("state"), space=spec, history=[]))

    result = looks(
        np.array([first_click(a) for _, a, _ in steps]),
        np.array([act(o, o["instruction"], s) for o, _, s in steps]),
        np.array([act(o, first, s) for o, _, s in steps]),
    )
    return {
        **result,
        "token_spread": token_spread(policy, [o["image"] for o, _, _ in steps], first),
    }


def main() -> None:
    from vla import Policy

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--policy", default="vla-browser-tiny", help="Shipped name or run folder.")
    p.add_argument("--task", action="append", required=True, help="MiniWoB++ task name")
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--seed-start", type=int, default=100_000)
    p.add_argument("--layers", action="store_true", help="where the first task's pages blur")
    args = p.parse_args()
    policy = Policy.from_pretrained(args.policy)
    seeds = range(args.seed_start, args.seed_start + args.seeds)
    if args.layers:
        steps = first_steps(f"vla/miniwob-{args.task[0]}-v0", seeds)
        pages, text = [o["image"] for o, _, _ in steps], steps[0][0]["instruction"]
        print(f"spread of {args.task[0]}'s pages by stage:", layer_spreads(policy, pages, text))
        return
    print(f"{args.policy}, first clicks of {args.seeds} seeds from {args.seed_start} (px, x / y)")
    print(
        "| task | expert's spread | policy's | only the page changing | median error | blind "
        "| image tokens' spread |"
    )
    print("|---|---:|---:|---:|---:|:---:|---:|")
    for task in args.task:
        r = task_looks(policy, f"vla/miniwob-{task}-v0", seeds)
        cells = [" / ".join(f"{v:.1f}" for v in r[k]) for k in list(r)[:3]]
        print(
            f"| {task} | {' | '.join(cells)} | {r['median_error_px']} | "
            f"{'**yes**' if r['blind'] else 'no'} | {r['token_spread']} |"
        )


if __name__ == "__main__":
    main()
