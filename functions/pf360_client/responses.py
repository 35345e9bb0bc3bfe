"""What PF360 answered, read once: the HTTP outcome becomes a typed error or a schema-checked body, and
dashboard and note rows become typed models. The real API signals business outcomes (already
scheduled, slot gone, request expired) only in the wording of a refusal, so that wording is read here
and nowhere else."""

from __future__ import annotations

from typing import Any

from pf360_client import contract
from pf360_client.errors import (
    PF360AlreadyScheduled,
    PF360AuthError,
    PF360BadResponse,
    PF360Error,
    PF360NotFound,
    PF360RateLimited,
    PF360RequestExpired,
    PF360SlotUnavailable,
    PF360Timeout,
    PF360Unavailable,
    PF360ValidationError,
)
from pf360_client.models import Address, Note, Project
from pf360_client.normalize import parse_retry_after
from pf360_client.transport import RawResponse


def check_response(operation: str, raw: RawResponse) -> dict[str, Any]:
    status, body = raw.status, raw.body
    message = _message(body)
    if 200 <= status < 300:
        if not raw.json_ok or not isinstance(body, dict):
            raise PF360BadResponse("answer is not a JSON object", operation=operation, status=status)
        if body.get("error"):
            raise _business_error(operation, status, message, default=PF360BadResponse)
        try:
            contract.check(contract.response_schema(operation), body)
        except contract.ContractViolation as violation:
            detail = "; ".join(violation.problems)
            raise PF360BadResponse(
                f"answer breaks the contract: {detail}", operation=operation, status=status
            ) from None
        return body
    if status in (401, 403):
        raise PF360AuthError("PF360 rejected the credentials", operation=operation, status=status)
    if status == 404:
        raise PF360NotFound(message or "not found", operation=operation, status=status)
    if status == 408:
        raise PF360Timeout(message or "request timeout", operation=operation, status=status)
    if status == 429:
        hint = next((v for k, v in raw.headers.items() if k.lower() == "retry-after"), None)
        retry_after = parse_retry_after(hint)
        error = PF360RateLimited(message or "rate limited", operation=operation, retry_after=retry_after)
        raise error
    if status in (400, 409, 422):
        raise _business_error(operation, status, message, default=PF360ValidationError)
    if status >= 500:
        raise PF360Unavailable(message or "PF360 unavailable", operation=operation, status=status)
    raise PF360BadResponse(f"unexpected HTTP status: {message}", operation=operation, status=status)


def _business_error(operation: str, status: int, message: str, *, default: type[PF360Error]) -> PF360Error:
    """Classify a refusal by its wording: the real API signals business outcomes only in text."""
    text = message.lower()
    if "already scheduled" in text or "already has an appointment" in text:
        cls: type[PF360Error] = PF360AlreadyScheduled
    elif "slot" in text and any(
        w in text for w in ("no longer", "not available", "unavailable", "taken", "full")
    ):
        cls = PF360SlotUnavailable
    elif ("request id" in text or "request_id" in text) and any(
        w in text for w in ("expired", "invalid", "stale")
    ):
        cls = PF360RequestExpired
    else:
        cls = default
    return cls(message or "request refused", operation=operation, status=status)


def _message(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    text = body.get("error") if isinstance(body.get("error"), str) else body.get("message")
    return text[:200] if isinstance(text, str) else ""


def project_from_row(row: dict[str, Any]) -> Project:
    first, last = row.get("user_idata_first_name"), row.get("user_idata_last_name")
    installer = " ".join(x for x in (first, last) if x) or None
    amount, unit = row.get("service_time_duration_value"), row.get("service_time_duration_type")
    store = row.get("project_store_store_number")
    return Project(
        project_id=str(row["project_project_id"]),
        project_number=row.get("project_project_number"),
        project_type=row["project_type_project_type"],
        category=row["project_category_category"],
        status=row["status_info_status"],
        store_number=None if store is None else str(store),
        address=Address(
            row.get("installation_address_full_address"),
            row.get("installation_address_address1"),
            row.get("installation_address_address2"),
            row.get("installation_address_city"),
            row.get("installation_address_state"),
            row.get("installation_address_zipcode"),
        ),
        date_sold=row.get("project_date_sold"),
        scheduled_date=row.get("project_date_scheduled_date"),
        scheduled_start=row.get("convertedProjectStartScheduledDate"),
        scheduled_end=row.get("convertedProjectEndScheduledDate"),
        completed_date=row.get("project_date_completed_date"),
        installer_name=installer,
        duration=f"{amount:g} {unit}" if amount is not None and unit else None,
    )


def note_from_row(row: dict[str, Any]) -> Note:
    return Note(str(row["note_id"]), row["note_text"], row.get("author"), row["created_at"])
