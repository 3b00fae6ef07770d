"""``vla.Policy``: a model, its processor and the constrained decoder behind ``act``.

```python
from vla import Policy
policy = Policy.from_pretrained("vla-browser-tiny")       # or a folder
action = policy.act(obs["image"], obs["instruction"])      # -> vla.actions.Click(...)
```
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vla.actions import Action, RobotSpace, UISpace
from vla.hub import CHECKPOINTS_DIR, WEIGHTS_FILE, resolve_checkpoint

if TYPE_CHECKING:
    import torch

    from vla.model import VLAForActionPrediction, VLAProcessor

__all__ = ["CHECKPOINTS_DIR", "Policy"]

# CHECKPOINTS_DIR (vla.hub) is re-exported here for old imports.
#: The policy's own settings beside the model files: ``{"robot_space": null | {...}}``.
POLICY_FILE = "policy.json"
#: The statistics entry of the robot state (its length is the state length a checkpoint expects).
STATE_STATS_KEY = "observation.state"


def _default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class Policy:
    """Acts from pixels and an instruction.

    Args:
        model: a :class:`~vla.model.VLAForActionPrediction`.
        processor: the matching :class:`~vla.model.VLAProcessor` (carries the tokenizer).
        device: ``"cuda"``, ``"cpu"``, ... ; ``None`` picks CUDA when available. On CUDA the model
            runs in bfloat16.
        robot_space: the action space used when a state is given and no ``space`` is passed;
            by default the one implied by the tokenizer's statistics (if any).

    The model is moved (and on CUDA cast to bfloat16) in place and put in eval mode: pass a copy
    to keep training the original in float32.
    """

    def __init__(
        self,
        model: VLAForActionPrediction,
        processor: VLAProcessor,
        device: str | torch.device | None = None,
        robot_space: RobotSpace | None = None,
    ) -> None:
        import torch

        from vla.model.decoding import ActionGrammar

        self.device = torch.device(device or _default_device())
        dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
        # transformers wraps PreTrainedModel.to in a decorator whose stub mypy misreads
        self.model = model.to(self.device, dtype=dtype).eval()  # type: ignore[arg-type]
        self.processor = processor
        self.tokenizer = processor.tokenizer
        if robot_space is None and any(k.startswith("action.") for k in self.tokenizer.stats):
            robot_space = self.tokenizer.robot_space()
        self.robot_space = robot_space
        self._grammar_cls = ActionGrammar
        self._grammars: dict[Any, ActionGrammar] = {}

    # ----------------------------------------------------------------------- acting

    def act(
        self,
        image: Any,
        instruction: str,
        state: Any = None,
        space: UISpace | RobotSpace | None = None,
        *,
        views: dict[str, Any] | None = None,
        history: Sequence[Action] | None = None,
    ) -> Action:
        """One action for one observation.

        Args:
            image: uint8 (H, W, 3) numpy array or PIL image, any size.
            instruction: the task, a non-empty string.
            state: float32[D] robot state, or ``None`` for UI envs.
            space: the action grammar; default ``UISpace()`` without a state, else
                :attr:`robot_space`. A ``UISpace`` may restrict the verbs.
            views: for a model with camera views (:attr:`view_names`), a dict camera name ->
                image (e.g. ``obs["images"]``), any subset of them: a missing view is masked.
                None: ``image`` is the first view and the others are missing. An unknown name
                is a ``ValueError`` naming it and the known views.
            history: the actions executed before in this episode, oldest first (UI
                coordinates in pixels of images of ``image``'s size), for a model trained with
                ``action_history`` (:attr:`action_history`); ignored otherwise.
                :class:`vla.rollout.PolicyAgent` keeps it for you.

        Returns:
            A :mod:`vla.actions` action; UI coordinates are pixels of ``image``.
        """
        past = None if history is None else [history]
        return self.act_batch(
            [image], [instruction], [state], [space], views=_one(views), histories=past
        )[0]

    def act_batch(
        self,
        images: Sequence[Any],
        instructions: Sequence[str],
        states: Sequence[Any] | None = None,
        spaces: Sequence[UISpace | RobotSpace | None] | None = None,
        *,
        views: Sequence[dict[str, Any] | None] | None = None,
        histories: Sequence[Sequence[Action] | None] | None = None,
    ) -> list[Action]:
        """:meth:`act` for a batch (one prefix pass, one batched decode); arguments are lists
        (``views``: one dict or None per image; ``histories``: one list or None per image)."""
        chunks = self.act_chunk_batch(
            images, instructions, states, spaces, views=views, histories=histories
        )
        return [chunk[0] for chunk in chunks]

    def act_chunk(
        self,
        image: Any,
        instruction: str,
        state: Any = None,
        space: UISpace | RobotSpace | None = None,
        *,
        views: dict[str, Any] | None = None,
        history: Sequence[Action] | None = None,
    ) -> list[Action]:
        """Like :meth:`act`, but every action the model predicts: a robot policy trained with
        ``chunk_size = k`` returns the next ``k`` actions (``[0]`` is what :meth:`act` returns,
        to execute now); a UI action is a list of one."""
        past = None if history is None else [history]
        return self.act_chunk_batch(
            [image], [instruction], [state], [space], views=_one(views), histories=past
        )[0]

    def act_chunk_batch(
        self,
        images: Sequence[Any],
        instructions: Sequence[str],
        states: Sequence[Any] | None = None,
        spaces: Sequence[UISpace | RobotSpace | None] | None = None,
        *,
        views: Sequence[dict[str, Any] | None] | None = None,
        histories: Sequence[Sequence[Action] | None] | None = None,
    ) -> list[list[Action]]:
        """:meth:`act_chunk` for a batch; arguments are lists as in :meth:`act_batch`."""
        n = len(images)
        if n == 0:
            raise ValueError("images must not be empty")
        if isinstance(instructions, str) or len(instructions) != n:
            raise ValueError(f"instructions must be a list of {n} strings; got {instructions!r}")
        states = list(states) if states is not None else [None] * n
        spaces = list(spaces) if spaces is not None else [None] * n
        if len(states) != n or len(spaces) != n:
            raise ValueError(f"states and spaces need one entry per image ({n})")
        for i, text in enumerate(instructions):
            _check_instruction(text, i)
        states = [None if st is None else self._check_state(st, i) for i, st in enumerate(states)]
        resolved = [
            self._space(sp, st, i) for i, (sp, st) in enumerate(zip(spaces, states, strict=True))
        ]
        if isinstance(views, dict):
            raise ValueError("views must be a list with one dict (or None) per image")
        batch = self.processor(
            images, instructions, states=states, views=views, histories=histories
        )
        sizes = batch.pop("image_sizes").tolist()
        batch = {k: v.to(self.device) for k, v in batch.items()}
        from vla.model.decoding import constrained_decode

        tokens = constrained_decode(self.model, batch, [self._grammar(s) for s in resolved])
        return [
            self.tokenizer.decode_chunk(t, tuple(size), sp if isinstance(sp, RobotSpace) else None)
            for t, size, sp in zip(tokens, sizes, resolved, strict=True)
        ]

    def _space(self, space: Any, state: Any, index: int) -> UISpace | RobotSpace:
        if space is None:
            if state is None:
                return UISpace()
            if self.robot_space is None:
                raise ValueError(
                    f"states[{index}] was given but this policy has no robot action space: pass "
                    "space=RobotSpace(...) or load a checkpoint trained on robot data"
                )
            return self.robot_space
        if not isinstance(space, (UISpace, RobotSpace)):
            raise ValueError(f"spaces[{index}] must be a UISpace or a RobotSpace; got {space!r}")
        if isinstance(space, RobotSpace) and state is None:
            raise ValueError(
                f"states[{index}] is missing: a robot policy needs the robot state (float32[D]); "
                f"got None for {space!r}"
            )
        return space

    @property
    def chunk_size(self) -> int:
        """Robot actions per chunk (``VLAConfig.chunk_size``): the length of
        :meth:`act_chunk`'s lists."""
        return int(getattr(self.model.config, "chunk_size", 1))

    @property
    def execution(self) -> str | None:
        """How this checkpoint's chunks are meant to run (``VLAConfig.execution``, e.g.
        ``"receding:8"``), used by a :class:`~vla.rollout.PolicyAgent` given none."""
        return getattr(self.model.config, "execution", None)

    @property
    def action_history(self) -> int:
        """How many previous actions of the episode the model reads (``VLAConfig.
        action_history``); 0: none, and ``history`` is ignored."""
        return self.processor.action_history

    @property
    def view_names(self) -> tuple[str, ...]:
        """The camera views the model reads (``VLAConfig.view_names``); empty: one image."""
        return self.processor.view_names

    @property
    def state_dim(self) -> int | None:
        """The length of the robot states this checkpoint was trained on (from the
        ``observation.state`` statistics); None when it records none."""
        stats = self.tokenizer.stats.get(STATE_STATS_KEY)
        if stats is None:
            return None
        return len(stats.get("q01", stats.get("min", [])))

    def _check_state(self, state: Any, index: int) -> Any:
        """A state as float32[D]; refuses text, NaN and a length other than :attr:`state_dim`
        (the processor would otherwise zero-pad a short state and act on it)."""
        import numpy as np

        try:
            arr = np.asarray(state, dtype=np.float32)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"states[{index}] must be a float vector (float32[D]); got {state!r} ({err})"
            ) from None
        if arr.ndim != 1:  # a (1, D) or (D, 1) array is a batching mistake, not a state
            raise ValueError(
                f"states[{index}] must be 1-D (float32[D]); got shape {tuple(arr.shape)}"
            )
        if arr.size == 0 or not np.all(np.isfinite(arr)):
            raise ValueError(
                f"states[{index}] must be a non-empty vector of finite floats; got {state!r}"
            )
        want = self.state_dim
        if want is not None and arr.size != want:
            raise ValueError(
                f"states[{index}] has {arr.size} values; this checkpoint was trained on "
                f"{want}-value states (the observation.state statistics)"
            )
        return arr

    def _grammar(self, space: UISpace | RobotSpace) -> Any:
        if space not in self._grammars:
            self._grammars[space] = self._grammar_cls(self.tokenizer, space)
        return self._grammars[space]

    # ------------------------------------------------------------------ persistence

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write the model (safetensors + config), the processor/tokenizer and ``policy.json``."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(path)
        self.processor.save_pretrained(path)
        space = self.robot_space
        meta: dict[str, Any] = {"robot_space": None if space is None else {
            "action": space.action, "n_joints": space.n_joints}}  # fmt: skip
        (path / POLICY_FILE).write_text(json.dumps(meta, indent=1))
        return path

    @classmethod
    def from_pretrained(
        cls, path_or_name: str | Path, device: str | torch.device | None = None
    ) -> Policy:
        """Load a policy from a folder, by the name of a shipped checkpoint, or from a Hugging
        Face Hub repo id (``owner/name``, downloaded into the HF cache; see
        :func:`vla.hub.resolve_checkpoint`). A folder or a shipped name always wins.

        Raises:
            FileNotFoundError: a missing folder or file, naming the path and what was expected;
                a Hub id while offline (one line saying how to pass a local folder instead).
            ValueError: a corrupt ``model.safetensors``, or one holding NaN/inf (naming the file
                and the tensor); a corrupt ``policy.json``; a robot checkpoint (``policy.json``
                names a robot space, or the statistics describe a robot state) without its
                action statistics, which would otherwise act as a UI policy.
        """
        path = resolve_checkpoint(path_or_name)
        _check_weights(path / WEIGHTS_FILE)
        from vla.model import VLAForActionPrediction, VLAProcessor

        robot_space = _read_robot_space(path / POLICY_FILE)
        model = VLAForActionPrediction.from_pretrained(path)
        processor = VLAProcessor.from_pretrained(path)
        _check_robot_stats(path, processor.tokenizer.stats, robot_space)
        return cls(model, processor, device=device, robot_space=robot_space)

    def __repr__(self) -> str:
        return f"Policy(device={self.device}, robot_space={self.robot_space}, {self.processor!r})"


def _one(views: dict[str, Any] | None) -> list[dict[str, Any] | None] | None:
    """The ``views`` of a one-observation call as the batch calls take them."""
    if views is not None and not isinstance(views, dict):
        raise ValueError(f"views must be a dict camera name -> image; got {views!r}")
    return None if views is None else [views]


def _check_weights(path: Path) -> None:
    """Read every tensor of a safetensors file, one at a time; raise ValueError if the file is
    truncated or corrupt, or if a floating-point tensor holds NaN or inf (such a model loads
    and acts, but every action is garbage: issue 16)."""
    import torch
    from safetensors import SafetensorError, safe_open

    nonfinite: tuple[str, int, int] | None = None
    try:
        with safe_open(str(path), framework="pt") as f:
            for key in f.keys():  # noqa: SIM118 - safe_open handles have no __iter__
                tensor = f.get_tensor(key)
                if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
                    nonfinite = (key, int((~torch.isfinite(tensor)).sum()), tensor.numel())
                    break
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise ValueError(
            f"{path} is not a readable safetensors file (truncated or corrupt?): {err}"
        ) from err
    if nonfinite is not None:
        key, bad, total = nonfinite
        raise ValueError(
            f"{path}: tensor {key!r} holds {bad} NaN/inf value(s) of {total}; the checkpoint "
            "is corrupt (diverged training?)"
        )


def _read_robot_space(path: Path) -> RobotSpace | None:
    """The robot space named by ``policy.json`` (None when the file or the entry is absent)."""
    if not path.is_file():
        return None
    try:
        meta = json.loads(path.read_text())
        spec = meta.get("robot_space")
        return RobotSpace(**spec) if spec else None
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError, TypeError) as err:
        raise ValueError(
            f'{path} is corrupt: expected {{"robot_space": null or {{"action", '
            f'"n_joints"}}}} ({err})'
        ) from None


def _check_robot_stats(path: Path, stats: dict[str, Any], robot_space: RobotSpace | None) -> None:
    """Refuse a robot checkpoint whose tokenizer lacks the action statistics it de-normalises
    with: without them it would load as a UI policy and click instead of moving the arm."""
    from vla.model.tokenization_vla import STATS_KEYS, TOKENIZER_FILE

    if robot_space is not None:
        needed = [STATS_KEYS[robot_space.action]]
        why = f"{POLICY_FILE} names {robot_space!r}"
    elif STATE_STATS_KEY in stats:
        needed = list(STATS_KEYS.values())
        why = f"it has {STATE_STATS_KEY!r} statistics (trained on robot states)"
    else:
        return
    if not any(key in stats for key in needed):
        raise ValueError(
            f"{path / TOKENIZER_FILE} has no action statistics ({' or '.join(needed)}), but "
            f"{path} is a robot checkpoint: {why}. Restore the file from the training run "
            "(it holds the dataset's meta/stats.json)"
        )


def _check_instruction(text: Any, index: int) -> None:
    """An instruction must be a str that encodes as UTF-8 (no lone surrogates)."""
    if not isinstance(text, str):
        raise ValueError(f"instructions[{index}] must be a str; got {type(text).__name__} {text!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ValueError(
            f"instructions[{index}] is not valid Unicode text: {err.reason} at position "
            f"{err.start} ({text!r})"
        ) from None
