"""The VLA model: tokenizer, configuration, model, processor and constrained decoding.

``from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor, ActionTokenizer``.
Importing this package registers ``VLAConfig`` / ``VLAForActionPrediction`` with transformers'
``AutoConfig`` / ``AutoModel`` (model type ``"vla"``).
"""

from __future__ import annotations

from vla.model.configuration_vla import PRESETS, VLAConfig
from vla.model.modeling_vla import VLAForActionPrediction, VLAOutput, _register
from vla.model.processing_vla import VLAProcessor
from vla.model.tokenization_vla import ActionTokenizer

__all__ = [
    "PRESETS",
    "ActionTokenizer",
    "VLAConfig",
    "VLAForActionPrediction",
    "VLAOutput",
    "VLAProcessor",
]

_register()
