"""A real ``vla serve`` process (vla-browser-tiny) and real clients on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from vla.actions import Click, to_dict
from vla.serving import RemotePolicy
from vla.serving.fuzz import hostile_messages
from vla.serving.wire import dumps, loads

from .conftest import TOKEN, Server

SERVERS = ("browser",)  # started together by conftest._launched

IMAGE = np.random.default_rng(0).integers(0, 256, (210, 160, 3), dtype=np.uint8)
TEXT = "Click the button."
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _raw(server: Server):
    ws = connect(server.url, additional_headers=AUTH, compression=None, legacy=True)
    assert loads(ws.recv(timeout=30))["checkpoint"] == "vla-browser-tiny"
    return ws


def test_metadata_on_connect_and_http_endpoints(browser_server: Server) -> None:
    with RemotePolicy(browser_server.url, token=TOKEN) as policy:
        meta = policy.metadata
        assert meta["checkpoint"] == "vla-browser-tiny" and meta["image_views"] == ["image"]
        assert meta["action_spaces"][0]["kind"] == "ui" and policy.robot_space is None
        assert meta["model"]["image_size"] == [80, 80] and meta["device"] == "cpu"
        assert meta["threads"] == 1  # --threads 1, also in the listening log line
        assert browser_server.events("listening")[0]["threads"] == 1
        assert isinstance(policy.act(IMAGE, TEXT), Click)
    port = browser_server.port
    health = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10))
    assert health["status"] == "ok"
    req = urllib.request.Request(f"http://127.0.0.1:{port}/metadata", headers=AUTH)
    assert json.load(urllib.request.urlopen(req, timeout=10))["checkpoint"] == "vla-browser-tiny"


def test_wrong_or_missing_token_is_refused(browser_server: Server) -> None:
    for token in (None, "wrong-token-000"):
        with pytest.raises(PermissionError, match="token: missing or wrong"):
            RemotePolicy(browser_server.url, token=token, timeout=10)
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"http://127.0.0.1:{browser_server.port}/metadata", timeout=10)
    assert err.value.code == 401
    assert browser_server.events("refused")
    with RemotePolicy(browser_server.url, token=TOKEN) as policy:  # the server is still up
        assert isinstance(policy.act(IMAGE, TEXT), Click)


def test_oversized_message_is_refused_and_server_stays_up(browser_server: Server) -> None:
    big = np.zeros((400, 400, 3), np.uint8)  # 480 kB > --max-message-bytes 400000
    policy = RemotePolicy(browser_server.url, token=TOKEN)
    with policy, pytest.raises(ValueError, match=r"image: the request is \d+ bytes, over the"):
        policy.act(big, TEXT)
    ws = _raw(browser_server)  # a client that does not check the limit itself
    ws.send(dumps({"image": big, "instruction": TEXT}))
    with pytest.raises(ConnectionClosed) as err:
        ws.recv(timeout=30)
    assert err.value.rcvd is not None and err.value.rcvd.code == 1009  # message too big
    with RemotePolicy(browser_server.url, token=TOKEN) as policy:
        assert isinstance(policy.act(IMAGE, TEXT), Click)


def test_fuzz_every_reply_is_an_error_naming_the_field(browser_server: Server) -> None:
    ws = _raw(browser_server)
    valid = {"image": IMAGE, "instruction": TEXT}
    for frame, field in hostile_messages(valid, 300, seed=7):
        ws.send(frame)
        reply = loads(ws.recv(timeout=30))
        assert set(reply) == {"id", "error"} and reply["error"].startswith(f"{field}: "), (
            field,
            reply,
        )
    ws.send(dumps({**valid, "id": "after-fuzz"}))  # the same connection still serves
    reply = loads(ws.recv(timeout=30))
    assert reply["id"] == "after-fuzz" and reply["action"]["verb"] == "click"
    ws.close()


def test_requests_of_concurrent_clients_are_batched(browser_server: Server) -> None:
    before = len(browser_server.events("batch"))
    barrier = threading.Barrier(4)
    results: dict[int, list] = {}

    def client(i: int) -> None:
        with RemotePolicy(browser_server.url, token=TOKEN) as policy:
            out = []
            for _ in range(3):
                barrier.wait(timeout=60)
                out.append(policy.act(IMAGE, TEXT))
            results[i] = out

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == [0, 1, 2, 3]
    # All rows of a batch give what a lone request gives.
    assert len({to_dict(a)["x"] for out in results.values() for a in out}) == 1
    sizes = [e["batch_size"] for e in browser_server.events("batch")[before:]]
    assert sum(sizes) == 12 and max(sizes) == 4, sizes


def test_act_batch_and_input_errors(browser_server: Server) -> None:
    with RemotePolicy(browser_server.url, token=TOKEN) as policy:
        actions = policy.act_batch([IMAGE, IMAGE[:100]], [TEXT, TEXT])
        assert len(actions) == 2 and all(isinstance(a, Click) for a in actions)
        assert actions[1].y <= 100  # pixels of the image that was sent
        with pytest.raises(ValueError, match="image: must be uint8"):
            policy.act(IMAGE[:50].astype(np.float32), TEXT)
        with pytest.raises(ValueError, match="space: a state was sent"):
            policy.act(IMAGE, TEXT, state=np.zeros(4, np.float32))
        assert isinstance(policy.act(IMAGE, TEXT), Click)  # connection still up


def test_the_episodes_history_travels_and_acts_as_in_process(browser_server: Server) -> None:
    # vla-browser-tiny reads its last 4 actions (action_history=4): the client sends them, the
    # server decodes with them, and the reply is the in-process action for the same history.
    from vla import Policy
    from vla.actions import Type

    local = Policy.from_pretrained("vla-browser-tiny", device="cpu")
    history = [Click(40.0, 60.0), Type("riley"), Click(80.0, 120.0)]
    image, text = IMAGE, 'Enter "riley" into the text field and press Submit.'
    with RemotePolicy(browser_server.url, token=TOKEN) as policy:
        assert policy.action_history == 4
        for past in (None, [], history[:1], history):
            assert policy.act(image, text, history=past) == local.act(image, text, history=past)
        got = policy.act_batch([image, image], [text, text], histories=[history, None])
        assert got == local.act_batch([image, image], [text, text], histories=[history, None])
    ws = _raw(browser_server)
    try:
        for past, problem in (
            ([{"verb": "fly"}], "item 0: unknown action verb"),
            ({"not": "a list"}, "must be a list of <= 64"),
            ([to_dict(Click(1.0, 2.0))] * 65, "must be a list of <= 64"),
        ):
            msg = {"id": 1, "image": IMAGE, "instruction": TEXT, "history": past}
            ws.send(dumps(msg))
            reply = loads(ws.recv(timeout=30))
            assert reply["error"].startswith(f"history: {problem}"), reply
        for views, problem in (  # camera views, to a policy that reads one image
            ({"front": IMAGE}, "this policy reads one image"),
            ({}, "must be a map of 1 to 8"),
            ({str(i): IMAGE[:2, :2] for i in range(9)}, "must be a map of 1 to 8"),
        ):
            ws.send(dumps({"id": 2, "image": IMAGE, "instruction": TEXT, "views": views}))
            reply = loads(ws.recv(timeout=30))
            assert reply["error"].startswith(f"views: {problem}"), reply
    finally:
        ws.close()
