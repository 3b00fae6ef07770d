"""The one agent contract of an episode: ``act(obs, info) -> Action`` after ``reset()``.

Everything that acts in an episode meets it: scripted experts (from
:func:`vla.datasets.make_expert`) as they are, and a :class:`vla.Policy` (or a remote policy
with the same ``act`` / ``act_batch`` surface) through :class:`PolicyAgent`, which never hands
the privileged ``info`` to the policy. Callers say what they hand in; nothing is told apart by
duck typing.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, Protocol, runtime_checkable

from vla.actions import Action
from vla.rollout.chunk_execution import ChunkExecution, ChunkExecutor, parse_execution
from vla.rollout.still_waits import StillWaits

__all__ = [
    "Agent",
    "BatchAgent",
    "ChunkPolicyLike",
    "PolicyAgent",
    "PolicyLike",
    "camera_kwargs",
    "load_policy",
]


@runtime_checkable
class Agent(Protocol):
    """What acts in an episode.

    ``obs`` follows the observation contract (``{"image": uint8[H, W, 3], "instruction": str}``
    plus ``"state": float32[D]`` for robots); ``info`` is the env's privileged info of the same
    step. ``reset()`` is called after every ``env.reset``, before the first ``act``.
    """

    def reset(self) -> None: ...

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Action: ...


@runtime_checkable
class BatchAgent(Protocol):
    """An agent that acts on many env copies at once (what the vectorised loop drives).

    ``obs[i]`` and ``infos[i]`` are copy ``i``'s observation and info; the result has one
    action per copy, in order. ``reset_copies(mask)`` is called after the loop restarts the
    copies where ``mask`` (bool, one per copy) is True, before their first ``act_batch``.
    """

    def act_batch(
        self, obs: Sequence[dict[str, Any]], infos: Sequence[dict[str, Any]]
    ) -> list[Action]: ...

    def reset_copies(self, mask: Sequence[bool]) -> None: ...


class PolicyLike(Protocol):
    """The surface of :class:`vla.Policy` (and ``vla.serving.RemotePolicy``)."""

    def act(self, image: Any, instruction: str, state: Any = None, space: Any = None) -> Action: ...

    def act_batch(
        self,
        images: Sequence[Any],
        instructions: Sequence[str],
        states: Sequence[Any] | None = None,
        spaces: Sequence[Any] | None = None,
    ) -> list[Action]: ...


@runtime_checkable
class ChunkPolicyLike(Protocol):
    """A policy that also returns whole chunks (:meth:`vla.Policy.act_chunk`)."""

    def act_chunk(
        self, image: Any, instruction: str, state: Any = None, space: Any = None
    ) -> list[Action]: ...


class PolicyAgent:
    """Adapt a policy (pixels + instruction -> action) to :class:`Agent` and :class:`BatchAgent`.

    The policy reads ``obs["image"]``, ``obs["instruction"]`` and ``obs.get("state")``, never
    ``info``; a policy with camera views (``view_names``, e.g. a :class:`vla.Policy` trained
    on several cameras) also gets the views of ``obs["images"]`` it knows. ``space`` (the env's ``action_space.spec``, a ``UISpace`` / ``RobotSpace``) is
    the decoding grammar handed to the policy; None lets the policy decode any action.

    ``execution`` (a :class:`~vla.rollout.chunk_execution.ChunkExecution`) executes a chunked
    policy's predictions by receding horizon or temporal ensembling; the policy must have
    ``act_chunk``. None (the default) asks the policy every step through ``act``. Chunk
    execution keeps per-episode state: :meth:`reset` clears it in the single-episode loop
    (:func:`~vla.rollout.loop.run_episode`); in the vectorised loop each env copy has its own
    state, cleared by :meth:`reset_copies`, and one ``act_chunk_batch`` call serves the copies
    that need a new chunk.

    Given no ``execution``, a policy that names its own (``Policy.execution``: the
    checkpoint's ``VLAConfig.execution``, e.g. ``"receding:8"``) runs that way; pass
    ``parse_execution("first")`` to ask it every step.

    A policy with ``action_history > 0`` (a :class:`vla.Policy` trained to read the episode's
    previous actions) is handed the actions this agent returned since the episode began
    (per copy in the vectorised loop). An action executed instead of the policy's (DAgger's
    expert) is told with :meth:`executed`.

    ``still_waits`` (UI policies): after that many waits in a row at a screen that did not
    change, the next action is the policy's best that is not a wait
    (:class:`~vla.rollout.still_waits.StillWaits`); None (the default) never overrides.
    """

    def __init__(
        self,
        policy: PolicyLike,
        space: Any = None,
        execution: ChunkExecution | None = None,
        still_waits: int | None = None,
    ) -> None:
        self.policy = policy
        self.space = space
        self.still_waits = None if still_waits is None else StillWaits(still_waits)
        self.execution = execution = default_execution(policy, execution)
        self._executor: ChunkExecutor | None = None
        if execution is not None:
            if not isinstance(policy, ChunkPolicyLike):
                raise ValueError(
                    f"execution={execution!r} needs a policy with act_chunk (vla.Policy); "
                    f"got {type(policy).__name__}"
                )
            k = getattr(policy, "chunk_size", None)  # a remote policy may not say
            if execution.mode == "receding" and isinstance(k, int) and execution.horizon > k:
                raise ValueError(
                    f"execution receding:{execution.horizon} needs chunks of at least "
                    f"{execution.horizon} actions; this policy's chunks have {k} "
                    f"(use receding:{k} or less, or a model trained with chunk_size >= "
                    f"{execution.horizon})"
                )
            self._executor = ChunkExecutor(execution)
        self._copies: list[ChunkExecutor] = []  # one per env copy of the vectorised loop
        self._remember = int(getattr(policy, "action_history", 0) or 0) > 0
        self._history: list[Action] = []  # the episode's actions (single-episode loop)
        self._histories: list[list[Action]] = []  # one per env copy

    @classmethod
    def for_env(
        cls,
        policy: PolicyLike,
        action_space: Any,
        execution: ChunkExecution | None = None,
        still_waits: int | None = None,
    ) -> PolicyAgent:
        """The agent for an env whose ``action_space`` (a :class:`vla.envs.spaces.ActionSpace`)
        carries the grammar as ``.spec``; a plain gymnasium space gives no grammar."""
        return cls(policy, getattr(action_space, "spec", None), execution, still_waits)

    @property
    def device(self) -> str:
        """The policy's device (``"unknown"`` when it does not say, e.g. a scripted one)."""
        return str(getattr(self.policy, "device", "unknown"))

    @property
    def queries(self) -> int | None:
        """Chunks asked of the policy since the last :meth:`reset` (None without chunk
        execution)."""
        return None if self._executor is None else self._executor.queries

    def reset(self) -> None:
        """A new episode: chunk execution forgets its chunks (a plain policy keeps no state)."""
        if self._executor is not None:
            self._executor.reset()
        self._copies = []
        self._history, self._histories = [], []
        if self.still_waits is not None:
            self.still_waits.reset()

    def reset_copies(self, mask: Sequence[bool]) -> None:
        """The vectorised loop restarted the copies where ``mask`` is True: their chunks (and
        action histories) go."""
        for i, restarted in enumerate(mask):
            if restarted and i < len(self._copies):
                self._copies[i].reset()
            if restarted and i < len(self._histories):
                self._histories[i] = []
            if restarted and self.still_waits is not None:
                self.still_waits.reset(i)

    def executed(self, action: Action) -> None:
        """Another agent's action was executed in this agent's place (single-episode loop):
        it joins the history the policy reads."""
        if self._remember:
            self._history.append(action)

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        image, text, state = obs["image"], obs["instruction"], obs.get("state")
        extra = self._views([obs])
        kwargs: dict[str, Any] = {"views": extra[0]} if extra else {}
        if self._remember:
            kwargs["history"] = list(self._history)
        if self._executor is None:
            space = self._space(0, obs)
            action = self.policy.act(image, text, state, space=space, **kwargs)
            if self.still_waits is not None:
                self.still_waits.record(0, action)
        else:
            policy: Any = self.policy
            action = self._executor.step(
                lambda: policy.act_chunk(image, text, state, space=self.space, **kwargs)
            )
        self.executed(action)
        return action

    def _views(self, obs: Sequence[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """The camera views of a multi-camera env (``obs["images"]``) that the policy reads
        (its ``view_names``), or None: the policy then gets ``image`` alone, as before."""
        names = tuple(getattr(self.policy, "view_names", ()))
        if not names or not obs or "images" not in obs[0]:
            return None
        return [{k: v for k, v in o["images"].items() if k in names} for o in obs]

    def act_batch(
        self, obs: Sequence[dict[str, Any]], infos: Sequence[dict[str, Any]]
    ) -> list[Action]:
        if self._remember:
            while len(self._histories) < len(obs):
                self._histories.append([])
        if self.execution is not None:
            actions = self._act_chunked(obs)
        else:
            rows = range(len(obs))
            actions = self.policy.act_batch(*self._batch(obs, rows), **self._batch_views(obs, rows))
            if self.still_waits is not None:
                for i, action in enumerate(actions):
                    self.still_waits.record(i, action)
        if self._remember:
            for past, action in zip(self._histories, actions, strict=False):
                past.append(action)
        return actions

    def _space(self, copy: int, obs: dict[str, Any]) -> Any:
        """The grammar for ``copy``'s next action (``still_waits`` may take ``wait`` out)."""
        if self.still_waits is None:
            return self.space
        return self.still_waits.space(copy, obs["image"], self.space, obs.get("state") is not None)

    def _batch(
        self, obs: Sequence[dict[str, Any]], rows: Sequence[int]
    ) -> tuple[list[Any], list[str], Any, list]:
        """The positional arguments of a batched call for the copies ``rows`` (``obs[j]`` is
        copy ``rows[j]``'s): images, instructions, states and each copy's grammar."""
        states = [o["state"] for o in obs] if obs and "state" in obs[0] else None
        return (
            [o["image"] for o in obs],
            [o["instruction"] for o in obs],
            states,
            [self._space(i, o) for i, o in zip(rows, obs, strict=True)],
        )

    def _batch_views(self, obs: Sequence[dict[str, Any]], rows: Sequence[int]) -> dict[str, Any]:
        """The keyword arguments of a batched call for the copies ``rows`` (``obs[j]`` is copy
        ``rows[j]``'s): their camera views and, when the policy reads them, histories."""
        views = self._views(obs)
        out: dict[str, Any] = {"views": views} if views else {}
        if self._remember:
            out["histories"] = [list(self._histories[i]) for i in rows]
        return out

    def _act_chunked(self, obs: Sequence[dict[str, Any]]) -> list[Action]:
        """One action per copy from its own executor; the copies that need a new chunk get it
        from one ``act_chunk_batch`` call."""
        assert self.execution is not None
        while len(self._copies) < len(obs):
            self._copies.append(ChunkExecutor(self.execution))
        need = [i for i in range(len(obs)) if self._copies[i].needs_chunk()]
        chunks: dict[int, list[Action]] = {}
        if need:
            sub = [obs[i] for i in need]
            policy: Any = self.policy
            got = policy.act_chunk_batch(*self._batch(sub, need), **self._batch_views(sub, need))
            chunks = dict(zip(need, got, strict=True))
        return [self._copies[i].step(partial(chunks.__getitem__, i)) for i in range(len(obs))]


def load_policy(spec: str, device: str | None = None) -> PolicyLike:
    """The policy named by ``spec``.

    ``ws://...`` / ``wss://...``: a policy server (``vla serve``) through
    ``vla.serving.RemotePolicy``; a checkpoint folder (or shipped name) with a ``focus.json``:
    the two-pass whole-screen :class:`vla.rollout.focus.FocusPolicy`; otherwise a checkpoint
    folder or the name of a shipped checkpoint through :meth:`vla.Policy.from_pretrained` on
    ``device``.
    """
    if spec.startswith(("ws://", "wss://")):
        try:
            from vla.serving import RemotePolicy  # type: ignore[import-not-found,unused-ignore]
        except ImportError as e:
            raise ValueError(
                f"cannot reach the policy server {spec!r}: remote policies need vla.serving, "
                f"which this installation lacks ({e})"
            ) from None
        remote: PolicyLike = RemotePolicy(spec)
        return remote
    from vla.hub import find_checkpoint
    from vla.policy import Policy
    from vla.rollout.focus import FOCUS_FILE, FocusPolicy

    folder = find_checkpoint(spec)  # None: from_pretrained says what is wrong
    if folder is not None and (folder / FOCUS_FILE).is_file():
        return FocusPolicy.from_pretrained(folder, device=device)
    return Policy.from_pretrained(spec, device=device)


def camera_kwargs(policy: Any, env_kwargs: dict[str, Any] | None = None) -> dict[str, Any]:
    """``env_kwargs`` for an env ``policy`` acts in. A policy that reads camera views (its
    ``view_names``, e.g. ``("front", "wrist")``) gets those cameras, rendered at its input size
    when that is square, unless ``env_kwargs`` names a camera itself (``cameras`` or
    ``camera``): a checkpoint brings its cameras as it brings its chunk execution
    (:func:`default_execution`). Any other policy gets ``env_kwargs`` as they are."""
    kwargs = dict(env_kwargs or {})
    names = list(getattr(policy, "view_names", ()) or ())
    if not names or "cameras" in kwargs or "camera" in kwargs:
        return kwargs
    kwargs["cameras"] = names
    size = getattr(getattr(policy, "processor", None), "image_size", None)
    size = size or getattr(policy, "image_size", None)  # a served policy's, from its metadata
    if size is not None and "image_size" not in kwargs and size[0] == size[1]:
        kwargs["image_size"] = int(size[0])
    return kwargs


def default_execution(
    policy: Any, execution: ChunkExecution | None = None
) -> ChunkExecution | None:
    """``execution``, else the one ``policy`` names for itself (``Policy.execution``, a
    ``--execution`` text saved with the checkpoint), else None (ask every step)."""
    if execution is not None:
        return execution
    text = getattr(policy, "execution", None)
    if not isinstance(text, str):  # a scripted or remote policy names none
        return None
    try:
        return parse_execution(text)
    except ValueError as err:
        raise ValueError(f"the checkpoint's `execution` in config.json is invalid: {err}") from None
