"""Back-office views: agents management, admin only (to be completed)."""

from flask import render_template

from .. import bp
from ..auth import admin_required


@bp.get("/comptes")
@admin_required
def agents():
    return render_template("backoffice/agents.html")
