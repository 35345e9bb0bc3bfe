"""What the agent is told when something goes wrong: one class per answer, each with its HTTP status
(the seed's error classes). PF360 errors map onto them in one place, `from_pf360`."""

from __future__ import annotations

from collections.abc import Callable

from pf360_client import errors as pf360


class AgentError(Exception):
    status = 500
    # `when`: what this status means, the OpenAPI description of the answer; `default`: what the
    # customer is told unless the raiser says more.
    when = "Something went wrong on our side."
    default = "Something went wrong on our side. Please try again in a moment."

    def __init__(self, message: str | None = None, **details: object) -> None:
        super().__init__(message or self.default)
        self.message = message or self.default
        self.details = details


class InvalidInput(AgentError):
    status = 400
    when = "Invalid or missing parameters, or a choice that was not offered (the message lists what was)."
    default = "Some of the details were not valid."


class NotAuthenticated(AgentError):
    status = 401
    when = "The customer must sign in again."
    default = "I could not confirm who you are. Please sign in again."


class NotPermitted(AgentError):
    status = 403
    when = "The project, or this conversation, belongs to another customer."
    default = "That project is not on your account."


class SessionNotYours(AgentError):
    """The Bedrock session was opened by another (client_id, customer_id) pair."""

    status = 403
    default = "This conversation belongs to someone else. Please start a new conversation."


class NotFound(AgentError):
    status = 404
    when = "That project or operation was not found."
    default = "I could not find that."


class RateLimited(AgentError):
    status = 429
    when = "The scheduling system is busy; try again in a minute."
    default = "The scheduling system is busy right now. Please try again in a minute."


class Internal(AgentError):
    status = 500


class NotAvailable(AgentError):
    """This deployment does not do that write (production with its flag off): said honestly."""

    status = 501
    when = "This deployment does not take that action by chat."
    default = "Booking by chat isn't available yet. Please book through the customer portal or call us."


class Unavailable(AgentError):
    status = 503
    when = "The scheduling system is unavailable; what was offered still stands."
    default = "The scheduling system is unavailable right now. Please try again shortly."


class HandOverFailed(Unavailable):
    """The customer's choice could not be passed on to the booking; what was on offer still is."""

    default = "I couldn't pass your choice on just now. Please try again in a moment."


class TimedOut(AgentError):
    status = 504
    when = "The scheduling system took too long to answer."
    default = "The scheduling system took too long to answer. Please try again."


# The one table from an error's name (a PF360 client error, or a booking step's own) to what the agent
# is told. Failed requests (from_pf360) and failed bookings (present.failure_answer) both read it.
_BY_NAME: dict[str, Callable[[], AgentError]] = {
    "PF360WriteDisabled": NotAvailable,
    "PF360RateLimited": RateLimited,
    "PF360Timeout": TimedOut,
    "PF360Unavailable": Unavailable,
    "PF360AuthError": NotAuthenticated,  # the customer's token was refused: sign in again, no retry loop
    "PF360CredentialsError": lambda: Unavailable(
        "The scheduling system refused our credentials. Please try again later."
    ),
    "PF360NotFound": lambda: NotFound("I could not find that project in the scheduling system."),
    "PF360ValidationError": InvalidInput,
    "NothingToReschedule": lambda: InvalidInput("That project has no appointment to change."),
    "OriginalTimeUnknown": lambda: InvalidInput(
        "I can't move that appointment by chat: its time isn't known to me. The office can help."
    ),
}


def for_error_name(name: str | None, default: AgentError) -> AgentError:
    make = _BY_NAME.get(name or "")
    return make() if make else default


def from_pf360(error: pf360.PF360Error) -> AgentError:
    """Translate a PF360 error for the agent; the PF360 wording never reaches it."""
    for kind in type(error).__mro__:  # the most specific class the table knows
        if kind.__name__ in _BY_NAME:
            return _BY_NAME[kind.__name__]()
    return Internal()
