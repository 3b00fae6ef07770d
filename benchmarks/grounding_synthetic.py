"""Does a from-scratch ``vla-tiny`` learn to look at the image? A synthetic grounding probe.

Each sample is a white 160x210 page with one dark 36x24 box at a random place and the
instruction "Click the button."; the target is a click at the box's centre. Only the image says
where to click, so a model that ignores it stays at the error of predicting the average position
(~30-40 px). Every ``--eval-every`` steps the median |x error| of the teacher-forced argmax x token
over 64 fresh samples is printed, for each variant given with ``--variant``.

    python benchmarks/grounding_synthetic.py --steps 1200 --eval-every 200 \\
        --variant plain: --variant stem:conv_stem=True,sincos_position_init=True

**Reading** (``--task read``, issue 13): 2-4 grey 40x18 buttons with different short words
(PIL's default font, ~8 px high) at random places; the instruction names one ("Click the button
OK."). Only a model that reads the words and the instruction beats 1/3 (guessing a button).
Printed every ``--eval-every`` steps: the hit rate (greedy grammar-constrained click inside the
named button) and the median click error over 64 fresh pages.

    python benchmarks/grounding_synthetic.py --task read --steps 900 --eval-every 300 \
        --variant fixed80:conv_stem=True,sincos_position_init=True \
        --variant native:conv_stem=True,vision_patch_size=16,max_image_tokens=140

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
WORDS = (
    "OK",
    "Cancel",
    "Yes",
    "No",
    "Next",
    "Back",
    "Save",
    "Stop",
    "Open",
    "Exit",
    "Send",
    "Help",
)
BUTTON_W, BUTTON_H = 40, 18
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


def sample(rng: np.random.Generator, n: int) -> tuple[list[np.ndarray], list[Click]]:
    images, actions = [], []
    for _ in range(n):
        image = np.full((210, 160, 3), 255, np.uint8)
        x, y = int(rng.integers(20, 140)), int(rng.integers(60, 190))
        image[y - 12 : y + 12, x - 18 : x + 18] = 80
        images.append(image)
        actions.append(Click(float(x), float(y)))
    return images, actions


def sample_read(
    rng: np.random.Generator, n: int
) -> tuple[list[np.ndarray], list[str], list[Click], list[tuple[int, int, int, int]]]:
    """``n`` reading pages: images, instructions, target clicks and target boxes (x0, y0, x1, y1)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default()
    images, texts, clicks, boxes = [], [], [], []
    for _ in range(n):
        page = Image.new("RGB", (160, 210), "white")
        draw = ImageDraw.Draw(page)
        words = rng.choice(len(WORDS), size=int(rng.integers(2, 5)), replace=False)
        placed: list[tuple[int, int, int, int]] = []
        while len(placed) < len(words):
            x0, y0 = (
                int(rng.integers(2, 160 - BUTTON_W - 2)),
                int(rng.integers(2, 210 - BUTTON_H - 2)),
            )
            box = (x0, y0, x0 + BUTTON_W, y0 + BUTTON_H)
            if all(
                box[0] > b[2] + 2 or box[2] < b[0] - 2 or box[1] > b[3] + 2 or box[3] < b[1] - 2
                for b in placed
            ):
                placed.append(box)
        for w, box in zip(words, placed, strict=True):
            draw.rectangle(box, fill=(210, 210, 210), outline=(90, 90, 90))
            draw.text((box[0] + 4, box[1] + 4), WORDS[w], fill="black", font=font)
        target = int(rng.integers(len(words)))
        box = placed[target]
        images.append(np.asarray(page))
        texts.append(f"Click the button {WORDS[words[target]]}.")
        clicks.append(Click((box[0] + box[2]) / 2, (box[1] + box[3]) / 2))
        boxes.append(box)
    return images, texts, clicks, boxes


def read_score(
    model: VLAForActionPrediction, proc: VLAProcessor, rng: np.random.Generator
) -> tuple[float, float]:
    """(hit rate, median error in px) of greedy grammar-constrained clicks on 64 fresh pages."""
    from vla.actions import UISpace
    from vla.model.decoding import ActionGrammar, constrained_decode

    images, texts, clicks, boxes = sample_read(rng, 64)
    batch = proc(images, texts)
    sizes = batch.pop("image_sizes").tolist()
    grammar = ActionGrammar(proc.tokenizer, UISpace(verbs=("click",)))
    model.eval()
    tokens = constrained_decode(model, batch, [grammar] * len(images))
    model.train()
    hits, errors = [], []
    for t, size, click, box in zip(tokens, sizes, clicks, boxes, strict=True):
        pred = proc.tokenizer.decode(t, tuple(size))
        hits.append(box[0] <= pred.x <= box[2] and box[1] <= pred.y <= box[3])
        errors.append(float(np.hypot(pred.x - click.x, pred.y - click.y)))
    return float(np.mean(hits)), float(np.median(errors))


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


def run(
    name: str, overrides: dict, steps: int, lr: float, eval_every: int, seed: int, task: str
) -> None:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    cfg = VLAConfig.from_preset(
        "vla-tiny", **{"coord_bins": 256, "bin_smoothing": 0.02, **overrides}
    )
    model, proc = VLAForActionPrediction(cfg), VLAProcessor.from_config(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    t0 = time.perf_counter()
    # reading: the same training pages for every variant (box keeps its documented stream)
    data_rng = np.random.default_rng((seed, 1)) if task == "read" else rng
    for step in range(1, steps + 1):
        if task == "read":
            images, texts, actions, _ = sample_read(data_rng, 32)
        else:
            images, actions = sample(data_rng, 32)
            texts = [INSTRUCTION] * len(images)
        batch = proc(images, texts, None, actions)
        loss = model(**{k: v for k, v in batch.items() if k in MODEL_KEYS}).loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % eval_every == 0:
            elapsed = time.perf_counter() - t0
            if task == "read":
                hit, err = read_score(model, proc, np.random.default_rng((seed, 2)))
                score = f"hit rate {hit:4.2f}  median error {err:5.1f} px"
            else:
                score = f"median x error {x_error(model, proc, rng):5.1f} px"
            print(
                f"{name:>10} step {step:5d}  loss {loss.item():.3f}  {score}  ({elapsed:.0f} s)",
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
    parser.add_argument("--task", choices=("box", "read"), default="box")
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
        run(name, overrides, args.steps, args.lr, args.eval_every, args.seed, args.task)


if __name__ == "__main__":
    main()
