"""The layout contract: the project installs under one namespace and shadows nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_subpackages_import_under_vla() -> None:
    import vla
    import vla.controllers
    import vla.datasets
    import vla.envs

    assert Path(vla.envs.__file__).parent == ROOT / "envs"
    assert Path(vla.controllers.__file__).parent == ROOT / "controllers"
    assert Path(vla.datasets.__file__).parent == ROOT / "datasets"


@pytest.mark.parametrize("name", ["envs", "controllers", "datasets"])
def test_no_top_level_shadow_modules(name: str, tmp_path: Path) -> None:
    # Outside the checkout only what is installed is importable: none of our folders may be
    # installed as a top-level module (`envs` may exist only as the unrelated PyPI package).
    code = f"import importlib.util as u; s = u.find_spec({name!r}); print(s.origin if s else None)"
    origin = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert origin == "None" or not Path(origin).is_relative_to(ROOT / name), origin


def test_import_datasets_is_hugging_face() -> None:
    # Run from the repo root, where a stray top-level `datasets/` would win on sys.path.
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import datasets; print(datasets.__file__); print(datasets.load_dataset.__module__)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "site-packages" in out[0], out
    assert out[1].startswith("datasets."), out


def test_import_vla_is_cheap_and_side_effect_free() -> None:
    code = "import sys, vla; heavy = [m for m in ('torch', 'playwright', 'pybullet', 'gymnasium') if m in sys.modules]; print(heavy)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_cli_help_and_version() -> None:
    from click.testing import CliRunner

    from vla import __version__
    from vla.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0 and "Usage: " in result.output
