"""Success rate of every scripted MiniWoB++ expert over seeded episodes.

Runs ``vla.datasets.make_expert(env)`` on ``vla/miniwob-<task>-v0`` for seeds
``0 .. episodes-1`` and writes the per-task table to ``docs/miniwob_experts.md``: success rate,
mean steps per episode and why the failed episodes failed (a task below 99 % does not count
as supported). Rows of tasks not run this time are kept from the file.

    .venv/bin/python benchmarks/miniwob_experts.py                    # all tasks, 200 seeds
    .venv/bin/python benchmarks/miniwob_experts.py --tasks click-pie,choose-list --episodes 50
    .venv/bin/python benchmarks/miniwob_experts.py --workers 2 --out /tmp/table.md
    .venv/bin/python benchmarks/miniwob_experts.py --rewrite   # re-render the text, keep rows

Each worker process runs one browser at a time: one env per (task, chunk of seeds).
"""

from __future__ import annotations

import argparse
import collections
import datetime
import multiprocessing as mp
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "miniwob_experts.md"
TARGET = 0.99  # success rate a task needs to count as supported (issue 4)
CHUNK = 25  # seeds per job: one browser start per chunk


@dataclass
class TaskResult:
    """Episodes of one task: successes, steps per episode and why failures failed."""

    task: str
    episodes: int = 0
    successes: int = 0
    steps: int = 0
    seconds: float = 0.0
    failures: dict[str, list[int]] = field(default_factory=dict)  # reason -> seeds

    @property
    def rate(self) -> float:
        return self.successes / self.episodes if self.episodes else 0.0

    def add(self, other: TaskResult) -> None:
        self.episodes += other.episodes
        self.successes += other.successes
        self.steps += other.steps
        self.seconds += other.seconds
        for reason, seeds in other.failures.items():
            self.failures.setdefault(reason, []).extend(seeds)

    def reason(self) -> str:
        """The failure reasons, most frequent first, with up to 3 example seeds each."""
        parts = []
        for why, seeds in sorted(self.failures.items(), key=lambda kv: -len(kv[1])):
            example = ", ".join(str(s) for s in sorted(seeds)[:3])
            parts.append(f"{len(seeds)}x {why} (seeds {example})")
        return "; ".join(parts)


def run_episode(env: Any, expert: Any, seed: int) -> tuple[bool, int, str]:
    """One expert episode: ``(success, steps, failure reason or "")``."""
    obs, info = env.reset(seed=seed)
    expert.reset()
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated):
        try:
            action = expert.act(obs, info)
        except (RuntimeError, ValueError, KeyError, IndexError, TypeError, StopIteration) as e:
            return False, steps, f"expert error: {type(e).__name__}: {str(e)[:80]}"
        obs, _, terminated, truncated, info = env.step(action)
        steps += 1
    if info.get("is_success"):
        return True, steps, ""
    if info.get("error"):
        return False, steps, f"env error: {str(info['error'])[:80]}"
    if truncated:
        return False, steps, "step limit reached"
    return False, steps, f"wrong answer (raw reward {info.get('raw_reward')})"


def run_chunk(job: tuple[str, list[int]]) -> TaskResult:
    """Run ``seeds`` of ``task`` in a fresh env; the worker entry point."""
    import gymnasium as gym

    import vla.envs  # noqa: F401  (registers the ids)
    from vla.datasets import make_expert

    task, seeds = job
    result = TaskResult(task)
    t0 = time.perf_counter()
    env = gym.make(f"vla/miniwob-{task}-v0")
    try:
        expert = make_expert(env)
        for seed in seeds:
            ok, steps, why = run_episode(env, expert, seed)
            result.episodes += 1
            result.successes += ok
            result.steps += steps
            if not ok:
                result.failures.setdefault(why, []).append(seed)
    finally:
        env.close()
    result.seconds = time.perf_counter() - t0
    return result


def run(tasks: list[str], episodes: int, workers: int) -> dict[str, TaskResult]:
    """Run every task for seeds ``0 .. episodes-1`` on ``workers`` processes."""
    from tqdm import tqdm

    jobs = [
        (task, list(range(start, min(start + CHUNK, episodes))))
        for task in tasks
        for start in range(0, episodes, CHUNK)
    ]
    results = {task: TaskResult(task) for task in tasks}
    bar = tqdm(total=len(tasks) * episodes, unit="ep", desc="miniwob experts")
    ctx = mp.get_context("spawn")  # a clean interpreter per worker: Playwright dislikes fork
    with ctx.Pool(workers) as pool:
        for part in pool.imap_unordered(run_chunk, jobs):
            results[part.task].add(part)
            bar.update(part.episodes)
            bar.set_postfix_str(f"{part.task} {results[part.task].rate:.0%}")
    bar.close()
    return results


# ----------------------------------------------------------------------------- the table

_ROW = re.compile(
    r"^\| `([\w-]+)` \| (\w+) \| ([\d.]+) % \| (\d+) \| ([\d.]+) \| (\w+) \| (.*) \|$"
)
HEADER = (
    "| task | expert module | success | episodes | mean steps | supported | failed episodes |\n"
    "|---|---|---|---|---|---|---|"
)


def read_rows(path: Path) -> dict[str, str]:
    """Existing table rows of ``path`` by task name (empty if the file has none)."""
    if not path.exists():
        return {}
    return {m.group(1): line for line in path.read_text().splitlines() if (m := _ROW.match(line))}


def format_row(result: TaskResult, module: str) -> str:
    steps = result.steps / result.episodes if result.episodes else 0.0
    ok = result.rate >= TARGET
    why = result.reason().replace("|", "/") if result.episodes else "no episodes"
    return (
        f"| `{result.task}` | {module} | {100 * result.rate:.1f} % | {result.episodes} "
        f"| {steps:.2f} | {'yes' if ok else 'no'} | {why} |"
    )


def write_doc(path: Path, rows: dict[str, str], command: str) -> None:
    supported = sum(1 for r in rows.values() if "| yes |" in r)
    text = f"""# Scripted MiniWoB++ experts

`vla.datasets.make_expert(env)` returns a scripted oracle for each `vla/miniwob-<task>-v0`
below. An expert reads only `obs` and the privileged `info` (utterance and DOM elements with
their boxes in screenshot pixels, see docs/architecture.md) and emits the pixel actions a model
would: clicks at element centres, typing, keys, scrolls. Modules live in
`datasets/experts/miniwob/`: `basic.py` and `forms.py` (simple clicks and text entry),
`widgets.py` (buttons, check boxes, radios, selects, autocomplete), `visual.py` (colours,
shapes, SVG points, pie menu), `navigation.py` (tabs, accordions, tree, search engine),
`sequences.py` (forms of several widgets: slider, spinner, drop-down, date and time
inputs, shuffled layouts), `drag.py` (boxes, shapes, sortable lists, slider), `scroll.py`
(scrolled text areas) and `inbox.py` (the e-mail client).

A task counts as supported when its expert succeeds (MiniWoB raw reward > 0) in at least
99 % of the seeded episodes 0..N-1. Measured with

    {command}

(`--tasks a,b,...` runs some tasks; the rows of the others are kept from the run that last
measured them) on the 2-core development machine, shared with other jobs (file written
{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC). {supported} of
{len(rows)} tasks are supported.

{HEADER}
{chr(10).join(rows[t] for t in sorted(rows))}

## How the experts work

{EXPERT_NOTES}
"""
    path.write_text(text)


EXPERT_NOTES = """\
- Stateless where the DOM shows progress: check boxes, radios, shades (`span.selected`), tabs,
  accordion sections (`h3.ui-accordion-header-active`), tree folders (`li.expandable`), the
  search box value.
- Short plans where it does not: click-button-sequence counts its own clicks; choose-list
  clicks the drop-down, types the name (type-ahead), presses Enter, then corrects with arrow
  keys if a longer name sharing the prefix came first; click-scroll-list scrolls the list
  until the first item shows, clicks it, then moves the focus with Control+ArrowUp/Down and
  adds the second item with Control+Space (an action has no modifier-click).
- Accordions are clicked only on a still page: while a section opens or closes, its content
  is larger than its box (the element's `clipped` flag in `info["elements"]`) and the expert
  returns `Wait()`. That is read from the current page alone, so two identical screenshots get
  the same label. (The experts used to wait until the target's box was the same in two
  consecutive observations, which labelled the first still screenshot "wait" and the same
  screenshot one step later "click": 64% of click-collapsible's demonstrations after four
  waits were another wait, and the policy trained on them waited on the opened page until the
  step cap.) click-pie still compares the menu title's box with the previous observation's.
- click-tab-2 and click-collapsible-2 hide the link in one of several tabs or sections, and
  the screenshot does not tell which. Their experts click the link once it shows, else open
  the next tab or section after the open one, in order, as a policy that sees only the
  screenshot must: an expert that opened the one the DOM names taught a guess.
- The two accordion ids wait 100 ms a `Wait` (`vla.envs.browser.ANIMATED_WAIT_MS`), so a
  section opens in 3-4 waits on any host: at one env step a `Wait`, an unloaded host took 13-17
  and click-collapsible-2's search ran past the 30 steps.
- use-autocomplete types the prefix, presses ArrowDown (jQuery UI then searches at once
  instead of after 300 ms) and clicks a suggestion that also has the asked ending (typing more
  of its name first if it is below the image).
- click-button-sequence clicks a point of button ONE that button TWO does not cover.
- click-pie: the menu's selected (bottom, white-titled) item ignores clicks while the menu is
  at rest in Chromium: hovering it makes wheelnav re-insert its SVG nodes on every
  `mouseover`, so the press lands on a detached node and goes to the `<svg>`. The expert
  learns where that slice is once the menu is open, then clicks "+" to fold (or unfold) the
  menu and clicks the slice while it moves, at a point no other slice ever covers.
- Text boxes (`forms.fill_action`): click the box, select wrong content with `Control+a`
  once, then type over it (or press Backspace where the box must stay empty), so junk typed
  by someone else is replaced.
- form-sequence and use-slider move jQuery UI sliders with the keys once the handle has
  focus (use-slider first presses Home and End to read the range, then drags the handle
  to the proportional point); use-spinner clicks the arrows (the page ignores typing);
  form-sequence-3 opens the Selectric drop-down and walks it with the arrow keys and Enter.
- enter-date / enter-time click the input's first segment and type the digits (and AM/PM);
  Chromium moves to the next segment by itself.
- multi-layouts / multi-orderings name each text box by the text nearest to it (the
  closest ancestor that holds any), so all five layouts and any row order work.
- Drags (`Drag`: press, eight intermediate moves, release): drag-box grabs the small box
  where the large one does not cover it (or drags the large box onto it when it is hidden);
  drag-single-shape reads the shape's SVG `translate` to see whether it already moved the
  asked way; drag-items and drag-sort-numbers drop an item 6 px past the centre of the slot
  it must take, so that jQuery UI sortable swaps it in.
- The snapshot carries no text area scroll offset, so scroll-text and scroll-text-2 scroll
  the text area by 5000 px (past either end from anywhere), then act.
- email-inbox: scrolls the 150 px inbox list until the sender's row is inside it (and waits
  a step if it still moves), then clicks the row's trash or star, or opens the e-mail and
  replies or forwards; a view that belongs to another e-mail is closed with its arrow. The
  natural-language variants deliver `info["utterance"]` as a dict with its own `fields`.
- `Wait()` takes one env step (no sleep) except on the two accordion ids (above), and envs
  truncate at `max_steps=30`: click-pie's expert waits about 11 times an episode on this
  machine (docs/browser.md); a much faster one spends more steps waiting for the same few hundred
  milliseconds.
"""


def _command(episodes: int) -> str:
    return f".venv/bin/python benchmarks/miniwob_experts.py --episodes {episodes}"


def main(argv: list[str] | None = None) -> None:
    from vla.datasets.experts.miniwob import EXPERTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="", help="comma-separated task names (default: all)")
    parser.add_argument("--episodes", type=int, default=200, help="seeds 0..N-1 per task")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--out", type=Path, default=DOC, help="markdown file to write")
    parser.add_argument(
        "--rewrite", action="store_true", help="only re-render --out from the rows it holds"
    )
    args = parser.parse_args(argv)
    if args.rewrite:
        write_doc(args.out, read_rows(args.out), _command(args.episodes))
        return
    tasks = [t for t in args.tasks.split(",") if t] or sorted(EXPERTS)
    unknown = [t for t in tasks if t not in EXPERTS]
    if unknown:
        parser.error(f"--tasks: no expert for {unknown}; experts exist for {sorted(EXPERTS)}")
    if args.episodes < 1 or args.workers < 1:
        parser.error(f"--episodes and --workers must be >= 1; got {args.episodes}, {args.workers}")

    results = run(tasks, args.episodes, args.workers)
    rows = read_rows(args.out)
    for task, result in results.items():
        module = EXPERTS[task].__module__.rsplit(".", 1)[-1]
        rows[task] = format_row(result, module)
        print(rows[task])
    write_doc(args.out, rows, _command(args.episodes))
    slow = collections.Counter({t: r.seconds / max(r.episodes, 1) for t, r in results.items()})
    print(f"wrote {args.out}; slowest s/episode: {slow.most_common(3)}")


if __name__ == "__main__":
    main()
