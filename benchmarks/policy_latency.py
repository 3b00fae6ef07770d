"""Latency of one ``Policy.act`` (batch 1) against plain Hugging Face ``generate()``.

For a 160x210 UI screenshot and a 128x128 robot image (with a 9-d state), prints the median
wall time of

* ``policy.act``: processor + prefix pass + grammar-constrained cached decoding + detokenize;
* the same pipeline with ``model.generate()`` (greedy, same grammar as a ``LogitsProcessor``)
  in place of the constrained decoder,

checks that both produce the same action, and prints the speed-up. A ``copy_instruction``
checkpoint has no ``generate()`` reference (it cannot copy), so only ``act`` is timed.

    python benchmarks/policy_latency.py [--checkpoint PATH_OR_NAME] [--repeats 50] [--threads N]
    python benchmarks/policy_latency.py --overrides conv_stem=True,vision_patch_size=16,max_image_tokens=140
    python benchmarks/policy_latency.py --chunks [--image-size 128]

``--chunks`` (issue 14) measures robot action chunks instead: batch-1 latency of one chunk
(``Policy.act_chunk``, 128x128 image, 14-d state, ``ee_delta``) and the amortised latency per
executed action when all ``k`` actions of a chunk are executed (receding horizon ``m = k``),
for ``k = 1, 4, 8`` decoded value by value (each value fed back) and in one pass
(``parallel_decoding``). Random ``vla-tiny`` models: a robot chunk has the same number of tokens
whatever the weights, so the timing is that of a trained model. Each parallel decode is also
checked against the placeholder-fed decode one position at a time.

Without a checkpoint a randomly initialised ``vla-tiny`` is used; its UI space is then restricted
to clicks so that the decoded action has the length of a real click (a random model would
otherwise type 64 random bytes). ``--overrides KEY=VALUE,...`` are ``VLAConfig.from_preset``
overrides of that random model (e.g. native resolution, issue 13).
"""

from __future__ import annotations

import argparse
import ast
import statistics
import time
from typing import Any

import numpy as np
import torch

from vla import Policy
from vla.actions import RobotSpace, UISpace
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.model.decoding import ActionGrammar, GrammarLogitsProcessor

STATS = {
    "action.ee_delta": {"q01": [-0.05] * 6 + [0.0], "q99": [0.05] * 6 + [1.0]},
    "observation.state": {"q01": [-1.0] * 9, "q99": [1.0] * 9},
}


def act_with_generate(policy: Policy, image: np.ndarray, text: str, state: Any, space: Any) -> Any:
    """The reference pipeline: processor -> ``model.generate()`` -> detokenize."""
    batch = policy.processor([image], [text], states=[state])
    size = tuple(batch.pop("image_sizes")[0].tolist())
    grammar = ActionGrammar(policy.tokenizer, space)
    ids = policy.model.generate(
        **batch,
        logits_processor=[GrammarLogitsProcessor([grammar])],
        max_new_tokens=policy.tokenizer.max_text_bytes + 2,
        do_sample=False,
    )[0].tolist()
    return policy.tokenizer.decode(ids, size, space if isinstance(space, RobotSpace) else None)


def median_ms(fn: Any, repeats: int) -> tuple[float, Any]:
    out = fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, out


def load_policy(checkpoint: str | None, overrides: str = "") -> tuple[Policy, UISpace]:
    if checkpoint:
        return Policy.from_pretrained(checkpoint, device="cpu"), UISpace()
    torch.manual_seed(0)
    kwargs = {
        k: ast.literal_eval(v)
        for k, _, v in (item.partition("=") for item in filter(None, overrides.split(",")))
    }
    cfg = VLAConfig.from_preset("vla-tiny", **kwargs)
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(STATS)
    return Policy(VLAForActionPrediction(cfg), proc, device="cpu"), UISpace(("click",))


CHUNK_STATS = {
    "action.ee_delta": {"q01": [-0.03] * 6 + [0.0], "q99": [0.03] * 6 + [1.0]},
    "observation.state": {"q01": [-1.0] * 14, "q99": [1.0] * 14},
}


def chunk_policy(k: int, parallel: bool, image_size: int) -> Policy:
    """A random ``vla-tiny`` robot policy decoding ``k``-action chunks."""
    torch.manual_seed(0)
    cfg = VLAConfig.from_preset(
        "vla-tiny", chunk_size=k, parallel_decoding=parallel, vision_image_size=image_size
    )
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(CHUNK_STATS)
    return Policy(VLAForActionPrediction(cfg), proc, device="cpu")


def bench_chunks(repeats: int, image_size: int) -> None:
    """Time every case in turn, ``repeats`` rounds (interleaved, so load hits all alike)."""
    from vla.model.decoding import constrained_decode

    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (128, 128, 3), np.uint8)
    state = rng.normal(size=14).astype(np.float32)
    space = RobotSpace("ee_delta")
    cases = [(k, p, chunk_policy(k, p, image_size)) for k in (1, 4, 8) for p in (False, True)]
    times: dict[tuple[int, bool], list[float]] = {(k, p): [] for k, p, _ in cases}
    with torch.inference_mode():
        for _ in range(repeats + 1):  # the first round warms up
            for k, parallel, policy in cases:
                t = time.perf_counter()
                chunk = policy.act_chunk(image, "lift the cube", state, space)
                times[k, parallel].append(time.perf_counter() - t)
                assert len(chunk) == k
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, repeats {repeats}, "
          f"model input {image_size}x{image_size}, ee_delta (7 values per action)")  # fmt: skip
    print(f"{'k':>2} {'decoding':<14} {'tokens':>6} {'chunk ms':>9} {'ms/action':>10}  same")
    for k, parallel, policy in cases:
        ms = statistics.median(times[k, parallel][1:]) * 1000
        same = "-"
        if parallel:  # one pass == the placeholder-fed decode one position at a time
            batch = policy.processor([image], ["lift the cube"], states=[state])
            batch.pop("image_sizes")
            grammar = [ActionGrammar(policy.tokenizer, space)]
            one = constrained_decode(policy.model, batch, grammar, parallel=True)
            same = str(one == constrained_decode(policy.model, batch, grammar, parallel=False))
        name = "one pass" if parallel else "value by value"
        print(f"{k:>2} {name:<14} {7 * k:>6} {ms:9.2f} {ms / k:10.2f}  {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", default=None, help="folder or shipped checkpoint name")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--overrides", default="", help="KEY=VALUE,... for the random vla-tiny")
    parser.add_argument("--chunks", action="store_true", help="robot action chunks (issue 14)")
    parser.add_argument("--image-size", type=int, default=80, help="--chunks: model input side")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.chunks:
        bench_chunks(args.repeats, args.image_size)
        return
    policy, ui_space = load_policy(args.checkpoint, args.overrides)
    rng = np.random.default_rng(0)
    robot_space = policy.robot_space or RobotSpace("ee_delta")
    state = np.zeros(9, np.float32) if robot_space.action == "ee_delta" else None
    if state is None:
        state = np.zeros(robot_space.n_joints * 2, np.float32)
    cases = [
        ("ui 160x210", rng.integers(0, 256, (210, 160, 3), np.uint8), "click the red button", None, ui_space),
        ("robot 128x128", rng.integers(0, 256, (128, 128, 3), np.uint8), "lift the cube", state, robot_space),
    ]  # fmt: skip
    stats = policy.processor.tokenizer.stats
    if args.checkpoint and f"action.{robot_space.action}" not in stats:
        cases = cases[:1]  # a browser-only checkpoint has no robot action statistics
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, repeats {args.repeats}")
    print(f"{'case':<14} {'act ms':>8} {'generate ms':>12} {'speed-up':>9}  same  action")
    for name, image, text, st, space in cases:
        with torch.inference_mode():
            fast, a = median_ms(lambda: policy.act(image, text, st, space), args.repeats)  # noqa: B023
            if policy.model.config.copy_instruction:  # generate() cannot copy: no reference
                print(f"{name:<14} {fast:8.2f} {'-':>12} {'-':>9}  -     {a}")
                continue
            slow, b = median_ms(
                lambda: act_with_generate(policy, image, text, st, space),  # noqa: B023
                args.repeats,
            )
        print(f"{name:<14} {fast:8.2f} {slow:12.2f} {slow / fast:8.2f}x  {a == b!s:<5} {a}")


if __name__ == "__main__":
    main()
