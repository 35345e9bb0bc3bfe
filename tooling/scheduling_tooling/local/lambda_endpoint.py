"""A local Lambda Invoke endpoint: `POST /2015-03-31/functions/{name}/invocations` runs our handler
in this process and answers the way the Lambda service does (a handler exception becomes HTTP 200
with `X-Amz-Function-Error: Unhandled` and the runtime's `{"errorType", "errorMessage", ...}` body,
so the state machine sees the exception's class name as the error).

Point `AWS_ENDPOINT_URL_LAMBDA` at it. It holds hundreds of concurrent connections (see http_base),
takes payloads up to Lambda's 6 MB, and counts invocations per function for the benchmarks.

Like Lambda, it runs concurrent invocations of one function in separate "containers": each is its own
copy of the handler's module, serving one invocation at a time. Handlers may keep per-invocation
state at module level, as Powertools' resolvers do (`app.context`); two invocations sharing one module
would read each other's. (Powertools also keeps the current event on a class: see powertools_fixes.)
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug.wrappers import Request, Response

from scheduling_tooling.http_base import HTTPServerBase, json_response
from scheduling_tooling.local import powertools_fixes

HandlerFn = Callable[[Any, Any], Any]
_PREFIX = "/2015-03-31/functions/"
_MAX_PAYLOAD = 6 * 1024 * 1024  # Lambda's limit for a synchronous invocation


@dataclass
class LambdaContext:
    """What Powertools and our handlers read from the Lambda context object."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    deadline: float
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def run_handler(handler: HandlerFn, event: Any, context: LambdaContext) -> tuple[Any, bool]:
    """(payload, function_error) as the Lambda runtime gives them: an unhandled exception becomes
    `{"errorMessage", "errorType", "requestId", "stackTrace"}`."""
    try:
        return handler(event, context), False
    except Exception as error:
        return {
            "errorMessage": str(error),
            "errorType": type(error).__name__,
            "requestId": context.aws_request_id,
            "stackTrace": traceback.format_tb(error.__traceback__)[-3:],
        }, True


class LambdaRegistry:
    """Function name -> handler, resolved from "module.path.handler" strings; one container (module
    copy) per concurrent invocation, kept warm for the next one."""

    def __init__(
        self, handlers: dict[str, str], *, region: str, account: str, timeout_seconds: int = 60
    ) -> None:
        self._paths = dict(handlers)
        self._warm: dict[str, list[HandlerFn]] = {}
        self._copies = itertools.count(1)
        self.region, self.account, self.timeout_seconds = region, account, timeout_seconds
        self.invocations: Counter[str] = Counter()
        self.containers: Counter[str] = Counter()
        self._lock = threading.Lock()
        powertools_fixes.apply()

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    def invoke(self, name: str, event: Any) -> tuple[Any, bool]:
        """Run a handler as Lambda would: returns (payload, function_error). KeyError: no such function."""
        short = name.split(":")[6] if name.startswith("arn:") else name
        handler = self._checkout(short)
        context = LambdaContext(
            short, self.arn(short), str(uuid.uuid4()), time.monotonic() + self.timeout_seconds
        )
        try:
            return run_handler(handler, event, context)
        finally:
            with self._lock:
                self._warm[short].append(handler)

    def _checkout(self, name: str) -> HandlerFn:
        with self._lock:
            if name not in self._paths:
                raise KeyError(name)
            self.invocations[name] += 1
            warm = self._warm.setdefault(name, [])
            if warm:
                return warm.pop()
            first = self.containers[name] == 0
            self.containers[name] += 1
        return self._cold_start(self._paths[name], first)

    def _cold_start(self, path: str, first: bool) -> HandlerFn:
        """The first container uses the module itself (tests reach into it); the others a fresh copy."""
        module_name, _, attribute = path.rpartition(".")
        module = importlib.import_module(module_name)
        if not first:
            spec = importlib.util.spec_from_file_location(
                f"{module_name.replace('.', '_')}__container_{next(self._copies)}", module.__file__
            )
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        handler: HandlerFn = getattr(module, attribute)
        return handler


class LambdaEndpoint(HTTPServerBase):
    def __init__(self, registry: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        """`registry`: a LambdaRegistry (in-process containers) or a ProcessRegistry (a process each)."""
        self.registry = registry
        super().__init__(self._answer, host, port, name="lambda-endpoint", max_body=_MAX_PAYLOAD)

    def _answer(self, request: Request) -> Response:
        path = urlsplit(request.environ["RAW_URI"]).path  # as sent: the function name is unquoted once
        if request.method != "POST" or not (path.startswith(_PREFIX) and path.endswith("/invocations")):
            return _error(404, "unknown path", "ResourceNotFoundException")
        name = unquote(path[len(_PREFIX) :].split("/invocations")[0])
        raw = request.get_data()
        try:
            event = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return _error(400, "payload is not JSON", "InvalidRequestContentException")
        try:
            payload, failed = self.registry.invoke(name, event)
        except KeyError:
            return _error(404, f"Function not found: {name}", "ResourceNotFoundException")
        headers = {"X-Amz-Executed-Version": "$LATEST"}
        if failed:
            headers["X-Amz-Function-Error"] = "Unhandled"
        return json_response(200, payload, headers)


def _error(status: int, message: str, error_type: str) -> Response:
    return json_response(status, {"message": message}, {"x-amzn-ErrorType": error_type})
