"""``vla serve``: a policy as a websocket service with dynamic batching (docs/serving.md).

```
vla serve --policy vla-browser-tiny                          # ws://127.0.0.1:8000, loopback only
vla serve --policy runs/my-policy --host 0.0.0.0 --port 8000 --token "$VLA_SERVE_TOKEN"
```
"""

from __future__ import annotations

import logging
import sys

import click


@click.command("serve")
@click.option("--policy", required=True, help="Checkpoint folder or shipped checkpoint name.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=int, default=8000, show_default=True, help="TCP port (0: any).")
@click.option("--token", default=None, envvar="VLA_SERVE_TOKEN",
              help="Shared secret (or $VLA_SERVE_TOKEN); required beyond loopback.")  # fmt: skip
@click.option("--max-batch", type=int, default=16, show_default=True, help="Requests per batch.")
@click.option("--max-wait-ms", type=float, default=5.0, show_default=True,
              help="Longest a batch waits for more requests.")  # fmt: skip
@click.option("--max-queue", type=int, default=256, show_default=True,
              help="Queued requests before the server stops reading.")  # fmt: skip
@click.option("--request-timeout-s", type=float, default=30.0, show_default=True,
              help="Reply with an error after this long.")  # fmt: skip
@click.option("--max-message-bytes", type=int, default=8 * 2**20, show_default=True,
              help="Larger messages are refused.")  # fmt: skip
@click.option("--device", default=None, help="torch device (default: CUDA if available).")
@click.option("--threads", type=int, default=0, show_default=True,
              help="torch CPU threads (0: torch's default); 1 beside browsers on a small machine.")  # fmt: skip
@click.option("--compile", type=click.Choice(["auto", "on", "off"]), default="auto",
              show_default=True, help="torch.compile the vision tower (auto: on CUDA).")  # fmt: skip
def serve(**kwargs) -> None:
    """Serve a policy over websockets (msgpack + numpy) until SIGTERM or Ctrl+C.

    Logs are JSON lines on stderr: listening (with the port), connect, batch (batch_size,
    infer_ms, latency_ms), disconnect, shutdown.
    """
    from vla.serving import ServeConfig
    from vla.serving import serve as run_server

    try:
        cfg = ServeConfig(**kwargs)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("vla.serving")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        run_server(cfg)
    except (FileNotFoundError, ImportError) as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:  # e.g. the port is taken
        raise click.ClickException(f"cannot serve on {cfg.host}:{cfg.port}: {e}") from None
