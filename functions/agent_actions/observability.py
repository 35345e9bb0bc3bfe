"""One Logger, Tracer and Metrics for the agent handlers. Logs carry session_id, project id and the
execution name as keys, never tokens or customer details.

The X-Ray SDK is loaded only when tracing is on: Powertools' Tracer imports and configures it even
when tracing is disabled (~150-250 ms of cold start). With tracing off (`POWERTOOLS_TRACE_DISABLED`,
or outside Lambda: Powertools' own rule) `tracer` is a stand-in whose decorators return the handler
as it is, which is all a disabled Tracer does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit


class TracingOff:
    """What the handlers use of Tracer, for a container where tracing is off: nothing is recorded."""

    disabled = True

    def capture_lambda_handler(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Callable[..., Any]:
        return lambda_handler if lambda_handler is not None else _unchanged

    def capture_method(
        self,
        method: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Callable[..., Any]:
        return method if method is not None else _unchanged

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        pass


def _unchanged(function: Callable[..., Any]) -> Callable[..., Any]:
    return function


def tracing_on() -> bool:
    """Powertools' rule for a Tracer built without `disabled=`: off when POWERTOOLS_TRACE_DISABLED is
    true, outside Lambda (no LAMBDA_TASK_ROOT), under SAM local or Chalice local. Asking it loads no
    X-Ray."""
    return not Tracer._is_tracer_disabled()


logger = Logger(service="agent-actions")
logging.getLogger("pf360_client")  # registered now, so the copy reaches it however late the client loads
copy_config_to_registered_loggers(source_logger=logger, include={"pf360_client"})
tracer: Tracer | TracingOff = Tracer(service="agent-actions") if tracing_on() else TracingOff()
metrics = Metrics(namespace="PF360Scheduling", service="agent-actions")

_OUTCOME_METRICS = {
    "confirmed": "BookingsConfirmed",
    "cancelled": "BookingsCancelled",
    "failed": "BookingsFailed",
    "escalated": "BookingsFailed",
    "expired": "BookingsExpired",
}


def count_outcome(step: str) -> None:
    """A booking reached `step` during this call: count it once."""
    if step in _OUTCOME_METRICS:
        metrics.add_metric(name=_OUTCOME_METRICS[step], unit=MetricUnit.Count, value=1)


def count_invocation() -> None:
    """Every action-group call (so each invocation publishes at least one metric)."""
    metrics.add_metric(name="ActionInvocations", unit=MetricUnit.Count, value=1)
