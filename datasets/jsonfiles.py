"""Reading the JSON metadata of a dataset (``meta/info.json``, ``meta/vla/episodes.jsonl``, ...).

The lowest module of ``vla.datasets`` besides :mod:`~vla.datasets.format`: the writer, the
reader, the statistics and the verifier all read through it, and it imports none of them.
A corrupt file is a ``ValueError`` whose one-line message names the file and the line, never a
bare ``JSONDecodeError``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["read_json", "read_jsonl"]


def read_json(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``.

    Raises:
        FileNotFoundError: when ``path`` is missing.
        ValueError: naming ``path`` when it is not valid UTF-8 JSON or not an object.
    """
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(
            f"{path} is corrupt (not valid JSON: {err}); restore or delete it"
        ) from None
    if not isinstance(value, dict):
        raise ValueError(f"{path} is corrupt: expected a JSON object, got {type(value).__name__}")
    return value


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON-lines file, one per non-empty line (a missing file is empty).

    Raises:
        ValueError: naming ``path`` and the line number of the first line that is not a JSON
            object.
    """
    path = Path(path)
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is corrupt (not UTF-8: {err})") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(
                f"{path} is corrupt at line {number} (not valid JSON: {err})"
            ) from None
        if not isinstance(row, dict):
            raise ValueError(f"{path} is corrupt at line {number}: expected a JSON object")
        rows.append(row)
    return rows
