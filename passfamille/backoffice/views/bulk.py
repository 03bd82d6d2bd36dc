"""Back-office view: an action on the applications ticked in the queue. The selection travels in the body of the
POST (ids, never in the URL); « Passer en instruction » mails each family, so it asks first, as for one
application (templates/backoffice/confirmation.html); the result is said on the list (Post/Redirect/Get)."""

from flask import flash, g, redirect, render_template, request, url_for

from .. import bp, bulk

FOLLOW, REVIEW = "suivre", "instruction"
CONFIRMED = "oui"


def _back_url() -> str:
    """The list the agent came from, with its filters (no personal data: they are GET parameters of the queue)."""
    queue = url_for("backoffice.queue")
    back = request.form.get("retour", "")
    safe = back.startswith(queue) and not back.startswith("//") and "\\" not in back and len(back) < 500
    return back if safe else queue


def _back():
    return redirect(_back_url(), 303)


def _selection() -> list[int]:
    # Without JavaScript, « Tout sélectionner sur cette page » is a plain checkbox: the page's ids come with it.
    values = request.form.getlist("dossier")
    if request.form.get("tout") == CONFIRMED:
        values += request.form.getlist("page")
    return bulk.parse_selection(values)


@bp.post("/selection")
def bulk_action():
    action = request.form.get("action", "")
    try:
        ids = _selection()
    except bulk.SelectionError as error:
        flash(str(error), "warning")
        return _back()
    if action == FOLLOW:
        outcome = bulk.follow(ids, g.agent)
    elif action == REVIEW:
        if request.form.get("confirme") != CONFIRMED:
            families = len(bulk.reviewable(ids))
            return render_template(
                "backoffice/confirmation-selection.html",
                ids=ids,
                selected=len(ids),
                families=families,
                back=_back_url(),
            )
        outcome = bulk.start_review(ids, g.agent)
    else:
        flash("Choisissez une action pour les demandes sélectionnées", "warning")
        return _back()
    flash(bulk.summary(outcome) + ".", "success" if outcome.updated else "warning")
    return _back()
