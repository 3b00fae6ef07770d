"""The VLA model: tokenizer, configuration, model, processor and constrained decoding.

``from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor, ActionTokenizer``.
Importing this package registers the classes with transformers' ``AutoConfig``, ``AutoModel``,
``AutoImageProcessor`` and ``AutoProcessor`` (model type ``"vla"``; :mod:`vla.model.auto`).
``import vla`` alone arranges the same as soon as transformers' Auto classes load
(:mod:`vla._auto_hook`).
"""

from __future__ import annotations

from vla.model.auto import register_auto_classes
from vla.model.configuration_vla import PRESETS, VLAConfig
from vla.model.image_processing_vla import VLAImageProcessor
from vla.model.modeling_vla import VLAForActionPrediction, VLAOutput
from vla.model.processing_auto import VLAAutoProcessor
from vla.model.processing_vla import VLAProcessor
from vla.model.tokenization_vla import ActionTokenizer

__all__ = [
    "PRESETS",
    "ActionTokenizer",
    "VLAAutoProcessor",
    "VLAConfig",
    "VLAForActionPrediction",
    "VLAImageProcessor",
    "VLAOutput",
    "VLAProcessor",
]

register_auto_classes()
