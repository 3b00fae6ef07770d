"""Which change buys robot success? Train each variant on the same data, seed and step budget,
then evaluate each closed loop on the same tasks and unseen seeds (issue 14).

    vla collect --env vla/panda-reach-v0 --env vla/panda-push-v0 --episodes 150 --workers 1 \\
        --env-kwargs '{"cameras": ["front", "scene", "wrist"], "image_size": 80}' \\
        --out runs/robot-ablation/data-clean
    # the same with --seed 50000 --expert-kwargs '{"noise": 0.3}' --out runs/robot-ablation/data-noisy
    python benchmarks/robot_ablation.py --dataset runs/robot-ablation/data-clean \\
        --task reach --task push --steps 800 --episodes 50 \\
        --variant front-k1:views=front \\
        --variant scene+wrist-k1:views=scene+wrist \\
        --variant scene+wrist-k8:views=scene+wrist,chunk_size=8,execution=receding:8

A variant is ``NAME:KEY=VALUE,...``: ``vla-tiny`` preset overrides (JSON values) on top of the
robot recipe's (conv stem, sine-cosine init, bin smoothing 0.01), and keys of its own:
``views`` (``+``-separated camera names: the model's ``view_names`` and the cameras the eval
env renders, at ``--image-size``), ``image`` (instead of ``views``: one camera read as the
single unnamed image, as the shipped recipe reads ``front``), ``execution`` (``vla eval --execution`` text) and
``chunk_size`` (which also turns on ``parallel_decoding``). The dataset must hold every camera a
variant reads. ``point_loss=1.0`` adds the grounding loss (docs/model.md); it needs data
collected since the envs report ``target_pixels``. ``point_to_action=true`` also fuses where
the model points into its action positions. ``augment=none`` trains without image augmentation
(``vla train --augment none``). Each variant trains into ``--out/NAME`` and evaluates into ``--out/NAME/eval``;
finished parts are not rerun, so an interrupted ablation resumes. Printed at the end (and
written to ``--out/ablation.json``): per-task success, the mean, training samples per second
and the policy's median latency per call.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from browser_ablation import parser, run_ablation, train_and_evaluate

RECIPE = {"conv_stem": True, "sincos_position_init": True, "bin_smoothing": 0.01}


def run_variant(name: str, settings: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Train (or resume) one variant, evaluate it, and return its row."""
    from vla.rollout.chunk_execution import parse_execution

    overrides = dict(settings)
    execution = overrides.pop("execution", None)
    augment = str(overrides.pop("augment", "auto"))
    if overrides.get("chunk_size", 1) > 1:
        overrides.setdefault("parallel_decoding", True)
    if "image" in overrides:  # one unnamed image, as the shipped recipe reads it
        model = {**RECIPE, **overrides}
        env_kwargs = {"camera": str(model.pop("image")), "image_size": args.image_size}
    else:
        views = str(overrides.pop("views", "front")).split("+")
        model = {**RECIPE, "view_names": views, **overrides}
        env_kwargs = {"cameras": views, "image_size": args.image_size}
    row = train_and_evaluate(
        Path(args.out) / name,
        args,
        model,
        [f"vla/panda-{t}-v0" for t in args.task],
        workers=args.workers,
        env_kwargs=env_kwargs,
        execution=parse_execution(execution) if execution else None,
        augment=augment,
    )
    return {"variant": name, "overrides": settings} | row


def main() -> None:
    p = parser(__doc__, "Panda task name", 800, 1, 50, "runs/robot-ablation/runs")
    p.add_argument("--workers", type=int, default=2, help="eval worker processes")
    p.add_argument("--image-size", type=int, default=80, help="eval camera resolution")
    run_ablation(p.parse_args(), run_variant)


if __name__ == "__main__":
    main()
