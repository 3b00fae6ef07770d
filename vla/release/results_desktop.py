"""The desktop part of docs/results.md (issue 19): the shipped ``vla-desktop-tiny`` on the
desktop suite, task by task beside its actor's headless numbers on the same tasks, kept beside
:mod:`vla.release.results`, which renders it."""

from __future__ import annotations

from typing import Any

from vla.release.model_card import eval_table

__all__ = ["DESKTOP_GAP_TARGET", "DESKTOP_NOTES", "desktop_section"]

#: Issue 19: success on the desktop suite within this many points of the same tasks headless.
DESKTOP_GAP_TARGET = 0.05


def _comparison(desktop: dict[str, Any], browser: dict[str, Any]) -> str:
    """Per task: desktop success, the shipped browser checkpoint's headless success, the gap."""
    rows = [
        "| task | desktop suite (1920x1080) | headless (`vla-browser-tiny`) | gap | within 5 points |",
        "|---|---:|---:|---:|:---:|",
    ]
    gaps = []
    for env_id, task in desktop.get("tasks", {}).items():
        headless = browser.get("tasks", {}).get(
            env_id.replace("vla/desktop-miniwob-", "vla/miniwob-")
        )
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


def desktop_section(desktop: dict[str, Any], browser: dict[str, Any], notes: str) -> str:
    """The section's Markdown: the eval table, the comparison with headless, then ``notes``."""
    if not desktop:
        return f"## Desktop: `vla-desktop-tiny` on the desktop suite\n\nNot shipped yet.\n\n{notes}"
    return f"""## Desktop: `vla-desktop-tiny` on the desktop suite

A whole 1920x1080 screen with the task's Chromium window among distractor windows
(`vla/desktop-miniwob-<task>-v0`, docs/desktop.md). The checkpoint is two passes
(`FocusPolicy`): its own locator (vla-tiny, trained on `vla/desktop-locate-miniwob-<task>-v0`)
names the task's box in views that zoom in on each answer, and a copy of `vla-browser-tiny`
acts inside the box cut at native resolution. Same seeds and step limit as the headless
evaluation.

{eval_table(desktop)}
Against the same tasks headless (issue 19's target: within {DESKTOP_GAP_TARGET:.0%} points):

{_comparison(desktop, browser)}
{notes}"""


#: What the measurements of the desktop checkpoint say (kept with the generator).
DESKTOP_NOTES = """\
Measured so far (2026-12-03), the two-pass policy of docs/desktop.md with the locator trained by
the `vla-desktop-tiny` recipe (1200 steps, 1750 suite screens shown as whole-screen and zoomed
views) and the shipped `vla-browser-tiny` as the actor, 10 unseen seeds per task, at most 10
steps (`python benchmarks/desktop_suite.py --policy runs/locate/focus2 --tasks click-test
focus-text click-dialog-2 enter-date --seeds 10 --max-steps 10 --skip-expert`):

| task | whole screen, two passes | the same actor headless | `vla-browser-tiny` on the whole screen (docs/benchmarks.md, 5 steps) |
|---|---:|---:|---:|
| click-test | 70% | 100% | 0% |
| focus-text | 30% | 100% | 0% |
| click-dialog-2 | 60% | 90% | - |
| enter-date | 60% | 100% | - |

Issue 19's target (within 5 points of headless) is missed, and the reason is measured: the
locator's box is still 14 px off at its worst corner (median over 10 tasks x 10 seeds; 35 px
after the whole-screen pass alone, `benchmarks/desktop_locate.py --locator
runs/locate/train2 --chain "" --chain 3 --chain 3,1.5`), while the actor was trained on pages
moved by at most 6 px. The locator's errors fell with the number of distinct window layouts
it saw: trained on 70 layouts (the first three collections, whose seeds repeat across the
tasks) it recalled its training screens to a pixel and missed unseen ones by 115 px (70 px
after a zoom); with 1000 more (`Collection.seed_stride`) 35 and 14 px. A second zoom (1.5x)
did not help (14.3 px). One action costs about 110 ms on this CPU (two locator passes and the
actor's; the issue's target is 60 ms). Not shipped: the recipe's 100-seed evaluation has not run.
"""
