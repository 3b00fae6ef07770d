"""The transformers Auto-class registration of the VLA classes, and the ``auto_map`` that saved
checkpoints carry.

Two routes make ``AutoConfig`` / ``AutoModel`` / ``AutoProcessor`` load a VLA checkpoint:

- with ``vla`` imported (``import vla`` is enough, see :mod:`vla._auto_hook`), the classes are
  registered under model type ``"vla"`` and no remote code is involved;
- without it, ``trust_remote_code=True`` follows the ``auto_map`` of ``config.json`` /
  ``processor_config.json`` to ``vla_auto.py``, a short file saved beside them that
  imports the classes from the installed ``vla`` package (it holds no model code;
  :mod:`vla.model.auto_map`).
"""

from __future__ import annotations

__all__ = ["register_auto_classes"]


def register_auto_classes() -> None:
    """Register the VLA classes with ``AutoConfig``, ``AutoModel``, ``AutoImageProcessor`` and
    ``AutoProcessor`` (model type ``"vla"``). Idempotent."""
    from transformers import AutoConfig, AutoImageProcessor, AutoModel, AutoProcessor

    from vla.model.configuration_vla import VLAConfig
    from vla.model.image_processing_vla import VLAImageProcessor
    from vla.model.modeling_vla import VLAForActionPrediction
    from vla.model.processing_auto import VLAAutoProcessor

    AutoConfig.register("vla", VLAConfig, exist_ok=True)
    AutoModel.register(VLAConfig, VLAForActionPrediction, exist_ok=True)
    AutoImageProcessor.register(
        VLAConfig, image_processor_classes={"pil": VLAImageProcessor}, exist_ok=True
    )
    AutoProcessor.register(VLAConfig, VLAAutoProcessor, exist_ok=True)
