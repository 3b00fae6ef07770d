"""Grammar-constrained decoding: the grammar accepts every encoding, random models always parse,
batched == one by one, and the cached decoder matches plain ``generate()``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from vla_model_helpers import ROBOT_STATS, tiny_overrides

from vla import Policy
from vla.actions import KEY_NAMES, Click, EEDelta, JointTarget, Key, RobotSpace, Type, UISpace
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.model.decoding import ActionGrammar, GrammarLogitsProcessor, constrained_decode

# What Type.text allows: no control characters but \n and \t, no lone surrogates.
TYPEABLE = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t")
UI_ACTIONS = st.one_of(
    st.builds(
        Click,
        st.floats(0, 159.9),
        st.floats(0, 209.9),
        st.sampled_from(["left", "right", "middle"]),
        st.sampled_from([1, 2, 3]),
    ),
    st.builds(Type, st.text(TYPEABLE, min_size=1, max_size=80)),
    st.builds(
        Key,
        st.lists(st.sampled_from(KEY_NAMES), min_size=1, max_size=6, unique=True).map(tuple),
    ),
)


def random_policy(seed: int = 0, **overrides) -> Policy:
    torch.manual_seed(seed)
    cfg = VLAConfig.from_preset("vla-tiny", **{**tiny_overrides(), **overrides})
    model = VLAForActionPrediction(cfg)
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(ROBOT_STATS)
    return Policy(model, proc, device="cpu")


@pytest.fixture(scope="module")
def policy() -> Policy:
    return random_policy()


@settings(max_examples=200, deadline=None)
@given(UI_ACTIONS)
def test_grammar_accepts_every_encoded_action(action):
    proc = VLAProcessor.from_config(VLAConfig.from_preset("vla-tiny", **tiny_overrides()))
    tok = proc.tokenizer
    grammar = ActionGrammar(tok, UISpace())
    state = grammar.start()
    for token in tok.encode(action, (160, 210)):
        assert grammar.allowed(state)[token], (action, token)
        grammar.advance(state, token)
    assert state.done


def test_grammar_accepts_robot_encodings():
    tok = VLAProcessor.from_config(VLAConfig.from_preset("vla-tiny")).tokenizer
    tok.set_stats(ROBOT_STATS)
    for action, space in (
        (EEDelta((0.01, 0, -0.02), (0, 0.01, 0), 0.3), RobotSpace("ee_delta")),
        (JointTarget([0.5] * 7, 1.0), RobotSpace("joint_target", 7)),
    ):
        g, s = ActionGrammar(tok, space), None
        s = g.start()
        for token in tok.encode(action):
            g.advance(s, token)
        assert s.done


def _random_images(rng: np.random.Generator, n: int, size: tuple[int, int]) -> list[np.ndarray]:
    return [rng.integers(0, 256, (*size, 3), dtype=np.uint8) for _ in range(n)]


def test_1000_random_ui_decodes_all_parse(policy):
    rng = np.random.default_rng(1)
    verbs_seen: set[str] = set()
    for seed in range(10):  # 10 random models x 100 decodes
        p = random_policy(seed)
        images = _random_images(rng, 100, (int(rng.integers(40, 300)), int(rng.integers(40, 300))))
        words = ["click", "type hello", "press enter", "scroll down", "drag it", "done?"]
        actions = p.act_batch(images, [words[i % len(words)] + f" {i}" for i in range(100)])
        assert len(actions) == 100
        h, w = images[0].shape[:2]
        for a in actions:
            verbs_seen.add(a.verb)
            for name in ("x", "x0", "x1"):
                assert getattr(a, name, 0) < w
            for name in ("y", "y0", "y1"):
                assert getattr(a, name, 0) < h
    assert len(verbs_seen) >= 3  # random models really explore the grammar


@pytest.mark.parametrize("space", [RobotSpace("ee_delta"), RobotSpace("joint_target", 7)])
def test_1000_random_robot_decodes_all_parse(space):
    rng = np.random.default_rng(2)
    states = [rng.normal(size=9).astype(np.float32) for _ in range(250)]
    for seed in range(4):
        p = random_policy(seed)
        images = _random_images(rng, 250, (128, 128))
        actions = p.act_batch(images, ["pick up the cube"] * 250, states, [space] * 250)
        assert all(a.verb == space.action and len(a.vector) == space.dims for a in actions)
        assert all(0.0 <= a.gripper <= 1.0 for a in actions)


def test_restricted_ui_space_is_obeyed(policy):
    rng = np.random.default_rng(3)
    images = _random_images(rng, 30, (210, 160))
    acts = policy.act_batch(images, ["go"] * 30, spaces=[UISpace(("click", "done"))] * 30)
    assert {a.verb for a in acts} <= {"click", "done"}


def test_batched_equals_one_by_one_with_mixed_sizes_and_spaces(policy):
    rng = np.random.default_rng(4)
    images = [
        rng.integers(0, 256, (int(rng.integers(30, 250)), int(rng.integers(30, 250)), 3), np.uint8)
        for _ in range(12)
    ]
    texts = ["a" * int(rng.integers(1, 70)) for _ in range(12)]
    states = [rng.normal(size=9).astype(np.float32) if i % 3 == 0 else None for i in range(12)]
    spaces = [RobotSpace("ee_delta") if s is not None else None for s in states]
    together = policy.act_batch(images, texts, states, spaces)
    alone = [
        policy.act(i, t, s, sp) for i, t, s, sp in zip(images, texts, states, spaces, strict=True)
    ]
    assert together == alone


def test_cached_decoder_matches_plain_generate(policy):
    rng = np.random.default_rng(5)
    proc, model = policy.processor, policy.model
    for i in range(6):
        image = _random_images(rng, 1, (210, 160))[0]
        batch = proc([image], [f"instruction number {i}"])
        batch.pop("image_sizes")
        # one verb only (a locator's drag): it joins the prefix pass, the same tokens follow
        space = [UISpace(), UISpace(("click", "scroll", "drag")), UISpace(("drag",))][i % 3]
        grammar = ActionGrammar(proc.tokenizer, space)
        ours = constrained_decode(model, batch, [grammar])[0]
        ref = model.generate(
            **batch,
            logits_processor=[GrammarLogitsProcessor([grammar])],
            max_new_tokens=80,
            do_sample=False,
        )[0].tolist()
        assert ours == ref


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_grammar_never_types_text_the_action_language_refuses(data):
    # A random walk through the `type` branch: every sequence the grammar allows must decode
    # to a Type (no control character, no C1 control, no lone surrogate) and be valid UTF-8
    # (no overlong form or surrogate that would decode to U+FFFD and not round-trip).
    tok = VLAProcessor.from_config(VLAConfig.from_preset("vla-tiny", **tiny_overrides())).tokenizer
    grammar = ActionGrammar(tok, UISpace(verbs=("type",)))
    state = grammar.start()
    while not state.done:
        allowed = grammar.allowed(state).nonzero()[:, 0].tolist()
        grammar.advance(state, data.draw(st.sampled_from(allowed)))
    tokens = grammar.tokens(state)
    action = tok.decode(tokens)
    assert isinstance(action, Type) and tok.encode(action) == tokens


def test_a_forced_verb_joins_the_prefix_pass_and_is_not_fed_again(policy, monkeypatch):
    """A grammar with one verb (the desktop locator's ``drag``): the verb costs no decode step
    of its own, and what follows is what decoding it separately gives."""
    proc, model = policy.processor, policy.model
    image = _random_images(np.random.default_rng(6), 1, (210, 160))[0]
    batch = proc([image], ["find the task"])
    batch.pop("image_sizes")
    grammar = ActionGrammar(proc.tokenizer, UISpace(("drag",)))
    fed: list[list[int]] = []
    step = model.decode_step

    def recording(ids, *args, **kwargs):
        fed.append(ids[0].tolist())
        return step(ids, *args, **kwargs)

    monkeypatch.setattr(model, "decode_step", recording)
    tokens = constrained_decode(model, batch, [grammar])[0]
    verb = proc.tokenizer.verb_id("drag")
    assert tokens[0] == verb and len(tokens) == 6  # drag x0 y0 x1 y1 EOS
    assert len(fed) == 3 and all(verb not in ids for ids in fed)  # x0, y0, x1 fed; y1 -> EOS
    import vla.model.decoding as decoding

    monkeypatch.setattr(decoding, "_forced_start", lambda grammars: [])
    fed.clear()
    assert constrained_decode(model, batch, [grammar])[0] == tokens
    assert len(fed) == 4 and fed[0] == [verb]
