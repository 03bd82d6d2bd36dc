"""The app that `make bench` serves with gunicorn: wsgi.py's `create_app()`, settings read from the environment as
in production, except the folders that Flask puts under the project's instance/ (mails written to files when there
is no SMTP server): a bench sends thousands of them, they go to the bench's temporary folder instead."""

import os
from pathlib import Path

from passfamille import create_app

_folder = Path(os.environ["BENCH_FOLDER"])
app = create_app({"MAIL_FOLDER": str(_folder / "mails"), "DOCUMENTS_FOLDER": str(_folder / "documents")})
