"""In-memory fakes of what the conversation logic takes as `deps` (agent_actions/deps.py), for unit tests
of agent_actions.booking with no moto, socket, thread or sleep. Tooling: never deployed.

- `InMemorySessionStore` is the real `SessionStore` over `InMemoryTable`, a dict of items answering the
  four DynamoDB calls the store makes. Every rule (ownership, versions, TTL, what a booking clears) is
  the store's own code: only DynamoDB is replaced, and tests/unit/test_store_fake_parity.py holds the
  table to moto's DynamoDB.
- `FakeBridge` is the real `BookingBridge` (claims, give-backs, retries, names) over
  `ScriptedStepFunctions`, whose `ScriptedExecution`s play statemachines/booking-conversation.asl.json
  synchronously: each turn (a start, then each choice) runs the real step Lambdas on the fake PF360 up
  to the next wait or the end, and writes the session item with the ASL's own UpdateExpressions.
  Not played: retries (a scripted error is one that outlived them), a wait's timeout, and a reschedule
  PF360 will not move in one go (the fake PF360 always moves it; script such endings with `ends`).
- `fake_deps()` wires them on one manual clock, with the PF360 calls of the logic counted.

One module, over the ~250 lines a product file keeps to: the four parts are one set, used together.

A test scripts deviations: `bridge.next_turn(hold=True)` (lands, answers only at `bridge.release()`),
`next_turn(raises="PF360Unavailable")` (the turn's first step fails; the ASL's Catch decides: a failure,
a notice such as "NoSlotsOnDate", ...), `next_turn(ends="escalated")`, `bridge.reachable = False`
(Step Functions unreachable: a start fails, a choice is given back), `bridge.meanwhile(call)` (a
concurrent call, run just before the next start or choice acts).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError, EndpointConnectionError

from booking_bridge import BookingBridge
from booking_steps import (
    cancel,
    confirm,
    get_dates,
    get_slots,
    read_appointment,
    reconcile,
    release,
    restore_appointment,
    runtime,
)
from booking_steps import errors as step_errors
from booking_steps.booking import failed, outcome
from pf360_client import errors as pf360_errors
from pf360_client.client import PF360Client
from pf360_client.fake.app import FakeApp
from pf360_client.fake.model import FakePF360
from pf360_client.operations import Envelope, Operation
from pf360_client.settings import ENABLE_REAL_CANCEL, ENABLE_REAL_CONFIRM
from pf360_client.transport import DisabledWrite, InProcessTransport, RawResponse, Transport
from pf360_client.weather import FakeWeather, Weather
from scheduling_tooling.local.resources import STATEMACHINES
from session_store import Session, SessionStore
from session_store.store import DEFAULT_TTL_SECONDS
from session_store.tokens import TokenVault

SESSIONS_TABLE = "pf360-scheduling-sessions"
STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:pf360-booking-conversation"
START = datetime(2026, 11, 27, 15, tzinfo=UTC).timestamp()  # a Friday afternoon: dates from Saturday on
_ASL_STATES: dict[str, Any] = json.loads((STATEMACHINES / "booking-conversation.asl.json").read_text())[
    "States"
]
_serialize, _deserialize = TypeSerializer().serialize, TypeDeserializer().deserialize


class ManualClock:
    """Epoch seconds that move only when a test says so; the session store and PF360 share it."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)

    def iso(self) -> str:
        """As Step Functions' $$.State.EnteredTime (and the store's updated_at)."""
        return self.utc().isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- the session store -----------------------------------------------------------------------------

_CLAUSES = re.compile(r"\b(SET|REMOVE)\b")
_TERM = re.compile(r"(attribute_exists|attribute_not_exists)\(([#\w]+)\)|([#\w]+) (=|<=) (:\w+)")
_OPERAND = re.compile(r"(:\w+)|([#\w]+) \+ (:\w+)")


class InMemoryTable:
    """The DynamoDB calls SessionStore makes (get_item, put_item, update_item, query on the customer
    index), over `items`: session id -> item (plain values, numbers as Decimal). Understands the forms
    the store and the ASL write (SET a = :v | a + :v, REMOVE, AND/OR of =, <= and attribute_[not_]exists);
    anything else raises, so a new form cannot pass unnoticed. Unused or missing values are refused as
    DynamoDB refuses them; a failed condition is DynamoDB's ConditionalCheckFailedException."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get_item(self, *, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        with self._lock:
            item = self.items.get(Key["session_id"]["S"])
        return {} if item is None else {"Item": _typed(item)}

    def query(
        self, *, KeyConditionExpression: str, ExpressionAttributeValues: dict[str, Any], **_: Any
    ) -> dict[str, Any]:
        attribute, placeholder = KeyConditionExpression.split(" = ")
        wanted = _deserialize(ExpressionAttributeValues[placeholder])
        with self._lock:
            return {"Items": [_typed(i) for i in self.items.values() if i.get(attribute) == wanted]}

    def put_item(
        self,
        *,
        Item: dict[str, Any],
        ConditionExpression: str = "",
        ExpressionAttributeValues: dict[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        item, values = _plain(Item), _plain(ExpressionAttributeValues or {})
        _all_used(values, ConditionExpression)
        with self._lock:
            _check(self.items.get(item["session_id"]), ConditionExpression, values, {})
            self.items[item["session_id"]] = item
        return {}

    def update_item(
        self,
        *,
        Key: dict[str, Any],
        UpdateExpression: str,
        ConditionExpression: str = "",
        ExpressionAttributeValues: dict[str, Any] | None = None,
        ExpressionAttributeNames: dict[str, str] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        key, values = Key["session_id"]["S"], _plain(ExpressionAttributeValues or {})
        names = ExpressionAttributeNames or {}
        _all_used(values, f"{UpdateExpression} {ConditionExpression}")
        with self._lock:
            current = self.items.get(key)
            _check(current, ConditionExpression, values, names)
            item = dict(current or {"session_id": key})
            parts = _CLAUSES.split(UpdateExpression)
            for keyword, body in zip(parts[1::2], parts[2::2], strict=True):
                for clause in (c.strip() for c in body.split(",")):
                    if keyword == "REMOVE":
                        item.pop(names.get(clause, clause), None)
                        continue
                    target, operand = (side.strip() for side in clause.split("=", 1))
                    item[names.get(target, target)] = _value(item, operand, values, names)
            self.items[key] = item
        return {}


def _plain(typed: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserialize(value) for name, value in typed.items()}


def _typed(plain: dict[str, Any]) -> dict[str, Any]:
    return {name: _serialize(value) for name, value in plain.items()}


def _dynamodb_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "UpdateItem")


def _all_used(values: dict[str, Any], expressions: str) -> None:
    named = set(re.findall(r":\w+", expressions))
    if named != set(values):
        raise _dynamodb_error(
            "ValidationException", f"values unused or missing: {sorted(named ^ set(values))}"
        )


def _check(
    item: dict[str, Any] | None, condition: str, values: dict[str, Any], names: dict[str, str]
) -> None:
    alternatives = [[term.strip() for term in alt.split(" AND ")] for alt in condition.split(" OR ")]
    if condition and not any(all(_holds(item, t, values, names) for t in alt) for alt in alternatives):
        raise _dynamodb_error("ConditionalCheckFailedException", "The conditional request failed")


def _holds(item: dict[str, Any] | None, term: str, values: dict[str, Any], names: dict[str, str]) -> bool:
    match = _TERM.fullmatch(term)
    if match is None:
        raise NotImplementedError(f"InMemoryTable does not know the condition {term!r}")
    function, checked, attribute, operator, placeholder = match.groups()
    if function:
        return (item is not None and names.get(checked, checked) in item) == (function == "attribute_exists")
    have, want = (item or {}).get(names.get(attribute, attribute)), values[placeholder]
    if have is None or type(have) is not type(want):  # DynamoDB: a missing attribute or another type
        return False
    return bool(have == want if operator == "=" else have <= want)


def _value(item: dict[str, Any], operand: str, values: dict[str, Any], names: dict[str, str]) -> Any:
    match = _OPERAND.fullmatch(operand)
    if match is None:
        raise NotImplementedError(f"InMemoryTable does not know the operand {operand!r}")
    placeholder, attribute, added = match.groups()
    return values[placeholder] if placeholder else item[names.get(attribute, attribute)] + values[added]


class InMemorySessionStore(SessionStore):
    """SessionStore itself, over an InMemoryTable instead of DynamoDB."""

    def __init__(
        self, *, ttl_seconds: int = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self.table = InMemoryTable()
        super().__init__(SESSIONS_TABLE, ttl_seconds=ttl_seconds, client=self.table, clock=clock)


def asl_write(
    state: str, session_id: str, values: dict[str, Any], table: str = SESSIONS_TABLE
) -> dict[str, Any]:
    """The update_item call the ASL's `state` makes on the session item, given its placeholders'
    values: exactly those the ASL names (a state that grows or loses one fails here)."""
    parameters = _ASL_STATES[state]["Parameters"]
    if set(values) != set(parameters["ExpressionAttributeValues"]):
        raise ValueError(f"{state} writes {sorted(parameters['ExpressionAttributeValues'])}")
    return {
        "TableName": table,
        "Key": {"session_id": {"S": session_id}},
        "UpdateExpression": parameters["UpdateExpression"],
        "ConditionExpression": parameters["ConditionExpression"],
        "ExpressionAttributeValues": _typed(values),
    }


# --- Step Functions, played --------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """How an execution takes the next start or choice handed to it. The default: as the ASL would."""

    hold: bool = False  # it lands, but nothing is written until release(): the handler hears "still working"
    raises: str | None = None  # the turn's first step fails with this error name; the ASL's Catch routes it
    ends: str | None = None  # the execution ends at once with this outcome step (e.g. "escalated")


class ScriptedExecution:
    """One booking execution, played as the ASL runs it (state names in the comments). `booking` is
    its state (`$`), `status` as Step Functions reports it, `token` its wait's, while it waits."""

    def __init__(self, sfn: ScriptedStepFunctions, name: str, given: str) -> None:
        self.sfn, self.name, self.input = sfn, name, given
        self.booking: dict[str, Any] = json.loads(given)
        self.status = "RUNNING"
        self.waits_in: str | None = None
        self.token: str | None = None
        self._raises: str | None = None

    def play(self, turn: Turn, reply: dict[str, Any] | None = None) -> None:
        self._raises = turn.raises
        if reply is not None:
            self.booking["reply"] = reply  # ResultPath $.reply
        try:
            if turn.ends:
                self._end(outcome(turn.ends, error="Booking.Escalated" if turn.ends == "escalated" else None))
            elif reply is None and self.booking["mode"] == "cancel":  # Route Mode
                self._end(self._step(cancel.handler))  # Cancel Appointment
            elif reply is None:
                if self.booking["mode"] == "reschedule":
                    self.booking["released"] = self._step(read_appointment.handler)  # Read Appointment
                    self.booking["released"] = self._step(release.handler)  # Release Appointment
                self._offer_dates()
            elif self.waits_in == "Wait For Slot" and not isinstance(reply.get("date"), str):
                self._confirm()  # Slot Or New Date: a time, not another date
            else:
                self._offer_times()
        except Exception as error:  # States.ALL: Describe Failure, Put Back Before Failing, Record Failure
            self.booking["error"] = _caught(error)
            self._end(failed(_caught(error)), put_back=True)

    def abort_wait(self, error: str, cause: str) -> None:
        """SendTaskFailure: Booking.Abandoned ends it quietly (Abandoned); anything else is a failure.
        Either way a released appointment is put back first."""
        self.waits_in = self.token = None
        self.booking["error"] = {"Error": error, "Cause": cause}
        if error == "Booking.Abandoned":
            if not self._put_back():  # Put Back Before Leaving
                self.status = "SUCCEEDED"
        else:
            self._end(failed({"Error": error, "Cause": cause}), put_back=True)

    def _offer_dates(self) -> None:  # Get Available Dates
        try:
            self.booking["offer"] = self._step(get_dates.handler)
        except step_errors.NoAvailability:
            self._end(outcome("no_availability"), put_back=True)  # No Dates To Offer, Put Back Before Ending
            return
        except pf360_errors.PF360AlreadyScheduled:
            self._end(outcome("already_scheduled"), put_back=True)  # Already Has An Appointment
            return
        except pf360_errors.PF360NotSchedulable:
            self._end(outcome("not_schedulable"), put_back=True)  # PF360 Will Not Schedule It
            return
        self._wait("Wait For Date")

    def _offer_times(self) -> None:  # Get Time Slots
        try:
            self.booking["offer"] = self._step(get_slots.handler)
        except (step_errors.ChoiceNotOffered, step_errors.NoSlotsOnDate) as error:
            self.booking["offer"]["problem"] = _caught(error)
            self._wait("Wait For Date")
            return
        self._wait("Wait For Slot")

    def _confirm(self) -> None:  # Confirm Appointment
        try:
            booked = self._step(confirm.handler)
        except step_errors.ChoiceNotOffered as error:
            self.booking["offer"]["problem"] = _caught(error)
            self._wait("Wait For Slot")
        except pf360_errors.PF360SlotUnavailable as error:
            self.booking["offer"]["problem"] = _caught(error)
            self._offer_times()
        except pf360_errors.PF360WriteDisabled:
            raise  # Describe Failure
        except Exception as error:  # Reconcile Appointment: what PF360 holds decides
            self.booking["error"] = _caught(error)
            settled = self._step(reconcile.handler)
            self._end(settled, put_back=settled["step"] == "failed")  # Was It Ours
        else:
            self._end(booked)

    def _step(self, handler: Callable[[dict[str, Any], Any], dict[str, Any]]) -> dict[str, Any]:
        """A step Lambda on the booking state, as Lambda would get it (JSON), on the fake PF360."""
        if self._raises:
            name, self._raises = self._raises, None
            raise _error_named(name)
        with _steps_calling(self.sfn.pf360):
            return handler(json.loads(json.dumps({"booking": self.booking, "execution": self.name})), None)

    def _wait(self, state: str) -> None:  # Wait For Date / Wait For Slot: token and offer on the item
        offer, token = self.booking["offer"], f"{self.name}/{next(self.sfn.tokens)}"
        values = {
            ":step": "awaiting_date",
            ":token": token,
            ":notice": offer["problem"]["Error"],
            ":dates": _compact(offer["dates"]),
        }
        if state == "Wait For Slot":
            values |= {":step": "awaiting_slot", ":slots": _compact(offer["slots"]), ":day": offer["date"]}
        if self._write(state, values):
            self.waits_in, self.token = state, token

    def _put_back(self) -> bool:
        """The Put Back choices: a released appointment is booked again (Restore Original
        Appointment), or escalated (Needs A Person). False when nothing was released."""
        if not (self.booking.get("released") or {}).get("original"):
            return False
        try:
            restored = self._step(restore_appointment.handler)
        except Exception:
            restored = outcome("escalated", error="Booking.Escalated", cause="needs a person")
        self._end(restored)
        return True

    def _end(self, result: dict[str, Any], *, put_back: bool = False) -> None:
        """Record Outcome, or Record Failure and fail; first the Put Back choice when it applies."""
        if put_back and self._put_back():
            return
        failure = result["step"] in ("failed", "escalated")
        self._write(
            "Record Failure" if failure else "Record Outcome",
            {":step": result["step"], ":outcome": _compact(result)},
        )
        self.status, self.waits_in, self.token = ("FAILED" if failure else "SUCCEEDED"), None, None

    def _write(self, state: str, values: dict[str, Any]) -> bool:
        """The state's update, conditional on the item naming this execution; False when superseded."""
        values |= {":one": 1, ":now": self.sfn.clock.iso(), ":me": self.name}
        try:
            self.sfn.table.update_item(**asl_write(state, self.booking["session_id"], values))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            self.status, self.waits_in, self.token = "SUCCEEDED", None, None  # Superseded
            return False
        return True


class ScriptedStepFunctions:
    """The Step Functions calls BookingBridge makes, answered by ScriptedExecutions. `calls` logs what
    reached Step Functions; with `reachable` False every call fails as a lost connection does."""

    _ERRORS = ("ExecutionAlreadyExists", "TaskTimedOut", "InvalidToken", "TaskDoesNotExist")
    exceptions = SimpleNamespace(**{code: type(code, (ClientError,), {}) for code in _ERRORS})

    def __init__(self, table: InMemoryTable, pf360: PF360Client, clock: ManualClock) -> None:
        self.table, self.pf360, self.clock = table, pf360, clock
        self.executions: dict[str, ScriptedExecution] = {}
        self.calls: list[tuple[str, Any]] = []
        self.turns: list[Turn] = []
        self.held: list[Callable[[], None]] = []
        self.reachable = True
        self.tokens = itertools.count(1)

    def start_execution(self, *, stateMachineArn: str, name: str, input: str) -> dict[str, Any]:
        self._connect()
        self.calls.append(("start_execution", name))
        arn = {"executionArn": stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name}
        known = self.executions.get(name)
        if known is not None:  # idempotent for a running execution with the same input, as AWS is
            if known.status == "RUNNING" and known.input == input:
                return arn
            raise self._error("ExecutionAlreadyExists", "StartExecution")
        self.executions[name] = ScriptedExecution(self, name, input)
        self._take_turn(self.executions[name], None)
        return arn

    def send_task_success(self, *, taskToken: str, output: str) -> dict[str, Any]:
        self._connect()
        execution, reply = self._waiting_on(taskToken, "SendTaskSuccess"), json.loads(output)
        self.calls.append(("send_task_success", reply))
        execution.token = None  # spent
        self._take_turn(execution, reply)
        return {}

    def send_task_failure(self, *, taskToken: str, error: str = "", cause: str = "") -> dict[str, Any]:
        self._connect()
        execution = self._waiting_on(taskToken, "SendTaskFailure")
        self.calls.append(("send_task_failure", error))
        execution.abort_wait(error, cause)
        return {}

    def release(self) -> None:
        """Let the held turns play, in the order they were taken."""
        held, self.held = self.held, []
        for play in held:
            play()

    def _take_turn(self, execution: ScriptedExecution, reply: dict[str, Any] | None) -> None:
        turn = self.turns.pop(0) if self.turns else Turn()
        if turn.hold:
            self.held.append(lambda: execution.play(replace(turn, hold=False), reply))
        else:
            execution.play(turn, reply)

    def _waiting_on(self, token: str, operation: str) -> ScriptedExecution:
        for execution in self.executions.values():
            if execution.token == token:
                return execution
        raise self._error("TaskTimedOut", operation)  # spent, or its wait ended

    def _connect(self) -> None:
        if not self.reachable:
            raise EndpointConnectionError(endpoint_url="https://states.us-east-1.amazonaws.com")

    def _error(self, code: str, operation: str) -> ClientError:
        kind: type[ClientError] = getattr(self.exceptions, code)
        return kind(
            {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": 400}}, operation
        )


class FakeBridge(BookingBridge):
    """BookingBridge itself, on ScriptedStepFunctions. No pause is slept (each is kept in `pauses`);
    `asked` records what the conversation logic asked of it; `sent` what reached Step Functions."""

    def __init__(self, store: InMemorySessionStore, pf360: PF360Client, clock: ManualClock) -> None:
        self.scripted = ScriptedStepFunctions(store.table, pf360, clock)
        self.pauses: list[float] = []
        self.asked: list[tuple[Any, ...]] = []
        self._meanwhile: list[Callable[[], object]] = []
        super().__init__(
            store,
            self.scripted,
            STATE_MACHINE_ARN,
            timeout_seconds=store.ttl_seconds,
            sleep=self.pauses.append,
        )

    # --- what a test scripts --------------------------------------------------------------------------

    def next_turn(self, *, hold: bool = False, raises: str | None = None, ends: str | None = None) -> None:
        self.scripted.turns.append(Turn(hold, raises, ends))

    def release(self) -> None:
        self.scripted.release()

    def meanwhile(self, call: Callable[[], object]) -> None:
        """Run `call` (a concurrent request) just before the next start or choice acts."""
        self._meanwhile.append(call)

    @property
    def reachable(self) -> bool:
        return self.scripted.reachable

    @reachable.setter
    def reachable(self, value: bool) -> None:
        self.scripted.reachable = value

    @property
    def sent(self) -> list[tuple[str, Any]]:
        return self.scripted.calls

    def execution(self, name: str | None) -> ScriptedExecution:
        return self.scripted.executions[name or ""]

    # --- BookingBridge, recorded --------------------------------------------------------------------

    def start(self, session: Session, project_id: str, mode: str, project_name: str | None = None) -> Session:
        self.asked.append(("start", project_id, mode))
        self._concurrently()
        return super().start(session, project_id, mode, project_name)

    def ensure_started(self, session: Session) -> None:
        self.asked.append(("ensure_started", session.execution_name))
        super().ensure_started(session)

    def resume(self, session: Session, choice: dict[str, str]) -> Session:
        self.asked.append(("resume", choice))
        self._concurrently()
        return super().resume(session, choice)

    def abandon(self, session: Session) -> None:
        self.asked.append(("abandon", session.execution_name))
        super().abandon(session)

    def _concurrently(self) -> None:
        while self._meanwhile:
            self._meanwhile.pop(0)()


def _compact(value: Any) -> str:
    """States.JsonToString."""
    return json.dumps(value, separators=(",", ":"))


def _caught(error: Exception) -> dict[str, str]:
    """A step's error as a Catch hands it on (ResultPath): its name, and Lambda's JSON as the cause."""
    name = type(error).__name__
    return {"Error": name, "Cause": _compact({"errorMessage": str(error), "errorType": name})}


def _error_named(name: str) -> Exception:
    """An instance of the PF360 or step error of that name (any other name: a class of its own)."""
    for module in (pf360_errors, step_errors):
        found = getattr(module, name, None)
        if isinstance(found, type) and issubclass(found, Exception):
            return found(f"scripted {name}")
    unknown: type[Exception] = type(name, (Exception,), {})
    return unknown(f"scripted {name}")


@contextmanager
def _steps_calling(client: PF360Client) -> Iterator[None]:
    """The step Lambdas' container client is `client` for the duration of one step."""
    previous = runtime._client
    runtime.reset_client(client)
    try:
        yield
    finally:
        runtime.reset_client(previous)


# --- PF360 and the whole set -------------------------------------------------------------------------


class CountingTransport:
    """Passes each request on, noting (operation, the project it names) first."""

    def __init__(self, inner: Transport) -> None:
        self.inner, self.name = inner, inner.name
        self.calls: list[tuple[str, str | None]] = []

    def send(self, op: Operation, envelope: Envelope, client_id: str | None) -> RawResponse:
        self.calls.append((op.name, envelope.get("path", {}).get("project_id")))
        return self.inner.send(op, envelope, client_id)


def pf360_client(
    model: FakePF360, clock: ManualClock, writes_disabled: Iterable[str] = ()
) -> tuple[PF360Client, list[tuple[str, str | None]]]:
    """A client of the in-process fake, as mock mode builds it (with `writes_disabled` refused as prod
    refuses them with their flag off), and the log of the calls it sends."""
    counted, disabled = CountingTransport(InProcessTransport(FakeApp(model))), set(writes_disabled)
    client = PF360Client(
        counted,
        confirm=DisabledWrite(ENABLE_REAL_CONFIRM) if "confirm_appointment" in disabled else None,
        cancel=DisabledWrite(ENABLE_REAL_CANCEL) if "cancel_appointment" in disabled else None,
        today=lambda: clock.utc().date(),
    )
    return client, counted.calls


@dataclass
class FakeDeps:
    """agent_actions.deps.Deps, in memory. `pf360_calls`: what the conversation logic asked PF360 (the
    execution's steps have their own client, on the same `model`: `steps_pf360_calls`)."""

    store: InMemorySessionStore
    bridge: FakeBridge
    pf360: PF360Client
    clock: ManualClock
    model: FakePF360
    pf360_calls: list[tuple[str, str | None]]
    steps_pf360_calls: list[tuple[str, str | None]]
    answer_deadline_seconds: float = 0.0  # everything is written by the time of the first read
    tokens: TokenVault | None = None  # in-process PF360 (mock mode) takes no customer token
    weather: Weather = field(default_factory=FakeWeather)


def fake_deps(
    *, writes_disabled: Iterable[str] = (), seed: int = 1645975, ttl_seconds: int = DEFAULT_TTL_SECONDS
) -> FakeDeps:
    """The conversation's dependencies on the seeded fake PF360 (customer 1645975 of client 09PF05VD:
    12345 Flooring, Pending; 12347 Windows, Scheduled; 12350 Deck Repair, never any dates)."""
    clock = ManualClock()
    model = FakePF360(seed, clock=clock.utc)
    disabled = frozenset(writes_disabled)
    pf360, calls = pf360_client(model, clock, disabled)
    steps_pf360, steps_calls = pf360_client(model, clock, disabled)
    store = InMemorySessionStore(ttl_seconds=ttl_seconds, clock=clock)
    return FakeDeps(store, FakeBridge(store, steps_pf360, clock), pf360, clock, model, calls, steps_calls)
