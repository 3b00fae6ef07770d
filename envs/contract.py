"""The observation contract every env of this project keeps, its check, and an adapter for
envs that do not keep it.

Contract: ``{"image": uint8[H, W, 3], "instruction": str}`` plus an optional
``"state": float[D]`` (robots).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ContractWrapper", "check_observation"]

_HINT = "; wrap the env in vla.envs.ContractWrapper (docs/datasets.md)"


def check_observation(obs: Any, env_id: str = "env") -> None:
    """Raise ``ValueError`` unless ``obs`` follows the observation contract:
    ``{"image": uint8[H, W, 3], "instruction": str}`` plus optional ``"state": float[D]``."""
    import numpy as np

    if not isinstance(obs, dict):
        raise ValueError(f"{env_id}: observation must be a dict; got {type(obs).__name__}{_HINT}")
    image = obs.get("image")
    if (
        not isinstance(image, np.ndarray)
        or image.dtype != np.uint8
        or image.ndim != 3
        or (image.shape[2] != 3)
    ):
        got = f"{image.dtype}{list(image.shape)}" if isinstance(image, np.ndarray) else repr(image)
        raise ValueError(f"{env_id}: obs['image'] must be uint8[H, W, 3]; got {got}{_HINT}")
    if not isinstance(obs.get("instruction"), str):
        raise ValueError(
            f"{env_id}: obs['instruction'] must be a str; got {obs.get('instruction')!r}{_HINT}"
        )
    state = obs.get("state")
    if state is not None and np.asarray(state).ndim != 1:
        raise ValueError(f"{env_id}: obs['state'] must be 1-D; got shape {np.shape(state)}{_HINT}")


def ContractWrapper(
    env: Any,
    image_key: str | None = "image",
    instruction: str | None = None,
    instruction_key: str | None = None,
    state_key: str | None = None,
) -> Any:
    """Adapt an env's observations to the contract (see :func:`check_observation`).

    ``image_key``: key of the RGB image in a dict observation, or None when the observation
    is the image itself. ``instruction``: a fixed instruction, or ``instruction_key``: where to
    read it in the observation. ``state_key``: where the proprioceptive state is (optional).
    """
    import gymnasium as gym
    import numpy as np

    from vla.envs.spaces import observation_space

    if (instruction is None) == (instruction_key is None):
        raise ValueError("ContractWrapper needs exactly one of `instruction` or `instruction_key`")

    class _Wrapper(gym.ObservationWrapper):
        def observation(self, obs: Any) -> dict[str, Any]:
            image = obs if image_key is None else obs[image_key]
            out = {
                "image": np.ascontiguousarray(image, dtype=np.uint8),
                "instruction": instruction
                if instruction is not None
                else str(obs[instruction_key]),
            }
            if state_key is not None:
                out["state"] = np.asarray(obs[state_key], np.float32)
            return out

    wrapped = _Wrapper(env)
    box = env.observation_space if image_key is None else env.observation_space[image_key]
    state_dim = None if state_key is None else env.observation_space[state_key].shape[0]
    wrapped.observation_space = observation_space(box.shape[0], box.shape[1], state_dim)
    return wrapped
