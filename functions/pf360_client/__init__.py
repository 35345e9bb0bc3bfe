"""Shared PF360 Customer Scheduler client (deployed as a Lambda layer).

from pf360_client import build_client
client = build_client()              # settings from the environment, validated now
client.get_projects("09PF05VD", "1645975")
"""

from pf360_client.client import PF360Client
from pf360_client.factory import build_client
from pf360_client.settings import Settings

__all__ = ["PF360Client", "Settings", "build_client"]
