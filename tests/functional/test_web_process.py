"""What a gunicorn worker carries: not the migration commands (Flask-Migrate and Alembic, 11 MiB per worker), which
the `flask` command still has."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
from passfamille import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
print("alembic" in sys.modules, "migrate" in app.extensions)
"""


def loads_migrations(server_software: str | None, database: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SERVER_SOFTWARE"}
    if server_software:
        env["SERVER_SOFTWARE"] = server_software
    result = subprocess.run(
        [sys.executable, "-c", PROBE, database], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_an_app_built_by_gunicorn_does_not_load_alembic_and_the_flask_command_does(tmp_path):
    database = f"sqlite:///{tmp_path / 'web.db'}"
    assert loads_migrations("gunicorn/27.0.1", database) == "False False"
    assert loads_migrations(None, database) == "True True"

    env = {k: v for k, v in os.environ.items() if k != "SERVER_SOFTWARE"} | {"DATABASE_URL": database}
    upgrade = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True
    )
    assert upgrade.returncode == 0, upgrade.stderr
