"""Does a small model copy a quoted text exactly, and stop where it ends? (``copy_alignment``)

Each sample is a login-style instruction with two quoted texts, ``Enter the username "X" and
the password "Y" ...``, and the target is typing the first. The texts are drawn from six
letters, so bigrams repeat inside a text ("bernardine" has ``n`` before ``a`` and before
``e``) and between the two. That is how the 2026-12-05 browser checkpoint failed login-user:
it typed "bernardinerdinenene ld l.". Each variant trains the same tiny model with the same seed
and batches for ``--steps`` steps; then greedy grammar-constrained decoding types 200 unseen
instructions, and the exact-match rate is printed.

    python benchmarks/copy_alignment.py --steps 300 \\
        --variant copy:copy_instruction=true \\
        --variant aligned:copy_instruction=true,copy_alignment=true

A variant is ``NAME:KEY=VALUE,...`` of ``VLAConfig.from_preset("vla-tiny", ...)`` overrides on
top of a small text model (32-px images, which carry nothing here).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

LETTERS = np.array(list("abnrde"))
SMALL = {
    "vision_image_size": 32,
    "vision_hidden_size": 32,
    "vision_intermediate_size": 64,
    "text_hidden_size": 64,
    "text_intermediate_size": 128,
    "max_text_bytes": 16,
}


def samples(rng: np.random.Generator, n: int) -> tuple[list[Any], list[str], list[str]]:
    """``(images, instructions, texts to type)`` of ``n`` login-style samples."""
    words = ["".join(rng.choice(LETTERS, int(rng.integers(5, 12)))) for _ in range(2 * n)]
    user, password = words[:n], words[n:]
    texts = [
        f'Enter the username "{u}" and the password "{p}" into the text fields and press login.'
        for u, p in zip(user, password, strict=True)
    ]
    images = [np.zeros((32, 32, 3), np.uint8)] * n
    return images, texts, user


def run(overrides: dict[str, Any], steps: int, seed: int = 0) -> tuple[float, float]:
    """Train one variant; return (exact-match rate on 200 unseen instructions, seconds)."""
    import torch

    from vla import Policy
    from vla.actions import Type, UISpace
    from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
    from vla.model.decoding import ActionGrammar, constrained_decode

    torch.manual_seed(seed)
    cfg = VLAConfig.from_preset("vla-tiny", **{**SMALL, **overrides})
    policy = Policy(VLAForActionPrediction(cfg), VLAProcessor.from_config(cfg), device="cpu")
    model, rng, start = policy.model.train(), np.random.default_rng(seed), time.perf_counter()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    for _ in range(steps):
        images, texts, typed = samples(rng, 32)
        batch = policy.processor(images, texts, actions=[Type(t) for t in typed])
        batch.pop("image_sizes")
        model(**batch).loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    model.eval()
    images, texts, typed = samples(np.random.default_rng(10_000 + seed), 200)
    batch = policy.processor(images, texts)
    batch.pop("image_sizes")
    grammars = [ActionGrammar(policy.tokenizer, UISpace())] * len(texts)
    with torch.no_grad():
        tokens = constrained_decode(model, batch, grammars)
    got = [policy.tokenizer.decode(t, (32, 32)) for t in tokens]
    hits = sum(getattr(a, "text", None) == w for a, w in zip(got, typed, strict=True))
    return hits / len(typed), time.perf_counter() - start


def main() -> None:
    from browser_ablation import parse_variant

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--variant", action="append", required=True, help="NAME:KEY=VALUE,...")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--seed", type=int, action="append", help="training seeds (default: 0)")
    args = p.parse_args()
    for variant in args.variant:
        name, overrides = parse_variant(variant)
        for seed in args.seed or [0]:
            rate, seconds = run(overrides, args.steps, seed)
            print(f"{name} seed {seed}: {rate:.1%} exact ({args.steps} steps, {seconds:.0f} s)")


if __name__ == "__main__":
    main()
