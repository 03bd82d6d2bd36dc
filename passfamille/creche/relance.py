"""`flask --app wsgi creche relance`: asks families still waiting whether they maintain their request."""

import click


@click.command("relance", help="Relance les familles en attente et clôt les demandes restées sans réponse.")
def relance_command():
    raise click.ClickException("Pas encore disponible.")
