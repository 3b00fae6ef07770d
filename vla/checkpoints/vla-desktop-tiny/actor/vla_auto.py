"""Lets transformers load this folder with trust_remote_code=True. It holds no model code: the
classes come from the installed vla package (pip install vla), as after `import vla`."""

from vla.model import VLAAutoProcessor, VLAConfig, VLAForActionPrediction, VLAImageProcessor

__all__ = ["VLAAutoProcessor", "VLAConfig", "VLAForActionPrediction", "VLAImageProcessor"]
