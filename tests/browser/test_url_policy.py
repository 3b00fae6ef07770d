"""URLPolicy on its own: what it allows and refuses by default, hosts, file roots, its config
errors (no browser needed)."""

from __future__ import annotations

import pytest

from vla.envs.browser.url_policy import URLPolicy

DEFAULT_ALLOWED = [
    "http://127.0.0.1:8000/a?b=c",
    "https://example.com/",
    "data:text/html,<p>hi there</p>",
    "about:blank",
    "about:srcdoc",
]
DEFAULT_BLOCKED = [
    ("chrome://version", "scheme 'chrome'"),
    ("chrome-extension://abc/x.html", "scheme 'chrome-extension'"),
    ("view-source:http://example.com/", "scheme 'view-source'"),
    ("javascript:alert(1)", "scheme 'javascript'"),
    ("ftp://example.com/", "scheme 'ftp'"),
    ("blob:http://example.com/uuid", "scheme 'blob'"),
    ("about:version", "scheme 'about'"),
    ("file:///etc/passwd", "file: URLs are blocked"),
    ("not a url", "malformed"),
    ("http//missing-colon", "malformed"),
    ("http://", "no host"),
    ("http://[::1", "malformed"),
    ("http://example.com:99999/", "malformed"),
    ("http://example.com/\nx", "malformed"),
]


@pytest.mark.parametrize("url", DEFAULT_ALLOWED)
def test_default_allows(url):
    assert URLPolicy().check(url) is None


@pytest.mark.parametrize(("url", "why"), DEFAULT_BLOCKED)
def test_default_blocks(url, why):
    reason = URLPolicy().check(url)
    assert reason is not None and why in reason


def test_hosts_and_wildcards():
    p = URLPolicy(hosts=("127.0.0.1", "*.example.com"))
    assert p.check("http://127.0.0.1:5/") is None
    assert p.check("https://example.com/") is None
    assert p.check("https://a.b.example.com/") is None
    assert "host 'localhost'" in p.check("http://localhost/")
    assert "host 'badexample.com'" in p.check("https://badexample.com/")
    assert "host 'example.com.evil.org'" in p.check("https://example.com.evil.org/")


def test_file_roots_resolve_dots_and_links(tmp_path):
    root, out = tmp_path / "root", tmp_path / "out"
    root.mkdir()
    out.mkdir()
    (root / "in.html").write_text("x")
    (root / "link").symlink_to(out)
    p = URLPolicy(file_roots=(str(root),))
    assert p.check((root / "in.html").as_uri()) is None
    assert p.check(root.as_uri() + "/") is None  # the root's own listing
    assert "outside" in p.check(root.as_uri() + "/../out/x.html")
    assert "outside" in p.check((root / "link" / "x.html").as_uri())
    assert "outside" in p.check("file:///etc/passwd")
    assert "host" in p.check("file://server/share/x.html")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"schemes": "https"}, "`schemes`"),
        ({"schemes": ("HTTPS",)}, "`schemes`"),
        ({"schemes": ("https:",)}, "`schemes`"),
        ({"schemes": ("file",)}, "`file_roots`"),
        ({"hosts": "example.com"}, "`hosts`"),
        ({"hosts": ("",)}, "`hosts`"),
        ({"file_roots": ("/no/such/folder",)}, "`file_roots`"),
    ],
)
def test_bad_config_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        URLPolicy(**kwargs)
