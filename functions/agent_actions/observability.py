"""One Logger, Tracer and Metrics for the agent handlers. Logs carry session_id, project id and the
execution name as keys, never tokens or customer details."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service="agent-actions")
copy_config_to_registered_loggers(source_logger=logger, include={"pf360_client"})
tracer = Tracer(service="agent-actions")
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
