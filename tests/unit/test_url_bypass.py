"""Issue 7, defect 2: a base URL that one parser reads as loopback while `requests` connects elsewhere.

Everything here is validation: no test opens a socket (unit tests run with the network blocked).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from requests.models import PreparedRequest

from pf360_client.errors import SettingsError
from pf360_client.settings import Settings
from pf360_client.transport import HttpTransport
from pf360_client.urls import url_problems

REAL = {"USE_MOCK_API": "false", "PF360_CREDENTIALS_SECRET": "pf360/dev/credentials"}
BYPASS = "http://evil.example:9999\\@127.0.0.1"

ALLOWED = [
    "http://127.0.0.1:8360",
    "http://127.0.0.2:8360",  # all of 127.0.0.0/8 is loopback
    "http://localhost:8360",
    "http://LOCALHOST:8360",
    "HTTP://127.0.0.1",  # schemes and host names are case-insensitive; every parser agrees
    "http://[::1]:8360",
    "http://[0:0:0:0:0:0:0:1]",
    "http://127.0.0.1:8360/base/path",
    "https://api.example.com",
    "https://api.example.com:443/v1",
    "https://127.0.0.1.evil.com",  # a real DNS name: fine over TLS
    "https://api-cx-portal.projectsforce.com",
]

REFUSED = [
    # userinfo, or a trick that makes one parser see it: '@' is refused outright
    BYPASS,
    "http://127.0.0.1@evil.example",
    "http://evil.example#@127.0.0.1",
    "http://evil.example?@127.0.0.1",
    "http://user:pw@127.0.0.1",
    "https://user:pw@api.example.com",
    "http://@127.0.0.1",
    # plain http to a name that merely starts like loopback
    "http://127.0.0.1.evil.com",
    "http://localhost.evil.com",
    "http://localhost.",
    "http://[::ffff:127.0.0.1]",  # IPv4-mapped: not a loopback address to every resolver
    # whitespace, control characters, backslashes, non-ASCII
    "http://127.0.0.1\t.evil.com",
    "http://127.0.0.1\n.evil.com",
    "http://127.0.0.1 .evil.com",
    "http://127.0.0.1\x00.evil.com",
    "http://evil.example\\127.0.0.1",
    "http://127。0。0。1",  # ideographic full stops: IDNA would map them to dots
    "https://bücher.example",
    # IPv4 written in ways resolvers and parsers disagree on
    "http://0x7f000001",
    "http://2130706433",
    "http://127.1",
    "http://0177.0.0.1",
    "http://%31%32%37.0.0.1",  # urllib3 decodes the host, urlsplit does not
    "http://127.0.0.1%2f.evil.com",
    "http://[::1%25eth0]",
    # ports
    "http://127.0.0.1:0",  # requests drops port 0 and would connect to 80
    "http://127.0.0.1:99999",
    "http://127.0.0.1:abc",
    "http://127.0.0.1:8360:9",
    # query, fragment, scheme, host
    "https://api.example.com?key=1",
    "https://api.example.com#top",
    "https://api.example.com/?",
    "ftp://api.example.com",
    "file:///etc/passwd",
    "api.example.com",
    "http:127.0.0.1",
    "http://",
    "http:///path",
    "https://*.example.com",
    "https://a..example.com",
]


def test_url_bypass_the_reported_url_would_reach_another_host() -> None:
    # Given the URL from the report: urlsplit sees 127.0.0.1
    assert urlsplit(BYPASS).hostname == "127.0.0.1"
    # When requests prepares it, the host it will connect to is the other one
    prepared = PreparedRequest()
    prepared.prepare_url(BYPASS + "/scheduler", None)
    assert urlsplit(prepared.url).hostname == "evil.example"
    # Then settings refuse it
    with pytest.raises(SettingsError, match="API_BASE_URL"):
        Settings.from_env({**REAL, "API_BASE_URL": BYPASS})


@pytest.mark.parametrize("url", ALLOWED)
@pytest.mark.parametrize("variable", ["API_BASE_URL", "WEATHER_API_URL"])
def test_url_bypass_table_allowed(variable: str, url: str) -> None:
    settings = Settings.from_env({**REAL, variable: url})
    assert url in (settings.base_url, settings.weather_url)


@pytest.mark.parametrize("url", REFUSED)
@pytest.mark.parametrize("variable", ["API_BASE_URL", "WEATHER_API_URL"])
def test_url_bypass_table_refused(variable: str, url: str) -> None:
    # When settings read the URL
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({**REAL, variable: url})
    # Then exactly one problem names the variable
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(variable)


@pytest.mark.parametrize(
    "url", ["http://user:s3cr3t-pw@127.0.0.1", "https://tok3n-value@api.example.com", BYPASS]
)
def test_url_bypass_credentials_in_a_url_are_never_echoed(url: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({**REAL, "API_BASE_URL": url})
    message = str(caught.value)
    assert "no credentials in URLs" in message
    for secret in ("s3cr3t-pw", "tok3n-value", "evil.example", "@127", "@api"):
        assert secret not in message


@pytest.mark.parametrize("url", [BYPASS, "http://10.0.0.5:8080", "http://127.0.0.1:0"])
def test_url_bypass_http_transport_refuses_what_settings_would(url: str) -> None:
    # Defence in depth: a transport built by hand gets the same check
    assert url_problems("base_url", url)
    with pytest.raises(ValueError, match="base_url") as caught:
        HttpTransport(url, (1.0, 1.0), None)
    assert "evil.example" not in str(caught.value)


def test_url_bypass_the_shipped_base_urls_pass() -> None:
    for environment in ("dev", "staging", "prod"):
        settings = Settings.from_env({**REAL, "API_ENVIRONMENT": environment})
        assert url_problems("API_BASE_URL", settings.base_url) == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:8360", "HTTP://127.0.0.1:8360", "http://[::1]:8360"])
def test_url_bypass_plain_http_never_goes_through_a_proxy(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a proxy in the environment (a bearer token over plain http through it would cross a network)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("http_proxy", "http://proxy.invalid:3128")
    transport = HttpTransport(url, (1.0, 1.0), None)
    # When requests works out how it would send to the loopback simulator, Then no proxy is used
    chosen = transport.session.merge_environment_settings(url + "/x", {}, None, None, None)
    assert not chosen["proxies"]


def test_https_still_honours_the_environment_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a proxy for https (deployments may need one to reach PF360)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    transport = HttpTransport("https://api.example.com", (1.0, 1.0), None)
    chosen = transport.session.merge_environment_settings("https://api.example.com/x", {}, None, None, None)
    assert chosen["proxies"].get("https") == "http://proxy.invalid:3128"
