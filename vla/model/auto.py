"""The transformers Auto-class registration of the VLA classes, and the ``auto_map`` that saved
checkpoints carry.

Two routes make ``AutoConfig`` / ``AutoModel`` / ``AutoProcessor`` load a VLA checkpoint:

- with ``vla`` imported (``import vla`` is enough, see :mod:`vla._auto_hook`), the classes are
  registered under model type ``"vla"`` and no remote code is involved;
- without it, ``trust_remote_code=True`` follows the ``auto_map`` of ``config.json`` /
  ``processor_config.json`` to ``vla_auto.py``, a three-line file saved beside them that
  imports the classes from the installed ``vla`` package (it holds no model code).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["AUTO_MAP", "PROCESSOR_AUTO_MAP", "REMOTE_CODE_FILE", "register_auto_classes"]

#: The module that ``auto_map`` points to, written beside a saved config.
REMOTE_CODE_FILE = "vla_auto.py"
#: ``config.json``'s ``auto_map``.
AUTO_MAP = {
    "AutoConfig": "vla_auto.VLAConfig",
    "AutoModel": "vla_auto.VLAForActionPrediction",
    "AutoProcessor": "vla_auto.VLAAutoProcessor",
}
#: ``processor_config.json``'s ``auto_map``.
PROCESSOR_AUTO_MAP = {"AutoProcessor": "vla_auto.VLAAutoProcessor"}

_REMOTE_CODE = '''\
"""Lets transformers load this folder with trust_remote_code=True. It holds no model code: the
classes come from the installed vla package (pip install vla), as after `import vla`."""

from vla.model import VLAAutoProcessor, VLAConfig, VLAForActionPrediction, VLAImageProcessor

__all__ = ["VLAAutoProcessor", "VLAConfig", "VLAForActionPrediction", "VLAImageProcessor"]
'''


def write_remote_code(directory: str | Path) -> Path:
    """Write :data:`REMOTE_CODE_FILE` into ``directory`` (the target of :data:`AUTO_MAP`)."""
    path = Path(directory) / REMOTE_CODE_FILE
    path.write_text(_REMOTE_CODE)
    return path


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
