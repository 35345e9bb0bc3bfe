"""Typed results of the PF360 client, already normalised (ids as strings, times HH:MM:SS)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pf360_client.normalize import RequestId


class _Model:
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class Address(_Model):
    address_id: str | None
    address1: str | None
    city: str | None
    state: str | None
    zipcode: str | None

    @property
    def one_line(self) -> str:
        return ", ".join(
            x for x in (self.address1, self.city, " ".join(filter(None, (self.state, self.zipcode)))) if x
        )


@dataclass(frozen=True)
class Project(_Model):
    """A dashboard row as PF360's production client reads it (PF360_API.md 4.1). For a project "Ready To
    Schedule" the scheduled dates and installer are dropped: PF360 can leave stale ones behind."""

    project_id: str
    project_number: str | None
    po_number: str | None
    project_type: str
    category: str
    status: str
    scheduled_start: str | None  # "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS", as PF360 sends it
    scheduled_end: str | None
    installer_name: str | None
    installer_id: str | None
    store_name: str | None
    store_number: str | None
    address: Address

    @property
    def scheduled_date(self) -> str | None:
        return self.scheduled_start[:10] if self.scheduled_start else None

    @property
    def scheduled_time(self) -> str | None:
        """HH:MM:SS when PF360 gave a time with the date."""
        return (
            self.scheduled_start[11:19] if self.scheduled_start and len(self.scheduled_start) >= 19 else None
        )

    @property
    def display_name(self) -> str:
        """How a person names it: "Flooring Installation", "Deck Repair"."""
        if self.project_type.lower() in self.category.lower():
            return self.category
        return f"{self.category} {self.project_type}"


@dataclass(frozen=True)
class AvailableDates(_Model):
    project_id: str
    dates: tuple[str, ...]
    request_id: RequestId
    message: str | None = None


@dataclass(frozen=True)
class TimeSlots(_Model):
    project_id: str
    date: str
    slots: tuple[str, ...]
    request_id: RequestId


@dataclass(frozen=True)
class Confirmation(_Model):
    project_id: str
    date: str
    time: str
    confirmation_number: str | None
    message: str
    # PF360 took the request for the office to review (its message says so): not booked yet.
    pending_review: bool = False


@dataclass(frozen=True)
class Rescheduling(_Model):
    """cancel-reschedule's answer: the appointment is already cancelled. New dates may come with it;
    when they do not, the dates call gives them."""

    project_id: str
    dates: tuple[str, ...]
    request_id: RequestId | None
    message: str


@dataclass(frozen=True)
class Cancellation(_Model):
    project_id: str
    message: str


@dataclass(frozen=True)
class WorkDay(_Model):
    day: str
    is_working: bool
    start: str | None
    end: str | None


@dataclass(frozen=True)
class BusinessHours(_Model):
    timezone: str | None
    days: tuple[WorkDay, ...]
    other: dict[str, Any] = field(default_factory=dict)  # PF360's answer as given, when not `workHours`


@dataclass(frozen=True)
class Note(_Model):
    note_id: str
    text: str
    author: str | None
    created_at: str


@dataclass(frozen=True)
class AppointmentStatus(_Model):
    project_id: str
    status: str
    scheduled: bool
    date: str | None
    start_time: str | None
    end_time: str | None
    installer: str | None


@dataclass(frozen=True)
class ForecastDay(_Model):
    date: str
    condition: str
    high_f: float
    low_f: float
    precipitation_chance: int | None


@dataclass(frozen=True)
class Forecast(_Model):
    location: str
    days: tuple[ForecastDay, ...]
