"""The PF360 simulator: the fake PF360 over real HTTP, at the real API's paths and headers.

Requests are authenticated (`Authorization: Bearer <token>`, `client_id` matching the path): the
service token, or a customer's token (as PF360's production client sends), which reaches only that
customer's dashboard and projects. They are parsed
into the same envelope the client builds and validated against the same schemas. Faults are injected
per operation (see `faults.py`) and can be changed at run time through the admin endpoints:

    GET  /_sim/health            liveness
    GET  /_sim/faults            the fault plan with remaining counts
    PUT  /_sim/faults            replace it (body: a fault profile); DELETE clears it
    POST /_sim/reset             back to the seeded state; clears the call log
    POST /_sim/release           let requests held by `hold` faults go on; GET /_sim/holding counts them
    PUT  /_sim/token             {"token": "..."}: the service token accepted from now on
    POST /_sim/tokens            {"client_id", "customer_id"}: a token valid for that customer only
    POST /_sim/clock             {"advance_seconds": N}: move the fake's clock forward
    GET  /_sim/calls             the call log: operation, status, fault, project id (never bodies or headers)
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from werkzeug.wrappers import Request, Response

from pf360_client.fake.app import FakeApp
from pf360_client.fake.model import FakePF360
from pf360_client.operations import OPERATIONS, match_route
from scheduling_tooling.http_base import HTTPServerBase, NoAnswer, json_response, raw_headers
from scheduling_tooling.pf360_sim import open_meteo
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
        self.customer_tokens: dict[str, tuple[str, str]] = {}  # token -> (client_id, customer_id)
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

    def issue_token(self, client_id: str, customer_id: str) -> str:
        """A token for one customer, as PF360's sign-in would give the web app."""
        token = "cust-" + secrets.token_urlsafe(24)
        with self._lock:
            self.customer_tokens[token] = (client_id, customer_id)
        return token

    def now(self) -> datetime:
        return datetime.now(UTC) + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        self._clock_offset += timedelta(seconds=seconds)

    def record(self, operation: str, status: int | None, fault: str | None, project_id: str | None) -> None:
        with self._lock:
            self.calls.append(
                {"operation": operation, "status": status, "fault": fault, "project_id": project_id}
            )


class SimulatorServer(HTTPServerBase):
    """Runs a Simulator on a background thread: `with SimulatorServer() as sim: sim.url`."""

    def __init__(self, simulator: Simulator | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.simulator = simulator or Simulator()
        super().__init__(self._answer, host, port, name="pf360-simulator", max_body=_MAX_BODY)

    def serve_forever(self) -> None:
        try:
            super().serve_forever()
        finally:
            self.simulator.stopping.set()

    def _weather(self, request: Request, path: str, query: str) -> Response:
        """Open-Meteo's API (no token, as the real one); faults apply as to any operation."""
        operation = open_meteo.ROUTES[path]
        fault = self.simulator.faults.next_fault(operation)
        outcome: Response | NoAnswer | None = _apply(self.simulator, fault, operation, {}) if fault else None
        if outcome is None:
            outcome = json_response(*open_meteo.answer(path, query, self.simulator.now().date()))
        self.simulator.record(
            operation, getattr(outcome, "status_code", None), fault.kind if fault else None, None
        )
        if isinstance(outcome, NoAnswer):
            raise outcome
        return outcome

    def stop(self) -> None:
        self.simulator.stopping.set()  # releases hanging requests
        super().stop()

    def _answer(self, request: Request) -> Response:
        # The path as sent, not werkzeug's decoded one: path parameters are unquoted one by one.
        url = urlsplit(request.environ["RAW_URI"])
        if url.path.startswith("/_sim/"):
            return _admin(self.simulator, request.method, url.path, request.get_data())
        if url.path in open_meteo.ROUTES and request.method == "GET":
            return self._weather(request, url.path, url.query)
        route = match_route(request.method, url.path, parse_qs(url.query))
        if route is None:
            known_path = any(op.path_regex().match(url.path) for op in OPERATIONS.values())
            return json_response(405 if known_path else 404, {"status": "error", "message": "Not found"})
        op, path_params = route
        fault, outcome = _serve(self.simulator, op.name, request, path_params, url.query)
        status = outcome.status_code if isinstance(outcome, Response) else None
        project_id = unquote(path_params.get("project_id") or "") or None
        self.simulator.record(op.name, status, fault.kind if fault else None, project_id)
        if isinstance(outcome, NoAnswer):
            raise outcome
        return outcome


def _serve(
    sim: Simulator,
    operation: str,
    request: Request,
    path_params: dict[str, str],
    query: str,
) -> tuple[FaultRule | None, Response | NoAnswer]:
    """The answer to an API call (or none), and the fault applied to it if any."""
    envelope, error = _envelope(request.method, path_params, query, request.get_data())
    problem = _auth_problem(sim, request, path_params.get("client_id"), envelope)
    if problem:
        return None, json_response(*problem)
    fault = sim.faults.next_fault(operation)
    if error:
        return fault, json_response(400, {"status": "error", "message": error})
    if fault and (acted := _apply(sim, fault, operation, envelope)) is not None:
        return fault, acted
    answer = sim.app.handle(operation, envelope)
    if fault and fault.kind == "lose_answer":
        return fault, json_response(fault.status, {"status": "error", "message": fault.message})
    return fault, json_response(answer.status, answer.body)


def _auth_problem(
    sim: Simulator, request: Request, client_id: str | None, envelope: dict[str, Any]
) -> tuple[int, dict[str, str]] | None:
    bearer = request.headers.get("Authorization", "")
    token = bearer.removeprefix("Bearer ") if bearer.startswith("Bearer ") else ""
    customer = sim.customer_tokens.get(token)
    if token != sim.token and customer is None:
        return 401, {"status": "error", "message": "Unauthorized"}
    header = raw_headers(request).get("client_id")
    if not header:
        return 400, {"status": "error", "message": "client_id header is required"}
    if client_id is not None and unquote(client_id) != header:
        return 403, {"status": "error", "message": "client_id does not match the requested client"}
    if customer is not None and not _reaches(sim, customer, header, envelope):
        return 403, {"status": "error", "message": "Forbidden"}
    return None


def _reaches(sim: Simulator, customer: tuple[str, str], header: str, envelope: dict[str, Any]) -> bool:
    """A customer's token reaches its own client, dashboard and projects only."""
    client_id, customer_id = customer
    path, body = envelope.get("path") or {}, envelope.get("body") or {}
    if header != client_id or path.get("customer_id", customer_id) != customer_id:
        return False
    project_id = path.get("project_id") or (str(body["project_id"]) if "project_id" in body else None)
    project = sim.model._data.projects.get(project_id or "")
    return project is None or project.customer_id == customer_id  # an unknown one: the API says 404


def _apply(
    sim: Simulator, fault: FaultRule, operation: str, envelope: dict[str, Any]
) -> Response | NoAnswer | None:
    """Act out a fault: the answer to give instead, NoAnswer to give none, or None to go on and
    answer normally."""
    kind = fault.kind
    if kind == "latency":
        sim.stopping.wait(fault.ms / 1000)
    elif kind == "status":
        return json_response(fault.status, {"status": "error", "message": fault.message})
    elif kind == "rate_limit":
        return json_response(
            429,
            {"status": "error", "message": "Too many requests"},
            {"Retry-After": str(int(fault.retry_after))},
        )
    elif kind == "hold":
        sim.hold(fault.seconds)
    elif kind == "hang":
        sim.stopping.wait(fault.seconds)
        return NoAnswer()  # then the connection is dropped
    elif kind == "reset":
        return NoAnswer(reset=True)
    elif kind == "error_body":
        return json_response(200, {"error": fault.message, "message": fault.message})
    elif kind == "bad_json":
        return Response(b"<html>upstream error</html>", 200, content_type="text/html")
    elif kind == "slot_taken" and operation == "confirm_appointment":
        body, path = envelope.get("body", {}), envelope["path"]
        if isinstance(body.get("date"), str) and isinstance(body.get("time"), str):
            sim.model.fill_slot(path["client_id"], body["date"], body["time"])
    elif kind == "review" and operation == "confirm_appointment":
        return json_response(200, {"message": "Your appointment request has been submitted for review"})
    elif kind == "expire_request":
        sim.model.expire_requests()
    return None


def _admin(sim: Simulator, method: str, path: str, raw_body: bytes) -> Response:
    try:
        document = json.loads(raw_body) if raw_body else {}
    except json.JSONDecodeError:
        return json_response(400, {"message": "admin body must be JSON"})
    if (method, path) == ("GET", "/_sim/health"):
        return json_response(200, {"ok": True})
    if (method, path) == ("GET", "/_sim/faults"):
        return json_response(200, sim.faults.describe())
    if (method, path) == ("PUT", "/_sim/faults"):
        try:
            sim.faults = FaultPlan.parse(document)
        except FaultProfileError as error:
            return json_response(400, {"message": str(error)})
        sim.new_gate()
        return json_response(200, sim.faults.describe())
    if (method, path) == ("DELETE", "/_sim/faults"):
        sim.faults = FaultPlan()
        sim.new_gate()
        return json_response(200, sim.faults.describe())
    if (method, path) == ("POST", "/_sim/release"):
        sim.release()
        return json_response(200, {"released": True})
    if (method, path) == ("GET", "/_sim/holding"):
        return json_response(200, {"holding": sim.holding})
    if (method, path) == ("POST", "/_sim/reset"):
        sim.new_gate()
        sim.model.reset()
        sim.calls.clear()
        return json_response(200, {"reset": True})
    if (method, path) == ("POST", "/_sim/tokens"):
        client_id, customer_id = document.get("client_id"), document.get("customer_id")
        if not (isinstance(client_id, str) and isinstance(customer_id, str)):
            return json_response(400, {"message": 'body must be {"client_id": ..., "customer_id": ...}'})
        return json_response(200, {"token": sim.issue_token(client_id, customer_id)})
    if (method, path) == ("PUT", "/_sim/token") and isinstance(document.get("token"), str):
        sim.token = document["token"]
        return json_response(200, {"rotated": True})
    if (method, path) == ("POST", "/_sim/clock") and isinstance(document.get("advance_seconds"), int | float):
        sim.advance_clock(float(document["advance_seconds"]))
        return json_response(200, {"now": sim.now().isoformat()})
    if (method, path) == ("GET", "/_sim/calls"):
        return json_response(200, {"calls": list(sim.calls)})
    return json_response(404, {"message": f"no admin endpoint {method} {path}"})


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
