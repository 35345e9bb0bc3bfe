"""What every action group shares: one entry point for both Bedrock event formats (OpenAPI
`apiPath` events and function-details `function` events, the latter translated onto the same routes),
errors mapped to agent answers in one place, idempotent writes, and observability.

A bad event of any kind gets a well-formed Bedrock response with the right status and a message the
agent can relay; nothing is started, nothing leaks a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import BedrockAgentResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

from agent_actions import errors
from agent_actions.booking import StillWorking
from agent_actions.identity import Caller, caller_from
from agent_actions.observability import count_invocation, logger
from agent_actions.present import Answer
from agent_actions.services import services

MAX_TEXT = 2000
STILL_WORKING = Answer("I'm still working on that. Please ask me again in a moment.", {"still_working": True})


def new_resolver() -> BedrockAgentResolver:
    app = BedrockAgentResolver()

    @app.exception_handler(errors.AgentError)
    def agent_error(error: errors.AgentError) -> Response[Any]:
        return respond(Answer(error.message, {}, error.status))

    @app.exception_handler(RequestValidationError)
    def invalid(error: RequestValidationError) -> Response[Any]:
        fields = sorted({str(e.get("loc", ["", "?"])[-1]) for e in error.errors()})
        return respond(Answer(f"Missing or invalid parameter(s): {', '.join(fields)}.", {}, 400))

    @app.exception_handler(StillWorking)
    def still_working(_: StillWorking) -> Response[Any]:
        return respond(STILL_WORKING)

    @app.not_found
    def unknown(_: Exception) -> Response[Any]:
        return respond(Answer("That operation does not exist in this action group.", {}, 404))

    return app


def respond(answer: Answer) -> Response[Any]:
    """A logic answer as the route's response (its status, its JSON body)."""
    return Response(status_code=answer.status, content_type="application/json", body=answer.body())


def current_caller(app: BedrockAgentResolver) -> Caller:
    caller = caller_from(app.current_event.raw_event)
    logger.append_keys(session_id=caller.session_id)
    return caller


def text(value: str, what: str) -> str:
    """A free-text parameter: printable, trimmed, bounded."""
    cleaned = "".join(ch for ch in value if ch.isprintable() or ch in "\n\t").strip()
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise errors.InvalidInput(f"The {what} must be between 1 and {MAX_TEXT} characters.")
    return cleaned


def idempotent(
    name: str, key: dict[str, str], run: Callable[[], Answer], context: Any, done: Callable[[Answer], bool]
) -> Answer:
    """Run a write once per key (Powertools Idempotency on DynamoDB). Only an answer that says the
    write happened (`done`) is remembered: anything else (still working, an offer, a refusal, a
    failure) is returned but not stored, so a later retry acts on the current state."""
    config = IdempotencyConfig(expires_after_seconds=3600, raise_on_no_idempotency_key=True)
    if context is not None:
        config.register_lambda_context(context)

    class NotFinal(Exception):
        def __init__(self, answer: Answer) -> None:
            self.answer = answer

    @idempotent_function(
        data_keyword_argument="request",
        persistence_store=services().idempotency,
        config=config,
        key_prefix=f"agent-{name}",
    )
    def once(request: dict[str, str]) -> dict[str, Any]:
        answer = run()
        if answer.status != 200 or answer.reprompt or not done(answer):
            raise NotFinal(answer)
        return {"message": answer.message, "data": answer.data}

    try:
        stored = once(request=key)
    except NotFinal as not_final:
        return not_final.answer
    except IdempotencyAlreadyInProgressError:
        return STILL_WORKING  # the same write is running in a concurrent call
    return Answer(stored["message"], stored["data"])


# --- the two event formats ------------------------------------------------------------------------


def handle(
    app: BedrockAgentResolver, functions: dict[str, tuple[str, str]], event: Any, context: Any
) -> dict[str, Any]:
    """Entry point of an action group's Lambda."""
    count_invocation()
    if not isinstance(event, dict):
        return _malformed(event, "The request was not understood.")
    try:
        if isinstance(event.get("function"), str):
            return _function_details(app, functions, event, context)
        if isinstance(event.get("apiPath"), str) and isinstance(event.get("httpMethod"), str):
            _check_parameters(event)
            return app.resolve(event, context)
        return _malformed(event, "The request was not understood.")
    except errors.AgentError as error:
        return _malformed(event, error.message, error.status)
    except Exception:  # never a stack trace towards the agent; the log has it
        logger.exception("action failed")
        return _malformed(event, errors.Internal.default, 500)


def _check_parameters(event: dict[str, Any]) -> None:
    parameters = event.get("parameters") or []
    if not isinstance(parameters, list) or not all(
        isinstance(p, dict)
        and isinstance(p.get("name"), str)
        and isinstance(p.get("value", ""), str | int | float | bool)
        for p in parameters
    ):
        raise errors.InvalidInput("The parameters were not understood.")
    if any(len(str(p.get("value", ""))) > MAX_TEXT for p in parameters):
        raise errors.InvalidInput(f"A parameter is longer than {MAX_TEXT} characters.")


def _function_details(
    app: BedrockAgentResolver, functions: dict[str, tuple[str, str]], event: dict[str, Any], context: Any
) -> dict[str, Any]:
    """Translate a function-details event onto the OpenAPI route of the same operation, then back."""
    route = functions.get(event["function"])
    if route is None:
        answer = Answer("That operation does not exist in this action group.", {}, 404)
        return _function_response(event, answer.status, json.dumps(answer.body()))
    method, path = route
    _check_parameters(event)
    translated = {**event, "apiPath": path, "httpMethod": method, "parameters": event.get("parameters") or []}
    translated.pop("function", None)
    resolved = app.resolve(translated, context)["response"]
    body = resolved["responseBody"]["application/json"]["body"]
    return _function_response(event, resolved["httpStatusCode"], body)


def _function_response(event: dict[str, Any], status: int, body: str) -> dict[str, Any]:
    """Function-details answers have no HTTP status: it goes into the body, and 4xx/5xx become
    REPROMPT/FAILURE so the agent asks again or gives up."""
    try:
        document = json.loads(body)
    except json.JSONDecodeError:
        document = {"message": body}
    if isinstance(document, dict) and status != 200:
        body = json.dumps({**document, "status": status})
    function_response: dict[str, Any] = {"responseBody": {"TEXT": {"body": body}}}
    if status >= 500:
        function_response["responseState"] = "FAILURE"
    elif status >= 400:
        function_response["responseState"] = "REPROMPT"
    return {
        "messageVersion": "1.0",
        "response": {
            "actionGroup": event.get("actionGroup", ""),
            "function": event.get("function", ""),
            "functionResponse": function_response,
        },
        "sessionAttributes": event.get("sessionAttributes") or {},
        "promptSessionAttributes": event.get("promptSessionAttributes") or {},
    }


def _malformed(event: Any, message: str, status: int = 400) -> dict[str, Any]:
    source = event if isinstance(event, dict) else {}
    body = json.dumps({"message": message})
    if isinstance(source.get("function"), str):
        return _function_response(source, status, body)
    return {
        "messageVersion": "1.0",
        "response": {
            "actionGroup": str(source.get("actionGroup", ""))[:100],
            "apiPath": str(source.get("apiPath", ""))[:200],
            "httpMethod": str(source.get("httpMethod", ""))[:10],
            "httpStatusCode": status,
            "responseBody": {"application/json": {"body": body}},
        },
    }
