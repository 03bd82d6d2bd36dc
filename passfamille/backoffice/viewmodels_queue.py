"""View-models of the queue, the search results and the dashboard: what the templates show, built from the
results of `queries`, with every link already made."""

from dataclasses import dataclass
from datetime import date, timedelta

from babel.numbers import format_percent
from flask import current_app, url_for
from werkzeug.routing import BuildError

from ..demarches import status_label
from ..formatting import LOCALE
from ..models import Application
from . import queries

QF_SOURCE_LABELS = {
    "api": "CAF/MSA (API Particulier)",
    "document": "Justificatif",
    "declared": "Déclaré par la famille",
    None: "Aucun",
}
ELIGIBLE_LABELS = {True: "Oui", False: "Non", None: "En attente"}


CRECHE_DEMARCHE_LABEL = "Préinscription en crèche"


def demarche_labels() -> list[tuple[str, str]]:
    settings = current_app.extensions["commune"]
    labels = [("pass_famille", settings.pass_famille.title)]
    if settings.creche is not None:
        labels.append(("creche", CRECHE_DEMARCHE_LABEL))
    return labels


def shown_statuses(filters: queries.Filters, counts: queries.Counts) -> tuple[str, ...]:
    """The statuses the counts list: those of the démarche filtered on; without that filter, the Pass Famille's
    always and the crèche's once there is a crèche request, so that a commune without crèches sees no noise.
    `counts` are those of the other filters (the status filter left out)."""
    if filters.demarche == "creche" or (not filters.demarche and filters.status in queries.CRECHE_STATUSES):
        return queries.CRECHE_STATUSES if filters.demarche else queries.STATUS_ORDER
    if filters.demarche:
        return queries.PASS_FAMILLE_STATUSES
    return (
        queries.STATUS_ORDER
        if any(counts.by_status(queries.CRECHE_STATUSES).values())
        else queries.PASS_FAMILLE_STATUSES
    )


def bracket_labels() -> list[tuple[str, str]]:
    """Every bracket of every rule set (older applications keep the bracket of their time); the latest label wins."""
    labels = {}
    for rule_set in reversed(current_app.extensions["commune"].pass_famille.rules.rule_sets):
        for bracket in rule_set.brackets:
            labels.setdefault(bracket.code, bracket.label)
    return sorted(labels.items())


def application_href(application_id: int) -> str:
    """The detail page of an application; a plain path while that view is not registered."""
    try:
        return url_for("backoffice.application", application_id=application_id)
    except BuildError:
        return f"{url_for('backoffice.queue')}demandes/{application_id}"


def status_arg(status: str | None) -> dict[str, str]:
    """The GET parameter of a status: each démarche has its own status filter."""
    if not status:
        return {}
    return {"statut_creche" if status in queries.CRECHE_STATUSES else "statut": status}


FOLLOW_MINE, FOLLOW_NOBODY = "moi", "personne"


def follow_arg(filters: queries.Filters) -> str | None:
    if filters.assigned_agent_id is not None:
        return FOLLOW_MINE  # only ever the agent who reads the list
    return FOLLOW_NOBODY if filters.unassigned else None


def query_args(filters: queries.Filters, sort: str = queries.DEFAULT_SORT) -> dict[str, str]:
    """Filters as the queue's GET parameters (the names of FilterForm's fields); empty ones left out."""
    args = {
        **status_arg(filters.status),
        "suivi": follow_arg(filters),
        "demarche": filters.demarche,
        "tranche": filters.bracket,
        "source": filters.qf_source,
        "du": filters.submitted_from.isoformat() if filters.submitted_from else None,
        "au": filters.submitted_to.isoformat() if filters.submitted_to else None,
        "tri": sort if sort != queries.DEFAULT_SORT else None,
    }
    return {name: value for name, value in args.items() if value}


def applicant_name(application: Application) -> str:
    names = application.usage_name or application.birth_name
    if application.usage_name and application.usage_name != application.birth_name:
        names += f" (naissance : {application.birth_name})"
    return f"{names} {application.first_names or ''}".strip()


@dataclass(frozen=True)
class PassFamilleCells:
    qf_source: str
    bracket: str
    tariff: str | None
    eligible: str


@dataclass(frozen=True)
class CrecheCells:
    child: str
    start_date: date | None
    first_wish: str


@dataclass(frozen=True)
class Row:
    href: str
    reference: str
    submitted_on: date
    demarche: str
    applicant: str
    status: str
    status_label: str
    follower: str | None
    # What applies to the row's démarche; the other's columns say « sans objet ».
    pass_famille: PassFamilleCells | None = None
    creche: CrecheCells | None = None
    application_id: int = 0  # what a ticked row posts (the queue's selection)


def _pass_famille_cells(application: Application) -> PassFamilleCells:
    pf = application.pass_famille
    return PassFamilleCells(
        qf_source=QF_SOURCE_LABELS.get(pf.qf_source, pf.qf_source or "") if pf else QF_SOURCE_LABELS[None],
        bracket=(pf.bracket_code if pf else None) or "–",
        tariff=pf.tariff if pf else None,
        eligible=ELIGIBLE_LABELS[pf.eligible if pf else None],
    )


def _creche_cells(application: Application) -> CrecheCells:
    request = application.creche
    if request is None:
        return CrecheCells("–", None, "–")
    child = "Enfant à naître" if request.child_source == "expected" else request.child_first_name or "–"
    structures = {s.code: s.name for s in current_app.extensions["commune"].creche.structures}
    first = request.wishes[0].structure_code if request.wishes else None
    return CrecheCells(child, request.start_date, structures.get(first, first or "–"))


def row(application: Application, demarches: dict[str, str] | None = None) -> Row:
    demarches = dict(demarche_labels()) if demarches is None else demarches
    is_creche = application.demarche == "creche"
    return Row(
        href=application_href(application.id),
        reference=application.reference or f"n° {application.id}",
        submitted_on=application.created_at.date(),
        demarche=demarches.get(application.demarche, application.demarche),
        applicant=applicant_name(application),
        status=application.status,
        status_label=status_label(application.status),
        follower=application.assigned_agent.email if application.assigned_agent else None,
        pass_famille=None if is_creche else _pass_famille_cells(application),
        creche=_creche_cells(application) if is_creche else None,
        application_id=application.id,
    )


def rows_of(applications) -> list[Row]:
    demarches = dict(demarche_labels())
    return [row(a, demarches) for a in applications]


@dataclass(frozen=True)
class StatusCount:
    label: str
    count: int
    href: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    number: int
    pages: int
    previous_href: str | None
    next_href: str | None


@dataclass(frozen=True)
class QueueView:
    rows: list[Row]
    total: int
    counts: list[StatusCount]
    # Which démarches' columns the table shows: those of the rows on the page.
    pass_famille_columns: bool = True
    creche_columns: bool = False
    pagination: Pagination | None = None
    exports: dict[str, str] | None = None
    filtered: bool = False
    reset_href: str = ""
    search_term: str | None = None
    more: bool = False


def _columns(rows: list[Row]) -> dict[str, bool]:
    """The Pass Famille's columns unless every row is a crèche request; the crèche's once one row is."""
    return {
        "pass_famille_columns": not rows or any(r.pass_famille for r in rows),
        "creche_columns": any(r.creche for r in rows),
    }


def queue_view(filters: queries.Filters, sort: str, number: int, fixed_demarche: str | None = None) -> QueueView:
    """`fixed_demarche`: the only démarche of an agent of one service, which is not a filter they chose."""
    # Counts follow the other filters, so that each one says what its link will list; the page's own total is
    # one of them. One GROUP BY for the whole page.
    found_counts = queries.count_by_status(filters.without_status())
    found = queries.page(filters, sort, number, counts=found_counts)
    args = query_args(filters, sort)
    others = {name: value for name, value in args.items() if name != "statut"}
    by_status = found_counts.by_status(shown_statuses(filters, found_counts))
    others = {name: value for name, value in others.items() if name != "statut_creche"}
    counts = [StatusCount("Toutes", found_counts.total, url_for("backoffice.queue", **others), filters.status is None)]
    counts += [
        StatusCount(
            status_label(status),
            n,
            url_for("backoffice.queue", **others, **status_arg(status)),
            filters.status == status,
        )
        for status, n in by_status.items()
    ]

    def page_href(n: int) -> str | None:
        return url_for("backoffice.queue", **args, page=n) if 1 <= n <= found.pages and n != found.number else None

    rows = rows_of(found.items)
    return QueueView(
        rows=rows,
        **_columns(rows),
        total=found.total,
        counts=counts,
        pagination=Pagination(found.number, found.pages, page_href(found.number - 1), page_href(found.number + 1)),
        exports={
            "CSV": url_for("backoffice.export_csv", **args),
            "JSON": url_for("backoffice.export_json", **args),
        },
        filtered=any(name != "demarche" or value != fixed_demarche for name, value in args.items()),
        reset_href=url_for("backoffice.queue"),
    )


def search_view(term: str, scope: queries.Filters | None = None) -> QueueView:
    """The search's results; `scope`: the démarche the agent works for, if only one (services.scope)."""
    scope = scope or queries.Filters()
    found, more = queries.search(term, demarche=scope.demarche)
    everything = queries.count_by_status(scope)
    by_status = everything.by_status(shown_statuses(scope, everything))
    counts = [StatusCount("Toutes", everything.total, url_for("backoffice.queue"), False)]
    counts += [
        StatusCount(status_label(status), n, url_for("backoffice.queue", **status_arg(status)), False)
        for status, n in by_status.items()
    ]
    rows = rows_of(found)
    return QueueView(
        rows=rows,
        **_columns(rows),
        total=len(found),
        counts=counts,
        reset_href=url_for("backoffice.queue"),
        search_term=term,
        more=more,
    )


# --- dashboard ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: str


@dataclass(frozen=True)
class DashboardView:
    total: int
    by_status: list[tuple[str, int]]
    by_creche_status: list[tuple[str, int]]  # empty when there is no crèche request
    by_bracket: list[tuple[str, int]]
    by_demarche: list[tuple[str, int]]
    by_qf_source: list[Share]
    decisions: int
    median_delay: str


def percent(part: int, whole: int) -> str:
    return format_percent(part / whole if whole else 0, "#,##0.#\u00a0%", locale=LOCALE)


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def duration(delay: timedelta | None) -> str:
    """3 jours et 4 heures; 5 heures; moins d'une heure; aucune décision."""
    if delay is None:
        return "aucune décision"
    hours = int(delay.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    if not days and not hours:
        return "moins d'une heure"
    parts = [_plural(days, "jour", "jours")] if days else []
    if hours:
        parts.append(_plural(hours, "heure", "heures"))
    return " et ".join(parts)


def dashboard_view(demarche: str | None = None) -> DashboardView:
    """The dashboard, of every application or of one démarche (an agent of one service)."""
    found = queries.overview(demarche)
    by_status = found.by_status(queries.PASS_FAMILLE_STATUSES)
    by_creche_status = found.by_status(queries.CRECHE_STATUSES)
    total = found.total
    brackets = found.by_bracket()
    bracket_rows = [(label, brackets.pop(code, 0)) for code, label in bracket_labels()]
    bracket_rows += [(f"Tranche {code}", n) for code, n in sorted(brackets.items(), key=lambda i: str(i[0])) if code]
    bracket_rows.append(("Sans tranche", brackets.get(None, 0)))
    demarches = found.by_demarche()
    # The Pass Famille always has its row (the agent's own démarche, for an agent of one service); another démarche
    # once it has requests.
    demarche_rows = [
        (label, n)
        for index, (code, label) in enumerate(demarche_labels())
        if (n := demarches.pop(code, 0)) or (code == demarche if demarche else index == 0)
    ]
    demarche_rows += sorted(demarches.items())
    sources = found.by_qf_source()
    shares = [
        Share(QF_SOURCE_LABELS[source], sources.get(source, 0), percent(sources.get(source, 0), total))
        for source in (*queries.QF_SOURCES, None)
    ]
    decisions, median = queries.decision_delays(demarche)
    return DashboardView(
        total=total,
        by_status=[(status_label(s), n) for s, n in by_status.items()],
        by_creche_status=[(status_label(s), n) for s, n in by_creche_status.items()]
        if any(by_creche_status.values())
        else [],
        by_bracket=bracket_rows,
        by_demarche=demarche_rows,
        by_qf_source=shares,
        decisions=decisions,
        median_delay=duration(median),
    )
