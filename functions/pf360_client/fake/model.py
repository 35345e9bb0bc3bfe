"""The stateful fake PF360: a capacity calendar, request ids that expire, bookings, notes.

Business rules fail the way the real API does (HTTP status plus a message the client classifies):
confirming a full slot, confirming an already scheduled project, a stale request_id. Thread-safe;
`reset()` returns to the seeded state. Time comes from an injectable clock so tests control expiry.

Why one file of ~330 lines: the fake's state (calendar, request ids, bookings, notes) is guarded by
one lock, and every rule that reads or changes it is a method here, so no rule can run unlocked.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pf360_client import project_rules
from pf360_client.fake.data import (
    CLIENTS,
    NO_AVAILABILITY_CATEGORIES,
    WEEKDAYS,
    ClientProfile,
    Project,
    SeedData,
    build_seed,
)

Clock = Callable[[], datetime]


class FakeHTTPError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# Messages as the real API words them (PF360_API.md 4.2-4.6); the client classifies on these phrases.
ALREADY_SCHEDULED = "This project is already scheduled and contains a technician assignment"
NOT_ALLOWED = "Not allowed"
NOT_SCHEDULED = "Project status should be Scheduled"
SLOT_TAKEN = "Selected slot is no longer available"
SLOT_INVALID = "Selected slot is not available for this date"
REQUEST_EXPIRED = "Request ID is invalid or expired"
# Statuses PF360 leaves a project in: after a pure cancel, and after cancel-reschedule.
AFTER_CANCEL = "Not Scheduled"
AFTER_CANCEL_RESCHEDULE = "Pending Reschedule"


@dataclass
class IssuedRequest:
    request_id: int
    client_id: str
    project_id: str
    issued_at: datetime
    used: bool = False


def _utcnow() -> datetime:
    return datetime.now(UTC)


class FakePF360:
    def __init__(
        self,
        seed: int = 1645975,
        *,
        clock: Clock = _utcnow,
        request_ttl: timedelta = timedelta(minutes=15),
        shadow: bool = False,
    ) -> None:
        """`shadow=True` serves writes for projects it has never seen (real reads, mock writes)."""
        self.seed = seed
        self.clock = clock
        self.request_ttl = request_ttl
        self.shadow = shadow
        self.review_confirms = False  # answer confirms "submitted for review", as some tenants' PF360 does
        self._lock = threading.RLock()
        self.reset()

    # --- state ------------------------------------------------------------------------------

    def reset(self, seed_day: date | None = None) -> None:
        """Back to the seeded state, seeded as of `seed_day` (default today: the seed places
        appointments relative to it, so processes sharing one state must share the day)."""
        with self._lock:
            self.seed_day = seed_day or self.today()
            self._data: SeedData = build_seed(self.seed, self.seed_day)
            self._bookings: dict[tuple[str, str, str], int] = {}
            self._requests: dict[int, IssuedRequest] = {}
            self._next_request_id = 1600 + self.seed % 100
            self._confirmations = 0
            for project in self._data.projects.values():
                if project.scheduled_date and project.scheduled_time:
                    self._seat_seeded_booking(project)

    def _seat_seeded_booking(self, project: Project) -> None:
        """Book a seeded appointment into a slot of its day that has a crew free, never overfilling."""
        assert project.scheduled_date is not None
        day = date.fromisoformat(project.scheduled_date)
        times = self.slot_times(self.client(project.client_id), day)
        free = [t for t in times if self.capacity(project.client_id, project.scheduled_date, t) > 0]
        if not free:
            project.status, project.scheduled_date, project.scheduled_time = "New", None, None
            return
        if project.scheduled_time not in free:
            project.scheduled_time = free[0]
        self._book(project.client_id, project.scheduled_date, project.scheduled_time, +1)

    def today(self) -> date:
        return self.clock().date()

    def client(self, client_id: str) -> ClientProfile:
        profile = self._data.clients.get(client_id)
        if profile is None and self.shadow:
            profile = self._data.clients[client_id] = replace(
                next(iter(CLIENTS.values())), client_id=client_id
            )
        if profile is None:
            raise FakeHTTPError(404, "Client not found")
        return profile

    def project(self, client_id: str, project_id: str, *, for_write: bool = False) -> Project:
        self.client(client_id)
        project = self._data.projects.get(project_id)
        if project is None and self.shadow and for_write:
            project = self._shadow_project(client_id, project_id)
        if project is None or project.client_id != client_id:
            raise FakeHTTPError(404, "Project not found")
        return project

    def customer_projects(self, client_id: str, customer_id: str) -> list[Project]:
        self.client(client_id)
        ids = self._data.customers.get((client_id, customer_id))
        if ids is None:
            raise FakeHTTPError(404, "Customer not found")
        return [self._data.projects[pid] for pid in ids]

    # --- calendar ---------------------------------------------------------------------------

    def slot_times(self, profile: ClientProfile, day: date) -> list[str]:
        hours = next(w for w in profile.work_hours if w.day == WEEKDAYS[day.weekday()])
        if not hours.is_working:
            return []
        start, end = int(hours.start[:2]), int(hours.end[:2])
        return [f"{h:02d}:00:00" for h in range(start, end - profile.slot_hours + 1, profile.slot_hours)]

    def crews(self, client_id: str, day: str, time: str) -> int:
        """Crews a slot has for our bookings: a seeded 2-4, less a seeded 0-1 already busy elsewhere."""
        mix = zlib.crc32(f"{self.seed}|{client_id}|{day}|{time}".encode())
        return (2 + mix % 3) - (mix >> 8) % 4 // 2

    def capacity(self, client_id: str, day: str, time: str) -> int:
        """Crews still free for a slot."""
        return max(0, self.crews(client_id, day, time) - self._bookings.get((client_id, day, time), 0))

    def overbooked(self) -> list[tuple[str, str, str]]:
        """Slots holding more bookings than they have crews: must always be empty."""
        with self._lock:
            return [key for key, booked in self._bookings.items() if booked > self.crews(*key)]

    def open_slots(self, profile: ClientProfile, day: date) -> list[str]:
        return [
            t for t in self.slot_times(profile, day) if self.capacity(profile.client_id, day.isoformat(), t)
        ]

    def open_dates(self, project: Project, start: date, end: date) -> list[str]:
        if project.category in NO_AVAILABILITY_CATEGORIES:
            return []
        profile = self.client(project.client_id)
        first = max(start, self.today() + timedelta(days=1))
        days = (first + timedelta(days=i) for i in range((end - first).days + 1))
        return [d.isoformat() for d in days if self.open_slots(profile, d)]

    def _book(self, client_id: str, day: str, time: str, delta: int) -> None:
        key = (client_id, day, time)
        self._bookings[key] = max(0, self._bookings.get(key, 0) + delta)

    def fill_slot(self, client_id: str, day: str, time: str) -> None:
        """Take every free crew of a slot, as if other customers just booked it ("slot just taken")."""
        with self._lock:
            self._book(client_id, day, time, self.capacity(client_id, day, time))

    # --- request ids ------------------------------------------------------------------------

    def issue_request(self, project: Project) -> int:
        request_id = self._next_request_id
        self._next_request_id += 1
        self._requests[request_id] = IssuedRequest(
            request_id, project.client_id, project.project_id, self.clock()
        )
        return request_id

    def check_request(self, project: Project, request_id: int | str) -> IssuedRequest | None:
        if self.shadow:
            return None
        issued = self._requests.get(int(request_id)) if str(request_id).isdigit() else None
        if (
            issued is None
            or issued.used
            or issued.project_id != project.project_id
            or self.clock() - issued.issued_at > self.request_ttl
        ):
            raise FakeHTTPError(400, REQUEST_EXPIRED)
        return issued

    def expire_requests(self) -> None:
        """Make every issued request id stale, as if the scheduler had dropped them."""
        with self._lock:
            for issued in self._requests.values():
                issued.used = True

    # --- operations (all under the lock) -----------------------------------------------------

    def refuse_dates(self, project: Project) -> None:
        """PF360's dates call refuses a project that is booked, or that it will not schedule now."""
        if project_rules.is_scheduled(project.status):
            raise FakeHTTPError(400, ALREADY_SCHEDULED)
        key = project.status.strip().lower()
        if key in project_rules.TERMINAL | project_rules.BLOCKED | project_rules.WAITING:
            raise FakeHTTPError(400, NOT_ALLOWED)

    def available_dates(self, client_id: str, project_id: str, start: str, end: str) -> dict[str, Any]:
        with self._lock:
            project = self.project(client_id, project_id)
            if not self.shadow:
                self.refuse_dates(project)
            dates = self.open_dates(project, date.fromisoformat(start), date.fromisoformat(end))
            request_id = self.issue_request(project) if dates else 0
            return {"dates": dates, "request_id": request_id}

    def time_slots(self, client_id: str, project_id: str, day: str, request_id: int | str) -> dict[str, Any]:
        with self._lock:
            project = self.project(client_id, project_id)
            self.check_request(project, request_id)
            profile = self.client(client_id)
            when = date.fromisoformat(day)
            slots = [] if when <= self.today() else self.open_slots(profile, when)
            return {"slots": slots, "request_id": int(request_id)}

    def confirm(
        self, client_id: str, project_id: str, day: str, time: str, request_id: int | str
    ) -> dict[str, Any]:
        with self._lock:
            project = self.project(client_id, project_id, for_write=True)
            issued = self.check_request(project, request_id)
            if not self.shadow:  # a shadow knows neither the real status nor the real calendar
                self.refuse_dates(project)
                when = date.fromisoformat(day)
                if when <= self.today() or time not in self.slot_times(self.client(client_id), when):
                    raise FakeHTTPError(400, SLOT_INVALID)
                if self.capacity(client_id, day, time) <= 0:
                    raise FakeHTTPError(400, SLOT_TAKEN)
            self._release(project)
            self._book(client_id, day, time, +1)
            project.status, project.scheduled_date, project.scheduled_time = "Scheduled", day, time
            if issued:
                issued.used = True
            self._confirmations += 1
            return {"confirmation_number": f"PF{project_id}-{self._confirmations:05d}"}

    def cancel_reschedule(self, client_id: str, project_id: str) -> dict[str, Any]:
        """Cancels the appointment at once (no undo) and offers the default window's dates with it."""
        with self._lock:
            project = self.project(client_id, project_id, for_write=True)
            if not self.shadow and not self._has_appointment(project):
                raise FakeHTTPError(400, NOT_SCHEDULED)
            self._release(project)
            project.status = AFTER_CANCEL_RESCHEDULE
            first = self.today() + timedelta(days=1)
            dates = self.open_dates(project, first, first + timedelta(days=10))
            return {
                "dates": dates,
                "request_id": self.issue_request(project) if dates else 0,
            }

    def cancel(self, client_id: str, project_id: str) -> dict[str, Any]:
        with self._lock:
            project = self.project(client_id, project_id, for_write=True)
            if not self.shadow and not self._has_appointment(project):
                raise FakeHTTPError(400, NOT_SCHEDULED)
            self._release(project)
            project.status = AFTER_CANCEL
            return {"message": "Appointment cancelled successfully"}

    def _has_appointment(self, project: Project) -> bool:
        return project_rules.is_scheduled(project.status) and project.scheduled_date is not None

    def _release(self, project: Project) -> None:
        """Free the crew an appointment held (none for a shadow, which never booked it here)."""
        if project.scheduled_date and project.scheduled_time and not self.shadow:
            self._book(project.client_id, project.scheduled_date, project.scheduled_time, -1)
        project.scheduled_date, project.scheduled_time = None, None

    def add_note(
        self, client_id: str, project_id: str, text: str, *, author: str, kind: str = "note"
    ) -> None:
        """Any note route: the chat note, a note for the office, an address change request (`kind`)."""
        with self._lock:
            project = self.project(client_id, project_id, for_write=True)
            project.notes.append(
                {
                    "note_id": f"N-{project_id}-{len(project.notes) + 1}",
                    "note_text": text,
                    "author": author,
                    "created_at": self.clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "kind": kind,
                }
            )

    def notes(self, client_id: str, customer_id: str, project_id: str) -> list[dict[str, str]]:
        with self._lock:
            project = self.project(client_id, project_id)
            if project.customer_id != customer_id and not self.shadow:
                raise FakeHTTPError(404, "Project not found for this customer")
            shown = ("note_id", "note_text", "author", "created_at")
            return [{k: n[k] for k in shown} for n in reversed(project.notes)]

    def _shadow_project(self, client_id: str, project_id: str) -> Project:
        project = Project(
            project_id,
            client_id,
            "0",
            f"PRJ-{project_id}",
            "Installation",
            "Unknown",
            "New",
            "0",
            "unknown",
            None,
            "unknown",
            "NA",
            "00000",
            self.today().isoformat(),
            "0",
            "",
            "",
            2,
        )
        self._data.projects[project_id] = project
        return project
