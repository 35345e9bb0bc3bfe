"""What a step raises for a business outcome the state machine routes on: the class names are the
ErrorEquals names in the ASL (as the PF360 client's errors are), so renaming one breaks it."""

from __future__ import annotations


class StepError(Exception):
    """Base of the steps' own errors."""


class NoAvailability(StepError):
    """PF360 offers no dates for the project: the booking ends with that answer."""


class NothingToReschedule(StepError):
    """A reschedule of a project that has no appointment."""


class OriginalTimeUnknown(StepError):
    """PF360 shows the appointment's date but not its time: a reschedule could not put it back."""


class ChoiceNotOffered(StepError):
    """The customer's reply is not one of the offered dates or times: asked again."""


class NoSlotsOnDate(StepError):
    """The chosen date has no free times (any more): the customer picks another date."""


class RequestKeepsExpiring(StepError):
    """PF360 refused a freshly fetched request_id as stale too."""
