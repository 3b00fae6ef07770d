"""``RemotePolicy``: the client of ``vla serve``, with the surface of :class:`vla.Policy`.

```python
from vla.serving import RemotePolicy
with RemotePolicy("ws://gpu-host:8000", token="...") as policy:
    action = policy.act(obs["image"], obs["instruction"])     # -> vla.actions.Click(...)
    print(policy.metadata["checkpoint"])
```
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from vla.actions import Action, RobotSpace, UISpace, from_dict, to_dict
from vla.serving.wire import dumps, loads, require, space_from_dict, space_to_dict

__all__ = ["RemotePolicy"]

_INPUT_FIELDS = ("image", "instruction", "state", "space", "id", "history", "views", "message")


class RemotePolicy:
    """A policy served by ``vla serve`` at ``url`` (``ws://host:port``).

    Args:
        url: the server, ``ws://`` or ``wss://``.
        token: the server's ``--token``, if it has one (sent as ``Authorization: Bearer``).
        timeout: seconds to connect, and to wait for the replies of one ``act``/``act_batch``.

    Attributes:
        metadata: what the server sent on connect: ``checkpoint``, ``model`` (config summary),
            ``action_spaces``, ``image_views``, ``state_dim``, ``device``, ``max_batch``...
        robot_space: the server policy's robot action space, or ``None`` (as ``Policy``).
        last_timings: the server's ``timing`` of each reply of the last call, in input order:
            ``queue_ms``, ``infer_ms`` (the ``act_batch`` that served it), ``total_ms`` (receipt
            to reply) and ``batch_size``.

    Raises ``PermissionError`` for a missing or wrong token and ``ConnectionError`` when the
    server cannot be reached. One instance may be shared by threads (calls are serialised);
    give each thread its own instance to have their requests batched together.
    """

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0) -> None:
        require()
        from websockets.exceptions import InvalidHandshake, InvalidStatus
        from websockets.sync.client import connect

        if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
            raise ValueError(f"url must start with ws:// or wss://; got {url!r}")
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds; got {timeout!r}")
        self.url, self.timeout = url, float(timeout)
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            # legacy=True: a plain connection object (websockets 17 otherwise wants `with`).
            self._ws = connect(url, additional_headers=headers, compression=None,
                               open_timeout=self.timeout, max_size=None, legacy=True)  # fmt: skip
        except InvalidStatus as err:
            body = err.response.body.decode("utf-8", "replace").strip()
            if err.response.status_code == 401:
                raise PermissionError(f"{url} refused the connection: {body}") from None
            raise ConnectionError(
                f"{url} answered HTTP {err.response.status_code}: {body}"
            ) from None
        except (OSError, InvalidHandshake, TimeoutError) as err:
            raise ConnectionError(f"cannot connect to {url}: {err}") from None
        self.metadata: dict[str, Any] = loads(self._recv(self.timeout))
        if self.metadata.get("server") != "vla" or "error" in self.metadata:
            self.close()
            raise ConnectionError(f"{url} is not a vla policy server; it sent {self.metadata!r}")
        robot = [s for s in self.metadata.get("action_spaces", []) if s.get("kind") == "robot"]
        self.robot_space: RobotSpace | None = space_from_dict(robot[0]) if robot else None  # type: ignore[assignment]
        self.last_timings: list[dict[str, Any]] = []
        self._ids = itertools.count()
        self._lock = threading.Lock()

    # ----------------------------------------------------------------------- acting

    def act(
        self,
        image: Any,
        instruction: str,
        state: Any = None,
        space: UISpace | RobotSpace | None = None,
        history: Sequence[Action] | None = None,
        *,
        views: dict[str, Any] | None = None,
    ) -> Action:
        """One action for one observation; the arguments are those of :meth:`vla.Policy.act`
        (``views``: camera name -> image, for a served policy with :attr:`view_names`)."""
        past = None if history is None else [history]
        one = None if views is None else [views]
        rows = ([image], [instruction], [state], [space])
        return self.act_batch(*rows, histories=past, views=one)[0]

    @property
    def view_names(self) -> tuple[str, ...]:
        """The camera views the served policy reads (the metadata's ``image_views``, e.g.
        ``("front", "wrist")``); empty for a policy that reads one image."""
        names = tuple(self.metadata.get("image_views") or ())
        return () if names == ("image",) else names

    @property
    def image_size(self) -> tuple[int, int] | None:
        """The served model's input size (H, W), from the metadata; None if it is not given."""
        size = (self.metadata.get("model") or {}).get("image_size")
        return (int(size[0]), int(size[1])) if size else None

    @property
    def action_history(self) -> int:
        """How many of the episode's previous actions the served policy reads (its
        ``action_history``; 0: none, and ``history`` is not sent)."""
        return int(self.metadata.get("action_history") or 0)

    def act_batch(
        self,
        images: Sequence[Any],
        instructions: Sequence[str],
        states: Sequence[Any] | None = None,
        spaces: Sequence[UISpace | RobotSpace | None] | None = None,
        *,
        histories: Sequence[Sequence[Action] | None] | None = None,
        views: Sequence[dict[str, Any] | None] | None = None,
    ) -> list[Action]:
        """:meth:`act` for a list: all requests are sent before the first reply is read, so the
        server batches them (with other clients' requests). Returns actions in input order.
        ``histories``: per observation the episode's executed actions (or None), sent only
        when the served policy reads them, and only the last :attr:`action_history` of each.

        Raises ``ValueError`` for input the server refused (the message names the field),
        ``RuntimeError`` for a failure on the server, ``TimeoutError`` after ``timeout`` s.
        """
        n = len(images)
        if n == 0:
            raise ValueError("images must not be empty")
        if isinstance(instructions, str) or len(instructions) != n:
            raise ValueError(f"instructions must be a list of {n} strings; got {instructions!r}")
        states = list(states) if states is not None else [None] * n
        spaces = list(spaces) if spaces is not None else [None] * n
        pasts = list(histories) if histories is not None else [None] * n
        cams = list(views) if views is not None else [None] * n
        if len(states) != n or len(spaces) != n or len(pasts) != n or len(cams) != n:
            raise ValueError(f"states, spaces, histories and views need one entry per image ({n})")
        if not self.action_history:
            pasts = [None] * n
        with self._lock:
            ids = [next(self._ids) for _ in range(n)]
            rows = zip(ids, images, instructions, states, spaces, pasts, cams, strict=True)
            frames = [self._encode(*row) for row in rows]
            for frame in frames:
                self._send(frame)
            replies = self._collect(set(ids))
            self.last_timings = [replies[i].get("timing", {}) for i in ids]
        return [self._action(replies[i]) for i in ids]

    def _encode(
        self,
        rid: int,
        image: Any,
        instruction: Any,
        state: Any,
        space: Any,
        history: Any,
        views: Any,
    ) -> bytes:
        msg: dict[str, Any] = {"id": rid, "image": _rgb(image), "instruction": instruction}
        if views is not None:
            msg["views"] = {str(name): _rgb(view) for name, view in views.items()}
        if state is not None:
            msg["state"] = np.asarray(state, dtype=np.float32)
        if space is not None:
            msg["space"] = space_to_dict(space)
        if history is not None:  # the policy reads only its last action_history of them
            msg["history"] = [to_dict(a) for a in list(history)[-self.action_history :]]
        try:
            frame = dumps(msg)
        except (TypeError, ValueError) as err:
            raise ValueError(f"cannot encode the observation: {err}") from None
        limit = self.metadata.get("max_message_bytes")
        if limit and len(frame) > limit:
            raise ValueError(
                f"image: the request is {len(frame)} bytes, over the server's limit of {limit} "
                "(--max-message-bytes); send a smaller image"
            )
        return frame

    def _collect(self, pending: set[int]) -> dict[int, dict[str, Any]]:
        deadline = time.monotonic() + self.timeout
        replies: dict[int, dict[str, Any]] = {}
        while pending:
            reply = loads(self._recv(deadline - time.monotonic()))
            rid = reply.get("id") if isinstance(reply, dict) else None
            if rid in pending:  # replies to requests that timed out earlier are skipped
                replies[rid] = reply
                pending.discard(rid)
            elif isinstance(reply, dict) and rid is None and "error" in reply:
                raise _error(reply["error"])
        return replies

    @staticmethod
    def _action(reply: dict[str, Any]) -> Action:
        if "error" in reply:
            raise _error(reply["error"])
        return from_dict(reply["action"])

    # ------------------------------------------------------------------- transport

    def _send(self, frame: bytes) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            self._ws.send(frame)
        except ConnectionClosed as err:
            raise ConnectionError(f"{self.url} closed the connection: {_closed(err)}") from None

    def _recv(self, timeout: float) -> bytes | str:
        from websockets.exceptions import ConnectionClosed

        if timeout <= 0:
            raise TimeoutError(f"no reply from {self.url} within {self.timeout} s")
        try:
            return self._ws.recv(timeout=timeout)
        except TimeoutError:
            raise TimeoutError(f"no reply from {self.url} within {self.timeout} s") from None
        except ConnectionClosed as err:
            raise ConnectionError(f"{self.url} closed the connection: {_closed(err)}") from None

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._ws.close()

    def __enter__(self) -> RemotePolicy:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RemotePolicy({self.url!r}, checkpoint={self.metadata.get('checkpoint')!r})"


def _rgb(image: Any) -> np.ndarray:
    """A numpy array for an image given as an array or a PIL image."""
    if hasattr(image, "convert") and hasattr(image, "size"):  # a PIL image
        return np.asarray(image.convert("RGB"))
    return np.asarray(image)


def _error(text: Any) -> Exception:
    text = str(text)
    field = text.split(":", 1)[0]
    return ValueError(text) if field in _INPUT_FIELDS else RuntimeError(text)


def _closed(err: Any) -> str:
    frame = err.rcvd or err.sent
    if frame is None:
        return "no close frame"
    return f"code {frame.code} {frame.reason!r}".strip()
