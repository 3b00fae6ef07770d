"""Can a robot model tell the named cube from the others? (issue 14)

The reach policy always moved toward *a* cube, but the named one only at chance. This trains
pointer models (``point_loss``) on first frames only (where nothing but the image and the
colour word say which cube), one per variant, on the same data, seed and step budget, and
reports for each:

* ``pointer``: validation share of frames whose top-scoring patch holds the named cube
  (``val/point_accuracy``, chance ~30% with 3-4 cubes);
* ``ranks first``: on unseen seeds, how often the pointer scores the named cube's patch above
  every other cube's patch;
* linear-probe accuracies (6 colours, chance 17%, held-out third) of the colour of the
  instruction from the hidden state that queries the pointer (``h[SEP]``), and of a cube's
  colour from its patch: the raw pixels, the projected image tokens the language model
  reads, and the language model's last hidden state there (the pointer's keys).

A probe that finds the word's colour in ``h[SEP]`` but not the cube's colour in the keys says
the image side dropped it (docs/results.md, "Robot").

    python benchmarks/robot_binding.py --out runs/binding --steps 800 \\
        --variant base: --variant film:vision_film=true --variant fusion:vision_early_fusion=true
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ENV = "vla/panda-reach-v0"
ENV_KWARGS = {"image_size": 80}
#: the shipped robot recipe's model overrides, plus the grounding loss
RECIPE = {"conv_stem": True, "sincos_position_init": True, "chunk_size": 8,
          "parallel_decoding": True, "bin_smoothing": 0.01, "point_loss": 1.0}  # fmt: skip


def vla(*args: str) -> None:
    """Run a ``vla`` command of this interpreter; stop on failure."""
    subprocess.run([sys.executable, "-m", "vla", *args], check=True)


def first_frames(out: Path, episodes: int) -> Path:
    """Record (or resume) ``episodes`` one-step reach episodes: the first frame of each."""
    data = out / "data-first"
    vla("collect", "--env", ENV, "--episodes", str(episodes), "--seed", "400000",
        "--max-steps", "1", "--keep-failures", "--env-kwargs", json.dumps(ENV_KWARGS),
        "--out", str(data))  # fmt: skip
    return data


def train(data: Path, run: Path, overrides: dict[str, Any], steps: int) -> float:
    """Train one variant (skipped when its model exists); its last ``val/point_accuracy``."""
    if not (run / "model.safetensors").exists():
        sets = [a for k, v in {**RECIPE, **overrides}.items() for a in ("--set", f"{k}={v}")]
        vla("train", "--dataset", str(data), "--config", "vla-tiny", *sets, "--steps",
            str(steps), "--batch-size", "32", "--lr", "1e-3", "--threads", "2", "--augment",
            "none", "--val-every", "200", "--log-with", "none", "--out", str(run))  # fmt: skip
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return float([r for r in rows if "val/point_accuracy" in r][-1]["val/point_accuracy"])


def unseen_frames(n: int) -> list[tuple[dict, str, list[tuple[str, tuple[float, float]]]]]:
    """``(observation, named colour, [(cube colour, its pixel)])`` of ``n`` unseen first frames."""
    import gymnasium as gym
    from robot_looks import pixel

    import vla.envs  # noqa: F401  (registers the envs)

    env = gym.make(ENV, **ENV_KWARGS)
    frames = []
    for seed in range(900_000, 900_000 + n):
        obs, info = env.reset(seed=seed)
        cubes = [(o["color"], tuple(pixel(env, o["position"])))
                 for o in info["objects"].values() if o["kind"] == "cube"]  # fmt: skip
        frames.append((obs, info["goal"]["object"], cubes))
    env.close()
    return frames


def probe(x: Any, y: Any, classes: int) -> float:
    """Held-out accuracy of a linear classifier trained on the first two thirds."""
    import torch

    x = (x - x.mean(0)) / (x.std(0) + 1e-5)
    m = len(y) * 2 // 3
    w = torch.zeros(x.shape[1], classes, requires_grad=True)
    opt = torch.optim.Adam([w], 0.05)
    for _ in range(300):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(x[:m] @ w, y[:m]).backward()
        opt.step()
    return float(((x[m:] @ w).argmax(-1) == y[m:]).float().mean())


def hidden_states(policy: Any, frames: list) -> tuple[Any, Any, Any, Any]:
    """``(pixel_values, projected image tokens, LM last hidden states, input_ids)``."""
    import torch

    model, proc = policy.model, policy.processor
    batch = proc([f[0]["image"] for f in frames], [f[0]["instruction"] for f in frames],
                 states=[f[0]["state"] for f in frames])  # fmt: skip
    batch.pop("image_sizes", None)
    seen: dict[str, Any] = {}

    def keep(name: str, attr: str | None = None) -> Any:
        def hook(_module: Any, _args: Any, out: Any) -> None:  # None: the output is unchanged
            seen.setdefault(name, getattr(out, attr) if attr else out)

        return hook

    hooks = [
        model.projector.register_forward_hook(keep("img")),
        model.language_model.model.register_forward_hook(keep("h", "last_hidden_state")),
    ]
    with torch.no_grad():
        model(**batch)
    for hook in hooks:
        hook.remove()
    return batch["pixel_values"], seen["img"], seen["h"], batch["input_ids"]


def looks(run: Path, frames: list) -> dict[str, float]:
    """The probes and the pointer's ranking of one trained variant (see the module doc)."""
    import torch

    from vla import Policy
    from vla.envs.robot.scene import COLORS
    from vla.model.vocabulary_vla import SEP

    policy = Policy.from_pretrained(run, device="cpu")
    pixels, img, h, ids = hidden_states(policy, frames)
    names, n, t = list(COLORS), len(frames), ids.shape[1]
    grid = round(img.shape[1] ** 0.5)
    side, size = pixels.shape[-1] // grid, pixels.shape[-1]
    raw = pixels.unfold(2, side, side).unfold(3, side, side).permute(0, 2, 3, 1, 4, 5)
    raw = raw.reshape(n, grid * grid, -1)
    sep = torch.where(ids == SEP, torch.arange(t), -1).amax(-1)
    query = h[torch.arange(n), h.shape[1] - t + sep]
    at: list[tuple[int, int, int]] = []  # (row, patch, colour) of every cube in view
    for b, (_, _, cubes) in enumerate(frames):
        for colour, (x, y) in cubes:
            if 0 <= x < size and 0 <= y < size:
                at.append(
                    (b, int(y / size * grid) * grid + int(x / size * grid), names.index(colour))
                )
    rows, patches, colours = (torch.tensor(c) for c in zip(*at, strict=True))
    named = torch.tensor([names.index(f[1]) for f in frames])
    scores = policy.model.target_pointer.scores(query, h[:, : grid * grid])
    firsts = contested = 0
    for b in range(n):
        mine = [(float(scores[b, p]), int(c)) for r, p, c in at if r == b]
        if len(mine) > 1 and int(named[b]) in {c for _, c in mine}:
            contested += 1
            firsts += max(mine)[1] == int(named[b])
    return {
        "ranks first": firsts / max(contested, 1),
        "h[SEP] -> word colour": probe(query.float(), named, len(names)),
        "pixels -> cube colour": probe(raw[rows, patches].float(), colours, len(names)),
        "image tokens -> cube colour": probe(img[rows, patches].float(), colours, len(names)),
        "keys -> cube colour": probe(h[rows, patches].float(), colours, len(names)),
    }


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    """``NAME:KEY=VALUE,...`` (JSON values) -> ``(name, overrides)``."""
    name, _, rest = text.partition(":")
    pairs = [p.split("=", 1) for p in rest.split(",") if p]
    return name, {k: json.loads(v) for k, v in pairs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/binding")
    ap.add_argument("--episodes", type=int, default=20_000, help="first frames to train on")
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--probe-seeds", type=int, default=300)
    ap.add_argument("--variant", action="append", default=[], help="NAME:KEY=VALUE,...")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(2)
    out = Path(args.out)
    data = first_frames(out, args.episodes)
    frames = unseen_frames(args.probe_seeds)
    table = {}
    for name, overrides in map(parse_variant, args.variant or ["base:"]):
        accuracy = train(data, out / name, overrides, args.steps)
        table[name] = {"pointer": accuracy, **looks(out / name, frames)}
        print(name, {k: round(v, 2) for k, v in table[name].items()}, flush=True)
    (out / "binding.json").write_text(json.dumps(table, indent=1))
    cols = list(next(iter(table.values())))
    print("| variant | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols))
    for name, row in table.items():
        print(f"| {name} | " + " | ".join(f"{100 * row[c]:.0f}%" for c in cols) + " |")


if __name__ == "__main__":
    main()
