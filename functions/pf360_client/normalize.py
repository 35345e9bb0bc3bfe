"""Validators and normalisers applied at the client boundary.

PF360 has answered slot times as "08:00 AM" and as "08:00:00", and request ids as integers and as
strings. Everything past the client sees one shape: times `HH:MM:SS`, dates `YYYY-MM-DD`, request ids
untouched (opaque).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

RequestId = int | str

# Patterns are used with fullmatch: `$` would also accept a trailing newline.
_TIME_12H = re.compile(r"\s*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*([AaPp])\.?\s*[Mm]\.?\s*")
_TIME_24H = re.compile(r"\s*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ][0-9:.]+Z?)?")
# Identifiers travel in URL paths: keep them to characters that need no escaping.
_CLIENT_ID = re.compile(r"[A-Za-z0-9]{2,32}")
_NUMERIC_ID = re.compile(r"[0-9]{1,18}")
_REQUEST_ID_STR = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_DIGITS = re.compile(r"[0-9]+")


def normalize_time(value: str) -> str:
    """Return `HH:MM:SS` for "8:00 AM", "08:00 am", "08:00", "08:00:00"; raise ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"time must be a string, got {type(value).__name__}")
    if match := _TIME_12H.fullmatch(value):
        hour, minute, second, meridiem = match.groups()
        h = int(hour)
        if not 1 <= h <= 12:
            raise ValueError(f"invalid 12-hour time {value!r}")
        h = h % 12 + (12 if meridiem.lower() == "p" else 0)
    elif match := _TIME_24H.fullmatch(value):
        hour, minute, second = match.groups()
        h = int(hour)
    else:
        raise ValueError(f"unrecognised time {value!r}: expected HH:MM[:SS] or H:MM AM/PM")
    m, s = int(minute), int(second or 0)
    if h > 23 or m > 59 or s > 59:
        raise ValueError(f"time out of range {value!r}")
    return f"{h:02d}:{m:02d}:{s:02d}"


def normalize_date(value: str) -> str:
    """Return `YYYY-MM-DD` for a calendar date (a trailing time part is dropped); raise ValueError."""
    if not isinstance(value, str) or not (match := _DATE.fullmatch(value.strip())):
        raise ValueError(f"unrecognised date {value!r}: expected YYYY-MM-DD")
    year, month, day = (int(g) for g in match.groups())
    return date(year, month, day).isoformat()  # raises ValueError for 2025-02-30


def clean_text(value: str) -> str:
    """Free text for PF360 (a note): printable characters, newlines and tabs only, trimmed."""
    return "".join(ch for ch in value if ch.isprintable() or ch in "\n\t").strip()


def validate_client_id(value: str) -> str:
    if not isinstance(value, str) or not _CLIENT_ID.fullmatch(value):
        raise ValueError("client_id must be 2-32 letters or digits")
    return value


def validate_numeric_id(value: str | int, name: str) -> str:
    """Customer and project ids: digits only, returned as a string."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _NUMERIC_ID.fullmatch(text):
        raise ValueError(f"{name} must be 1-18 digits")
    return text


def validate_request_id(value: object) -> RequestId:
    """Accept an integer or a short token-like string, unchanged. Booleans are not request ids."""
    if isinstance(value, bool):
        raise ValueError("request_id must be an integer or a string")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("request_id must not be negative")
        return value
    if isinstance(value, str) and _REQUEST_ID_STR.fullmatch(value):
        return value
    raise ValueError("request_id must be an integer or 1-128 URL-safe characters")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date. None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if _DIGITS.fullmatch(text):  # ASCII only: "²".isdigit() is true, float("²") fails
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, delta)
