"""Training step time of the robot recipe's model with early fusion's byte tokens as shipped
(only the instruction's bytes in the vision tower) against every text position in the tower
(the instruction's bytes, the action tokens and the padding, all but the bytes masked: how it
was before 2026-12-05).

    vla collect --env vla/panda-pick-place-v0 --env vla/panda-push-v0 --episodes 30 \\
        --out runs/fusion-data
    python benchmarks/early_fusion_speed.py --dataset runs/fusion-data --reps 4

Builds the ``vla-robot-tiny`` recipe's model and batches (``vla.release.recipe_book``) from the
dataset, then times forward + backward on the same 6 batches, alternating the two ways rep by
rep after one untimed rep (so machine load hits both alike), and prints each way's median and
the loss on one batch (the same: the masked positions change nothing). Run it with nothing else
on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from vla.model.vision_vla import VisionConditioning
from vla.release.recipe_book import RECIPES
from vla.training import TrainConfig
from vla.training.setup import build_data, build_model

SHIPPED = VisionConditioning.byte_tokens


def every_position(self, input_ids, attention_mask):
    """The byte tokens padded back to the whole text's length, the padding masked."""
    tokens, keep = SHIPPED(self, input_ids, attention_mask)
    pad = input_ids.shape[1] - tokens.shape[1]
    return F.pad(tokens, (0, 0, 0, pad)), F.pad(keep, (0, pad))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", action="append", required=True)
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = TrainConfig(
        datasets=args.dataset, out="/tmp/early-fusion-speed", **RECIPES["vla-robot-tiny"].train
    )
    data = build_data(cfg)
    model, processor = build_model(cfg, data.stats)
    batches = iter(data.train_loader(processor, points=True))
    batches = [next(batches) for _ in range(6)]
    ways = {"every text position": every_position, "instruction bytes only": SHIPPED}
    times: dict[str, list[float]] = {name: [] for name in ways}
    losses = {}
    try:
        for rep in range(args.reps + 1):  # rep 0 warms up, untimed
            for name, fn in ways.items():
                VisionConditioning.byte_tokens = fn
                for b in batches:
                    t0 = time.perf_counter()
                    model(**b, logits_to_keep=1).loss.backward()
                    model.zero_grad(set_to_none=True)
                    if rep:
                        times[name].append(time.perf_counter() - t0)
                with torch.no_grad():
                    losses[name] = float(model(**batches[0], logits_to_keep=1).loss)
    finally:
        VisionConditioning.byte_tokens = SHIPPED
    width = batches[0]["input_ids"].shape[1]
    print(f"batch 32, text length {width}, torch threads {args.threads}")
    for name, t in times.items():
        ms = statistics.median(t) * 1000
        print(f"{name:>24}: forward + backward {ms:6.0f} ms (median), loss {losses[name]:.6f}")


if __name__ == "__main__":
    main()
