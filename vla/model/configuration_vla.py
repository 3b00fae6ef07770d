"""``VLAConfig``: a SigLIP vision tower + a Llama causal LM + the action tokenizer's settings."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, ClassVar

from transformers import LlamaConfig, PreTrainedConfig, SiglipVisionConfig

from vla.model.config_checks import check_aux_losses, check_execution, check_views

if TYPE_CHECKING:
    from vla.model.image_grid import GridSpec

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


def _vocab_size(coord_bins: int, value_bins: int, grid: Any, subdivisions: int) -> int:
    from vla.model.vocabulary_vla import ActionVocabulary

    return ActionVocabulary(
        coord_bins=coord_bins,
        value_bins=value_bins,
        pointer_grid=grid if subdivisions else None,
        pointer_subdivisions=subdivisions or 1,
    ).vocab_size


def _sub_config(value: Any, default: Any) -> Any:
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
            is the model's input resolution: every image is resized to it unless
            ``max_image_tokens`` is set (then it is the thumbnail's size).
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
        max_image_tokens: None or 0 (default): the fixed ``image_size`` resize. N > 0: images
            keep their own resolution, padded to whole patches (masked), up to N tokens; bigger
            images become a thumbnail plus the largest downscale that fits
            (:mod:`vla.model.image_grid`). Must exceed twice the thumbnail's tokens.
        vision_film: the instruction (mean of its byte embeddings) scales and shifts the output
            of every vision layer (FiLM, as RT-1), identity at initialisation.
        vision_early_fusion: the instruction's bytes join the vision transformer's sequence, so
            image patches attend to the words from the first layer.
        pointer_subdivisions: 0 (default): a click is two coordinate-bin tokens. S > 0: a click
            is a patch token (the patch of the model's grid the click falls in) plus one of
            ``S x S`` cell tokens inside it (GUI-Actor-style pointing).
        copy_instruction: a pointer over the instruction's bytes is mixed into every
            next-token distribution (pointer-generator copying, :mod:`vla.model.copy_vla`), so
            a typed text can be copied from the instruction byte by byte.
        copy_alignment: with ``copy_instruction``: the copy pointer and the LM head also see
            how far the text typed so far matches the instruction at each position, and the
            byte after the longest match (:mod:`vla.model.copy_alignment`), so a copy keeps its
            place and ends where the instruction's text ends.
        copy_case: with ``copy_instruction``: the copy can also emit a byte upper- or
            lower-cased (per query, a learned mix of the three; "type it in upper case"), and
            the alignment compares letters case-insensitively.
        action_history: 0 (default): the prompt is the instruction alone. K > 0: the actions
            the agent executed before, the last K of its episode, follow the instruction in the
            prompt as action tokens (:meth:`VLAProcessor.prompt_ids`), so a step that leaves
            the screen unchanged (the first button of a sequence) is not forgotten.
        view_names: the named camera views the model sees (e.g. ``["scene", "wrist"]``). Every
            view goes through the one (shared) vision tower and gets a learned view embedding;
            the image tokens of all views are concatenated (``V * P`` tokens). A view missing
            from an observation is masked. Empty (the default): one image, as before.
            Fixed resolution only (not with ``max_image_tokens``).
        parallel_decoding: robot chunks decode in one forward pass (OpenVLA-OFT's parallel
            decoding): every robot value position is fed the learned ``PLACEHOLDER`` token
            instead of the previous value, in training and in decoding, so the
            ``chunk_size * dims`` values do not depend on each other's choice and all come out
            of one pass (:mod:`vla.model.decoding`). UI actions decode as before.
        value_slots: 0 (default): every placeholder is the same token. N > 0 (with
            ``parallel_decoding``): placeholder ``k`` of a chunk (``k < N``, counted from its
            verb) also gets a learned slot embedding, like ACT's action queries, so a small
            LM can tell the chunk's values apart (:mod:`vla.model.parallel_decoding`).
        point_loss: 0 (default): off. W > 0: training also asks the model to point at the
            image patch (first view) holding the object the instruction names, when the data
            says where it is (``info["target_pixels"]``, kept by the recorder; a UI step
            without one points where its action acts: a click's point, a drag's start), and
            adds W times that cross-entropy to the loss (:mod:`vla.model.grounding_vla`).
            Training only. With ``max_image_tokens`` it points among each image's detail
            patches.
        point_to_action: the pointing feeds the action: the patch the model points at (its
            expected position and features) and the robot state are fused into the hidden
            state of every action position before the LM head (:class:`PointedAction`).
            Usually with ``point_loss`` to teach the pointer. Fixed resolution only.
        point_goal: with ``point_to_action``, a second pointer, trained (``point_loss``) on
            where the motion ends (``info["goal_pixels"]``: the pad of ``push``, the tray or
            bowl, the base cube of ``stack``), whose patch is fused into the action positions
            beside the first's (``PointedAction``; identity at initialisation).
        read_loss: 0 (default): off. W > 0: training also asks every image patch that shows a
            word (``info["words"]`` of the MiniWoB envs, kept by the recorder) to name its
            first 8 bytes, and adds W times that cross-entropy (:mod:`vla.model.reading_vla`).
        execution: how this checkpoint's robot chunks are meant to run (the ``vla eval
            --execution`` text it was evaluated with, e.g. ``"receding:8"``; the recipe writes
            it when shipping). An agent given no execution of its own runs the chunks this way
            (``PolicyAgent``: ``vla run``, ``vla demo``, ``vla eval``). None: asked every step.
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
    max_image_tokens: int | None = None
    vision_film: bool = False
    vision_early_fusion: bool = False
    pointer_subdivisions: int = 0
    copy_instruction: bool = False
    copy_alignment: bool = False
    copy_case: bool = False
    action_history: int = 0
    view_names: list[str] | tuple[str, ...] = ()
    parallel_decoding: bool = False
    value_slots: int = 0
    point_loss: float = 0.0
    point_to_action: bool = False
    point_goal: bool = False
    read_loss: float = 0.0
    execution: str | None = None
    state_dim: int = 32
    vision_backbone_path: str | None = None
    lm_backbone_path: str | None = None
    vision_backbone_source: str | None = None
    lm_backbone_source: str | None = None
    tie_word_embeddings: bool = False

    @property
    def _vision(self) -> Any:
        """``vision_config`` (a config object once ``__post_init__`` ran; typed as the union)."""
        return self.vision_config

    @property
    def _text(self) -> Any:
        return self.text_config

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
        for name, low in _INT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"Got {value!r} for `{name}`; it must be an int >= {low}")
        if isinstance(self.bin_smoothing, bool) or not (
            isinstance(self.bin_smoothing, (int, float)) and 0 <= self.bin_smoothing < 1
        ):
            raise ValueError(
                f"Got {self.bin_smoothing!r} for `bin_smoothing`; it must be in [0, 1)"
            )
        size, patch = self._vision.image_size, self._vision.patch_size
        if self.conv_stem and (not isinstance(patch, int) or patch < 2 or patch & (patch - 1)):
            raise ValueError(
                f"Got patch_size={patch!r} with `conv_stem`; it must be a power of two >= 2"
            )
        if not isinstance(size, int) or not isinstance(patch, int) or size % patch:
            raise ValueError(
                f"Got image_size={size!r}, patch_size={patch!r} in `vision_config`; the image "
                "must be square and a whole number of patches"
            )
        flags = ("vision_film", "vision_early_fusion", "parallel_decoding", "point_to_action",
                 "point_goal")  # fmt: skip
        for name in flags:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"Got {getattr(self, name)!r} for `{name}`; it must be a bool")
        for name in ("copy_alignment", "copy_case"):
            if getattr(self, name) and not self.copy_instruction:
                raise ValueError(f"Got {name} without copy_instruction; set both or neither")
        if self.value_slots and not self.parallel_decoding:
            raise ValueError("Got value_slots without parallel_decoding; set both or neither")
        check_execution(self.execution)
        check_aux_losses(self)
        tokens = self.max_image_tokens
        if tokens is not None and (
            isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 0
        ):
            raise ValueError(
                f"Got {tokens!r} for `max_image_tokens`; it must be None or an int >= 0"
            )
        if (self.max_image_tokens or self.vision_film or self.vision_early_fusion) and (
            self._vision.hidden_size % 4
        ):
            raise ValueError(
                f"Got vision hidden_size={self._vision.hidden_size} with native resolution, FiLM or "
                "early fusion; it must be a multiple of 4 (2D sine-cosine positions)"
            )
        self.view_names = check_views(self.view_names, self.max_image_tokens)
        grid = self.grid_spec  # validates max_image_tokens against the thumbnail
        self._text.vocab_size = _vocab_size(
            self.coord_bins, self.value_bins, grid, self.pointer_subdivisions
        )
        self._text.pad_token_id, self._text.bos_token_id = 0, 1
        self._text.eos_token_id = 2
        super().__post_init__(**kwargs)

    @property
    def image_size(self) -> tuple[int, int]:
        """The model's input resolution ``(height, width)`` in pixels."""
        s = int(self._vision.image_size)
        return s, s

    @property
    def num_image_tokens(self) -> int:
        """Image tokens per sample: ``(image_size / patch_size) ** 2`` per view (``V * P`` with
        ``view_names``); in native mode the most an image can have (``max_image_tokens``)."""
        if self.max_image_tokens:
            return int(self.max_image_tokens)
        per_view = (self._vision.image_size // self._vision.patch_size) ** 2
        return per_view * max(1, len(self.view_names))

    @property
    def grid_spec(self) -> GridSpec:
        """How the processor cuts images into patches (:class:`~vla.model.image_grid.GridSpec`)."""
        from vla.model.image_grid import GridSpec

        return GridSpec(
            self._vision.patch_size, self._vision.image_size, int(self.max_image_tokens or 0)
        )

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
            if hasattr(cls, key):  # a VLAConfig field, even when named vision_* (vision_film)
                top[key] = value
            elif key.startswith("vision_"):
                vision[key[len("vision_") :]] = value
            elif key.startswith("text_"):
                text[key[len("text_") :]] = value
            else:
                top[key] = value
        return cls(vision_config=vision, text_config=text, **top)


#: the int fields and their lowest values
_INT_FIELDS = (
    ("coord_bins", 2),
    ("value_bins", 2),
    ("max_text_bytes", 1),
    ("max_keys", 1),
    ("chunk_size", 1),
    ("max_instruction_bytes", 1),
    ("state_dim", 0),
    ("pointer_subdivisions", 0),
    ("action_history", 0),
    ("value_slots", 0),
)
