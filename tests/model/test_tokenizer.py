"""ActionTokenizer: vocabulary layout, round trips (hypothesis), clipping, persistence."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vla_model_helpers import ROBOT_STATS

from vla.actions import (
    KEY_NAMES,
    Click,
    Done,
    Drag,
    EEDelta,
    JointTarget,
    Key,
    RobotSpace,
    Scroll,
    Type,
    Wait,
)
from vla.model import ActionTokenizer
from vla.model.tokenization_vla import BYTE_OFFSET, EOS, FLAG_OFFSET, KEY_OFFSET, VERB_OFFSET

SIZES = st.tuples(st.integers(64, 3840), st.integers(64, 2160))  # (width, height)


def make_tok(**kw) -> ActionTokenizer:
    tok = ActionTokenizer(**kw)
    tok.set_stats(ROBOT_STATS)
    return tok


TOK = make_tok()


def unit(draw, size: int) -> float:
    return draw(st.floats(0, size, exclude_max=True, allow_nan=False))


@st.composite
def ui_case(draw):
    w, h = draw(SIZES)
    kind = draw(st.sampled_from(["click", "drag", "scroll", "type", "key", "wait", "done"]))
    if kind == "click":
        a = Click(
            unit(draw, w),
            unit(draw, h),
            draw(st.sampled_from(["left", "right", "middle"])),
            draw(st.sampled_from([1, 2, 3])),
        )
    elif kind == "drag":
        a = Drag(unit(draw, w), unit(draw, h), unit(draw, w), unit(draw, h))
    elif kind == "scroll":
        d = st.floats(-1000, 1000, allow_nan=False)
        a = Scroll(unit(draw, w), unit(draw, h), draw(d), draw(d))
    elif kind == "type":
        typeable = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t")
        a = Type(draw(st.text(typeable, min_size=1, max_size=16)))
    elif kind == "key":
        keys = draw(st.lists(st.sampled_from(KEY_NAMES), min_size=1, max_size=4, unique=True))
        a = Key(tuple(keys))
    else:
        a = Wait() if kind == "wait" else Done()
    return a, (w, h)


def test_vocabulary_layout_is_disjoint_and_documented():
    t = ActionTokenizer()
    assert (BYTE_OFFSET, VERB_OFFSET, FLAG_OFFSET, KEY_OFFSET) == (8, 264, 273, 277)
    assert t.coord_offset == KEY_OFFSET + len(KEY_NAMES)
    assert t.value_offset == t.coord_offset + 1024
    assert t.vocab_size == t.value_offset + 256
    assert t.action_token_range == (VERB_OFFSET, t.vocab_size)
    # default coordinate resolution: 2 px or better on 1920x1080
    assert 1920 / t.coord_bins <= 2 and 1080 / t.coord_bins <= 2


@settings(max_examples=300, deadline=None)
@given(ui_case())
def test_ui_round_trip_within_half_a_bin(case):
    action, (w, h) = case
    ids = TOK.encode(action, (w, h))
    assert ids[-1] == EOS and VERB_OFFSET <= ids[0] < FLAG_OFFSET
    back = TOK.decode(ids, (w, h))
    assert type(back) is type(action)
    half_x, half_y = w / TOK.coord_bins / 2, h / TOK.coord_bins / 2
    half_scroll = TOK.scroll_range / TOK.value_bins
    if isinstance(action, (Click, Scroll)):
        assert abs(back.x - action.x) <= half_x + 1e-9
        assert abs(back.y - action.y) <= half_y + 1e-9
    if isinstance(action, Click):
        assert (back.button, back.count) == (action.button, action.count)
    if isinstance(action, Scroll):
        assert abs(back.dx - action.dx) <= half_scroll + 1e-9
        assert abs(back.dy - action.dy) <= half_scroll + 1e-9
    if isinstance(action, Drag):
        for name, half in (("x0", half_x), ("y0", half_y), ("x1", half_x), ("y1", half_y)):
            assert abs(getattr(back, name) - getattr(action, name)) <= half + 1e-9
    if isinstance(action, (Type, Key, Wait, Done)):
        assert back == action
    assert TOK.encode(back, (w, h)) == ids  # a decoded action is a fixed point


@st.composite
def robot_case(draw):
    kind = draw(st.sampled_from(["ee_delta", "joint_target"]))
    stats = ROBOT_STATS[f"action.{kind}"]
    vals = [
        draw(st.floats(lo, hi, allow_nan=False))
        for lo, hi in zip(stats["q01"], stats["q99"], strict=True)
    ]
    return RobotSpace(kind, n_joints=7).from_vector(vals), stats


@settings(max_examples=200, deadline=None)
@given(robot_case())
def test_robot_round_trip_within_half_a_bin(case):
    action, stats = case
    ids = TOK.encode(action)
    assert len(ids) == 1 + len(action.vector) + 1
    back = TOK.decode(ids)
    assert type(back) is type(action)
    for v, b, lo, hi in zip(action.vector, back.vector, stats["q01"], stats["q99"], strict=True):
        assert abs(v - b) <= (hi - lo) / TOK.value_bins / 2 + 1e-9


def test_out_of_range_values_are_clipped_and_counted():
    tok = make_tok()
    a = tok.decode(tok.encode(Click(500, 20), (160, 210)), (160, 210))
    assert a.x < 160 and tok.clip_counts["coord"] == 1
    big = tok.decode(tok.encode(EEDelta((1.0, 0, 0), (0, 0, 0), 1.0)))
    assert math.isclose(big.xyz[0], 0.05, abs_tol=0.05 / 256 + 1e-9)
    assert tok.clip_counts["value"] == 1
    tok.decode(tok.encode(Scroll(1, 1, 0, 5000), (10, 10)), (10, 10))
    assert tok.clip_counts["scroll"] == 1
    long = tok.decode(tok.encode(Type("x" * 200)))
    assert long == Type("x" * tok.max_text_bytes) and tok.clip_counts["text"] == 1


def test_chunks_encode_and_decode_every_action():
    tok = make_tok(chunk_size=3)
    chunk = [EEDelta((0.01 * i, 0, 0), (0, 0, 0), 1.0) for i in range(3)]
    ids = tok.encode(chunk)
    assert len(ids) == 1 + 3 * 7 + 1
    back = tok.decode_chunk(ids)
    assert [round(a.xyz[0], 3) for a in back] == [0.0, 0.01, 0.02]
    with pytest.raises(ValueError, match="chunk of 3"):
        tok.encode(chunk[:2])


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="coord_bins"):
        ActionTokenizer(coord_bins=1)
    tok = ActionTokenizer()
    with pytest.raises(ValueError, match="set_stats"):
        tok.encode(JointTarget([0.0] * 7, 1.0))
    with pytest.raises(ValueError, match="image_size"):
        tok.encode(Click(1, 2))
    with pytest.raises(ValueError, match="verb"):
        tok.decode([EOS])
    with pytest.raises(ValueError, match="coordinate"):
        tok.decode([tok.verb_id("click"), BYTE_OFFSET, BYTE_OFFSET, EOS], (10, 10))


def test_save_and_load_keep_settings_and_stats(tmp_path):
    tok = make_tok(coord_bins=512, value_bins=128, chunk_size=2)
    tok.save_pretrained(tmp_path)
    back = ActionTokenizer.from_pretrained(tmp_path)
    assert back.to_dict() == tok.to_dict()
    chunk = [JointTarget([0.3] * 7, 0.5)] * 2
    assert back.encode(chunk) == tok.encode(chunk)
