"""The fix in scheduling_tooling.local.powertools_fixes, checked both ways: with it, concurrent
resolves in one process each see their own event; with Powertools' original class attribute put back,
one of them reads the other's (delete the fix when a Powertools upgrade makes that test fail)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import BedrockAgentResolver, api_gateway

from scheduling_tooling.local import powertools_fixes


def _event(session_id: str) -> dict[str, Any]:
    return {
        "messageVersion": "1.0",
        "agent": {"name": "a", "id": "a", "alias": "a", "version": "1"},
        "sessionId": session_id,
        "sessionAttributes": {},
        "promptSessionAttributes": {},
        "inputText": "",
        "actionGroup": "who",
        "apiPath": "/who",
        "httpMethod": "GET",
        "parameters": [],
    }


def _two_concurrent_resolves() -> dict[str, str]:
    """Two resolvers (two containers' apps) resolve two events at once; each route, once both events
    are set, reports whose event its app says it is resolving."""
    both_inside = threading.Barrier(2, timeout=30)
    seen: dict[str, str] = {}

    def resolve(session_id: str) -> None:
        app = BedrockAgentResolver()

        @app.get("/who", description="whose event this is")
        def who() -> dict[str, str]:
            both_inside.wait()  # the other thread has set its event by now
            seen[session_id] = app.current_event.session_id
            return {}

        app.resolve(_event(session_id), {})

    threads = [threading.Thread(target=resolve, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return seen


def test_concurrent_resolves_each_see_their_own_event() -> None:
    powertools_fixes.apply()
    assert _two_concurrent_resolves() == {"left": "left", "right": "right"}


def test_gap_still_there_concurrent_resolves_share_one_event(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given Powertools' original: the name BaseRouter is the class, the event a plain class attribute
    powertools_fixes.apply()
    original = powertools_fixes.ORIGINAL_BASE_ROUTER
    monkeypatch.setattr(api_gateway, "BaseRouter", original)
    for name in powertools_fixes.FIELDS:
        monkeypatch.setattr(original, name, None)
    # When two resolves run at once, Then both read the event set last
    seen = _two_concurrent_resolves()
    assert len(set(seen.values())) == 1
