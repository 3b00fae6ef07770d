"""``vla serve``: a :class:`vla.Policy` behind a websocket, with dynamic batching.

```python
from vla.serving import ServeConfig, serve
serve(ServeConfig(policy="vla-browser-tiny", port=8000))      # blocks until SIGTERM / Ctrl+C
```

One connection = one client. The server speaks first (its :func:`metadata`), then answers every
request message with one reply (see :mod:`vla.serving.wire`). A client may send several requests
before reading replies; each reply carries the request's ``id``. Plain HTTP ``GET /healthz``
answers ``{"status": "ok"|"draining", ...}`` and ``GET /metadata`` the metadata as JSON.

Logs are JSON lines on the ``vla.serving`` logger (``{"event": "batch", "batch_size": 4,
"infer_ms": 21.3, "latency_ms": [...]}``, ``listening``, ``connect``, ``disconnect``,
``shutdown``...).
"""

from __future__ import annotations

import asyncio
import hmac
import http
import ipaddress
import itertools
import json
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vla.actions import RobotSpace, UISpace, to_dict
from vla.serving import wire
from vla.serving.batching import Batcher, Result
from vla.serving.wire import Request, WireError, dumps, loads, parse_request, require, space_to_dict

if TYPE_CHECKING:
    from vla.policy import Policy

__all__ = ["PolicyServer", "ServeConfig", "metadata", "serve"]

logger = logging.getLogger("vla.serving")
PROTOCOL_VERSION = 1
_LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True)
class ServeConfig:
    """Settings of ``vla serve``; each is a flag of the same name.

    Args:
        policy: checkpoint folder or shipped checkpoint name (``vla-browser-tiny``).
        host: interface to bind. Anything but loopback needs ``token``.
        port: TCP port; 0 picks a free one (the ``listening`` log line says which).
        token: shared secret; clients send ``Authorization: Bearer <token>``.
        max_batch: most requests per ``act_batch`` call.
        max_wait_ms: longest a batch waits for more requests, in milliseconds.
        max_queue: most requests waiting for the model; beyond it the server stops reading.
        request_timeout_s: a request not answered within this many seconds gets an error.
        max_message_bytes: larger messages are refused (the connection is closed, code 1009).
        device: torch device; ``None`` picks CUDA when available (then bf16, see ``Policy``).
        compile: ``torch.compile`` the vision tower: ``"auto"`` (on CUDA only), ``"on"``, ``"off"``.
        threads: torch CPU threads; 0 keeps torch's default (one per core), which thrashes beside
            browsers on a small machine: 1 there, as ``vla run --threads``.
    """

    policy: str
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    max_batch: int = 16
    max_wait_ms: float = 5.0
    max_queue: int = 256
    request_timeout_s: float = 30.0
    max_message_bytes: int = 8 * 2**20
    device: str | None = None
    compile: str = "auto"
    threads: int = 0

    def __post_init__(self) -> None:
        if not self.policy:
            raise ValueError(f"Got {self.policy!r} for `policy`; it must name a checkpoint")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"Got {self.port} for `port`; it must be in [0, 65535]")
        if self.token is not None and len(self.token) < 8:
            raise ValueError("Got a `token` of fewer than 8 characters; use a longer secret")
        if not _is_loopback(self.host) and not self.token:
            raise ValueError(
                f"Got {self.host!r} for `host` without a `token`: binding beyond loopback "
                "exposes the policy to the network; pass --token"
            )
        bounds = (("max_batch", 1), ("max_queue", 1), ("max_message_bytes", 1024), ("threads", 0))
        for name, low in bounds:
            if getattr(self, name) < low:
                raise ValueError(f"Got {getattr(self, name)} for `{name}`; it must be >= {low}")
        if not 0 <= self.max_wait_ms <= 10_000:
            raise ValueError(f"Got {self.max_wait_ms} for `max_wait_ms`; it must be in [0, 10000]")
        if not self.request_timeout_s > 0:
            raise ValueError(
                f"Got {self.request_timeout_s} for `request_timeout_s`; it must be > 0"
            )
        if self.compile not in ("auto", "on", "off"):
            raise ValueError(f"Got {self.compile!r} for `compile`; it must be auto, on or off")


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(cfg: ServeConfig) -> None:
    """Load the policy, serve it until SIGTERM or SIGINT, then drain and return."""
    require()
    import torch

    from vla.hub import FOCUS_FILE, find_checkpoint
    from vla.policy import Policy

    folder = find_checkpoint(cfg.policy)
    if folder is not None and (folder / FOCUS_FILE).is_file():  # else its locator alone
        raise ValueError(
            f"{cfg.policy} is a two-pass whole-screen policy (focus.json), which vla serve cannot "
            f"serve; serve its actor ({folder / 'actor'}) on cropped pages, or run it locally "
            "with vla run / vla eval"
        )
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    policy = Policy.from_pretrained(cfg.policy, device=cfg.device)
    # Drained and done: a second SIGTERM while the interpreter exits (a supervisor that asks
    # twice, `timeout` signalling its group) must not turn a clean exit into a death by signal.
    asyncio.run(PolicyServer(policy, cfg).run(then_ignore_signals=True))


def metadata(policy: Policy, cfg: ServeConfig) -> dict[str, Any]:
    """What the server sends first on every connection (and on ``GET /metadata``)."""
    import torch

    mc = policy.model.config
    spaces = [space_to_dict(UISpace())]
    if policy.robot_space is not None:
        spaces.append(space_to_dict(policy.robot_space))
    return {
        "server": "vla",
        "protocol": PROTOCOL_VERSION,
        "checkpoint": cfg.policy,
        "model": {
            "model_type": mc.model_type,
            "image_size": list(policy.processor.image_size),
            "num_image_tokens": mc.num_image_tokens,
            "vision": {
                "hidden_size": mc.vision_config.hidden_size,
                "layers": mc.vision_config.num_hidden_layers,
            },
            "text": {
                "hidden_size": mc.text_config.hidden_size,
                "layers": mc.text_config.num_hidden_layers,
            },
            "parameters": sum(p.numel() for p in policy.model.parameters()),
            "coord_bins": mc.coord_bins,
            "value_bins": mc.value_bins,
            "chunk_size": mc.chunk_size,
        },
        "action_spaces": spaces,
        "image_views": list(policy.view_names) or ["image"],
        "state_dim": policy.processor.state_dim,
        "action_history": policy.action_history,
        "device": str(policy.device),
        "threads": torch.get_num_threads(),
        "dtype": str(next(policy.model.parameters()).dtype).removeprefix("torch."),
        "max_batch": cfg.max_batch,
        "max_message_bytes": cfg.max_message_bytes,
    }


class PolicyServer:
    """Serves one :class:`~vla.Policy` over websockets until :meth:`stop` (or SIGTERM).

    ``run()`` binds, logs ``listening`` with the real port, and on stop: closes the listener,
    refuses new requests, serves every request already accepted, sends every computed reply,
    then closes the connections (code 1001) and returns.
    """

    def __init__(self, policy: Policy, cfg: ServeConfig) -> None:
        self.policy, self.cfg = policy, cfg
        _maybe_compile(policy, cfg.compile, cfg.max_batch)
        self.metadata = metadata(policy, cfg)
        self._ids = itertools.count()
        self._replies: set[asyncio.Task] = set()
        self._connections: set[Any] = set()
        self._draining = False
        self._stop: asyncio.Event | None = None
        self.port: int | None = None

    def stop(self) -> None:
        """Begin a graceful shutdown (safe to call from the event loop's thread)."""
        if self._stop is not None:
            self._stop.set()

    async def run(
        self, ready: Callable[[int], None] | None = None, *, then_ignore_signals: bool = False
    ) -> None:
        """Serve until :meth:`stop`, SIGTERM or SIGINT; ``ready(port)`` is called once bound.
        Drained, SIGTERM and SIGINT get their default action back, or with
        ``then_ignore_signals`` are ignored from then on (for a process that is about to exit)."""
        require()
        from websockets.asyncio.server import serve as ws_serve

        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        self.batcher = Batcher(
            self.policy.act_batch,
            self.cfg.max_batch,
            self.cfg.max_wait_ms / 1000,
            self.cfg.max_queue,
            _log,
        )
        batching = asyncio.create_task(self.batcher.run())
        server = await ws_serve(
            self._handle,
            self.cfg.host,
            self.cfg.port,
            process_request=self._http,
            max_size=self.cfg.max_message_bytes,
            compression=None,  # images do not compress; deflate costs milliseconds
        )
        self.port = server.sockets[0].getsockname()[1]
        _log("listening", host=self.cfg.host, port=self.port, checkpoint=self.cfg.policy,
             device=self.metadata["device"], max_batch=self.cfg.max_batch,
             threads=self.metadata["threads"])  # fmt: skip
        if ready is not None:
            ready(self.port)
        await self._stop.wait()
        # Drain: stop accepting, refuse new requests, serve the accepted ones, send every reply.
        _log("shutdown", phase="draining", queued=self.batcher.queued)
        server.close(close_connections=False)
        self._draining = True
        self.batcher.close()
        await batching
        if self._replies:
            await asyncio.wait(set(self._replies))
        # A second Server.close() is a no-op, so the open connections are closed one by one.
        await asyncio.gather(*(ws.close(1001, "server shutting down") for ws in self._connections))
        await server.wait_closed()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)  # restores the default action, which kills
            if then_ignore_signals:  # so ignore it straight away, not after asyncio.run's end
                signal.signal(sig, signal.SIG_IGN)
        _log("shutdown", phase="done", served=self.batcher.served, batches=self.batcher.batches)

    # ---------------------------------------------------------------------- HTTP side

    def _http(self, connection: Any, request: Any) -> Any:
        """``GET /healthz`` (no token needed) and ``GET /metadata``; refuses a wrong token."""
        path = request.path.split("?")[0]
        if path == "/healthz":
            body = {"status": "draining" if self._draining else "ok",
                    "queued": self.batcher.queued, "served": self.batcher.served}  # fmt: skip
            return _json_response(connection, http.HTTPStatus.OK, body)
        if self.cfg.token is not None:
            sent = request.headers.get("Authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {self.cfg.token}".encode()):
                _log("refused", reason="token", remote=str(connection.remote_address))
                return _json_response(
                    connection,
                    http.HTTPStatus.UNAUTHORIZED,
                    {"error": "token: missing or wrong; send 'Authorization: Bearer <token>'"},
                )
        if path == "/metadata":
            return _json_response(connection, http.HTTPStatus.OK, self.metadata)
        if self._draining:
            return _json_response(
                connection, http.HTTPStatus.SERVICE_UNAVAILABLE, {"error": "server: shutting down"}
            )
        return None  # go on with the websocket handshake

    # ------------------------------------------------------------------ websocket side

    async def _handle(self, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        conn = next(self._ids)
        self.batcher.connect(conn)
        self._connections.add(ws)
        _log("connect", conn=conn, remote=str(ws.remote_address))
        try:
            await ws.send(dumps(self.metadata))
            async for raw in ws:
                received = time.perf_counter()
                try:
                    req = self._validate(raw)
                    future = await self.batcher.submit(req, conn)
                except WireError as err:
                    await ws.send(dumps({"id": wire.request_id(raw), "error": str(err)}))
                    continue
                except Exception as err:  # a validation bug must not drop the connection
                    _log("internal_error", conn=conn, error=f"{type(err).__name__}: {err}")
                    problem = f"could not be processed ({type(err).__name__}: {err})"
                    await ws.send(dumps({"id": None, "error": f"message: {problem}"}))
                    continue
                task = asyncio.create_task(self._reply(ws, req, future, received))
                self._replies.add(task)
                task.add_done_callback(self._replies.discard)
        except ConnectionClosed:
            pass
        finally:
            self.batcher.disconnect(conn)
            self._connections.discard(ws)
            _log("disconnect", conn=conn, code=ws.close_code, reason=ws.close_reason or "")

    def _validate(self, raw: Any) -> Request:
        if self._draining:
            raise WireError("server", "shutting down; no new requests are accepted")
        req = parse_request(loads(raw, arrays=False))
        check_compatible(self.policy, req)
        return req

    async def _reply(self, ws: Any, req: Request, future: asyncio.Future, received: float) -> None:
        from websockets.exceptions import ConnectionClosed

        timeout = self.cfg.request_timeout_s
        try:
            result: Result = await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            future.cancel()  # not yet started: the batcher skips it
            msg: dict[str, Any] = {"id": req.id, "error": f"server: no reply within {timeout} s"}
        else:
            if result.error is not None:
                msg = {"id": req.id, "error": result.error}
            else:
                total_ms = (time.perf_counter() - received) * 1000
                msg = {"id": req.id, "action": to_dict(result.action), "timing": {
                    "queue_ms": round(result.queue_ms, 3), "infer_ms": round(result.infer_ms, 3),
                    "total_ms": round(total_ms, 3), "batch_size": result.batch_size}}  # fmt: skip
        try:
            await ws.send(dumps(msg))
        except ConnectionClosed:
            _log("reply_dropped", id=req.id, reason="client closed the connection")


def check_compatible(policy: Policy, req: Request) -> None:
    """Raise :class:`WireError` when a valid request does not fit this policy."""
    state_dim = policy.processor.state_dim
    if req.state is not None and req.state.shape[0] > state_dim:
        raise WireError(
            "state", f"has {req.state.shape[0]} values; this policy takes at most {state_dim}"
        )
    wire.check_views(tuple(policy.view_names), req.views)
    space = req.space
    if space is None and req.state is not None and policy.robot_space is None:
        raise WireError("space", "a state was sent but this policy has no robot action space")
    if isinstance(space, RobotSpace):
        if req.state is None:
            raise WireError("state", f"missing: {space.action} needs the robot state (float32[D])")
        try:
            known = policy.tokenizer.robot_space(space.action)
        except ValueError:
            raise WireError("space", f"this policy has no statistics for {space.action}") from None
        if known.dims != space.dims:
            raise WireError(
                "space", f"has {space.dims} dims; this policy's {space.action} has {known.dims}"
            )


def _json_response(connection: Any, status: http.HTTPStatus, body: dict[str, Any]) -> Any:
    response = connection.respond(status, json.dumps(body) + "\n")
    response.headers["Content-Type"] = "application/json"
    return response


def _log(event: str, **fields: Any) -> None:
    logger.info(json.dumps({"event": event, "time": round(time.time(), 3), **fields}))


def _maybe_compile(policy: Policy, mode: str, max_batch: int) -> None:
    """``torch.compile`` the vision tower: a fixed-size image input whose cost grows with the
    batch, where compilation pays off; the decoder's shapes change every step and stay eager.

    Compiling happens on the first calls, so it is done here, before the server listens: batch
    1, then ``max_batch`` (the second shape makes the graph dynamic in the batch size).
    """
    if mode == "off" or (mode == "auto" and policy.device.type != "cuda"):
        return
    import numpy as np
    import torch

    started = time.perf_counter()
    policy.model.vision_tower = torch.compile(policy.model.vision_tower, dynamic=True)
    image = np.zeros((*policy.processor.image_size, 3), np.uint8)
    for n in sorted({1, max(max_batch, 2)}):
        policy.act_batch([image] * n, ["warm up"] * n)
    _log("compiled", part="vision_tower", seconds=round(time.perf_counter() - started, 1))
