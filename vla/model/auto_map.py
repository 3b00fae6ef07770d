"""The ``auto_map`` of saved VLA configs and the ``vla_auto.py`` it points to.

``auto_map`` lets transformers find a model's classes without ``import vla``: with
``trust_remote_code=True`` it imports ``vla_auto.py`` from the checkpoint folder. That file holds
no model code; it imports the classes from the installed ``vla`` package. This module imports
nothing, so the config and the processor can both write these files.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["AUTO_MAP", "PROCESSOR_AUTO_MAP", "REMOTE_CODE_FILE", "write_remote_code"]

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
