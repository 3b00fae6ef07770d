"""Shared pytest configuration. Area-specific fixtures live in each tests/<area>/conftest.py."""

from __future__ import annotations

import os

# Keep torch from oversubscribing the 2-core CI machine when several tests build models.
os.environ.setdefault("OMP_NUM_THREADS", "2")
