"""The family's crèche pages: the link from the mails (/creche/suivi/<token>) and the public points grid."""

from flask import Blueprint

bp = Blueprint("creche_family", __name__)
