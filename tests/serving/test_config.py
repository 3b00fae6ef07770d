"""``ServeConfig`` checks itself; the ``vla serve`` command turns flags into it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from vla.cli import main
from vla.serving import ServeConfig


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"host": "0.0.0.0"}, "host"),
        ({"host": "192.168.1.5"}, "host"),
        ({"token": "short"}, "token"),
        ({"port": 70000}, "port"),
        ({"max_batch": 0}, "max_batch"),
        ({"max_wait_ms": -1}, "max_wait_ms"),
        ({"request_timeout_s": 0}, "request_timeout_s"),
        ({"compile": "maybe"}, "compile"),
        ({"threads": -1}, "threads"),
    ],
)
def test_config_errors_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=f"`{field}`"):
        ServeConfig(policy="vla-browser-tiny", **kwargs)


def test_loopback_needs_no_token_and_other_hosts_do() -> None:
    for host in ("127.0.0.1", "::1", "localhost"):
        assert ServeConfig(policy="p", host=host).token is None
    assert ServeConfig(policy="p", host="0.0.0.0", token="a-long-secret").host == "0.0.0.0"


def test_cli_refuses_a_public_host_without_token() -> None:
    result = CliRunner().invoke(
        main, ["serve", "--policy", "vla-browser-tiny", "--host", "0.0.0.0"]
    )
    assert result.exit_code == 2 and "pass --token" in result.output
    help_text = CliRunner().invoke(main, ["--help"]).output
    assert "serve" in help_text and "websockets" in help_text


def test_serve_refuses_a_two_pass_checkpoint_by_name() -> None:
    # vla-desktop-tiny's own model is its locator: served alone it would answer only drags
    from vla.serving import serve

    with pytest.raises(ValueError, match=r"two-pass whole-screen policy .* serve its actor"):
        serve(ServeConfig(policy="vla-desktop-tiny"))
