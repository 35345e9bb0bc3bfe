"""The agent handlers' dependencies, built once per container (cold start) from validated settings:
the PF360 client, the session store, the booking bridge and the idempotency store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from pydantic import Field

from booking_bridge import BookingBridge
from pf360_client.settings import EnvSettings, seconds
from session_store import SessionStore

if TYPE_CHECKING:
    from pf360_client import PF360Client
    from pf360_client.settings import Settings
    from pf360_client.weather import Weather
    from session_store.tokens import TokenVault

# boto3, Powertools Idempotency and the PF360 client's modules are imported where each service is
# first built (the first call), not with the handler.

# The handlers answer within ANSWER_DEADLINE_SECONDS: botocore's defaults (60 s timeouts, legacy
# retries) could spend minutes on one stuck connection. Standard mode retries throttling and 5xx.
AWS_CALLS = Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})
# Step Functions calls are retried by the bridge alone, within a budget: no botocore retries under it.
BRIDGE_CALLS = Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 1})


class AgentSettings(EnvSettings):
    """The agent handlers' own settings (the PF360 client reads `pf360_client.Settings`)."""

    sessions_table: str = Field(alias="DYNAMODB_TABLE_NAME", description="the sessions table name")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE_NAME", description="the idempotency table name")
    state_machine_arn: str = Field(alias="STATE_MACHINE_ARN", description="the booking state machine's ARN")
    session_timeout_seconds: int = seconds("SESSION_TIMEOUT_SECONDS", 1800, 60, 86400)
    answer_deadline_seconds: float = seconds("ANSWER_DEADLINE_SECONDS", 8.0, 0.1, 25)


class Services:
    def __init__(self, settings: AgentSettings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock  # epoch seconds: session expiry (the local stack passes its engine clock)
        self._idempotency: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def answer_deadline_seconds(self) -> float:
        return self.settings.answer_deadline_seconds

    @cached_property
    def pf360_settings(self) -> Settings:
        """The PF360 client's settings, read once: the client, the weather and the vault use them."""
        from pf360_client.settings import Settings

        return Settings.from_env()

    @cached_property
    def pf360(self) -> PF360Client:
        from pf360_client.factory import build_client

        return build_client(self.pf360_settings)

    @cached_property
    def store(self) -> SessionStore:
        import boto3

        return SessionStore(
            self.settings.sessions_table,
            ttl_seconds=self.settings.session_timeout_seconds,
            client=boto3.client("dynamodb", config=AWS_CALLS),
            clock=self.clock,
        )

    @cached_property
    def bridge(self) -> BookingBridge:
        import boto3

        sfn = boto3.client("stepfunctions", config=BRIDGE_CALLS)
        return BookingBridge(
            self.store,
            sfn,
            self.settings.state_machine_arn,
            timeout_seconds=self.settings.session_timeout_seconds,
            send_budget_seconds=self.settings.answer_deadline_seconds / 2,  # the rest: give back, answer
        )

    @cached_property
    def weather(self) -> Weather:
        from pf360_client.weather import build_weather

        return build_weather(self.pf360_settings)

    @cached_property
    def tokens(self) -> TokenVault | None:
        settings = self.pf360_settings
        if settings.use_mock_api or settings.auth_mode != "caller":
            return None
        from session_store.tokens import build_vault

        return build_vault()

    @cached_property
    def idempotency_client(self) -> Any:
        import boto3

        return boto3.client("dynamodb", config=AWS_CALLS)

    def idempotency(self, key_prefix: str) -> Any:
        """One persistence layer per key prefix: Powertools configures the prefix onto the layer at each
        call, so operations sharing a layer in one process could hash with each other's prefix."""
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        with self._lock:
            if key_prefix not in self._idempotency:
                self._idempotency[key_prefix] = DynamoDBPersistenceLayer(
                    table_name=self.settings.idempotency_table, boto3_client=self.idempotency_client
                )
            return self._idempotency[key_prefix]


_services: Services | None = None


def services() -> Services:
    global _services
    if _services is None:
        _services = Services(AgentSettings.from_env())
    return _services


def reset_services(new: Services | None = None) -> None:
    """Forget (or replace) the container's services: the local runtime does this when it rewires settings."""
    global _services
    _services = new
