"""Start/resume bridge between the agent handlers and the booking state machine."""

from booking_bridge.bridge import BookingBridge, BookingNotWaiting, execution_name

__all__ = ["BookingBridge", "BookingNotWaiting", "execution_name"]
