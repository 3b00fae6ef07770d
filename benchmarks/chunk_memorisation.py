"""Can the robot model memorise a few chunks? (issue 14: parallel decoding and value slots)

A reach policy whose pointer found the named cube every time still moved the same way in every
scene. This checks the action head alone: it trains the robot recipe's model on the first
frames of ``--episodes`` reach episodes, each labelled with its next 8 expert actions, one full
batch per step, and prints the mean error (in value bins of 256) of the greedy value at every
position of the chunk, teacher-forced, every 50 steps. A model that cannot drive this to a few
bins on 32 samples cannot learn the task from thousands.

One run per ``--variant name:key=value,...`` on the same data, seed and steps::

    python benchmarks/chunk_memorisation.py --out runs/memorise --steps 200 \\
        --variant parallel: --variant slots:value_slots=64 --variant sequential:parallel_decoding=false
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from browser_ablation import parse_variant

ENV = "vla/panda-reach-v0"
#: the robot recipe's model overrides (vla/release/recipe_book.py), without value slots
RECIPE = {"conv_stem": True, "sincos_position_init": True, "chunk_size": 8,
          "parallel_decoding": True, "bin_smoothing": 0.01}  # fmt: skip


def episodes(out: Path, n: int) -> Path:
    """Record (or resume) ``n`` reach episodes with the IK expert."""
    data = out / "data"
    subprocess.run([sys.executable, "-m", "vla", "collect", "--env", ENV, "--episodes", str(n),
                    "--seed", "0", "--out", str(data)], check=True)  # fmt: skip
    return data


def first_chunks(data: Path, n: int, overrides: dict[str, Any]) -> tuple[Any, dict, int]:
    """A fresh seeded model, and one batch: each episode's first frame and its next 8 actions."""
    import torch

    from vla.datasets import load_stats
    from vla.datasets.reader import load_episode
    from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor

    torch.manual_seed(0)
    cfg = VLAConfig.from_preset("vla-tiny", **{**RECIPE, **overrides})
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(load_stats([data]))
    eps = [load_episode(data, e) for e in range(n)]
    k = cfg.chunk_size
    batch = proc(
        [ep[0]["image"] for ep in eps],
        [ep[0]["instruction"] for ep in eps],
        states=[ep[0]["state"] for ep in eps],
        actions=[[ep[min(t, len(ep) - 1)]["action"] for t in range(k)] for ep in eps],
    )
    batch.pop("image_sizes", None)
    return VLAForActionPrediction(cfg), dict(batch), proc.tokenizer.value_offset


def value_errors(model: Any, batch: dict, offset: int) -> np.ndarray:
    """(B, N) |greedy bin - label bin| at each of the N value positions (teacher-forced)."""
    import torch

    bins = model.config.value_bins
    labels = batch["labels"]
    with torch.no_grad():
        logits = model(**batch).logits
    rows = []
    for b in range(labels.shape[0]):
        where = [int(p) for p in (labels[b] != -100).nonzero().flatten()]
        where = [p for p in where if offset <= int(labels[b, p]) < offset + bins]
        rows.append([abs(int(logits[b, p - 1, offset : offset + bins].argmax())
                         - (int(labels[b, p]) - offset)) for p in where])  # fmt: skip
    return np.array(rows, dtype=float)


def memorise(data: Path, n: int, overrides: dict[str, Any], steps: int) -> list[dict]:
    """Train on the one batch for ``steps`` steps; the errors every 50 steps."""
    import torch

    model, batch, offset = first_chunks(data, n, overrides)
    opt = torch.optim.AdamW(model.parameters(), 1e-3)
    log, start = [], time.time()
    for step in range(steps + 1):
        if step % 50 == 0 or step == steps:
            model.eval()
            err = value_errors(model, batch, offset)
            log.append({"step": step, "seconds": round(time.time() - start),
                        "mean": round(err.mean(), 1), "first_xyz": err[:, :3].mean(0).round(1).tolist()})  # fmt: skip
            print(json.dumps(log[-1]), flush=True)
            model.train()
        if step < steps:
            loss = model(**batch).loss
            opt.zero_grad()
            loss.backward()
            opt.step()
    return log


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--episodes", type=int, default=32)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variant", action="append", default=[], help="name:key=value,...")
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    data = episodes(args.out, args.episodes)
    results = {}
    for text in args.variant or ["parallel:"]:
        name, overrides = parse_variant(text)
        print(f"== {name} {overrides}", flush=True)
        results[name] = {
            "overrides": overrides,
            "log": memorise(data, args.episodes, overrides, args.steps),
        }
    (args.out / "memorisation.json").write_text(json.dumps(results, indent=1))
    print(f"{'variant':<12} {'mean bin error':>15} {'first x/y/z':>20}")
    for name, r in results.items():
        last = r["log"][-1]
        print(f"{name:<12} {last['mean']:>15} {last['first_xyz']!s:>20}")


if __name__ == "__main__":
    main()
