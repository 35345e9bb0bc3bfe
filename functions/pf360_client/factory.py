"""Builds the client the settings ask for; the only place that knows which transport serves what.

Mock mode: every operation goes to the in-process fake. Real mode: reads go over HTTP; confirm and
cancel go over HTTP once their feature flag is on, so reads can go live before writes. Until then,
outside prod a *shadow* fake (one that accepts projects it has never seen) answers them; in prod they
raise PF360WriteDisabled, since a shadow's "booked" would be a lie to a customer. Weather is not
PF360's: see weather.py.
"""

from __future__ import annotations

from pf360_client.client import PF360Client
from pf360_client.credentials import CallerToken, CredentialProvider, SecretsManagerCredentials
from pf360_client.fake.app import FakeApp
from pf360_client.fake.model import FakePF360
from pf360_client.settings import ENABLE_REAL_CANCEL, ENABLE_REAL_CONFIRM, Settings
from pf360_client.transport import DisabledWrite, HttpTransport, InProcessTransport, Transport


def build_client(
    settings: Settings | None = None,
    *,
    fake: FakePF360 | None = None,
    credentials: CredentialProvider | None = None,
) -> PF360Client:
    """`fake` and `credentials` override what the settings would build (the local runtime shares one fake)."""
    settings = settings or Settings.from_env()
    if settings.use_mock_api:
        model = fake or FakePF360(settings.mock_seed)
        if settings.mock_state_table:  # deployed: one state for every container (fake/shared.py)
            import boto3

            from pf360_client.fake.shared import SharedFakeApp

            shared = SharedFakeApp(model, settings.mock_state_table, boto3.client("dynamodb"))
            return PF360Client(InProcessTransport(shared))
        return PF360Client(InProcessTransport(FakeApp(model)))

    if credentials is None and settings.auth_mode == "caller":
        credentials = CallerToken()
    elif credentials is None:
        assert settings.credentials_secret is not None  # Settings guarantees it in service mode
        credentials = SecretsManagerCredentials(settings.credentials_secret, settings.credentials_max_age)
    http = HttpTransport(settings.base_url, settings.timeout, credentials)
    shadow = InProcessTransport(FakeApp(fake or FakePF360(settings.mock_seed, shadow=True)))

    def write(enabled: bool, flag: str) -> Transport:
        if enabled:
            return http
        return DisabledWrite(flag) if settings.api_environment == "prod" else shadow

    return PF360Client(
        http,
        confirm=write(settings.enable_real_confirm, ENABLE_REAL_CONFIRM),
        cancel=write(settings.enable_real_cancel, ENABLE_REAL_CANCEL),
    )
