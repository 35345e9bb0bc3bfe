"""The one fix the local runtime makes to Powertools for AWS Lambda.

Powertools' event handler keeps the event being resolved on the `BaseRouter` *class*
(`BaseRouter.current_event = ...` in `ApiGatewayResolver.resolve`): one per process. In Lambda that is
right, a process serves one invocation at a time. The local Lambda endpoint serves concurrent
invocations from one process, and there two resolves read each other's event: the route, the
parameters, the identity in `sessionAttributes`. The fix keeps `current_event` and `lambda_context`
per thread. `tests/workflow/test_powertools_fixes.py` checks it works and that the gap is still there.
"""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools.event_handler import api_gateway

FIELDS = ("current_event", "lambda_context")
_applied = threading.Lock()
ORIGINAL_BASE_ROUTER: type = api_gateway.BaseRouter


class _PerThread:
    """A class attribute whose value each thread sets for itself."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._local = threading.local()

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        return self if instance is None else self.value()

    def value(self) -> Any:
        try:
            return self._local.value
        except AttributeError:
            raise AttributeError(self.name) from None

    def set(self, value: Any) -> None:
        self._local.value = value


class _BaseRouterName:
    """Stands in for the name `BaseRouter` inside api_gateway's methods: their writes of the fields
    land per thread; everything else reaches the real class."""

    def __init__(self, real: type, fields: dict[str, _PerThread]) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_fields", fields)

    def __getattr__(self, name: str) -> Any:
        field = self._fields.get(name)
        return field.value() if field else getattr(self._real, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._fields:
            self._fields[name].set(value)
        else:
            setattr(self._real, name, value)

    def __instancecheck__(self, instance: object) -> bool:
        return isinstance(instance, self._real)

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self._real)


def apply() -> None:
    """Install the fix (once per process)."""
    with _applied:
        if api_gateway.BaseRouter is not ORIGINAL_BASE_ROUTER:
            return
        fields = {name: _PerThread(name) for name in FIELDS}
        for name, field in fields.items():
            setattr(ORIGINAL_BASE_ROUTER, name, field)
        api_gateway.BaseRouter = _BaseRouterName(ORIGINAL_BASE_ROUTER, fields)  # type: ignore[misc]


def applied() -> bool:
    return api_gateway.BaseRouter is not ORIGINAL_BASE_ROUTER
