"""Package discovery for the design card's layout.

The repository keeps ``envs/``, ``controllers/`` and ``datasets/`` at the top level, but they
install as ``vla.envs``, ``vla.controllers`` and ``vla.datasets``. No top-level module with
those names is ever installed: it would shadow the PyPI package ``envs`` and Hugging Face's
``datasets``. Everything else lives in pyproject.toml.
"""

from setuptools import find_packages, setup

PACKAGE_DIRS = {
    "vla": "vla",
    "vla.envs": "envs",
    "vla.controllers": "controllers",
    "vla.datasets": "datasets",
}


def _packages() -> list[str]:
    packages = []
    for name, folder in PACKAGE_DIRS.items():
        packages.append(name)
        packages += [f"{name}.{sub}" for sub in find_packages(folder)]
    return packages


setup(packages=_packages(), package_dir=PACKAGE_DIRS)
