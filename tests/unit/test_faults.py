"""Fault profiles for the PF360 simulator: parsing, rule sequences, and thread safety."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from scheduling_tooling.pf360_sim.faults import FaultPlan, FaultProfileError, FaultRule


def plan(faults: dict[str, Any]) -> FaultPlan:
    return FaultPlan.parse({"faults": faults})


def kinds(fault_plan: FaultPlan, operation: str, calls: int) -> list[str | None]:
    return [None if (r := fault_plan.next_fault(operation)) is None else r.kind for _ in range(calls)]


# --- parsing --------------------------------------------------------------------------------------


def test_a_valid_profile_is_parsed_with_defaults_filled_in() -> None:
    # Given a profile using several kinds and the "*" wildcard
    document = {
        "faults": {
            "get_projects": [{"kind": "status", "status": 502, "times": 2}],
            "confirm_appointment": [{"kind": "pass", "times": 1}, {"kind": "reset"}],
            "*": [{"kind": "latency", "ms": 20}],
        }
    }
    # When it is parsed
    described = FaultPlan.parse(document).describe()["faults"]
    # Then every rule is there, with unset fields at their defaults
    assert described["get_projects"][0] == {
        "kind": "status",
        "times": 2,
        "ms": 0,
        "status": 502,
        "retry_after": 1,
        "seconds": 30,
        "message": "Unable to process the request at this time",
    }
    assert [r["kind"] for r in described["confirm_appointment"]] == ["pass", "reset"]
    assert described["*"][0]["times"] is None


def test_an_empty_profile_means_no_faults() -> None:
    assert FaultPlan.parse({}).next_fault("get_projects") is None
    assert FaultPlan.parse({"faults": {}}).next_fault("get_projects") is None


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ({"faults": {"get_projects": [{"kind": "explode"}]}}, r"get_projects\[0\]: kind must be one of"),
        ({"faults": {"get_projects": [{}]}}, r"kind must be one of .* got None"),
        ({"faults": {"get_everything": [{"kind": "reset"}]}}, r"unknown operation 'get_everything'"),
        ({"faults": {"*": [{"kind": "reset", "when": 1}]}}, r"\*\[0\]: unknown field\(s\) \['when'\]"),
        ({"faults": {"get_notes": [{"kind": "status", "times": 0}]}}, r"get_notes\[0\]: times must be"),
        ({"faults": {"get_notes": [{"kind": "status", "times": -1}]}}, r"times must be a positive"),
        ({"faults": {"get_notes": [{"kind": "status", "times": "2"}]}}, r"times must be a positive"),
        ({"faults": {"get_notes": [{"kind": "status", "status": 200}]}}, r"status must be an HTTP error"),
        ({"faults": {"get_notes": [{"kind": "status", "status": 600}]}}, r"status must be an HTTP error"),
        ({"faults": {"get_notes": [{"kind": "latency", "ms": -5}]}}, r"ms must be a number from 0"),
        ({"faults": {"get_notes": [{"kind": "latency", "ms": True}]}}, r"ms must be a number"),
        ({"faults": {"get_notes": [{"kind": "hang", "seconds": 3601}]}}, r"seconds must be a number"),
        ({"faults": {"get_notes": [{"kind": "rate_limit", "retry_after": "1"}]}}, r"retry_after must be"),
        ({"faults": {"get_notes": {"kind": "reset"}}}, r"get_notes: rules must be a list"),
        ({"faults": {"get_notes": ["reset"]}}, r"get_notes\[0\]: a rule must be an object"),
        ({"faults": [{"kind": "reset"}]}, r'"faults" must map operation names'),
        ({"faults": {}, "extra": 1}, r"a fault profile is an object"),
        ([], r"a fault profile is an object"),
    ],
)
def test_a_bad_profile_is_refused_with_a_clear_error(document: Any, complaint: str) -> None:
    with pytest.raises(FaultProfileError, match=complaint):
        FaultPlan.parse(document)


def test_a_boolean_times_is_refused() -> None:
    with pytest.raises(FaultProfileError, match="times"):
        plan({"get_notes": [{"kind": "status", "times": True}]})


def test_load_reports_an_unreadable_file(tmp_path: Any) -> None:
    broken = tmp_path / "faults.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(FaultProfileError, match="cannot read fault profile"):
        FaultPlan.load(broken)
    with pytest.raises(FaultProfileError, match="cannot read fault profile"):
        FaultPlan.load(tmp_path / "missing.json")


# --- sequences ------------------------------------------------------------------------------------


def test_a_counted_rule_fires_that_many_times_then_answers_normally() -> None:
    # Given "503 twice, then OK" for get_projects
    faults = plan({"get_projects": [{"kind": "status", "status": 503, "times": 2}]})
    # When four requests arrive
    sequence = kinds(faults, "get_projects", 4)
    # Then two faults, then normal answers; other operations are untouched
    assert sequence == ["status", "status", None, None]
    assert faults.next_fault("get_notes") is None


def test_rules_are_consumed_in_order() -> None:
    # Given "succeed once, then reset every connection"
    faults = plan({"confirm_appointment": [{"kind": "pass", "times": 1}, {"kind": "reset"}]})
    assert kinds(faults, "confirm_appointment", 4) == ["pass", "reset", "reset", "reset"]


def test_wildcard_rules_apply_to_every_operation_after_its_own_list() -> None:
    # Given one specific rule for get_projects and a wildcard rule for everything
    faults = plan(
        {
            "get_projects": [{"kind": "rate_limit", "times": 1}],
            "*": [{"kind": "latency", "ms": 5, "times": 3}],
        }
    )
    # When get_projects is called, Then its own rule comes first, then the wildcard
    assert kinds(faults, "get_projects", 2) == ["rate_limit", "latency"]
    # And other operations draw on the same wildcard budget until it is spent
    assert kinds(faults, "get_notes", 3) == ["latency", "latency", None]
    assert faults.next_fault("get_projects") is None


def test_a_rule_without_times_applies_forever() -> None:
    faults = plan({"weather_forecast": [{"kind": "bad_json"}]})
    assert kinds(faults, "weather_forecast", 100) == ["bad_json"] * 100
    assert faults.describe()["faults"]["weather_forecast"][0]["times"] is None


def test_a_forever_rule_after_a_counted_one_takes_over() -> None:
    faults = plan({"add_note": [{"kind": "error_body", "times": 2}, {"kind": "hang", "seconds": 1}]})
    assert kinds(faults, "add_note", 5) == ["error_body", "error_body", "hang", "hang", "hang"]


def test_describe_shows_the_times_left() -> None:
    faults = plan({"get_notes": [{"kind": "reset", "times": 3}]})
    faults.next_fault("get_notes")
    assert faults.describe()["faults"]["get_notes"][0]["times"] == 2


# --- concurrency ----------------------------------------------------------------------------------


def test_concurrent_requests_share_a_counted_rule_exactly() -> None:
    # Given a rule good for ten faults
    faults = plan({"get_projects": [{"kind": "status", "times": 10}]})
    handed_out: list[FaultRule | None] = []
    lock = threading.Lock()
    start = threading.Barrier(50)

    def request() -> None:
        start.wait()
        result = faults.next_fault("get_projects")
        with lock:
            handed_out.append(result)

    # When fifty threads ask for a fault at the same moment
    threads = [threading.Thread(target=request) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    # Then exactly ten got it and forty answered normally
    assert len(handed_out) == 50
    assert sum(r is not None for r in handed_out) == 10
    assert faults.describe()["faults"]["get_projects"][0]["times"] == 0
