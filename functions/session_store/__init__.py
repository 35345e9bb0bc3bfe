"""DynamoDB session store shared by the agent handlers and the booking workflow."""

from session_store.model import ACTIVE_STEPS, FINAL_STEPS, PENDING_STEPS, WAITING_STEPS, Session
from session_store.store import CUSTOMER_INDEX, SessionConflict, SessionExpired, SessionStore

__all__ = [
    "ACTIVE_STEPS",
    "CUSTOMER_INDEX",
    "FINAL_STEPS",
    "PENDING_STEPS",
    "WAITING_STEPS",
    "Session",
    "SessionConflict",
    "SessionExpired",
    "SessionStore",
]
