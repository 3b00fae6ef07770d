"""``VLAConfig``: a SigLIP vision tower + a Llama causal LM + the action tokenizer's settings."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from transformers import LlamaConfig, PreTrainedConfig, SiglipVisionConfig

__all__ = ["PRESETS", "VLAConfig"]

#: Named presets. ``vla-tiny`` trains on a 2-core CPU; the others are meant for a GPU.
PRESETS: dict[str, dict[str, Any]] = {
    "vla-tiny": {
        "vision": {"image_size": 80, "patch_size": 8, "hidden_size": 128, "layers": 2, "heads": 4},
        "text": {"hidden_size": 128, "intermediate_size": 384, "layers": 2, "heads": 4},
    },
    "vla-small": {
        "vision": {
            "image_size": 160,
            "patch_size": 10,
            "hidden_size": 384,
            "layers": 6,
            "heads": 6,
        },
        "text": {"hidden_size": 512, "intermediate_size": 1536, "layers": 8, "heads": 8},
    },
    "vla-base": {
        "vision": {
            "image_size": 224,
            "patch_size": 14,
            "hidden_size": 768,
            "layers": 12,
            "heads": 12,
        },
        "text": {"hidden_size": 1024, "intermediate_size": 2816, "layers": 16, "heads": 16},
    },
}


def _vocab_size(coord_bins: int, value_bins: int) -> int:
    from vla.model.tokenization_vla import ActionTokenizer

    return ActionTokenizer(coord_bins=coord_bins, value_bins=value_bins).vocab_size


def _sub_config(value: Any, default: type) -> PreTrainedConfig:
    """A sub-config from a dict (its ``model_type`` picks the class) or a config object."""
    if isinstance(value, PreTrainedConfig):
        return value
    data = dict(value or {})
    model_type = data.pop("model_type", None)
    if model_type and model_type != default.model_type:
        from transformers import AutoConfig

        return AutoConfig.for_model(model_type, **data)
    return default(**data)


class VLAConfig(PreTrainedConfig):
    """Configuration of :class:`~vla.model.VLAForActionPrediction`.

    Args:
        vision_config: a ``SiglipVisionConfig`` (or its dict). Its ``image_size`` (square, pixels)
            is the model's input resolution; every image is resized to it.
        text_config: a ``LlamaConfig`` (or its dict). ``vocab_size`` is set from the tokenizer.
        coord_bins, value_bins, max_text_bytes, max_keys, scroll_range, chunk_size: the
            :class:`~vla.model.ActionTokenizer` settings (see its docstring).
        max_instruction_bytes: instructions are cut to this many UTF-8 bytes.
        bin_smoothing: training targets for coordinate and value tokens become a Gaussian over
            neighbouring bins with this standard deviation, as a fraction of the bin count
            (0.01 with 256 bins: 2.56 bins), so a near miss costs less than a far one and
            neighbouring bins share what they learn. 0 (the default) is plain cross-entropy.
        sincos_position_init: start the vision tower's (trainable) patch position embeddings
            from a 2D sine-cosine table instead of random values, so a model trained from scratch
            knows where each patch is from its first step. Ignored with a vision backbone.
        conv_stem: replace the vision tower's one-layer patch embedding (a ``patch x patch``
            convolution with stride ``patch``) by a stack of 3x3 stride-2 convolutions and a 1x1
            projection with the same output grid ("early convolutions", Xiao et al. 2021):
            a from-scratch tower then learns where things are from far fewer images.
            ``patch_size`` must be a power of two. Ignored with a vision backbone.
        state_dim: largest robot state vector (float32[D], D <= state_dim); 0 disables the state
            token. States are normalised with ``observation.state`` q01/q99 when known.
        vision_backbone_path: a local folder with a pretrained SigLIP (vision or full) model whose
            weights initialise the vision tower. Nothing is fetched from a hub.
        lm_backbone_path: a local folder with a pretrained causal LM (e.g. Llama); its token
            embeddings are resized to this vocabulary.
    """

    model_type: ClassVar[str] = "vla"
    sub_configs_defaults: ClassVar[dict[str, Any]] = {
        "vision_config": SiglipVisionConfig,
        "text_config": LlamaConfig,
    }

    vision_config: dict | PreTrainedConfig | None = None
    text_config: dict | PreTrainedConfig | None = None
    coord_bins: int = 1024
    value_bins: int = 256
    max_text_bytes: int = 64
    max_keys: int = 4
    scroll_range: float = 1000.0
    chunk_size: int = 1
    max_instruction_bytes: int = 160
    bin_smoothing: float = 0.0
    sincos_position_init: bool = False
    conv_stem: bool = False
    state_dim: int = 32
    vision_backbone_path: str | None = None
    lm_backbone_path: str | None = None
    vision_backbone_source: str | None = None
    lm_backbone_source: str | None = None
    tie_word_embeddings: bool = False

    def save_pretrained(
        self, save_directory: Any, push_to_hub: bool = False, **kwargs: Any
    ) -> None:
        """Save ``config.json`` with an ``auto_map``, and ``vla_auto.py`` beside it, so the folder
        also loads with ``trust_remote_code=True`` where ``vla`` is installed but not imported
        (:mod:`vla.model.auto`)."""
        from pathlib import Path

        from vla.model.auto_map import AUTO_MAP, write_remote_code

        Path(save_directory).mkdir(parents=True, exist_ok=True)
        write_remote_code(save_directory)
        self.auto_map = dict(AUTO_MAP)
        super().save_pretrained(save_directory, push_to_hub=push_to_hub, **kwargs)

    def __post_init__(self, **kwargs: Any) -> None:
        self.vision_config = _sub_config(self.vision_config, SiglipVisionConfig)
        self.text_config = _sub_config(self.text_config, LlamaConfig)
        for name, low in (
            ("coord_bins", 2),
            ("value_bins", 2),
            ("max_text_bytes", 1),
            ("max_keys", 1),
            ("chunk_size", 1),
            ("max_instruction_bytes", 1),
            ("state_dim", 0),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"Got {value!r} for `{name}`; it must be an int >= {low}")
        if isinstance(self.bin_smoothing, bool) or not (
            isinstance(self.bin_smoothing, (int, float)) and 0 <= self.bin_smoothing < 1
        ):
            raise ValueError(
                f"Got {self.bin_smoothing!r} for `bin_smoothing`; it must be in [0, 1)"
            )
        size, patch = self.vision_config.image_size, self.vision_config.patch_size
        if self.conv_stem and (not isinstance(patch, int) or patch < 2 or patch & (patch - 1)):
            raise ValueError(
                f"Got patch_size={patch!r} with `conv_stem`; it must be a power of two >= 2"
            )
        if not isinstance(size, int) or not isinstance(patch, int) or size % patch:
            raise ValueError(
                f"Got image_size={size!r}, patch_size={patch!r} in `vision_config`; the image "
                "must be square and a whole number of patches"
            )
        self.text_config.vocab_size = _vocab_size(self.coord_bins, self.value_bins)
        self.text_config.pad_token_id, self.text_config.bos_token_id = 0, 1
        self.text_config.eos_token_id = 2
        super().__post_init__(**kwargs)

    @property
    def image_size(self) -> tuple[int, int]:
        """The model's input resolution ``(height, width)`` in pixels."""
        s = int(self.vision_config.image_size)
        return s, s

    @property
    def num_image_tokens(self) -> int:
        """Image tokens per sample: ``(image_size / patch_size) ** 2``."""
        return (self.vision_config.image_size // self.vision_config.patch_size) ** 2

    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> VLAConfig:
        """Build a named preset (``vla-tiny``, ``vla-small``, ``vla-base``).

        ``overrides`` set top-level fields (``coord_bins=512``) or, with a ``vision_`` / ``text_``
        prefix, backbone fields (``vision_image_size=96``, ``text_num_hidden_layers=4``).
        """
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; known presets: {sorted(PRESETS)}")
        p = copy.deepcopy(PRESETS[name])
        v, t = p["vision"], p["text"]
        vision = {
            "image_size": v["image_size"],
            "patch_size": v["patch_size"],
            "hidden_size": v["hidden_size"],
            "intermediate_size": 4 * v["hidden_size"],
            "num_hidden_layers": v["layers"],
            "num_attention_heads": v["heads"],
            "vision_use_head": False,
        }
        text = {
            "hidden_size": t["hidden_size"],
            "intermediate_size": t["intermediate_size"],
            "num_hidden_layers": t["layers"],
            "num_attention_heads": t["heads"],
            "num_key_value_heads": t["heads"],
            "max_position_embeddings": 1024,
        }
        top: dict[str, Any] = {}
        for key, value in overrides.items():
            if key.startswith("vision_") and key not in ("vision_config", "vision_backbone_path"):
                vision[key[len("vision_") :]] = value
            elif key.startswith("text_") and key != "text_config":
                text[key[len("text_") :]] = value
            else:
                top[key] = value
        return cls(vision_config=vision, text_config=text, **top)
