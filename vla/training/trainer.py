"""``train(TrainConfig)``: behaviour cloning of a VLA on recorded demonstrations.

Hugging Face accelerate runs it as is on one CPU or GPU and, with no code change, on several
GPUs under ``accelerate launch`` (DDP). AdamW with linear warmup then cosine decay, gradient
clipping and accumulation, bf16 on CUDA. The loss is the model's: cross-entropy on action tokens
only (the processor labels everything else -100).

Run folder layout (``cfg.out``)::

    config.json, model.safetensors, processor files   the final model (Policy.from_pretrained)
    train_config.json                                 the TrainConfig
    training_data.json                                env ids and seeds the model saw
    metrics.jsonl                                     one JSON object per log / validation event
    tb/                                               TensorBoard event files
    checkpoint-<step>/                                resumable: model + accelerate state
"""

from __future__ import annotations

import json
import math
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vla.training.config import TrainConfig
from vla.training.loop import RunState, run_loop

__all__ = ["TrainResult", "train"]


@dataclass
class TrainResult:
    """What :func:`train` returns: the run folder (a loadable policy), steps done, wall time in
    seconds, and the last validation metrics."""

    out: Path
    steps: int
    wall_time_s: float
    metrics: dict[str, Any] = field(default_factory=dict)


def train(cfg: TrainConfig) -> TrainResult:
    """Train a model as ``cfg`` says and save it to ``cfg.out``; returns a :class:`TrainResult`."""
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    mp = cfg.mixed_precision
    if mp == "auto":
        mp = "bf16" if torch.cuda.is_available() else "no"
    accelerator = Accelerator(mixed_precision=mp, gradient_accumulation_steps=cfg.grad_accum)
    set_seed(cfg.seed)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    if accelerator.is_main_process:
        cfg.save(out / "train_config.json")

    from vla.training.setup import build_data, build_model, build_optimizer

    data = build_data(cfg)
    model, processor = build_model(cfg, data.stats)
    if accelerator.is_main_process:
        (out / "training_data.json").write_text(json.dumps(data.training_data, indent=1) + "\n")
    # lengths are per process after prepare (DDP shards the batches)
    train_loader = accelerator.prepare(data.train_loader(processor))
    steps_per_epoch = max(1, len(train_loader) // cfg.grad_accum)
    total = cfg.steps or max(1, math.ceil(cfg.epochs * steps_per_epoch))
    # accelerate steps a prepared scheduler once per process for every optimizer step
    optimizer, scheduler = build_optimizer(cfg, model, total, accelerator.num_processes)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    state = RunState(total_steps=total, steps_per_epoch=steps_per_epoch)
    if cfg.resume:
        state.resume_from(out, accelerator)
    t0 = time.time()
    metrics = run_loop(
        cfg, accelerator, model, processor, optimizer, scheduler, train_loader, data, state
    )
    wall = time.time() - t0
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        _save_final(out, accelerator.unwrap_model(model), processor, state, wall, metrics)
    accelerator.end_training()
    return TrainResult(out=out, steps=state.step, wall_time_s=wall, metrics=metrics)


def _save_final(out: Path, model: Any, processor: Any, state: RunState, wall: float, metrics: dict):
    import torch

    model.save_pretrained(out)
    processor.save_pretrained(out)
    summary = {
        "steps": state.step,
        "epochs": state.step / state.steps_per_epoch,
        "samples": state.samples,
        "wall_time_s": round(wall, 1),
        "hardware": {
            "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
            "cpu_count": _cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "platform": platform.platform(),
        },
        "final_metrics": metrics,
    }
    (out / "training_summary.json").write_text(json.dumps(summary, indent=2) + "\n")


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
