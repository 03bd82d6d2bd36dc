"""The app served by gunicorn in processes of its own, with the production settings (gunicorn.conf.py): two worker
processes of 16 threads each, so that neither Python's GIL nor one process's memory can hide a race that two
workers would run into."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
THREADS = 16


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GunicornProcess:
    """A gunicorn in a process of its own, on a free port: started and waited for until it serves, stopped the way
    systemd stops it (SIGTERM, gunicorn's graceful stop), its output kept for failure messages."""

    def __init__(self, log_path: Path, label: str = "gunicorn"):
        self.log_path = log_path
        self.label = label  # in failure messages
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def launch(self, options: list[str], cwd: Path, environment: dict, wait_seconds: float = 30) -> None:
        command = [sys.executable, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{self.port}"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.label} s'est arrêté ({self.process.returncode}) :\n{self.log()}")
            try:
                if requests.get(f"{self.url}/theme.css", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.label} ne répond pas après {wait_seconds} s :\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log(self, tail: int = 4000) -> str:
        """The end of gunicorn's output (the workers' tracebacks land there), for failure messages."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-tail:]


class LiveServer(GunicornProcess):
    def __init__(self, config: dict, log_path: Path):
        super().__init__(log_path)
        self.config = config

    def start(self, wait_seconds: float = 30) -> None:
        options = [
            # What a commune runs (gthread workers, the app preloaded, the access log without link tokens); the
            # options below override it.
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            # The clients open their connections before the barrier, then keep them for the burst.
            "--keep-alive",
            "30",
            "--graceful-timeout",
            "5",
            # gunicorn's control socket is one fixed path under ~/.gunicorn: a server per test has no use for it.
            "--no-control-socket",
            "--chdir",
            str(ROOT),
            "tests.concurrency.live_app:app",
        ]
        environment = {**os.environ, "PASSFAMILLE_TEST_CONFIG": json.dumps(self.config)}
        self.launch(options, ROOT, environment, wait_seconds)
