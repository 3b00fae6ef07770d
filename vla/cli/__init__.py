"""The ``vla`` command line. Each subcommand lives in its own module and is imported only when
it runs, so ``vla --help`` stays fast. Subcommands are thin: they parse arguments into a config
and call a library function that Python users can call with the same config."""

from __future__ import annotations

import importlib
import importlib.util

import click

from vla import __version__

# name -> (module, attribute, one-line help). A subcommand appears once its module exists.
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "tasks": (
        "vla.cli.tasks",
        "tasks",
        "List registered envs, their domain and whether an expert exists.",
    ),
    "collect": (
        "vla.cli.collect",
        "collect",
        "Run scripted experts in parallel and record a dataset.",
    ),
    "dataset": ("vla.cli.dataset", "dataset", "Inspect, verify, view and merge datasets."),
    "train": ("vla.cli.train", "train", "Train a VLA on one or more datasets."),
    "eval": ("vla.cli.eval", "eval_", "Evaluate a policy in closed loop and write a report."),
    "compare": (
        "vla.cli.compare",
        "compare",
        "Compare two evaluations task by task: which changes beat noise.",
    ),
    "run": ("vla.cli.run", "run", "Run one live episode with a policy, printing each action."),
    "demo": ("vla.cli.demo", "demo", "Run the shipped checkpoints on browser and robot tasks."),
    "serve": ("vla.cli.serve", "serve", "Serve a policy over websockets (msgpack), with batching."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [n for n, (mod, _, _) in SUBCOMMANDS.items() if importlib.util.find_spec(mod)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return None
        module, attr, _ = SUBCOMMANDS[cmd_name]
        if importlib.util.find_spec(module) is None:
            return None
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Use the table's one-liners so that `vla --help` imports no subcommand (torch, etc.).
        rows = [(name, SUBCOMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vla")
def main() -> None:
    """vla: see pixels, read an instruction, act in a browser, a desktop or a simulated robot."""


if __name__ == "__main__":  # pragma: no cover
    main()
