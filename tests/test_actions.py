"""The action language refuses what no keyboard types, and from_dict names bad fields."""

from __future__ import annotations

import re

import pytest

from vla.actions import (
    Click,
    Done,
    Drag,
    EEDelta,
    JointTarget,
    Key,
    Scroll,
    Type,
    Wait,
    from_dict,
    to_dict,
)


@pytest.mark.parametrize(
    ("text", "code_point", "index"),
    [
        ("\x00\x1b", "U+0000", 0),
        ("ok\x1b[2J", "U+001B", 2),
        ("line\r\n", "U+000D", 4),
        ("bell\x07", "U+0007", 4),
        ("a\x7f", "U+007F", 1),
        ("next\x85line", "U+0085", 4),
        ("csi\x9b", "U+009B", 3),
        ("lone \ud800 surrogate", "U+D800", 5),
        ("\udfff", "U+DFFF", 0),
    ],
)
def test_type_refuses_control_characters_naming_the_code_point(
    text: str, code_point: str, index: int
) -> None:
    with pytest.raises(
        ValueError, match=rf"Type\.text .* {re.escape(code_point)} at index {index}$"
    ):
        Type(text)


@pytest.mark.parametrize(
    "text",
    ["hello", "two\nlines", "a\tb", "héllo wörld", "東京", "🙂", "👩\u200d💻", "\u00a0nbsp", " "],
)
def test_type_allows_printable_text_newline_and_tab(text: str) -> None:
    assert Type(text).text == text


ALL = [
    Click(1, 2, "right", 2),
    Drag(1, 2, 3, 4),
    Scroll(1, 2, 0, -50),
    Type("hi\n"),
    Key("Control+a"),
    Wait(),
    Done(),
    EEDelta((0.01, 0, 0), (0, 0, 0.1), 0.5),
    JointTarget((0.1, 0.2), 1.0),
]


@pytest.mark.parametrize("action", ALL, ids=lambda a: a.verb)
def test_dict_round_trip(action) -> None:
    assert from_dict(to_dict(action)) == action


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"verb": "click", "x": 1}, ["'click'", "needs", "'y'"]),
        ({"verb": "drag", "x0": 1}, ["'drag'", "'y0'", "'x1'", "'y1'"]),
        ({"verb": "type"}, ["'type'", "needs", "'text'"]),
        ({"verb": "ee_delta", "gripper": 1.0}, ["'ee_delta'", "'xyz'"]),
        ({"verb": "click", "x": 1, "y": 2, "z": 3}, ["'click'", "no field", "'z'"]),
        ({"verb": "wait", "seconds": 2}, ["'wait'", "'seconds'"]),
        ({"verb": "click", "x": None, "y": 2}, ["'click'", "'x'"]),
        ({"verb": "teleport"}, ["unknown action verb", "'teleport'"]),
        ({"verb": ["click"]}, ["unknown action verb"]),
        ({"x": 1}, ["'verb'"]),
        ("click", ["'verb'"]),
    ],
)
def test_from_dict_names_the_verb_and_the_fields(data, words: list[str]) -> None:
    with pytest.raises(ValueError) as err:
        from_dict(data)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_from_dict_ignores_null_columns_of_other_verbs() -> None:
    # Datasets store one sparse struct per row: every verb's fields, null where unused.
    row = {"verb": "type", "text": "a", "x": None, "keys": None, "xyz": None}
    assert from_dict(row) == Type("a")
