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


#: What the measurements say about the misses (kept with the generator so a rerun keeps it).
ABLATIONS = """
## What each change bought

Browser (issue 13). Each row trains on the same data with the same seed and step budget, then
evaluates closed loop on the same unseen seeds.

| change | compared on | without | with | command |
|---|---|---:|---:|---|
| native 160x210 input (16-px patches) instead of the 80x80 resize | click-button, click-link, click-test-2, click-option, enter-password, login-user x 20 seeds; 800 steps on 20 tasks' data | 13.3% (80x80) | 6.7% (native) | `benchmarks/browser_ablation.py` (docs/benchmarks.md, "On real tasks") |
| one DAgger round (20 policy episodes per task labelled by the DOM experts, +1000 steps) | 12 tasks x 30 seeds (100000-100029), the shipped recipe's models | 29.7% (`train`, 4000 steps) | 38.6% (`train-dagger-0`) | `vla eval --policy runs/recipes/vla-browser-tiny/train --episodes 30 --max-steps 25` on the 12 tasks; the shipped eval's first 30 seeds |
| a second DAgger round (20 more policy episodes per task from the round-1 model, seeds 30000+, +1000 steps) | the same 12 tasks x 30 seeds | 38.6% (`train-dagger-0`) | 38.6% (`train-dagger-1`) | `python -m vla.release.recipes vla-browser-tiny --stages dagger` with a second `DaggerRound(20, 1000, seed=30_000, max_steps=20)`, then `vla eval --policy runs/recipes/vla-browser-tiny/train-dagger-1 --episodes 30 --max-steps 25 --workers 2` on the 12 tasks |
| copying from the instruction (`copy_instruction`: a pointer over the instruction's bytes mixed into the next-token distribution) | 6 typing tasks (enter-text, enter-text-2, enter-password, login-user, use-autocomplete, search-engine) and 6 click tasks x 20 seeds; 1000 steps on the 24 tasks' data (`data-1`, 100 episodes each) | 19.6% (typing tasks: 0%) | 24.2% (enter-text 30%) | `python benchmarks/browser_ablation.py --dataset runs/recipes/vla-browser-tiny/data-1 --steps 1000 --episodes 20 --task ... --variant base:conv_stem=true,sincos_position_init=true --variant copy:conv_stem=true,sincos_position_init=true,copy_instruction=true` |
| the episode's previous actions in the prompt (`action_history=4`), on top of copying | the same 12 tasks x 20 seeds, the same 1000 steps on `data-1` | 24.2% (`copy`) | 35.0% (enter-text 80%, use-autocomplete 55%) | the same command with `--variant copy-history4:conv_stem=true,sincos_position_init=true,copy_instruction=true,action_history=4 --out runs/copy-ablation` |
| both in the shipped recipe (`copy_instruction`, `action_history=4`): the retrain | all 62 tasks x 100 unseen seeds (100000-100099); the same data (6400 expert episodes), 4000 steps, one DAgger round of 1240 policy episodes, +1000 steps | 23.0% (the previous `vla-browser-tiny`) | 29.5% (the shipped one) | `python -m vla.release.recipes vla-browser-tiny` (2026-12-02; its card has every stage's command) |

- DAgger's gain is mostly click-collapsible, 0/30 -> 24/30: the base model clicked the section
  header and then never the submit button that only appears after it; the round labelled
  exactly those states. click-dialog went 13 -> 22 and click-color 6 -> 10; click-dialog-2 fell
  27 -> 22 and click-link 3 -> 1. The round also added 1000 steps of training; a control with
  1000 more steps and no DAgger data was not run, so part of the gain may be the steps.
- The second round bought nothing on those 12 tasks: 139 of 360 successes before and after.
  click-dialog-2 (+4), click-dialog (+2) and click-button (+2) gained what click-color (-6) and
  enter-text (-3) lost. What the first round taught (click-collapsible's second click) was not
  repeated by a new kind of mistake, and the tasks still at 0% (login-user, enter-password,
  click-button-sequence) fail on typing the words they must read, which the expert's labels
  show but the model does not copy (round 2 typed "rilie" for "riley", "Xsqx" for "XtCx").
  So the recipe keeps one round and the checkpoint was not re-shipped (the round's 62-task
  evaluation would have taken 84 minutes).
- Copying is what the typing tasks lacked. Without it, none of the 99 texts the base model
  typed in enter-text, login-user and enter-password was a word the instruction quotes (it
  typed "Alan" for "Chas", "annes" for "riley"); with it 237 of 369 were (enter-text 47/69,
  login-user 175/280, enter-password 15/20), at the same training speed (70.7 against 72.9
  samples/s) and a lower validation loss (1.43 against 1.72). Success moved less than the
  typing: login-user and enter-password stay at 0% after 1000 steps because the model types
  the right words again and again instead of moving on to the next field and the button
  (login-user: 280 typed texts in 20 episodes). click-button 20% -> 45% and click-link
  20% -> 5% are not significant at 20 seeds. The shipped recipe turns it on (last row).
- The previous actions are what the multi-step tasks lacked next: with the last 4 actions of
  the episode in the prompt, enter-text went 30% -> 80% (typed texts per episode 3.45 -> 1.0:
  it no longer types the word again after typing it), use-autocomplete 5% -> 55%,
  click-button-sequence 0% -> 10% (its first click changes nothing on the screen) and
  grid-coordinate 0% -> 15%. The validation verb accuracy rose from 85% to 97% and the median
  click error fell from 16.2 to 4.5 px. login-user and enter-password stay at 0% at 1000 steps,
  now for another reason: login-user typed 14.0 texts per episode and now 1.2; the model types
  the username right, clicks the password field, then clicks the button without typing the
  password. Training ran at 78.7 samples/s
  (70.7 without: the prompt is longer, but this run had the CPU to itself) and the policy's
  median latency is 24 ms. The shipped recipe turns both on (last row).
- The retrain with both (2026-12-02) raised the mean over the 62 tasks from 23.0% to 29.5%
  (the 30 first tasks 32.7% -> 37.9%, the 32 added ones 13.8% -> 21.6%), on the same data,
  steps and seeds. The gains are where a word must be read or typed and where steps must
  follow each other: scroll-text-2 0% -> 95%, choose-list 13% -> 91%, use-autocomplete-nodelay
  21% -> 68%, enter-text-dynamic 11% -> 52%, drag-single-shape 0% -> 35%, click-link 4% ->
  33%, click-button 30% -> 55%, enter-text 37% -> 62%, click-dialog-2 66% -> 90%, click-test-2
  25% -> 44%. Three tasks fell. click-collapsible 82% -> 18%: the model clicks the section
  header, then waits on the opened page until the step cap (82 of 100 episodes truncated);
  the cause was in the expert's labels, amplified by the history in the prompt (next two
  bullets). grid-coordinate 99% -> 32% (it clicks a neighbouring cell) and
  search-engine 14% -> 1% were not diagnosed. The held-out median click error is 2.68 px after
  the 4000 steps (3.9 px before) and 4.19 px after the DAgger round (5.8 px before), against
  the 2 px target.
- Why it waited for ever (2026-12-03). The accordion experts clicked once the target's box was
  the same in two consecutive observations, so the first still screenshot was labelled "wait"
  and the same screenshot one step later "click": in click-collapsible's demonstrations, after
  four waits (what the model reads of its history) 180 of 280 labels were another wait. A
  greedy policy that answers "wait" to a still page sees the same page and the same history
  again, and waits until the cap. The experts now wait only while a section is opening or
  closing (its content is clipped by its box: `clipped`, a new flag of the DOM snapshot), a
  function of the page alone (tests/browser_experts/test_experts.py); the nodelay variants
  lose their useless wait (3 steps -> 2). Trained 1000 steps on `data-1` with its 200
  accordion episodes collected again (same seeds; `vla dataset merge` keeps the first copy of
  an (env, seed)) against the same run on the old labels, 30 unseen seeds: click-collapsible
  0/30 -> 1/30, click-collapsible-2 0/30 -> 0/30 (controls: click-button 33% -> 30%,
  enter-text 83% -> 70%, within noise at 30 seeds). At 1000 steps the new model clicks where
  Submit will be while the section is still opening (29 of 30 episodes) and then waits on a
  history it never saw: the labels are right now, the model has not yet learned to tell an
  opening section from an open one at 80x80. Command: `python benchmarks/browser_ablation.py
  --dataset runs/recipes/vla-browser-tiny/data-1 --steps 1000 --episodes 30 --task
  click-collapsible --task click-collapsible-2 --task click-button --task enter-text --variant
  copy-history4:conv_stem=true,sincos_position_init=true,copy_instruction=true,action_history=4
  --out runs/coll-ablation/old`, and the same with `--dataset runs/coll-ablation/data-1-fixed
  --out runs/coll-ablation/fixed`. The next retrain collects with the new experts.
- A limit on waiting at a still page (`vla eval --still-waits 2`, docs/evaluation.md): after
  two waits in a row at an unchanged screenshot, the next action is the policy's best that is
  not a wait. On the shipped checkpoint, same 100 seeds and settings: click-collapsible 18% ->
  99%, click-collapsible-nodelay 63% -> 100%, click-pie 5% -> 11%, click-collapsible-2 3% ->
  2%, click-collapsible-2-nodelay 3% -> 2%, email-inbox-forward-nl 0% -> 0%,
  email-inbox-forward-nl-turk 0% -> 0%, email-inbox-nl-turk 1% -> 1%. Only these 8
  tasks can change: the limit acts only after two waits in a row, and no shipped episode of
  the other 54 tasks has two. With them unchanged, the mean over the 62 tasks is 29.5% ->
  31.5%. The checkpoint's card and the tables above are without the limit (its default is off);
  the next recipe evaluation should turn it on. Command: `python benchmarks/still_waits.py
  --checkpoint vla-browser-tiny --limit 2` (it finds the 8 tasks and runs `vla eval`'s
  evaluation on them with the card's seeds, step cap and workers).
- Native resolution lost at this budget: with 16-px patches the tower must learn to read from
  raw pixels, and in 800 steps it had not started (its synthetic grounding probe was still at
  chance, docs/benchmarks.md). It also costs about 2x per training step. The retrain therefore
  kept 80x80.
- FiLM, early fusion and the pointer head were not compared on real browser tasks: each
  comparison is a 20-30 minute training plus evaluation, and the CPU time went to the 62-task
  retrain and its evaluation (84 minutes for 6200 episodes).

Robot (issue 14): `benchmarks/robot_ablation.py`, 600 steps of batch 32 on 300 reach and 300
push expert episodes (half with the experts' 0.3 noise) rendered by every camera at 80x80,
then 40 unseen seeds per task.

| variant | cameras | chunk (execution) | reach | push | train samples/s | val loss | val error per step, x / y / z (cm) |
|---|---|---|---:|---:|---:|---:|---|
| front-k1 | front | 1 (every step) | 4/40 (10%) | 0/40 | 42.2 | 2.42 | 1.17 / 1.45 / 0.70 |
| scene+wrist-k1 | scene + wrist | 1 (every step) | 6/40 (15%) | 1/40 (2.5%) | 20.8 | 2.43 | 1.19 / 1.41 / 0.76 |
| scene+wrist-k8-m8 | scene + wrist | 8, parallel decoding (receding 8) | 4/40 (10%) | 2/40 (5%) | 19.6 | 3.01 (56 values) | 1.33 / 1.82 / 0.94 (all 8 actions) |
| scene+wrist-k8-m8-fusion | scene + wrist, instruction bytes in the vision tower (`vision_early_fusion`) | 8, parallel decoding (receding 8) | 3/40 (7.5%) | 2/40 (5%) | not comparable (paused twice for CI) | 3.03 (56 values) | 1.55 / 1.74 / 0.95 (all 8 actions) |

```
python benchmarks/robot_ablation.py --dataset runs/robot-ablation/data-clean --dataset runs/robot-ablation/data-noisy \\
    --task reach --task push --steps 600 --episodes 40 --workers 2 --out runs/robot-ablation/runs \\
    --variant front-k1:views=front --variant scene+wrist-k1:views=scene+wrist \\
    --variant scene+wrist-k8-m8:views=scene+wrist,chunk_size=8,execution=receding:8 \\
    --variant scene+wrist-k8-m8-fusion:views=scene+wrist,chunk_size=8,execution=receding:8,vision_early_fusion=true
```

- Noise-free labels for the noisy half (DART, `PandaExpert.label`): the same command with
  `--dataset runs/robot-ablation/data-clean --dataset runs/robot-ablation/data-dart` (the
  noisy episodes collected again, same seeds and noise, recording the step the expert meant)
  `--out runs/robot-ablation/runs-dart --variant front-k1:views=front` gave reach 6/40 (15%)
  against 4/40 and push 0/40 against 0/40, and a per-step validation error of 0.97 / 1.48 /
  0.50 cm against 1.17 / 1.45 / 0.70 (x / y / z; each on its own validation split). The
  labels no longer carry 0.7-0.8 cm of noise, but the model is still near baselines that
  never look at the image (`python benchmarks/robot_baselines.py runs/robot-ablation/data-clean
  runs/robot-ablation/data-dart`): predicting the mean step gives 1.23 / 1.35 / 0.83 cm on the
  clean episodes and 1.22 / 1.44 / 1.19 on the DART ones, a linear map of the robot state
  0.76 / 0.90 / 0.63 and 1.00 / 1.20 / 0.85. In y the model is worse than the linear map: after
  600 steps it has not yet learned to locate the named cube, nor all the state tells.
  Collections keep the noise-free labels from now on.
- Pointing at the named cube (`point_loss=1.0`, docs/model.md; 2026-12-02): the model learns
  *where* the cube is but does not yet act on it. On 150 clean + 150 DART episodes per task of
  reach and push collected with the grounding labels, 800 steps of batch 32 at 2 threads, the
  recipe's model (front image, 8-action chunks, receding 8) against the same with the loss:
  its top image patch is the named cube's on 74% of held-out frames (chance: 1 in 100
  patches), yet reach 2/40 against 4/40 and push 0/40 against 1/40 (mean 2.5% against 6.2%,
  within noise), per-step error 1.31 / 1.54 / 0.74 cm against 1.38 / 1.45 / 0.59, at the same
  speed (21.4 against 20.8 samples/s). Knowing the cube's patch does not reach the action
  tokens within 800 steps; the recipe does not turn it on.
- Acting on where it points (`point_to_action`, docs/model.md; 2026-12-02): the pointer's
  expected position, the pointed patch's features and the robot state, fused into every action
  position before the LM head, on top of the grounding loss. The same data, steps and seeds:
  reach 3/40, push 1/40 (5.0%) against 4/40 and 1/40 for the base (6.2%) and 2/40, 0/40 for
  the grounding loss alone (2.5%); it still points at the cube on 73% of held-out frames and
  its per-step error is 1.17 / 1.46 / 0.71 cm (base 1.38 / 1.45 / 0.59). The action head now
  receives where the cube is and where the gripper is, and the error in y does not move: at
  800 steps the model is no better than a linear map of the state, so what limits it is not
  where the cube is. It trained at 30.4 samples/s with the CPU to itself (the base's 20.8 was
  measured beside another job). The recipe does not turn it on. Command: the one above with
  `--variant pointact:image=front,chunk_size=8,execution=receding:8,point_loss=1.0,point_to_action=true`.
  Collected as in `robot_ablation.py`'s docstring (reach, push; 150 episodes each, clean and
  DART) with `--env-kwargs '{"image_size": 80}'`, then
  `python benchmarks/robot_ablation.py --dataset runs/point-ablation/data-clean --dataset
  runs/point-ablation/data-dart --task reach --task push --steps 800 --episodes 40 --threads 2
  --variant base:image=front,chunk_size=8,execution=receding:8 --variant
  point:image=front,chunk_size=8,execution=receding:8,point_loss=1.0`.
- Training without image augmentation (`augment=none`; 2026-12-02): reach 8/40 (20%) and push
  3/40 (7.5%), mean 13.8% against the base's 6.2% (4/40, 1/40), the same data, 800 steps and
  seeds. The recipe's robot augmentation crops up to 10% of the image and resizes it back
  while the action (a motion in the robot's base frame) stays: with one fixed camera that
  moves the cube's pixel by up to ~8 px, several centimetres of table, against a state that
  says exactly where the gripper is. Without it the first action's x error on held-out clean
  frames fell from 1.53 to 1.09 cm (predicting the mean step: 1.19), per-step validation
  error 1.18 / 1.44 / 0.61 cm against 1.38 / 1.45 / 0.59; the model still hardly reads the
  state for x (swapping the state moves its x by 0.03 cm, y by 1.4 cm). 32.1 samples/s with
  the CPU to itself. The shipped recipe now trains without it (last table). Command: the
  grounding ablation's, with `--variant noaug:image=front,chunk_size=8,execution=receding:8,augment=none`.
- At this budget no variant has learned the tasks: the differences (4-6 of 40 reaches) are
  within noise, and the validation loss of every variant stops falling after ~400 steps at
  per-step errors of 1.2-1.5 cm. The cameras and the chunks are not what limits the model yet.
  Reach means touching the cube whose colour the instruction names among 2-3 others; letting
  the vision tower attend to the instruction (early fusion) did not help within 600 steps
  either. The next run to make is a longer one (the shipped recipe trained 4500 steps).
- Two views halve training throughput (42 -> 21 samples/s: twice the image tokens); chunks of
  8 cost little more per step (19.6), and executing 8 actions per decode makes the policy's
  median cost per env step 0.02 ms instead of 29-66 ms.
- Parallel decoding buys speed only: a chunk decoded in one pass equals the same chunk decoded
  one value at a time, token for token (tests/model/test_parallel_decoding.py), 10.4 ms against
  58.5 ms for k = 8 (docs/benchmarks.md, "Robot action chunks").

The shipped `vla-robot-tiny` was retrained from its recipe (`python -m vla.release.recipes
vla-robot-tiny`, 2026-12-02, 56 minutes on 2 cores: collect 670 s, train 2243 s, eval 471 s)
with what the ablations chose: the front camera alone, chunks of 8 actions decoded in one pass
and executed open loop for 8 steps (`receding:8`), the noise-free (DART) labels for the noisy
half of the data, and 1500 steps at 2 threads instead of 4500 at one (the ablations' validation
loss stopped falling after ~400 steps; the full 4500 would have taken ~1.8 hours on this
session's CPU). Against the checkpoint it replaces, on the same 100 unseen seeds per task:

| checkpoint | reach | push | pick-place | stack | mean | policy cost per env step (mean) | closed-loop overhead |
|---|---:|---:|---:|---:|---:|---:|---:|
| before: one action per call, 4500 steps | 13% | 0% | 0% | 0% | 3.2% | 17-18 ms (p50) | +235% (2026-11-29, another CPU) |
| 8-action chunks, receding 8, DART labels, 1500 steps | 10% | 5% | 0% | 0% | 3.8% | 4.7-5.1 ms | +49.7% |
| shipped: the same without image augmentation (2026-12-03) | 12% | 7% | 0% | 0% | 4.8% | 3.5-3.8 ms | +45% |

- Success is unchanged within noise (reach 10/100 against 13/100, 95% intervals [6%, 17%] and
  [8%, 21%]); push has its first successes (5/100, [2%, 11%]). The per-step validation error,
  1.04 / 1.12 / 0.64 cm (x / y / z), is where the old model's was (0.98 / 1.01 / 0.78).
- Speed: one decode serves 8 env steps, so the closed-loop overhead on top of the env is +49.7%
  (`python benchmarks/closed_loop.py --env vla/panda-reach-v0 --steps 200 --execution receding
  --horizon 8`; the same checkpoint asked every step: +259%), within the <= 50% target. The
  amortised cost, 5.5 ms per executed step in that run (one chunk decode of ~44 ms / 8), misses
  the <= 4 ms target on this session's CPU, a first-generation EPYC about 3x slower than the
  machine where a k=8 decode took 10.4 ms.
- Without image augmentation (the ablation's choice, above; `python -m vla.release.recipes
  vla-robot-tiny --stages collect,train,eval,ship` on the same two datasets, 2026-12-03: train
  1577 s, eval 366 s) reach went 10 -> 12 of 100 and push 5 -> 7 of 100, on the same seeds:
  the direction of the ablation's 6.2% -> 13.8%, but smaller and within noise (reach [7%, 20%]
  against [6%, 17%]). The per-step validation error fell a little, 1.04 / 1.12 / 0.64 ->
  1.01 / 1.00 / 0.58 cm (x / y / z). The same closed-loop benchmark, run twice on this
  checkpoint: +45% and +46% overhead, 3.56 and 3.65 ms per executed step (within the 4 ms
  target in these runs; the decode is the same, so the gap to 5.5 ms is this machine's load).
- One DAgger round on top of it did not help (2026-12-03; not shipped, the recipe has no
  round): 50 episodes per task driven by the shipped model, the IK expert's action executed
  30% of the time (`beta=0.3`, so that rollouts also reach grasps), every visited state
  labelled by the expert (9063 frames; the mixed rollouts succeeded in 38, 12, 19 and 9 of
  50), then 500 more steps on all the data: reach 12/100 (unchanged), push 5/100 (was 7),
  pick-place and stack 0, on the same seeds. The recipe with
  `dagger=(DaggerRound(episodes=50, steps=500, seed=20_000, beta=0.3, max_steps=60),)` and
  `python -m vla.release.recipes vla-robot-tiny --stages dagger,eval` (731 s + 360 s). DAgger
  teaches recovery to a model that can already act from expert states; this one is still no
  better than a linear map of the state on them (above), so more labels of the same kind do
  not move it.
- Where the shipped model's reaches go (2026-12-03): to a cube, but not to the one named. Over
  seeds 100000-100019 the gripper came nearer another cube than the named one in 15 of 20
  episodes (median closest approach: 5.5 cm to another cube, 12.1 cm to the named one; reach
  counts 5 cm). Going to a random one of the 3-4 cubes would be nearer the named one in about
  a third of the episodes, so the colour word does not yet decide where the arm goes; the
  motion itself (to a cube, a few cm short) is roughly learned. `python
  benchmarks/robot_wrong_cube.py --policy vla-robot-tiny --env vla/panda-reach-v0 --episodes 20`.
"""

WHY = """
## Why the targets are missed

- **Reading.** The browser model covers 62 tasks and clicks single visible targets well
  (click-tab, click-test, focus-text and enter-date 100%, enter-time 99%, scroll-text-2 95%),
  but where a word must be read it is still far from the targets: click-link 33%, click-test-2
  44%, click-button 55%, click-color 25% (targets: 95%). At the 80x80 input a 160x210 page is
  downscaled ~2.4x and labels are 2-3 pixels high; the native-resolution input that would show
  them did not learn to read within the budget this CPU allows (table above).
- **Several steps.** login-user 5%, enter-password 0% and click-button-sequence 8% (targets:
  80%): every step must be right. Copying and the action history fixed what the model types
  and most repeated typing (table above), not yet the order of the steps; click-collapsible
  fell to 18% because its expert labelled the same still page "wait" and then "click" (fixed
  for the next retrain), and rises to 99% with `--still-waits 2`.
- **Held-out click error** is 2.68 px median after the base training and 4.19 px on the
  validation set that includes the DAgger states, against the <= 2 px target.
- Robot: per-step validation error is about 1 cm per axis against expert steps of 2-4 cm and
  the 3 mm target, and in the ablation the validation loss stops falling after ~400 steps
  whatever the cameras: the model does not yet bind the colour word of the instruction ("touch
  the red cube", among 2-3 distractor cubes) to the cube in the image, and it is not below a
  linear map of the robot state that never looks at the image. The retrained checkpoint
  (chunks, DART labels) meets the closed-loop speed target but not the success ones; no robot
  DAgger round has been run in a shipped recipe yet.
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

## Targets (issues 13 and 14)

{_target_rows([browser, robot])}
{ABLATIONS}
{WHY}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/results.md")
    args = parser.parse_args()
    Path(args.out).write_text(render_results())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
