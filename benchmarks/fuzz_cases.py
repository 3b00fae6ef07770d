"""The cases of ``benchmarks/fuzz.py``: hostile values, what each part must do with them, and
the invariants an accepted result must keep. Each ``fuzz_<section>(tally, seed, n)`` feeds one
part; :func:`cli_cases` lists bad command lines."""

from __future__ import annotations

import math
from dataclasses import MISSING, fields
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

NAN, INF = float("nan"), float("inf")
TINY_UI = "vla-browser-tiny"
HOSTILE = [
    0, -1, 1, 2, 3, 1.5, 1e308, -1e308, NAN, INF, -INF, 2**70, True, None, "", "1", "abc", "left",
    "Control+a", "Meta", "+", "\x00", "\ud800", "a" * 300, b"x", [], [1, 2, 3], (0.0, 0.0, 0.0),
    (NAN, 0, 0), np.float32(NAN), np.array([1.0, 2.0, 3.0]), np.array([NAN] * 3), np.zeros((2, 2)),
    {"a": 1}, object(), ("Control", "a"), ("a", "a"), 0.5, 7, -0.0,
]  # fmt: skip
ROBOT_STATS = {
    "action.ee_delta": {"q01": [-0.05] * 6 + [0.0], "q99": [0.05] * 6 + [1.0]},
    "observation.state": {"q01": [-1.0] * 14, "q99": [1.0] * 14},
}
TINY = {
    "vision_image_size": 32, "vision_hidden_size": 32, "vision_intermediate_size": 64,
    "text_hidden_size": 32, "text_intermediate_size": 64, "state_dim": 14, "max_text_bytes": 8,
}  # fmt: skip


def action_invariants(action: Any) -> str | None:
    """Why an accepted action breaks the action language's own rules (``None``: it does not)."""
    from vla import actions as A

    if type(action) not in (*A.UI_ACTIONS, *A.ROBOT_ACTIONS):
        return f"not an action: {type(action).__name__}"
    for f in fields(action):
        value = getattr(action, f.name)
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if isinstance(v, float) and not math.isfinite(v):
                return f"{f.name} is not finite"
    if isinstance(action, A.Type) and A.TYPE_FORBIDDEN.search(action.text):
        return "Type.text holds a control character or a surrogate"
    if isinstance(action, A.Key) and not set(action.keys) <= set(A.KEY_NAMES):
        return "Key.keys holds an unknown key"
    if hasattr(action, "gripper") and not 0.0 <= action.gripper <= 1.0:
        return "gripper outside [0, 1]"
    if A.from_dict(A.to_dict(action)) != action:
        return "to_dict/from_dict does not round-trip"
    return None


def fuzz_actions(tally: Any, seed: int, n: int) -> None:
    """Constructors with hostile arguments (right arity), and from_dict with hostile dicts."""
    from vla import actions as A

    rng = np.random.default_rng(seed)
    classes = (*A.UI_ACTIONS, *A.ROBOT_ACTIONS)
    for i in range(n):
        cls = classes[i % len(classes)]
        names = [f.name for f in fields(cls)]
        required = sum(f.default is MISSING and f.default_factory is MISSING for f in fields(cls))
        k = int(rng.integers(required, len(names) + 1))  # a call Python itself accepts
        args = [HOSTILE[int(j)] for j in rng.integers(0, len(HOSTILE), k)]
        kwargs = dict(zip(names, args, strict=False))
        tally.run(
            f"{cls.__name__}({kwargs!r:.80})", partial(cls, **kwargs), check=action_invariants
        )
    verbs = [*A.UI_VERBS, *A.ROBOT_VERBS, "teleport", None, 3]
    keys = sorted({f.name for c in classes for f in fields(c)} | {"z", "verb2"})
    for _ in range(n):
        data: Any = {"verb": verbs[int(rng.integers(0, len(verbs)))]}
        for key in rng.choice(keys, int(rng.integers(0, 4)), replace=False):
            data[str(key)] = HOSTILE[int(rng.integers(0, len(HOSTILE)))]
        tally.run(f"from_dict({data!r:.80})", partial(A.from_dict, data), check=action_invariants)
    for bad in (None, "click", [("verb", "click")], 3):
        tally.run(f"from_dict({bad!r})", partial(A.from_dict, bad), expect="refuse")


def _tokenizer() -> Any:
    from vla.model import VLAConfig, VLAProcessor

    tok = VLAProcessor.from_config(VLAConfig.from_preset("vla-tiny", **TINY)).tokenizer
    tok.set_stats(ROBOT_STATS)
    return tok


def _walk(grammar: Any, rng: np.random.Generator) -> list[int]:
    state = grammar.start()
    while not state.done:
        allowed = grammar.allowed(state).nonzero()[:, 0].tolist()
        grammar.advance(state, allowed[int(rng.integers(0, len(allowed)))])
    return grammar.tokens(state)


def fuzz_tokenizer(tally: Any, seed: int, n: int) -> None:
    """Random token ids must decode or raise ValueError; grammar walks must decode and
    round-trip (decode(encode(decode(t))) == decode(t))."""
    from vla.actions import RobotSpace, UISpace
    from vla.model.decoding import ActionGrammar

    tok, rng, size = _tokenizer(), np.random.default_rng(seed), (160, 210)
    for _ in range(n):
        ids = rng.integers(-3, tok.vocab_size + 3, int(rng.integers(0, 10))).tolist()
        if ids and rng.random() < 0.7:  # start with a verb to get past the first check
            ids[0] = int(rng.integers(264, 273))
        sp = RobotSpace() if rng.random() < 0.3 else None
        tally.run(f"decode({ids})", partial(tok.decode, ids, size, sp), check=action_invariants)

    def round_trip(tokens: list[int], space: Any) -> Any:
        robot = space if isinstance(space, RobotSpace) else None
        action = tok.decode(tokens, size, robot)
        again = tok.decode(tok.encode(action, size), size, robot)
        return action, again

    def same(pair: tuple[Any, Any]) -> str | None:
        a, b = pair
        return action_invariants(a) or (None if a == b else f"round trip changed {a} to {b}")

    for space in (UISpace(), RobotSpace()):
        grammar = ActionGrammar(tok, space)
        for _ in range(n):
            tokens = _walk(grammar, rng)
            name = f"grammar walk {tokens}"
            tally.run(name, partial(round_trip, tokens, space), expect="accept", check=same)


def _policy(robot: bool) -> Any:
    import torch

    from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
    from vla.policy import Policy

    torch.manual_seed(0)
    config = VLAConfig.from_preset("vla-tiny", **TINY)
    processor = VLAProcessor.from_config(config)
    if robot:
        processor.tokenizer.set_stats(ROBOT_STATS)
    return Policy(VLAForActionPrediction(config), processor, "cpu")


def fuzz_policy(tally: Any, seed: int, n: int) -> None:
    """``Policy.act`` with odd images, instructions and states (fixed cases, no randomness)."""
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    ui, robot = _policy(False), _policy(True)

    def in_image(image: Any) -> Any:
        def check(action: Any) -> str | None:
            h, w = np.asarray(image).shape[:2]
            x = getattr(action, "x", getattr(action, "x0", 0))
            y = getattr(action, "y", getattr(action, "y0", 0))
            return action_invariants(action) or (
                None if x < w and y < h else f"({x}, {y}) outside {w}x{h}"
            )

        return check

    images = {
        "1x1": (np.zeros((1, 1, 3), np.uint8), "either"),
        "4000x10": (np.zeros((10, 4000, 3), np.uint8), "either"),
        "10x4000": (np.zeros((4000, 10, 3), np.uint8), "either"),
        "float 0..1": (rng.random((48, 64, 3), dtype=np.float32), "either"),
        "float NaN": (np.full((48, 64, 3), NAN, np.float32), "refuse"),
        "grayscale HxW": (img[:, :, 0], "either"),
        "HxWx1": (img[:, :, :1], "either"),
        "RGBA": (np.dstack([img, img[:, :, :1]]), "either"),
        "0x0x3": (np.zeros((0, 0, 3), np.uint8), "refuse"),
        "None": (None, "refuse"),
        "str": ("abc", "refuse"),
        "int64 values > 255": (img.astype(np.int64) * 1000, "either"),
    }
    for name, (image, expect) in images.items():
        tally.run(f"act(image={name})", partial(ui.act, image, "click"), expect, in_image(image))
    texts = {
        "empty": "", "100k chars": "click " * 20000, "lone surrogate": "click \ud800 it",
        "NUL and ESC": "\x00\x1b[2J", "emoji": "👩‍💻 click", "None": None, "int": 123,
    }  # fmt: skip
    for name, text in texts.items():
        expect = "refuse" if not isinstance(text, str) else "either"
        tally.run(f"act(instruction={name})", partial(ui.act, img, text), expect, in_image(img))
    states = {
        "NaN": (np.full(14, NAN, np.float32), "refuse"),
        "inf": (np.full(14, INF, np.float32), "refuse"),
        "3 values (trained on 14)": (np.zeros(3, np.float32), "refuse"),
        "13 values (trained on 14)": (np.zeros(13, np.float32), "refuse"),
        "100 values": (np.zeros(100, np.float32), "refuse"),
        "str": ("abc", "refuse"),
        "2-D": (np.zeros((2, 7), np.float32), "refuse"),
        "14 values": (np.zeros(14, np.float32), "accept"),
    }
    for name, (state, expect) in states.items():
        tally.run(f"act(state={name})", partial(robot.act, img, "reach", state), expect,
                  action_invariants)  # fmt: skip


def fuzz_robot(tally: Any, seed: int, n: int) -> None:
    """``env.step`` of ``vla/panda-reach-v0`` with hostile actions; accepted steps must leave a
    finite state."""
    import gymnasium as gym

    import vla.envs  # noqa: F401  (registers the ids)
    from vla.actions import Click, EEDelta

    env = gym.make("vla/panda-reach-v0", render_images=False)
    rng = np.random.default_rng(seed)

    def finite(out: Any) -> str | None:
        return None if np.all(np.isfinite(out[0]["state"])) else "non-finite state"

    from gymnasium.error import ResetNeeded

    tally.run("step before reset", partial(env.step, np.zeros(7)), "refuse",
              errors=(ValueError, RuntimeError, ResetNeeded))  # fmt: skip
    env.reset(seed=seed)
    for _ in range(n):
        length = int(rng.choice([7, 7, 7, 0, 3, 8]))
        values = rng.normal(0, 0.05, length)
        if length == 7:
            values[6] = rng.random()  # a gripper opening in [0, 1]
        if length and rng.random() < 0.5:  # huge values are clipped; NaN and inf refused
            values[int(rng.integers(0, length))] = rng.choice([NAN, INF, -INF, 1e300, -1e300])
        bad = length != 7 or not np.all(np.isfinite(values))
        # A gripper outside [0, 1] is refused by EEDelta (the env's docstring says clipped).
        expect = "refuse" if bad else "either" if not 0 <= values[6] <= 1 else "accept"
        tally.run(f"step({values.tolist()})", partial(env.step, values), expect, finite)
    bypassed = EEDelta((0.0, 0.0, 0.0))
    object.__setattr__(bypassed, "xyz", (NAN, 0.0, 0.0))
    for name, action in {
        "EEDelta with NaN behind the dataclass": bypassed, "Click": Click(1, 1), "None": None,
        "str": "0,0,0,0,0,0,1", "dict": {"xyz": [0, 0, 0]}, "(7, 1) array": np.zeros((7, 1)),
        "nested list": [[0] * 7], "object": object(),
    }.items():  # fmt: skip
        expect = "either" if name in ("(7, 1) array", "nested list") else "refuse"
        tally.run(f"step({name})", partial(env.step, action), expect, finite)
    env.close()


def cli_cases(tmp: Path) -> list[tuple[str, list[str], dict[str, str]]]:
    """``(name, argv, extra env)`` of command lines that must fail with one clean line."""
    garbage = tmp / "garbage"
    (garbage / "meta").mkdir(parents=True)
    (garbage / "meta" / "info.json").write_text("{not json")
    out = str(tmp / "out")
    no_display = {"DISPLAY": "", "WAYLAND_DISPLAY": ""}
    click_env = "vla/miniwob-click-test-v0"
    # A shipped checkpoint, so that a case reaches the check it is about.
    return [
        ("unknown option", ["--bogus"], {}),
        ("run: unknown env", ["run", "--env", "vla/miniwob-nope-v0", "--policy", TINY_UI], {}),
        ("run: missing checkpoint", ["run", "--env", click_env, "--policy", "/nonexistent"], {}),
        ("run: negative max-steps", ["run", "--env", click_env, "--policy", TINY_UI, "--max-steps", "-1"], {}),
        ("run: desktop without DISPLAY", ["run", "--desktop", "--policy", TINY_UI, "--instruction", "i"], no_display),
        ("run: negative region", ["run", "--desktop", "--policy", TINY_UI, "--instruction", "i", "--region", "0,0,-5,5"], {}),
        ("run: short region", ["run", "--desktop", "--policy", TINY_UI, "--instruction", "i", "--region", "1,2"], {}),
        ("eval: missing checkpoint", ["eval", "--policy", "/nonexistent", "--env", click_env, "--episodes", "1"], {}),
        ("eval: unknown env", ["eval", "--policy", TINY_UI, "--env", "not-an-env", "--episodes", "1"], {}),
        ("eval: negative episodes", ["eval", "--policy", TINY_UI, "--env", click_env, "--episodes", "-3"], {}),
        ("eval: episodes not a number", ["eval", "--env", click_env, "--episodes", "abc"], {}),
        ("eval: zero workers", ["eval", "--policy", TINY_UI, "--env", click_env, "--episodes", "1", "--workers", "0"], {}),
        ("collect: unknown env", ["collect", "--env", "vla/miniwob-nope-v0", "--episodes", "1", "--out", out], {}),
        ("collect: bad env-kwargs JSON", ["collect", "--env", click_env, "--episodes", "1", "--out", out, "--env-kwargs", "{bad"], {}),
        ("collect: zero episodes", ["collect", "--env", click_env, "--episodes", "0", "--out", out], {}),
        ("collect: not an env class", ["collect", "--env", "json:loads", "--episodes", "1", "--out", out, "--workers", "0"], {}),
        ("train: missing dataset", ["train", "--dataset", "/nonexistent", "--out", out], {}),
        ("train: corrupt info.json", ["train", "--dataset", str(garbage), "--out", out, "--steps", "1"], {}),
        ("train: bad --set", ["train", "--dataset", "/nonexistent", "--set", "nonsense"], {}),
        ("dataset info: missing", ["dataset", "info", "/nonexistent"], {}),
        ("dataset info: corrupt info.json", ["dataset", "info", str(garbage)], {}),
        ("dataset verify: corrupt info.json", ["dataset", "verify", str(garbage)], {}),
        ("tasks: unknown domain", ["tasks", "--domain", "moon"], {}),
        ("demo: negative episodes", ["demo", "--episodes", "-1", "--out", out], {}),
    ]  # fmt: skip
