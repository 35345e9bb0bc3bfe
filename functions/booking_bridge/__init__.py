"""Start/resume bridge between the agent handlers and the booking state machine."""

from booking_bridge.bridge import BookingBridge, BookingNotWaiting
from booking_bridge.names import execution_arn, execution_name

__all__ = ["BookingBridge", "BookingNotWaiting", "execution_arn", "execution_name"]
