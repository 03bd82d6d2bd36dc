"""`flask --app wsgi adhesions export|recheck|purge`, `agents …`, `mails send`. Output in French; never a citizen's
data in a log."""

import sys
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from . import documents, exports, formatting, outbox, recheck, retention
from .backoffice import accounts
from .backup import backup
from .creche.cli import creche
from .demarches import status_label
from .extensions import db
from .models import SERVICES, Application

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
    counts = recheck.run(today=date.today())
    click.echo(
        f"{counts['checked']} demande(s) interrogée(s) : {counts['updated']} complétée(s), "
        f"{counts['unresolved']} à traiter par un agent, {counts['still_unavailable']} toujours en attente."
    )


@adhesions.command(
    "purge", help="Supprime les brouillons expirés et les demandes arrivées au terme de leur conservation."
)
@click.option("--dry-run", is_flag=True, help="Liste ce qui serait supprimé, sans rien supprimer.")
def purge_command(dry_run):
    plan = retention.purge(dry_run=dry_run)
    if dry_run:
        _list_due(plan)
        return
    counts = plan.counts()
    click.echo(
        f"{counts['drafts']} brouillon(s), {counts['applications']} demande(s) et "
        f"{counts['documents']} justificatif(s) supprimés."
    )
    click.echo(f"{counts['counters']} compteur(s) de tentatives échu(s) supprimé(s).")
    days = outbox.GIVEN_UP_KEPT.days
    click.echo(f"{counts['mails']} courriel(s) abandonné(s) depuis plus de {days} jours supprimé(s).")
    if counts["moved_files"]:
        click.echo(
            f"{counts['moved_files']} ancien(s) fichier(s) de justificatif supprimé(s) : leur contenu est en base."
        )


def _list_due(plan: retention.Due) -> None:
    """What `purge` would delete, by category: references, statuses and dates, never a family's name or data."""
    click.echo("Simulation : rien n'a été supprimé. Sans --dry-run, la commande supprimerait :")
    oldest = f" (expiré le plus tôt : {formatting.date_time(plan.drafts[0].expires_at)})" if plan.drafts else ""
    click.echo(f"- brouillons expirés : {len(plan.drafts)}{oldest}")
    click.echo(f"- demandes arrivées au terme de leur conservation : {len(plan.applications)}")
    for application in plan.applications:
        click.echo(
            f"    {application.reference or f'n° {application.id}'} — {status_label(application.status)}, "
            f"à conserver jusqu'au {formatting.short_date(application.purge_after)}"
        )
    click.echo(f"- justificatifs : {len(plan.documents)}")
    for document, reason in plan.documents.values():
        owner = document.application.reference if document.application else "brouillon"
        click.echo(f"    {owner} — {documents.LABELS.get(document.content_type, 'fichier')}, {reason}")
    click.echo(f"- compteurs de tentatives échus : {plan.counters}")
    click.echo(f"- courriels abandonnés depuis plus de {outbox.GIVEN_UP_KEPT.days} jours : {plan.mails}")


agents = AppGroup("agents", help="Comptes des agents de l'espace agents.")


@agents.command("create", help="Crée un compte et affiche un lien à usage unique pour choisir le mot de passe.")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Administrateur : gère aussi les comptes des agents.")
@click.option(
    "--service",
    type=click.Choice(["pass_famille", "creche"]),
    default=None,
    help="Le seul service de l'agent (il ne voit que ses demandes) ; sans cette option : les deux.",
)
def create_agent(email, admin, service):
    try:
        agent = accounts.create(email, admin=admin, demarches=(service,) if service else SERVICES)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Compte créé : {agent.email} ({agent.role_label.lower()}).")
    click.echo("Lien à transmettre à l'agent, valable 3 jours et une seule fois, pour choisir son mot de passe :")
    click.echo(accounts.password_link(agent))


@agents.command("disable", help="Désactive un compte et ferme ses sessions.")
@click.argument("email")
def disable_agent(email):
    try:
        agent = accounts.disable(email)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Compte désactivé : {agent.email}.")


@agents.command("list", help="Liste les comptes.")
def list_agents():
    for agent in accounts.all_agents():
        state = "actif" if agent.active else "désactivé"
        password = "" if agent.password_hash else ", mot de passe à choisir"
        services = " ".join(agent.demarches) or "aucun service"
        click.echo(f"{agent.email}\t{agent.role_label.lower()}\t{state}{password}\t{services}")


mails = AppGroup("mails", help="Courriels en attente d'envoi (accusés de réception, changements de statut).")


@mails.command(
    "send",
    help=(
        "Envoie les courriels en attente : ceux qu'un processus arrêté n'a pas envoyés et les nouveaux essais. "
        "À lancer chaque minute (minuteur systemd)."
    ),
)
def send_mails():
    counts = outbox.send_due()
    left = outbox.waiting()
    click.echo(
        f"{counts.sent} courriel(s) envoyé(s), {counts.retried} en échec (nouvel essai prévu), "
        f"{counts.given_up} abandonné(s) ; {left['waiting']} en attente."
    )
    if left["given_up"]:
        click.echo(
            f"{left['given_up']} courriel(s) abandonné(s) après plusieurs essais, supprimé(s) par « adhesions purge » "
            f"{outbox.GIVEN_UP_KEPT.days} jours après.",
            err=True,
        )
    if counts.retried or counts.given_up:
        click.echo("Le serveur de courriel a refusé ou n'a pas répondu : voir le journal.", err=True)
        sys.exit(1)


def register(app) -> None:
    app.cli.add_command(adhesions)
    app.cli.add_command(agents)
    app.cli.add_command(mails)
    app.cli.add_command(creche)
    app.cli.add_command(backup)
