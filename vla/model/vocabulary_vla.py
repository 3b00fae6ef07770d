"""The action vocabulary: token ids, quantisation bins and dataset statistics.

Token id layout (``ActionVocabulary(coord_bins=C, value_bins=V)``; ``K = len(KEY_NAMES)``;
with a pointer, ``N = pointer_grid.max_detail_tokens`` and ``S = pointer_subdivisions``):

==========================  ===========================  ==================================
ids                         tokens                       used for
==========================  ===========================  ==================================
0 .. 7                      ``PAD BOS EOS SEP``          padding, start, end of action, end
                            ``PLACEHOLDER`` + 3 free     of instruction; the input at a robot
                                                         value position with parallel decoding
8 .. 263                    256 bytes                    instruction text and ``Type.text``
                                                         (UTF-8)
264 .. 272                  9 verbs                      ``UI_VERBS + ROBOT_VERBS`` in order
273 .. 276                  ``right middle x2 x3``       non-default ``Click.button``/``count``
277 .. 277+K-1              key names                    ``Key.keys`` (``vla.actions.KEY_NAMES``)
``KEY_END`` .. +C-1         coordinate bins              UI pixel coordinates
``COORD_END`` .. +V-1       value bins                   robot values and scroll deltas
``VALUE_END`` .. +N-1       patch tokens (pointer only)  the patch a click points at
``PATCH_END`` .. +S*S-1     offset tokens (pointer only) where in that patch (row-major cells)
==========================  ===========================  ==================================

``action_token_ids`` (verbs .. the last token, plus ``EOS``) are the tokens the model is trained to
emit; everything else is input. How actions become these ids (the grammar) is
:mod:`vla.model.tokenization_vla`.

Coordinates are normalised by the size of the image the policy saw (``image_size = (width,
height)``, like ``vla.envs.spaces.ActionSpace``) and quantised into ``coord_bins`` uniform bins;
a bin decodes to its centre. 1024 bins give 1.9 px on a 1920-px axis. Scroll deltas use the value
bins over the fixed range ``[-scroll_range, scroll_range]`` pixels (default 1000: 7.8 px bins).
Robot values are normalised per dimension to [-1, 1] with the dataset's 1st/99th percentiles
(``q01``/``q99`` of ``meta/stats.json``, as OpenVLA does) and quantised into ``value_bins`` bins.
Out-of-range values are clipped and counted in :attr:`ActionVocabulary.clip_counts`, never raised.

**Pointer** (``pointer_grid`` set, issue 13; GUI-Actor's idea of grounding as choosing a patch):
a click's position is the patch of the image's :class:`~vla.model.image_grid.ImageGrid` it falls
in (row-major index over that image's detail grid) plus one of ``S x S`` cells inside the patch;
it decodes to the cell's centre. The error is at most half a cell, ``patch / (2 S)`` model
pixels, in caller pixels divided by the grid's downscale.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from vla.actions import KEY_NAMES, ROBOT_VERBS, UI_VERBS, RobotSpace
from vla.model.image_grid import GridSpec

__all__ = ["ActionVocabulary"]

_V = TypeVar("_V", bound="ActionVocabulary")

PAD, BOS, EOS, SEP = 0, 1, 2, 3
#: Fed instead of the previous value token at every robot value position when
#: ``VLAConfig.parallel_decoding`` is on (OpenVLA-OFT), so a whole chunk decodes in one pass.
#: Its row of the LM's token embeddings is the learned placeholder embedding.
PLACEHOLDER = 4
N_SPECIAL = 8
BYTE_OFFSET = N_SPECIAL
VERBS: tuple[str, ...] = UI_VERBS + ROBOT_VERBS
VERB_OFFSET = BYTE_OFFSET + 256
FLAG_OFFSET = VERB_OFFSET + len(VERBS)
FLAGS = ("right", "middle", "x2", "x3")  # non-default Click.button / Click.count
KEY_OFFSET = FLAG_OFFSET + len(FLAGS)
STATS_KEYS = {"ee_delta": "action.ee_delta", "joint_target": "action.joint_target"}
TOKENIZER_FILE = "action_tokenizer.json"


def is_byte(ids: Any) -> Any:
    """Which token ids (a tensor or an array) are byte tokens (instruction or typed text)."""
    return (ids >= BYTE_OFFSET) & (ids < VERB_OFFSET)


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"Got {value!r} for `{name}`; it must be an int >= {low}")
    return value


class ActionVocabulary:
    """Token ids, bins and statistics of the action language (layout in the module doc).

    Args:
        coord_bins: bins per image axis for UI coordinates (>= 2).
        value_bins: bins per continuous robot dimension and scroll delta (>= 2).
        max_text_bytes: longest ``Type.text`` in UTF-8 bytes; longer text is cut and counted.
        max_keys: most keys in one ``Key`` chord.
        scroll_range: scroll deltas are quantised over ``[-scroll_range, scroll_range]`` pixels.
        chunk_size: robot actions per decoded sequence (action chunking; 1 = none).
        pointer_grid: the processor's :class:`~vla.model.image_grid.GridSpec`: clicks become a
            patch token and an offset token instead of two coordinate bins. None: bins.
        pointer_subdivisions: cells per patch side for the offset token (``S``, >= 1).
    """

    def __init__(
        self,
        coord_bins: int = 1024,
        value_bins: int = 256,
        max_text_bytes: int = 64,
        max_keys: int = 4,
        scroll_range: float = 1000.0,
        chunk_size: int = 1,
        pointer_grid: GridSpec | dict[str, int] | None = None,
        pointer_subdivisions: int = 4,
    ) -> None:
        self.coord_bins = _check_int("coord_bins", coord_bins, 2)
        self.value_bins = _check_int("value_bins", value_bins, 2)
        self.max_text_bytes = _check_int("max_text_bytes", max_text_bytes, 1)
        self.max_keys = _check_int("max_keys", max_keys, 1)
        self.chunk_size = _check_int("chunk_size", chunk_size, 1)
        if not (isinstance(scroll_range, (int, float)) and math.isfinite(scroll_range)) or (
            scroll_range <= 0
        ):
            raise ValueError(f"Got {scroll_range!r} for `scroll_range`; it must be > 0")
        self.scroll_range = float(scroll_range)
        self.coord_offset = KEY_OFFSET + len(KEY_NAMES)
        self.value_offset = self.coord_offset + self.coord_bins
        if isinstance(pointer_grid, dict):
            pointer_grid = GridSpec(**pointer_grid)
        if pointer_grid is not None and not isinstance(pointer_grid, GridSpec):
            raise ValueError(f"Got {pointer_grid!r} for `pointer_grid`; it must be a GridSpec")
        self.grid = pointer_grid
        self.pointer_subdivisions = _check_int("pointer_subdivisions", pointer_subdivisions, 1)
        self.patch_offset = self.value_offset + self.value_bins
        self.n_patches = pointer_grid.max_detail_tokens if pointer_grid is not None else 0
        self.cell_offset = self.patch_offset + self.n_patches
        n_cells = self.pointer_subdivisions**2 if pointer_grid is not None else 0
        self.vocab_size = self.cell_offset + n_cells
        self.stats: dict[str, dict[str, Any]] = {}
        self.clip_counts: dict[str, int] = {
            "coord": 0,
            "scroll": 0,
            "value": 0,
            "text": 0,
            "keys": 0,
        }

    # ------------------------------------------------------------------ vocabulary helpers

    pad_id, bos_id, eos_id, sep_id = PAD, BOS, EOS, SEP

    def verb_id(self, verb: str) -> int:
        """Token id of an action verb (``"click"``, ``"ee_delta"`` ...)."""
        if verb not in VERBS:
            raise ValueError(f"unknown verb {verb!r}; known verbs: {VERBS}")
        return VERB_OFFSET + VERBS.index(verb)

    def flag_id(self, flag: str) -> int:
        """Token id of a click flag: ``"right"``, ``"middle"``, ``"x2"`` or ``"x3"``."""
        return FLAG_OFFSET + FLAGS.index(flag)

    def key_id(self, key: str) -> int:
        """Token id of a key name from ``vla.actions.KEY_NAMES``."""
        return KEY_OFFSET + KEY_NAMES.index(key)

    @property
    def action_token_range(self) -> tuple[int, int]:
        """``[start, stop)`` of the action tokens (verbs to the last value bin); EOS is id 2."""
        return VERB_OFFSET, self.vocab_size

    def encode_text(self, text: str, max_bytes: int | None = None) -> list[int]:
        """UTF-8 byte tokens of ``text``, cut to ``max_bytes`` at a character boundary."""
        if not isinstance(text, str):
            raise ValueError(f"text must be a str; got {type(text).__name__} {text!r}")
        data = text.encode("utf-8")
        if max_bytes is not None and len(data) > max_bytes:
            data = data[:max_bytes].decode("utf-8", errors="ignore").encode("utf-8")
        return [BYTE_OFFSET + b for b in data]

    def decode_text(self, ids: Sequence[int]) -> str:
        """Inverse of :meth:`encode_text` (invalid UTF-8 becomes U+FFFD)."""
        return bytes(int(i) - BYTE_OFFSET for i in ids).decode("utf-8", errors="replace")

    # ---------------------------------------------------------------------- statistics

    def set_stats(self, stats: dict[str, Any]) -> None:
        """Use a dataset's ``meta/stats.json`` dict to normalise robot values (q01/q99 per dim)."""
        if not isinstance(stats, dict):
            raise ValueError(
                f"stats must be the dict of meta/stats.json; got {type(stats).__name__}"
            )
        out: dict[str, dict[str, Any]] = {}
        for key, entry in stats.items():
            if not isinstance(entry, dict):
                raise ValueError(f"stats[{key!r}] must be a dict; got {entry!r}")
            low = entry.get("q01", entry.get("min"))
            high = entry.get("q99", entry.get("max"))
            if low is None or high is None or len(low) != len(high):
                raise ValueError(f"stats[{key!r}] needs q01 and q99 lists of equal length")
            out[key] = {
                k: list(map(float, v)) if isinstance(v, list) else v for k, v in entry.items()
            }
        self.stats = out

    def bounds(self, space: RobotSpace) -> tuple[list[float], list[float]]:
        """Per-dimension ``(low, high)`` normalisation bounds for a robot action space."""
        key = STATS_KEYS[space.action]
        if key not in self.stats:
            raise ValueError(
                f"no statistics for {key!r}: call ActionTokenizer.set_stats(meta/stats.json) "
                f"before encoding {space.action} actions (have: {sorted(self.stats)})"
            )
        entry = self.stats[key]
        low: list[float] = entry.get("q01", entry.get("min")) or []
        high: list[float] = entry.get("q99", entry.get("max")) or []
        if len(low) != space.dims:
            raise ValueError(f"stats[{key!r}] has {len(low)} dims; {space!r} needs {space.dims}")
        high = [h if h - lo > 1e-8 else lo + 1e-8 for lo, h in zip(low, high, strict=False)]
        return list(low), high

    # ------------------------------------------------------------------- quantisation

    def _bin(self, u: float, n: int, kind: str) -> int:
        """Bin of ``u`` in [0, 1] among ``n``; outside values are clipped and counted."""
        if u < 0.0 or u > 1.0:
            self.clip_counts[kind] += 1
        return min(max(math.floor(u * n), 0), n - 1)

    def _coord(self, value: float, size: int) -> int:
        return self.coord_offset + self._bin(value / size, self.coord_bins, "coord")

    def _uncoord(self, token: int, size: int) -> float:
        return (token - self.coord_offset + 0.5) / self.coord_bins * size

    def _point(self, x: float, y: float, size: tuple[int, int]) -> list[int]:
        """Pointer tokens ``[patch, cell]`` of caller pixel ``(x, y)`` in a ``size = (w, h)`` image."""
        assert self.grid is not None  # callers check `self.grid` first
        g = self.grid.plan(*size)
        xm, ym = g.to_model(x, y)
        s, p = self.pointer_subdivisions, g.patch
        if not (0 <= xm <= g.model_width and 0 <= ym <= g.model_height):
            self.clip_counts["coord"] += 1
        xm, ym = min(max(xm, 0.0), g.model_width - 1e-6), min(max(ym, 0.0), g.model_height - 1e-6)
        col, row = min(int(xm // p), g.cols - 1), min(int(ym // p), g.rows - 1)
        cx = min(int((xm - col * p) / p * s), s - 1)
        cy = min(int((ym - row * p) / p * s), s - 1)
        return [self.patch_offset + row * g.cols + col, self.cell_offset + cy * s + cx]

    def _unpoint(self, patch: int, cell: int, size: tuple[int, int]) -> tuple[float, float]:
        """Inverse of :meth:`_point`: the centre of the cell, in caller pixels (inside the image)."""
        assert self.grid is not None
        g = self.grid.plan(*size)
        s, p = self.pointer_subdivisions, g.patch
        index = min(patch - self.patch_offset, g.rows * g.cols - 1)  # a model may point past it
        row, col = divmod(index, g.cols)
        cy, cx = divmod(cell - self.cell_offset, s)
        xm = min((col + (cx + 0.5) / s) * p, g.model_width - 0.5)
        ym = min((row + (cy + 0.5) / s) * p, g.model_height - 0.5)
        return g.to_caller(xm, ym)

    def _value(self, value: float, low: float, high: float, kind: str = "value") -> int:
        return self.value_offset + self._bin((value - low) / (high - low), self.value_bins, kind)

    def _unvalue(self, token: int, low: float, high: float) -> float:
        return low + (token - self.value_offset + 0.5) / self.value_bins * (high - low)

    def robot_space(self, verb: str | None = None) -> RobotSpace:
        """The robot action space implied by the statistics (``verb`` picks one if both exist)."""
        verbs = [v for v in ROBOT_VERBS if STATS_KEYS[v] in self.stats and verb in (None, v)]
        if not verbs:
            raise ValueError(
                f"no robot action statistics (want {verb or ROBOT_VERBS}); call set_stats"
            )
        entry = self.stats[STATS_KEYS[verbs[0]]]
        dims = len(entry.get("q01", entry.get("min")) or [])
        return RobotSpace(verbs[0], n_joints=dims - 1 if verbs[0] == "joint_target" else 7)  # type: ignore[arg-type]

    # ------------------------------------------------------------------- persistence

    def to_dict(self) -> dict[str, Any]:
        """Constructor arguments and statistics, JSON-serialisable."""
        return {
            "coord_bins": self.coord_bins,
            "value_bins": self.value_bins,
            "max_text_bytes": self.max_text_bytes,
            "max_keys": self.max_keys,
            "scroll_range": self.scroll_range,
            "chunk_size": self.chunk_size,
            **(
                {
                    "pointer_grid": self.grid.to_dict(),
                    "pointer_subdivisions": self.pointer_subdivisions,
                }
                if self.grid is not None
                else {}
            ),
            "stats": self.stats,
        }

    @classmethod
    def from_dict(cls: type[_V], data: dict[str, Any]) -> _V:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        stats = data.pop("stats", {})
        tok = cls(**data)
        if stats:
            tok.set_stats(stats)
        return tok

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``action_tokenizer.json`` (arguments + statistics) into ``directory``."""
        path = Path(directory) / TOKENIZER_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1))
        return path

    @classmethod
    def from_pretrained(cls: type[_V], directory: str | Path) -> _V:
        """Load what :meth:`save_pretrained` wrote."""
        path = Path(directory) / TOKENIZER_FILE
        if not path.is_file():
            raise FileNotFoundError(f"no {TOKENIZER_FILE} in {directory}")
        return cls.from_dict(json.loads(path.read_text()))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(coord_bins={self.coord_bins}, value_bins={self.value_bins}, "
            f"pointer={self.grid is not None}, vocab_size={self.vocab_size}, "
            f"stats={sorted(self.stats)})"
        )
