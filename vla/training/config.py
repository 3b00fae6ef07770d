"""The typed configuration of a training run (what ``vla train`` parses its flags into)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

__all__ = ["TrainConfig"]


@dataclass
class TrainConfig:
    """Everything :func:`vla.training.train` needs; it checks itself on construction.

    Length of training: ``steps`` (optimizer steps) wins when set; otherwise ``epochs`` passes
    over the training split. One optimizer step consumes ``batch_size * grad_accum`` samples
    (per process; multiply by the number of processes under ``accelerate launch``).

    Attributes:
        datasets: dataset folders written by ``vla collect`` (one or more; merged).
        out: run folder: the final checkpoint, ``metrics.jsonl``, TensorBoard logs, and
            ``checkpoint-<step>/`` folders for ``resume``.
        config: model preset name (``VLAConfig.from_preset``) or a folder with a saved model to
            fine-tune from.
        model_overrides: keyword overrides for the preset (e.g. ``{"hidden_size": 256}``).
        lr: peak AdamW learning rate, reached after ``warmup_steps``, then cosine decay to
            ``lr * min_lr_ratio``.
        max_grad_norm: gradient clipping (L2 norm over all parameters); 0 disables it.
        augment: ``"auto"`` picks per sample by domain (UI: small translate/scale with the
            coordinates moved along, colour jitter; robot: small crop, colour jitter; never a
            flip), ``"screen"`` is ``"auto"`` with UI moves of up to 12 px whose uncovered strip
            is often a random colour (an actor shown crops of a whole screen, where a crop a
            few pixels off shows another window's edge), ``"none"`` disables it.
        state_dropout: share of training samples whose robot state is hidden from the model
            (as if it had none), so it cannot act from the state alone and must look.
        first_frame_repeat: each train episode's first frame is drawn this many extra times
            per epoch. Later robot frames show where the arm is already heading, so a policy
            can copy that motion without reading the scene; the first frame is where only the
            image says which object the instruction names.
        mixed_precision: ``"auto"`` is bf16 on CUDA and fp32 on CPU.
        val_fraction: share of episodes (not frames) held out for validation.
        val_decode_samples: validation frames decoded in closed form (click distance, action error).
        save_every: optimizer steps between resumable checkpoints (0: only at the end).
        resume: continue from the newest ``out/checkpoint-<step>/``.
        threads: torch CPU threads (0 leaves torch's default).
        log_with: accelerate trackers for the scalars (``Accelerator(log_with=...)``):
            ``"tensorboard"`` (event files under ``out/tb/``), another tracker name accelerate
            knows (``"wandb"``, ``"mlflow"``, ... if installed), ``"all"``, or ``"none"``.
            ``metrics.jsonl`` and ``report.html`` are written either way.
        keep_checkpoints: how many ``checkpoint-<step>/`` folders to keep (the newest).
    """

    datasets: list[str] = field(default_factory=list)
    out: str = "runs/vla"
    config: str = "vla-tiny"
    model_overrides: dict[str, Any] = field(default_factory=dict)
    steps: int | None = None
    epochs: float = 10.0
    batch_size: int = 32
    grad_accum: int = 1
    lr: float = 1e-3
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.01
    warmup_steps: int = 100
    max_grad_norm: float = 1.0
    augment: Literal["auto", "screen", "none"] = "auto"
    state_dropout: float = 0.0
    first_frame_repeat: int = 0
    mixed_precision: Literal["auto", "no", "bf16", "fp16"] = "auto"
    val_fraction: float = 0.1
    val_decode_samples: int = 128
    val_every: int = 0
    seed: int = 0
    num_workers: int = 0
    log_every: int = 10
    save_every: int = 500
    keep_checkpoints: int = 2
    resume: bool = False
    threads: int = 0
    progress: bool = True
    log_with: str = "tensorboard"

    def __post_init__(self) -> None:
        if isinstance(self.datasets, (str, Path)):
            self.datasets = [str(self.datasets)]
        self.datasets = [str(d) for d in self.datasets]
        if not self.datasets:
            raise ValueError("TrainConfig.datasets must name at least one dataset folder; got []")
        if self.model_overrides and Path(self.config).is_dir():
            raise ValueError(
                f"`model_overrides` (--set) change a preset, and {self.config!r} is a saved model: "
                "edit its config.json instead (parts it lacks start as the identity)"
            )
        self._check_positive("batch_size", "grad_accum", "log_every", "keep_checkpoints")
        self._check_non_negative(
            "warmup_steps", "max_grad_norm", "weight_decay", "save_every", "val_every"
        )
        self._check_non_negative("num_workers", "threads", "val_decode_samples")
        if self.steps is not None and (not isinstance(self.steps, int) or self.steps < 1):
            raise ValueError(f"Got {self.steps!r} for `steps`; it must be an int >= 1 or None")
        if not self.epochs > 0:
            raise ValueError(f"Got {self.epochs!r} for `epochs`; it must be > 0")
        if not self.lr > 0:
            raise ValueError(f"Got {self.lr!r} for `lr`; it must be > 0")
        if not 0 <= self.min_lr_ratio <= 1:
            raise ValueError(f"Got {self.min_lr_ratio!r} for `min_lr_ratio`; it must be in [0, 1]")
        if not 0 <= self.state_dropout <= 1:
            raise ValueError(
                f"Got {self.state_dropout!r} for `state_dropout`; it must be in [0, 1]"
            )
        if not isinstance(self.first_frame_repeat, int) or self.first_frame_repeat < 0:
            raise ValueError(
                f"Got {self.first_frame_repeat!r} for `first_frame_repeat`; it must be an int >= 0"
            )
        if not 0 <= self.val_fraction < 1:
            raise ValueError(f"Got {self.val_fraction!r} for `val_fraction`; it must be in [0, 1)")
        self._check_log_with()
        if self.augment not in ("auto", "screen", "none"):
            raise ValueError(
                f"Got {self.augment!r} for `augment`; it must be 'auto', 'screen' or 'none'"
            )
        if self.mixed_precision not in ("auto", "no", "bf16", "fp16"):
            raise ValueError(
                f"Got {self.mixed_precision!r} for `mixed_precision`; "
                "it must be 'auto', 'no', 'bf16' or 'fp16'"
            )

    def _check_log_with(self) -> None:
        from accelerate.utils import LoggerType  # the names accelerate itself accepts

        known = ["none", *(t.value for t in LoggerType)]
        if self.log_with not in known:
            raise ValueError(f"Got {self.log_with!r} for `log_with`; it must be one of {known}")

    def _check_positive(self, *names: str) -> None:
        for name in names:
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Got {value!r} for `{name}`; it must be an int >= 1")

    def _check_non_negative(self, *names: str) -> None:
        for name in names:
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"Got {value!r} for `{name}`; it must be >= 0")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (saved as ``train_config.json`` in the run folder)."""
        return asdict(self)

    def save(self, path: str | Path) -> None:
        """Write the config as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Inverse of :meth:`to_dict`; unknown keys are an error that names them."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown TrainConfig field(s) {unknown}; known: {sorted(known)}")
        return cls(**data)
