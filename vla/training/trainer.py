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
    report.html                                       loss, lr and validation curves (inline SVG),
                                                      rewritten at each validation
    tb/                                               TensorBoard event files (``log_with``)
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
    seconds (a resumed run's includes the earlier processes' up to the checkpoint it resumed
    from), and the last validation metrics."""

    out: Path
    steps: int
    wall_time_s: float
    metrics: dict[str, Any] = field(default_factory=dict)


def train(cfg: TrainConfig) -> TrainResult:
    """Train a model as ``cfg`` says and save it to ``cfg.out``; returns a :class:`TrainResult`."""
    import torch
    from accelerate.utils import set_seed

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    accelerator = _accelerator(cfg, out)
    set_seed(cfg.seed)
    if accelerator.is_main_process:
        cfg.save(out / "train_config.json")

    from vla.training.setup import aux_targets, build_data, build_model, build_optimizer

    data = build_data(cfg)
    model, processor = build_model(cfg, data.stats)
    if accelerator.is_main_process:
        (out / "training_data.json").write_text(json.dumps(data.training_data, indent=1) + "\n")
    # lengths are per process after prepare (DDP shards the batches)
    points, words = aux_targets(model.config)
    train_loader = accelerator.prepare(data.train_loader(processor, points, words))
    steps_per_epoch = max(1, len(train_loader) // cfg.grad_accum)
    total = cfg.steps or max(1, math.ceil(cfg.epochs * steps_per_epoch))
    # accelerate steps a prepared scheduler once per process for every optimizer step
    optimizer, scheduler = build_optimizer(cfg, model, total, accelerator.num_processes)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    state = RunState(total_steps=total, steps_per_epoch=steps_per_epoch)
    if cfg.resume:
        state.resume_from(out, accelerator)
    if cfg.progress:
        accelerator.print(startup_summary(cfg, accelerator, model, data, state))
    state.started = time.time()  # this process's training starts here (after set-up)
    metrics = run_loop(
        cfg, accelerator, model, processor, optimizer, scheduler, train_loader, data, state
    )
    wall = state.wall()  # earlier processes' seconds included when resumed
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        _save_final(out, accelerator.unwrap_model(model), processor, state, wall, metrics)
    accelerator.end_training()
    return TrainResult(out=out, steps=state.step, wall_time_s=wall, metrics=metrics)


def _accelerator(cfg: TrainConfig, out: Path) -> Any:
    """An Accelerator with the run's precision, accumulation and trackers (``cfg.log_with``;
    the TensorBoard tracker writes to ``out/tb``)."""
    import torch
    from accelerate import Accelerator
    from accelerate.utils import ProjectConfiguration

    mp = cfg.mixed_precision
    if mp == "auto":
        mp = "bf16" if torch.cuda.is_available() else "no"
    accelerator = Accelerator(
        mixed_precision=mp,
        gradient_accumulation_steps=cfg.grad_accum,
        log_with=None if cfg.log_with == "none" else cfg.log_with,
        project_config=ProjectConfiguration(project_dir=str(out), logging_dir=str(out)),
    )
    # trackers take flat scalars: lists and dicts (datasets, overrides) go in as JSON text
    hparams = {
        k: v if isinstance(v, (int, float, str, bool)) else json.dumps(v)
        for k, v in cfg.to_dict().items()
        if v is not None
    }
    accelerator.init_trackers("tb", config=hparams)
    return accelerator


def startup_summary(cfg: TrainConfig, accelerator: Any, model: Any, data: Any, state: Any) -> str:
    """The block printed before the first step: model size, data and split, device and dtype,
    length of the run and batch. The samples/s estimate follows after the first log window
    (:func:`vla.training.loop.speed_estimate`): a guess made before any step would mislead."""
    params = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    n_train, n_val = len(data.train), len(data.val) if data.val is not None else 0
    ep_train = len(getattr(data.train, "episodes", []))
    ep_val = len(getattr(data.val, "episodes", [])) if data.val is not None else 0
    per_step = cfg.batch_size * cfg.grad_accum * accelerator.num_processes
    dtype = {"no": "float32", "bf16": "bfloat16", "fp16": "float16"}.get(
        str(accelerator.mixed_precision), str(accelerator.mixed_precision)
    )
    lines = [
        f"model       {cfg.config}: {params / 1e6:.2f} M parameters ({trainable / 1e6:.2f} M "
        "trainable)",
        f"data        {n_train + n_val} frames in {ep_train + ep_val} episodes from "
        f"{len(cfg.datasets)} dataset(s)",
        f"split       train {n_train} frames / {ep_train} episodes, val {n_val} frames / "
        f"{ep_val} episodes (val_fraction {cfg.val_fraction})",
        f"device      {accelerator.device} x {accelerator.num_processes} process(es), "
        f"{dtype}, torch threads {_threads()}",
        f"steps       {state.step} -> {state.total_steps} ({state.total_steps / state.steps_per_epoch:.1f}"
        f" epochs of {state.steps_per_epoch} steps)",
        f"batch       {cfg.batch_size} x accumulate {cfg.grad_accum} x {accelerator.num_processes}"
        f" process(es) = {per_step} samples per step",
        f"speed       estimated after the first {cfg.log_every} step(s), then shown in the bar"
        " (sps)",
        f"logs        {Path(cfg.out) / 'report.html'} (curves), trackers: {cfg.log_with}",
    ]
    return "\n".join(lines)


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def _save_final(out: Path, model: Any, processor: Any, state: RunState, wall: float, metrics: dict):
    import torch

    from vla.training.loop import quiet_hf_progress
    from vla.training.report import write_training_report

    with quiet_hf_progress():
        model.save_pretrained(out)
        processor.save_pretrained(out)
    write_training_report(out)
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
