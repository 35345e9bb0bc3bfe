"""The console in a real browser: Debian's chromium, headless, driven by Playwright through
`executable_path` (Playwright never downloads a browser here; `.ci/run` installs chromium).

A booking is made by clicking through the agent panel; the execution it started is then opened from
the live list, and its timeline and picture must show the states the execution history records.
Set SCHEDULING_CONSOLE_SCREENSHOT=path.png to keep a screenshot of the page (the README's).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pytest
import requests

from scheduling_tooling.cli import main
from scheduling_tooling.local.stack import EmbeddedStack

from .conftest import TURN_BOUND_SECONDS, Executions

# A bound on things that will happen, never a sleep: the longest is one agent turn, which the console
# bounds (TRIES asks of at most the answer deadline each); the page polls every 3 s.
WAIT_MS = int(TURN_BOUND_SECONDS * 1000) + 15_000
POLL_MS = 3000


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "Debian's chromium is not installed: this test drives it headless. `.ci/run` installs it "
        "(apt-get install -y chromium); on a developer machine run that once."
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[dev]' -c requirements/constraints.txt")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        yield launched
        launched.close()


@dataclass
class Opened:
    page: Any
    errors: list[str] = field(default_factory=list)  # uncaught exceptions and rejections
    logged: list[str] = field(default_factory=list)  # console.error lines (a failed request logs one)


@contextmanager
def console_page(browser: Any, url: str, *, before: Any = None) -> Iterator[Opened]:
    """The console in a fresh browser context; `before(page)` runs before it loads (a clock, a script)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    opened = Opened(context.new_page())
    opened.page.on("pageerror", lambda error: opened.errors.append(str(error)))
    opened.page.on("console", lambda m: opened.logged.append(m.text) if m.type == "error" else None)
    try:
        if before:
            before(opened.page)
        opened.page.goto(url)
        opened.page.wait_for_selector("body[data-ready='true']", timeout=WAIT_MS)
        yield opened
    finally:
        context.close()


@pytest.fixture
def page(browser: Any, served: Any, stack: EmbeddedStack) -> Iterator[Any]:
    with console_page(browser, served.console) as opened:
        yield opened.page
    assert opened.errors + opened.logged == [], "the page logged errors"


def press(page: Any, operation: str) -> Any:
    """Click an action button; the log entry of its answer once it came."""
    count = page.locator("#log li[data-status]").count()
    page.click(f"button[data-op='{operation}']")
    page.wait_for_function(
        "n => document.querySelectorAll('#log li[data-status]').length > n", arg=count, timeout=WAIT_MS
    )
    entry = page.locator("#log li[data-status]").first
    assert entry.get_attribute("data-op") == operation
    return entry


def test_a_booking_through_the_panel_shows_its_timeline_and_path(
    page: Any, stack: EmbeddedStack, executions: Any, faults: Any
) -> None:
    # Given PF360 answers the dates request 503 twice (the state machine retries it)
    faults({"get_available_dates": [{"kind": "status", "status": 503, "times": 2}]})
    # And the demo customer and project 12345 picked in the panel
    page.select_option("#customer", index=0)
    assert "1645975" in page.locator("#customer option").first.inner_text()
    page.select_option("#project", value="12345")
    # When the agent's side is played by clicking: projects, dates, a date, a slot, confirm
    assert press(page, "list_projects").get_attribute("data-status") == "200"
    assert press(page, "get_available_dates").get_attribute("data-status") == "200"
    assert page.locator("#date option").count() > 0
    assert press(page, "get_time_slots").get_attribute("data-status") == "200"
    chosen_time = page.locator("#slot option").first.get_attribute("value")
    page.select_option("#slot", value=chosen_time)
    confirmed = press(page, "confirm_appointment")
    # Then the answer is the handler's: booked, with a confirmation number
    assert confirmed.get_attribute("data-status") == "200"
    assert "confirmation" in confirmed.inner_text().lower()
    session = page.locator("#session-id").inner_text()
    started = stack.executions_of(session)
    assert len(started) == 1
    name, arn = started[0]["name"], started[0]["executionArn"]
    assert executions.finished(arn)["status"] == "SUCCEEDED"
    # And the live list shows the execution succeeded (the page polls; no reload)
    row = page.locator(f"#executions tr[data-name='{name}']")
    row.locator(".status-SUCCEEDED").wait_for(timeout=WAIT_MS)
    # When the execution is opened from the list
    page.locator("#new-session").click()  # stop following the conversation, so the click decides
    row.click()
    page.wait_for_function(
        "name => document.querySelector('#execution-title').textContent.includes(name) && "
        "document.querySelector('#timeline tbody tr:last-child')?.dataset.state === 'Done'",
        arg=name,
        timeout=WAIT_MS,
    )
    # Then the timeline lists the states the history entered, in order
    path = executions.entered(arn)
    timeline = page.locator("#timeline tbody tr").evaluate_all("rows => rows.map(r => r.dataset.state)")
    assert timeline == path
    # And the picture highlights exactly that path: each taken state at its positions in it
    marks = page.locator("#picture g.state.taken").evaluate_all(
        "gs => gs.map(g => [g.dataset.state, g.dataset.steps.split(' ').map(Number)])"
    )
    at = {step: state for state, steps in marks for step in steps}
    assert [at[k] for k in sorted(at)] == path
    assert sorted(at) == list(range(len(path)))
    taken_edges = page.locator("#picture path.edge.taken[data-from]").evaluate_all(
        "ps => ps.map(p => [p.dataset.from, p.dataset.to])"
    )
    assert {tuple(edge) for edge in taken_edges} == set(pairwise(path))
    assert page.locator("#picture g.state.failed").count() == 0
    # And the retried state shows its retries, in the timeline and in the picture
    retried = page.locator("#timeline tbody tr[data-state='Get Available Dates'] td.retries")
    assert retried.inner_text() == "2"
    badges = page.locator("#picture g.state.retried").evaluate_all(
        "gs => gs.map(g => [g.dataset.state, g.dataset.retries])"
    )
    assert badges == [["Get Available Dates", "2"]]
    screenshot = os.environ.get("SCHEDULING_CONSOLE_SCREENSHOT")
    if screenshot:
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=screenshot, full_page=True)


def test_data_from_the_stack_is_shown_as_text_never_as_markup(
    page: Any, served: Any, stack: EmbeddedStack, faults: Any
) -> None:
    # Given PF360 answering the dates request with an error whose message is markup: the execution
    # fails after its retries, and the message reaches its cause (and the timeline's)
    markup = "<img src=x onerror=alert(1)><b>bold</b>"
    faults({"get_available_dates": [{"kind": "error_body", "message": markup}]})
    page.select_option("#customer", index=0)
    page.select_option("#project", value="12345")
    press(page, "get_available_dates")
    session = page.locator("#session-id").inner_text()
    (failed,) = stack.executions_of(session)
    Executions(stack).finished(failed["executionArn"])
    # When the page shows that execution (its summary, its timeline) and a log entry built from a value
    # that is markup (the page builds entries from the stack's answers the same way)
    page.evaluate("name => openExecution(name)", failed["name"])
    page.wait_for_function(
        "() => [...document.querySelectorAll('#execution-summary dd')]"
        ".some(d => d.textContent.includes('<b>'))",
        timeout=WAIT_MS,
    )
    page.evaluate(
        "() => { const o = document.createElement('option'); o.value = '<b>x</b>'; "
        "o.textContent = '<b>x</b>'; document.querySelector('#date').replaceChildren(o); }"
    )
    press(page, "get_time_slots")
    # Then the markup is text in the page, never an element
    assert page.locator("img, b").count() == 0
    assert markup in page.locator("#execution-summary").inner_text()
    assert "<b>bold</b>" in page.locator("#timeline tbody").inner_text()
    assert "<b>x</b>" in page.locator("#log li").first.inner_text()


def test_the_page_polls_one_request_at_a_time(browser: Any, served: Any, stack: EmbeddedStack) -> None:
    # Given a stack that stops answering the list after the page loaded (every later request hangs)
    hang_after_first = """
      window.polls = { calls: 0, open: 0, most: 0 };
      const fetched = window.fetch;
      window.fetch = (url, options) => {
        if (!String(url).startsWith("api/executions?")) return fetched(url, options);
        window.polls.calls += 1;
        if (window.polls.calls === 1) return fetched(url, options);
        window.polls.open += 1;
        window.polls.most = Math.max(window.polls.most, window.polls.open);
        return new Promise(() => {});
      };
    """

    def before(page: Any) -> None:
        page.clock.install()
        page.add_init_script(hang_after_first)

    with console_page(browser, served.console, before=before) as opened:
        # When ten poll periods pass on the page's clock
        opened.page.clock.run_for(10 * POLL_MS + 100)
        polls = opened.page.evaluate("() => window.polls")
    # Then the hanging request is the only one sent since: no poll starts before the last one ended
    assert polls == {"calls": 2, "open": 1, "most": 1}
    assert opened.errors == []


def test_an_execution_that_cannot_be_opened_says_why(browser: Any, served: Any, stack: EmbeddedStack) -> None:
    # Given the list names an execution the stack does not have (gone since the list was read)
    gone = "schedule-1-1-" + "0" * 24
    listed = {"executions": [{"name": gone, "status": "SUCCEEDED", "start": None, "stop": None}]}

    def before(page: Any) -> None:
        page.route("**/api/executions?*", lambda route: route.fulfill(json=listed))

    with console_page(browser, served.console, before=before) as opened:
        # When it is clicked
        opened.page.locator(f"#executions tr[data-name='{gone}']").click()
        problem = opened.page.locator("#execution-error")
        problem.wait_for(state="visible", timeout=WAIT_MS)
        # Then the panel says why, and nothing is left uncaught
        assert f"cannot open {gone}" in problem.inner_text()
        assert opened.errors == []
    assert all("404" in line for line in opened.logged)  # only the browser's note of the failed request


def test_the_console_refuses_what_a_cross_site_form_could_send(served: Any) -> None:
    answer = requests.post(
        served.console + "api/agent",
        data="operation=list_projects",
        timeout=10,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 415
    unknown = requests.post(served.console + "api/agent", json={"operation": "drop_tables"}, timeout=10)
    assert unknown.status_code == 400


def test_scheduling_console_finds_the_console_of_the_running_stack(
    served: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the stack serves its console (as `local up` mounts it), When `scheduling console` runs
    assert main(["console", "--endpoint", served.endpoint, "--no-browser"]) == 0
    # Then it names that console, which answers with the page
    assert served.console in capsys.readouterr().out
    assert "Play the agent" in requests.get(served.console, timeout=10).text
