"""The wire format on its own: openpi's array encoding and request validation."""

from __future__ import annotations

import msgpack
import numpy as np
import pytest

from vla.actions import RobotSpace, UISpace
from vla.serving.fuzz import hostile_messages
from vla.serving.wire import WireError, dumps, loads, parse_request, space_from_dict, space_to_dict

IMAGE = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)


def test_arrays_use_openpi_msgpack_numpy_layout() -> None:
    raw = msgpack.unpackb(dumps({"image": IMAGE, "x": np.float32(1.5)}))
    assert raw["image"] == {
        b"__ndarray__": True,
        b"data": IMAGE.tobytes(),
        b"dtype": "|u1",
        b"shape": [2, 3, 3],
    }
    assert raw["x"] == {b"__npgeneric__": True, b"data": 1.5, b"dtype": "<f4"}
    back = loads(dumps({"image": IMAGE, "state": np.ones(3, np.float32)}))
    np.testing.assert_array_equal(back["image"], IMAGE)
    assert back["state"].dtype == np.float32


def test_openpi_packer_output_is_understood() -> None:
    """Frames packed the way openpi's client packs them (its default hook) parse here."""

    def openpi_pack(obj):  # openpi_client.msgpack_numpy.pack_array, restated
        if isinstance(obj, np.ndarray):
            return {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str,
                    b"shape": obj.shape}  # fmt: skip
        return obj

    frame = msgpack.Packer(default=openpi_pack).pack({"image": IMAGE, "instruction": "go"})
    req = parse_request(loads(frame, arrays=False))
    np.testing.assert_array_equal(req.image, IMAGE)
    assert req.instruction == "go" and req.state is None and req.space is None


def test_request_fields_are_checked() -> None:
    ok = {"image": IMAGE, "instruction": "click", "state": [0.1, 0.2], "id": "a1"}
    req = parse_request(loads(dumps(ok), arrays=False))
    assert req.id == "a1" and req.state.dtype == np.float32 and req.state.shape == (2,)
    for bad, field in [
        ({**ok, "extra": 1}, "message"),
        ({**ok, "image": IMAGE.astype(np.float32)}, "image"),
        ({**ok, "instruction": " "}, "instruction"),
        ({**ok, "state": [float("inf")]}, "state"),
        ({**ok, "space": {"kind": "ui", "verbs": ["fly"]}}, "space"),
        ({**ok, "id": 1.5}, "id"),
    ]:
        with pytest.raises(WireError) as err:
            parse_request(loads(dumps(bad), arrays=False))
        assert str(err.value).startswith(f"{field}: "), err.value


@pytest.mark.parametrize("space", [UISpace(), UISpace(("click", "type")), RobotSpace(),
                                   RobotSpace("joint_target", 9)])  # fmt: skip
def test_space_round_trip(space) -> None:
    assert space_from_dict(loads(dumps(space_to_dict(space)))) == space


def test_hostile_messages_are_refused_by_the_parser() -> None:
    valid = {"image": IMAGE, "instruction": "click"}
    for frame, field in hostile_messages(valid, 500, seed=1, ui_only=False):
        with pytest.raises(WireError) as err:
            parse_request(loads(frame, arrays=False))
        assert str(err.value).startswith(f"{field}: "), (field, err.value)


@pytest.mark.parametrize("depth", [500, 1000, 1023, 1100, 5000])
def test_deeply_nested_messages_are_refused_not_crashing(depth: int) -> None:
    """Found by the 10k fuzz: ~1000 nested lists decode, and a plain repr() of them overflows."""
    with pytest.raises(WireError, match=r"^message: "):
        parse_request(loads(b"\x91" * depth + b"\x00", arrays=False))
