"""Write docs/results.md from the shipped checkpoints' ``eval_info.json`` files, beside the
reference numbers that users compare against.

    python -m vla.training.results [--out docs/results.md]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from vla.training.model_card import eval_table

__all__ = ["render_results"]

CHECKPOINTS = Path(__file__).resolve().parents[1] / "checkpoints"

#: Issue 7's targets: env id -> minimum success rate over 100 unseen-seed episodes.
TARGETS: dict[str, float] = {
    **{
        f"vla/miniwob-{t}-v0": 0.95
        for t in (
            "click-test",
            "click-test-2",
            "click-dialog",
            "focus-text",
            "focus-text-2",
            "click-color",
        )
    },
    "vla/panda-reach-v0": 0.95,
    "vla/panda-push-v0": 0.80,
    "vla/panda-pick-place-v0": 0.70,
    "vla/panda-stack-v0": 0.50,
}
BROWSER_MEAN_TARGET = 0.85

REFERENCES = """\
| system | MiniWoB++ mean success | task set | training | input |
|---|---:|---|---|---|
| human (reported by Humphreys et al., 2022) | 93.5% | the CC-Net paper's task suite | - | screen |
| CC-Net (Humphreys et al., 2022) | ~96% | the CC-Net paper's task suite | ~2.4M human demonstrations, then RL | pixels + DOM |
| Pix2Act (Shaw et al., 2023) | 96.2% | 59 tasks | behavioural cloning + tree-search policy improvement | pixels only |
"""


def _load(name: str) -> dict[str, Any]:
    path = CHECKPOINTS / name / "eval_info.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _target_rows(infos: list[dict[str, Any]]) -> str:
    rows = ["| task | target | measured | met |", "|---|---:|---:|:---:|"]
    tasks = {k: v for info in infos for k, v in info.get("tasks", {}).items()}
    for env_id, target in TARGETS.items():
        t = tasks.get(env_id)
        got = f"{t['success_rate']:.0%}" if t else "not evaluated"
        met = ("yes" if t["success_rate"] >= target else "**no**") if t else "-"
        rows.append(f"| `{env_id}` | >= {target:.0%} | {got} | {met} |")
    return "\n".join(rows) + "\n"


#: What the measurements say about the misses (kept with the generator so a rerun keeps it).
WHY = """
## Why the targets are missed

- Grounding: on held-out browser episodes the median click error was 36-40 px on a 160x210
  screenshot (val/click_px_median in the run's metrics.jsonl), with token accuracy ~0.61. The
  80x80 `vla-tiny` input (8 px patches) and 1024 coordinate bins learned from ~1.3k episodes
  are the limit, not the decoder or the env: the scripted experts emit the same actions and
  succeed 100% (docs/miniwob_experts.md).
- Budget: both runs trained 2000 steps (browser: the step-1000 checkpoint is shipped) on a
  2-core CPU shared with other jobs, at 4-60 samples/s. No GPU was available for a larger config.
- Robot data: `vla-robot-tiny` was trained on frames rendered before the robot envs' camera,
  arm render and expert changed; its images no longer match the env it is evaluated in.
- Coverage: these evaluations use 20 episodes per task (browser: the 6 priority tasks only),
  not the 100 per task over every supported task the issue asks for.
"""


def render_results() -> str:
    """The text of docs/results.md."""
    browser, robot = _load("vla-browser-tiny"), _load("vla-robot-tiny")
    mean = browser.get("overall", {}).get("mean_success_rate")
    mean_line = (
        f"Mean over the {browser['overall']['tasks']} evaluated MiniWoB++ tasks "
        f"({browser['episodes_per_task']} episodes each): "
        f"**{mean:.1%}** (target >= {BROWSER_MEAN_TARGET:.0%}: "
        f"{'met' if mean >= BROWSER_MEAN_TARGET else 'not met'})."
        if mean is not None
        else "Not evaluated yet."
    )
    return f"""# Results

Closed-loop success of the shipped checkpoints, measured with `vla eval` on seeds that no
training episode used (100000 and up; the check is in each `eval_info.json`). Both models are
`vla-tiny` (about 1.3M parameters, 80x80 input) trained from scratch on a shared 2-core CPU on
scripted-expert demonstrations only. The exact commands, data and wall times are in each
checkpoint's model card (`vla/checkpoints/<name>/README.md`); `python -m vla.training.recipes
<name>` reproduces them. This page is written by `python -m vla.training.results`.

## Browser: `vla-browser-tiny` on MiniWoB++

{mean_line}

{eval_table(browser)}
### Reference numbers

These come from other task sets and far larger training budgets, so they are context, not a
like-for-like comparison: the published systems train on millions of episodes with GPUs (and
RL), over more tasks (59 or 104), while ours trains on a few thousand scripted episodes on a CPU
over the {browser.get("overall", {}).get("tasks", "?")} tasks listed above.

{REFERENCES}
## Robot: `vla-robot-tiny` on the Panda tasks

{eval_table(robot)}
For context: panda-gym's reach/push/pick-and-place use the same 5 cm success threshold but are
state-based RL benchmarks; LIBERO-style language-conditioned suites are where OpenVLA (7B),
OpenVLA-OFT, pi0 and SmolVLA report, with pretrained backbones and GPUs.

## Targets (issue 7)

{_target_rows([browser, robot])}
{WHY}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/results.md")
    args = parser.parse_args()
    Path(args.out).write_text(render_results())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
