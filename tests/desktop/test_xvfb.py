"""``VirtualDisplay`` owns the display number it reports: a lost race for a number is retried."""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.display


def test_a_number_another_server_holds_is_not_taken_for_won() -> None:
    # Two envs starting at once may draw the same random number. The loser's Xvfb exits a
    # moment after it starts, but the winner's socket already exists: the loser must not take
    # the display for its own (both envs would share one screen, and the loser's windows would
    # go when the winner closes).
    from vla.envs.desktop.xvfb import VirtualDisplay

    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb xauth)")
    winner = VirtualDisplay((320, 240), set_env=False)
    number = int(winner.start()[1:])
    try:
        loser = VirtualDisplay((320, 240), set_env=False)
        assert loser._launch(shutil.which("Xvfb"), number) is False
        assert loser._proc is None
    finally:
        winner.stop()


def test_a_socket_file_is_not_a_server_until_it_listens(tmp_path) -> None:
    # Xvfb binds its socket before it listens; a client connecting in between is refused
    # (seen as `Can't connect to display ":272": [Errno 111] Connection refused` on a busy CPU).
    import socket

    from vla.envs.desktop.xvfb import _accepts

    path = tmp_path / "X7"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        assert path.exists() and not _accepts(path)
        server.listen(1)
        assert _accepts(path)
    finally:
        server.close()
    assert not _accepts(tmp_path / "none")
