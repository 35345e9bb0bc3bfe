"""What the agent logic needs, passed in: the handlers give it their container's services, tests give
it in-memory fakes (tooling/scheduling_tooling/fakes.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from booking_bridge import BookingBridge
from pf360_client import PF360Client
from session_store import SessionStore

if TYPE_CHECKING:
    from pf360_client.weather import Weather
    from session_store.tokens import TokenVault


class Deps(Protocol):
    @property
    def store(self) -> SessionStore: ...

    @property
    def bridge(self) -> BookingBridge: ...

    @property
    def pf360(self) -> PF360Client: ...

    @property
    def tokens(self) -> TokenVault | None:
        """Where the customer's token is kept for the step Lambdas; None when PF360 calls carry none
        of theirs (mock mode, or a service credential)."""

    @property
    def weather(self) -> Weather:
        """Forecasts at an address (not PF360's: Open-Meteo, or mock mode's fake)."""

    @property
    def answer_deadline_seconds(self) -> float: ...

    @property
    def clock(self) -> Callable[[], float]: ...
