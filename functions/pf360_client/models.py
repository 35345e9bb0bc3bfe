"""Typed results of the PF360 client, already normalised (ids as strings, times HH:MM:SS)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pf360_client.normalize import RequestId


class _Model:
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class Address(_Model):
    full: str | None
    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    zipcode: str | None


@dataclass(frozen=True)
class Project(_Model):
    project_id: str
    project_number: str | None
    project_type: str
    category: str
    status: str
    store_number: str | None
    address: Address
    date_sold: str | None
    scheduled_date: str | None
    scheduled_start: str | None  # "YYYY-MM-DD HH:MM:SS"
    scheduled_end: str | None
    completed_date: str | None
    installer_name: str | None
    duration: str | None  # "2 hours"

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
