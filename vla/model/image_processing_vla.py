"""``VLAImageProcessor``: the model's image preprocessing as a transformers image processor.

It does what :meth:`VLAProcessor.pixel_values <vla.model.processing_vla.VLAProcessor.pixel_values>`
does (bilinear resize to ``size``, then ``x / 127.5 - 1``), so ``AutoImageProcessor`` and
``AutoProcessor`` give the same tensors as the policy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from transformers import BaseImageProcessor, BatchFeature

__all__ = ["VLAImageProcessor"]


class VLAImageProcessor(BaseImageProcessor):
    """Images of any size -> ``pixel_values`` (B, 3, height, width) float32 in [-1, 1].

    Args:
        size: ``{"height": h, "width": w}``, the model's input resolution in pixels
            (``VLAConfig.image_size``).
    """

    model_input_names = ["pixel_values"]  # noqa: RUF012 - transformers reads a class-level list

    def __init__(self, size: dict[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        size = dict(size or {"height": 80, "width": 80})
        for key in ("height", "width"):
            value = size.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Got {value!r} for `size[{key!r}]`; it must be an int >= 1")
        self.size = {"height": size["height"], "width": size["width"]}

    def preprocess(  # type: ignore[override]
        self, images: Any, return_tensors: str | None = "pt", **kwargs: Any
    ) -> BatchFeature:
        """Resize and scale a list of images (uint8 (H, W, 3) arrays or PIL images).

        Returns:
            ``BatchFeature`` with ``pixel_values`` (B, 3, height, width), ``[-1, 1]``; a torch
            tensor for ``return_tensors="pt"`` (the default), else a numpy array.
        """
        from PIL import Image

        from vla.model.processing_vla import check_image

        if kwargs:
            raise ValueError(f"VLAImageProcessor takes no options {sorted(kwargs)}")
        if (isinstance(images, np.ndarray) and images.ndim == 3) or hasattr(images, "convert"):
            images = [images]
        arrays = [check_image(img, i) for i, img in enumerate(images)]
        if not arrays:
            raise ValueError("images must not be empty")
        h, w = self.size["height"], self.size["width"]
        out = np.empty((len(arrays), h, w, 3), dtype=np.uint8)
        for i, img in enumerate(arrays):
            if img.shape[:2] == (h, w):
                out[i] = img
            else:
                out[i] = np.asarray(Image.fromarray(img).resize((w, h), Image.Resampling.BILINEAR))
        pixels = out.transpose(0, 3, 1, 2).astype(np.float32) / 127.5 - 1.0  # (B, 3, h, w)
        return BatchFeature({"pixel_values": pixels}, tensor_type=return_tensors)

    def __call__(self, images: Any, **kwargs: Any) -> BatchFeature:  # type: ignore[override]
        return self.preprocess(images, **kwargs)
