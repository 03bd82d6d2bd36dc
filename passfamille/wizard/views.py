"""The citizen's wizard: one generic step view (each step declares its behaviour in steps/), Post/Redirect/Get,
guards on the path."""

from datetime import date, timedelta
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from .. import franceconnect, ratelimit
from ..extensions import db
from ..franceconnect import views as franceconnect_views
from ..parsing import ascii_int
from . import confirmation_view, fiscal, store, submit
from .creche_forms import DemarcheForm
from .draft import IDENTIFICATION, answers, demarche, via_franceconnect, wants_creche, wants_pass_famille
from .forms import ConfirmForm
from .progress import RECORDS
from .step import BACK_TO_RECAP, Step, first_incomplete, numbering, path, step_url
from .steps import BY_SLUG, RECAP, STEPS, change_demarche, common, demarche_change

bp = Blueprint("wizard", __name__)
HOUR = timedelta(hours=1)

# --- navigation ----------------------------------------------------------------------------------------------


def to_step(step: Step):
    """A step's page; from the recap, with the way back to it (the recap's guard sends a change that voided other
    answers to the first of them, and each then comes back to the recap)."""
    return redirect(step_url(step.slug), 303)


def from_recap() -> bool:
    return request.args.get("retour") == BACK_TO_RECAP["retour"]


def next_step(draft, step: Step):
    """After a valid POST: back to the recap when the citizen came from it, else the next step on the path."""
    steps = path(STEPS, draft)
    if from_recap():
        return to_step(steps[-1])
    later = steps[steps.index(step) + 1 :] if step in steps else steps
    return to_step(later[0] if later else steps[-1])


def _anchor(field) -> str:
    """Where the error summary's link lands: a radio group's first option, else the field itself."""
    return f"{field.id}-0" if field.type == "RadioField" else field.id


def service_title(draft) -> str:
    """The name in the header and the tab's title: what the family is asking for."""
    title = current_app.extensions["commune"].pass_famille.title
    if not wants_creche(draft):
        return title
    return f"{title} et crèche" if wants_pass_famille(draft) else "Préinscription en crèche"


def counted_path(draft) -> list[Step]:
    """The path the stepper counts. Before the family has said how its resources are known, the usual way (the
    CAF/MSA) is counted, so that the total does not change once it has."""
    if answers(draft, common.INFORMATION.name):
        return path(STEPS, draft)
    usual = {**(draft.answers or {}), common.INFORMATION.name: {"mode": "api"}}
    return path(STEPS, SimpleNamespace(answers=usual, certified=draft.certified))


def back_link(steps: list[Step], step: Step) -> str:
    """« Retour »: the recap for a page opened from it, else the previous page of the path (the start page for the
    first step)."""
    if from_recap() and step is not steps[-1]:
        return url_for("wizard.step", slug=steps[-1].slug)
    index = steps.index(step)
    return url_for("wizard.step", slug=steps[index - 1].slug) if index else url_for("wizard.start")


def render_step(step: Step, draft, form, status=200):
    steps = path(STEPS, draft)
    index = steps.index(step)
    following = steps[index + 1] if index + 1 < len(steps) else None
    numbers = numbering(counted_path(draft))
    errors = [(_anchor(field), message) for field in form for message in field.errors] if form else []
    html = render_template(
        step.template,
        step=step,
        form=form,
        errors=errors,
        service_title=service_title(draft),
        back=back_link(steps, step),
        identified=via_franceconnect(draft),
        stepper={
            "number": numbers.get(step.name, index + 1),
            "count": max(numbers.values()),
            "title": step.title,
            "next_title": following.title if following else None,
            "next_slug": following.slug if following else None,
        },
        **step.context(draft, form),
    )
    return make_response(html, 400 if errors and status == 200 else status)


# --- routes --------------------------------------------------------------------------------------------------


def render_start(form, status=200):
    settings = current_app.extensions["commune"]
    ruleset = settings.pass_famille.rules.applicable(date.today())
    errors = [(f"{field.id}-0", message) for field in form for message in field.errors]
    draft = store.current_draft()
    html = render_template(
        "wizard/accueil.html",
        form=form,
        draft=draft,
        ruleset=ruleset,
        creche_settings=settings.creche,
        errors=errors,
        franceconnect=franceconnect.client() is not None,
        identified=draft is not None and not draft.application_id and via_franceconnect(draft),
        franceconnect_notice=request.args.get("franceconnect") if franceconnect.client() else None,
        dgfip=fiscal.offered(),
    )
    return make_response(html, 400 if errors else status)


@bp.get("/")
def start():
    draft = store.current_draft()
    stored = answers(draft, "demarche") if draft is not None and not draft.application_id else {}
    return render_start(DemarcheForm(formdata=MultiDict(stored)))


@bp.post("/demande/commencer")
def begin():
    settings = current_app.extensions["commune"]
    if settings.creche is None:
        form = ConfirmForm()
        if not form.validate():
            abort(400)
        choice = "pass_famille"
    else:
        form = DemarcheForm()
        if not form.validate():
            if form.csrf_token.errors:
                abort(400)
            return render_start(form)
        choice = form.choice.data
    draft = store.current_draft()
    if draft is not None and not draft.application_id and _started(draft) and choice != demarche(draft):
        # A change of démarches asks some pages again: said first, on the page that changes them.
        return render_demarches(draft, DemarcheForm(formdata=MultiDict({"choice": choice})), confirm=True)
    if draft is None or draft.application_id:
        # Drafts are stored for anyone who asks: their number per client address is bounded too.
        config = current_app.config
        if not ratelimit.hit("draft-address", request.remote_addr or "", config["DRAFTS_PER_ADDRESS_HOUR"], HOUR):
            html = render_template("wizard/trop-de-demandes.html", limit=config["DRAFTS_PER_ADDRESS_HOUR"])
            return make_response(html, 429)
        draft = store.new_draft()
    store.save_answers(draft, "demarche", {"choice": choice})
    if request.form.get("franceconnect") == "oui" and franceconnect.client() is not None:
        db.session.flush()  # the new draft's id, for the cookie
        return store.set_cookie(franceconnect_views.start_login(draft), draft)
    if request.form.get("franceconnect") == "non" and via_franceconnect(draft):
        _leave_franceconnect(draft)  # « Reprendre ma demande » keeps the login
    db.session.commit()  # one commit with the new draft (the address's counter is committed apart, before it)
    return store.set_cookie(to_step(path(STEPS, draft)[0]), draft)


def _leave_franceconnect(draft) -> None:
    """« Continuer sans FranceConnect » after a login: the certified identity, and what was fetched with it, go; the
    family types its identity (its e-mail is kept)."""
    email = answers(draft, common.APPLICANT.name).get("email")
    steps = (IDENTIFICATION, common.APPLICANT.name, common.INFORMATION.name, *common.APPLICANT.invalidates)
    store.drop_answers(draft, *steps)
    store.forget_certified(draft)
    store.set_franceconnect(draft, None)
    if email:
        store.save_answers(draft, common.APPLICANT.name, {"email": email})


def _started(draft) -> bool:
    """Whether the family has answered anything besides the démarches."""
    return bool(set(draft.answers or {}) - {"demarche", RECORDS})


def render_demarches(draft, form, confirm=False, status=200):
    errors = [(f"{field.id}-0", message) for field in form for message in field.errors]
    change = demarche_change(draft, form.choice.data) if confirm else None
    html = render_template(
        "wizard/demarches.html",
        form=form,
        errors=errors,
        change=change,
        labels=common.demarche_labels(),
        service_title=service_title(draft),
        recap=url_for("wizard.step", slug=RECAP.slug),
    )
    return make_response(html, 400 if errors else status)


@bp.route("/demande/demarches", methods=["GET", "POST"])
def demarches():
    """Change the démarches asked for: the choice, then what it means (pages asked again, answers no longer used),
    then the change, confirmed. Unchanged, back to the recap; confirmed twice (a double click), the second finds the
    choice made and goes back to the recap too."""
    draft = store.current_draft()
    if current_app.extensions["commune"].creche is None:
        abort(404)
    if draft is None:
        return render_template("wizard/session-expiree.html"), 200
    if draft.application_id:
        return redirect(url_for("wizard.confirmation"), 303)
    if request.method == "GET":
        return render_demarches(draft, DemarcheForm(formdata=MultiDict(answers(draft, "demarche"))))
    form = DemarcheForm()
    if not form.validate():
        if form.csrf_token.errors:
            abort(400)
        return render_demarches(draft, form)
    choice = form.choice.data
    if choice != demarche(draft):
        if _started(draft) and request.form.get("confirmer") != "oui":
            return render_demarches(draft, form, confirm=True)
        change_demarche(draft, choice)
        db.session.commit()
    return redirect(url_for("wizard.step", slug=RECAP.slug, **BACK_TO_RECAP), 303)


@bp.route("/demande/<slug>", methods=["GET", "POST"])
def step(slug):
    step = BY_SLUG.get(slug)
    if step is None:
        abort(404)
    draft = store.current_draft()
    if draft is None:
        return render_template("wizard/session-expiree.html"), 200
    if draft.application_id:
        return redirect(url_for("wizard.confirmation"), 303)
    steps = path(STEPS, draft)
    if step not in steps:
        abort(404)
    posted = request.method == "POST"
    # Only the steps before this one: those recorded as complete are not checked again; a POST (which writes the
    # draft anyway) records the others.
    index = steps.index(step)
    blocking = first_incomplete(steps, draft, record=posted, through=steps[index - 1]) if index else None
    if blocking is not None:
        return to_step(blocking)
    if not posted:
        return render_step(step, draft, step.form(draft, formdata=MultiDict(answers(draft, step.name))))
    form = step.form(draft)
    if form is None:
        abort(405)  # a page that only shows (the result, the estimate from the CAF/MSA facts)
    valid = form.validate()
    received = step.files(draft, form)
    if not (valid and received):
        store.forget_complete(draft, step.name)  # its files may have changed: checked again from storage
        db.session.commit()  # the files received are kept even when another field is wrong: nothing entered is lost
        return render_step(step, draft, form)
    response = step.save(step, draft, form)
    if not draft.application_id:
        # The step just saved (its files too may have changed), and any earlier one that no longer matches its
        # record, is checked once from storage as the guard of the next request would, and recorded. Flushed first:
        # a file received by this POST is read back as stored, not as a pending object.
        store.forget_complete(draft, step.name)
        db.session.flush()
        first_incomplete(path(STEPS, draft), draft, record=True, through=step)
    db.session.commit()  # the request's one commit (the lookup counters commit apart, before the call: certify.py)
    return response or next_step(draft, step)


@bp.post("/demande/foyer/retirer")
def remove_child():
    draft = store.current_draft()
    form = ConfirmForm()
    if draft is None or not form.validate():
        abort(400)
    common.remove_added_child(draft, ascii_int(request.form.get("index", ""), 3))
    db.session.commit()
    return redirect(step_url(common.HOUSEHOLD.slug), 303)  # from the recap, still on the way back to it


@bp.get("/demande/confirmation")
def confirmation():
    draft = store.current_draft()
    if draft is None or draft.application is None:
        return redirect(url_for("wizard.start"), 303)
    settings = current_app.extensions["commune"]
    return render_template(
        "wizard/confirmation.html",
        application=draft.application,
        applications=submit.recorded(draft.application),
        summary=confirmation_view.view(draft.application),
        settings=settings,
    )
