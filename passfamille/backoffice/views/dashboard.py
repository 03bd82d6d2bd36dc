"""Back-office views: dashboard (to be completed)."""

from flask import render_template

from .. import bp


@bp.get("/tableau-de-bord")
def dashboard():
    return render_template("backoffice/tableau-de-bord.html")
