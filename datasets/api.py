"""The public names of :mod:`vla.datasets` (re-exported by its ``__init__``)."""

from __future__ import annotations

import importlib
from typing import Any

from vla.datasets.experts import Expert, has_expert, make_expert, register_expert

# `collect`, `merge` and `verify` are both submodules and functions of vla.datasets. Importing
# those (light: numpy and the standard library only) submodules here, before the package
# re-exports this namespace, makes the package attributes the functions for good; a lazy
# import would let the import system overwrite them with the submodules later.
from vla.datasets.collect import CollectConfig, CollectResult, collect  # isort: skip
from vla.datasets.merge import MergeResult, merge  # isort: skip
from vla.datasets.verify import VerifyReport, verify  # isort: skip

# Only names that are already loaded belong in __all__: the package's `from api import *`
# fetches every name listed, which would import torch and pyarrow for the lazy ones.
__all__ = [
    "CollectConfig",
    "CollectResult",
    "Expert",
    "MergeResult",
    "VerifyReport",
    "collect",
    "has_expert",
    "make_expert",
    "merge",
    "register_expert",
    "verify",
]

# Heavy names (pyarrow, torch, gymnasium wrappers) load on first use: name -> module.
# `from vla.datasets import EpisodeDataset` works through __getattr__ below.
_LAZY: dict[str, str] = {
    # The env factory and the observation contract live in vla.envs (vla.envs.make,
    # vla.envs.ContractWrapper); these names stay importable from here.
    "ContractWrapper": "vla.envs.contract",
    "check_observation": "vla.envs.contract",
    "make_env": "vla.envs.make",
    "run_episode": "vla.datasets.recording",
    "DatasetWriter": "vla.datasets.writer",
    "EpisodeRecord": "vla.datasets.writer",
    "build_episode": "vla.datasets.writer",
    "EpisodeDataset": "vla.datasets.reader",
    "ShuffleSampler": "vla.datasets.reader",
    "collate": "vla.datasets.reader",
    "read_episodes": "vla.datasets.reader",
    "load_episode": "vla.datasets.reader",
    "read_info": "vla.datasets.reader",
    "compute_stats": "vla.datasets.stats",
    "load_stats": "vla.datasets.stats",
}


_RENAMED = {"make_env": "make"}  # name here -> name in its module


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), _RENAMED.get(name, name))
    raise AttributeError(f"module 'vla.datasets' has no attribute {name!r}")
