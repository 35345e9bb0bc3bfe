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
    PF360NotSchedulable,
    PF360RateLimited,
    PF360RequestExpired,
    PF360SlotUnavailable,
    PF360Timeout,
    PF360Unavailable,
    PF360ValidationError,
)
from pf360_client.models import Address, Note, Project
from pf360_client.normalize import parse_retry_after
from pf360_client.project_rules import stale_dates
from pf360_client.transport import RawResponse


def check_response(operation: str, raw: RawResponse) -> dict[str, Any]:
    status, body = raw.status, raw.body
    if operation == "get_notes" and isinstance(body, list):  # the production client takes a bare list too
        body = {"data": body}
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


# How PF360 words its business refusals (PF360_API.md 4.2, 4.4): matched as substrings, lowercased.
_ALREADY_SCHEDULED = (
    "already scheduled",
    "already has an appointment",
    "already requested",
    "already contains a technician",
    "technician already assigned",
)
_NOT_SCHEDULABLE = ("not allowed", "not permitted", "not eligible")


def _business_error(operation: str, status: int, message: str, *, default: type[PF360Error]) -> PF360Error:
    """Classify a refusal by its wording: the real API signals business outcomes only in text. A
    confirm refused without a known reason is taken as the slot gone (the production client's
    reading of a 400 or 409 there: check the times again)."""
    text = message.lower()
    if any(phrase in text for phrase in _ALREADY_SCHEDULED):
        cls: type[PF360Error] = PF360AlreadyScheduled
    elif any(phrase in text for phrase in _NOT_SCHEDULABLE):
        cls = PF360NotSchedulable
    elif ("request id" in text or "request_id" in text) and any(
        w in text for w in ("expired", "invalid", "stale")
    ):
        cls = PF360RequestExpired
    elif (
        "slot" in text
        and any(w in text for w in ("no longer", "not available", "unavailable", "taken", "full"))
    ) or (operation == "confirm_appointment" and status in (400, 409)):
        cls = PF360SlotUnavailable
    else:
        cls = default
    return cls(message or "request refused", operation=operation, status=status)


def _message(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    text = body.get("error") if isinstance(body.get("error"), str) else body.get("message")
    return text[:200] if isinstance(text, str) else ""


_TYPE_FIELDS = ("project_type_project_type", "project_type", "projectType", "work_type")


def project_from_row(row: dict[str, Any]) -> Project:
    """A dashboard row read as the production client reads it (PF360_API.md 4.1)."""
    status = row["status_info_status"]
    stale = stale_dates(status)  # "Ready To Schedule": dates and installer may be left over
    first, last = row.get("user_idata_first_name"), row.get("user_idata_last_name")
    installer = None if stale else " ".join(x for x in (first, last) if x) or None
    return Project(
        project_id=str(row["project_project_id"]),
        project_number=row.get("project_project_number"),
        po_number=row.get("project_po_number"),
        project_type=next((row[k] for k in _TYPE_FIELDS if row.get(k)), "Installation"),
        category=row["project_category_category"],
        status=status,
        scheduled_start=None if stale else row.get("convertedProjectStartScheduledDate"),
        scheduled_end=None if stale else row.get("convertedProjectEndScheduledDate"),
        installer_name=installer,
        installer_id=None if stale else _text(row.get("installer_details_installer_id")),
        store_name=row.get("store_info_store_name"),
        store_number=_text(row.get("store_info_store_number")),
        address=Address(
            _text(row.get("project_installation_address_id")),
            row.get("installation_address_address1") or None,
            row.get("installation_address_city") or None,
            row.get("installation_address_state") or None,
            row.get("installation_address_zipcode") or None,
        ),
    )


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def note_from_row(row: dict[str, Any]) -> Note:
    """No real note shape is known (PF360_API.md 4.8): the older client's field names, else similar."""
    text = row.get("note_text") or row.get("text") or row.get("note") or ""
    author = row.get("author") or row.get("created_by")
    note_id = row.get("note_id") or row.get("id") or ""
    return Note(
        str(note_id), str(text), None if author is None else str(author), str(row.get("created_at") or "")
    )
