"""Typed PF360 errors.

The class names are part of the contract: a step Lambda lets them propagate, Lambda reports the class
name as `errorType`, and the state machine matches it in `Retry`/`Catch` `ErrorEquals`. Renaming a
class is a breaking change to the ASL. `ERROR_NAMES` lists them for tests and docs.

Messages carry the operation and HTTP status, never tokens or customer personal data.
"""

from __future__ import annotations


class PF360Error(Exception):
    """Base class. `retryable` tells whether retrying the same call may succeed."""

    retryable = False

    def __init__(self, message: str, *, operation: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.operation = operation
        self.status = status

    def __str__(self) -> str:
        where = f"{self.operation}: " if self.operation else ""
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"{where}{self.args[0]}{status}"


# --- transient: safe to retry with backoff (the ASL does it) -------------------------------------


class PF360TransientError(PF360Error):
    retryable = True


class PF360Timeout(PF360TransientError):
    """No answer within the read timeout (or HTTP 408).

    On a write the outcome is unknown: the workflow must reconcile (read the appointment status)
    rather than assume nothing happened.
    """


class PF360RateLimited(PF360TransientError):
    """HTTP 429. `retry_after` is the server's hint in seconds, when it gave one."""

    def __init__(
        self, message: str, *, operation: str = "", status: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, operation=operation, status=status)
        self.retry_after = retry_after


class PF360Unavailable(PF360TransientError):
    """HTTP 5xx, connection refused or reset, connect timeout."""


# --- permanent: retrying the same call will not help ----------------------------------------------


class PF360PermanentError(PF360Error):
    retryable = False


class PF360AuthError(PF360PermanentError):
    """HTTP 401 or 403, or no token: the customer's token was refused (expired: they sign in again)."""


class PF360CredentialsError(PF360AuthError):
    """The service credential (PF360_AUTH_MODE=service) is unreadable, or PF360 refused it even after
    a refresh: our configuration, not the customer."""


class PF360NotFound(PF360PermanentError):
    """HTTP 404: unknown client, customer or project."""


class PF360ValidationError(PF360PermanentError):
    """HTTP 400 (or a request this client refused to send): the input is wrong."""


class PF360AlreadyScheduled(PF360PermanentError):
    """The project already has an appointment. A business outcome, not a failure to retry."""


class PF360NotSchedulable(PF360PermanentError):
    """PF360 will not schedule the project now ("Not allowed": its status is not ready, measurements
    are missing, the contract is unsigned). The office can help; the customer cannot."""


class PF360SlotUnavailable(PF360PermanentError):
    """The chosen slot is full or no longer offered. Fetch slots again and re-offer."""


class PF360RequestExpired(PF360PermanentError):
    """The scheduler `request_id` is stale or unknown. Fetch dates again; never ask the customer."""


class PF360BadResponse(PF360PermanentError):
    """The answer broke the contract: not JSON, schema-invalid, or a 200 carrying an error body
    that names none of the business outcomes above."""


class PF360WriteDisabled(PF360PermanentError):
    """A write this deployment does not send (prod with its ENABLE_REAL_* flag off). PF360 saw nothing:
    tell the customer booking by chat is not available, never that it succeeded."""


class SettingsError(ValueError):
    """Invalid configuration, raised at cold start. Lists every problem found, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid PF360 client settings:\n  - " + "\n  - ".join(problems))
        self.problems = problems


TRANSIENT_ERRORS: tuple[type[PF360Error], ...] = (PF360Timeout, PF360RateLimited, PF360Unavailable)
PERMANENT_ERRORS: tuple[type[PF360Error], ...] = (
    PF360AuthError,
    PF360CredentialsError,
    PF360NotFound,
    PF360ValidationError,
    PF360AlreadyScheduled,
    PF360NotSchedulable,
    PF360SlotUnavailable,
    PF360RequestExpired,
    PF360BadResponse,
    PF360WriteDisabled,
)
ERROR_NAMES: tuple[str, ...] = tuple(cls.__name__ for cls in TRANSIENT_ERRORS + PERMANENT_ERRORS)
