"""Where checkpoints live: the shipped ones by name, any other by folder or Hugging Face Hub repo
id, and the record of the env seeds that trained each (``training_data.json``).

The one home of checkpoint lookup. It imports nothing of the project, so the policy, training,
evaluation and release code can all use it without depending on each other.

```python
from vla.hub import resolve_checkpoint, shipped_checkpoints
shipped_checkpoints()                      # ['vla-browser-tiny', 'vla-desktop-tiny', 'vla-robot-tiny']
resolve_checkpoint("vla-robot-tiny")       # Path('.../vla/checkpoints/vla-robot-tiny')
resolve_checkpoint("owner/name")           # a Hub repo: downloaded once into the HF cache
```

Order: an existing folder, then a shipped name, then a Hub repo id (``owner/name``). Only the
last touches the network, through ``huggingface_hub.snapshot_download``; with
``HF_HUB_OFFLINE=1`` or no network it uses the local HF cache or fails with one line that says
how to pass a local folder instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

__all__ = [
    "CHECKPOINTS_DIR",
    "FOCUS_FILE",
    "TRAINING_DATA_FILE",
    "download_checkpoint",
    "find_checkpoint",
    "is_hub_repo_id",
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
#: The file that makes a checkpoint folder a two-pass whole-screen policy
#: (:class:`vla.rollout.focus.FocusPolicy`): its own model is only the locator.
FOCUS_FILE = "focus.json"
#: ``owner/name`` as the Hub spells repo ids (letters, digits, ``-``, ``_``, ``.``).
_REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}")


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


def is_hub_repo_id(path_or_name: str | Path) -> bool:
    """True for a string shaped like a Hub repo id (``owner/name``) that is not a local path."""
    return (
        isinstance(path_or_name, str)
        and _REPO_ID.fullmatch(path_or_name) is not None
        and not Path(path_or_name).exists()
    )


def download_checkpoint(repo_id: str, revision: str | None = None) -> Path:
    """The local folder of Hub repo ``repo_id``, downloaded into the HF cache when not there yet.

    Raises:
        FileNotFoundError: one line when the Hub cannot be reached (``HF_HUB_OFFLINE=1`` or no
            network) and the repo is not cached, or when the repo does not exist; both say how to
            pass a local folder instead.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    hint = (
        f"download it where the Hub is reachable (`hf download {repo_id} --local-dir DIR`) "
        "and pass the folder: Policy.from_pretrained('DIR')"
    )
    try:
        return Path(snapshot_download(repo_id, revision=revision))
    except (LocalEntryNotFoundError, OfflineModeIsEnabled) as err:
        raise FileNotFoundError(
            f"{repo_id!r} is no local folder or shipped checkpoint, and as a Hugging Face Hub "
            "repo id it cannot be fetched: the Hub is unreachable (offline: HF_HUB_OFFLINE=1 or "
            f"no network) and the repo is not in the local cache; {hint}"
        ) from err
    except (RepositoryNotFoundError, RevisionNotFoundError) as err:
        raise FileNotFoundError(
            f"{repo_id!r} is not a folder, not a shipped checkpoint ({shipped_checkpoints()}) "
            f"and not a Hub repo this machine can read ({type(err).__name__}); {hint}"
        ) from err


def resolve_checkpoint(path_or_name: str | Path, revision: str | None = None) -> Path:
    """The folder of a saved policy: a local folder, a shipped name, or a Hub repo id.

    A local folder or shipped name always wins (:func:`find_checkpoint`); only an ``owner/name``
    that is neither goes to :func:`download_checkpoint` (``revision``: a Hub branch, tag or
    commit).

    Raises:
        FileNotFoundError: naming the argument and the shipped names when there is no such
            folder, the Hub cannot serve it, or the folder holds no saved policy (naming the
            missing files).
    """
    path = find_checkpoint(path_or_name)
    if path is None and is_hub_repo_id(path_or_name):
        path = download_checkpoint(str(path_or_name), revision)
    if path is None:
        raise FileNotFoundError(
            f"{str(path_or_name)!r} is neither a folder, a shipped checkpoint nor a Hub repo id "
            f"(owner/name); shipped checkpoints: {shipped_checkpoints()}"
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
