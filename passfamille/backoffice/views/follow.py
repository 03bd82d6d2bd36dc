"""Back-office views: who follows an application (take it, leave it) and the agents' internal notes on it.
Every POST carries the CSRF token (CSRFProtect, for the whole app)."""

from flask import flash, g, redirect, url_for

from ...extensions import db
from .. import assignment, bp, notes
from ..forms_detail import NoteForm
from .detail import _application, _page


def _back(application_id: int):
    return redirect(url_for("backoffice.application", application_id=application_id), 303)


@bp.post("/demandes/<int:application_id>/prise-en-charge")
def take(application_id):
    application = _application(application_id)
    owner = assignment.take(application, g.agent)
    if owner is not None and owner.id == g.agent.id:
        flash("Vous avez pris en charge cette demande : elle est dans « Mes dossiers ».", "success")
    else:
        # Another agent was first (a second tab, a colleague at the same moment): say who.
        flash(f"Cette demande est déjà prise en charge par {owner.email if owner else 'un autre agent'}.", "warning")
    return _back(application.id)


@bp.post("/demandes/<int:application_id>/laisser")
def release(application_id):
    application = _application(application_id)
    if assignment.release(application, g.agent):
        flash("Vous ne suivez plus cette demande : un autre agent peut la prendre en charge.", "success")
    else:
        flash("Vous ne suiviez pas cette demande : rien n'a changé.", "warning")
    return _back(application.id)


@bp.post("/demandes/<int:application_id>/notes")
def add_note(application_id):
    application = _application(application_id)
    form = NoteForm()
    if not form.validate():
        return _page(application, forms={"note": form}, status=400)
    notes.add(application, g.agent, form.body.data, form.jeton.data)
    db.session.expire(application)
    flash("Note enregistrée. Elle n'est visible que des agents.", "success")
    return _back(application.id)
