"""Episodes acted through ``ws://`` equal in-process episodes; SIGTERM loses no computed reply."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vla.actions import to_dict
from vla.serving import RemotePolicy
from vla.serving.wire import dumps, loads

from .conftest import TOKEN, Server, chromium_available

# started together by conftest._launched
SERVERS = ("browser", "robot", "one_at_a_time", "asked_twice")

SEED = 123_456


def _episode(env_id: str, policy: Any, steps: int) -> list[tuple[dict, float]]:
    """Step ``env_id`` from ``SEED`` with ``policy`` (in-process or remote): (action, reward)s."""
    import gymnasium as gym

    import vla.envs  # noqa: F401
    from vla.rollout.agents import camera_kwargs

    env = gym.make(env_id, **camera_kwargs(policy))  # the cameras the policy reads
    out = []
    try:
        obs, _ = env.reset(seed=SEED)
        for _ in range(steps):
            action = policy.act(
                obs["image"], obs["instruction"], obs.get("state"), env.action_space.spec,
                views=obs.get("images"),
            )  # fmt: skip
            obs, reward, terminated, truncated, _ = env.step(action)
            out.append((to_dict(action), float(reward)))
            if terminated or truncated:
                break
    finally:
        env.close()
    return out


@pytest.mark.robot
def test_panda_episode_through_ws_equals_in_process(robot_server: Server) -> None:
    from vla import Policy

    local = _episode("vla/panda-reach-v0", Policy.from_pretrained("vla-robot-tiny"), 4)
    with RemotePolicy(robot_server.url) as remote:
        assert remote.robot_space is not None
        # its front and wrist cameras travel as `views`, and the env renders them at 80x80
        assert remote.view_names == ("front", "wrist") and remote.image_size == (80, 80)
        served = _episode("vla/panda-reach-v0", remote, 4)
        image, state = np.zeros((80, 80, 3), np.uint8), np.zeros(14, np.float32)
        with pytest.raises(ValueError, match=r"views: unknown camera\(s\) \['top'\]; this pol"):
            remote.act(image, "touch the red cube", state, views={"top": image})
        with pytest.raises(ValueError, match="views: must be uint8"):
            remote.act(image, "touch the red cube", state, views={"wrist": image[..., 0]})
    assert len(local) == 4 and served == local
    from vla.evaluation import EvalConfig, evaluate

    cfg = EvalConfig(policy=robot_server.url, env_ids=["vla/panda-reach-v0"], episodes=1,
                     max_steps=2, out=None)  # fmt: skip
    info = evaluate(cfg)  # vla eval --policy ws://...: the env renders the served cameras
    assert info["env_kwargs"] == {"cameras": ["front", "wrist"], "image_size": 80}


@pytest.mark.robot
def test_dagger_through_ws_renders_the_served_cameras(robot_server: Server, tmp_path) -> None:
    """``collect`` (``vla collect --dagger --policy ws://...``) with no camera in
    ``env_kwargs`` rolls the served two-camera policy out with its cameras at its input size,
    and the dataset keeps each camera as its own column."""
    from vla.datasets import CollectConfig, collect
    from vla.datasets.reader import read_info

    cfg = CollectConfig(env_ids=["vla/panda-reach-v0"], episodes=1, out=tmp_path / "d",
                        policy=robot_server.url, workers=0, max_steps=2, progress=False)  # fmt: skip
    assert collect(cfg).recorded == 1
    features = read_info(tmp_path / "d")["features"]
    for name in ("front", "wrist"):
        assert features[f"observation.images.{name}"]["shape"][:2] == [80, 80]


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="needs Chromium and playwright")
def test_miniwob_episode_through_ws_equals_in_process(browser_server: Server) -> None:
    from vla import Policy

    local = _episode("vla/miniwob-click-test-v0", Policy.from_pretrained("vla-browser-tiny"), 3)
    with RemotePolicy(browser_server.url, token=TOKEN) as remote:
        served = _episode("vla/miniwob-click-test-v0", remote, 3)
    assert local and served == local


def test_sigterm_mid_request_loses_no_computed_reply(one_at_a_time_server: Server) -> None:
    """Eight pipelined requests, one at a time (--max-batch 1); SIGTERM after the first reply:
    every accepted request is still answered with an action, then the server exits 0."""
    from websockets.exceptions import ConnectionClosedOK
    from websockets.sync.client import connect

    server = one_at_a_time_server
    image = np.random.default_rng(1).integers(0, 256, (210, 160, 3), dtype=np.uint8)
    try:
        ws = connect(server.url, compression=None, legacy=True)
        loads(ws.recv(timeout=30))  # metadata
        for i in range(8):
            ws.send(dumps({"id": i, "image": image, "instruction": "Click the button."}))
        replies = [loads(ws.recv(timeout=30))]
        server.proc.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosedOK) as closed:
            while True:
                replies.append(loads(ws.recv(timeout=30)))
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    finally:
        assert server.stop() == 0
    assert sorted(r["id"] for r in replies) == list(range(8))
    assert all(r["action"]["verb"] == "click" for r in replies), replies
    assert server.events("shutdown")[-1]["served"] == 8


def test_sigterm_again_while_the_drained_server_exits_still_exits_0(
    asked_twice_server: Server,
) -> None:
    """A supervisor that asks twice (SIGTERM again while the drained server's interpreter is
    exiting, as ``timeout`` does when it signals its process group) still gets exit code 0."""
    server = asked_twice_server
    pid = server.proc.pid  # ``timeout``; the server is its only child
    child = int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])
    os.kill(child, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while not any(e.get("phase") == "done" for e in server.events("shutdown")):
        assert time.monotonic() < deadline and server.proc.poll() is None, server.log_path
        time.sleep(0.002)
    while server.proc.poll() is None:
        try:
            os.kill(child, signal.SIGTERM)
        except ProcessLookupError:
            break
        time.sleep(0.002)
    assert server.stop() == 0
