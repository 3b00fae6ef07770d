"""vla: a vision-language-action model for browsers, desktops and simulated robots.

``import vla`` is cheap: the model, envs and controllers load on first use. Its one side effect
is a finder on ``sys.meta_path`` that registers the VLA classes with transformers' Auto classes
when transformers loads them (:mod:`vla._auto_hook`), so ``AutoConfig`` / ``AutoModel`` /
``AutoProcessor`` load VLA checkpoints after ``import vla``. ``vla.Policy`` is the entry point for
acting; ``vla.actions`` is the action language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vla import _auto_hook

__version__ = "0.1.0"
__all__ = ["Policy", "__version__", "actions"]

if TYPE_CHECKING:
    from vla.policy import Policy


_auto_hook.install()


def __getattr__(name: str) -> Any:
    if name == "Policy":
        from vla.policy import Policy

        return Policy
    if name == "actions":
        import vla.actions

        return vla.actions
    raise AttributeError(f"module 'vla' has no attribute {name!r}")
