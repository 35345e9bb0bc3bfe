"""Writes that must happen once (confirm, cancel, add-note), through Powertools Idempotency on
DynamoDB, keyed by the caller and the request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_actions.identity import Caller
from agent_actions.present import STILL_WORKING, Answer
from agent_actions.services import services


def idempotent(
    name: str,
    caller: Caller,
    key: dict[str, str],
    run: Callable[[], Answer],
    context: Any,
    done: Callable[[Answer], bool],
) -> Answer:
    """Run a write once per caller and key (Powertools Idempotency on DynamoDB). Only an answer that
    says the write happened (`done`) is remembered: anything else (still working, an offer, a refusal,
    a failure) is returned but not stored, so a later retry acts on the current state.

    The caller (session, client, customer) is put into the key here, so no call site can leave it out:
    a stored answer is only ever returned to the caller it was written for. Call sites still check the
    caller owns the session or project before calling this: a stored answer skips `run` entirely."""
    request = {
        **key,
        "session_id": caller.session_id,
        "client_id": caller.client_id,
        "customer_id": caller.customer_id,
    }
    # Imported at the first write, not at cold start (~100 ms of CPU the reads never need).
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    config = IdempotencyConfig(expires_after_seconds=3600, raise_on_no_idempotency_key=True)
    if context is not None:
        config.register_lambda_context(context)

    class NotFinal(Exception):
        def __init__(self, answer: Answer) -> None:
            self.answer = answer

    @idempotent_function(
        data_keyword_argument="request",
        persistence_store=services().idempotency(f"agent-{name}"),
        config=config,
        key_prefix=f"agent-{name}",
    )
    def once(request: dict[str, str]) -> dict[str, Any]:
        answer = run()
        if answer.status != 200 or answer.reprompt or not done(answer):
            raise NotFinal(answer)
        return {"message": answer.message, "data": answer.data}

    try:
        stored = once(request=request)
    except NotFinal as not_final:
        return not_final.answer
    except IdempotencyAlreadyInProgressError:
        return STILL_WORKING  # the same write is running in a concurrent call
    return Answer(stored["message"], stored["data"])
