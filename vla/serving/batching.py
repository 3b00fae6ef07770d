"""Dynamic batching: requests from many connections become one ``Policy.act_batch`` call.

The :class:`Batcher` lives on the server's event loop. Each batch is run in one worker thread so
that the loop keeps reading, validating and answering while the model computes; requests that
arrive meanwhile wait in a bounded queue and form the next batch.

Gathering rule: a batch starts with whatever is queued (up to ``max_batch``). It then waits for
more for at most ``max_wait_s``, but only while some open connection has no request pending:
when every connected client already has a request in the batch, nobody can add to it and
waiting would only add latency (so a lone client never pays ``max_wait_s``).
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from vla.serving.wire import Request, WireError

__all__ = ["Batcher", "Result"]


@dataclass(frozen=True)
class Result:
    """What a request gets back: the action (or the error text) and the server-side timings."""

    action: Any  # a vla.actions action, or None with an error
    error: str | None
    queue_ms: float  # from submit to the start of its batch
    infer_ms: float  # wall time of the act_batch call that served it
    batch_size: int


@dataclass
class _Item:
    request: Request
    conn: int
    future: asyncio.Future
    submitted: float = field(default_factory=time.perf_counter)


class Batcher:
    """Queues validated requests and serves them in batches.

    Args:
        act_batch: ``Policy.act_batch``-like: lists of images, instructions, states, spaces
            (and the keyword ``histories``) -> list of actions. Called in one worker thread,
            one batch at a time.
        max_batch: most requests per call (>= 1).
        max_wait_s: longest time a batch waits for more requests (>= 0).
        max_queue: most requests waiting; :meth:`submit` blocks beyond that (backpressure).
        log: called with ``(event, **fields)`` once per batch.
    """

    def __init__(
        self,
        act_batch: Callable[..., list[Any]],
        max_batch: int,
        max_wait_s: float,
        max_queue: int,
        log: Callable[..., None],
    ) -> None:
        self._act_batch = act_batch
        self.max_batch, self.max_wait_s = max_batch, max_wait_s
        self._log = log
        self._queue: collections.deque[_Item] = collections.deque()
        self._space = asyncio.Semaphore(max_queue)
        self._arrived = asyncio.Event()
        self._open: set[int] = set()
        self._pending: collections.Counter[int] = collections.Counter()
        self._closed = False
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="vla-serve-model")
        self.batches = 0
        self.served = 0

    # ----------------------------------------------------------------- connections

    def connect(self, conn: int) -> None:
        self._open.add(conn)

    def disconnect(self, conn: int) -> None:
        self._open.discard(conn)

    @property
    def queued(self) -> int:
        return len(self._queue)

    # --------------------------------------------------------------------- requests

    async def submit(self, request: Request, conn: int) -> asyncio.Future:
        """Queue ``request``; waits while the queue is full. The future resolves to a :class:`Result`.

        Raises :class:`WireError` (field ``server``) once :meth:`close` was called.
        """
        await self._space.acquire()
        if self._closed:
            self._space.release()
            raise WireError("server", "shutting down; no new requests are accepted")
        item = _Item(request, conn, asyncio.get_running_loop().create_future())
        self._pending[conn] += 1
        item.future.add_done_callback(lambda _f: self._done(conn))
        self._queue.append(item)
        self._arrived.set()
        return item.future

    def _done(self, conn: int) -> None:
        self._pending[conn] -= 1
        if self._pending[conn] <= 0:
            del self._pending[conn]

    def close(self) -> None:
        """Accept no more requests; :meth:`run` returns once the queue is served."""
        self._closed = True
        self._arrived.set()

    # ------------------------------------------------------------------------ loop

    async def run(self) -> None:
        """Serve batches until :meth:`close` was called and nothing is queued."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                items = self._take(self.max_batch)
                if not items:
                    if self._closed:
                        return
                    self._arrived.clear()
                    await self._arrived.wait()
                    continue
                items += await self._gather(self.max_batch - len(items))
                items = [i for i in items if not i.future.done()]  # timed out or cancelled
                if items:
                    await self._serve(loop, items)
        finally:
            self._executor.shutdown(wait=True)

    def _take(self, n: int) -> list[_Item]:
        out: list[_Item] = []
        while self._queue and len(out) < n:
            out.append(self._queue.popleft())
            self._space.release()
        return out

    async def _gather(self, room: int) -> list[_Item]:
        out: list[_Item] = []
        deadline = time.perf_counter() + self.max_wait_s
        while room > len(out) and not self._closed and self._someone_idle():
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            self._arrived.clear()
            try:  # waiting on an Event loses nothing when the wait times out
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                break
            out += self._take(room - len(out))
        return out

    def _someone_idle(self) -> bool:
        return any(c not in self._pending for c in self._open)

    async def _serve(self, loop: asyncio.AbstractEventLoop, items: list[_Item]) -> None:
        started = time.perf_counter()
        outcomes = await loop.run_in_executor(self._executor, self._run, [i.request for i in items])
        infer_ms = (time.perf_counter() - started) * 1000
        done = time.perf_counter()
        for item, (action, error) in zip(items, outcomes, strict=True):
            if not item.future.done():
                queue_ms = (started - item.submitted) * 1000
                item.future.set_result(Result(action, error, queue_ms, infer_ms, len(items)))
        self.batches += 1
        self.served += len(items)
        self._log(
            "batch",
            batch_size=len(items),
            infer_ms=round(infer_ms, 2),
            latency_ms=[round((done - i.submitted) * 1000, 2) for i in items],
        )

    def _run(self, requests: Sequence[Request]) -> list[tuple[Any | None, str | None]]:
        """Worker thread: one act_batch; if it fails, each request alone so that one bad row
        cannot fail its neighbours. Errors go back to their client and to the log."""
        try:
            actions = self._act_batch(
                [r.image for r in requests],
                [r.instruction for r in requests],
                [r.state for r in requests],
                [r.space for r in requests],
                histories=[r.history for r in requests],
                **_views([r.views for r in requests]),
            )
            return [(a, None) for a in actions]
        except Exception as err:
            if len(requests) == 1:
                return [(None, self._model_error(err))]
        return [self._run_one(r) for r in requests]

    def _run_one(self, r: Request) -> tuple[Any | None, str | None]:
        try:
            one = self._act_batch(
                [r.image], [r.instruction], [r.state], [r.space], histories=[r.history],
                **_views([r.views]),
            )  # fmt: skip
            return one[0], None
        except Exception as err:
            return None, self._model_error(err)

    def _model_error(self, err: Exception) -> str:
        # Requests are validated before they are queued, so this is a bug or a device failure:
        # the client gets the reason and the log keeps it; the server keeps serving others.
        self._log("model_error", error=f"{type(err).__name__}: {err}")
        return f"model: {type(err).__name__}: {err}"


def _views(views: list[Any]) -> dict[str, Any]:
    """``views=`` for ``act_batch`` when a request carries camera views (else nothing, so an
    ``act_batch`` of a policy without views is called as before)."""
    return {"views": views} if any(v is not None for v in views) else {}
