"""Serving the sandbox over real HTTP: in a background thread for tests, or in the foreground (`__main__`).

The access log never shows a query string: the identity parameters (names, birth date) travel in it.
"""

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ..impot_particulier.masking import mask_spi
from . import create_sandbox_app, franceconnect, impot
from .faults import DROP_CONNECTION_KEY, parse_fault
from .state import EXTENSION_KEY

access_log = logging.getLogger("passfamille.sandbox.access")
Today = date | Callable[[], date] | None
Clock = Callable[[], float] | None


class PrivateRequestHandler(WSGIRequestHandler):
    """Logs method, path and status only, and lets the app drop a connection without any answer."""

    def make_environ(self):
        environ = super().make_environ()
        environ[DROP_CONNECTION_KEY] = self._drop_connection
        # werkzeug drops header names holding "_" (ambiguous in WSGI); the DGFiP's gateway reads ID_Teleservice.
        environ[impot.UNDERSCORE_HEADERS_KEY] = {k.lower(): v for k, v in self.headers.items() if "_" in k}
        return environ

    def _drop_connection(self) -> None:
        # Logged first: once the socket is shut down the client moves on, and a test may already read the log.
        access_log.info("%s connexion coupée", self._request_summary())
        self._dropped_on_purpose = True
        # Never answer on this connection again; shutting it down now makes the client see it closed at once.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def connection_dropped(self, error, environ=None) -> None:
        self.close_connection = True
        if not getattr(self, "_dropped_on_purpose", False):
            access_log.info("%s connexion interrompue par le client", self._request_summary())

    def _request_summary(self) -> str:
        path = getattr(self, "path", None)
        # The DGFiP's paths hold the numéro fiscal (`/spi/{spi}/…`).
        return f"{self.command or '-'} {mask_spi(urlsplit(path).path) if path else '-'}"

    def log_request(self, code="-", size="-") -> None:
        access_log.info("%s %s", self._request_summary(), code)

    def log_error(self, format: str, *args) -> None:
        # http.server quotes the raw request line (query string included) in its messages: keep only the status.
        status = args[0] if args and isinstance(args[0], int) else "-"
        access_log.warning("%s erreur %s", self._request_summary(), status)

    def log_message(self, format: str, *args) -> None:
        self.log_error(format, *args)


@dataclass
class RunningSandbox:
    host: str
    port: int
    app: Flask
    server: BaseWSGIServer = field(repr=False)
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def arm_fault(self, kind: str, **options) -> None:
        """Same effect as POST /_bac-a-sable/pannes, e.g. `arm_fault("slow", seconds=0.3, times=2)` or
        `arm_fault("trickle", seconds=30)`."""
        self.app.extensions[EXTENSION_KEY].faults.arm(parse_fault({"kind": kind, **options}))

    def clear_faults(self) -> None:
        self.app.extensions[EXTENSION_KEY].faults.clear()

    @property
    def franceconnect_issuer(self) -> str:
        """The FranceConnect sandbox's issuer; its discovery is at `<issuer>/.well-known/openid-configuration`."""
        return self.url + franceconnect.PREFIX

    def expire_franceconnect_tokens(self) -> None:
        """Every FranceConnect access token issued so far is expired from now on: userinfo answers 401, checktoken
        « inactive », and API Particulier's FranceConnect modality 401 50002."""
        self.app.extensions[franceconnect.EXTENSION_KEY].expire_access_tokens()

    def expire_impot_tokens(self) -> None:
        """Every API Impôt particulier token issued so far answers 401 from now on, as after its `expires_in`."""
        impot.impot_state(self.app).expire_tokens()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)


def build_server(
    host: str = "127.0.0.1", port: int = 0, tokens=None, today: Today = None, clock: Clock = None
) -> RunningSandbox:
    app = create_sandbox_app(tokens=tokens, today=today, clock=clock)
    server = make_server(host, port, app, threaded=True, request_handler=PrivateRequestHandler)
    return RunningSandbox(host=host, port=server.server_port, app=app, server=server)


def start_in_thread(
    host: str = "127.0.0.1", port: int = 0, tokens=None, today: Today = None, clock: Clock = None
) -> RunningSandbox:
    """Serve a fresh sandbox from a daemon thread; port 0 picks a free port (see `.url`). Call `.stop()` after.
    `clock` (seconds since the epoch) drives FranceConnect's lifetimes, so that a test can make them pass."""
    sandbox = build_server(host, port, tokens=tokens, today=today, clock=clock)
    sandbox.thread = threading.Thread(target=sandbox.server.serve_forever, name="bac-a-sable", daemon=True)
    sandbox.thread.start()
    return sandbox
