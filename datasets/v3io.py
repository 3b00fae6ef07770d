"""Converting tables between a staged episode, a data file of one :class:`~vla.datasets.v3.Layout`
and a data file of a wider layout (when a dataset gains a camera, a state size or an action
group, its committed files are rewritten to the new columns so that every file has the
columns of ``info.json``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from vla.actions import from_dict
from vla.datasets.v3 import CAMERA_PREFIX, STATE, Layout, decode_action, encode_actions

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["file_layout", "is_staged", "to_v3", "v3_actions"]

_NEXT = ("next.reward", "next.done", "next.terminated", "next.success")


def is_staged(table: pa.Table) -> bool:
    """Whether ``table`` is a staged episode (its ``action`` column is JSON text)."""
    import pyarrow as pa

    return pa.types.is_string(table.schema.field("action").type)


def file_layout(schema: pa.Schema) -> Layout:
    """The layout a data file was written with (``vla`` schema metadata)."""
    meta = (schema.metadata or {}).get(b"vla")
    if meta is None:
        raise ValueError("data file has no `vla` layout metadata (not written by vla)")
    return Layout.from_json(json.loads(meta)["layout"])


def v3_actions(table: pa.Table, layout: Layout) -> list[Any]:
    """The typed actions of every row of a v3 data ``table`` written with ``layout``."""
    names = [c for c in ("action", "action.discrete", "action.mask", "action.text",
                         "action.keys") if c in table.column_names]  # fmt: skip
    cols = {c: table[c].to_pylist() for c in names}
    return [decode_action({c: cols[c][i] for c in names}, layout) for i in range(table.num_rows)]


def to_v3(
    table: pa.Table,
    layout: Layout,
    indexes: dict[str, list[int]] | None = None,
    tasks: dict[str, int] | None = None,
) -> pa.Table:
    """``table`` (staged, or v3 of a narrower layout) with the columns of ``layout``.

    A staged table needs ``indexes`` (``episode_index`` and ``index`` per row) and ``tasks``
    (instruction -> task_index); a v3 table keeps its own. A camera the table lacks is null,
    a shorter or missing state is padded with zeros (``meta/vla/episodes.jsonl`` keeps each
    episode's true ``state_dim``)."""
    import pyarrow as pa

    n = table.num_rows
    staged = is_staged(table)
    if staged:
        actions = [from_dict(json.loads(a)) for a in table["action"].to_pylist()]
        if indexes is None or tasks is None:
            raise ValueError("a staged table needs `indexes` and `tasks`")
        ids = dict(indexes) | {"task_index": [tasks[t] for t in table["instruction"].to_pylist()]}
    else:
        actions = v3_actions(table, file_layout(table.schema))
        ids = {c: table[c].to_pylist() for c in ("episode_index", "index", "task_index")}
    cols: dict[str, Any] = {}
    for name in {} if layout.video else layout.cameras:
        col = CAMERA_PREFIX + name
        cols[col] = table[col] if col in table.column_names else pa.nulls(n, _image_type())
    if layout.state_dim:
        cols[STATE] = _padded_states(table, layout.state_dim).tolist()
    if layout.groups:
        cols |= encode_actions(actions, layout)
    for name in (*_NEXT, "timestamp", "frame_index"):
        cols[name] = table[name]
    cols |= ids
    return pa.Table.from_pydict(cols, schema=layout.arrow_schema())


def _image_type() -> pa.DataType:
    import pyarrow as pa

    return pa.struct([("bytes", pa.binary()), ("path", pa.string())])


def _padded_states(table: pa.Table, dim: int) -> np.ndarray:
    out = np.zeros((table.num_rows, dim), np.float32)
    if STATE not in table.column_names:
        return out
    for i, s in enumerate(table[STATE].to_pylist()):
        if s is not None:
            out[i, : len(s)] = s
    return out
