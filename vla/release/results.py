"""Write docs/results.md from the shipped checkpoints' ``eval_info.json`` files, beside the
reference numbers that users compare against.

    python -m vla.release.results [--out docs/results.md]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from vla.hub import CHECKPOINTS_DIR
from vla.release.model_card import eval_table
from vla.release.tasks import BROWSER_PRIORITY

__all__ = ["render_results"]


#: Issue 7's targets: env id -> minimum success rate over 100 unseen-seed episodes.
TARGETS: dict[str, float] = {
    **dict.fromkeys(BROWSER_PRIORITY, 0.95),
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
    path = CHECKPOINTS_DIR / name / "eval_info.json"
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

- Grounding was the first wall and is now crossed for single-target pages. With SigLIP's plain
  patch embedding and learned position embeddings, `vla-tiny` trained from scratch never used
  the image: its image tokens collapsed and it clicked one average position (held-out median
  click error 36-40 px on a 160x210 page, the previous checkpoint). A convolutional stem and
  2D sine-cosine position init (`conv_stem`, `sincos_position_init`; docs/model.md) fixed that:
  the held-out median click error fell to 3.7 px (55% within 5 px) by step 5000, and click-test,
  click-dialog, focus-text, click-tab and grid-coordinate reach 100%.
  `benchmarks/grounding_synthetic.py` reproduces the difference on a synthetic page.
- What is left needs reading or several correct steps. At the 80x80 model input a 160x210
  page is downscaled ~2.4x, so button labels, link text and colour names are a few pixels
  high: click-test-2 (which of two labelled buttons), click-button, click-link and click-color
  (choose by a word) stay at 8-38%. Multi-step tasks (login-user, enter-password,
  click-button-sequence, click-collapsible) fail when any one step does; they also had 100
  demonstrations each, against 700 for the priority tasks.
- Budget: 5000 steps of batch 32 (14 passes over the 11.8k frames of 6.6k episodes) took
  55 min on a 2-core CPU shared with the robot run; validation loss was still falling at the
  end. No GPU was lent to this work, so no larger config (a 160 px input, which the reading
  tasks need) was trained.
- Robot: per-step validation error is about 1 cm per axis against expert steps of 2-4 cm, so
  closed-loop rollouts drift (behaviour cloning, no recovery data beyond the 0.3-noise
  episodes), and the fixed camera's 80x80 view loses the small target cube behind the arm
  during the final approach, while the state holds only the arm's own pose. Reach succeeds in
  13% of episodes; the tasks that need a grasp never do.
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
`vla-tiny` (1.2-1.4M parameters, 80x80 input) trained from scratch on a shared 2-core CPU on
scripted-expert demonstrations only. The exact commands, data and wall times are in each
checkpoint's model card (`vla/checkpoints/<name>/README.md`); `python -m vla.release.recipes
<name>` reproduces them. This page is written by `python -m vla.release.results`.

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
