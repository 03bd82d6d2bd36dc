"""Exports of the crèche requests (CLI and download), with wishes and points."""

import click


@click.command("export", help="Écrit toutes les demandes de place en crèche sur la sortie standard.")
def export_command():
    raise click.ClickException("Pas encore disponible.")
