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
from vla.release.results_browser import BROWSER_ABLATIONS
from vla.release.results_browser_recipes import BROWSER_RECIPE_RUNS
from vla.release.results_desktop import DESKTOP_NOTES, desktop_section
from vla.release.results_robot import ROBOT_ABLATIONS
from vla.release.results_robot_cameras import ROBOT_CAMERA_RUNS

__all__ = ["render_results"]


#: Issues 13 and 14's targets: env id -> minimum success rate over 100 unseen-seed episodes.
TARGETS: dict[str, float] = {
    **{
        f"vla/miniwob-{t}-v0": 0.95
        for t in (
            "click-test-2",
            "click-button",
            "click-link",
            "click-color",
            "click-dialog-2",
            "enter-text",
        )
    },
    **{
        f"vla/miniwob-{t}-v0": 0.80
        for t in ("login-user", "enter-password", "click-button-sequence", "click-collapsible")
    },
    "vla/panda-reach-v0": 0.95,
    "vla/panda-push-v0": 0.80,
    "vla/panda-pick-place-v0": 0.70,
    "vla/panda-stack-v0": 0.50,
    "vla/panda-sequence-v0": 0.30,
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


WHY = """
## Why the targets are missed

- **Reading.** The browser model covers 62 tasks and clicks single visible targets well
  (click-test, click-dialog, click-dialog-2, focus-text, click-collapsible 100%), and reads
  most labels that stand alone (click-test-2 90%), but where a word must be found among
  several it is still far from the targets: click-link 24%, click-button 77% (targets: 95%).
  Since 2026-12-05 it reads the 160x210 page at its own resolution (labels 8-10 px high
  instead of 2-3 px); in that retrain click-color rose 15% -> 38% and click-test-2 85% -> 95%
  (40 seeds), click-link did not move. It is not short of depth: twice the vision or
  language-model layers left the reading tasks where they were (2500-step ablation,
  2026-12-06). Since 2026-12-06 (thirteenth session) the instruction's bytes join the image
  tokens in the vision tower (early fusion): click-color 26% -> 100% and click-widget 42% ->
  90% on 100 seeds, but not click-link (27%): words in running text, 8-10 px high in 16-px
  patches, are still not told apart, and identify-shape fell 92% -> 41%. The misses are
  misreadings: in the shipped checkpoint's first 40 seeds, 12 first clicks of click-link land
  on another link, 27 of click-option on another option and 11 of click-button on another
  button, against 5, 0 and 0 within 6 px of the right one (`benchmarks/click_misses.py`). A
  reading loss, in which every patch names the word it shows from the page's DOM
  (`read_loss`, docs/model.md), took five reading tasks 60.0% -> 65.5% (click-link 15% ->
  28%) and identify-shape 62.5% -> 90% in a 2500-step ablation (40 seeds, one training seed);
  through the whole recipe (the reading tasks collected with the page's words) it left
  click-link at 27% and click-option at 28% on 100 seeds, kept identify-shape (75%) and lost
  the case of the copied text (enter-text-2 56%): 42.7% over the 62, not shipped.
- **Several steps.** enter-password (96%), login-user (96%) and click-collapsible (100%) meet
  their 80% targets; click-button-sequence is at 5% (target 80%). The model chooses the
  wrong next action after a right one, and DAgger rounds mend such choices, but which ones a
  round mends moves from one round to the next: the previous recipe's second round lifted
  login-user 49% -> 65% and took form-sequence-2 from 16% to 2%, its third lifted login-user
  to 97%; the early-fusion model's three rounds took login-user 10% -> 76%, enter-time 0% ->
  90% and enter-date 0% -> 70%. Data for the 32 added tasks was the next lever: 200 expert
  episodes of each instead of 50 (2026-12-07, the recipe's whole run) took form-sequence-3 0% ->
  38%, form-sequence-2 50% -> 70%, drag-single-shape 39% -> 71% and, with its rounds,
  login-user to 96% and enter-date to 92%; form-sequence, multi-layouts, multi-orderings,
  scroll-text and use-spinner stay at 0%, and choose-list fell 94% -> 62%.
- **Recipe time.** `make checkpoints` rebuilds the browser checkpoint in about 4-5 hours on 2
  cores, against issue 13's 100 minutes. On the AMD EPYC host of 2026-12-06, with early
  fusion: collect 34 min, train 68 min, three DAgger rounds about 125 min, evaluation about
  63 min (the Intel Xeon host of earlier sessions trained the same 5000 steps in 41 min). Since
  2026-12-07 a round's two collect workers run their policies on one torch thread each instead
  of two beside their browsers, and a round takes about 25 minutes instead of 42 (1475, 1501
  and 1565 s in the run with 200 episodes of the 32 added tasks: about 15 minutes for 1240
  policy episodes, 10 for the 1000 steps); that run's collect took 57 min (four times the
  episodes of those 32 tasks), its base training 110 min (6610 s, with two pauses for tests and
  a stretch beside them), its evaluation 57 min: about 4 h 40 min in all.
- **Held-out click error**: 1.85 px median after the shipped recipe's base training (target
  <= 2 px: met) and 1.96 px after its three DAgger rounds (1.84 and 1.33 after the first two),
  on a validation split that also holds the rounds' own states.
- Robot: the shipped checkpoint, which reads a wrist camera beside the front one and whose
  pointer learned to look where a held cube goes (2026-12-07), and which since that night runs
  two actions of each 8-action chunk before it asks again (`receding:2`), reaches 100% (target
  95%: met), pushes 43% (80%; a pointer label on where the push goes, a second pointer on the
  pad and a DAgger round did not help, above), picks and places 97% (70%: met) and stacks 85%
  (50%: met); run as whole chunks open loop (`receding:8`) the same weights stack 22% and
  place 87%. Per-step validation
  error is 0.21 / 0.30 / 0.30 cm against the 3 mm target (met, y and z at the limit; the front
  camera alone: 0.48 / 0.50 / 0.47, push 35%, pick-place 29%). Until 2026-12-04 the model's action did not depend on the image at
  all (its first action did not move when only the image did, `benchmarks/robot_looks.py`):
  every ablation had trained 500-1500 steps on at most a few thousand frames. With the
  instruction fused into the vision tower, a pointer trained on the named object and the action
  fed by where it points, and enough steps, it acts on the image: 6000 steps gave 23.5% over
  the four tasks, 10000 give 41.2% (above). 13000 steps (which the faster early fusion fits
  into the 100-minute budget) give 41.2% again: push falls, pick-place rises, and the per-step
  error hardly moves, so steps alone have stopped paying. A DAgger round (100 policy episodes
  per task, +2000 steps) did not add to the 10000-step model either (40.5%), nor did one
  trained 1000 steps at 3e-4 (33.8% over five tasks against 33.0%, within noise). Stack needs a
  grasp, a lift and a placement on a second cube within 60 steps; the front-camera model
  completed grasp, lift and place in under a third of pick-place episodes (29%), the two-camera
  one in 60%, and neither stacks. panda-sequence (target 30%)
  is 0%: it chains two pick-places in 120 steps, and 600 expert episodes of it in the recipe
  left it at 0% and cost push and pick-place 8 to 14 points (ninth session, above). With
  today's model, 800 of them in the recipe teach it (51%) but cost stack 85% -> 45% and push
  43% -> 30% (twenty-sixth session, above), so the shipped recipe keeps its four tasks. The
  front-camera checkpoint met the closed-loop speed targets (+40.9%, 3.1 ms per executed step)
  by running each chunk open loop for 8 steps; the two-camera one decodes twice the image
  tokens (about 22 ms a chunk against 16) and meets them on push (+49.5%, 3.3 ms) but not on
  reach (+58.9%, 4.2 ms), whose 10-step episodes waste most of a second chunk (above). The
  shipped checkpoint, measured again on a faster, quiet machine (docs/benchmarks.md, "Closed
  loop"): reach +51.9% and 3.3 ms (the 4 ms target met, 50% missed by 2 points), push +46.5%
  and 2.5 ms. With the grammar's choices vectorised, reach's overhead falls 2.5-4 points
  against the code before in alternating runs: median +49.7% on a fast hour (before: +52.4%),
  +51.8% on a slow one (before: +55.1%), so the 50% target is met or missed by the machine's
  speed that hour; 4 ms is met. The checkpoint now runs `receding:2` by default, which asks 4x
  as often: +126% on reach, +122% on stack and +138% on push, 7.9-8.4 ms per executed step,
  so both speed targets are missed by the shipped default, for stack 22% -> 85% (docs/results.md
  "Robot", docs/benchmarks.md); `--execution receding:8` gives back the speed and the old
  success. A new
  chunk every step with ACT's temporal ensembling placed 42% instead of 29% with the front
  camera, at +146% and 21 ms per step (above).
"""


def render_results() -> str:
    """The text of docs/results.md."""
    browser, robot = _load("vla-browser-tiny"), _load("vla-robot-tiny")
    # the desktop checkpoint's actor is the browser model its numbers were measured with, which
    # a later browser retrain does not change: its gap is taken against that model's own eval
    desktop, actor = _load("vla-desktop-tiny"), _load("vla-desktop-tiny/actor")
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
training episode used (100000 and up; the check is in each `eval_info.json`). The models are
`vla-tiny` (1.2-1.4M parameters; the browser model reads the 160x210 page at its own
resolution, the robot and desktop models an 80x80 input) trained from scratch on a shared
2-core CPU on scripted-expert demonstrations only. The exact commands, data and wall times
are in each checkpoint's model card (`vla/checkpoints/<name>/README.md`); `python -m
vla.release.recipes <name>` reproduces them. This page is written by `python -m vla.release.results`.

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

{desktop_section(desktop, actor, DESKTOP_NOTES)}
## Targets (issues 13 and 14)

{_target_rows([browser, robot])}
{BROWSER_ABLATIONS}{BROWSER_RECIPE_RUNS}{ROBOT_ABLATIONS}{ROBOT_CAMERA_RUNS}
{WHY}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/results.md")
    args = parser.parse_args()
    Path(args.out).write_text(render_results())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
