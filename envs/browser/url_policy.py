"""Which URLs ``vla/browser-v0`` may load: an allow-list of schemes and hosts, and the
folders under which ``file:`` URLs may load.

The env enforces the policy on every navigation of every frame, whatever caused it (``reset``,
a click on a link, a redirect, a script); see :mod:`vla.envs.browser.navigation`.

By default ``http``, ``https`` and ``data`` URLs load from any host, plus ``about:blank`` and
``about:srcdoc``. Everything else is blocked: ``file:`` (until you name roots), ``chrome:``,
``chrome-extension:``, ``view-source:``, ``javascript:``, ``ftp:``, ``blob:``, ``ws:``,
other ``about:`` pages (Chromium maps them to ``chrome:``) and malformed URLs.

```python
URLPolicy(hosts=("127.0.0.1", "*.example.com"), file_roots=("/home/me/site",))
```
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

__all__ = ["URLPolicy"]

_ABOUT_PAGES = ("about:blank", "about:srcdoc")
# Schemes that are never host-based or that read the machine itself; they cannot be listed
# in ``schemes`` (``file`` is allowed through ``file_roots``).
_NOT_LISTABLE = ("file", "about")


@dataclass(frozen=True)
class URLPolicy:
    """An allow-list for the URLs a browser env may load.

    Args:
        schemes: URL schemes allowed (lower case, no colon), e.g. ``("https",)``. ``http``,
            ``https`` and ``ws``/``wss`` URLs must also pass ``hosts``.
        hosts: host names allowed for host-based schemes; ``"*.example.com"`` allows
            ``example.com`` and its subdomains. ``None`` allows every host.
        file_roots: folders under which ``file:`` URLs may load (symbolic links resolved, so
            ``..`` or a link cannot leave a root). Empty: ``file:`` is blocked.
    """

    schemes: tuple[str, ...] = ("http", "https", "data")
    hosts: tuple[str, ...] | None = None
    file_roots: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.schemes, str) or not all(isinstance(s, str) for s in self.schemes):
            raise ValueError(f"Got {self.schemes!r} for `schemes`; it must be a tuple of str")
        for s in self.schemes:
            if s != s.lower() or not s or ":" in s:
                raise ValueError(
                    f"Got {s!r} in `schemes`; schemes are lower case without ':', e.g. 'https'"
                )
            if s in _NOT_LISTABLE:
                raise ValueError(
                    f"Got {s!r} in `schemes`; allow file: URLs with `file_roots` "
                    "(about:blank and about:srcdoc are always allowed)"
                )
        if self.hosts is not None and (
            isinstance(self.hosts, str) or not all(isinstance(h, str) and h for h in self.hosts)
        ):
            raise ValueError(f"Got {self.hosts!r} for `hosts`; it must be None or a tuple of str")
        roots = []
        for root in self.file_roots:
            if not isinstance(root, (str, os.PathLike)) or not os.path.isdir(root):
                raise ValueError(f"Got {root!r} in `file_roots`; each must be an existing folder")
            roots.append(os.path.realpath(root))
        object.__setattr__(self, "schemes", tuple(self.schemes))
        object.__setattr__(self, "hosts", None if self.hosts is None else tuple(self.hosts))
        object.__setattr__(self, "file_roots", tuple(roots))

    def check(self, url: str) -> str | None:
        """``None`` when ``url`` may load, else the reason it may not (one short phrase)."""
        if url in _ABOUT_PAGES:
            return None
        try:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            host = (parts.hostname or "").lower()
            _ = parts.port  # parsed lazily: raises for a port out of range or not a number
        except ValueError as e:  # e.g. an unclosed IPv6 bracket, a bad port
            return f"malformed URL ({e})"
        if not scheme or any(c in url for c in "\r\n\t"):
            return "malformed URL"
        if scheme == "file":
            return self._check_file(host, parts.path)
        if scheme not in self.schemes:
            return f"scheme {scheme!r} is not allowed (allowed: {', '.join(self.schemes)})"
        if scheme in ("http", "https", "ws", "wss"):
            if not host:
                return "malformed URL (no host)"
            if not self._host_allowed(host):
                return f"host {host!r} is not allowed"
        return None

    def _host_allowed(self, host: str) -> bool:
        if self.hosts is None:
            return True
        for pattern in self.hosts:
            p = pattern.lower()
            if p.startswith("*."):
                if host == p[2:] or host.endswith(p[1:]):
                    return True
            elif host == p:
                return True
        return False

    def _check_file(self, host: str, path: str) -> str | None:
        if not self.file_roots:
            return "file: URLs are blocked (name folders in `file_roots` to allow them)"
        if host not in ("", "localhost"):
            return f"file: URL on host {host!r} is not allowed"
        real = os.path.realpath(unquote(path) or "/")
        for root in self.file_roots:
            if os.path.commonpath([real, root]) == root:
                return None
        return f"file {real!r} is outside the allowed roots"
