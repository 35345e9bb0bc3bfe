"""Shared PF360 Customer Scheduler client (deployed as a Lambda layer).

from pf360_client import build_client
client = build_client()              # settings from the environment, validated now
client.get_projects("09PF05VD", "1645975")

The names below are loaded on first use: `from pf360_client import errors` (or `contract`, `models`)
does not pull in the client, its transports and settings, so a cold start imports only what it uses.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pf360_client.client import PF360Client
    from pf360_client.factory import build_client
    from pf360_client.settings import Settings

__all__ = ["PF360Client", "Settings", "build_client"]
_HOMES = {
    "PF360Client": "pf360_client.client",
    "build_client": "pf360_client.factory",
    "Settings": "pf360_client.settings",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
