"""What every action group shares: one entry point for both Bedrock event formats (OpenAPI
`apiPath` events and function-details `function` events, the latter translated onto the same routes),
errors mapped to agent answers in one place, idempotent writes, and observability.

A bad event of any kind gets a well-formed Bedrock response with the right status and a message the
agent can relay; nothing is started, nothing leaks a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from aws_lambda_powertools.event_handler import BedrockAgentResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from agent_actions import errors, event_shape
from agent_actions.answers import RESPONSES, AgentAnswer
from agent_actions.booking import StillWorking
from agent_actions.identity import Caller, caller_from, token_of
from agent_actions.observability import count_invocation, logger
from agent_actions.present import STILL_WORKING, Answer
from pf360_client.credentials import caller_token
from pf360_client.errors import PF360Error
from pf360_client.normalize import clean_text

# Each resolver's operations: function-details name -> (method, path), declared once by `operation`.
_FUNCTIONS: dict[int, dict[str, tuple[str, str]]] = {}

MAX_TEXT = 2000
# The customer's own mistakes (bad or missing details, another customer's project): the agent asks them
# again. `respond` notes it per answer; the function-details translation reads it (REPROMPT), since a
# route's Response carries only a status and a body.
_CUSTOMER_MISTAKES = (errors.InvalidInput, errors.NotPermitted)
_REPROMPT: ContextVar[bool] = ContextVar("reprompt", default=False)


def new_resolver() -> BedrockAgentResolver:
    app = BedrockAgentResolver()

    @app.exception_handler(errors.AgentError)
    def agent_error(error: errors.AgentError) -> Response[Any]:
        return _refused(error)

    @app.exception_handler(PF360Error)
    def pf360_error(error: PF360Error) -> Response[Any]:
        return _refused(errors.from_pf360(error))  # the one translation; PF360's words never leave

    @app.exception_handler(RequestValidationError)
    def invalid(error: RequestValidationError) -> Response[Any]:
        fields = sorted({str((e.get("loc") or ("?",))[-1]) for e in error.errors()})
        return respond(
            Answer(f"Missing or invalid parameter(s): {', '.join(fields)}.", {}, 400, reprompt=True)
        )

    @app.exception_handler(StillWorking)
    def still_working(_: StillWorking) -> Response[Any]:
        return respond(STILL_WORKING)

    @app.not_found
    def unknown(_: Exception) -> Response[Any]:
        return respond(Answer("That operation does not exist in this action group.", {}, 404))

    return app


Route = Callable[..., Response[AgentAnswer]]


def operation(
    app: BedrockAgentResolver, method: str, path: str, description: str, *, confirm: bool = False
) -> Callable[[Route], Route]:
    """Declare an operation once: its OpenAPI route (operationId = the function's name, every answer
    an AgentAnswer) and the same name for function-details events. `confirm`: Bedrock asks the
    customer before calling it."""

    def register(route: Route) -> Route:
        extensions = {"x-requireConfirmation": "ENABLED"} if confirm else None
        declare = app.post if method == "POST" else app.get
        _FUNCTIONS.setdefault(id(app), {})[route.__name__] = (method, path)
        return declare(
            path,
            operation_id=route.__name__,
            description=description,
            openapi_extensions=extensions,
            responses=RESPONSES,
        )(route)

    return register


def functions(app: BedrockAgentResolver) -> dict[str, tuple[str, str]]:
    """The resolver's operations by name, as function-details events name them."""
    return dict(_FUNCTIONS.get(id(app), {}))


def _refused(error: errors.AgentError) -> Response[Any]:
    return respond(Answer(error.message, {}, error.status, reprompt=isinstance(error, _CUSTOMER_MISTAKES)))


def respond(answer: Answer) -> Response[AgentAnswer]:
    """A logic answer as the route's response (its status, its JSON body)."""
    _REPROMPT.set(answer.reprompt)
    body = AgentAnswer.model_validate(answer.body())
    return Response(status_code=answer.status, content_type="application/json", body=body)


def current_caller(app: BedrockAgentResolver) -> Caller:
    caller = caller_from(app.current_event.raw_event)
    logger.append_keys(session_id=caller.session_id)
    return caller


def text(value: str, what: str) -> str:
    """A free-text parameter: printable, trimmed, bounded."""
    cleaned = clean_text(value)  # the client's own rule, so what is checked here is what is sent
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise errors.InvalidInput(f"The {what} must be between 1 and {MAX_TEXT} characters.")
    return cleaned


# --- the two event formats ------------------------------------------------------------------------


def handle(app: BedrockAgentResolver, event: Any, context: Any) -> dict[str, Any]:
    """Entry point of an action group's Lambda. The event's shape is checked first
    (schemas/agent/bedrock_event.json): a malformed one is answered 400 before anything runs."""
    count_invocation()
    problem = event_shape.problem(event)
    if problem is not None:
        return _malformed(event, problem)
    try:
        with caller_token(token_of(event)):  # this invocation's PF360 calls carry the customer's token
            if "function" in event:
                return _function_details(app, event, context)
            return _echo_attributes(event, app.resolve(event, context))
    except Exception:  # never a stack trace towards the agent; the log has it
        logger.exception("action failed")
        return _refusal(event, errors.Internal.default, 500)


def _function_details(app: BedrockAgentResolver, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Translate a function-details event onto the OpenAPI route of the same operation, then back."""
    route = functions(app).get(event["function"])
    if route is None:
        return _refusal(event, "That operation does not exist in this action group.", 404)
    method, path = route
    translated = {key: value for key, value in event.items() if key != "function"}
    translated |= {"apiPath": path, "httpMethod": method}
    _REPROMPT.set(False)  # a thread's previous answer must not decide this one
    resolved = app.resolve(translated, context)["response"]
    body = next(iter(resolved["responseBody"].values()))["body"]
    return _function_response(event, resolved["httpStatusCode"], body, reprompt=_REPROMPT.get())


def _function_response(event: dict[str, Any], status: int, body: str, *, reprompt: bool) -> dict[str, Any]:
    """Function-details answers have no HTTP status: an error's goes into the body as `http_status`.
    REPROMPT (ask the customer again) only for the customer's own mistakes; never FAILURE, which the
    agent turns into DependencyFailedException, an error page instead of our message."""
    if status != 200:
        body = _with_http_status(body, status)
    function_response: dict[str, Any] = {"responseBody": {"TEXT": {"body": body}}}
    if reprompt:
        function_response["responseState"] = "REPROMPT"
    return _echo_attributes(
        event,
        {
            "messageVersion": "1.0",
            "response": {
                "actionGroup": _echoed(event, "actionGroup", "action_group"),
                "function": _echoed(event, "function", "function_name"),
                "functionResponse": function_response,
            },
        },
    )


def _with_http_status(body: str, status: int) -> str:
    try:
        document = json.loads(body)
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        document = {"message": body}
    return json.dumps({**document, "http_status": status})


def _malformed(event: Any, problem: str) -> dict[str, Any]:
    """Not a well-formed action-group event: 400, nothing started or called. The log says where and
    which rule, never the value."""
    logger.warning("malformed event", extra={"problem": problem})
    what = "parameters were" if problem.startswith("parameters") else "request was"
    return _refusal(event, f"The {what} not understood.", 400)


def _refusal(event: Any, message: str, status: int) -> dict[str, Any]:
    """An answer in the event's own format (function details when it names a function and no
    apiPath), built from its well-formed fields only."""
    source = event if isinstance(event, dict) else {}
    body = json.dumps({"message": message})
    if "function" in source and "apiPath" not in source:
        return _function_response(source, status, body, reprompt=False)
    response = {
        "actionGroup": _echoed(source, "actionGroup", "action_group"),
        "apiPath": _echoed(source, "apiPath", "api_path"),
        "httpMethod": _echoed(source, "httpMethod", "http_method"),
        "httpStatusCode": status,
        "responseBody": {"application/json": {"body": body}},
    }
    return _echo_attributes(source, {"messageVersion": "1.0", "response": response})


def _echoed(event: dict[str, Any], key: str, definition: str) -> str:
    """A field the answer must repeat: the event's own when it fits its rule, else empty."""
    value = event.get(key)
    return value if isinstance(value, str) and event_shape.fits(definition, value) else ""


def _echo_attributes(event: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """Hand the session's attributes back, in both formats, so identity survives however the front
    end sends them; only well-formed string maps are repeated."""
    for key in ("sessionAttributes", "promptSessionAttributes"):
        if key in event and event_shape.fits("string_map", event[key]):
            answer[key] = event[key]
    return answer
