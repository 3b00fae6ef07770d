"""Registers the VLA classes with transformers' Auto classes when transformers loads them, so
that ``AutoConfig`` / ``AutoModel`` / ``AutoProcessor`` work after a bare ``import vla``.

Why a hook and not an import: ``import vla`` must stay cheap (it imports neither torch nor
transformers; docs/model.md has the measured times), and registering needs both. So
``import vla`` puts one finder on ``sys.meta_path``. It only looks at ``transformers.*`` imports,
counts those in progress, and once ``transformers.models.auto`` is loaded and no transformers
import is half done, imports :mod:`vla.model` (whose import registers the classes) and removes
itself. Waiting for the count to reach zero matters: transformers loads its auto package from
inside ``modeling_utils``, where importing the VLA model would meet a half-initialised module.
"""

from __future__ import annotations

import _thread  # threading would double the cost of `import vla`; a lock is all we need
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importlib.abc and friends cost more than the rest of `import vla`
    import types
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec

__all__ = ["install"]

#: Loaded by every Auto class; its arrival means someone is about to use them.
_TRIGGER = "transformers.models.auto"


def _is_transformers(name: str) -> bool:
    return name == "transformers" or name.startswith("transformers.")


class _CountingLoader:
    """Wraps a transformers module's loader: counts the import while it runs, then asks the
    hook whether registering is safe now. The module keeps its real loader."""

    def __init__(self, loader: Any, hook: _RegisterHook) -> None:
        self._loader = loader
        self._hook = hook

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: types.ModuleType) -> None:
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._hook.enter()
        try:
            self._loader.exec_module(module)
        finally:
            self._hook.leave()
        self._hook.maybe_register()

    def __getattr__(self, name: str) -> Any:  # get_source, is_package, ... of the real loader
        return getattr(self._loader, name)


class _RegisterHook:
    def __init__(self) -> None:
        self._lock = _thread.allocate_lock()
        self._depth = 0
        self._done = False

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> ModuleSpec | None:
        if self._done or not _is_transformers(fullname):
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _CountingLoader(spec.loader, self)
        return spec  # type: ignore[no-any-return]

    def enter(self) -> None:
        with self._lock:
            self._depth += 1

    def leave(self) -> None:
        with self._lock:
            self._depth -= 1

    def maybe_register(self) -> None:
        with self._lock:
            if self._done or self._depth or _TRIGGER not in sys.modules:
                return
            self._done = True
        uninstall()
        # vla.model registers at the end of its own import; if that import is under way (it
        # is what loaded transformers), it will register when it finishes.
        if "vla.model" not in sys.modules:
            import vla.model  # noqa: F401


def install() -> None:
    """Arrange the registration (idempotent). Called by ``import vla``.

    When transformers' Auto classes are already loaded, registers at once.
    """
    if any(isinstance(f, _RegisterHook) for f in sys.meta_path):
        return
    if _TRIGGER in sys.modules:
        import vla.model  # noqa: F401 - transformers is loaded already, so this costs little

        return
    sys.meta_path.insert(0, _RegisterHook())


def uninstall() -> None:
    """Remove the finder (after it fired, or for a test)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _RegisterHook)]
