"""The vendor APIs a pilot is collected from: the grammar of ``pilot.sources``.

Each entry names one source and its endpoints, so national clouds (GCC High) and on-premises
appliances work; secrets are never in the file, only the *name* of the environment variable
that holds one:

==============  ==============================================================================
type            keys (defaults)
==============  ==============================================================================
``intune``      ``tenant_id``, ``client_id``, ``secret_env``, ``graph_url``
                (``https://graph.microsoft.com``; GCC High ``https://graph.microsoft.us``),
                ``login_url`` (``https://login.microsoftonline.com``; GCC High
                ``https://login.microsoftonline.us``)
``beyondtrust`` ``site_url``, ``client_id``, ``secret_env``
``teamviewer``  ``token_env``, ``api_url`` (``https://webapi.teamviewer.com``)
``gotoassist``  ``token_env``, ``api_url`` (``https://api.getgo.com``)
==============  ==============================================================================

Every URL is ``https://``, except a loopback address (``127.0.0.1``, ``::1``, ``localhost``),
which the tests use. An optional ``name`` tells two sources of one type apart (default: the
type).

Examples
--------
>>> parse_sources(None)
()
>>> (s,) = parse_sources([{"type": "teamviewer", "token_env": "TV_TOKEN"}])
>>> s.name, s.url("api_url"), s.secret_env
('teamviewer', 'https://webapi.teamviewer.com', 'TV_TOKEN')
>>> try:
...     parse_sources([{"type": "teamviewer", "token_env": "T"},
...                    {"type": "beyondtrust", "site_url": "http://bt.example.com",
...                     "client_id": "c", "secret_env": "S"}])
... except Invalid as e:
...     print(e.path, "|", e.message.split(" — ")[0])
[1].site_url | is not an https:// address ('http://bt.example.com')
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from rhmodel.core.params.structured import Invalid

__all__ = ["SOURCE_TYPES", "Source", "https_or_loopback", "parse_sources"]

#: type → (required keys, {optional key: default}); the secret's key is the one ending in _env.
SOURCE_TYPES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "intune": (
        ("tenant_id", "client_id", "secret_env"),
        {
            "graph_url": "https://graph.microsoft.com",
            "login_url": "https://login.microsoftonline.com",
        },
    ),
    "beyondtrust": (("site_url", "client_id", "secret_env"), {}),
    "teamviewer": (("token_env",), {"api_url": "https://webapi.teamviewer.com"}),
    "gotoassist": (("token_env",), {"api_url": "https://api.getgo.com"}),
}
_URL_KEYS = ("graph_url", "login_url", "site_url", "api_url")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# RFC 3986 appendix B, the one regular expression that splits any URI reference (the core is
# pure: no urllib); the authority is then split into userinfo, host and port.
_URI = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$")
_AUTHORITY = re.compile(r"^(?:([^@]*)@)?(\[[^\]]*\]|[^:]*)(?::(\d*))?$")


@dataclass(frozen=True)
class _Url:
    scheme: str
    userinfo: str | None
    host: str
    query: str | None
    fragment: str | None


def _split(url: str) -> _Url:
    m = _URI.match(url)
    scheme, authority, _path, query, fragment = m.groups() if m else ("", "", "", None, None)
    a = _AUTHORITY.match(authority or "")
    userinfo, host = (a.group(1), a.group(2)) if a else (None, "")
    return _Url((scheme or "").lower(), userinfo, host.strip("[]").lower(), query, fragment)


@dataclass(frozen=True)
class Source:
    """One validated source: its type, its name and its settings (URLs without a trailing
    slash). Hashable, so a resolved parameters file can hold it."""

    type: str
    name: str
    settings: tuple[tuple[str, str], ...]

    def get(self, key: str, default: str = "") -> str:
        """The setting ``key`` (``default`` when absent)."""
        return dict(self.settings).get(key, default)

    def url(self, key: str) -> str:
        """The endpoint ``key`` (``site_url``, ``graph_url``, ...)."""
        return self.get(key)

    @property
    def secret_env(self) -> str:
        """The name of the environment variable holding this source's secret or token."""
        return self.get("secret_env") or self.get("token_env")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def https_or_loopback(url: str) -> bool:
    """Whether ``url`` may be fetched: ``https://``, or ``http://`` to a loopback address.

    >>> https_or_loopback("https://x.blob.core.windows.net/a.zip?sig=1"), https_or_loopback(
    ...     "http://127.0.0.1:8080/a"), https_or_loopback("http://example.com/a")
    (True, True, False)
    """
    parts = _split(url)
    if not parts.host:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.host))


def _check_url(path: str, value: Any) -> str:
    text = str(value).strip() if isinstance(value, str) else None
    if not text:
        raise Invalid(path, f"is not an address ({value!r:.60}) — an https:// URL")
    parts = _split(text)
    # http:// only to a loopback address: a local test server or an appliance's tunnel
    if not https_or_loopback(text):
        raise Invalid(
            path,
            f"is not an https:// address ({text!r:.80}) — an https:// URL "
            "(http:// only for a loopback address such as 127.0.0.1)",
        )
    if parts.userinfo is not None:
        # never echo what may be a password: say where, not what
        raise Invalid(path, "holds a user name or password — put secrets in the *_env variable")
    if parts.query or parts.fragment:
        raise Invalid(path, f"has a query or fragment ({text!r:.80}) — the site's base URL only")
    return text.rstrip("/")


def parse_sources(raw: Any) -> tuple[Source, ...]:
    """Validate ``pilot.sources``: a list of ``{type, ...}`` mappings (see the module).

    Raises
    ------
    Invalid
        With the path of the bad entry or key (``[1].site_url``) and what is accepted.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise Invalid("", f"is not a list of sources ({raw!r:.40}) — {parse_sources.accepted}")
    out: list[Source] = []
    names: set[str] = set()
    for i, entry in enumerate(raw):
        at = f"[{i}]"
        if not isinstance(entry, dict):
            raise Invalid(at, f"is not a mapping ({entry!r:.40}) — {parse_sources.accepted}")
        kind = entry.get("type")
        if kind not in SOURCE_TYPES:
            raise Invalid(
                f"{at}.type",
                f"unknown source type ({kind!r:.40}) — accepted: {', '.join(SOURCE_TYPES)}",
            )
        required, defaults = SOURCE_TYPES[kind]
        allowed = {"type", "name", *required, *defaults}
        for key in entry:
            if key not in allowed:
                # a key such as `secret:` would mean a secret in the file: refuse, unquoted
                raise Invalid(
                    f"{at}.{key}",
                    f"is not a {kind} setting — accepted: {', '.join(sorted(allowed))} "
                    "(secrets only through the *_env variable names)",
                )
        settings: dict[str, str] = dict(defaults)
        for key in required:
            if key not in entry or entry[key] in (None, ""):
                raise Invalid(
                    f"{at}.{key}", f"is missing — a {kind} source needs {', '.join(required)}"
                )
        for key, value in entry.items():
            if key in ("type", "name"):
                continue
            if key in _URL_KEYS:
                settings[key] = _check_url(f"{at}.{key}", value)
            elif key.endswith("_env"):
                if not isinstance(value, str) or not _ENV_NAME.fullmatch(value):
                    raise Invalid(
                        f"{at}.{key}",
                        "is not an environment variable name — the NAME of the variable that "
                        "holds the secret (letters, digits, _), never the secret itself",
                    )
                settings[key] = value
            else:
                if not isinstance(value, str | int) or isinstance(value, bool):
                    raise Invalid(f"{at}.{key}", f"is not text ({value!r:.40}) — an id as text")
                settings[key] = str(value).strip()
        name = entry.get("name", kind)
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise Invalid(f"{at}.name", f"is not a name ({name!r:.40}) — letters, digits, _ . -")
        if name in names:
            raise Invalid(f"{at}.name", f"repeats the source name {name!r} — give each a name:")
        names.add(name)
        out.append(Source(kind, name, tuple(sorted(settings.items()))))
    return tuple(out)


parse_sources.accepted = (  # type: ignore[attr-defined]
    "a list of {type: intune, tenant_id, client_id, secret_env[, graph_url, login_url]} | "
    "{type: beyondtrust, site_url, client_id, secret_env} | {type: teamviewer, token_env"
    "[, api_url]} | {type: gotoassist, token_env[, api_url]}"
)
