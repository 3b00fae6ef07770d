"""Scripted experts, episode recording, the on-disk format and loading for training.

``make_expert(env)`` returns a scripted oracle for a registered env. Datasets store typed
actions (:func:`vla.actions.to_dict`), never token ids, so data outlives a tokenizer change.
"""

from __future__ import annotations

import sys

if __name__ != "vla.datasets":  # pragma: no cover - exercised by tests/test_foundation.py
    # Python found this folder as a top-level `datasets` because the repository root is on
    # sys.path (e.g. `python -c ...` run from the checkout). That name belongs to Hugging Face:
    # drop the root from sys.path and hand the module slot to the real package.
    import importlib
    import os

    _root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _root]
    del sys.modules[__name__]
    sys.modules[__name__] = importlib.import_module(__name__)
else:
    from vla.datasets.api import *  # noqa: F403
    from vla.datasets.api import __all__, __getattr__  # noqa: F401
