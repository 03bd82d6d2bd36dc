"""Back-office views: the queue of applications (to be completed)."""

from flask import render_template

from .. import bp


@bp.get("/")
def queue():
    return render_template("backoffice/demandes.html")
