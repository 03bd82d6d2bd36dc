"""`flask --app wsgi adhesions export|recheck|purge`. Output in French; never a citizen's data in a log."""

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from . import exports, recheck, retention
from .extensions import db
from .models import Application

adhesions = AppGroup("adhesions", help="Demandes de Pass Famille enregistrées.")


@adhesions.command("export", help="Écrit toutes les demandes enregistrées sur la sortie standard.")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True)
def export_command(output_format):
    query = select(Application).order_by(Application.id).execution_options(yield_per=500)
    applications = db.session.scalars(query)
    chunks = exports.as_json(applications) if output_format == "json" else exports.as_csv(applications)
    for chunk in chunks:
        sys.stdout.write(chunk)


@adhesions.command("recheck", help="Interroge de nouveau la CAF/MSA pour les demandes enregistrées en attente.")
def recheck_command():
    counts = recheck.run(current_app.extensions["api_particulier"], today=date.today())
    click.echo(
        f"{counts['checked']} demande(s) interrogée(s) : {counts['updated']} complétée(s), "
        f"{counts['unresolved']} à traiter par un agent, {counts['still_unavailable']} toujours en attente."
    )


@adhesions.command(
    "purge", help="Supprime les brouillons expirés et les demandes arrivées au terme de leur conservation."
)
def purge_command():
    counts = retention.purge()
    click.echo(
        f"{counts['drafts']} brouillon(s), {counts['applications']} demande(s) et "
        f"{counts['documents']} justificatif(s) supprimés."
    )


def register(app) -> None:
    app.cli.add_command(adhesions)
