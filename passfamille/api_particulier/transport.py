"""The HTTP transport of the client: a deadline for the whole call, a bounded body, no identity in urllib3's logs.

requests' read timeout bounds each read of the socket, not the answer: a server that trickles its headers or its
body (a byte now and then) holds a call for as long as it likes. Each call therefore arms a watchdog: at the
deadline it shuts the call's socket down from its own thread, which at once wakes a read blocked in the headers or
the body (the read sees the end of the stream); the calling thread then reports a timeout. The socket reaches the
watchdog through the connection classes below, just before the answer is awaited. Connecting is bounded by the
connect timeout, never longer than the time left (name resolution is not: the system resolver cannot be
interrupted). Reading the body in pieces with the clock checked between them is a second bound, for connections
the watchdog cannot see (through a SOCKS proxy).
"""

import contextlib
import logging
import re
import socket
import threading
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# A QF or EAJE answer weighs a few KB: anything much larger is not an answer we can use.
MAX_BODY_BYTES = 256 * 1024


class _HideQueryStrings(logging.Filter):
    """urllib3 logs each request line at DEBUG level, and an answer whose headers it cannot parse at WARNING level,
    with the URL's query string: that string is the identity."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = re.sub(r"\?[^\s\"]*", "?[masqué]", message), ()
        return True


# A filter applies to the records of its own logger only, not to those of its children: each module that logs URLs.
for _logger in ("urllib3.connectionpool", "urllib3.connection", "urllib3.poolmanager", "urllib3.util.retry"):
    logging.getLogger(_logger).addFilter(_HideQueryStrings())


_current = threading.local()  # .watchdog: the watchdog of the call this thread is making


def _shut_down(sock) -> None:
    # The plain socket's shutdown, also for a TLS socket: ssl.SSLSocket.shutdown would drop its TLS state under the
    # reading thread. Through an HTTPS proxy, urllib3 wraps a socket in an SSLTransport (`.socket`).
    raw = getattr(sock, "socket", sock)
    with contextlib.suppress(OSError):
        socket.socket.shutdown(raw, socket.SHUT_RDWR)


class Watchdog:
    """Shuts down the socket of the current thread's call when the deadline comes, unless the call ended first."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.fired = False
        self._lock = threading.Lock()
        self._socket = None
        self._ended = False
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> "Watchdog":
        _current.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        _current.watchdog = None
        self._timer.cancel()
        with self._lock:
            self._ended = True

    def watch(self, sock) -> None:
        with self._lock:
            self._socket = sock
            if self.fired:
                _shut_down(sock)

    def _fire(self) -> None:
        with self._lock:
            if self._ended:
                return
            self.fired = True
            if self._socket is not None:
                _shut_down(self._socket)

    def reached(self) -> bool:
        return self.fired or time.monotonic() >= self.deadline


class _ShowsSocketToWatchdog:
    """Mixed into urllib3's connections: the request is sent, the wait for the answer begins."""

    def getresponse(self):
        watchdog = getattr(_current, "watchdog", None)
        if watchdog is not None and self.sock is not None:
            watchdog.watch(self.sock)
        return super().getresponse()


class _WatchedHTTPConnection(_ShowsSocketToWatchdog, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_ShowsSocketToWatchdog, HTTPSConnection):
    pass


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections show their socket to the calling thread's watchdog."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools have connection classes of their own
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


class BodyTooLarge(Exception):
    pass


class DeadlineReached(Exception):
    pass


def read_body(response: requests.Response, deadline: float) -> bytes:
    body = bytearray()
    # read1 returns what has arrived instead of waiting for a full piece; decoding (gzip) included.
    while piece := response.raw.read1(16 * 1024, decode_content=True):
        body += piece
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge
        if time.monotonic() >= deadline:
            raise DeadlineReached
    return bytes(body)
