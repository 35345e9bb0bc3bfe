"""Transports carry an envelope to PF360 and bring back (status, headers, JSON body).

`InProcessTransport` hands it to the fake PF360 in this process (mock mode). `DisabledWrite` refuses a
write a production deployment has not switched on, sending nothing. `HttpTransport` sends it
with `requests` over a pooled session, with connect and read timeouts on every call, and refreshes
a service credential once on a 401 (a customer's token is never refreshed: they sign in again).
Network failures become typed errors here; HTTP statuses are classified by the client, the same way
for both transports.

`requests` (and the URL rules in settings, which load pydantic) are imported when an HttpTransport is
built, not with this module: the client and the steps that name it import light.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from pf360_client.credentials import CredentialProvider
from pf360_client.errors import PF360CredentialsError, PF360Timeout, PF360Unavailable, PF360WriteDisabled
from pf360_client.operations import Envelope, Operation

if TYPE_CHECKING:  # the fake is loaded by whoever builds one (factory), not by every client
    from pf360_client.fake.app import FakeApp


@dataclass(frozen=True)
class RawResponse:
    status: int
    body: Any  # parsed JSON; None when the body was empty or not JSON
    headers: dict[str, str] = field(default_factory=dict)
    json_ok: bool = True


class Transport(Protocol):
    name: str

    def send(self, op: Operation, envelope: Envelope, client_id: str | None) -> RawResponse: ...


class InProcessTransport:
    name = "mock"

    def __init__(self, app: FakeApp) -> None:
        self.app = app

    def send(self, op: Operation, envelope: Envelope, client_id: str | None) -> RawResponse:
        answer = self.app.handle(op.name, envelope)
        # A JSON round trip, as over the wire: callers never share the fake's objects.
        return RawResponse(answer.status, json.loads(json.dumps(answer.body)), dict(answer.headers))


class DisabledWrite:
    """Stands in for a write whose flag is off in prod: an honest refusal, never an invented success."""

    name = "disabled"
    _WHAT = {
        "confirm_appointment": "booking",
        "cancel_appointment": "cancelling",
        "cancel_reschedule": "rescheduling",
    }

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def send(self, op: Operation, envelope: Envelope, client_id: str | None) -> RawResponse:
        what = self._WHAT.get(op.name, op.name)
        raise PF360WriteDisabled(
            f"{what} by chat is not enabled in this deployment ({self.flag}=false)", operation=op.name
        )


class HttpTransport:
    name = "http"

    def __init__(
        self,
        base_url: str,
        timeout: tuple[float, float],
        credentials: CredentialProvider | None,
        *,
        pool_size: int = 20,
    ) -> None:
        import requests
        from requests.adapters import HTTPAdapter

        from pf360_client.urls import url_problems

        self.base_url = base_url.rstrip("/")
        problems = url_problems("base_url", self.base_url)
        if problems:  # Settings validated it already; this guards any other way of building one
            raise ValueError("; ".join(problems))
        self.timeout = timeout
        self.credentials = credentials  # None: the service takes no PF360 token (weather)
        self.session = requests.Session()
        if urlsplit(self.base_url).scheme.lower() == "http":
            # Plain http is loopback only (settings): never through an HTTP_PROXY, token in clear.
            self.session.trust_env = False
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # The headers PF360's production client sends on every call (PF360_API.md section 2).
        self.session.headers.update(
            {"Accept": "application/json, text/plain, */*", "Content-Type": "application/json"}
        )

    def send(self, op: Operation, envelope: Envelope, client_id: str | None) -> RawResponse:
        response = self._send_once(op, envelope, client_id, refresh=False)
        if response.status == 401 and self.credentials is not None and self.credentials.refreshable:
            response = self._send_once(op, envelope, client_id, refresh=True)  # a rotated service secret
            if response.status == 401:
                raise PF360CredentialsError(
                    "PF360 refused the service credential", operation=op.name, status=401
                )
        return response

    def _send_once(
        self, op: Operation, envelope: Envelope, client_id: str | None, *, refresh: bool
    ) -> RawResponse:
        import requests

        headers = {}
        if self.credentials is not None:
            headers["Authorization"] = f"Bearer {self.credentials.token(refresh=refresh)}"
        if client_id:
            headers["client_id"] = client_id  # lowercase, with an underscore, as PF360 reads it
        url = self.base_url + op.render_path(envelope.get("path", {}))
        try:
            response = self.session.request(
                op.method,
                url,
                params=envelope.get("query") or None,
                json=envelope.get("body") if op.method == "POST" else None,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.exceptions.ConnectTimeout as error:
            raise PF360Unavailable("connect timeout", operation=op.name) from error
        except (requests.exceptions.ReadTimeout, requests.exceptions.Timeout) as error:
            raise PF360Timeout(f"no answer within {self.timeout[1]:g}s", operation=op.name) from error
        except requests.exceptions.ConnectionError as error:
            raise PF360Unavailable(f"connection failed: {type(error).__name__}", operation=op.name) from error
        except requests.exceptions.RequestException as error:
            raise PF360Unavailable(f"request failed: {type(error).__name__}", operation=op.name) from error
        try:
            body = response.json() if response.content else None
            json_ok = True
        except (ValueError, requests.exceptions.JSONDecodeError):
            body, json_ok = None, False
        return RawResponse(response.status_code, body, dict(response.headers), json_ok)
