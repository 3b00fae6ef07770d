"""One-line errors for the command line, and the checks that run before any episode starts.

A command that meets bad input prints ``Error: <problem>; <fix>`` on stderr and exits with 2
(a usage error, as click does) instead of a traceback or a usage block.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

import click

__all__ = [
    "OneLineError",
    "check_display",
    "check_env_ids",
    "check_record",
    "json_object",
    "load_policy_or_fail",
]


class OneLineError(click.UsageError):
    """A usage error shown as the single line ``Error: <message>`` (exit code 2)."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file or sys.stderr)


def json_object(value: str, flag: str) -> dict[str, Any]:
    """``value`` parsed as a JSON object, else a one-line error naming ``flag``."""
    try:
        out = json.loads(value)
    except json.JSONDecodeError:
        out = None
    if not isinstance(out, dict):
        raise OneLineError(
            f"{flag} takes a JSON object such as '{{\"image_size\": 80}}', not {value!r}"
        )
    return out


def check_env_ids(env_ids: list[str], env_kwargs: dict[str, Any] | None = None) -> None:
    """Every env id resolves (:func:`vla.envs.make.check_spec`) and takes ``env_kwargs``
    (:func:`vla.envs.make.check_kwargs`), before anything is built."""
    from vla.envs.make import check_kwargs, check_spec

    for env_id in env_ids:
        try:
            check_spec(env_id)
            check_kwargs(env_id, env_kwargs or {})
        except ValueError as e:
            raise OneLineError(str(e)) from None


#: Desktop envs that start their own X server (Xvfb) and so need no ``$DISPLAY``.
OWN_DISPLAY = ("vla/desktop-miniwob-", "vla/desktop-locate-miniwob-")


def needs_display(env_id: str, env_kwargs: dict[str, Any]) -> bool:
    """The real-screen desktop env, and a browser shown in a window (``headless=False``), need
    an X display; the desktop suite's envs bring their own (:data:`OWN_DISPLAY`)."""
    if env_id.startswith(OWN_DISPLAY):
        return False
    return env_id.startswith("vla/desktop") or env_kwargs.get("headless") is False


def check_display(what: str) -> None:
    """On Linux, ``$DISPLAY`` must be set for ``what`` (e.g. ``--desktop``)."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        raise OneLineError(
            f"{what} needs an X display and $DISPLAY is not set; run the command under "
            "`xvfb-run -a ...` or set DISPLAY"
        )


def check_record(path: str | None) -> None:
    """``--record`` must end in .gif or .mp4, and .mp4 needs the ``video`` extra."""
    if path is None:
        return
    suffix = Path(path).suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise OneLineError(f"--record must end in .gif or .mp4; got {path!r}")
    if suffix == ".mp4" and (
        importlib.util.find_spec("imageio") is None
        or importlib.util.find_spec("imageio_ffmpeg") is None
    ):
        raise OneLineError(
            f"--record {path} needs imageio and imageio-ffmpeg; pip install -e '.[video]' "
            "(or record a .gif)"
        )


def load_policy_or_fail(spec: str, device: str | None) -> Any:
    """:func:`vla.rollout.load_policy`, with a missing or broken checkpoint as one line."""
    from vla.rollout.agents import load_policy

    try:
        return load_policy(spec, device=device)
    except (FileNotFoundError, ValueError) as e:
        raise OneLineError(f"--policy: {e}") from None


def check_execution(policy: Any, execution: Any) -> None:
    """One ``Error:`` line when ``policy`` cannot run ``execution`` (a
    :class:`~vla.rollout.chunk_execution.ChunkExecution`): no chunks, or chunks shorter than
    its receding horizon."""
    from vla.rollout.agents import PolicyAgent

    try:
        PolicyAgent(policy, None, execution)
    except ValueError as err:
        raise OneLineError(str(err)) from None
