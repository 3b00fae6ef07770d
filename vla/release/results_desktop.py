"""The desktop part of docs/results.md (issue 19): the shipped ``vla-desktop-tiny`` on the
desktop suite, task by task beside its actor's headless numbers on the same tasks, kept beside
:mod:`vla.release.results`, which renders it."""

from __future__ import annotations

from typing import Any

from vla.release.model_card import eval_table
from vla.release.recipe_actor import headless_env_id

__all__ = ["DESKTOP_GAP_TARGET", "DESKTOP_NOTES", "desktop_section"]

#: Issue 19: success on the desktop suite within this many points of the same tasks headless.
DESKTOP_GAP_TARGET = 0.05


def _comparison(desktop: dict[str, Any], actor: dict[str, Any]) -> str:
    """Per task: desktop success, the actor's own headless success (its ``eval_info.json``), the
    gap."""
    rows = [
        "| task | desktop suite (1920x1080) | headless (its actor) | gap | within 5 points |",
        "|---|---:|---:|---:|:---:|",
    ]
    gaps = []
    for env_id, task in desktop.get("tasks", {}).items():
        headless = actor.get("tasks", {}).get(headless_env_id(env_id))
        if headless is None:
            rows.append(f"| `{env_id}` | {task['success_rate']:.0%} | - | - | - |")
            continue
        gap = task["success_rate"] - headless["success_rate"]
        gaps.append(gap)
        met = "yes" if gap >= -DESKTOP_GAP_TARGET else "**no**"
        rows.append(
            f"| `{env_id}` | {task['success_rate']:.0%} | {headless['success_rate']:.0%} | "
            f"{100 * gap:+.0f} | {met} |"
        )
    if gaps:
        rows.append(f"| mean | | | {100 * sum(gaps) / len(gaps):+.1f} | |")
    return "\n".join(rows) + "\n"


def desktop_section(desktop: dict[str, Any], actor: dict[str, Any], notes: str) -> str:
    """The section's Markdown: the eval table, the comparison with its actor's headless eval
    (``actor``), then ``notes``."""
    if not desktop:
        return f"## Desktop: `vla-desktop-tiny` on the desktop suite\n\nNot shipped yet.\n\n{notes}"
    return f"""## Desktop: `vla-desktop-tiny` on the desktop suite

A whole 1920x1080 screen with the task's Chromium window among distractor windows
(`vla/desktop-miniwob-<task>-v0`, docs/desktop.md). The checkpoint is two passes
(`FocusPolicy`): its own locator (vla-tiny, trained on `vla/desktop-locate-miniwob-<task>-v0`)
names the task's box in views that zoom in on each answer (3x, then 1.5x), and its actor acts
on a 160x210 crop centred on the box, at native resolution. The actor is `vla-browser-tiny`
trained 1000 more steps on its own recipe's data with pages moved by up to 12 px and a random
colour where the page ends (`--augment screen`, the recipe's `actor` stage), and on page crops
of the suite's own screens (`vla/desktop-page-miniwob-<task>-v0`, 900 expert episodes), kept in the
checkpoint's `actor/` folder (a browser retrain leaves it as it is). Same seeds and step limit
as the headless evaluation.

{eval_table(desktop)}
Against the same tasks headless, by that actor (its `actor/eval_info.json`; issue 19's target:
within {100 * DESKTOP_GAP_TARGET:.0f} points):

{_comparison(desktop, actor)}
{notes}"""


#: What the measurements of the desktop checkpoint say (kept with the generator).
DESKTOP_NOTES = """\
How the recipe got here (docs/benchmarks.md, "Desktop coarse to fine", 10 tasks x 10 unseen
seeds; `benchmarks/desktop_locate.py`, `benchmarks/desktop_suite.py`):

| step | locator's corner error, median (px) | success on 4 tasks, whole screen |
|---|---:|---:|
| `vla-browser-tiny` alone on the whole screen | - | 0% |
| locator on 70 window layouts shared by the tasks (memorised them), 3x zoom | 70.1 | - |
| + 1000 layouts of their own, 3x zoom, actor on the box | 14.1 | 55% |
| the recipe today (1650 layouts, views zoomed 3x then 1.5x), 3x zoom only, actor on the box | 8.1 | 72.5% |
| the same, both zooms, actor on the box | 5.2 | 62.5% |
| the same, both zooms, actor on a 160x210 page crop centred on the box (the chain shipped) | 5.2 (centre 2.7) | 85% |

The four tasks are click-test, focus-text, click-dialog-2 and enter-date (40 episodes a row,
so differences under about 10 points are noise); the same actor headless: 97.5%.

Since 2026-12-03 the checkpoint locates the task once per episode, at its first action, and
keeps that box for the episode (`focus.json` `"locate_once": true`; the window does not move
during an episode). Against locating at every action, on the shipped evaluation's first 20
seeds of each task (`python benchmarks/desktop_locate_once.py --episodes 20`): 161 of 200
episodes against 149, 12 won and none lost (enter-time 13 -> 19, choose-list 3 -> 8,
enter-date 18 -> 19; the other tasks unchanged). A multi-step episode no longer meets a new
box error at every step, and an action after the first costs the actor's pass alone.

An actor for crops a few pixels off (2026-12-06). Until then the actor was a plain copy of
`vla-browser-tiny`, trained on pages moved by at most 6 px with the page border's colour where
the move uncovers the image. On the desktop a crop 2 px off shows the edge of another window or
of the browser's grey background there, and that actor then clicked the bottom of the page:
on focus-text its first click agreed with the DOM expert's (same verb, within 8 px) at 100% of
unmoved crops and 35% of crops moved by 2 px (`python benchmarks/desktop_crop_shift.py
--checkpoint vla-desktop-tiny --episodes 5`: each suite task's first 5 seeds from 300000, the
crop cut around the true task area moved by -8..8 px). On one such screen (focus-text, seed 100010)
painting those edge pixels white put the click back on the input at each of the five moves
tried. `--augment screen` (moves of up to 12 px, half of them with a random
colour where the page ends) for 1000 steps at a peak learning rate of 3e-4 on the browser
recipe's seven datasets, from the shipped `vla-browser-tiny`, gives the agreement below:

| actor | unmoved | moved 2 px | 4 px | 6 px | 8 px |
|---|---:|---:|---:|---:|---:|
| the 2026-12-02 browser checkpoint (shipped until now) | 82% | 70% | 59% | 42% | 21% |
| the shipped `vla-browser-tiny`, trained further with `--augment screen` (shipped 2026-12-06) | 98% | 98% | 98% | 90% | 79% |
| the same, with the suite's page crops among its data (shipped 2026-12-07, below) | 100% | 98% | 97% | 94% | 87% |

On the 100 evaluation seeds the suite went from 80.7% to 88.4% (focus-text 73% -> 100%,
click-dialog 66% -> 100%, click-dialog-2 76% -> 99%, focus-text-2 78% -> 98%), and the same
actor headless scores 96.8% on the 10 tasks (`actor/eval_info.json`; 94.1% for the browser
checkpoint it started from), so the mean gap is 8.4 points against 14.5. Eight tasks are within
5 points. Two are not:

- choose-list (32% against 97% headless): clicking its `<select>` opens headful Chromium's own
  pop-up list over the page (seen in the evaluation's replays), which a headless screenshot
  never shows, so the actor, trained headless, has never seen an open list: it clicks an item
  of it (usually the selected one) where the expert types the item's name and presses Enter.
- enter-date (66% against 80%): 17 of its 34 failures fail headless too; in the others the
  actor clicks into the field and then clicks again or submits instead of typing the date.

Closing both needed actor training on desktop screens, which the next paragraph adds.

The actor on the suite's own page crops (2026-12-07). `vla/desktop-page-miniwob-<task>-v0`
shows a suite episode through the page crop the actor is given (the true task area moved by
up to 6 px per axis, once per episode), actions in the crop's pixels run on the screen, and the
suite task's DOM expert moved into the crop labels it (docs/desktop.md). The recipe's actor stage
now also collects 50 expert episodes of each of the 10 tasks on it and 250 more of choose-list
and enter-date (900 episodes, 2650 frames, each task on window layouts of its own, seeds
400000 and up), and trains the same 1000 steps on them with the browser recipe's seven datasets.
On the same 100 seeds per task: the suite 88.4% -> 97.5% (choose-list 32% -> 97%, enter-date
66% -> 86%, scroll-text-2 95% -> 100%, focus-text-2 98% -> 100%; focus-text 100% -> 99%), the
same actor headless 96.8% -> 98.4% (enter-date 80% -> 90%, choose-list 97% -> 100%), so every
task is within 5 points of its headless number (mean gap -0.9 points against -8.4). Command:
`python -m vla.release.recipes vla-desktop-tiny --stages actor,eval,ship` on a root whose
`vla-browser-tiny/` holds the browser recipe's datasets (the actor stage: 1956 s, of which the
collections about 1000 s and the training 820 s; the suite evaluation 1086 s).

Click error against the DOM expert's click on the same state (`benchmarks/desktop_suite.py
--policy vla-desktop-tiny`, 10 tasks x 10 seeds, every click pooled; docs/benchmarks.md,
"Desktop suite"): median 2.0 px at 1920x1080 (issue 19's 2 px: met) and 5.0 screen px (2.5
logical) on a 2x HiDPI screen (missed), where since 2026-12-07 the actor is shown the 320x420
page crop halved to the 160x210 it was trained on (before: 18-30 px, and 80% success on six
tasks against 95% now).

Batch-1 cost of an action on this CPU with nothing else running and the policy on one torch
thread (`benchmarks/desktop_suite.py --policy vla-desktop-tiny --seeds 5 --max-steps 10
--skip-expert --tasks click-test focus-text enter-date click-dialog-2`): an episode's first
action (three locator passes and the actor's) 55.1 and 54.8 ms median in two runs (p90 58.6),
each later one 23-28 ms (the actor's pass), 45.5-45.6 ms per action on average, against issue
19's 60 ms: met for the first action and per action. Two changes of 2026-12-07 (twenty-first
session) got it there, each measured against the code before it in back-to-back runs of that
command on the same machine: the views are resized by torch's antialiased uint8 kernel instead
of PIL's bilinear resize, the same pixels to within one grey level (`benchmarks/view_resize.py`:
the whole 1080p screen into the locator's 256x256 view 1.2 ms instead of 6.8, a 2x HiDPI screen
3.1 ms instead of 43), first action 69.8 / 72.2 -> 62.2 / 62.0 / 60.8 ms; and the decode runs
under `torch.inference_mode` instead of `no_grad` (`benchmarks/decode_grad_mode.py`), 59.3 /
58.1 -> 55.1 / 54.8 ms (an earlier run of the code before both: 80.5 ms; this virtual machine's
speed varies by that much between runs). The 170 ms
recorded before came from runs with torch's default of two threads beside the suite's X server
and browsers on a shared machine (with two threads and nothing else running: 75.9 ms first,
30.2 ms later; under load two threads thrash). The table above gives each task's median and
mean per action in the evaluation (two episodes sharing the two cores).

Before the actor stage, the browser checkpoint of 2026-12-05 (night) as the actor did worse on
the same 100 seeds than the 2026-12-02 one the checkpoint then kept: 73.5% against 80.7%, for
94.1% headless, a gap of 20.6 points (the crop-edge failure above). Command: a copy of
`vla/checkpoints/vla-desktop-tiny` with `vla/checkpoints/vla-browser-tiny` as its `actor/`, then
`vla eval --policy COPY` on the 10 suite envs with `--episodes 100 --seed-start 100000 --workers
2 --max-steps 25`.
"""
