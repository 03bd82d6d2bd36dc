"""Back-office views: the dashboard (counts per status, bracket and démarche; QF sources; time to decision)."""

from flask import g, render_template

from .. import bp, services
from ..viewmodels_queue import dashboard_view


@bp.get("/tableau-de-bord")
def dashboard():
    return render_template("backoffice/tableau-de-bord.html", view=dashboard_view(services.demarche_of(g.agent)))
