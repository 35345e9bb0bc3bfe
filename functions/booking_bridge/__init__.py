"""Start/resume bridge between the agent handlers and the booking state machine."""

from booking_bridge.bridge import BookingBridge, BookingNotWaiting
from booking_bridge.names import (
    ExecutionName,
    execution_arn,
    execution_name,
    parse_execution_name,
    session_digest,
)

__all__ = [
    "BookingBridge",
    "BookingNotWaiting",
    "ExecutionName",
    "execution_arn",
    "execution_name",
    "parse_execution_name",
    "session_digest",
]
