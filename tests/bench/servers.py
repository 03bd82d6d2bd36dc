"""The processes `make bench` measures: the API Particulier sandbox and gunicorn, each a process of its own on
loopback, started as a commune starts them (`python -m passfamille.sandbox`, gunicorn with gunicorn.conf.py), and
what the bench reads from them afterwards (workers' memory and CPU time, the access log)."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_TOKEN = "bac-a-sable-passfamille"  # noqa: S105 - the sandbox's public token
# gunicorn's access log, with the worker's pid and the request's duration in microseconds: which worker answered
# which request, and how long the first one took.
ACCESS_LOG_FORMAT = '%(p)s %(D)s %(s)s "%(r)s"'
ACCESS_LINE = re.compile(r'^<?(\d+)>? (\d+) (\d{3}) "(\w+) (\S+) [^"]*"$')
TOKEN_SEGMENT = re.compile(r"/(?:\d+|[A-Za-z0-9_\-]{20,}|\[jeton\])(?=/|$)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_key(method: str, path: str) -> str:
    """« GET /demande/vous »: the page, whatever the ids and tokens in its address."""
    return f"{method} {TOKEN_SEGMENT.sub('/<…>', path.split('?')[0])}"


def _wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} s'est arrêté ({process.returncode}) :\n{log.read_text()[-3000:]}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} ne répond pas après {seconds} s :\n{log.read_text()[-3000:]}")


class Process:
    """A server in a process of its own, its output in a file; stopped by SIGTERM (graceful), then SIGKILL."""

    def __init__(self, command: list[str], env: dict, log: Path, ready_path: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.command = [part.replace("{port}", str(self.port)) for part in command]
        self.env = {**os.environ, **{k: v.replace("{port}", str(self.port)) for k, v in env.items()}}
        self.ready_path = ready_path
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for(self.url + self.ready_path, self.process, self.log)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def sandbox(log: Path) -> Process:
    return Process([sys.executable, "-m", "passfamille.sandbox", "--port", "{port}"], {}, log, "/")


def gunicorn(app: str, env: dict, log: Path, workers: int | None, threads: int | None) -> "Gunicorn":
    """gunicorn with the project's gunicorn.conf.py (preload, gthread, its timeouts and keep-alive); only the bind
    address, the access log's format and the control socket (a fixed path under ~/.gunicorn) differ."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--no-control-socket",
        app,
    ]
    sizes = {"PASSFAMILLE_WORKERS": str(workers or ""), "PASSFAMILLE_THREADS": str(threads or "")}
    # The access log unbuffered: read between two scenarios, it holds every request answered so far.
    env = {**env, **sizes, "PASSFAMILLE_BIND": "127.0.0.1:{port}", "PYTHONUNBUFFERED": "1"}
    return Gunicorn(command, env, log, "/")


class Gunicorn(Process):
    def workers(self) -> list[int]:
        """The pids of the master's worker processes."""
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children")
        if children.exists():
            return [int(pid) for pid in children.read_text().split()]
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(stat.parent.name))
        return found

    def access_log(self) -> list[tuple[int, float, int, str]]:
        """(worker pid, seconds, status, page key) of every request in the access log, in order."""
        entries = []
        for line in self.log.read_text(errors="replace").splitlines():
            if match := ACCESS_LINE.match(line):
                pid, micros, status, method, path = match.groups()
                entries.append((int(pid), int(micros) / 1e6, int(status), page_key(method, path)))
        return entries


def rss_mib(pid: int) -> float:
    """The resident memory of a process (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def private_mib(pid: int) -> float:
    """The memory only this process holds (Private_Clean + Private_Dirty): what one more worker costs, the pages
    shared with the master after the fork (the preloaded app) left out."""
    total = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:")):
            total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
