"""The PF360 simulator: the fake PF360 over real HTTP, at the real API's paths and headers.

Requests are authenticated (`Authorization: Bearer <token>`, `Client_Id` matching the path), parsed
into the same envelope the client builds and validated against the same schemas. Faults are injected
per operation (see `faults.py`) and can be changed at run time through the admin endpoints:

    GET  /_sim/health            liveness
    GET  /_sim/faults            the fault plan with remaining counts
    PUT  /_sim/faults            replace it (body: a fault profile); DELETE clears it
    POST /_sim/reset             back to the seeded state; clears the call log
    POST /_sim/release           let requests held by `hold` faults go on; GET /_sim/holding counts them
    PUT  /_sim/token             {"token": "..."}: the bearer token accepted from now on
    POST /_sim/clock             {"advance_seconds": N}: move the fake's clock forward
    GET  /_sim/calls             the call log: operation, status, fault, project id (never bodies or headers)
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pf360_client.fake.app import FakeApp
from pf360_client.fake.model import FakePF360
from pf360_client.operations import OPERATIONS, match_route
from scheduling_tooling.pf360_sim.faults import FaultPlan, FaultProfileError, FaultRule

DEFAULT_TOKEN = "local-simulator-token"
_MAX_BODY = 64 * 1024


class Simulator:
    """State shared by the request handlers: the fake, the faults, the accepted token, a call log."""

    def __init__(
        self, seed: int = 1645975, *, faults: FaultPlan | None = None, token: str = DEFAULT_TOKEN
    ) -> None:
        self._clock_offset = timedelta()
        self.model = FakePF360(seed, clock=self.now)
        self.app = FakeApp(self.model)
        self.faults = faults or FaultPlan()
        self.token = token
        self.calls: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._gate = threading.Event()  # `hold` faults wait for it
        self.holding = 0  # requests held right now

    def hold(self, seconds: float) -> None:
        """Hold a request until `release()` (or `seconds`): lets a test act while a call is in flight."""
        gate = self._gate
        with self._lock:
            self.holding += 1
        try:
            gate.wait(seconds)
        finally:
            with self._lock:
                self.holding -= 1

    def release(self) -> None:
        """Let held requests go on, and any `hold` that comes later too, until the next fault plan
        (so a release can never miss a request that had not arrived yet)."""
        self._gate.set()

    def new_gate(self) -> None:
        self._gate.set()
        self._gate = threading.Event()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        self._clock_offset += timedelta(seconds=seconds)

    def record(self, operation: str, status: int | None, fault: str | None, project_id: str | None) -> None:
        with self._lock:
            self.calls.append(
                {"operation": operation, "status": status, "fault": fault, "project_id": project_id}
            )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # the default backlog of 5 drops connections under load
    simulator: Simulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client's pooled connections are reused
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # the default prints every request
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # --- dispatch -----------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        sim = self.server.simulator
        url = urlsplit(self.path)
        self._fault_kind: str | None = None  # one handler serves every request of a keep-alive connection
        try:
            raw_body = self._read_body()
        except ValueError as error:
            self._json(400, {"status": "error", "message": str(error)})
            return
        if url.path.startswith("/_sim/"):
            self._admin(method, url.path, raw_body)
            return
        route = match_route(method, url.path)
        if route is None:
            known_path = any(op.path_regex().match(url.path) for op in OPERATIONS.values())
            self._json(405 if known_path else 404, {"status": "error", "message": "Not found"})
            return
        op, path_params = route
        status = self._serve(op.name, op.service, method, path_params, url.query, raw_body)
        sim.record(op.name, status, self._fault_kind, unquote(path_params.get("project_id") or "") or None)

    def _serve(
        self,
        operation: str,
        service: str,
        method: str,
        path_params: dict[str, str],
        query: str,
        raw_body: bytes,
    ) -> int | None:
        sim = self.server.simulator
        if service == "pf360":
            problem = self._auth_problem(path_params.get("client_id"))
            if problem:
                return self._json(*problem)
        fault = sim.faults.next_fault(operation)
        self._fault_kind = fault.kind if fault else None
        envelope, error = _envelope(method, path_params, query, raw_body)
        if error:
            return self._json(400, {"status": "error", "message": error})
        if fault and (answered := self._apply(fault, operation, envelope)) is not False:
            return answered
        answer = sim.app.handle(operation, envelope)
        if fault and fault.kind == "lose_answer":
            return self._json(fault.status, {"status": "error", "message": fault.message})
        return self._json(answer.status, answer.body)

    def _auth_problem(self, client_id: str | None) -> tuple[int, dict[str, str]] | None:
        sim = self.server.simulator
        if self.headers.get("Authorization", "") != f"Bearer {sim.token}":
            return 401, {"status": "error", "message": "Unauthorized"}
        header = self.headers.get("Client_Id")
        if not header:
            return 400, {"status": "error", "message": "Client_Id header is required"}
        if client_id is not None and unquote(client_id) != header:
            return 403, {"status": "error", "message": "Client_Id does not match the requested client"}
        return None

    def _apply(self, fault: FaultRule, operation: str, envelope: dict[str, Any]) -> int | bool | None:
        """Act out a fault. Returns the status answered, None if the connection was dropped, or
        False to go on and answer normally."""
        sim = self.server.simulator
        kind = fault.kind
        if kind == "latency":
            sim.stopping.wait(fault.ms / 1000)
        elif kind == "status":
            return self._json(fault.status, {"status": "error", "message": fault.message})
        elif kind == "rate_limit":
            return self._json(
                429,
                {"status": "error", "message": "Too many requests"},
                {"Retry-After": str(int(fault.retry_after))},
            )
        elif kind == "hold":
            sim.hold(fault.seconds)
        elif kind == "hang":
            sim.stopping.wait(fault.seconds)
            self.close_connection = True
            return None
        elif kind == "reset":
            self._reset_connection()
            return None
        elif kind == "error_body":
            return self._json(200, {"error": fault.message, "message": fault.message})
        elif kind == "bad_json":
            return self._send(200, b"<html>upstream error</html>", "text/html")
        elif kind == "slot_taken" and operation == "confirm_appointment":
            body, path = envelope.get("body", {}), envelope["path"]
            if isinstance(body.get("date"), str) and isinstance(body.get("time"), str):
                sim.model.fill_slot(path["client_id"], body["date"], body["time"])
        elif kind == "expire_request":
            sim.model.expire_requests()
        return False

    # --- admin --------------------------------------------------------------------------------

    def _admin(self, method: str, path: str, raw_body: bytes) -> None:
        sim = self.server.simulator
        try:
            document = json.loads(raw_body) if raw_body else {}
        except json.JSONDecodeError:
            self._json(400, {"message": "admin body must be JSON"})
            return
        if (method, path) == ("GET", "/_sim/health"):
            self._json(200, {"ok": True})
        elif (method, path) == ("GET", "/_sim/faults"):
            self._json(200, sim.faults.describe())
        elif (method, path) == ("PUT", "/_sim/faults"):
            try:
                sim.faults = FaultPlan.parse(document)
            except FaultProfileError as error:
                self._json(400, {"message": str(error)})
                return
            sim.new_gate()
            self._json(200, sim.faults.describe())
        elif (method, path) == ("DELETE", "/_sim/faults"):
            sim.faults = FaultPlan()
            sim.new_gate()
            self._json(200, sim.faults.describe())
        elif (method, path) == ("POST", "/_sim/release"):
            sim.release()
            self._json(200, {"released": True})
        elif (method, path) == ("GET", "/_sim/holding"):
            self._json(200, {"holding": sim.holding})
        elif (method, path) == ("POST", "/_sim/reset"):
            sim.new_gate()
            sim.model.reset()
            sim.calls.clear()
            self._json(200, {"reset": True})
        elif (method, path) == ("PUT", "/_sim/token") and isinstance(document.get("token"), str):
            sim.token = document["token"]
            self._json(200, {"rotated": True})
        elif (method, path) == ("POST", "/_sim/clock") and isinstance(
            document.get("advance_seconds"), int | float
        ):
            sim.advance_clock(float(document["advance_seconds"]))
            self._json(200, {"now": sim.now().isoformat()})
        elif (method, path) == ("GET", "/_sim/calls"):
            self._json(200, {"calls": list(sim.calls)})
        else:
            self._json(404, {"message": f"no admin endpoint {method} {path}"})

    # --- I/O ----------------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self.close_connection = True
            raise ValueError(f"request body larger than {_MAX_BODY} bytes")
        return self.rfile.read(length) if length else b""

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> int:
        return self._send(status, json.dumps(body).encode(), "application/json", headers)

    def _send(
        self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> int:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        return status

    def _reset_connection(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def _envelope(
    method: str, path_params: dict[str, str], query: str, raw_body: bytes
) -> tuple[dict[str, Any], str | None]:
    params = parse_qs(query, keep_blank_values=True)
    if any(len(values) > 1 for values in params.values()):
        return {}, "Invalid request: a query parameter is repeated"
    body: Any = {}
    if method == "POST":
        try:
            body = json.loads(raw_body) if raw_body else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {}, "Invalid request: body is not valid JSON"
        if not isinstance(body, dict):
            return {}, "Invalid request: body must be a JSON object"
    envelope = {
        "path": {k: unquote(v) for k, v in path_params.items()},
        "query": {k: v[0] for k, v in params.items()},
        "body": body,
    }
    return envelope, None


class SimulatorServer:
    """Runs a Simulator on a background thread: `with SimulatorServer() as sim: sim.url`."""

    def __init__(self, simulator: Simulator | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.simulator = simulator or Simulator()
        self._server = _Server((host, port), _Handler)
        self._server.simulator = self.simulator
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SimulatorServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="pf360-simulator", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until shutdown (or KeyboardInterrupt); always releases the port."""
        try:
            self._server.serve_forever()
        finally:
            self.simulator.stopping.set()
            self._server.server_close()

    def stop(self) -> None:
        self.simulator.stopping.set()  # releases hanging requests
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
