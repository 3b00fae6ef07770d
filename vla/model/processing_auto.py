"""``VLAAutoProcessor``: :class:`~vla.model.processing_vla.VLAProcessor` as a transformers
``ProcessorMixin``, so that ``AutoProcessor.from_pretrained(checkpoint)`` works.

```python
import vla
from transformers import AutoProcessor
processor = AutoProcessor.from_pretrained("path/to/checkpoint")   # -> VLAAutoProcessor
batch = processor(images=[image], text=["click the button"])     # the policy's own tensors
```

It reads the files every checkpoint already holds (``vla_processor.json`` and
``action_tokenizer.json``), so the shipped checkpoints load unchanged. Its
:meth:`~VLAAutoProcessor.save_pretrained` also writes ``processor_config.json`` (with
``processor_class`` and ``auto_map``) and the image processor's ``preprocessor_config.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from transformers import BatchFeature, ProcessorMixin

from vla.model.image_processing_vla import VLAImageProcessor
from vla.model.processing_vla import VLAProcessor
from vla.model.tokenization_vla import ActionTokenizer

__all__ = ["PROCESSOR_CONFIG_FILE", "VLAAutoProcessor"]

#: transformers' processor config (``transformers.utils.PROCESSOR_NAME``).
PROCESSOR_CONFIG_FILE = "processor_config.json"
#: ``from_pretrained`` keywords that only concern where files come from.
_HUB_KWARGS = ("revision",)
#: ``from_pretrained`` keywords that AutoProcessor passes and that a local class does not use.
_IGNORED_KWARGS = ("trust_remote_code", "config", "_from_auto", "cache_dir", "local_files_only")


class VLAAutoProcessor(ProcessorMixin):
    """Images + instructions (+ robot states, + actions for training) -> the model's tensors.

    Args:
        image_processor: the :class:`VLAImageProcessor` (its ``size`` is the model's input).
        action_language: the :class:`~vla.model.tokenization_vla.ActionTokenizer` (byte tokens,
            action tokens and the dataset statistics). Not a transformers tokenizer, so it is
            not one of the mixin's sub-processors.
        max_instruction_bytes: instructions are cut to this many UTF-8 bytes.
        state_dim: width of the model's state input (0: none).

    :attr:`processor` is the wrapped :class:`VLAProcessor`, which does the work.
    """

    def __init__(
        self,
        image_processor: VLAImageProcessor,
        action_language: ActionTokenizer | None = None,
        max_instruction_bytes: int = 160,
        state_dim: int = 32,
    ) -> None:
        super().__init__(image_processor)
        size = image_processor.size
        self.processor = VLAProcessor(
            action_language or ActionTokenizer(),
            (size["height"], size["width"]),
            max_instruction_bytes,
            state_dim,
        )

    @classmethod
    def from_vla_processor(cls, processor: VLAProcessor) -> VLAAutoProcessor:
        """Wrap an existing :class:`VLAProcessor` (the same object: every setting, including
        the native grid, the camera views and the action history, is kept)."""
        h, w = processor.image_size
        out = cls(
            VLAImageProcessor(size={"height": h, "width": w}),
            processor.tokenizer,
            processor.max_instruction_bytes,
            processor.state_dim,
        )
        out.processor = processor
        return out

    @property
    def action_language(self) -> ActionTokenizer:
        """The action tokenizer (``ActionTokenizer``) shared with the wrapped processor."""
        return self.processor.tokenizer

    def __call__(  # type: ignore[override]
        self,
        images: Any = None,
        text: str | list[str] | None = None,
        states: list[Any] | None = None,
        actions: list[Any] | None = None,
        return_tensors: str | None = "pt",
        histories: list[Any] | None = None,
    ) -> BatchFeature:
        """Build a batch; see :meth:`VLAProcessor.__call__` for the keys and shapes.

        ``images`` and ``text`` may each be one item or a list; ``return_tensors`` must be
        ``"pt"`` (the model is a torch model).
        """
        if images is None or text is None:
            raise ValueError("VLAAutoProcessor needs both images and text (the instructions)")
        if return_tensors not in ("pt", None):
            raise ValueError(f"Got {return_tensors!r} for `return_tensors`; only 'pt' is supported")
        if not isinstance(images, (list, tuple)):
            images = [images]
        if isinstance(text, str):
            text = [text]
        batch = self.processor(images, text, states=states, actions=actions, histories=histories)
        return BatchFeature(batch)

    def save_pretrained(self, save_directory: str | Path, **kwargs: Any) -> list[str]:  # type: ignore[override]
        """Write the wrapped processor's files, ``preprocessor_config.json`` and
        ``processor_config.json`` (``processor_class`` + ``auto_map``) plus ``vla_auto.py``."""
        from vla.model.auto_map import PROCESSOR_AUTO_MAP, write_remote_code

        if kwargs:
            raise ValueError(f"VLAAutoProcessor.save_pretrained takes no options {sorted(kwargs)}")
        path = Path(save_directory)
        self.processor.save_pretrained(path)
        self.image_processor.save_pretrained(path)
        config = {"processor_class": type(self).__name__, "auto_map": PROCESSOR_AUTO_MAP}
        (path / PROCESSOR_CONFIG_FILE).write_text(json.dumps(config, indent=1) + "\n")
        write_remote_code(path)
        return [str(path / PROCESSOR_CONFIG_FILE)]

    @classmethod
    def from_pretrained(  # type: ignore[override]
        cls, pretrained_model_name_or_path: str | Path, **kwargs: Any
    ) -> VLAAutoProcessor:
        """Load from a checkpoint folder or a Hub repo id (as transformers passes them).

        Reads ``vla_processor.json`` and ``action_tokenizer.json``; for a Hub repo only those two
        files are fetched (``revision``: a branch, tag or commit). Raises ``FileNotFoundError``
        when they are missing, ``ValueError`` for keywords it does not know.
        """
        hub = {k: kwargs.pop(k) for k in _HUB_KWARGS if k in kwargs}
        for key in _IGNORED_KWARGS:
            kwargs.pop(key, None)
        if kwargs:
            raise ValueError(
                f"VLAAutoProcessor.from_pretrained got unknown options {sorted(kwargs)}"
            )
        folder = Path(pretrained_model_name_or_path)
        if not folder.is_dir():
            from huggingface_hub import snapshot_download

            from vla.model.processing_vla import PROCESSOR_FILE
            from vla.model.tokenization_vla import TOKENIZER_FILE

            files = [PROCESSOR_FILE, TOKENIZER_FILE]
            folder = Path(
                snapshot_download(str(pretrained_model_name_or_path), allow_patterns=files, **hub)
            )
        return cls.from_vla_processor(VLAProcessor.from_pretrained(folder))

    def __repr__(self) -> str:
        return f"VLAAutoProcessor({self.processor!r})"
