"""The crèche's steps: which child, the wished structures and times, the situation (the commission's criteria and
their proofs), and the estimate of the price (from the CAF/MSA facts, else a proof, a later re-check or none)."""

from datetime import date

from flask import request
from werkzeug.datastructures import MultiDict

from ... import documents
from ...creche.settings import TABLE_LABELS
from ...extensions import db
from ...formatting import euros, long_date, short_date, typed_date_example
from .. import creche, household, store
from ..creche_forms import (
    RESOURCES_CHOICES,
    ChildForm,
    EstimateFallbackForm,
    criterion_field,
    document_field,
    situation_form,
    wishes_form,
)
from ..draft import answers, details_hidden, eaje, eaje_ok, wants_creche
from ..step import Section, Step, form_values, receive_file

# --- enfant --------------------------------------------------------------------------------------------------


def child_form(draft, **kwargs):
    today = date.today()
    rules = creche.settings().earliest_pre_registration
    return ChildForm(
        household_choices=[(value, label) for value, label, _ in creche.household_choices(draft, today)],
        earliest=rules.earliest_date,
        pregnancy_month=rules.pregnancy_month,
        today=today,
        **kwargs,
    )


def save_child(step: Step, draft, form):
    values = form_values(form)
    # Which added child "ajoute-N" meant: kept so that a later change of the household voids the choice.
    values["children_snapshot"] = household.added_children(draft)
    store.save_answers(draft, step.name, values)
    return None


def child_context(draft, form) -> dict:
    """The hints' examples are dates the form accepts today; the latest due date says from when an expected
    child's pre-registration opens (the commune's pregnancy month)."""
    latest = form.latest_due if form.earliest is not None else None
    due_hint = typed_date_example(form.due_example)
    if latest is not None:
        due_hint += f". La naissance doit être prévue au plus tard le {long_date(latest)}"
    return {
        "pregnancy_month": form.pregnancy_month,
        "latest_due": latest,
        "birth_hint": typed_date_example(form.birth_example),
        "due_hint": due_hint,
    }


CHILD = Step(
    "enfant",
    "Votre enfant",
    applies=wants_creche,
    form=child_form,
    context=child_context,
    save=save_child,
    recap=lambda draft: (
        [Section("Votre enfant", [("Enfant", creche.child_label(creche.child(draft)))], "enfant", "l'enfant")]
        if wants_creche(draft)
        else []
    ),
)

# --- souhaits ------------------------------------------------------------------------------------------------


def wishes_step_form(draft, **kwargs):
    today = date.today()
    found = creche.child(draft, today)
    return wishes_form(
        creche.settings().structures,
        age_problem=lambda code, start: creche.age_problem(code, found, start),
        today=today,
        **kwargs,
    )


def wishes_recap(draft) -> list[Section]:
    if not wants_creche(draft):
        return []
    settings = creche.settings()
    found = creche.child(draft, date.today())
    start = creche.start_date(draft)
    rows = []
    for index, code in enumerate(creche.wish_codes(draft)):
        structure = settings.structure(code)
        group = creche.age_group(structure, found, start) if structure and found and start else None
        name = structure.name if structure else code
        rows.append((f"Choix n° {index + 1}", f"{name}{f' ({group.label})' if group else ''}"))
    times = f"{creche.days_per_week(draft)} jours, {creche.hours_per_week(draft)} heures par semaine"
    rows += [("Date d'entrée souhaitée", short_date(start)), ("Temps d'accueil", times)]
    return [Section("Vos souhaits d'accueil", rows, "souhaits", "vos souhaits d'accueil")]


WISHES = Step(
    "souhaits",
    "Vos souhaits d'accueil",
    applies=wants_creche,
    form=wishes_step_form,
    context=lambda draft, form: {
        "structures": creche.settings().structures,
        "child": creche.child_label(creche.child(draft)),
        "start_hint": typed_date_example(form.start_example),
    },
    recap=wishes_recap,
)

# --- situation -----------------------------------------------------------------------------------------------

MAX_FILES = 4  # a proof « de chaque parent »: one file per parent, or a few pages photographed apart


def situation_step_form(draft, **kwargs):
    """On a first visit (nothing stored yet), the address criterion is ticked when the home is in the commune:
    the family unticks it if it is wrong, rather than losing its points by not seeing it."""
    formdata = kwargs.get("formdata")
    if formdata is not None and not formdata and "situation" not in (draft.answers or {}):
        kwargs["formdata"] = MultiDict({criterion_field(code): "y" for code in creche.pre_answered(draft)})
    return situation_form(creche.settings().points_grid, **kwargs)


def receive_criterion_proofs(draft, form) -> bool:
    """A good file is kept even when another is missing; unticking a criterion deletes its files."""
    grid = [criterion for criterion in creche.settings().points_grid if criterion.requires_document]
    exempt = creche.proof_not_needed(draft)
    if form is None:
        held = creche.criteria(draft)
        return all(
            documents.for_draft(draft, documents.CRITERION_PREFIX + c.code)
            for c in grid
            if c.code in held and c.code not in exempt
        )
    declared = form.declared()
    received = True
    for criterion in grid:
        kind = documents.CRITERION_PREFIX + criterion.code
        if criterion.code not in declared or criterion.code in exempt:
            documents.delete_kind(draft, kind)
            continue
        missing = f"Joignez le justificatif de ce critère ({criterion.document_label}), ou décochez le critère"
        field = form[document_field(criterion.code)]
        if criterion.several_documents:
            received &= receive_files(draft, field, missing, kind)
        else:
            received &= receive_file(draft, field, missing, kind=kind, use=kind)
    return received


def receive_files(draft, field, missing: str, kind: str) -> bool:
    """Several files for one criterion (« de chaque parent »): the files of one POST replace those held, all or
    none (a refused file keeps the previous ones and says which file it was)."""
    uploads = [upload for upload in request.files.getlist(field.name) if upload and upload.filename]
    error = None
    if len(uploads) > MAX_FILES:
        error = f"Joignez au plus {MAX_FILES} fichiers pour ce critère"
    elif uploads:
        previous = [d for d in draft.documents if d.kind == kind]
        stored = []
        for number, upload in enumerate(uploads, start=1):
            document, error = documents.store(upload, kind, draft=draft)
            if error:
                error = f"Fichier n° {number} : {error}" if len(uploads) > 1 else error
                break
            stored.append(document)
        if error is None:
            for document in previous:
                documents.delete(document)
                draft.documents.remove(document)
        else:
            for document in stored:  # not written yet: forgotten, with its bytes
                draft.documents.remove(document)
                db.session.expunge(document.content)
                db.session.expunge(document)
    elif documents.for_draft(draft, kind) is None:
        error = missing
    if error:
        field.errors = [*field.errors, error]
    return error is None


def criterion_files(draft) -> dict[str, list[dict]]:
    """The files already sent for each criterion, by code (several for a proof « de chaque parent »)."""
    found: dict[str, list[dict]] = {}
    for document in sorted(draft.documents, key=lambda d: d.id or 0):
        if document.kind.startswith(documents.CRITERION_PREFIX):
            found.setdefault(document.kind[len(documents.CRITERION_PREFIX) :], []).append(documents.summary(document))
    return found


def situation_context(draft, form) -> dict:
    inside, source = creche.home_in_commune(draft)
    return {
        "sent": criterion_files(draft),
        "criterion_field": criterion_field,
        "document_field": document_field,
        "points": creche.total_points(form.declared()),
        "proof_not_needed": creche.proof_not_needed(draft),
        "home_in_commune": inside,
        "address_source": source,
        "max_files": MAX_FILES,
    }


def situation_recap(draft) -> list[Section]:
    if not wants_creche(draft):
        return []
    codes = creche.criteria(draft)
    grid = {c.code: c for c in creche.settings().points_grid}
    rows = [(grid[code].label, f"{grid[code].points} points") for code in codes]
    rows.append(("Total", f"{creche.total_points(codes)} points"))
    return [Section("Votre situation", rows, "situation", "votre situation")]


SITUATION = Step(
    "situation",
    "Votre situation",
    applies=wants_creche,
    form=situation_step_form,
    context=situation_context,
    files=receive_criterion_proofs,
    recap=situation_recap,
)

# --- estimation ----------------------------------------------------------------------------------------------

MISSING_RESOURCES = "Joignez votre justificatif de ressources au format PDF, JPEG ou PNG"


def estimate_form(draft, **kwargs):
    """With the CAF/MSA facts, the estimate is shown and nothing asked; without, the ways to finish."""
    if eaje_ok(draft):
        return None
    return EstimateFallbackForm(later_allowed=creche.later_allowed(draft), **kwargs)


def receive_resources(draft, form) -> bool:
    kind = documents.CRECHE_RESOURCES
    if form is None:
        wanted = answers(draft, "estimation").get("psu_choice") == "documents"
        return not wanted or documents.for_draft(draft, kind) is not None
    if form.psu_choice.data == "documents":
        return receive_file(draft, form.file, MISSING_RESOURCES, kind=kind, use=kind)
    if not form.errors:
        documents.delete_kind(draft, kind)
    return True


def estimate_context(draft, form) -> dict:
    found = creche.draft_estimates(draft, date.today())
    view = None
    if found:
        view = {"facts": eaje(draft), "tables": found, "hours_per_week": creche.hours_per_week(draft)}
        view["labels"] = TABLE_LABELS
    return {
        "estimate": view,
        # CGU: figures drawn from the CAF/MSA file are not shown when the commune hides its details.
        "hidden": details_hidden(draft),
        "eaje_outcome": eaje(draft).outcome,
        "document": documents.summary(documents.for_draft(draft, documents.CRECHE_RESOURCES)),
    }


def estimate_recap(draft) -> list[Section]:
    if not wants_creche(draft):
        return []
    if eaje_ok(draft) and details_hidden(draft):
        rows = [("Tarif", "Estimé par la mairie à partir des informations de la CAF ou de la MSA")]
    elif eaje_ok(draft):
        rows = [
            (
                TABLE_LABELS[table],
                f"{euros(e.hourly)} de l'heure"
                + (f", environ {euros(e.monthly)} par mois" if e.monthly is not None else ""),
            )
            for table, e in creche.draft_estimates(draft, date.today()).items()
        ]
    else:
        choice = answers(draft, "estimation").get("psu_choice")
        rows = [("Tarif", RESOURCES_CHOICES.get(choice, ""))]
        # The family's choice (a proof, a later check, no estimate) is changed; an estimate follows the facts.
        return [Section("Estimation du tarif de la crèche", rows, "estimation", "l'estimation du tarif")]
    return [Section("Estimation du tarif de la crèche", rows)]


ESTIMATE = Step(
    "estimation",
    "Estimation du tarif",
    applies=wants_creche,
    form=estimate_form,
    context=estimate_context,
    files=receive_resources,
    recap=estimate_recap,
)

# After the household (the child is chosen among its children), before the Pass Famille's result.
STEPS = (CHILD, WISHES, SITUATION, ESTIMATE)
