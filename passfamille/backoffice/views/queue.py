"""Back-office views: the queue of applications (filters, sort, pages, counts per status) and the search.

Filters hold no personal data, so they travel as GET parameters; a search term is a name, so it only travels in
the body of a POST and the results are rendered in that response, never behind a redirect."""

import re
from datetime import date

from flask import current_app, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from ...demarches import STATUS_LABELS
from ...forms_base import BaseForm, MaxLength, as_choices
from ...parsing import ascii_int
from .. import bp, queries, services
from ..viewmodels_queue import (
    FOLLOW_MINE,
    FOLLOW_NOBODY,
    QF_SOURCE_LABELS,
    bracket_labels,
    demarche_labels,
    queue_view,
    search_view,
)

SORT_LABELS = {
    "recentes": "Plus récentes d'abord",
    "anciennes": "Plus anciennes d'abord",
    "reference": "Référence",
    "statut": "Statut",
}
DATE_HINT = "Par exemple : 14/07/2026"
# ASCII digits only: \d would take other scripts' digits.
_DAY_FIRST = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
MAX_PAGE_DIGITS = 6


def parse_day(text: str | None) -> date | None:
    """14/07/2026 as typed by an agent, or 2026-07-14 as put in links and sent by date pickers."""
    if not text:
        return None
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)


def _one_of(choices_attribute: str, message: str):
    def check(form, field):
        if field.data and field.data not in {value for value, _ in getattr(form, choices_attribute)}:
            raise ValidationError(message)

    return check


def _choice_field(label: str, choices_attribute: str, message: str) -> SelectField:
    """A filter among choices: the choices are checked by _one_of, the length first (a URL may be long)."""
    return SelectField(
        label, validate_choice=False, validators=[MaxLength(30, message), _one_of(choices_attribute, message)]
    )


def _a_day(label: str):
    def check(form, field):
        try:
            parse_day(field.data)
        except ValueError:
            raise ValidationError(
                f"La date « {label} » n'existe pas ou n'est pas au format JJ/MM/AAAA, par exemple : 14/07/2026"
            ) from None

    return check


def _day_length(label: str) -> MaxLength:
    return MaxLength(10, f"La date « {label} » doit être au format JJ/MM/AAAA, par exemple : 14/07/2026")


class FilterForm(BaseForm):
    """The queue's filters. Field names are the French GET parameters they come from (`?statut=…&du=…`)."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    # One status filter per démarche: their workflows differ, and a list of both would mix them.
    statut = _choice_field("Statut (Pass Famille)", "status_choices", "Choisissez un statut de la liste")
    statut_creche = _choice_field(
        "Statut (crèche)", "creche_status_choices", "Choisissez un statut de crèche de la liste"
    )
    demarche = _choice_field("Démarche", "demarche_choices", "Choisissez une démarche de la liste")
    suivi = _choice_field("Suivi", "follow_choices", "Choisissez un suivi de la liste")
    tranche = _choice_field("Tranche", "bracket_choices", "Choisissez une tranche de la liste")
    source = _choice_field(
        "Source du quotient familial", "source_choices", "Choisissez une source du quotient familial de la liste"
    )
    du = StringField("Déposée du", description=DATE_HINT, validators=[_day_length("déposée du"), _a_day("déposée du")])
    au = StringField("Déposée au", description=DATE_HINT, validators=[_day_length("déposée au"), _a_day("déposée au")])
    tri = _choice_field("Trier par", "sort_choices", "Choisissez un tri de la liste")

    def __init__(self, *args, demarches: tuple[str, ...] = ("pass_famille", "creche"), **kwargs):
        """`demarches`: those the agent works for; the other's filters are not offered."""
        super().__init__(*args, **kwargs)
        pass_famille = "pass_famille" in demarches
        self.one_service = len(demarches) < 2  # the agent's only démarche is not a filter to offer
        self.status_choices = [(s, STATUS_LABELS[s]) for s in queries.PASS_FAMILLE_STATUSES] if pass_famille else []
        has_creche = current_app.extensions["commune"].creche is not None and "creche" in demarches
        self.creche_status_choices = [(s, STATUS_LABELS[s]) for s in queries.CRECHE_STATUSES] if has_creche else []
        self.follow_choices = [(FOLLOW_MINE, "Mes dossiers"), (FOLLOW_NOBODY, "Dossiers suivis par personne")]
        self.demarche_choices = [(code, label) for code, label in demarche_labels() if code in demarches]
        self.bracket_choices = [*bracket_labels(), (queries.NO_BRACKET, "Sans tranche")]
        self.source_choices = [(source, QF_SOURCE_LABELS[source]) for source in queries.QF_SOURCES]
        self.source_choices.append((queries.NO_QF, QF_SOURCE_LABELS[None]))
        self.sort_choices = list(SORT_LABELS.items())
        for field, everything, pairs in [
            (self.statut, "Tous les statuts", self.status_choices),
            (self.statut_creche, "Tous les statuts", self.creche_status_choices),
            (self.suivi, "Tous les dossiers", self.follow_choices),
            (self.demarche, "Toutes les démarches", self.demarche_choices),
            (self.tranche, "Toutes les tranches", self.bracket_choices),
            (self.source, "Toutes les sources", self.source_choices),
        ]:
            field.choices = as_choices([("", everything), *pairs])
        self.tri.choices = as_choices(self.sort_choices)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.statut.data and self.statut_creche.data and not self.statut.errors and not self.statut_creche.errors:
            self.statut_creche.errors = [
                *self.statut_creche.errors,
                "Choisissez un statut du Pass Famille ou un statut de crèche, pas les deux",
            ]
            valid = False
        start, end = self._day(self.du), self._day(self.au)
        if start and end and start > end:
            self.au.errors = [*self.au.errors, "La date « déposée au » doit être le même jour ou après « déposée du »"]
            return False
        return valid

    @staticmethod
    def _day(field) -> date | None:
        try:
            return None if field.errors else parse_day(field.data)
        except ValueError:
            return None

    def filters(self, agent_id: int | None = None) -> queries.Filters:
        """The valid filters; a field in error is left out, so the others still apply. `agent_id`: who « Mes
        dossiers » means."""

        def valid(field):
            return None if field.errors else field.data or None

        follow = valid(self.suivi)
        return queries.Filters(
            status=valid(self.statut) or valid(self.statut_creche),
            assigned_agent_id=agent_id if follow == FOLLOW_MINE else None,
            unassigned=follow == FOLLOW_NOBODY,
            demarche=valid(self.demarche),
            bracket=valid(self.tranche),
            qf_source=valid(self.source),
            submitted_from=self._day(self.du),
            submitted_to=self._day(self.au),
        )

    def sort(self) -> str:
        return self.tri.data if self.tri.data and not self.tri.errors else queries.DEFAULT_SORT


class SearchForm(BaseForm):
    term = StringField(
        "Référence, nom, courriel ou adresse",
        description=(
            "Par exemple : PF-2026-000042, Sophie Dupont, le prénom d'un enfant, sophie.dupont@exemple.fr "
            "ou rue des Lilas"
        ),
        validators=[
            # InputRequired would take "   "
            DataRequired("Saisissez une référence, un nom, un prénom, un courriel ou une adresse"),
            MaxLength(100, "Saisissez au plus 100 caractères"),
        ],
    )


def filter_form() -> FilterForm:
    args = request.args
    if args.get("statut") in queries.CRECHE_STATUSES and not args.get("statut_creche"):
        # A link made before each démarche had its own status filter (?statut=waiting).
        args = MultiDict([(k, v) for k, v in args.items(multi=True) if k != "statut"])
        args["statut_creche"] = request.args["statut"]
    form = FilterForm(formdata=args, demarches=services.of(g.agent))
    form.validate()
    return form


def page_number() -> int:
    """The page asked for; anything but a page number (typed in the address bar, an old link) is page 1."""
    return ascii_int(request.args.get("page", ""), MAX_PAGE_DIGITS) or 1


def errors_of(form) -> list[tuple[str, str]]:
    return [(field.id, message) for field in form for message in field.errors]


@bp.get("/")
def queue():
    form = filter_form()
    fixed = services.demarche_of(g.agent)
    view = queue_view(services.scope(form.filters(g.agent.id), g.agent), form.sort(), page_number(), fixed)
    errors = errors_of(form)
    status = 400 if errors else 200
    return render_template("backoffice/demandes.html", view=view, form=form, search=SearchForm(), errors=errors), status


@bp.route("/recherche", methods=["GET", "POST"])
def search():
    if request.method == "GET":  # a bookmark or a reload after the results: back to the list
        return redirect(url_for("backoffice.queue"), 303)
    form, search_form = FilterForm(formdata=None, demarches=services.of(g.agent)), SearchForm()
    scope = services.scope(queries.Filters(), g.agent)
    if not search_form.validate():
        view = queue_view(scope, queries.DEFAULT_SORT, 1, scope.demarche)
        errors = errors_of(search_form)
        return render_template("backoffice/demandes.html", view=view, form=form, search=search_form, errors=errors), 400
    view = search_view(search_form.term.data, scope)
    return render_template("backoffice/demandes.html", view=view, form=form, search=search_form, errors=[])
