"""Your own task end to end: custom env + scripted expert -> collect -> train -> eval.

    python examples/custom_task.py            # ~5 minutes on a laptop CPU
    python examples/custom_task.py --fast     # a smoke run (CI)

The env and expert live in examples/my_task.py. The same steps from the shell:

    cd examples
    vla collect --env my_task:ColourSquaresEnv --expert my_task:make_expert --episodes 400 --out runs/my-task/data --workers 0
    vla train --dataset runs/my-task/data --steps 400 --out runs/my-task/model
    vla eval --policy runs/my-task/model --env my_task:ColourSquaresEnv --episodes 50
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # so that "my_task:..." resolves, here and in worker processes

ENV = "my_task:ColourSquaresEnv"
EXPERT = "my_task:make_expert"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="tiny run for CI")
    parser.add_argument("--out", default="runs/my-task")
    args = parser.parse_args()
    episodes, steps, eval_episodes = (20, 10, 4) if args.fast else (400, 400, 50)
    out = Path(args.out)

    from vla.datasets import CollectConfig, collect

    collect(
        CollectConfig(env_ids=[ENV], episodes=episodes, out=out / "data", workers=0, expert=EXPERT)
    )

    from vla.training import TrainConfig, train

    result = train(
        TrainConfig(
            datasets=[str(out / "data")], out=str(out / "model"), config="vla-tiny", steps=steps,
            batch_size=32, lr=1e-3, warmup_steps=min(50, steps // 5), val_fraction=0.1,
            save_every=0, threads=1,
        )
    )  # fmt: skip
    print(f"trained {result.steps} steps in {result.wall_time_s:.0f} s")

    from vla.evaluation import EvalConfig, evaluate
    from vla.evaluation.report import format_table

    info = evaluate(
        EvalConfig(
            policy=str(out / "model"), env_ids=[ENV], episodes=eval_episodes,
            seed_start=100_000, out=str(out / "eval"),
        )
    )  # fmt: skip
    print(format_table(info))
    print(f"report: {out / 'eval' / 'report.html'}")


if __name__ == "__main__":
    main()
