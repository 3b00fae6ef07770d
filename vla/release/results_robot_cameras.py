"""The robot recipe's camera work since 2026-12-07 for docs/results.md (issue 14), written by
:mod:`vla.release.results` after :data:`~vla.release.results_robot.ROBOT_ABLATIONS`
(results_robot.py is at its 400-line limit)."""

__all__ = ["ROBOT_CAMERA_RUNS"]

#: The wrist camera with the shipped recipe's model settings, and what the recipe got from it.
ROBOT_CAMERA_RUNS = """\
- The wrist camera, now that the model looks (2026-12-07, twenty-first session). The cameras
  were last compared at 600 steps (the first table), before early fusion and the pointer, when
  the action did not yet depend on the image. With the shipped recipe's model settings, on push
  and pick-place (750 expert episodes of each, plus 750 with the experts' 0.3 noise, every
  camera at 80x80), 4000 steps, then 50 unseen seeds per task (from 100000):

  | variant | push | pick-place | mean | val error per step, x / y / z (cm) | pointer on the target | train speed |
  |---|---:|---:|---:|---|---:|---:|
  | front camera alone | 5/50 (10%) | 1/50 (2%) | 6.0% | 0.69 / 0.85 / 0.60 | 96% | 93.5 samples/s |
  | front + wrist cameras | 9/50 (18%) | 17/50 (34%) | **26.0%** | 0.51 / 0.52 / 0.33 | 96% | about 59 samples/s |

  The wrist camera sees the cube during the approach and the grasp, where the arm hides it
  from the front camera: the per-step error falls by a quarter to a half and pick-place goes
  from 1 to 17 successes. Two views cost about 1.6x the training time per step (the front+wrist
  run logged 38.2 samples/s, with pauses for other benchmarks; 1.85 steps/s unpaused). The
  recipe runs again with both cameras at 10000 steps (2026-12-07; not yet shipped). In closed
  loop (receding 8, one thread, the env rendering the cameras each policy reads; `python
  benchmarks/closed_loop.py --env vla/panda-push-v0 --policy RUN --steps 200 --execution
  receding --horizon 8`) the two-camera policy adds 45% to the env, 2.23 ms per executed step,
  against 39% and 1.61 ms for the front camera alone: both within issue 14's 50% and 4 ms.
  Command:
  `vla collect --env vla/panda-push-v0 --env vla/panda-pick-place-v0 --episodes 750 --workers
  2 --env-kwargs '{"cameras": ["front", "wrist"], "image_size": 80}' --out data-clean` (and
  `--seed 50000 --expert-kwargs '{"noise": 0.3}' --out data-noisy`), then `python
  benchmarks/robot_ablation.py --dataset data-clean --dataset data-noisy --task push --task
  pick-place --steps 4000 --episodes 50 --threads 2 --workers 2 --variant
  front+wrist:views=front+wrist,$C --variant front:views=front,$C` with
  `C=chunk_size=8,execution=receding:8,augment=none,vision_early_fusion=true,point_loss=1.0,point_to_action=true`.
"""
