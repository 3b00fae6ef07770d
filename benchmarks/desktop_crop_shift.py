"""How far a desktop actor's page crop may be off before its first click goes wrong.

    python benchmarks/desktop_crop_shift.py --checkpoint vla-desktop-tiny --episodes 5

On each suite task's first ``--episodes`` seeds (``--seed``, default 300000: none of the
recipes' training or evaluation seeds), the actor of a two-pass checkpoint (its ``actor/``) is
shown the task's page cut from the screen as ``FocusPolicy`` cuts it, but around the *true* task
area moved by ``(dx, dy)`` pixels (both from -8 to 8 in steps of 2), as a locator's error moves
it. Its first action, shifted back to the screen, is compared with the DOM expert's first action
on the same screen: a hit is the same verb and, for a point action, within ``--tolerance``
pixels. Per task and per move size (the larger of ``|dx|`` and ``|dy|``) it prints the share of
hits; the same expert also checks the unmoved crop (``0``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

MOVES = tuple(range(-8, 9, 2))


def hit(action: Any, expert: Any, tolerance: float) -> bool:
    """Same verb, and each point of a point action within ``tolerance`` pixels."""
    from vla.actions import POINT_FIELDS

    if type(action) is not type(expert):
        return False
    for fx, fy in POINT_FIELDS.get(type(action), ()):
        dx = getattr(action, fx) - getattr(expert, fx)
        dy = getattr(action, fy) - getattr(expert, fy)
        if (dx * dx + dy * dy) ** 0.5 > tolerance:
            return False
    return True


def task_rows(actor: Any, task: str, args: argparse.Namespace) -> dict[int, list[bool]]:
    """Hits of ``actor`` by move size on one task's seeds."""
    import gymnasium as gym
    import numpy as np

    import vla.envs  # noqa: F401  (registers the suite)
    from vla.datasets import make_expert
    from vla.envs.desktop.locate import task_box
    from vla.envs.desktop.views import render_view, shift_action

    env = gym.make(f"vla/desktop-miniwob-{task}-v0")
    expert = make_expert(env)
    rows: dict[int, list[bool]] = {}
    try:
        for seed in range(args.seed, args.seed + args.episodes):
            obs, info = env.reset(seed=seed)
            expert.reset()
            want = expert.act(obs, info)
            image = np.asarray(obs["image"])
            x0, y0, x1, y1 = task_box(info, env.unwrapped.mapping)
            w, h = round(x1 - x0), round(y1 - y0)
            for dy in MOVES:
                for dx in MOVES:
                    view = (round(x0) + dx, round(y0) + dy, w, h)
                    got = actor.act(render_view(image, view, None), obs["instruction"])
                    got = shift_action(got, view[0], view[1])
                    rows.setdefault(max(abs(dx), abs(dy)), []).append(
                        hit(got, want, args.tolerance)
                    )
    finally:
        env.close()
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", default="vla-desktop-tiny", help="a two-pass checkpoint")
    p.add_argument("--tasks", nargs="*", default=None, help="default: the desktop suite's")
    p.add_argument("--episodes", type=int, default=5)
    p.add_argument("--seed", type=int, default=300_000)
    p.add_argument("--tolerance", type=float, default=8.0, help="pixels")
    p.add_argument("--out", type=Path, default=None, help="also write the rows as JSON")
    args = p.parse_args()

    from vla import Policy
    from vla.hub import FOCUS_FILE, resolve_checkpoint
    from vla.release.tasks import DESKTOP_TASKS

    folder = Path(resolve_checkpoint(args.checkpoint))
    focus = json.loads((folder / FOCUS_FILE).read_text())
    actor = Policy.from_pretrained(folder / focus["actor"], device="cpu")
    sizes = sorted({max(abs(dx), abs(dy)) for dx in MOVES for dy in MOVES})
    print(f"| task | {' | '.join(f'move {s} px' for s in sizes)} |")
    print(f"|---|{'---:|' * len(sizes)}")
    table = {}
    for task in args.tasks or DESKTOP_TASKS:
        rows = task_rows(actor, task, args)
        table[task] = {s: sum(rows[s]) / len(rows[s]) for s in sizes}
        print(f"| {task} | {' | '.join(f'{100 * table[task][s]:.0f}%' for s in sizes)} |")
    mean = {s: sum(t[s] for t in table.values()) / len(table) for s in sizes}
    print(f"| mean | {' | '.join(f'{100 * mean[s]:.0f}%' for s in sizes)} |")
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "checkpoint": str(folder),
                    "args": vars(args) | {"out": str(args.out)},
                    "tasks": table,
                    "mean": mean,
                },
                indent=1,
                default=str,
            )
        )


if __name__ == "__main__":
    main()
