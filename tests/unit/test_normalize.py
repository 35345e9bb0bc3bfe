"""Validators and normalisers at the client boundary: times, dates, ids, Retry-After."""

from __future__ import annotations

import calendar
import re
import string
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pf360_client.normalize import (
    normalize_date,
    normalize_time,
    parse_retry_after,
    validate_client_id,
    validate_numeric_id,
    validate_request_id,
)

# Local settings rather than a global profile: other test folders share this session.
property_test = settings(max_examples=150, deadline=None)

HMS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$")
REQUEST_ID_CHARS = string.ascii_letters + string.digits + "_.:-"
NOW = datetime(2025, 6, 2, 12, 0, 0, tzinfo=UTC)

hours, minutes, seconds = st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)


# --- normalize_time -------------------------------------------------------------------------------


@property_test
@given(hours, minutes, seconds)
def test_24h_and_12h_forms_of_one_instant_normalise_alike(h: int, m: int, s: int) -> None:
    # Given one time of day written the two ways PF360 has answered it
    h12, meridiem = (h - 1) % 12 + 1, "AM" if h < 12 else "PM"
    # When both are normalised
    from_24h = normalize_time(f"{h:02d}:{m:02d}:{s:02d}")
    from_12h = normalize_time(f"{h12:02d}:{m:02d}:{s:02d} {meridiem}")
    # Then they agree on the one HH:MM:SS form
    assert from_24h == from_12h == f"{h:02d}:{m:02d}:{s:02d}"


@property_test
@given(hours, minutes)
def test_short_forms_without_seconds_get_zero_seconds(h: int, m: int) -> None:
    # Given "H:MM", "HH:MM" and "H:MM pm" spellings
    h12, meridiem = (h - 1) % 12 + 1, "am" if h < 12 else "pm"
    expected = f"{h:02d}:{m:02d}:00"
    # Then every spelling lands on HH:MM:00
    assert normalize_time(f"{h}:{m:02d}") == expected
    assert normalize_time(f"{h12}:{m:02d}{meridiem}") == expected
    assert normalize_time(f"  {h12}:{m:02d} {meridiem.upper()[0]}.M. ") == expected


@property_test
@given(hours, minutes, seconds)
def test_normalize_time_is_idempotent(h: int, m: int, s: int) -> None:
    # Given a normalised time
    once = normalize_time(f"{h}:{m:02d}:{s:02d}")
    # When it is normalised again, Then nothing changes
    assert normalize_time(once) == once
    assert HMS.match(once)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12:00 AM", "00:00:00"), ("12:30 PM", "12:30:00"), ("08:00 AM", "08:00:00"), ("02:00 PM", "14:00:00")],
)
def test_midnight_and_noon_follow_the_12_hour_clock(raw: str, expected: str) -> None:
    assert normalize_time(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["24:00", "13:75", "08:60", "08:00:60", "0:00 AM", "13:00 PM", "8", "8am", "08-00", "", "noon", "8:0"],
)
def test_out_of_range_and_garbage_times_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="time"):
        normalize_time(raw)


@pytest.mark.parametrize("raw", [None, 800, 8.0, b"08:00"])
def test_non_string_times_are_refused(raw: object) -> None:
    with pytest.raises(ValueError, match="string"):
        normalize_time(raw)  # type: ignore[arg-type]


@property_test
@given(st.text(max_size=20))
def test_any_text_either_normalises_to_hms_or_raises_value_error(raw: str) -> None:
    # Given arbitrary text, When normalised, Then the result is HH:MM:SS or a ValueError, nothing else
    try:
        result = normalize_time(raw)
    except ValueError:
        return
    assert HMS.match(result)


# --- normalize_date -------------------------------------------------------------------------------


@property_test
@given(st.dates())
def test_dates_round_trip_through_isoformat(day: date) -> None:
    assert normalize_date(day.isoformat()) == day.isoformat()


@pytest.mark.parametrize("raw", ["2024-02-29T10:00:00Z", "2024-02-29 10:00:00", " 2024-02-29 "])
def test_a_trailing_time_part_and_spaces_are_dropped(raw: str) -> None:
    assert normalize_date(raw) == "2024-02-29"


@property_test
@given(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 99))
def test_days_past_the_end_of_the_month_are_refused(year: int, month: int, day: int) -> None:
    # Given a day number beyond the month's length
    if day <= calendar.monthrange(year, month)[1]:
        day = 32
    # Then the date is refused
    with pytest.raises(ValueError, match="day"):
        normalize_date(f"{year:04d}-{month:02d}-{day:02d}")


@pytest.mark.parametrize(
    "raw", ["2025-02-30", "2025-13-01", "2025-00-10", "2025-2-3", "02/03/2025", "tomorrow", "", "2025-02-03x"]
)
def test_invalid_dates_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=r"date|month|day"):
        normalize_date(raw)


# --- ids ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("good", ["09PF05VD", "11PF22QX", "ab", "A" * 32])
def test_client_ids_of_letters_and_digits_pass_unchanged(good: str) -> None:
    assert validate_client_id(good) == good


@pytest.mark.parametrize("bad", ["", "A", "A" * 33, "09PF 05VD", "09PF/05VD", "09PF05VD?", 1234, None])
def test_bad_client_ids_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="client_id"):
        validate_client_id(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("raw", "text"), [(12345, "12345"), ("1645975", "1645975"), (0, "0")])
def test_numeric_ids_come_back_as_strings(raw: int | str, text: str) -> None:
    assert validate_numeric_id(raw, "project_id") == text


@pytest.mark.parametrize("bad", ["", "12a", "-5", -5, "1" * 19, True, 1.0, None, "12 345"])
def test_bad_numeric_ids_are_refused_by_name(bad: object) -> None:
    with pytest.raises(ValueError, match="project_id"):
        validate_numeric_id(bad, "project_id")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (validate_client_id, "09PF05VD\n"),
        (lambda v: validate_numeric_id(v, "project_id"), "12345\n"),
        (validate_request_id, "req-1\n"),
    ],
    ids=["client_id", "numeric_id", "request_id"],
)
def test_ids_with_a_trailing_newline_are_refused(check: object, value: str) -> None:
    with pytest.raises(ValueError, match="_id"):
        check(value)  # type: ignore[operator]


# --- request ids ----------------------------------------------------------------------------------


@property_test
@given(st.integers(min_value=0, max_value=2**63))
def test_integer_request_ids_pass_unchanged(value: int) -> None:
    result = validate_request_id(value)
    assert result == value
    assert type(result) is int


@property_test
@given(st.text(alphabet=REQUEST_ID_CHARS, min_size=1, max_size=128))
def test_token_request_ids_pass_unchanged(value: str) -> None:
    result = validate_request_id(value)
    assert result == value
    assert type(result) is str


def test_a_digit_string_request_id_stays_a_string() -> None:
    # Opaque: "1675" is not turned into 1675 (nor 1675 into "1675")
    assert validate_request_id("1675") == "1675"
    assert validate_request_id(1675) == 1675


@pytest.mark.parametrize("bad", [True, False, -1, None, 1.5, "", "x" * 129, ["1"], b"1"])
def test_bools_negatives_and_other_types_are_not_request_ids(bad: object) -> None:
    with pytest.raises(ValueError, match="request_id"):
        validate_request_id(bad)


@property_test
@given(
    st.text(alphabet=REQUEST_ID_CHARS, max_size=20),
    st.characters(exclude_characters=REQUEST_ID_CHARS),
    st.text(alphabet=REQUEST_ID_CHARS, min_size=1, max_size=20),
)
def test_request_ids_with_an_odd_character_are_refused(head: str, odd: str, tail: str) -> None:
    # Given a token with one character that would need escaping in a URL
    with pytest.raises(ValueError, match="request_id"):
        validate_request_id(head + odd + tail)


# --- Retry-After ----------------------------------------------------------------------------------


@property_test
@given(st.integers(0, 10**7))
def test_delta_seconds_are_read_as_seconds(delay: int) -> None:
    assert parse_retry_after(str(delay), now=NOW) == float(delay)
    assert parse_retry_after(f"  {delay} ", now=NOW) == float(delay)


@property_test
@given(st.integers(0, 10**6))
def test_an_http_date_becomes_seconds_from_now(delay: int) -> None:
    # Given an HTTP date `delay` seconds after now
    header = format_datetime(NOW + timedelta(seconds=delay), usegmt=True)
    # Then the wait is that many seconds
    assert parse_retry_after(header, now=NOW) == pytest.approx(delay)


def test_an_http_date_in_the_past_means_no_wait() -> None:
    header = format_datetime(NOW - timedelta(hours=1), usegmt=True)
    assert parse_retry_after(header, now=NOW) == 0.0


@pytest.mark.parametrize("raw", [None, "", "   ", "soon", "-5", "1.5", "Mon, 99 Foo 2025"])
def test_absent_or_unreadable_retry_after_is_none(raw: str | None) -> None:
    assert parse_retry_after(raw, now=NOW) is None


@property_test
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=40))
def test_any_ascii_retry_after_gives_none_or_a_non_negative_number(raw: str) -> None:
    result = parse_retry_after(raw, now=NOW)
    assert result is None or result >= 0


def test_a_superscript_digit_retry_after_is_unreadable_not_a_crash() -> None:
    assert parse_retry_after("²", now=NOW) is None
