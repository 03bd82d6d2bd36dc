"""The client's address behind reverse proxies: trusted from X-Forwarded-For only when PASSFAMILLE_PROXIES says how
many proxies stand in front of the app. Log-in throttling and the lookup limits count per client address."""

import logging
import threading

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

WARNING = (
    "requests carry X-Forwarded-For but PASSFAMILLE_PROXIES is 0: every client seems to come from the proxy's "
    "address, so per-address limits are shared by all. Set PASSFAMILLE_PROXIES to the number of reverse proxies."
)


def register(app: Flask) -> None:
    proxies = app.config["PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
        return
    warned = threading.Event()
    lock = threading.Lock()

    @app.before_request
    def warn_once_about_forwarded_for():
        # Once per process: the header's value (an address) is never logged.
        if "X-Forwarded-For" in request.headers and not warned.is_set():
            with lock:
                if not warned.is_set():
                    warned.set()
                    log.warning(WARNING)
