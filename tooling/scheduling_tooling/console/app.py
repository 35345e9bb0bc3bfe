"""The local web console: one page over a running local stack.

It lists the booking executions (the page polls `api/executions`), shows one execution's timeline
(`ops.timeline`) and its picture (`ops.graph`), and plays the agent's side of a conversation: each
button sends the Bedrock action-group event the agent would send, through the stack's Lambda endpoint
to the same handler Lambdas the agent calls (`AgentClient`), for a customer signed in at the PF360
simulator as the PF web app signs them in.

The app is a werkzeug request -> response function (`Console.answer`), served on its own port by
`ConsoleServer` (http_base, like the other local servers) or mounted on the stack's endpoint as WSGI
(`Console.wsgi`, e.g. `endpoint.mount("/console", console.wsgi, name="console")`). Every URL in the page
is relative, so it works at either place. Nothing is fetched from the internet: the page, its script
and its style sheet are the files in static/.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from botocore.exceptions import BotoCoreError, ClientError
from werkzeug.wrappers import Request, Response

from scheduling_tooling.agent_client import AgentClient
from scheduling_tooling.agent_groups import GROUPS, functions
from scheduling_tooling.http_base import HTTPServerBase, json_response
from scheduling_tooling.local.resources import Resources
from scheduling_tooling.ops import names
from scheduling_tooling.target import Target, local_lambda_client

STATIC = Path(__file__).parent / "static"
_ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/static/console.css": ("console.css", "text/css; charset=utf-8"),
}
_EXECUTION = re.compile(r"/api/executions/([A-Za-z0-9_-]{1,80})(/graph\.svg)?")
_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_STATUSES = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"}
# A page from another site can reach a local port through DNS rebinding (its own name resolving to
# 127.0.0.1); its requests still carry that name as Host, so only loopback names are answered.
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_SEED = 1645975  # EmbeddedStack's default: the simulator `local up` starts holds this seed's customers
_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    # Only our own files run; data from the stack is never markup (the page builds text nodes).
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'",
    "X-Content-Type-Options": "nosniff",
}


@dataclass
class Backend:
    """Where the console reads and acts: the stack's Step Functions, its Lambda endpoint, its simulator."""

    sfn: Any
    state_machine_arn: str
    lambda_url: str
    simulator_url: str
    resources: Resources = field(default_factory=Resources)
    seed: int = _SEED

    @classmethod
    def of_target(cls, target: Target) -> Backend:
        """For the running local stack a `target.Target` (kind "local") describes."""
        return cls(
            target.client("stepfunctions"),
            target.state_machine_arn,
            str(target.lambda_url),
            str(target.simulator_url),
            Resources(region=target.region),
        )

    @classmethod
    def of_stack(cls, stack: Any) -> Backend:
        """For an EmbeddedStack in this process."""
        return cls(
            stack.sfn, stack.state_machine_arn, stack.lambdas.url, stack.simulator.url, stack.resources
        )


class Console:
    """`tries`: how often one agent turn is asked while the answer is "still working" (each ask can
    take the stack's answer deadline), so a turn ends within tries x deadline."""

    def __init__(self, backend: Backend, *, tries: int = 3) -> None:
        self.backend = backend
        self.tries = tries
        self.operations = {name: group for group in GROUPS for name in functions(group)}
        self._tokens: dict[tuple[str, str], str] = {}
        self._clients: dict[str, AgentClient] = {}
        self._lock = threading.Lock()
        self.wsgi = Request.application(self.answer)

    def answer(self, request: Request) -> Response:
        path = request.path
        if request.script_root and not request.environ.get("PATH_INFO"):  # mounted: `/console` -> `/console/`
            return Response(status=308, headers={"Location": request.script_root + "/"})
        try:
            _check_host(request)
            response = self._route(request, path)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            status = 404 if code in ("ExecutionDoesNotExist", "ResourceNotFoundException") else 502
            response = json_response(status, {"message": _one_line(str(error))})
        except BotoCoreError as error:  # the stack stopped answering, or never did
            response = json_response(
                502, {"message": _one_line(f"a call to the local stack failed: {error}")}
            )
        except requests.RequestException as error:
            response = json_response(502, {"message": _one_line(f"the simulator did not answer: {error}")})
        except ConsoleError as error:
            response = json_response(error.status, {"message": str(error)})
        response.headers.update(_SECURITY_HEADERS)
        return response

    def _route(self, request: Request, path: str) -> Response:
        if request.method == "GET" and path in _ASSETS:
            file, content_type = _ASSETS[path]
            return Response((STATIC / file).read_bytes(), content_type=content_type)
        if request.method == "GET" and path == "/api/executions":
            limit = request.args.get("limit", "50")
            if not limit.isdigit() or not 1 <= int(limit) <= 1000:
                raise ConsoleError(400, f"limit must be a whole number from 1 to 1000, not {limit[:20]!r}")
            status = request.args.get("status") or None
            if status is not None and status not in _STATUSES:
                raise ConsoleError(400, f"status must be one of {', '.join(sorted(_STATUSES))}")
            return json_response(200, {"executions": self.executions(int(limit), status)})
        if request.method == "GET" and path == "/api/graph.svg":
            from scheduling_tooling.ops.graph import machine_definition, render_svg

            return _svg(render_svg(machine_definition(self.backend.sfn, self.backend.state_machine_arn)))
        if request.method == "GET" and path == "/api/customers":
            return json_response(200, {"customers": self.customers()})
        if request.method == "POST" and path == "/api/agent":
            if request.mimetype != "application/json":  # a cross-site form cannot send this type
                raise ConsoleError(415, "send application/json")
            return json_response(200, self.agent(request.get_json(silent=True)))
        match = _EXECUTION.fullmatch(path)
        if request.method == "GET" and match:
            timeline = self.timeline(match[1])
            return _svg(self._render(timeline)) if match[2] else json_response(200, timeline.to_json())
        raise ConsoleError(404, f"nothing at {path}")

    # --- executions --------------------------------------------------------------------------------

    def executions(self, limit: int, status: str | None = None) -> list[dict[str, Any]]:
        """The newest executions first (one ListExecutions page), with what their names say."""
        kwargs: dict[str, Any] = {"stateMachineArn": self.backend.state_machine_arn, "maxResults": limit}
        if status:
            kwargs["statusFilter"] = status
        found = self.backend.sfn.list_executions(**kwargs)["executions"]
        found.sort(key=lambda e: e["startDate"], reverse=True)
        listed = []
        for execution in found:
            parsed = names.parse(execution["name"])
            listed.append(
                {
                    "name": execution["name"],
                    "status": execution["status"],
                    "start": _iso(execution.get("startDate")),
                    "stop": _iso(execution.get("stopDate")),
                    "mode": parsed.mode if parsed else None,
                    "project_id": parsed.project_id if parsed else None,
                    "session_digest": parsed.session_digest if parsed else None,
                }
            )
        return listed

    def timeline(self, name: str) -> Any:
        from scheduling_tooling.ops.timeline import read_timeline

        return read_timeline(self.backend.sfn, names.arn_of(self.backend.state_machine_arn, name))

    def _render(self, timeline: Any) -> str:
        """The execution's path on the definition it ran, as `ops graph` draws it."""
        from scheduling_tooling.ops.graph import execution_definition, render_svg

        return render_svg(execution_definition(self.backend.sfn, timeline.execution.arn), timeline)

    # --- the agent's side ----------------------------------------------------------------------------

    def customers(self, limit: int = 40) -> list[dict[str, Any]]:
        """Seeded customers to play (the documented demo customer first), with their projects."""
        from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER, bookable, build_seed

        seed = build_seed(self.backend.seed, date.today())  # ids and statuses do not depend on the day
        keys = sorted(seed.customers, key=lambda key: (key != (DEMO_CLIENT, DEMO_CUSTOMER), key))
        listed = []
        for client_id, customer_id in keys:
            projects = [seed.projects[pid] for pid in seed.customers[(client_id, customer_id)]]
            listed.append(
                {
                    "client_id": client_id,
                    "customer_id": customer_id,
                    "projects": [
                        {
                            "project_id": p.project_id,
                            "type": p.type,
                            "category": p.category,
                            "status": p.status,
                            "bookable": bookable(p),
                        }
                        for p in projects
                    ],
                }
            )
        return listed[:limit]

    def agent(self, body: Any) -> dict[str, Any]:
        """One turn of the agent: the operation's Bedrock event through its group's handler Lambda."""
        if not isinstance(body, dict):
            raise ConsoleError(400, "expected a JSON object")
        operation = body.get("operation")
        if operation not in self.operations:
            raise ConsoleError(400, f"unknown operation {operation!r}")
        who = [body.get(key) for key in ("client_id", "customer_id", "session_id")]
        if not all(isinstance(value, str) and _ID.fullmatch(value) for value in who):
            raise ConsoleError(400, "client_id, customer_id and session_id must be short ids")
        client_id, customer_id, session_id = (str(value) for value in who)
        raw_parameters = body.get("parameters") or {}
        if not isinstance(raw_parameters, dict):
            raise ConsoleError(400, "parameters must be an object")
        parameters = {str(k): str(v) for k, v in raw_parameters.items() if v not in (None, "")}
        client = self._client(client_id, customer_id, session_id)
        event = client.event(operation, **parameters)
        reply = client.ask(operation, tries=self.tries, **parameters)
        event["sessionAttributes"]["auth_token"] = "(the customer's PF360 token)"  # shown, so never the token
        digest = names.session_digest(session_id)
        executions = [e["name"] for e in self.executions(100) if e["session_digest"] == digest]
        return {
            "operation": operation,
            "group": self.operations[operation],
            "parameters": parameters,
            "status": reply.status,
            "message": reply.message,
            "body": reply.body,
            "event": event,
            "executions": executions,
        }

    def _client(self, client_id: str, customer_id: str, session_id: str) -> AgentClient:
        """One AgentClient per conversation, its customer signed in once (as the web app does)."""
        with self._lock:
            client = self._clients.get(session_id)
            if client and (client.client_id, client.customer_id) == (client_id, customer_id):
                return client
            if (client_id, customer_id) not in self._tokens:
                self._tokens[(client_id, customer_id)] = self._sign_in(client_id, customer_id)
            client = AgentClient(
                self.backend.lambda_url,
                customer_id=customer_id,
                client_id=client_id,
                session_id=session_id,
                resources=self.backend.resources,
                token=self._tokens[(client_id, customer_id)],
                # the stack's fake credentials: this process may have none, or real ones to keep here
                lambda_client=local_lambda_client(self.backend.lambda_url, self.backend.resources.region),
            )
            self._clients[session_id] = client
            return client

    def _sign_in(self, client_id: str, customer_id: str) -> str:
        answer = requests.post(
            f"{self.backend.simulator_url}/_sim/tokens",
            json={"client_id": client_id, "customer_id": customer_id},
            timeout=10,
        )
        if answer.status_code != 200:
            raise ConsoleError(
                502, f"the PF360 simulator would not sign {customer_id} in: {answer.text[:200]}"
            )
        token: str = answer.json()["token"]
        return token


class ConsoleError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ConsoleServer(HTTPServerBase):
    """The console on its own port (port 0: a free one)."""

    def __init__(self, backend: Backend, host: str = "127.0.0.1", port: int = 0, *, tries: int = 3) -> None:
        self.console = Console(backend, tries=tries)
        super().__init__(self.console.answer, host, port, name="console", max_body=64 * 1024)


def _check_host(request: Request) -> None:
    """Answer only requests addressed to this server by a loopback name and its own port."""
    try:
        parts = urlsplit("//" + request.host)
        port = parts.port or 80
    except ValueError:
        parts, port = urlsplit("//invalid"), -1
    own_port = int(request.environ.get("SERVER_PORT") or 80)
    if parts.hostname not in _LOOPBACK or port != own_port:
        raise ConsoleError(403, f"the console answers only at 127.0.0.1 or localhost:{own_port}")


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _svg(text: str) -> Response:
    return Response(text, content_type="image/svg+xml; charset=utf-8")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds")


def mount(stack: Any, endpoint: Any, prefix: str = "/console", *, tries: int = 3) -> str:
    """Serve the console of an in-process stack on its endpoint (`local.discovery.Endpoint`); its URL.
    `scheduling local up` and `scheduling console` call this once the stack is published."""
    return str(endpoint.mount(prefix, Console(Backend.of_stack(stack), tries=tries).wsgi, name="console"))
