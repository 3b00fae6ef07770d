"""Does a from-scratch ``vla-tiny`` learn to look at the image? A synthetic grounding probe.

Each sample is a white 160x210 page with one dark 36x24 box at a random place and the
instruction "Click the button."; the target is a click at the box's centre. Only the image says
where to click, so a model that ignores it stays at the error of predicting the average position
(~30-40 px). Every ``--eval-every`` steps the median |x error| of the teacher-forced argmax x token
over 64 fresh samples is printed, for each variant given with ``--variant``.

    python benchmarks/grounding_synthetic.py --steps 1200 --eval-every 200 \\
        --variant plain: --variant stem:conv_stem=True,sincos_position_init=True

(docs/benchmarks.md has the measured curves.)

A variant is ``NAME:KEY=VALUE,...`` of ``VLAConfig.from_preset("vla-tiny", ...)`` overrides, on
top of ``coord_bins=256, bin_smoothing=0.02``.
"""

from __future__ import annotations

import argparse
import ast
import time

import numpy as np
import torch

from vla.actions import Click
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor

INSTRUCTION = "Click the button."
MODEL_KEYS = ("pixel_values", "input_ids", "attention_mask", "labels", "states", "state_mask")


def sample(rng: np.random.Generator, n: int) -> tuple[list[np.ndarray], list[Click]]:
    images, actions = [], []
    for _ in range(n):
        image = np.full((210, 160, 3), 255, np.uint8)
        x, y = int(rng.integers(20, 140)), int(rng.integers(60, 190))
        image[y - 12 : y + 12, x - 18 : x + 18] = 80
        images.append(image)
        actions.append(Click(float(x), float(y)))
    return images, actions


def x_error(model: VLAForActionPrediction, proc: VLAProcessor, rng: np.random.Generator) -> float:
    """Median |x error| in page pixels of the teacher-forced x token over 64 fresh samples."""
    images, actions = sample(rng, 64)
    batch = proc(images, [INSTRUCTION] * len(images), None, actions)
    model.eval()
    with torch.no_grad():
        logits = model(**{k: v for k, v in batch.items() if k in MODEL_KEYS}).logits
    model.train()
    tok = proc.tokenizer
    pred, target = logits[:, :-1].argmax(-1), batch["labels"][:, 1:]
    errors = []
    for p_row, t_row in zip(pred, target, strict=True):
        coords = [
            (int(p), int(t))
            for p, t in zip(p_row, t_row, strict=True)
            if tok.coord_offset <= int(t) < tok.value_offset
        ]
        p, t = coords[0]  # the x token
        errors.append(abs(p - t) * 160 / tok.coord_bins)
    return float(np.median(errors))


def run(name: str, overrides: dict, steps: int, lr: float, eval_every: int, seed: int) -> None:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    cfg = VLAConfig.from_preset(
        "vla-tiny", **{"coord_bins": 256, "bin_smoothing": 0.02, **overrides}
    )
    model, proc = VLAForActionPrediction(cfg), VLAProcessor.from_config(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    t0 = time.perf_counter()
    for step in range(1, steps + 1):
        images, actions = sample(rng, 32)
        batch = proc(images, [INSTRUCTION] * len(images), None, actions)
        loss = model(**{k: v for k, v in batch.items() if k in MODEL_KEYS}).loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % eval_every == 0:
            err = x_error(model, proc, rng)
            print(
                f"{name:>10} step {step:5d}  loss {loss.item():.3f}  median x error {err:5.1f} px"
                f"  ({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )


def parse_variant(text: str) -> tuple[str, dict]:
    name, _, rest = text.partition(":")
    overrides = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        overrides[key] = ast.literal_eval(value)
    return name or "variant", overrides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--eval-every", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--variant",
        action="append",
        help="NAME:KEY=VALUE,... (repeatable); default: plain and conv stem + sincos init",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    variants = args.variant or ["plain:", "stem:conv_stem=True,sincos_position_init=True"]
    for text in variants:
        name, overrides = parse_variant(text)
        run(name, overrides, args.steps, args.lr, args.eval_every, args.seed)


if __name__ == "__main__":
    main()
