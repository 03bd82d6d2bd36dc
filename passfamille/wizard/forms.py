"""The wizard's forms, one per step (the applicant's in applicant_form.py, the crèche's in creche_forms.py).
Every message is French and names the field; values are never cleared."""

import re
from datetime import date

from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import InputRequired, ValidationError

from ..avis_figures import check_figures, parts_field, rfr_field
from ..documents import AVIS_KIND, DOCUMENT_KINDS, QF_PROOF_KINDS
from ..forms_base import CHOICE_MESSAGE, BaseForm, MaxLength, as_choices
from ..parsing import ascii_int, whole_amount
from .applicant_form import DATE_HINT, first_name_field


class InformationForm(BaseForm):
    mode = RadioField(
        "Comment souhaitez-vous justifier votre quotient familial ?",
        choices=as_choices(
            [
                ("api", "Récupérer mes informations auprès de la CAF ou de la MSA"),
                (
                    "documents",
                    "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)",
                ),
            ]
        ),
        validators=[InputRequired("Choisissez comment justifier votre quotient familial")],
        invalid_choice_message=CHOICE_MESSAGE,
    )


class VerificationForm(BaseForm):
    """ "Ces informations sont-elles correctes ?" or, when the call failed, the ways to go on."""

    choice = RadioField(validate_choice=True, invalid_choice_message=CHOICE_MESSAGE)

    def __init__(self, *args, legend: str, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.choice.label.text = legend
        self.choice.choices = as_choices(choices)
        self.choice.validators = [InputRequired("Choisissez une réponse pour continuer")]


MAX_QF = 100_000
QF_MESSAGE = "Le quotient familial doit être un nombre entier d'euros, par exemple : 850"


class DocumentForm(BaseForm):
    kind = RadioField(
        "Quel justificatif fournissez-vous ?",
        choices=as_choices(DOCUMENT_KINDS),
        validators=[InputRequired("Choisissez le type de justificatif")],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    file = FileField(
        "Votre justificatif",
        description="Format PDF, JPEG ou PNG, 10 Mo au plus. Une photo lisible du document suffit.",
    )
    declared_qf = StringField(
        "Quotient familial indiqué sur le document, en euros",
        description=(
            "Seulement pour une attestation de la CAF ou de la MSA. Un nombre entier, par exemple : 850. "
            "La mairie le vérifiera sur le document."
        ),
        validators=[MaxLength(20, QF_MESSAGE)],
    )

    # Asked with an avis d'imposition only when the commune's rules compute a municipal quotient from it.
    rfr = rfr_field()
    parts = parts_field()

    def __init__(self, *args, asks_avis_figures: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.asks_avis_figures = asks_avis_figures

    def asks_qf(self) -> bool:
        return self.kind.data in QF_PROOF_KINDS

    def asks_figures(self) -> bool:
        return self.asks_avis_figures and self.kind.data == AVIS_KIND

    def validate_declared_qf(self, field):
        if not field.data:
            return  # required only with an attestation: see validate()
        value = whole_amount(field.data, len(str(MAX_QF)))
        if value is None or value > MAX_QF:
            raise ValidationError(QF_MESSAGE)
        field.data = str(value)

    def validate(self, extra_validators=None):
        super().validate(extra_validators)
        if self.asks_qf() and not self.declared_qf.data and not self.declared_qf.errors:
            self.declared_qf.errors.append(
                "Saisissez le quotient familial indiqué sur l'attestation, par exemple : 850"
            )
        if self.asks_figures():
            check_figures(self.rfr, self.parts)
        # With another proof a figure is neither checked nor kept: the agent reads the document.
        not_asked = [] if self.asks_qf() else [self.declared_qf]
        if not self.asks_figures():
            not_asked += [self.rfr, self.parts]
        return self.finish(*not_asked)


CHILD_REASONS = [
    ("naissance", "Naissance récente"),
    ("arrivee", "Arrivée récente au foyer (adoption, changement de garde…)"),
    ("garde_alternee", "Résidence alternée sans partage des allocations"),
    ("autre", "Autre raison"),
]
CHILD_DAY_MESSAGE = "Le jour de naissance de l'enfant doit être un nombre de 1 à 31, par exemple : 14"
CHILD_MONTH_MESSAGE = "Le mois de naissance de l'enfant doit être un nombre de 1 à 12, par exemple : 7"
CHILD_YEAR_MESSAGE = "L'année de naissance de l'enfant doit être un nombre de 4 chiffres, par exemple : 2019"
POSTAL_CODE_MESSAGE = "Le code postal doit comporter 5 chiffres, par exemple : 13006"


class HouseholdForm(BaseForm):
    """Children the pass covers and, when no certified address exists, the home address."""

    child_first_name = first_name_field("Prénom de l'enfant", "Le prénom")
    child_birth_day = StringField("Jour", validators=[MaxLength(2, CHILD_DAY_MESSAGE)])
    child_birth_month = StringField("Mois", validators=[MaxLength(2, CHILD_MONTH_MESSAGE)])
    child_birth_year = StringField("Année", validators=[MaxLength(4, CHILD_YEAR_MESSAGE)])
    child_reason = SelectField(  # checked against CHILD_REASONS in _validate_child
        "Pourquoi cet enfant n'apparaît-il pas ?",
        choices=as_choices([("", "Choisissez une raison"), *CHILD_REASONS]),
        validate_choice=False,
    )
    street = StringField(
        "Numéro et voie",
        description="Par exemple : 12 rue de la Mairie",
        validators=[MaxLength(150, "Le numéro et la voie doivent faire 150 caractères au plus")],
    )
    address_complement = StringField(
        "Complément d'adresse (facultatif)",
        validators=[MaxLength(150, "Le complément d'adresse doit faire 150 caractères au plus")],
    )
    postal_code = StringField(
        "Code postal", description="5 chiffres, par exemple : 13006", validators=[MaxLength(5, POSTAL_CODE_MESSAGE)]
    )
    city = StringField("Commune", validators=[MaxLength(100, "Le nom de la commune doit faire 100 caractères au plus")])

    def __init__(self, *args, needs_address: bool = False, adding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_address = needs_address
        # « Enregistrer et ajouter un autre enfant »: the child is checked alone; the address, maybe not reached yet,
        # is not asked.
        self.adding = adding and self.child_started()
        self.new_child = None

    def child_started(self) -> bool:
        return any(
            f.data
            for f in (
                self.child_first_name,
                self.child_birth_day,
                self.child_birth_month,
                self.child_birth_year,
                self.child_reason,
            )
        )

    def validate(self, extra_validators=None):
        super().validate(extra_validators)
        if self.child_started():
            self._validate_child()
        if self.needs_address and not self.adding:
            if not self.street.data and not self.street.errors:
                self.street.errors.append("Saisissez le numéro et la voie de votre adresse")
            if not self.postal_code.errors and not re.fullmatch(r"[0-9]{5}", self.postal_code.data or ""):
                self.postal_code.errors.append(POSTAL_CODE_MESSAGE)
            if not self.city.data and not self.city.errors:
                self.city.errors.append("Saisissez votre commune")
        # The typed address is not asked when the CAF/MSA gave one: it is not kept either.
        address = [self.street, self.address_complement, self.postal_code, self.city]
        valid = self.finish(*([] if self.needs_address else address))
        if not valid:
            self.new_child = None
        return valid

    def _validate_child(self) -> None:
        if not self.child_first_name.data and not self.child_first_name.errors:
            self.child_first_name.errors.append("Saisissez le prénom de l'enfant")
        parts = (self.child_birth_day, self.child_birth_month, self.child_birth_year)
        born = None
        if any(p.errors for p in parts):
            pass  # a length already refused: its message says what to type
        elif not all(p.data for p in parts):
            self.child_birth_day.errors.append(f"Saisissez la date de naissance de l'enfant en chiffres. {DATE_HINT}")
        else:
            for part, max_digits, message in zip(
                parts, (2, 2, 4), (CHILD_DAY_MESSAGE, CHILD_MONTH_MESSAGE, CHILD_YEAR_MESSAGE), strict=True
            ):
                if ascii_int(part.data, max_digits) is None:
                    part.errors.append(message)
            if not any(p.errors for p in parts):
                born = self._child_birth_date()
        if self.child_reason.data not in dict(CHILD_REASONS):
            self.child_reason.errors.append("Choisissez pourquoi cet enfant n'apparaît pas")
        child = (self.child_first_name, *parts, self.child_reason)
        if born is not None and not any(f.errors for f in child):
            self.new_child = {
                "first_names": self.child_first_name.data,
                "birth_date": born.isoformat(),
                "reason": self.child_reason.data,
            }

    def _child_birth_date(self) -> date | None:
        try:
            born = date(
                int(self.child_birth_year.data), int(self.child_birth_month.data), int(self.child_birth_day.data)
            )
        except ValueError:
            self.child_birth_day.errors.append("Cette date n'existe pas : vérifiez le jour et le mois")
            return None
        if born > date.today() or born.year < 1990:
            self.child_birth_year.errors.append("La date de naissance de l'enfant doit être passée")
            return None
        return born


class ConfirmForm(BaseForm):
    """A form with nothing but its CSRF token (recap submission, start button, removal of a child)."""


SPI_MESSAGE = "Vérifiez votre numéro fiscal : 13 chiffres, sur la première page de votre avis"


class NumeroFiscalForm(BaseForm):
    """The numéro fiscal, used for one call to the DGFiP and never stored: the step keeps {"asked": "y"}, and a
    form built from those stored answers (no `spi` at all, unlike any browser's POST) is valid without it."""

    asked = StringField(default="y", validators=[MaxLength(1, "Réponse inattendue : recommencez cette étape")])
    spi = StringField(
        "Numéro fiscal",
        description=(
            "13 chiffres, par exemple : 30 12 345 678 901. Il est écrit en haut à gauche de la première page de votre "
            "avis d'imposition, dans le cadre « Vos références »."
        ),
        validators=[MaxLength(40, SPI_MESSAGE)],
    )

    def validate_spi(self, field):
        if not field.raw_data:
            return  # the stored answers: the numéro fiscal is never kept (see steps/fiscal.py)
        compact = re.sub(r"\s+", "", field.data or "")
        if not compact:
            raise ValidationError("Saisissez votre numéro fiscal")
        if not re.fullmatch(r"[0-9]{13}", compact):
            raise ValidationError(SPI_MESSAGE)
