"""Fixtures for the training and evaluation tests. ``vla_training_fakes`` (a tiny env and a
scripted policy) is importable by name, also from vector-env worker processes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Training and decoding under a loaded CI machine are far faster on one thread."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def fake_env_id() -> str:
    import vla_training_fakes

    vla_training_fakes.register()
    return vla_training_fakes.ENV_ID
