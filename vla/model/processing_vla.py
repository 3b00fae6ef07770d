"""``VLAProcessor``: images, instructions, states and actions -> the model's tensors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vla.actions import Action
from vla.model.image_grid import GridSpec
from vla.model.tokenization_vla import BOS, PAD, SEP, ActionTokenizer

__all__ = ["VLAProcessor", "check_image", "check_instruction", "check_views"]

PROCESSOR_FILE = "vla_processor.json"
STATE_KEY = "observation.state"


def check_image(image: Any, index: int | None = None) -> np.ndarray:
    """Return ``image`` as a uint8 (H, W, 3) array; PIL images are converted to RGB.

    Raises ``ValueError`` that names what was expected and what was given.
    """
    where = "image" if index is None else f"images[{index}]"
    if hasattr(image, "convert") and hasattr(image, "size"):  # a PIL image
        image = np.asarray(image.convert("RGB"))
    if not isinstance(image, np.ndarray):
        raise ValueError(
            f"{where} must be a uint8 HxWx3 numpy array or a PIL image; got {type(image).__name__}"
        )
    if image.dtype != np.uint8:
        raise ValueError(f"{where} must have dtype uint8 (0..255); got {image.dtype}")
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"{where} must have shape (H, W, 3); got {image.shape}")
    return image


def check_instruction(text: Any, index: int | None = None) -> str:
    """Return ``text`` if it is a non-empty string, else raise ``ValueError``."""
    where = "instruction" if index is None else f"instructions[{index}]"
    if not isinstance(text, str):
        raise ValueError(f"{where} must be a str; got {type(text).__name__} {text!r}")
    if not text.strip():
        raise ValueError(f"{where} must be a non-empty string; got {text!r}")
    return text


def check_views(row: Any, known: Sequence[str], index: int) -> dict[str, Any] | None:
    """Row ``index`` of ``views``: None, or a dict whose names are all in ``known``; raises a
    ``ValueError`` naming an unknown view and the known ones."""
    if row is None:
        return None
    if not isinstance(row, dict):
        raise ValueError(f"views[{index}] must be a dict camera name -> image; got {row!r}")
    for name in row:
        if name not in known:
            known_text = list(known) if known else "none: this model reads one image"
            raise ValueError(f"views[{index}] has unknown view {name!r}; known views: {known_text}")
    return row


class VLAProcessor:
    """Turns raw observations (and, for training, actions) into model inputs.

    Args:
        tokenizer: the :class:`ActionTokenizer` (carries the dataset statistics).
        image_size: the model's input resolution ``(height, width)``: ``VLAConfig.image_size``.
        max_instruction_bytes: instructions are cut to this many UTF-8 bytes.
        state_dim: width of the state input (``VLAConfig.state_dim``); shorter states are
            zero-padded. 0: the model has no state input.
        grid: how images become patches (:class:`~vla.model.image_grid.GridSpec`); None: the
            fixed ``image_size`` resize. ``VLAConfig.max_image_tokens`` turns on the native mode.
        view_names: the model's camera views (``VLAConfig.view_names``); empty: one image.
        action_history: how many of the episode's previous actions the prompt holds
            (``VLAConfig.action_history``, :meth:`prompt_ids`); 0: none.
    """

    def __init__(
        self,
        tokenizer: ActionTokenizer,
        image_size: tuple[int, int] = (80, 80),
        max_instruction_bytes: int = 160,
        state_dim: int = 32,
        grid: GridSpec | None = None,
        view_names: Sequence[str] = (),
        action_history: int = 0,
    ) -> None:
        if len(image_size) != 2 or min(image_size) < 1:
            raise ValueError(f"image_size must be (height, width) >= 1; got {image_size!r}")
        if grid is not None and grid.native and tokenizer.grid not in (None, grid):
            raise ValueError(f"the tokenizer points on {tokenizer.grid!r}, not on {grid!r}")
        self.grid = grid if grid is not None and grid.native else None
        self.tokenizer = tokenizer
        self.image_size = (int(image_size[0]), int(image_size[1]))
        self.max_instruction_bytes = int(max_instruction_bytes)
        self.state_dim = int(state_dim)
        self.view_names = tuple(view_names)
        self.action_history = int(action_history)
        if self.view_names and self.grid is not None:
            raise ValueError("several views need the fixed resolution (grid=None)")

    @classmethod
    def from_config(cls, config: Any, tokenizer: ActionTokenizer | None = None) -> VLAProcessor:
        """The processor matching a :class:`VLAConfig` (a fresh tokenizer unless one is given)."""
        grid = config.grid_spec
        tok = tokenizer or ActionTokenizer(
            coord_bins=config.coord_bins,
            value_bins=config.value_bins,
            max_text_bytes=config.max_text_bytes,
            max_keys=config.max_keys,
            scroll_range=config.scroll_range,
            chunk_size=config.chunk_size,
            pointer_grid=grid if config.pointer_subdivisions else None,
            pointer_subdivisions=config.pointer_subdivisions or 1,
        )
        return cls(
            tok,
            config.image_size,
            config.max_instruction_bytes,
            config.state_dim,
            grid,
            tuple(config.view_names),
            config.action_history,
        )

    # -------------------------------------------------------------------- pieces

    def pixel_values(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        """uint8 (H, W, 3) images of any size -> (B, 3, h, w) float in [-1, 1] (bilinear resize)."""
        from PIL import Image

        h, w = self.image_size
        out = np.empty((len(images), h, w, 3), dtype=np.uint8)
        for i, img in enumerate(images):
            if img.shape[:2] == (h, w):
                out[i] = img
            else:
                out[i] = np.asarray(Image.fromarray(img).resize((w, h), Image.Resampling.BILINEAR))
        pixels = torch.from_numpy(out).permute(0, 3, 1, 2).float()
        return pixels.div_(127.5).sub_(1.0)  # (B, 3, h, w)

    def native_pixels(self, images: Sequence[np.ndarray]) -> dict[str, torch.Tensor]:
        """Native mode: uint8 (H, W, 3) images of any sizes -> ``pixel_values`` (B, 3, Hp, Wp)
        in [-1, 1] on the largest grid of the batch (zero right/bottom padding), ``image_grids``
        (B, 3) ``(rows, cols, thumbnail side)`` and, when an image is over budget,
        ``thumbnail_values`` (B, 3, S, S) (zeros for the rows without a thumbnail)."""
        from PIL import Image

        assert self.grid is not None  # only called in native mode
        grids = [self.grid.plan(img.shape[1], img.shape[0]) for img in images]
        p = self.grid.patch
        height, width = max(g.rows for g in grids) * p, max(g.cols for g in grids) * p
        pixels = torch.zeros((len(images), 3, height, width))  # (B, 3, Hp, Wp)
        thumbs = torch.zeros((len(images), 3, self.grid.size, self.grid.size))  # (B, 3, S, S)
        for i, (img, g) in enumerate(zip(images, grids, strict=True)):
            pixels[i, :, : g.model_height, : g.model_width] = _to_unit(
                _resize(Image, img, g.model_width, g.model_height)
            )
            if g.thumbnail:
                thumbs[i] = _to_unit(_resize(Image, img, self.grid.size, self.grid.size))
        out = {
            "pixel_values": pixels,
            "image_grids": torch.tensor([[g.rows, g.cols, g.thumbnail] for g in grids]),
        }
        if any(g.thumbnail for g in grids):
            out["thumbnail_values"] = thumbs
        return out

    def view_pixels(
        self, images: Sequence[np.ndarray], views: Sequence[Any] | None
    ) -> dict[str, torch.Tensor]:
        """Views mode: ``pixel_values`` (B, V, 3, h, w) in [-1, 1] (zeros for a missing view)
        and ``view_mask`` (B, V) bool, views in ``view_names`` order. Row ``i`` sees
        ``views[i]`` (a dict name -> image) or, when that is None, ``images[i]`` as its first
        view (``view_names[0]``) and no other."""
        n, (h, w) = len(images), self.image_size
        pixels = torch.zeros((n, len(self.view_names), 3, h, w))
        mask = torch.zeros((n, len(self.view_names)), dtype=torch.bool)
        for i in range(n):
            row = check_views(views[i] if views is not None else None, self.view_names, i)
            named = {self.view_names[0]: images[i]} if row is None else row
            if not named:
                raise ValueError(f"views[{i}] is empty; give at least one of {self.view_names}")
            for name, img in named.items():
                j = self.view_names.index(name)
                pixels[i, j] = self.pixel_values([check_image(img, i)])[0]
                mask[i, j] = True
        return {"pixel_values": pixels, "view_mask": mask}

    def normalize_state(self, state: Any, index: int = 0) -> np.ndarray:
        """float32[D] -> float32[state_dim]: q01/q99 of ``observation.state`` to [-1, 1] (when
        known; values beyond are kept up to +-3), zero-padded to ``state_dim``."""
        arr = np.asarray(state, dtype=np.float32).reshape(-1)
        if arr.size == 0 or arr.size > self.state_dim or not np.all(np.isfinite(arr)):
            raise ValueError(
                f"states[{index}] must be a finite float vector of 1..{self.state_dim} values; "
                f"got shape {np.shape(state)}"
            )
        stats = self.tokenizer.stats.get(STATE_KEY)
        if stats is not None and len(stats.get("q01", stats.get("min")) or []) == arr.size:
            low = np.asarray(stats.get("q01", stats.get("min")), np.float32)
            high = np.asarray(stats.get("q99", stats.get("max")), np.float32)
            arr = np.clip(2 * (arr - low) / np.maximum(high - low, 1e-8) - 1, -3, 3)
        out = np.zeros(self.state_dim, np.float32)
        out[: arr.size] = arr
        return out

    def prompt_ids(
        self,
        instruction: str,
        history: Sequence[Action] = (),
        image_size: tuple[int, int] | None = None,
    ) -> list[int]:
        """``BOS instruction-bytes [previous actions] SEP``: the text prefix of every sample.

        With ``action_history = K``, the last K actions of ``history`` (those executed before
        in the episode, oldest first) follow the bytes as action tokens, each ending in
        ``EOS``; UI coordinates are normalised by ``image_size`` ``(width, height)`` as the
        targets are. Otherwise ``history`` is ignored."""
        body = self.tokenizer.encode_text(instruction, self.max_instruction_bytes)
        recent = list(history)[-self.action_history :] if self.action_history else []
        past = [t for a in recent for t in self.tokenizer.encode(a, image_size)]
        return [BOS, *body, *past, SEP]

    # ---------------------------------------------------------------------- call

    def __call__(
        self,
        images: Sequence[Any],
        instructions: Sequence[str],
        states: Sequence[Any] | None = None,
        actions: Sequence[Action | Sequence[Action]] | None = None,
        views: Sequence[dict[str, Any] | None] | None = None,
        histories: Sequence[Sequence[Action] | None] | None = None,
    ) -> dict[str, torch.Tensor]:
        """Build a batch.

        Args:
            images: uint8 (H, W, 3) arrays or PIL images, any sizes.
            instructions: one non-empty string per image.
            states: ``None``, or one float32[D] (or ``None`` for UI samples) per image.
            actions: ``None`` for inference, or one action (a chunk for robots) per image:
                ``labels`` then hold its tokens and ``EOS``; -100 elsewhere. UI coordinates are
                normalised by each image's own size.
            views: ``None``, or per row a dict camera name -> image (or ``None``: ``images[i]``
                is the first view) for a model with ``view_names`` (:meth:`view_pixels`); a
                name the model does not know is a ``ValueError`` naming it and the known ones.
                ``images[i]`` stays the frame of the row's UI coordinates.
            histories: ``None``, or per row the actions executed before it in its episode
                (oldest first; ``None`` or empty at the start), for a model with
                ``action_history`` (:meth:`prompt_ids`); ignored otherwise.

        Returns:
            ``pixel_values`` (B, 3, h, w) (native mode: also ``image_grids`` and maybe
            ``thumbnail_values``, see :meth:`native_pixels`; views mode: (B, V, 3, h, w) and
            ``view_mask`` (B, V), see :meth:`view_pixels`), ``input_ids`` / ``attention_mask`` / ``labels``
            (B, T), left-padded; ``states`` (B, state_dim) and ``state_mask`` (B,) when the model
            has a state input; ``image_sizes`` (B, 2) original ``(width, height)``.
        """
        if isinstance(images, np.ndarray) and images.ndim == 3:
            raise ValueError("images must be a list of images; wrap a single image in a list")
        arrays = [check_image(img, i) for i, img in enumerate(images)]
        n = len(arrays)
        if n == 0:
            raise ValueError("images must not be empty")
        if isinstance(instructions, str) or len(instructions) != n:
            raise ValueError(f"instructions must be a list of {n} strings; got {instructions!r}")
        pairs = (
            ("states", states),
            ("actions", actions),
            ("views", views),
            ("histories", histories),
        )
        for name, seq in pairs:
            if seq is not None and len(seq) != n:
                raise ValueError(f"{name} must have one entry per image ({n}); got {len(seq)}")
        sizes = [(a.shape[1], a.shape[0]) for a in arrays]  # (width, height)
        input_ids, labels, mask = self._token_rows(instructions, sizes, actions, histories)
        if self.view_names:
            pixels = self.view_pixels(arrays, views)
        elif self.grid is not None:
            pixels = self.native_pixels(arrays)
        else:
            pixels = {"pixel_values": self.pixel_values(arrays)}
        for i, view_row in enumerate(views or []):
            if not self.view_names:
                check_views(view_row, (), i)
        batch = {
            **pixels,
            "input_ids": input_ids,
            "attention_mask": mask,
            "image_sizes": torch.tensor(sizes, dtype=torch.long),
        }
        if actions is not None:
            batch["labels"] = labels
        if self.state_dim:
            batch.update(self._states(states, n))
        elif states is not None and any(s is not None for s in states):
            raise ValueError("this model has no state input (state_dim=0); pass states=None")
        return batch

    def _token_rows(
        self,
        instructions: Sequence[str],
        sizes: Sequence[tuple[int, int]],
        actions: Sequence[Any] | None,
        histories: Sequence[Sequence[Action] | None] | None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Left-padded (B, T) ``input_ids``, ``labels`` and ``attention_mask`` of prompts (and
        targets)."""
        rows, label_rows = [], []
        for i, size in enumerate(sizes):
            past = histories[i] if histories is not None else None
            prompt = self.prompt_ids(check_instruction(instructions[i], i), past or (), size)
            target = self.tokenizer.encode(actions[i], size) if actions is not None else []
            rows.append(prompt + target)
            label_rows.append([-100] * len(prompt) + target)
        n, length = len(rows), max(len(r) for r in rows)
        input_ids = torch.full((n, length), PAD, dtype=torch.long)
        labels = torch.full((n, length), -100, dtype=torch.long)
        mask = torch.zeros((n, length), dtype=torch.long)
        for i, (row, lab) in enumerate(zip(rows, label_rows, strict=True)):
            input_ids[i, length - len(row) :] = torch.tensor(row)
            labels[i, length - len(row) :] = torch.tensor(lab)
            mask[i, length - len(row) :] = 1
        return input_ids, labels, mask

    def _states(self, states: Sequence[Any] | None, n: int) -> dict[str, torch.Tensor]:
        values = np.zeros((n, self.state_dim), np.float32)
        present = np.zeros(n, dtype=bool)
        for i, s in enumerate(states or [None] * n):
            if s is not None:
                values[i], present[i] = self.normalize_state(s, i), True
        return {"states": torch.from_numpy(values), "state_mask": torch.from_numpy(present)}

    # ---------------------------------------------------------------- persistence

    def save_pretrained(self, directory: str | Path) -> None:
        """Write ``vla_processor.json`` and the tokenizer's ``action_tokenizer.json``."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        self.tokenizer.save_pretrained(path)
        settings = {
            "image_size": list(self.image_size),
            "max_instruction_bytes": self.max_instruction_bytes,
            "state_dim": self.state_dim,
        }
        if self.grid is not None:
            settings["grid"] = self.grid.to_dict()
        if self.view_names:
            settings["view_names"] = list(self.view_names)
        if self.action_history:
            settings["action_history"] = self.action_history
        (path / PROCESSOR_FILE).write_text(json.dumps(settings, indent=1))

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> VLAProcessor:
        """Load what :meth:`save_pretrained` wrote."""
        path = Path(directory) / PROCESSOR_FILE
        if not path.is_file():
            raise FileNotFoundError(f"no {PROCESSOR_FILE} in {directory}: not a saved VLAProcessor")
        settings = json.loads(path.read_text())
        tok = ActionTokenizer.from_pretrained(directory)
        return cls(
            tok,
            tuple(settings["image_size"]),
            settings["max_instruction_bytes"],
            settings["state_dim"],
            GridSpec(**settings["grid"]) if "grid" in settings else None,
            tuple(settings.get("view_names", ())),
            settings.get("action_history", 0),
        )

    def __repr__(self) -> str:
        return (
            f"VLAProcessor(image_size={self.image_size}, grid={self.grid}, "
            f"view_names={self.view_names}, action_history={self.action_history}, "
            f"state_dim={self.state_dim}, {self.tokenizer!r})"
        )


def _resize(image_module: Any, img: np.ndarray, width: int, height: int) -> np.ndarray:
    if img.shape[:2] == (height, width):
        return img
    resized = image_module.fromarray(img).resize((width, height), image_module.Resampling.BILINEAR)
    return np.asarray(resized)


def _to_unit(img: np.ndarray) -> torch.Tensor:
    """uint8 (H, W, 3) -> float (3, H, W) in [-1, 1]."""
    return torch.from_numpy(np.array(img)).permute(2, 0, 1).float().div_(127.5).sub_(1.0)
