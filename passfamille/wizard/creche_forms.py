"""Forms of the crèche steps: the démarches, the child, the wishes, the situation, the estimate's fallbacks.

Choices that depend on the family (its children) or on the commune (structures, points grid) are given by the
view; every message is French and names the field."""

from datetime import date

from flask import current_app
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired

from ..creche.settings import CRECHE_MAX_AGE_MONTHS, age_in_months
from ..formatting import long_date, typed_date_example
from ..forms_base import CHOICE_MESSAGE, BaseForm, MaxLength, as_choices, number_in
from ..months import add_months
from ..parsing import ascii_int
from .applicant_form import name_check


def demarche_choices(title: str) -> list[tuple[str, str]]:
    """The démarches a family may ask for; the pass under the commune's own title (settings: pass_famille.title)."""
    return [
        ("pass_famille", f"Le {title}"),
        ("creche", "Une place en crèche (préinscription)"),
        ("both", "Les deux"),
    ]


class DemarcheForm(BaseForm):
    choice = RadioField(
        "Que souhaitez-vous demander ?",
        validators=[InputRequired("Choisissez ce que vous souhaitez demander")],
        invalid_choice_message=CHOICE_MESSAGE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice.choices = as_choices(demarche_choices(current_app.extensions["commune"].pass_famille.title))


BIRTH_SUBJECTS = ("Le jour de naissance", "Le mois de naissance", "L'année de naissance")
DUE_SUBJECTS = ("Le jour prévu", "Le mois prévu", "L'année prévue")
START_SUBJECTS = ("Le jour d'entrée souhaité", "Le mois d'entrée souhaité", "L'année d'entrée souhaitée")
RANGES = ("un nombre de 1 à 31", "un nombre de 1 à 12", "un nombre de 4 chiffres")


def date_fields(labels: tuple[str, str, str], subjects: tuple[str, str, str]):
    """Day, month and year fields, each with its length and a message naming it (subjects: "Le jour prévu", …);
    `date_examples` adds an example to the messages when the form is built for a given day."""
    return tuple(
        StringField(label, validators=[MaxLength(digits, f"{subject} doit être {what}")])
        for label, subject, what, digits in zip(labels, subjects, RANGES, (2, 2, 4), strict=True)
    )


def date_examples(fields, subjects: tuple[str, str, str], example: date) -> None:
    """Each field's length check, with a message naming it (subjects: "Le jour prévu", …) and the part of an
    example date that the whole form would accept (computed from today: a fixed year soon fails its own check)."""
    numbers = (example.day, example.month, example.year)
    for field, subject, what, number, digits in zip(fields, subjects, RANGES, numbers, (2, 2, 4), strict=True):
        field.validators = [MaxLength(digits, f"{subject} doit être {what}, par exemple : {number}")]


def parse_date(day, month, year, what: str, example: date) -> tuple[date | None, str | None]:
    """A date typed in three fields, or a French message naming `what` with an example; (None, None) when a field
    already says what is wrong with it (its length)."""
    if any(f.errors for f in (day, month, year)):
        return None, None
    hint = typed_date_example(example)
    parts = [f.data or "" for f in (day, month, year)]
    if not all(parts):
        return None, f"Saisissez {what} complète. {hint}"
    numbers = [ascii_int(part, digits) for part, digits in zip(parts, (2, 2, 4), strict=True)]
    if None in numbers:
        return None, f"Saisissez {what} en chiffres uniquement. {hint}"
    try:
        return date(numbers[2], numbers[1], numbers[0]), None
    except ValueError:
        return None, f"Cette date n'existe pas : vérifiez le jour, le mois et l'année de {what[3:]}"


class ChildForm(BaseForm):
    """Which child: one of the household's (choices given by the view), another child, or a child to be born."""

    # Checked against its options in validate(): the household's children are given by the view.
    child = RadioField("Pour quel enfant demandez-vous une place ?", validate_choice=False)
    other_first_name = StringField(
        "Prénom de l'enfant",
        validators=[
            MaxLength(60, "Le prénom de l'enfant doit faire 60 caractères au plus"),
            name_check("Le prénom de l'enfant"),
        ],
    )
    # Two dates on one page: each field's label says which date it belongs to.
    other_birth_day, other_birth_month, other_birth_year = date_fields(
        ("Jour de naissance", "Mois de naissance", "Année de naissance"), BIRTH_SUBJECTS
    )
    due_day, due_month, due_year = date_fields(("Jour prévu", "Mois prévu", "Année prévue"), DUE_SUBJECTS)
    expected_first_name = StringField(
        "Prénom prévu (facultatif)",
        validators=[MaxLength(60, "Le prénom prévu doit faire 60 caractères au plus"), name_check("Le prénom prévu")],
    )

    def __init__(
        self, *args, household_choices=(), earliest=None, pregnancy_month=4, today: date | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.child.choices = as_choices(
            [*household_choices, ("autre", "Un autre enfant"), ("a-naitre", "Un enfant à naître")]
        )
        self.earliest = earliest  # due date -> first day a pre-registration is accepted
        self.pregnancy_month = pregnancy_month
        self.today = today or date.today()
        self.latest_due = latest_due_date(self.today, pregnancy_month if earliest is not None else 1)
        # Examples the form accepts today: a child born a year ago, a birth expected halfway to the latest due date.
        self.birth_example = add_months(self.today, -12)
        self.due_example = self.today + (self.latest_due - self.today) / 2
        date_examples(
            (self.other_birth_day, self.other_birth_month, self.other_birth_year),
            BIRTH_SUBJECTS,
            self.birth_example,
        )
        date_examples(
            (self.due_day, self.due_month, self.due_year),
            DUE_SUBJECTS,
            self.due_example,
        )

    def validate(self, extra_validators=None):
        super().validate(extra_validators)
        values = [c.value for c in self.child.choices]
        other = [self.other_first_name, self.other_birth_day, self.other_birth_month, self.other_birth_year]
        expected = [self.due_day, self.due_month, self.due_year, self.expected_first_name]
        if self.child.data not in values:
            self.child.errors.append("Choisissez l'enfant pour lequel vous demandez une place")
            return False
        if self.child.data == "autre":
            self._validate_other()
            return self.finish(*expected)
        if self.child.data == "a-naitre":
            self._validate_expected()
            return self.finish(*other)
        return self.finish(*other, *expected)

    def _validate_other(self) -> bool:
        ok = True
        if not self.other_first_name.data and not self.other_first_name.errors:
            self.other_first_name.errors.append("Saisissez le prénom de l'enfant")
            ok = False
        born, error = parse_date(
            self.other_birth_day,
            self.other_birth_month,
            self.other_birth_year,
            "la date de naissance de l'enfant",
            self.birth_example,
        )
        if born is None:
            if error:
                self.other_birth_day.errors.append(error)
            return False
        if born > self.today:
            self.other_birth_year.errors.append(
                "La date de naissance doit être passée. Pour un enfant à venir, choisissez « Un enfant à naître »"
            )
            return False
        if age_in_months(born, self.today) >= CRECHE_MAX_AGE_MONTHS:
            self.other_birth_year.errors.append(
                "Les crèches accueillent les enfants de moins de 6 ans : vérifiez l'année de naissance"
            )
            return False
        return ok

    def _validate_expected(self) -> bool:
        due, error = parse_date(
            self.due_day, self.due_month, self.due_year, "la date prévue d'accouchement", self.due_example
        )
        if due is None:
            if error:
                self.due_day.errors.append(error)
            return False
        if due < self.today:
            self.due_year.errors.append(
                "La date prévue d'accouchement est passée. Si l'enfant est né, choisissez « Un autre enfant »"
            )
            return False
        if due > add_months(self.today, 9):
            self.due_year.errors.append(
                "La date prévue d'accouchement doit être dans les 9 prochains mois : vérifiez l'année"
            )
            return False
        if self.earliest is not None:
            earliest = self.earliest(due)
            if self.today < earliest:
                self.due_year.errors.append(
                    f"La préinscription d'un enfant à naître est possible à partir du {self.pregnancy_month}e mois "
                    f"de grossesse, soit à partir du {long_date(earliest)}."
                )
                return False
        return True


def latest_due_date(today: date, pregnancy_month: int) -> date:
    """The latest due date a pre-registration is accepted for today: from the k-th month of pregnancy, the birth
    is expected within (10 - k) months (never more than 9)."""
    return add_months(today, min(9, 10 - pregnancy_month))


ORDINALS = [
    "Premier",
    "Deuxième",
    "Troisième",
    "Quatrième",
    "Cinquième",
    "Sixième",
    "Septième",
    "Huitième",
    "Neuvième",
    "Dixième",
]


def wish_label(index: int) -> str:
    ordinal = ORDINALS[index] if index < len(ORDINALS) else f"{index + 1}e"
    return f"{ordinal} choix" + ("" if index == 0 else " (facultatif)")


DAYS_MESSAGE = "Le nombre de jours par semaine doit être un nombre entier de 1 à 5"
HOURS_MESSAGE = "Le nombre d'heures par semaine doit être un nombre entier de 1 à 60, par exemple : 36"


class WishesForm(BaseForm):
    """Ordered wishes (one select per structure), desired start date, days and hours per week.

    The age checks need the child and the structures: the view passes `age_problem(structure_code, start)`."""

    start_day, start_month, start_year = date_fields(("Jour", "Mois", "Année"), START_SUBJECTS)
    days_per_week = StringField(
        "Nombre de jours d'accueil par semaine",
        description="Un nombre entier de 1 à 5, par exemple : 4",
        validators=[MaxLength(2, DAYS_MESSAGE)],
    )
    hours_per_week = StringField(
        "Nombre d'heures d'accueil par semaine",
        description="Un nombre entier d'heures, au plus 11 heures par jour, par exemple : 36",
        validators=[MaxLength(3, HOURS_MESSAGE)],
    )

    def __init__(self, *args, structures=(), age_problem=None, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or date.today()
        # An example start the form accepts: the first day of the month after next.
        self.start_example = add_months(self.today, 2).replace(day=1)
        date_examples(
            (self.start_day, self.start_month, self.start_year),
            START_SUBJECTS,
            self.start_example,
        )
        self.age_problem = age_problem
        self.wish_fields = [self[f"wish_{index + 1}"] for index in range(len(structures))]
        for index, field in enumerate(self.wish_fields):
            # The first choice is required: its empty option asks for a choice rather than offering "none".
            empty = "Choisissez une structure" if index == 0 else "Aucun"
            field.choices = as_choices([("", empty), *((s.code, s.name) for s in structures)])
        self.start_date = None
        self.wishes: list[str] = []

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        valid &= self._validate_wishes()
        valid &= self._validate_start()
        valid &= self._validate_time()
        if valid and self.age_problem is not None:
            for field in self.wish_fields:
                if field.data:
                    problem = self.age_problem(field.data, self.start_date)
                    if problem:
                        field.errors.append(problem)
                        valid = False
        return valid

    def _validate_wishes(self) -> bool:
        known = {c.value for c in self.wish_fields[0].choices} if self.wish_fields else set()
        values = [f.data or "" for f in self.wish_fields]
        ok = True
        if self.wish_fields and not values[0]:
            self.wish_fields[0].errors.append("Choisissez la structure de votre premier choix")
            ok = False
        seen: set[str] = set()
        for index, (field, value) in enumerate(zip(self.wish_fields, values, strict=True)):
            if value and value not in known:
                field.errors.append("Choisissez une structure de la liste")
                ok = False
            elif value and index > 0 and not values[index - 1]:
                field.errors.append(
                    f"Choisissez d'abord votre {ORDINALS[index - 1].lower()} choix, ou laissez celui-ci sur « Aucun »"
                )
                ok = False
            elif value and value in seen:
                field.errors.append("Vous avez déjà choisi cette structure : choisissez-en une autre, ou « Aucun »")
                ok = False
            seen.add(value)
        self.wishes = [v for v in values if v]
        return ok

    def _validate_start(self) -> bool:
        start, error = parse_date(
            self.start_day, self.start_month, self.start_year, "la date d'entrée souhaitée", self.start_example
        )
        if start is None:
            if error:
                self.start_day.errors.append(error)
            return False
        if start < self.today:
            self.start_year.errors.append("La date d'entrée souhaitée ne peut pas être passée")
            return False
        if start > add_months(self.today, 36):
            self.start_year.errors.append("La date d'entrée souhaitée doit être dans les 3 prochaines années")
            return False
        self.start_date = start
        return True

    def _validate_time(self) -> bool:
        days = number_in(self.days_per_week, 2, 1, 5)
        hours = number_in(self.hours_per_week, 3, 1, 60)
        # A length already refused has said the same: one message per field.
        if days is None and not self.days_per_week.errors:
            self.days_per_week.errors.append(DAYS_MESSAGE)
        if hours is None and not self.hours_per_week.errors:
            self.hours_per_week.errors.append(HOURS_MESSAGE)
        if days is None or hours is None:
            return False
        if hours > 11 * days:
            self.hours_per_week.errors.append(
                f"{hours} heures en {days} jour{'s' if days > 1 else ''}, c'est plus de 11 heures par jour : "
                "augmentez le nombre de jours ou réduisez les heures"
            )
            return False
        return True


def wishes_form(structures, *args, **kwargs) -> WishesForm:
    """A WishesForm with one select per structure: "Premier choix", "Deuxième choix (facultatif)"…"""
    fields = {
        f"wish_{index + 1}": SelectField(wish_label(index), validate_choice=False) for index in range(len(structures))
    }
    form_class = type("CrecheWishesForm", (WishesForm,), fields)
    return form_class(*args, structures=structures, **kwargs)


def criterion_field(code: str) -> str:
    return "critere_" + code.replace("-", "_")


def document_field(code: str) -> str:
    return "piece_" + code.replace("-", "_")


class SituationForm(BaseForm):
    """One checkbox per criterion of the points grid, and a file field for those that need a proof."""

    def __init__(self, *args, grid=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid

    def declared(self) -> list[str]:
        return [c.code for c in self.grid if self[criterion_field(c.code)].data]


def situation_form(grid, *args, **kwargs) -> SituationForm:
    fields = {}
    for criterion in grid:
        fields[criterion_field(criterion.code)] = BooleanField(f"{criterion.label} ({criterion.points} points)")
        if criterion.requires_document:
            fields[document_field(criterion.code)] = FileField(criterion.document_label or "Justificatif")
    form_class = type("CrecheSituationForm", (SituationForm,), fields)
    return form_class(*args, grid=grid, **kwargs)


RESOURCES_CHOICES = {
    "documents": "Fournir un justificatif de ressources",
    "later": "Enregistrer ma demande : la mairie interrogera la CAF ou la MSA plus tard",
    "none": "Continuer sans estimation",
}


class EstimateFallbackForm(BaseForm):
    """When the CAF/MSA facts cannot be used: a proof of resources, a later re-check, or no estimate."""

    psu_choice = RadioField(
        "Comment souhaitez-vous continuer ?", validate_choice=True, invalid_choice_message=CHOICE_MESSAGE
    )
    file = FileField(
        "Votre justificatif de ressources",
        description="Par exemple votre dernier avis d'imposition. Format PDF, JPEG ou PNG, 10 Mo au plus.",
    )

    def __init__(self, *args, later_allowed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        keys = ["documents", "later", "none"] if later_allowed else ["documents", "none"]
        self.psu_choice.choices = as_choices([(key, RESOURCES_CHOICES[key]) for key in keys])
        self.psu_choice.validators = [InputRequired("Choisissez comment continuer")]
