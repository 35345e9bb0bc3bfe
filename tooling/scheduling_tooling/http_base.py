"""The one HTTP server base of the local tools (the PF360 simulator, the local Lambda endpoint).

A server is a function from a werkzeug `Request` to a werkzeug `Response`, served by werkzeug's
threaded server (`make_server(threaded=True)`): a daemon thread per connection, so hundreds of
clients at once, on a listening socket with a 1024 backlog (the default would drop connections under
load). `start()` serves on a background thread, `serve_forever()` on this one; `stop()` ends both.

werkzeug parses each request (`make_environ`, `Request`) and builds each answer (`Response`); three
things it cannot do are done here, each as small as it could be made:
- keep-alive: werkzeug's request loop answers `Connection: close` every time and then drains the
  socket, which would swallow the next request of a kept-alive connection. Pooled clients (the PF360
  client, boto3) reuse connections, so `run_wsgi` is replaced: the body is read up front and the
  answer written with its Content-Length on an HTTP/1.1 connection that stays open.
- no answer at all: an app raises `NoAnswer` to drop the connection unanswered (FIN), or with
  `reset=True` to reset it (TCP RST), which needs the raw socket: SO_LINGER 0, then close.
- headers with `_` in their name: werkzeug leaves them out of the environ (a spoofing guard behind
  proxies, which map `-` and `_` alike), but PF360 authenticates with `client_id`, so the handler puts
  the headers as received in the environ too (`raw_headers(request)`).
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
from collections.abc import Callable
from email.message import Message
from typing import Any, Self

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server, select_address_family
from werkzeug.wrappers import Request, Response

App = Callable[[Request], Response]
BACKLOG = 1024
_RAW_HEADERS = "scheduling.raw_headers"
_log = logging.getLogger(__name__)


class NoAnswer(Exception):
    """Raised by an app: close the connection without answering; `reset`: with a TCP reset."""

    def __init__(self, *, reset: bool = False) -> None:
        super().__init__("reset" if reset else "drop")
        self.reset = reset


def raw_headers(request: Request) -> Message:
    """The request's headers exactly as received, `client_id` included (werkzeug's omit it)."""
    headers: Message = request.environ[_RAW_HEADERS]
    return headers


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers=headers, content_type="application/json")


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # a small answer goes out at once, not after the peer's delayed ACK
    server: _Server

    def run_wsgi(self) -> None:  # werkzeug routes every method here
        environ = self.make_environ()
        environ[_RAW_HEADERS] = self.headers
        request = Request(environ)
        request.max_content_length = self.server.max_body
        try:
            request.get_data()  # read now (cached for the app): the next request starts right after it
            response = self.server.app(request)
        except RequestEntityTooLarge:  # left unread, so the connection cannot carry another request
            message = f"request body larger than {self.server.max_body} bytes"
            response = json_response(413, {"message": message}, {"Connection": "close"})
        except NoAnswer as no_answer:
            self._drop(reset=no_answer.reset)
            return
        except Exception:
            _log.exception("%s %s failed", request.method, request.path)
            response = json_response(500, {"message": "internal error"}, {"Connection": "close"})
        self._write(response)

    def _write(self, response: Response) -> None:
        body = response.get_data()
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)  # `Connection: close` also ends the connection after it
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop(self, *, reset: bool) -> None:
        self.close_connection = True  # the server closes it (FIN) once this handler returns
        if reset:
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN. The descriptor really
            # closes when the handler's own files over it are closed, right after this request.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # werkzeug would print an access line per request; errors are still logged


class _Server(BaseWSGIServer):
    """What make_server(threaded=True) returns (a ThreadedWSGIServer), as the handler sees it."""

    app: App  # type: ignore[assignment]
    max_body: int


class HTTPServerBase:
    """Serves `app` on host:port (port 0: a free one); `with Server(...) as server: server.url`."""

    def __init__(self, app: App, host: str, port: int, *, name: str, max_body: int) -> None:
        # Bound here, not by werkzeug: its own bind prints and calls sys.exit(1) when the port is taken;
        # this raises OSError, and sets the backlog. werkzeug serves a duplicate of the descriptor.
        family = select_address_family(host, port)
        with socket.create_server((host, port), family=family, backlog=BACKLOG) as listener:
            server = make_server(
                host,
                port,
                app,  # type: ignore[arg-type]  # called by _Handler.run_wsgi, not as a WSGI app
                threaded=True,
                request_handler=_Handler,
                fd=listener.fileno(),
            )
        server.max_body = max_body  # type: ignore[attr-defined]
        self._server = server
        self.name = name
        self._thread: threading.Thread | None = None
        self._serving = threading.Event()
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"  # the port bound, when asked for 0

    def start(self) -> Self:
        self._serving.set()
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.name, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until stop() or KeyboardInterrupt; the port is always released."""
        self._serving.set()
        self._server.serve_forever()  # werkzeug's: closes the socket; returns on KeyboardInterrupt
        if not self._stopped.is_set():
            raise KeyboardInterrupt  # which werkzeug swallowed: the caller (a CLI) wants to see it

    def stop(self) -> None:
        self._stopped.set()
        if self._serving.is_set():
            self._server.shutdown()  # waits for the serving loop, even one that has not begun yet
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
