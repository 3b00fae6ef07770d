"""``vla.envs.make(spec, **kwargs)``: the one way this project builds an env from a name.

``vla run``, ``vla eval`` (also inside vector-env worker processes) and ``vla collect`` all
call it, so an env id that works for one works for all.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import gymnasium as gym

__all__ = [
    "UnknownEnvError",
    "check_kwargs",
    "check_spec",
    "import_module",
    "make",
    "resolve_callable",
    "unknown_env_message",
]


class UnknownEnvError(gym.error.UnregisteredEnv, ValueError):
    """An env id that nothing registered: a gymnasium error, and a ``ValueError`` (bad input)
    whose message names the closest registered ids."""


def import_module(name: str) -> ModuleType:
    """Import ``name``, also from the current working directory when it is not on sys.path.

    A user who runs ``vla eval --env my_task:MyEnv`` next to ``my_task.py`` expects it to be
    found, as ``python -m`` would; console scripts do not put the cwd on sys.path. The module
    is loaded from ``<cwd>/<name>.py`` (or ``<cwd>/<name>/__init__.py``) under its own name.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        top = name.split(".")[0]
        if e.name != top:  # the module exists but one of its own imports is missing
            raise
        cwd = Path(os.getcwd())
        for path in (cwd / f"{top}.py", cwd / top / "__init__.py"):
            if path.is_file():
                break
        else:
            raise
    spec = importlib.util.spec_from_file_location(top, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has one
        raise ModuleNotFoundError(f"cannot load {path}", name=top)
    module = importlib.util.module_from_spec(spec)
    sys.modules[top] = module  # so that pickling (vector-env workers) finds it by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[top]
        raise
    return module if name == top else importlib.import_module(name)


def resolve_callable(spec: str) -> Any:
    """The object named by ``"module:attr"`` (``attr`` may be dotted)."""
    module, _, attr = spec.partition(":")
    if not module or not attr:
        raise ValueError(f"expected 'module:attr'; got {spec!r}")
    obj: Any = import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def check_spec(spec: str) -> None:
    """Raise ``ValueError`` unless :func:`make` can resolve ``spec``, without building the env
    (so that commands fail on a typo before any browser or worker starts)."""
    module, _, name = spec.partition(":")
    if name and "/" not in module:
        try:
            obj: Any = import_module(module)
        except ModuleNotFoundError as e:
            raise ValueError(
                f"env {spec!r}: cannot import module {module!r} ({e}); put {module}.py in the "
                "current directory or on PYTHONPATH"
            ) from None
        for part in name.split("."):
            obj = getattr(obj, part, None)
        if obj is not None or name in gym.registry:
            return
        raise ValueError(
            f"env {spec!r}: module {module!r} has no {name!r} and registers no such id; "
            "name a gymnasium.Env class, a factory or a registered id"
        )
    if spec not in gym.registry:
        raise UnknownEnvError(unknown_env_message(spec))


#: Keywords ``gymnasium.make`` takes itself rather than passing to the env.
_GYM_MAKE_KEYWORDS = {"max_episode_steps", "autoreset", "apply_api_compatibility",
                      "disable_env_checker"}  # fmt: skip


def check_kwargs(spec: str, kwargs: dict[str, Any]) -> None:
    """Raise ``ValueError`` naming the keywords the env takes when ``kwargs`` holds one that
    its constructor (or factory) does not, without building it. An env that takes
    ``**kwargs``, or whose constructor cannot be found without building it, passes."""
    import inspect

    if not kwargs:
        return
    module, _, name = spec.partition(":")
    if name and "/" not in module:
        target: Any = import_module(module)
        for part in name.split("."):
            target = getattr(target, part, None)
    else:
        target = gym.registry[spec].entry_point if spec in gym.registry else None
    if isinstance(target, str):
        target = resolve_callable(target)
    if not callable(target):
        return
    try:
        params = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return
    takes = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    unknown = sorted(set(kwargs) - set(takes) - _GYM_MAKE_KEYWORDS)
    if unknown:
        raise ValueError(
            f"env {spec!r} takes no {', '.join(map(repr, unknown))}; its keywords are "
            f"{', '.join(takes) or 'none'} (fix --env-kwargs)"
        )


def make(spec: str, **kwargs: Any) -> Any:
    """Build an env from a gymnasium id, ``"module:Class"`` or ``"module:factory"``.

    * a gymnasium id (``vla/panda-reach-v0``): ``gymnasium.make(spec, **kwargs)``;
    * ``"module:Class"`` with a ``gymnasium.Env`` subclass: made through ``gymnasium.make``
      with an ``EnvSpec`` whose id is ``spec`` (so wrappers and ``env.spec`` work);
    * ``"module:factory"`` with another callable: ``factory(**kwargs)``, which returns an env;
    * otherwise ``"module:EnvId-v0"``: an id that importing ``module`` registers
      (gymnasium's own syntax).

    ``module`` is also found in the current working directory (see :func:`import_module`).
    The project's ids are registered first. An unknown id raises ``ValueError`` naming the
    closest registered ids.
    """
    module, _, name = spec.partition(":")
    obj = None
    if name and "/" not in module:
        obj = getattr(import_module(module), name.split(".")[0], None)
        for part in name.split(".")[1:]:
            obj = getattr(obj, part, None)
    if isinstance(obj, type) and issubclass(obj, gym.Env):
        env_spec = gym.envs.registration.EnvSpec(id=spec, entry_point=obj, kwargs=kwargs)
        return gym.make(env_spec, disable_env_checker=True)
    if callable(obj):
        return _call_factory(spec, obj, kwargs)
    try:
        return gym.make(spec, disable_env_checker=True, **kwargs)
    except gym.error.UnregisteredEnv:
        raise UnknownEnvError(unknown_env_message(spec)) from None


def _call_factory(spec: str, factory: Any, kwargs: dict[str, Any]) -> Any:
    """``factory(**kwargs)``, refusing with a ValueError arguments it does not take and a
    result that is not a gymnasium env (e.g. ``"json:loads"`` names a callable, not a factory)."""
    import inspect

    try:
        inspect.signature(factory).bind(**kwargs)
    except TypeError as e:
        raise ValueError(
            f"env {spec!r}: {factory!r} cannot be called with {sorted(kwargs)}: {e}; name a "
            "gymnasium.Env class or a factory that takes the env kwargs"
        ) from None
    except ValueError:  # no signature to check (a builtin): let the call say what is wrong
        pass
    try:
        env = factory(**kwargs)
    except TypeError as e:
        raise ValueError(f"env {spec!r}: calling {factory!r} failed: {e}") from None
    if not isinstance(env, gym.Env):
        raise ValueError(
            f"env {spec!r}: the factory returned {type(env).__name__}, not a gymnasium.Env"
        )
    return env


def unknown_env_message(spec: str) -> str:
    """``"unknown env id ...; did you mean ...?"`` with the closest registered ids."""
    close = difflib.get_close_matches(spec, list(gym.registry), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return f"unknown env id {spec!r}; {hint}`vla tasks` lists the registered ids"
