"""A throwaway PostgreSQL server for the run: initdb in a temporary folder, pg_ctl on a free loopback port."""

import glob
import os
import shutil
import socket
import subprocess
from pathlib import Path


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _run(args: list[str], as_postgres: bool) -> None:
    # initdb refuses to run as root: on CI and in containers the tests run as root, so drop to `postgres`.
    if as_postgres:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, capture_output=True, text=True)


class TemporaryPostgres:
    def __init__(self, folder: Path):
        bindir = binaries()
        if bindir is None:
            raise RuntimeError("PostgreSQL est absent : `make test` l'installe (paquet Debian postgresql).")
        self.bindir = bindir
        self.folder = folder
        self.as_postgres = os.geteuid() == 0
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

    def start(self) -> str:
        data = self.folder / "data"
        data.mkdir(parents=True)
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
            shutil.chown(data, "postgres")
        _run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "passfamille",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            self.as_postgres,
        )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(self.folder / "log"),
                "-w",
                "start",
            ],
            self.as_postgres,
        )
        return f"postgresql+psycopg://passfamille@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if not (self.folder / "data" / "postmaster.pid").exists():
            return
        _run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop"], self.as_postgres
        )
