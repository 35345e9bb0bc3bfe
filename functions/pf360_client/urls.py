"""The URL rules for a PF360 or weather base URL. A base URL receives a bearer token, so it is read
the way `requests` will connect, and anything that two parsers could read differently is refused
rather than interpreted. Settings check with it; HttpTransport checks again."""

from __future__ import annotations

import ipaddress
import re
import string
from urllib.parse import urlsplit

_URL_CHARS = frozenset(string.ascii_letters + string.digits + "-._~:/[]%!$&'()*+,;=")
_URL_SHAPE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/]*)(?P<path>/.*)?")
_HOST_PORT = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")  # resolvers read such hosts as IPv4 (0x7f000001, 127.1)
_ALLOWED = "ASCII letters, digits and -._~:/[]%!$&'()*+,;="


def url_problems(name: str, url: str) -> list[str]:
    """What is wrong with an http(s) base URL (empty: nothing). HttpTransport re-checks with it."""
    if "@" in url:
        # Userinfo, or a trick that looks like it: never echo it, it may hold a credential.
        return [f"{name}=<redacted> must not contain '@': no credentials in URLs"]
    if "?" in url or "#" in url:
        return [f"{name}={url!r} must not carry a query or fragment"]
    if not set(url) <= _URL_CHARS:
        return [f"{name}={url!r} may hold only {_ALLOWED} (no spaces, control characters or backslashes)"]
    shape = _URL_SHAPE.fullmatch(url)
    if shape is None or shape["scheme"].lower() not in ("http", "https"):
        return [f"{name}={url!r} must be an http(s) URL"]
    if not shape["authority"]:
        return [f"{name}={url!r} has no host"]
    readings = _readings(url)
    if not readings:
        return [f"{name}={url!r} cannot be parsed as a URL"]
    if len(set(readings)) != 1:
        return [f"{name}={url!r} is read differently by URL parsers; write the host and port plainly"]
    scheme, host, _ = readings[0]
    problem = _authority_problem(shape["authority"])
    if problem:
        return [f"{name}={url!r} {problem}"]
    if scheme == "http" and not _is_loopback(host):
        # A bearer token must not cross a network in clear text; plain http is for the local simulator.
        return [f"{name}={url!r} uses http to a non-loopback host; use https"]
    return []


def _readings(url: str) -> list[tuple[str, str, int | None]]:
    """(scheme, host, port) as urlsplit, urllib3 and requests (the URL it connects to) read them."""
    from requests.models import PreparedRequest  # loaded by the first check, not with the module
    from urllib3.util import parse_url

    try:
        prepared = PreparedRequest()
        prepared.prepare_url(url, None)
        readings = []
        for parts in (urlsplit(url), urlsplit(prepared.url or "")):
            readings.append((parts.scheme.lower(), parts.hostname or "", parts.port))
        u3 = parse_url(url)
        readings.append(((u3.scheme or "").lower(), (u3.host or "").strip("[]").lower(), u3.port))
    except ValueError:  # urllib3's LocationParseError and requests' InvalidURL are ValueErrors
        return []
    return readings


def _authority_problem(authority: str) -> str | None:
    match = _HOST_PORT.fullmatch(authority)
    if match is None:
        return "must name a host (DNS name, IPv4 or [IPv6]) and an optional port, nothing else"
    host, port = match["host"].lower(), match["port"]
    if port is not None and not 1 <= int(port) <= 65535:
        return "has a port outside 1-65535"
    if host.startswith("["):
        return None if isinstance(_ip(host[1:-1]), ipaddress.IPv6Address) else "has an invalid IPv6 address"
    labels = host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        return None if _ip(host) else "must write an IPv4 address as four plain decimal numbers"
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return "has an invalid host name"
    return None


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address = _ip(host)
    return host == "localhost" if address is None else address.is_loopback
