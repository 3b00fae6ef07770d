"""Where checkpoints live: the shipped ones by name, any other by folder, and the record of the
env seeds that trained each (``training_data.json``).

The one home of checkpoint lookup. It imports nothing of the project, so the policy, training,
evaluation and release code can all use it without depending on each other.

```python
from vla.hub import resolve_checkpoint, shipped_checkpoints
shipped_checkpoints()                      # ['vla-browser-tiny', 'vla-robot-tiny']
resolve_checkpoint("vla-robot-tiny")       # Path('.../vla/checkpoints/vla-robot-tiny')
```
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = [
    "CHECKPOINTS_DIR",
    "TRAINING_DATA_FILE",
    "find_checkpoint",
    "read_training_data",
    "resolve_checkpoint",
    "shipped_checkpoints",
    "training_seeds",
]

#: Shipped checkpoints: ``Policy.from_pretrained("<name>")`` loads ``CHECKPOINTS_DIR / name``.
CHECKPOINTS_DIR = Path(__file__).resolve().parent / "checkpoints"
#: Files every saved policy holds (written by ``Policy.save_pretrained``).
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
#: The env ids and seeds of the episodes that trained a model (written by ``vla train``).
TRAINING_DATA_FILE = "training_data.json"


def shipped_checkpoints() -> list[str]:
    """The names of the checkpoints shipped in :data:`CHECKPOINTS_DIR`, sorted."""
    found = CHECKPOINTS_DIR.iterdir() if CHECKPOINTS_DIR.is_dir() else ()
    return sorted(p.name for p in found if p.is_dir())


def find_checkpoint(path_or_name: str | Path) -> Path | None:
    """The folder behind a checkpoint folder or a shipped checkpoint's name; None if neither.

    A path that is a folder wins over a shipped name; a name is one path component (no ``/``).
    """
    path = Path(path_or_name)
    if path.is_dir():
        return path
    if isinstance(path_or_name, str) and "/" not in path_or_name and path_or_name:
        shipped = CHECKPOINTS_DIR / path_or_name
        if shipped.is_dir():
            return shipped
    return None


def resolve_checkpoint(path_or_name: str | Path) -> Path:
    """:func:`find_checkpoint`, checked: the folder must hold a saved policy.

    Raises:
        FileNotFoundError: naming the argument and the shipped names when there is no such
            folder, or the missing files when the folder holds no saved policy.
    """
    path = find_checkpoint(path_or_name)
    if path is None:
        raise FileNotFoundError(
            f"{str(path_or_name)!r} is neither a folder nor a shipped checkpoint; "
            f"shipped checkpoints: {shipped_checkpoints()}"
        )
    missing = [f for f in (CONFIG_FILE, WEIGHTS_FILE) if not (path / f).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{path} is not a saved VLA policy: missing {missing} (expected config.json, "
            "model.safetensors and vla_processor.json written by Policy.save_pretrained)"
        )
    return path


def read_training_data(folder: str | Path) -> dict[str, Any] | None:
    """The ``training_data.json`` of a checkpoint folder, or None when it has none.

    Raises:
        ValueError: naming the file when it is not valid JSON.
    """
    path = Path(folder) / TRAINING_DATA_FILE
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from err
    if not isinstance(record, dict):
        raise ValueError(f"{path} must hold a JSON object; got {type(record).__name__}")
    return record


def training_seeds(record: dict[str, Any], env_id: str) -> set[int]:
    """The seeds of ``env_id`` in a ``training_data.json`` record (empty if it has none).

    The record stores them as sorted inclusive ranges ``{"seed_ranges": {env_id: [[lo, hi]]}}``.
    """
    return {
        s for lo, hi in record.get("seed_ranges", {}).get(env_id, []) for s in range(lo, hi + 1)
    }
