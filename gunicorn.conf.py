"""gunicorn's settings for Pass Famille in production: `make serve`, or `gunicorn -c gunicorn.conf.py wsgi:app`.

Worker processes with threads (gthread): a request waiting up to API_PARTICULIER_DEADLINE seconds for API
Particulier holds a thread, not a whole process. The app is built once before the workers fork (preload_app):
every worker answers its first request with the commune's settings and the communes already read. The access log goes to
standard output (journald under systemd) with the tokens of families' and agents' links masked."""

import ctypes
import gc
import os

from gunicorn.glogging import Logger

from passfamille.logs import MaskTokens

bind = os.environ.get("PASSFAMILLE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PASSFAMILLE_WORKERS") or max(2, os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("PASSFAMILLE_THREADS") or 8)
preload_app = True

# Above the API's deadline (10 s, « les deux » calls it twice): a request still running after 60 s is stuck.
timeout = 60
graceful_timeout = 20
# nginx keeps its connections to the app open between requests.
keepalive = 5

accesslog = "-"
errorlog = "-"


class AccessLogWithoutTokens(Logger):
    """gunicorn's logger, whose access log replaces the token of a link (path and referrer) by « [jeton] »."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, MaskTokens) for f in self.access_log.filters):
            self.access_log.addFilter(MaskTokens())


logger_class = AccessLogWithoutTokens


def _fewer_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives threads malloc arenas of their own, up to eight per core, which each keep freed memory: a worker's
    threads, that mostly wait for the network, need two (what MALLOC_ARENA_MAX=2 would set; mallopt does it for the
    master here, and the workers inherit it). Without glibc (musl, macOS), nothing changes."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_arena_max = -8  # <malloc.h>
    libc.mallopt(m_arena_max, arenas)


_fewer_malloc_arenas()


def pre_fork(server, worker):
    """What the master loaded (the app, the communes) is moved out of the garbage collector's sight before a worker
    is forked: a collection in the worker would otherwise write to every object and copy its page, and each worker
    would end up with its own copy (Python's gc.freeze documentation). Measured: 37 MiB private per worker, not 63."""
    gc.freeze()
