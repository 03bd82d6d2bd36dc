"""`python -m passfamille.sandbox [--host 127.0.0.1] [--port 5001]`: serve the sandbox (API Particulier and
FranceConnect) in the foreground."""

import argparse
import logging
import signal
import sys

from . import franceconnect
from .server import build_server
from .tokens import DEFAULT_TOKENS

# The token the app uses by default (passfamille/config.py); a public sandbox value, not a secret.
MAIN_TOKEN = "bac-a-sable-passfamille"  # noqa: S105


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m passfamille.sandbox", description="Bac à sable API Particulier de passfamille."
    )
    parser.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5001, help="port d'écoute (défaut : 5001)")
    options = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    logging.getLogger("passfamille.sandbox").setLevel(logging.INFO)  # the access log: method, path, status
    try:
        sandbox = build_server(options.host, options.port)
    except OSError as error:
        print(f"Impossible d'écouter sur {options.host}:{options.port} : {error.strerror or error}", file=sys.stderr)
        return 1
    others = ", ".join(token for token in DEFAULT_TOKENS if token != MAIN_TOKEN)
    print(
        f"Bac à sable API Particulier sur {sandbox.url} — jeton : {MAIN_TOKEN} "
        f"(autres jetons : {others}) — Ctrl-C pour arrêter",
        flush=True,
    )
    print(
        f"Bac à sable FranceConnect : émetteur {sandbox.franceconnect_issuer} "
        f"— client_id : {franceconnect.FS_CLIENT_ID}",
        flush=True,
    )
    # `make run` stops the sandbox with SIGTERM: treat it like Ctrl-C so the socket is closed cleanly.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        sandbox.server.serve_forever()  # werkzeug's server returns quietly on Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.server.server_close()
    print("Bac à sable arrêté.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
