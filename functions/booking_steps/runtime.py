"""What every step Lambda shares: the PF360 client (built once per container), logging, and the
contract check of its input (schemas/workflow/v1/step_input.json: the booking's execution state) and of
what it returns (offer.json or outcome.json).

Steps let the typed PF360 errors propagate: Lambda reports the class name as `errorType` and the
state machine's Retry/Catch match it. A malformed step input raises `StepInputError` (permanent).

Importing a step loads neither pydantic, requests nor jsonschema, and builds no client: the first call
(the cold start's) reads and validates the settings and compiles each schema as it first checks it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

from pf360_client import contract

if TYPE_CHECKING:
    from pf360_client import PF360Client
    from session_store.tokens import TokenVault

logger = Logger(service="booking-steps")
logging.getLogger("pf360_client")  # registered now, so the copy reaches it before the client is loaded
copy_config_to_registered_loggers(source_logger=logger, include={"pf360_client"})

_client: PF360Client | None = None
_vault: TokenVault | None = None

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class StepInputError(Exception):
    """The state machine passed a step something that breaks its input schema: a bug, not a fault."""


def client() -> PF360Client:
    """The container's client; settings are read and validated on first use (cold start)."""
    global _client
    if _client is None:
        from pf360_client.factory import build_client

        _client = build_client()
    return _client


def reset_client(new: PF360Client | None = None, vault: TokenVault | None = None) -> None:
    """Forget (or replace) the cached client and token vault: the local runtime does this when it
    rewires settings."""
    global _client, _vault, _vault_known
    _client, _vault, _vault_known = new, vault, vault is not None


_vault_known = False  # whether _vault is decided (None then: service or mock mode needs no token)


def _caller_token(session_id: str) -> str | None:
    """The customer's token for this step's PF360 calls (PF360_AUTH_MODE=caller), from the session's
    vault; None in service or mock mode, where the client needs none. Decided once per container."""
    global _vault, _vault_known
    if not _vault_known:
        from pf360_client.settings import Settings

        settings = Settings.from_env()
        if not settings.use_mock_api and settings.auth_mode == "caller":
            from session_store.tokens import build_vault

            _vault = build_vault()
        _vault_known = True
    return _vault.fetch(session_id) if _vault is not None else None


def step(name: str, *, output: str) -> Callable[[Callable[[dict[str, Any]], dict[str, Any]]], Handler]:
    """Wrap a step function `fn(event) -> result` as a Lambda handler: its input checked against
    schemas/workflow/v1/step_input.json, its result against `<output>.json` (offer or outcome)."""

    def wrap(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Handler:
        @functools.wraps(fn)
        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            booking = event.get("booking") if isinstance(event, dict) else None
            booking = booking if isinstance(booking, dict) else {}
            logger.append_keys(
                step=name,
                session_id=booking.get("session_id"),
                project_id=booking.get("project_id"),
                execution=event.get("execution") if isinstance(event, dict) else None,
            )
            try:
                contract.check("step_input.json", event, family="workflow")
            except contract.ContractViolation as violation:
                raise StepInputError("; ".join(violation.problems)) from None
            from pf360_client.credentials import caller_token

            with caller_token(_caller_token(booking["session_id"])):
                result = fn(event)
            contract.check(f"{output}.json", result, family="workflow")
            logger.info("step done")
            return result

        return handler

    return wrap
