"""`flask --app wsgi creche relance|export`: each command lives with what it owns."""

from flask.cli import AppGroup

from .exports import export_command
from .relance import relance_command

creche = AppGroup("creche", help="Préinscriptions en crèche.")
creche.add_command(relance_command)
creche.add_command(export_command)
