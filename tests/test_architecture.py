"""The architecture, executable: docs/architecture.md draws the layers; this test holds the code
to them.

Every project module (``vla/``, ``envs/``, ``controllers/``, ``datasets/``, under the import
names that setup.py maps them to) is parsed with ``ast``; every ``import`` counts, also the ones
inside functions (they load lazily, but they are still a dependency). It checks:

1. no import cycle between files;
2. no cycle between layers (``vla.model``, ``vla.training``, ``vla.evaluation``, ...);
3. the dependency rules of docs/architecture.md (``RULES``, below);
4. no file over 400 lines and no function over 60.

A violation that exists today and is being fixed elsewhere is listed in ``KNOWN_EXCEPTIONS``;
anything else fails. An exception that no longer applies fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60

#: The top-level package is a facade: ``from vla import Policy`` loads ``vla.policy`` lazily, so
#: it counts as importing ``vla.policy``. ``vla.__version__`` is metadata; any layer may read it.
ROOT_EXPORTS = {"Policy": "vla.policy", "actions": "vla.actions"}


@dataclass(frozen=True)
class Rule:
    """What the modules of ``layer`` may import of the project: ``only`` these layers (a
    whitelist), or anything ``never`` names. The layer itself and the ``vla`` root are always
    allowed."""

    layer: str
    why: str
    only: frozenset[str] | None = None
    never: frozenset[str] = frozenset()


def _only(*layers: str) -> frozenset[str]:
    return frozenset(layers)


RULES = [
    Rule("vla.actions", "the action language imports nothing of the project", only=_only()),
    Rule("vla.hub", "checkpoint lookup is the lowest module; everyone may use it", only=_only()),
    Rule(
        "vla.render",
        "drawing actions on frames; controllers use it, so it stays as low as they are",
        only=_only("vla.actions"),
    ),
    Rule(
        "vla.controllers",
        "a controller executes actions; it knows no model, env or dataset",
        only=_only("vla.actions", "vla.render"),
    ),
    Rule(
        "vla.envs",
        "envs drive controllers, never the model",
        only=_only("vla.actions", "vla.controllers"),
    ),
    Rule(
        "vla.datasets",
        "datasets store typed actions recorded from envs (through the rollout loop), never "
        "token ids",
        only=_only("vla.actions", "vla.envs", "vla.rollout"),
    ),
    Rule(
        "vla.rollout",
        "the episode loops drive envs; a policy (local or remote) is loaded lazily, by name",
        only=_only("vla.actions", "vla.envs", "vla.render", "vla.policy", "vla.serving", "vla.hub"),
    ),
    Rule(
        "vla.model",
        "the model, tokenizer and processor: torch, transformers and the action language",
        only=_only("vla.actions"),
    ),
    Rule(
        "vla.policy",
        "the policy joins model, processor and tokenizer",
        only=_only("vla.actions", "vla.hub", "vla.model"),
    ),
    Rule(
        "vla.serving",
        "the policy server and its client: a policy behind a socket, nothing of envs or data",
        only=_only("vla.actions", "vla.policy", "vla.hub"),
    ),
    Rule("vla.training", "releasing comes after training", never=_only("vla.release", "vla.cli")),
    Rule(
        "vla.evaluation",
        "releasing comes after evaluation; envs are built by vla.envs, not by datasets",
        never=_only("vla.release", "vla.cli", "vla.datasets", "vla.training"),
    ),
]
#: Who may import these layers at all (everything else must not).
IMPORTED_ONLY_BY = {
    "vla.release": {"vla.cli"},  # releasing is the last step; only the CLI drives it
    "vla.cli": {"vla.__main__"},  # the CLI joins everything; nothing joins the CLI
}
#: Third-party packages ``vla.render`` may use: it must stay importable by a controller.
RENDER_THIRD_PARTY = {"numpy", "PIL", "imageio"}  # imageio: only when writing GIF/MP4 files

#: Violations tolerated while being fixed, each with the work that removes it beside it (empty
#: since issue 17 landed: keep it so). Keys are modules (file size) or
#: ``module:qualified.function`` (function size); values are the lines counted when listed.
KNOWN_EXCEPTIONS: dict[str, int] = {}


# ----------------------------------------------------------------------------- the graph


def _package_dirs() -> dict[str, str]:
    """setup.py's ``PACKAGE_DIRS`` (import name -> folder), read without running setup()."""
    tree = ast.parse((REPO / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PACKAGE_DIRS":
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py defines no PACKAGE_DIRS")


@cache
def modules() -> dict[str, Path]:
    """Every project module by import name, e.g. ``vla.datasets.writer`` -> datasets/writer.py."""
    dirs = _package_dirs()
    found: dict[str, Path] = {}
    for package, folder in dirs.items():
        others = [REPO / f for p, f in dirs.items() if p != package]
        for path in sorted((REPO / folder).rglob("*.py")):
            if any(path.is_relative_to(o) for o in others) or ".venv" in path.parts:
                continue
            parts = list(path.relative_to(REPO / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def _owner(name: str) -> str | None:
    """The project module that ``import name`` loads: the longest known prefix."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        return {t for a in node.names if a.name.startswith("vla") and (t := _owner(a.name))}
    base = node.module or ""
    if node.level:  # relative: resolve against the importing module's package
        package = module if modules()[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}".rstrip(".")
    if base != "vla" and not base.startswith("vla."):
        return set()
    out = set()
    for alias in node.names:
        if base == "vla" and alias.name in ROOT_EXPORTS:
            out.add(ROOT_EXPORTS[alias.name])
        elif f"{base}.{alias.name}" in modules():  # `from pkg import submodule`
            out.add(f"{base}.{alias.name}")
        elif owner := _owner(base):
            out.add(owner)
    return out


@cache
def imports() -> dict[str, frozenset[str]]:
    """Module -> the project modules it imports (anywhere in the file, not only at the top)."""
    graph = {}
    for module, path in modules().items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found |= _targets(module, node)
        graph[module] = frozenset(found - {module})
    return graph


def layer(module: str) -> str:
    """``vla.datasets.experts.panda`` -> ``vla.datasets``; ``vla.policy`` -> itself."""
    return ".".join(module.split(".")[:2])


def _cycles(graph: dict[str, set[str]] | dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


# ----------------------------------------------------------------------------- the checks


def test_the_scan_sees_the_whole_project():
    mods = modules()
    for expected in ("vla.actions", "vla.policy", "vla.envs", "vla.controllers.playwright"):
        assert expected in mods
    assert "vla.datasets.writer" in imports()["vla.datasets.collect"]
    # a function-level import counts: the rollout loads a policy only when asked to
    assert "vla.policy" in imports()["vla.rollout.agents"]


def test_no_import_cycle_between_files():
    assert _cycles(imports()) == []


def test_no_import_cycle_between_layers():
    layers: dict[str, set[str]] = {}
    for module, targets in imports().items():
        layers.setdefault(layer(module), set()).update(
            layer(t) for t in targets if layer(t) != layer(module)
        )
    assert _cycles(layers) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.layer)
def test_dependency_rule(rule: Rule):
    bad = []
    for module, targets in imports().items():
        if layer(module) != rule.layer:
            continue
        for target in sorted(targets):
            to = layer(target)
            if to in (rule.layer, "vla"):
                continue
            if (rule.only is not None and to not in rule.only) or to in rule.never:
                bad.append(f"{module} imports {target}")
    assert not bad, f"{rule.layer}: {rule.why}; but\n" + "\n".join(bad)


@pytest.mark.parametrize("target", sorted(IMPORTED_ONLY_BY))
def test_layers_that_only_some_may_import(target: str):
    allowed = IMPORTED_ONLY_BY[target] | {target}
    bad = [
        f"{module} imports {t}"
        for module, targets in imports().items()
        for t in sorted(targets)
        if layer(t) == target and layer(module) not in allowed
    ]
    assert not bad, f"only {sorted(allowed)} may import {target}; but\n" + "\n".join(bad)


def test_render_uses_only_light_third_party_packages():
    tree = ast.parse(modules()["vla.render"].read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    third_party = {
        top
        for name in names
        if (top := name.split(".")[0]) not in sys.stdlib_module_names and top != "vla"
    }
    assert third_party <= RENDER_THIRD_PARTY, third_party - RENDER_THIRD_PARTY


def _sizes() -> dict[str, int]:
    """Lines of every file over the limit and of every function over the limit."""
    over = {}
    for module, path in modules().items():
        text = path.read_text()
        if len(text.splitlines()) > MAX_FILE_LINES:
            over[module] = len(text.splitlines())
        for name, lines in _functions(ast.parse(text)):
            if lines > MAX_FUNCTION_LINES:
                over[f"{module}:{name}"] = lines
    return over


def _functions(node: ast.AST, prefix: str = "") -> list[tuple[str, int]]:
    """(qualified name, lines from ``def`` to its last line) of every function, nested too.
    The docstring does not count: it is the spec of the function, not its body."""
    out = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                lines = child.end_lineno - child.lineno + 1  # type: ignore[operator]
                first = child.body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    lines -= first.end_lineno - first.lineno + 1  # type: ignore[operator]
                out.append((name, lines))
            out += _functions(child, f"{name}.")
        else:
            out += _functions(child, prefix)
    return out


def test_no_file_over_400_lines_and_no_function_over_60():
    over = _sizes()
    new = {k: v for k, v in over.items() if k not in KNOWN_EXCEPTIONS}
    assert not new, (
        f"over {MAX_FILE_LINES} lines per file / {MAX_FUNCTION_LINES} per function: {new}"
    )


def test_known_exceptions_still_apply():
    """A fixed exception is removed from the list (and may not grow meanwhile)."""
    over = _sizes()
    stale = sorted(k for k in KNOWN_EXCEPTIONS if k not in over)
    assert not stale, f"no longer over the limit; remove from KNOWN_EXCEPTIONS: {stale}"
    grown = {k: over[k] for k in KNOWN_EXCEPTIONS if over[k] > KNOWN_EXCEPTIONS[k]}
    assert not grown, f"known exceptions that grew (lines now): {grown}"
