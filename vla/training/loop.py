"""The optimisation loop, its logging (``metrics.jsonl``, accelerate trackers, one tqdm bar),
periodic validation (one rounded line, ``report.html`` rewritten), and resumable checkpoints."""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import math
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vla.training.config import TrainConfig

__all__ = ["MetricsLogger", "RunState", "quiet_hf_progress", "run_loop"]

_CKPT = re.compile(r"^checkpoint-(\d+)$")


@dataclass
class RunState:
    """Counters that a resumed run restores: optimizer steps done, samples seen, where in the
    epoch the data loader stopped (in batches), and the training seconds of earlier processes
    up to their newest checkpoint (so a resumed run reports its whole wall time)."""

    total_steps: int
    steps_per_epoch: int
    step: int = 0
    samples: int = 0
    epoch: int = 0
    batches_in_epoch: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.time, repr=False)

    def wall(self) -> float:
        """Training seconds so far: earlier processes' plus this one's."""
        return self.seconds + time.time() - self.started

    def saved(self) -> dict[str, Any]:
        """What ``trainer_state.json`` holds (``seconds`` as of now)."""
        fields = {k: v for k, v in asdict(self).items() if k != "started"}
        return {**fields, "seconds": round(self.wall(), 1)}

    def resume_from(self, out: Path, accelerator: Any) -> None:
        """Load the newest ``out/checkpoint-<step>/``; a run without one starts from scratch."""
        ckpt = latest_checkpoint(out)
        if ckpt is None:
            accelerator.print(f"resume: no checkpoint in {out}; starting from step 0")
            return
        accelerator.load_state(str(ckpt / "accelerate_state"))
        saved = json.loads((ckpt / "trainer_state.json").read_text())
        for k in ("step", "samples", "epoch", "batches_in_epoch"):
            setattr(self, k, int(saved[k]))
        self.seconds = float(saved.get("seconds", 0.0))  # absent in older checkpoints
        accelerator.print(f"resumed from {ckpt} at step {self.step}")


def latest_checkpoint(out: Path) -> Path | None:
    """The ``checkpoint-<step>`` folder with the highest step that finished saving."""
    found = [
        (int(m.group(1)), p)
        for p in Path(out).glob("checkpoint-*")
        if (m := _CKPT.match(p.name)) and (p / "trainer_state.json").is_file()
    ]
    return max(found)[1] if found else None


class MetricsLogger:
    """Appends one JSON object per event to ``metrics.jsonl`` (the source of ``report.html``)
    and sends the scalars to accelerate's trackers (``TrainConfig.log_with``: TensorBoard under
    ``tb/`` by default). Only the main process writes."""

    def __init__(self, out: Path, accelerator: Any) -> None:
        self.enabled = accelerator.is_main_process
        self.path = out / "metrics.jsonl"
        self._accelerator = accelerator

    def log(self, step: int, metrics: dict[str, Any]) -> None:
        if not self.enabled:
            return
        with self.path.open("a") as f:
            f.write(json.dumps({"step": step, "time": round(time.time(), 3), **metrics}) + "\n")
        scalars = {k: v for k, v in metrics.items() if _finite(v)}
        for k, v in metrics.items():  # per-dimension lists become one scalar each
            if isinstance(v, list):
                scalars |= {f"{k}/{i}": x for i, x in enumerate(v) if _finite(x)}
        self._accelerator.log(scalars, step=step)


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


@contextlib.contextmanager
def quiet_hf_progress() -> Iterator[None]:
    """Silence transformers' own tqdm bars ("Writing model shards") while saving, so the only
    bar on the terminal is the training bar; restores the previous setting."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _progress_bar(cfg: TrainConfig, accelerator: Any, state: RunState) -> Any:
    """A tqdm bar over optimizer steps, shown by the local main process when ``cfg.progress``."""
    from tqdm.auto import tqdm

    return tqdm(
        total=state.total_steps,
        initial=state.step,
        disable=not (cfg.progress and accelerator.is_local_main_process),
        desc="train",
        dynamic_ncols=True,
    )


def run_loop(
    cfg: TrainConfig,
    accelerator: Any,
    model: Any,
    processor: Any,
    optimizer: Any,
    scheduler: Any,
    loader: Any,
    data: Any,
    state: RunState,
) -> dict[str, Any]:
    """Optimise until ``state.total_steps``; returns the last validation metrics."""
    logger = MetricsLogger(Path(cfg.out), accelerator)
    bar = _progress_bar(cfg, accelerator, state)
    validate = functools.partial(
        _validate, cfg, accelerator, model, processor, data, state, logger, bar.write
    )
    window = _Window()
    last_val: dict[str, Any] = {}
    estimated = False  # the speed estimate is printed once, after the first log line
    while state.step < state.total_steps:
        loader.set_epoch(state.epoch)
        batches = loader
        if state.batches_in_epoch:  # resumed mid-epoch: same order, skip what was seen
            batches = accelerator.skip_first_batches(loader, state.batches_in_epoch)
        for batch in batches:
            loss = _micro_step(cfg, accelerator, model, optimizer, scheduler, batch)
            state.batches_in_epoch += 1
            n = int(batch["input_ids"].shape[0]) * accelerator.num_processes
            state.samples += n
            window.add(loss, n)
            if not accelerator.sync_gradients:
                continue
            state.step += 1
            bar.update(1)
            if state.step % cfg.log_every == 0 or state.step == state.total_steps:
                stats = window.flush(scheduler.get_last_lr()[0], state)
                bar.set_postfix(
                    loss=f"{stats['train/loss']:.4f}", sps=f"{stats['train/samples_per_s']:.1f}"
                )
                logger.log(state.step, stats)
                if not estimated and cfg.progress and accelerator.is_local_main_process:
                    estimated = True
                    bar.write(speed_estimate(stats["train/samples_per_s"], state, cfg, accelerator))
            if cfg.val_every and state.step % cfg.val_every == 0:
                last_val = validate()
            if cfg.save_every and state.step % cfg.save_every == 0:
                save_checkpoint(cfg, accelerator, model, processor, state)
            if state.step >= state.total_steps:
                break
        else:  # the epoch ran out
            state.epoch, state.batches_in_epoch = state.epoch + 1, 0
            if not cfg.val_every:
                last_val = validate()
    bar.close()
    if last_val.get("step") != state.step:
        last_val = validate()
    return last_val


def speed_estimate(
    samples_per_s: float, state: RunState, cfg: TrainConfig, accelerator: Any
) -> str:
    """The line printed after the first log window: samples/s and the time the remaining steps
    will take at that rate (the first window includes start-up, so it errs long)."""
    per_step = cfg.batch_size * cfg.grad_accum * accelerator.num_processes
    left_s = (state.total_steps - state.step) * per_step / max(samples_per_s, 1e-9)
    return (
        f"speed       {samples_per_s:.1f} samples/s ({per_step} per step): about "
        f"{_duration(left_s)} for the remaining {state.total_steps - state.step} steps"
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _micro_step(cfg, accelerator, model, optimizer, scheduler, batch) -> float:
    model.train()
    with accelerator.accumulate(model):
        out = model(**batch, logits_to_keep=1)  # the loss needs no full logits
        accelerator.backward(out.loss)
        if accelerator.sync_gradients and cfg.max_grad_norm > 0:
            accelerator.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
    return float(out.loss.detach())


class _Window:
    """Loss and throughput since the last log line."""

    def __init__(self) -> None:
        self.losses: list[float] = []
        self.samples = 0
        self.t0 = time.time()

    def add(self, loss: float, n: int) -> None:
        self.losses.append(loss)
        self.samples += n

    def flush(self, lr: float, state: RunState) -> dict[str, Any]:
        dt = max(time.time() - self.t0, 1e-9)
        out = {
            "train/loss": sum(self.losses) / max(1, len(self.losses)),
            "train/lr": lr,
            "train/samples_per_s": self.samples / dt,
            "train/epoch": state.step / state.steps_per_epoch,
        }
        self.__init__()
        return out


def _validate(cfg, accelerator, model, processor, data, state, logger, say) -> dict[str, Any]:
    """Teacher-forced loss/accuracy on the whole val split plus decoded-action metrics; logs
    them, prints one rounded line through ``say`` and rewrites ``report.html``."""
    from vla.training.report import write_training_report
    from vla.training.validation import decode_metrics, format_validation, teacher_forced_metrics

    metrics: dict[str, Any] = {"step": state.step}
    if not accelerator.is_main_process:
        return metrics
    unwrapped = accelerator.unwrap_model(model)
    from vla.training.setup import aux_targets

    loader = data.val_loader(processor, *aux_targets(unwrapped.config))
    if loader is not None:
        t0 = time.time()
        metrics.update(teacher_forced_metrics(unwrapped, loader, accelerator.device))
        items = data.val_items(cfg.val_decode_samples, processor)
        if items:
            from vla import Policy

            # Policy casts its model to bf16 on CUDA: decode with a copy so training stays fp32
            net = copy.deepcopy(unwrapped) if accelerator.device.type == "cuda" else unwrapped
            policy = Policy(net, processor, device=accelerator.device)
            metrics.update(decode_metrics(policy, items, batch_size=cfg.batch_size))
        metrics["val/time_s"] = round(time.time() - t0, 2)
        unwrapped.train()
        logger.log(state.step, {k: v for k, v in metrics.items() if k != "step"})
        say(format_validation(state.step, metrics))
    write_training_report(cfg.out)
    return metrics


def save_checkpoint(
    cfg: TrainConfig, accelerator: Any, model: Any, processor: Any, state: RunState
):
    """Write ``checkpoint-<step>/`` (a loadable model + accelerate state) and keep the newest
    ``cfg.keep_checkpoints`` of them.

    The pruning is ours, not ``ProjectConfiguration(total_limit=...)``: accelerate applies
    ``total_limit`` only with ``automatic_checkpoint_naming``, which saves accelerate state alone
    under ``checkpoints/checkpoint_<save count>``; ours are named by optimizer step and also hold
    a model that ``Policy.from_pretrained`` loads."""
    out = Path(cfg.out)
    ckpt = out / f"checkpoint-{state.step}"
    accelerator.wait_for_everyone()
    accelerator.save_state(str(ckpt / "accelerate_state"))
    if accelerator.is_main_process:
        with quiet_hf_progress():
            accelerator.unwrap_model(model).save_pretrained(ckpt)
            processor.save_pretrained(ckpt)
        for name in ("train_config.json", "training_data.json"):
            if (out / name).is_file():
                shutil.copy(out / name, ckpt / name)
        # written last: its presence marks a complete checkpoint (see latest_checkpoint)
        (ckpt / "trainer_state.json").write_text(json.dumps(state.saved(), indent=1) + "\n")
        done = sorted(
            (int(m.group(1)), p)
            for p in out.glob("checkpoint-*")
            if (m := _CKPT.match(p.name)) and (p / "trainer_state.json").is_file()
        )
        for _, old in done[: -cfg.keep_checkpoints]:
            shutil.rmtree(old, ignore_errors=True)
