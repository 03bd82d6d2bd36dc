"""What a wizard step is: everything the generic view (views.py) needs, declared once per step in steps/.

A step says which form it shows (built for the draft: the questions depend on the démarches and on the API's
answer), what its template shows besides the form, how a valid answer is saved, which files it receives, whose
answers no longer hold when its own change, and its rows on « Vérifiez votre demande »."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .. import documents
from ..models import Draft
from . import progress, store
from .draft import answers

# The query argument that brings a step opened from the recap back to it, kept on every page in between.
BACK_TO_RECAP = {"retour": "recapitulatif"}


@dataclass(frozen=True)
class Section:
    """A section of « Vérifiez votre demande »: its rows (label, value) and one « Modifier » for all of them.

    `change` is the slug of the page that changes them, or None for what is worked out from other answers (a tariff,
    an estimate): it follows them and is not changed on its own. `change_text` ends the link's text for screen
    readers, who hear « Modifier les informations sur l'enfant » where sighted readers see « Modifier » by the
    section's title."""

    title: str
    rows: list[tuple[str, str]]
    change: str | None = None
    change_text: str = ""


def step_url(slug: str) -> str:
    """A step's URL, keeping the way back to the recap when the family came from it."""
    back = BACK_TO_RECAP if request.args.get("retour") == BACK_TO_RECAP["retour"] else {}
    return url_for("wizard.step", slug=slug, **back)


def always(draft: Draft) -> bool:
    return True


def no_context(draft: Draft, form: FlaskForm | None) -> dict:
    return {}


def no_recap(draft: Draft) -> list[Section]:
    return []


def all_received(draft: Draft, form: FlaskForm | None = None) -> bool:
    return True


def form_values(form: FlaskForm, skip=()) -> dict:
    """A form's data as strings, as a browser would post them, so that it can be validated again later."""
    values = {}
    for field in form:
        if field.name == "csrf_token" or field.name in skip or field.type == "FileField":
            continue
        if field.type == "BooleanField":
            if field.data:
                values[field.name] = "y"
        else:
            values[field.name] = "" if field.data is None else str(field.data)
    return values


def save_answers(step: "Step", draft: Draft, form: FlaskForm) -> Response | None:
    """Store the step's answers; when they changed, drop those derived from them (eq-runner's dependents)."""
    if store.save_answers(draft, step.name, form_values(form)) and step.invalidates:
        store.drop_answers(draft, *step.invalidates)
    return None


@dataclass(frozen=True)
class Step:
    name: str  # the key of its answers on the draft
    title: str
    applies: Callable[[Draft], bool]
    # The form for this draft (formdata: stored answers, else the request's), or None when the step only shows.
    form: Callable[..., FlaskForm | None]
    slug: str = ""  # its URL, /demande/<slug>: its name unless said
    template: str = ""  # wizard/<name>.html unless said
    context: Callable[[Draft, FlaskForm | None], dict] = no_context
    # After a valid POST, with the files received: a response (another page) or None (on to the next step).
    save: Callable[["Step", Draft, FlaskForm], Response | None] = save_answers
    # Stores the files of a POST (even when another field is wrong: nothing entered is lost) and says whether
    # every file the answers need is held, adding the message to the file's field. Also run on complete drafts
    # with form None, as a check.
    files: Callable[[Draft, FlaskForm | None], bool] = all_received
    invalidates: tuple[str, ...] = ()
    recap: Callable[[Draft], list[Section]] = no_recap
    # A step without stored answers (the result page, the recap) is complete as soon as it is reached.
    has_answers: bool = True
    # What else its completeness needs besides valid answers and files (the applicant: a CAF/MSA lookup made for
    # the démarches asked, which a change of démarches forgets).
    holds: Callable[[Draft], bool] = always
    # The name of the step whose number it shares in « Étape 3 sur 6 » when both are on the path: a proof that
    # replaces the CAF/MSA facts is the same stage of the démarche, so the total does not change mid-journey.
    numbered_with: str = ""

    def __post_init__(self):
        object.__setattr__(self, "slug", self.slug or self.name)
        object.__setattr__(self, "template", self.template or f"wizard/{self.name}.html")

    def stored_form(self, draft: Draft) -> FlaskForm | None:
        return self.form(draft, formdata=MultiDict(answers(draft, self.name)), meta={"csrf": False})

    def is_complete(self, draft: Draft) -> bool:
        """Whether the stored answers (and files) would pass the step again: what the path guard and the recap
        check, so that a draft edited in another tab cannot slip through. Recorded (progress.py): see
        first_incomplete."""
        if not self.has_answers:
            return True
        form = self.stored_form(draft)
        if form is None:
            return True  # nothing to answer (the estimate shown from the CAF/MSA facts)
        if self.name not in (draft.answers or {}):
            return False
        return self.holds(draft) and self.files(draft, None) and form.validate()


def path(steps: tuple[Step, ...], draft: Draft) -> list[Step]:
    return [step for step in steps if step.applies(draft)]


def numbering(steps: list[Step]) -> dict[str, int]:
    """Each step's number in « Étape N sur M » (M: the largest), a step numbered with another on the path sharing its
    number."""
    names = {step.name for step in steps}
    numbers: dict[str, int] = {}
    for step in steps:
        shared = step.numbered_with if step.numbered_with in names else ""
        numbers[step.name] = numbers[shared] if shared else max(numbers.values(), default=0) + 1
    return numbers


def first_incomplete(
    steps: list[Step], draft: Draft, record: bool = False, trust: bool = True, through: Step | None = None
) -> Step | None:
    """The first step of the path that is not complete (looking no further than `through`), or None.

    A step recorded as complete for the draft as it stands is not checked again, unless `trust` is False
    (submission); the others are, and with `record` (a request that writes the draft anyway) those found complete
    are recorded. Steps without answers are complete as soon as they are reached."""
    known = progress.recorded(draft) if trust else {}
    found = {}
    blocking = None
    for step, digest in zip(steps, progress.digests(draft, steps), strict=True):
        if not step.has_answers or known.get(step.name) == digest:
            pass
        elif step.is_complete(draft):
            found[step.name] = digest
        else:
            blocking = step
            break
        if step is through:
            break
    if record and found and not draft.application_id:
        store.record_complete(draft, found)
    return blocking


def receive_file(draft: Draft, field, missing: str, kind: str, use: str | None = None) -> bool:
    """The file posted in `field`, stored as the draft's proof of `use` (None: the quotient familial proof; else
    a crèche kind), replacing the previous one — or the one already held. False, with the message at the field,
    when the file is refused or there is none."""
    upload = request.files.get(field.name)
    error = None
    if upload and upload.filename:
        error = documents.store_upload(draft, upload, kind=kind)
    elif documents.for_draft(draft, use) is None:
        error = missing
    if error:
        field.errors = [*field.errors, error]
    return error is None
