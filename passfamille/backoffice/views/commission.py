"""Back-office views: the crèche commission (waiting lists per structure and age group, offering a place) and
the download of the crèche requests. A commune without a crèche section has none of these pages (404)."""

from datetime import date, timedelta

from flask import Response, abort, g, redirect, render_template, request, url_for

from ...clock import commune_today
from ...creche import exports as creche_exports
from ...demarches import statemachine
from ...demarches.base import Change
from ...extensions import db
from ...formatting import date_time
from ...models import Application, utcnow
from .. import bp
from ..forms_commission import OfferForm
from ..viewmodels_commission import (
    has_creche,
    offer_rows,
    overview,
    section_summary,
    settings,
    structure_and_group,
    waiting_rows,
)
from ..viewmodels_detail import confirmation_view
from .detail import CONFIRMED, flash_done
from .exports import download


@bp.context_processor
def creche_navigation():
    # The "Crèches" link of the agents' menu exists only when the commune has a crèche section.
    return {"creche_commission": has_creche()}


@bp.get("/creche")
def commission():
    settings()
    return render_template("backoffice/commission.html", structures=overview())


def _list_page(structure_code: str, group_code: str, posted: OfferForm | None = None, status: int = 200):
    structure, group = structure_and_group(structure_code, group_code)
    rows = waiting_rows(structure_code, group_code)
    forms = {
        row.id: posted
        if posted is not None and posted.application_id == row.id
        else OfferForm(row.id, row.reference, formdata=None, start=row.start_date.strftime("%d/%m/%Y"))
        for row in rows
    }
    errors = [(f.id, m) for f in (posted or []) if f.type != "CSRFTokenField" for m in f.errors]
    return render_template(
        "backoffice/commission-liste.html",
        structure=structure,
        group=group,
        rows=rows,
        places=section_summary(structure, group, len(rows)),
        listed_at=date_time(utcnow()),
        forms=forms,
        offers=offer_rows(structure_code, group_code),
        errors=errors,
        problem=getattr(posted, "problem", None),
        downloads={
            "CSV": url_for("backoffice.commission_list_csv", structure=structure_code, group=group_code),
            "JSON": url_for("backoffice.commission_list_json", structure=structure_code, group=group_code),
        },
    ), status


@bp.get("/creche/<structure>/<group>")
def commission_list(structure, group):
    return _list_page(structure, group)


@bp.post("/creche/<structure>/<group>/proposer/<int:application_id>")
def offer_place(structure, group, application_id):
    structure_and_group(structure, group)
    application = db.session.get(Application, application_id)
    if application is None or application.creche is None:
        abort(404)
    form = OfferForm(application_id, application.reference)
    form.application_id = application_id
    form.problem = None
    if not form.validate():
        return _list_page(structure, group, form, 400)
    offer = (structure, group, form.start_date())
    # Checked before the confirmation: a stale list (another agent offered meanwhile) says so at once.
    problem = statemachine.problem(application, "offered", Change(offer=offer))
    if problem:
        form.problem = problem
        return _list_page(structure, group, form, 409)
    if request.form.get("confirme") != CONFIRMED:
        # An offer mails the family: the agent first sees the place, the dates and to whom the mail goes.
        return _confirmation(application, offer)
    try:
        event = statemachine.change_status(application, "offered", g.agent, offer=offer)
    except statemachine.TransitionError as error:
        db.session.rollback()
        # Not a fault of the date: the request moved on meanwhile (another agent, the family).
        form.problem = str(error)
        return _list_page(structure, group, form, 409)
    creche = application.creche
    message = (
        f"Place proposée pour la demande {application.reference}, entrée le {creche.offer_start_date:%d/%m/%Y} ; "
        f"réponse attendue avant le {creche.offer_deadline:%d/%m/%Y}."
    )
    flash_done(message, event)
    return redirect(url_for("backoffice.commission_list", structure=structure, group=group), 303)


def _confirmation(application: Application, offer: tuple[str, str, date]):
    structure_code, group_code, start = offer
    structure, group = structure_and_group(structure_code, group_code)
    deadline = commune_today() + timedelta(days=settings().delays.offer_answer_days)
    written = (
        "Place proposée à la famille",
        f"{structure.name}, {group.label}\nDate d'entrée proposée : {start:%d/%m/%Y}\n"
        f"Réponse attendue avant le {deadline:%d/%m/%Y}",
    )
    view = confirmation_view(application, "Proposer une place", written) | {
        "href": url_for("backoffice.commission_list", structure=structure_code, group=group_code),
        "back_label": f"Retour à la liste d'attente {structure.name}, {group.label}",
    }
    fields = {name: value for name, value in request.form.items() if name not in ("csrf_token", "confirme")}
    return render_template("backoffice/confirmation.html", confirmation=view, fields=fields, url=request.path)


# --- downloads ------------------------------------------------------------------------------------------------


def _download(render, extension: str, mimetype: str, wish: tuple[str, str] | None = None) -> Response:
    settings()
    if wish is not None:
        structure_and_group(*wish)
    scope = f"-{wish[0]}-{wish[1]}" if wish else ""
    return download(render(creche_exports.requests(wish)), f"demandes-creche{scope}", extension, mimetype)


@bp.get("/creche/demandes.csv")
def commission_csv():
    return _download(creche_exports.as_spreadsheet_csv, "csv", "text/csv")


@bp.get("/creche/demandes.json")
def commission_json():
    return _download(creche_exports.as_json, "json", "application/json")


@bp.get("/creche/<structure>/<group>/demandes.csv")
def commission_list_csv(structure, group):
    return _download(creche_exports.as_spreadsheet_csv, "csv", "text/csv", (structure, group))


@bp.get("/creche/<structure>/<group>/demandes.json")
def commission_list_json(structure, group):
    return _download(creche_exports.as_json, "json", "application/json", (structure, group))
