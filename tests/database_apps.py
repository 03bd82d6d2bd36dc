"""An app on the suite's SQLite copy or on the run's PostgreSQL server, at a given migration: what the migration and
backup tests run on both databases (a fixture parametrised with DATABASES yields from `app_at`)."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from passfamille import create_app
from passfamille.extensions import db

DATABASES = ["sqlite", "postgresql"]


def app_at(request, app_config, revision: str = "head"):
    config = dict(app_config)
    if request.param == "postgresql":
        config["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("postgres_url")
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            upgrade(revision=revision)
        elif revision != "head":
            downgrade(revision=revision)  # the suite's copy is migrated to the head
    yield app
    with app.app_context():
        db.engine.dispose()
