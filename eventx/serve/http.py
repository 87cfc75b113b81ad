"""The HTTP side of ``eventx serve``: the page's assets and a small JSON API over a :class:`Session`.

The standard library's ``ThreadingHTTPServer`` is enough for one author's browser and adds
no dependency. Every request is checked before it is routed:

* ``Host`` must be the served address (``127.0.0.1:PORT``, ``localhost:PORT``, ``[::1]:PORT``
  or ``--host``'s), so a page whose own domain was rebound to 127.0.0.1 (DNS rebinding) gets
  403: its requests carry its domain as ``Host``;
* ``Origin``, when the browser sends one (it does on every ``fetch`` POST), must be that
  address too, and ``Sec-Fetch-Site`` must not be ``cross-site``: another site's form or
  script cannot read or write the pack;
* a POST must be ``application/json`` (a cross-site form cannot send that without a CORS
  preflight, which this server never grants: it sends no CORS headers at all).

Routes: ``GET /`` (the page), ``GET /assets/<name>``, ``GET /api/state``, ``GET /api/file?path=``,
``POST /api/analyse`` ``{"files": {path: text}, "focus": path}``, ``POST /api/explain``
``{"text", "files"}`` and ``POST /api/save`` ``{"path", "text"}`` — the only way anything is written.
"""

from __future__ import annotations

import ipaddress
import json
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files as resource_files
from urllib.parse import parse_qs, urlsplit

from eventx.errors import EventxError
from eventx.serve.session import SaveRefused, Session

__all__ = ["PlaygroundServer", "make_server"]

MAX_BODY = 8_000_000  # bytes of one request body
ASSETS = {"serve.js": "text/javascript", "serve.css": "text/css"}
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def _asset(name: str) -> bytes:
    return resource_files("eventx.serve").joinpath("assets", name).read_bytes()


class PlaygroundServer(ThreadingHTTPServer):
    """The server, bound to one address; knows which ``Host``/``Origin`` values are its own."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, session: Session, host: str, port: int):
        self.session = session
        try:
            family = ipaddress.ip_address(host).version
        except ValueError:
            family = 4
        if family == 6:
            import socket

            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)
        self.host = host
        self.loopback = _is_loopback(host)  # reachable from this machine only
        self.port = self.server_address[1]
        shown = f"[{host}]" if family == 6 else host
        names = {shown}
        if _is_loopback(host):
            names.update(LOOPBACK_NAMES)
        elif host in ("0.0.0.0", "::"):  # every interface: the names and addresses of this machine
            names.update(LOOPBACK_NAMES)
            names.update(_own_names())
        self.allowed_hosts = frozenset(f"{name}:{self.port}" for name in names)
        self.allowed_origins = frozenset(f"http://{h}" for h in self.allowed_hosts)
        self.url = f"http://{shown}:{self.port}/"


    def handle_error(self, request, client_address) -> None:
        """A browser that went away mid-answer (a closed tab, a blocked cross-site read) is no error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _own_names() -> set[str]:
    """This machine's host name and the addresses it resolves to (as a ``Host`` header has them)."""
    import socket

    name = socket.gethostname()
    found = {name.lower(), socket.getfqdn(name).lower()}
    try:
        for *_, address in socket.getaddrinfo(name, None):
            ip = str(address[0])
            found.add(f"[{ip}]" if ":" in ip else ip)
    except OSError:
        pass
    return found


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(session: Session, host: str = "127.0.0.1", port: int = 0) -> PlaygroundServer:
    """A server for ``session`` bound to ``host:port`` (port 0: any free port); call
    ``serve_forever()`` on it (``url`` is its address)."""
    return PlaygroundServer(session, host, port)


class Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    server_version = "eventx-serve"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # --- plumbing -----------------------------------------------------------------------------

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if getattr(self.server, "verbose", False):
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Content-Security-Policy", CSP)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: object) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _error(self, status: int, message: str, **more: object) -> None:
        self._json(status, {"error": message, **more})

    def _allowed(self) -> bool:
        """Host and Origin are the served address, and the request does not come from another site."""
        host = self.headers.get("Host", "")
        if host.lower() not in self.server.allowed_hosts:
            self._error(HTTPStatus.FORBIDDEN, f"forbidden: Host {host!r} is not this server's address")
            return False
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in self.server.allowed_origins:
            self._error(HTTPStatus.FORBIDDEN, f"forbidden: Origin {origin!r} is not this server's address")
            return False
        if self.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
            self._error(HTTPStatus.FORBIDDEN, "forbidden: cross-site request")
            return False
        return True

    def _body(self) -> dict | None:
        """The JSON object of a POST body (an error response sent and None when it is not one)."""
        if self.headers.get("Content-Type", "").split(";")[0].strip().lower() != "application/json":
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json")
            return None
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._error(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
            return None
        if length < 0 or length > MAX_BODY:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is over {MAX_BODY:,} bytes")
            return None
        raw = self.rfile.read(length)
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            self._error(HTTPStatus.BAD_REQUEST, f"the body is not JSON: {err}")
            return None
        if not isinstance(data, dict):
            self._error(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
            return None
        return data

    # --- routes -------------------------------------------------------------------------------

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        if not self._allowed():
            return
        url = urlsplit(self.path)
        route = url.path
        try:
            if route in ("/", "/index.html"):
                self._send(HTTPStatus.OK, _asset("index.html"), "text/html; charset=utf-8")
            elif route.startswith("/assets/") and route[len("/assets/"):] in ASSETS:
                name = route[len("/assets/"):]
                self._send(HTTPStatus.OK, _asset(name), ASSETS[name] + "; charset=utf-8")
            elif route == "/favicon.ico":
                self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            elif route == "/api/state":
                self._json(HTTPStatus.OK, self._state())
            elif route == "/api/file":
                path = parse_qs(url.query).get("path", [""])[0]
                self._json(HTTPStatus.OK, {"path": path, "text": self.server.session.read(path)})
            else:
                self._error(HTTPStatus.NOT_FOUND, f"no such page: {route}")
        except SaveRefused as err:
            self._error(err.status, str(err))

    def do_POST(self) -> None:  # noqa: N802
        if not self._allowed():
            return
        route = urlsplit(self.path).path
        if route not in ("/api/analyse", "/api/explain", "/api/save"):
            self._error(HTTPStatus.NOT_FOUND, f"no such endpoint: {route}")
            return
        data = self._body()
        if data is None:
            return
        session = self.server.session
        try:
            buffers = data.get("files") or {}
            if not isinstance(buffers, dict):
                raise SaveRefused("'files' must map paths to texts")
            if route == "/api/analyse":
                focus = data.get("focus")
                self._json(HTTPStatus.OK, session.analyse(buffers, focus if isinstance(focus, str) else None).to_dict())
            elif route == "/api/explain":
                self._json(HTTPStatus.OK, session.explain(data.get("text", ""), buffers))
            else:
                self._json(HTTPStatus.OK, session.save(data.get("path"), data.get("text")))  # type: ignore[arg-type]  # save checks both
        except SaveRefused as err:
            diagnostics = [session.diagnostic_dict(d) for d in err.diagnostics]
            self._error(err.status, str(err), diagnostics=diagnostics)
        except EventxError as err:
            self._error(HTTPStatus.UNPROCESSABLE_ENTITY, str(err))

    def _state(self) -> dict:
        session = self.server.session
        with session.lock:
            return {
                "root": str(session.root),
                "target": str(session.target),
                "files": session.files(),
                "main": session.main_file(),
                "sample": {"documents": len(session.documents), "corpus": session.corpus},
                "saved_events": len(session.saved_events),
            }


def serve_in_thread(server: PlaygroundServer) -> threading.Thread:
    """Run ``server`` in a daemon thread (tests and embedding); ``server.shutdown()`` stops it."""
    thread = threading.Thread(target=server.serve_forever, name="eventx-serve", daemon=True)
    thread.start()
    return thread
