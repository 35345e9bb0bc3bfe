"""Reading GetExecutionHistory politely: page by page, newest first where the answer is at the end,
and no further than the caller needs (the readers are generators: a caller that has its answer stops,
and no further page is fetched). Throttling is retried with backoff by the client (target.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

MAX_PAGE = 1000  # GetExecutionHistory's maxResults limit


def events(
    sfn: Any,
    execution_arn: str,
    *,
    reverse: bool = False,
    page_size: int = MAX_PAGE,
    max_events: int | None = None,
) -> Iterator[dict[str, Any]]:
    """The execution's history events, oldest first (or newest first with `reverse`), fetched one page
    at a time as the caller consumes them, at most `max_events` of them."""
    kwargs: dict[str, Any] = {
        "executionArn": execution_arn,
        "reverseOrder": reverse,
        "maxResults": max(1, min(page_size, MAX_PAGE)),
    }
    yielded = 0
    while True:
        if max_events is not None:
            kwargs["maxResults"] = max(1, min(kwargs["maxResults"], max_events - yielded))
        page = sfn.get_execution_history(**kwargs)
        found = list(page["events"])
        if reverse and len(found) > 1 and found[0]["id"] < found[-1]["id"]:
            # moto 5.2.5 ignores reverseOrder, maxResults and nextToken: the whole history, oldest first
            found.reverse()
        for event in found:
            yield event
            yielded += 1
            if max_events is not None and yielded >= max_events:
                return
        token = page.get("nextToken")
        if not token:
            return
        kwargs["nextToken"] = token


def payload(event: dict[str, Any]) -> str | None:
    """The JSON text an event carries (a state's input or output, a task's output), if any."""
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, dict):
            for field in ("input", "output"):
                if isinstance(details.get(field), str):
                    return str(details[field])
    return None


def loads(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def summary(cause: str | None, limit: int = 300) -> str | None:
    """A cause as one readable line: the innermost error message of the JSON Lambda and the Fail
    states nest, never the stack trace."""
    text = cause
    for _ in range(4):  # a Fail state's cause wraps a Catch's {"Error","Cause"}, which wraps Lambda's
        data = loads(text)
        if not isinstance(data, dict):
            break
        if isinstance(data.get("errorMessage"), str):
            text = data["errorMessage"]
        elif isinstance(data.get("Cause"), str):
            text = data["Cause"]
        elif isinstance(data.get("cause"), str):
            text = data["cause"]
        else:
            break
    line = " ".join(str(text or "").split())
    if not line:
        return None
    return line if len(line) <= limit else line[: limit - 1] + "…"
