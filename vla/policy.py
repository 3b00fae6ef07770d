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

#: ``CHECKPOINTS_DIR`` (the shipped checkpoints) lives in :mod:`vla.hub`; re-exported here.
POLICY_FILE = "policy.json"


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
        self.model = model.to(self.device, dtype=dtype).eval()
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
    ) -> Action:
        """One action for one observation.

        Args:
            image: uint8 (H, W, 3) numpy array or PIL image, any size.
            instruction: the task, a non-empty string.
            state: float32[D] robot state, or ``None`` for UI envs.
            space: the action grammar; default ``UISpace()`` without a state, else
                :attr:`robot_space`. A ``UISpace`` may restrict the verbs.

        Returns:
            A :mod:`vla.actions` action; UI coordinates are pixels of ``image``.
        """
        return self.act_batch([image], [instruction], [state], [space])[0]

    def act_batch(
        self,
        images: Sequence[Any],
        instructions: Sequence[str],
        states: Sequence[Any] | None = None,
        spaces: Sequence[UISpace | RobotSpace | None] | None = None,
    ) -> list[Action]:
        """:meth:`act` for a batch (one prefix pass, one batched decode); arguments are lists."""
        n = len(images)
        if n == 0:
            raise ValueError("images must not be empty")
        if isinstance(instructions, str) or len(instructions) != n:
            raise ValueError(f"instructions must be a list of {n} strings; got {instructions!r}")
        states = list(states) if states is not None else [None] * n
        spaces = list(spaces) if spaces is not None else [None] * n
        if len(states) != n or len(spaces) != n:
            raise ValueError(f"states and spaces need one entry per image ({n})")
        resolved = [
            self._space(sp, st, i) for i, (sp, st) in enumerate(zip(spaces, states, strict=True))
        ]
        batch = self.processor(images, instructions, states=states)
        sizes = batch.pop("image_sizes").tolist()
        batch = {k: v.to(self.device) for k, v in batch.items()}
        from vla.model.decoding import constrained_decode

        tokens = constrained_decode(self.model, batch, [self._grammar(s) for s in resolved])
        return [
            self.tokenizer.decode(t, tuple(size), sp if isinstance(sp, RobotSpace) else None)
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
        meta: dict[str, Any] = {"robot_space": None}
        if self.robot_space is not None:
            meta["robot_space"] = {
                "action": self.robot_space.action,
                "n_joints": self.robot_space.n_joints,
            }
        (path / POLICY_FILE).write_text(json.dumps(meta, indent=1))
        return path

    @classmethod
    def from_pretrained(
        cls, path_or_name: str | Path, device: str | torch.device | None = None
    ) -> Policy:
        """Load a policy from a folder, or by the name of a shipped checkpoint.

        Raises ``FileNotFoundError`` for a missing folder or file and ``ValueError`` for a corrupt
        ``model.safetensors``, each naming the path and what was expected.
        """
        path = resolve_checkpoint(path_or_name)
        _check_weights(path / WEIGHTS_FILE)
        from vla.model import VLAForActionPrediction, VLAProcessor

        model = VLAForActionPrediction.from_pretrained(path)
        processor = VLAProcessor.from_pretrained(path)
        robot_space = None
        meta_path = path / POLICY_FILE
        if meta_path.is_file():
            spec = json.loads(meta_path.read_text()).get("robot_space")
            robot_space = RobotSpace(**spec) if spec else None
        return cls(model, processor, device=device, robot_space=robot_space)

    def __repr__(self) -> str:
        return f"Policy(device={self.device}, robot_space={self.robot_space}, {self.processor!r})"


def _check_weights(path: Path) -> None:
    """Open every tensor of a safetensors file; raise ValueError if it is truncated or corrupt."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            for key in f.keys():  # noqa: SIM118 - safe_open handles have no __iter__
                f.get_slice(key)
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise ValueError(
            f"{path} is not a readable safetensors file (truncated or corrupt?): {err}"
        ) from err
