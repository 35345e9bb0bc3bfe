"""The two local HTTP servers on their shared base (scheduling_tooling/http_base.py), over real sockets:
what werkzeug's own request loop would not give them (keep-alive, answering nothing, a reset, the
`client_id` header, a backlog for hundreds of clients) and the Lambda endpoint's answers."""

from __future__ import annotations

import http.client
import json
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling.local.lambda_endpoint import LambdaEndpoint, LambdaRegistry
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN, SimulatorServer

# A bound on waiting for something that will happen (a busy machine is slow, never wrong).
WITHIN = 30.0
PROJECTS = f"/dashboard/get/{DEMO_CLIENT}/{DEMO_CUSTOMER}"
AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "client_id": DEMO_CLIENT}


@pytest.fixture
def server() -> Iterator[SimulatorServer]:
    with SimulatorServer() as running:
        yield running


def _connect(server: SimulatorServer) -> http.client.HTTPConnection:
    host, port = server.url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=WITHIN)


def _raw_get(server: SimulatorServer, path: str, headers: dict[str, str]) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=WITHIN)
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def _set_faults(server: SimulatorServer, faults: dict[str, Any]) -> None:
    connection = _connect(server)
    connection.request("PUT", "/_sim/faults", body=json.dumps({"faults": faults}))
    assert connection.getresponse().status == 200
    connection.close()


# --- the simulator ------------------------------------------------------------------------------


def test_a_pooled_connection_carries_one_request_after_another(server: SimulatorServer) -> None:
    # Given one client connection
    connection = _connect(server)
    # When it sends a request with a body, then others, on that same connection
    answers, sockets = [], []
    for method, path, body, headers in [
        ("PUT", "/_sim/token", json.dumps({"token": DEFAULT_TOKEN}), {}),
        ("GET", PROJECTS, None, AUTH),
        ("GET", "/_sim/health", None, {}),
    ]:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        answers.append((response.status, response.getheader("Connection"), json.loads(response.read())))
        sockets.append(connection.sock)  # http.client drops its socket after an answer that closes
    # Then each is answered and the connection stays open for the next: one socket carried them all
    assert [(status, header) for status, header, _ in answers] == [(200, None)] * 3
    assert answers[2][2] == {"ok": True}
    assert sockets[0] is not None
    assert sockets == [sockets[0]] * 3
    connection.close()


def test_client_id_is_read_from_its_underscored_header(server: SimulatorServer) -> None:
    # Given the PF360 header as the real API spells it, and the same name with a dash
    connection = _connect(server)
    statuses = {}
    for name in ("client_id", "client-id"):
        connection.request(
            "GET", PROJECTS, headers={"Authorization": AUTH["Authorization"], name: DEMO_CLIENT}
        )
        response = connection.getresponse()
        response.read()
        statuses[name] = response.status
    # Then only the underscored one authenticates (werkzeug's environ leaves it out; the raw headers don't)
    assert statuses == {"client_id": 200, "client-id": 400}


def test_reset_fault_resets_the_connection_without_an_answer(server: SimulatorServer) -> None:
    # Given a reset on the projects endpoint
    _set_faults(server, {"get_projects": [{"kind": "reset", "times": 1}]})
    # When a request arrives, Then the connection is reset (RST), not closed, and nothing is answered
    with _raw_get(server, PROJECTS, AUTH) as sock, pytest.raises(ConnectionResetError):
        sock.recv(1024)


def test_hang_fault_drops_the_connection_without_an_answer(server: SimulatorServer) -> None:
    # Given a hang that lasts no time at all
    _set_faults(server, {"get_projects": [{"kind": "hang", "seconds": 0, "times": 1}]})
    # When a request arrives, Then the connection is closed (FIN) with no byte of answer
    with _raw_get(server, PROJECTS, AUTH) as sock:
        assert sock.recv(1024) == b""


def test_a_body_over_the_limit_is_refused_and_the_connection_closed(server: SimulatorServer) -> None:
    # Given a request body over the simulator's 64 KB
    connection = _connect(server)
    connection.request("POST", "/_sim/reset", body=b"{" + b" " * 70_000 + b"}")
    response = connection.getresponse()
    # Then it is refused unread, and the connection is not kept (its unread bytes would be the next request)
    assert (response.status, response.getheader("Connection")) == (413, "close")
    assert "larger than 65536 bytes" in json.loads(response.read())["message"]


def test_hundreds_of_clients_connect_before_any_is_accepted() -> None:
    # Given a simulator that is listening but not serving yet
    server = SimulatorServer()
    host, port = server.url.removeprefix("http://").split(":")
    try:
        # When 300 clients connect (werkzeug's default backlog, 128, would leave the rest in SYN retries)
        clients = [socket.create_connection((host, int(port)), timeout=5) for _ in range(300)]
        # Then all are connected; once it serves, each gets its answer
        server.start()
        for sock in clients:
            sock.settimeout(WITHIN)
            sock.sendall(f"GET /_sim/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        answers = []
        for sock in clients:
            with sock:
                answers.append(sock.makefile("rb").readline())
        assert answers == [b"HTTP/1.1 200 OK\r\n"] * 300
    finally:
        server.stop()


def test_a_taken_port_raises_instead_of_exiting(server: SimulatorServer) -> None:
    # Given a port in use (werkzeug's own bind prints and calls sys.exit)
    port = int(server.url.rsplit(":", 1)[1])
    # When another server is made on it, Then the caller gets an OSError it can report
    with pytest.raises(OSError, match="in use"):
        SimulatorServer(port=port)


# --- the local Lambda endpoint ------------------------------------------------------------------

HANDLERS = """
import probe_shared

def echo(event, context):
    return {"event": event, "function": context.function_name}

def fail(event, context):
    raise ValueError("no good")

def meet(event, context):
    probe_shared.MEETING.wait()  # both invocations in flight at once
    return {"container": __name__}
"""


@pytest.fixture
def lam(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Lambda client on a local endpoint serving three handlers from a module written for the test."""
    (tmp_path / "probe_handlers.py").write_text(HANDLERS)
    (tmp_path / "probe_shared.py").write_text(
        "import threading\nMEETING = threading.Barrier(2, timeout=30)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    handlers = {name: f"probe_handlers.{name}" for name in ("echo", "fail", "meet")}
    registry = LambdaRegistry(handlers, region="us-east-1", account="123456789012")
    with LambdaEndpoint(registry) as endpoint:
        yield boto3.client(
            "lambda",
            endpoint_url=endpoint.url,
            region_name="us-east-1",
            config=Config(retries={"total_max_attempts": 1}, read_timeout=WITHIN),
        )
    for name in ("probe_handlers", "probe_shared"):
        sys.modules.pop(name, None)


def test_lambda_endpoint_answers_an_invocation(lam: Any) -> None:
    answer = lam.invoke(FunctionName="echo", Payload=json.dumps({"a": 1}))
    assert "FunctionError" not in answer
    assert json.loads(answer["Payload"].read()) == {"event": {"a": 1}, "function": "echo"}


def test_lambda_endpoint_reports_a_handler_exception_as_lambda_does(lam: Any) -> None:
    answer = lam.invoke(
        FunctionName="arn:aws:lambda:us-east-1:123456789012:function:fail", Payload=json.dumps({})
    )
    # HTTP 200, `X-Amz-Function-Error: Unhandled`, the runtime's error body: the ASL matches errorType
    assert (answer["StatusCode"], answer["FunctionError"]) == (200, "Unhandled")
    payload = json.loads(answer["Payload"].read())
    assert (payload["errorType"], payload["errorMessage"]) == ("ValueError", "no good")


def test_lambda_endpoint_refuses_unknown_functions_and_bad_payloads(lam: Any) -> None:
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="nobody", Payload=b"{}")
    with pytest.raises(lam.exceptions.InvalidRequestContentException):
        lam.invoke(FunctionName="echo", Payload=b"not json")


def test_lambda_endpoint_runs_concurrent_invocations_in_separate_containers(lam: Any) -> None:
    # When two invocations of one function are in flight at the same time
    containers: list[str] = []

    def invoke() -> None:
        answer = lam.invoke(FunctionName="meet", Payload=b"{}")
        containers.append(json.loads(answer["Payload"].read())["container"])

    threads = [threading.Thread(target=invoke) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WITHIN)
    # Then each ran in its own copy of the handler's module
    assert len(containers) == 2
    assert len(set(containers)) == 2
