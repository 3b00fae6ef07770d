"""Training samples/s of the browser config on this CPU, and what raises it (issue 13).

Times forward + backward + AdamW steps of ``vla-tiny`` (conv stem + sine-cosine init,
``coord_bins=256``, ``bin_smoothing=0.02``: the browser recipe's model) on batches of 32
synthetic 160x210 reading pages (``grounding_synthetic.sample_read``), for each ``--variant``
(``NAME:KEY=VALUE,...`` model overrides) and each speed option:

* ``threads``: ``torch.set_num_threads`` (``--threads 1,2``);
* ``channels_last``: the pixels in channels-last memory format (the conv stem's layout);
* ``compile``: ``torch.compile`` of the model;
* ``bf16``: ``torch.autocast("cpu", torch.bfloat16)`` around forward and loss.

Also timed: building one batch (processor collation, what a DataLoader worker does per step), so
the step time can be compared with what the loader must deliver.

    python benchmarks/training_throughput.py --threads 1,2 --options base,channels_last,bf16 \\
        --variant fixed80:conv_stem=True,sincos_position_init=True \\
        --variant native16:conv_stem=True,vision_patch_size=16,max_image_tokens=140

Samples/s are medians over ``--steps`` timed steps after ``--warmup`` steps. The machine is
shared: run it when nothing else is busy, and compare numbers from one run only.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from grounding_synthetic import parse_variant, sample_read

from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor

BASE = {"coord_bins": 256, "bin_smoothing": 0.02}
MODEL_KEYS = (
    "pixel_values",
    "input_ids",
    "attention_mask",
    "labels",
    "states",
    "state_mask",
    "image_grids",
    "thumbnail_values",
)


def time_variant(overrides: dict, option: str, batch: int, warmup: int, steps: int) -> float:
    """Median samples/s of training steps of one model variant with one speed option."""
    torch.manual_seed(0)
    cfg = VLAConfig.from_preset("vla-tiny", **{**BASE, **overrides})
    model, proc = VLAForActionPrediction(cfg), VLAProcessor.from_config(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    images, texts, actions, _ = sample_read(np.random.default_rng(0), batch)
    inputs = {k: v for k, v in proc(images, texts, None, actions).items() if k in MODEL_KEYS}
    if option == "channels_last":
        inputs["pixel_values"] = inputs["pixel_values"].contiguous(
            memory_format=torch.channels_last
        )
    step_model = torch.compile(model) if option == "compile" else model
    autocast = (
        torch.autocast("cpu", dtype=torch.bfloat16)
        if option == "bf16"
        else contextlib.nullcontext()
    )
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        with autocast:
            loss = step_model(**inputs).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return batch / statistics.median(times)


def time_collation(overrides: dict, batch: int, repeats: int = 5) -> float:
    """Median seconds to turn ``batch`` raw pages into a model batch (the loader's work)."""
    cfg = VLAConfig.from_preset("vla-tiny", **{**BASE, **overrides})
    proc = VLAProcessor.from_config(cfg)
    images, texts, actions, _ = sample_read(np.random.default_rng(1), batch)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        proc(images, texts, None, actions)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--threads", default="1", help="comma-separated torch thread counts")
    parser.add_argument("--options", default="base", help="base,channels_last,compile,bf16")
    parser.add_argument("--variant", action="append", help="NAME:KEY=VALUE,... (repeatable)")
    args = parser.parse_args()
    variants = args.variant or ["fixed80:conv_stem=True,sincos_position_init=True"]
    print(f"torch {torch.__version__}, batch {args.batch}, median of {args.steps} steps")
    for text in variants:
        name, overrides = parse_variant(text)
        torch.set_num_threads(1)
        collate = time_collation(overrides, args.batch)
        print(f"{name:>10}  collation of one batch: {collate * 1000:6.0f} ms (1 thread)")
        for threads in (int(t) for t in args.threads.split(",")):
            torch.set_num_threads(threads)
            for option in args.options.split(","):
                rate = time_variant(overrides, option, args.batch, args.warmup, args.steps)
                print(
                    f"{name:>10}  threads {threads}  {option:>13}  {rate:6.1f} samples/s  "
                    f"({args.batch / rate:5.2f} s/step)",
                    flush=True,
                )


if __name__ == "__main__":
    main()
