"""How another process finds what a running `scheduling local up` serves.

The stack's one well-known endpoint (the AWS API, default http://127.0.0.1:5360) also answers
`GET /_local/info` with a small JSON document: the Lambda endpoint, the PF360 simulator (where
customers sign in), the state machine, the tables, the pid, and any further service mounted on the
endpoint (the console). Asking the endpoint itself, rather than reading a state file, cannot find a
stale stack: whatever answers is what runs.

    endpoint = publish(stack)                 # local up, once the stack has started
    endpoint.mount("/console", app, name="console")   # a WSGI app served on the same port
    info = read_info("http://127.0.0.1:5360") # another process; None when nothing listens
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

INFO_PATH = "/_local/info"
DEFAULT_PORT = 5360
KIND = "scheduling-local-stack"  # tells our stack from anything else listening on the port

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class NotALocalStack(Exception):
    """Something answers at the endpoint, but it is not a `scheduling local up` stack."""


@dataclass(frozen=True)
class LocalInfo:
    aws_endpoint: str  # Step Functions, DynamoDB, KMS, Secrets Manager
    lambda_endpoint: str  # Lambda Invoke: the step Lambdas and the agent action groups
    pf360_simulator: str  # PF360 simulator; POST /_sim/tokens signs a customer in
    region: str
    state_machine_arn: str
    tables: dict[str, str]  # key in statemachines/resources.json -> table name
    pid: int
    started_at: str  # ISO 8601, UTC
    env: dict[str, str]  # the `export` lines: what a plain boto3 script needs
    services: dict[str, str] = field(default_factory=dict)  # further services on the endpoint (console)

    def to_json(self) -> dict[str, Any]:
        return {"kind": KIND, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any) -> LocalInfo:
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise ValueError("not a local stack's info")
        names = cls.__dataclass_fields__
        return cls(**{name: value for name, value in data.items() if name in names})


def info_of(stack: Any) -> LocalInfo:
    """The info of a started EmbeddedStack served with `serve_api=True`."""
    resources = stack.resources
    tables = {key: resources.name(table["name"]) for key, table in resources.spec["tables"].items()}
    return LocalInfo(
        aws_endpoint=f"http://127.0.0.1:{stack.api_port}",
        lambda_endpoint=stack.lambdas.url,
        pf360_simulator=stack.simulator.url,
        region=resources.region,
        state_machine_arn=stack.state_machine_arn,
        tables=tables,
        pid=os.getpid(),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        env=stack.client_env(),
    )


class Endpoint:
    """WSGI middleware in front of moto's server app: answers INFO_PATH, routes mounted prefixes to
    their apps, and everything else to moto (the AWS API)."""

    def __init__(self, moto_app: WSGIApp, info: LocalInfo) -> None:
        self.moto_app, self.info = moto_app, info
        self.mounts: dict[str, WSGIApp] = {}

    def mount(self, prefix: str, app: WSGIApp, *, name: str) -> str:
        """Serve `app` under `prefix` on this endpoint and list it in the info as `name`; its URL."""
        prefix = "/" + prefix.strip("/")
        self.mounts[prefix] = app
        url = f"{self.info.aws_endpoint}{prefix}/"
        self.info.services[name] = url
        return url

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == INFO_PATH and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps(self.info.to_json()).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        for prefix, app in self.mounts.items():
            if path == prefix or path.startswith(prefix + "/"):
                environ = {**environ, "SCRIPT_NAME": prefix, "PATH_INFO": path[len(prefix) :]}
                return app(environ, start_response)
        return self.moto_app(environ, start_response)


def publish(stack: Any) -> Endpoint:
    """Answer INFO_PATH on the stack's AWS endpoint from now on.

    moto's ThreadedMotoServer builds its WSGI app inside its thread and offers no way to wrap it;
    werkzeug's server reads `server.app` on every request, so replacing it there takes effect at once.
    """
    server = stack._api_server._server  # EmbeddedStack -> ThreadedMotoServer -> werkzeug server
    endpoint = Endpoint(server.app, info_of(stack))
    server.app = endpoint
    return endpoint


def default_endpoint(port: int = DEFAULT_PORT) -> str:
    return f"http://127.0.0.1:{port}"


def read_info(endpoint: str, *, timeout: float = 2.0) -> LocalInfo | None:
    """What the local stack at `endpoint` serves; None when nothing listens there.
    Raises NotALocalStack when something else answers."""
    session = requests.Session()
    session.trust_env = False  # a loopback stack: an HTTP_PROXY in the environment must not get it
    try:
        answer = session.get(endpoint.rstrip("/") + INFO_PATH, timeout=timeout)
    except requests.ConnectionError:
        return None
    except requests.RequestException as error:
        raise NotALocalStack(f"{endpoint} does not answer like a local stack: {error}") from None
    try:
        return LocalInfo.from_json(answer.json())
    except ValueError:
        raise NotALocalStack(
            f"{endpoint} answers, but not as a `scheduling local up` stack (HTTP {answer.status_code} "
            f"on {INFO_PATH}; a stack from an older version, or another program)"
        ) from None


def port_taken(endpoint: str) -> bool:
    """Whether something already listens on the endpoint's port (binding it would fail)."""
    parts = urlsplit(endpoint)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the stack's server binds
        try:
            probe.bind((parts.hostname or "127.0.0.1", parts.port or 80))
        except OSError:
            return True
    return False
