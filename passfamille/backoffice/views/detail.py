"""One application: its page, the status changes an agent makes there, the QF check, a crèche request's resources
read on its proof, the attestation, and the download of its documents (served to logged-in agents only, never
from static/)."""

from io import BytesIO

from flask import abort, current_app, flash, g, redirect, render_template, request, send_file, url_for

from ... import documents
from ...avis_figures import french_parts, parse_parts, parse_rfr
from ...creche import criteria_checks
from ...creche.relance import commune_today
from ...demarches import statemachine
from ...extensions import db
from ...models import Application, Document
from .. import bp, creche_resources, notes, qf_check, services
from ..forms_commission import WithdrawalForm
from ..forms_detail import (
    AvisVerificationForm,
    CriterionCheckForm,
    DocumentRequestForm,
    NoteForm,
    RefusalForm,
    ResourcesForm,
    StatusForm,
    VerificationForm,
    parse_euros,
)
from ..viewmodels_commission import CRECHE_BUTTONS
from ..viewmodels_detail import action_label, attestation_view, confirmation_view, detail_view

STATUS_FORMS = {"refused": RefusalForm, "documents_requested": DocumentRequestForm}
DONE = {
    "in_review": "Demande prise en charge.",
    "accepted": "Demande acceptée : le pass est attribué.",
    "refused": "Demande refusée.",
    "documents_requested": "Pièce demandée.",
}
CRECHE_DONE = {
    "admitted": "Admission prononcée.",
    "waiting": "Demande remise en liste d'attente, avec ses points et sa date de dépôt.",
    "withdrawn": "Demande retirée.",
}


def commune_settings():
    return current_app.extensions["commune"]


def _application(application_id: int) -> Application:
    """The application, or a 404 if there is none or it belongs to a service the agent does not work for."""
    return services.require(g.agent, db.session.get(Application, application_id))


# Every status change mails the family: the agent first sees what will be done and that a mail will go, then
# confirms (the same form, sent again with this field); the change itself happens once (statemachine.claim_status).
CONFIRMED = "oui"


def _confirmation(application: Application, label: str, written: tuple[str, str] | None = None):
    fields = {name: value for name, value in request.form.items() if name not in ("csrf_token", "confirme")}
    view = confirmation_view(application, label, written)
    return render_template("backoffice/confirmation.html", confirmation=view, fields=fields, url=request.path)


def _confirmed() -> bool:
    return request.form.get("confirme") == CONFIRMED


def _declared_qf(application: Application) -> str:
    found = application.pass_famille
    return str(found.qf_value or "") if found else ""


def _verification_form(application: Application, posted: bool = False):
    """The QF check's form: the avis's RFR and parts where the rules compute a municipal quotient (filled with what
    the family typed), else the QF (filled with the declared one)."""
    if not qf_check.asks_avis_figures(application):
        return VerificationForm() if posted else VerificationForm(formdata=None, qf=_declared_qf(application))
    if posted:
        return AvisVerificationForm()
    found = application.pass_famille
    return AvisVerificationForm(
        formdata=None,
        rfr="" if found.fiscal_rfr is None else str(found.fiscal_rfr),
        parts=french_parts(found.fiscal_parts) if found.fiscal_parts else "",
    )


def _page(application: Application, forms: dict | None = None, problem: str | None = None, status: int = 200):
    """The page, with blank forms except the one just posted (kept with its values and errors)."""
    # What the agent typed in another form of the page is shown again too: nothing typed is lost.
    typed = request.form if request.method == "POST" else {}
    blank = {
        "refused": RefusalForm(formdata=None, reason=typed.get("reason", "")),
        "documents_requested": DocumentRequestForm(formdata=None, message=typed.get("message", "")),
        "verification": _verification_form(application),
        "withdrawn": WithdrawalForm(formdata=None),
        "note": NoteForm(formdata=None, jeton=notes.new_form_token()),
    }
    if application.creche is not None:
        blank["resources"] = _resources_form(application, posted=False)
        for code, label in _declared(application).items():
            reason = typed.get(f"critere-{code}-reason", "")
            blank[f"critere-{code}"] = CriterionCheckForm(code, label, formdata=None, reason=reason)
    forms = blank | (forms or {})
    errors = [(f.id, m) for form in forms.values() for f in form if f.type != "HiddenField" for m in f.errors]
    view = detail_view(application, g.agent)
    return (
        render_template("backoffice/demande.html", demande=view, forms=forms, errors=errors, problem=problem),
        status,
    )


@bp.get("/demandes/<int:application_id>")
def application(application_id):
    return _page(_application(application_id))


@bp.post("/demandes/<int:application_id>/statut")
def change_status(application_id):
    application = _application(application_id)
    to = request.form.get("to", "")
    if application.demarche == "creche":
        return _page(
            application, problem="Cette action du Pass Famille ne s'applique pas à une demande de crèche", status=409
        )
    # Checked before the form: a second click on "Refuser" must say the application is already refused.
    problem = statemachine.problem(application, to)
    if problem:
        return _page(application, problem=problem, status=409)
    form = STATUS_FORMS.get(to, StatusForm)()
    if not form.validate():
        return _page(application, forms={to: form}, status=400)
    if not _confirmed():
        written = {
            "refused": ("Motif du refus écrit à la famille", getattr(form, "reason", None)),
            "documents_requested": ("Pièce demandée à la famille", getattr(form, "message", None)),
        }.get(to)
        return _confirmation(application, action_label(application, to), written and (written[0], written[1].data))
    try:
        event = statemachine.change_status(
            application,
            to,
            g.agent,
            reason=form.reason.data if to == "refused" else None,
            message=form.message.data if to == "documents_requested" else None,
        )
    except statemachine.TransitionError as error:
        db.session.rollback()
        return _page(application, problem=str(error), status=409)
    flash_done(DONE[to], event)
    return redirect(url_for("backoffice.application", application_id=application.id), 303)


@bp.post("/demandes/<int:application_id>/statut-creche")
def change_creche_status(application_id):
    """Admission, back to the waiting list, withdrawal. Offering a place is done from the commission's list."""
    application = _application(application_id)
    to = request.form.get("to", "")
    if application.creche is None:
        return _page(application, problem="Cette demande n'est pas une demande de place en crèche", status=409)
    if to not in CRECHE_DONE or to not in statemachine.allowed(application):
        return _page(application, problem=statemachine.not_allowed(application, to), status=409)
    form = WithdrawalForm() if to == "withdrawn" else StatusForm()
    if not form.validate():
        return _page(application, forms={to: form}, status=400)
    if not _confirmed():
        written = ("Motif du retrait", form.reason.data) if to == "withdrawn" else None
        return _confirmation(application, CRECHE_BUTTONS[to], written)
    detail = f"Motif : {form.reason.data}" if to == "withdrawn" else None
    try:
        event = statemachine.change_status(application, to, g.agent, detail=detail)
    except statemachine.TransitionError as error:
        db.session.rollback()
        return _page(application, problem=str(error), status=409)
    flash_done(CRECHE_DONE[to], event)
    return redirect(url_for("backoffice.application", application_id=application.id), 303)


def flash_done(message: str, event) -> None:
    """What the agent is told after a status change, and whether the family's mail went out."""
    if getattr(event, "family_notified", True):
        flash(f"{message} La famille en est informée par courriel.", "success")
    else:
        flash(f"{message} Le courriel à la famille n'a pas pu être envoyé : prévenez-la autrement.", "warning")


@bp.post("/demandes/<int:application_id>/verification-qf")
def verify_qf(application_id):
    application = _application(application_id)
    if application.demarche == "creche":
        return _page(application, problem="Une demande de place en crèche n'a pas de quotient familial", status=409)
    problem = qf_check.problem(application)
    if problem:
        return _page(application, problem=problem, status=409)
    form = _verification_form(application, posted=True)
    if not form.validate():
        return _page(application, forms={"verification": form}, status=400)
    if isinstance(form, AvisVerificationForm):
        qf_check.verify_avis(application, g.agent, parse_rfr(form.rfr.data), parse_parts(form.parts.data))
        flash("Avis vérifié : le quotient municipal et la décision sont recalculés avec les mêmes règles.", "success")
        return redirect(url_for("backoffice.application", application_id=application.id), 303)
    qf_check.verify(application, g.agent, parse_euros(form.qf.data))
    flash("Quotient familial vérifié : la décision est recalculée avec les mêmes règles.", "success")
    return redirect(url_for("backoffice.application", application_id=application.id), 303)


def _resources_form(application: Application, posted: bool = True) -> ResourcesForm:
    """The posted figures, or those already entered (to correct them), with the hints of this request."""
    request = application.creche
    if posted:
        form = ResourcesForm()
    else:
        entered = {
            "psu_resources": request.psu_annual_resources,
            "psu_children": request.psu_children,
            "psu_aeeh": request.psu_aeeh_children,
        }
        form = ResourcesForm(formdata=None, **{k: str(v) for k, v in entered.items() if v is not None})
    return form.describe(commune_today().year, expected_child=request.child_source == "expected")


@bp.post("/demandes/<int:application_id>/ressources-creche")
def enter_creche_resources(application_id):
    application = _application(application_id)
    problem = creche_resources.problem(application)
    if problem:
        return _page(application, problem=problem, status=409)
    form = _resources_form(application)
    if not form.validate():
        return _page(application, forms={"resources": form}, status=400)
    annual, children, aeeh = form.figures()
    creche_resources.enter(application, g.agent, annual, children, aeeh, today=commune_today())
    if application.creche.estimate is None:
        flash("Ressources enregistrées, mais aucun barème n'est en vigueur : pas d'estimation du tarif.", "warning")
    else:
        flash("Ressources enregistrées : l'estimation du tarif est calculée et la famille la voit sur son lien.")
    return redirect(url_for("backoffice.application", application_id=application.id), 303)


def _declared(application: Application) -> dict[str, str]:
    """The criteria the family declared that the grid still knows, by code, with their labels."""
    grid = {c.code: c.label for c in commune_settings().creche.points_grid} if commune_settings().creche else {}
    return {code: grid[code] for code in application.creche.criteria or [] if code in grid}


@bp.post("/demandes/<int:application_id>/criteres/<code>")
def check_criterion(application_id, code):
    """« Vérifié » / « Refusé » on one declared criterion; a refused one no longer counts in the points and ranks."""
    application = _application(application_id)
    problem = criteria_checks.problem(application, code)
    if problem is None and code not in _declared(application):
        problem = "Ce critère n'est plus dans la grille de points"
    if problem:
        return _page(application, problem=problem, status=409)
    label = _declared(application)[code]
    form = CriterionCheckForm(code, label)
    to, seen = form.to.data, form.seen.data
    if to not in (criteria_checks.VERIFIED, criteria_checks.REFUSED) or seen not in criteria_checks.STATES:
        return _page(application, problem="Action inconnue", status=409)
    if _current_state(application, code) != seen or to == seen:
        return _already_checked(application, code)
    if not form.validate():
        return _page(application, forms={f"critere-{code}": form}, status=400)
    if not criteria_checks.change(application, code, label, to, seen, g.agent, form.reason.data or None):
        return _already_checked(application, code)
    if to == criteria_checks.VERIFIED:
        flash(f"Critère « {label} » vérifié.", "success")
    else:
        flash(f"Critère « {label} » refusé : il ne compte plus, les points et les rangs sont recalculés.", "success")
    return redirect(url_for("backoffice.application", application_id=application.id), 303)


def _current_state(application: Application, code: str) -> str:
    check = criteria_checks.state_of(application, code)
    return check.state if check else criteria_checks.PENDING


def _already_checked(application: Application, code: str):
    """A second click, or another tab, after the change was made: say what the criterion is now, change nothing."""
    db.session.expire(application.creche, ["checks"])
    state = criteria_checks.STATES[_current_state(application, code)]
    flash(f"Ce critère a déjà été modifié : il est maintenant « {state} ». Rien d'autre n'a été changé.", "warning")
    return redirect(url_for("backoffice.application", application_id=application.id), 303)


@bp.get("/demandes/<int:application_id>/attestation")
def attestation(application_id):
    application = _application(application_id)
    if application.status != "accepted":
        abort(404)
    return render_template("backoffice/attestation.html", attestation=attestation_view(application))


# What a proof may be shown as, in the browser: the types documents.store() recognised by their first bytes.
PREVIEWABLE = frozenset(documents.LABELS)
# A proof shown in the browser runs no script of ours and loads nothing else: its own content only (the browser's
# PDF viewer included), framed by no page but ours. Not `sandbox`: Chromium then refuses to show a PDF at all.
PREVIEW_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def _document_bytes(document_id: int) -> tuple[Document, bytes]:
    found = db.session.get(Document, document_id)
    # A draft's document is the citizen's until the application is sent.
    if found is None or found.application is None:
        abort(404)
    services.require(g.agent, found.application)
    content = documents.content(found)
    if content is None:  # a file the migration into the database found missing
        abort(404)
    return found, content


@bp.get("/documents/<int:document_id>")
def document(document_id):
    found, content = _document_bytes(document_id)
    response = send_file(
        BytesIO(content),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=documents.download_name(found, found.application.reference),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/documents/<int:document_id>/apercu")
def document_preview(document_id):
    """The proof opened in the browser (a PDF or an image), with the type its bytes were recognised as."""
    found, content = _document_bytes(document_id)
    if found.content_type not in PREVIEWABLE:
        abort(404)
    response = send_file(
        BytesIO(content),
        mimetype=found.content_type,
        as_attachment=False,
        download_name=documents.download_name(found, found.application.reference),
    )
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
