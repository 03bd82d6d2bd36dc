"""One form per wizard step. Every message is French and names the field; values are never cleared."""

import re
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import get_translations as wtforms_translations
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from .. import places

# API Particulier's own character class for names (REFERENCE §3.1); accents, hyphens, apostrophes, spaces.
NAME_PATTERN = re.compile(r"^[a-zA-ZÀ-ÖØ-öø-ÿ' -]+$")


def as_choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value):
    if not isinstance(value, str):
        return value
    # Phones type the typographic apostrophe; the API only knows the straight one.
    value = value.replace("\u2019", "'").replace("\u02bc", "'")
    return re.sub(r"\s+", " ", value).strip()


class StepForm(FlaskForm):
    """Base form: strips whitespace from every text field."""

    class Meta:
        def get_translations(self, form):
            # WTForms' own messages (a tampered choice, a length) in French too; Flask-WTF would need Flask-Babel.
            return wtforms_translations(["fr"])

        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters:
                filters = [_strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)


def name_check(label_for_message: str):
    def check(form, field):
        if field.data and not NAME_PATTERN.match(field.data):
            raise ValidationError(
                f"{label_for_message} ne peut contenir que des lettres, des espaces, des tirets et des apostrophes"
            )

    return check


class InformationForm(StepForm):
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
    )


DATE_HINT = "Par exemple : 27 12 1982"


class ApplicantForm(StepForm):
    """The applicant. Birth data is asked only when the family chose the CAF/MSA route."""

    birth_name = StringField(
        "Nom de naissance",
        description="Le nom inscrit sur votre acte de naissance",
        validators=[
            InputRequired("Saisissez votre nom de naissance"),
            Length(max=100, message="Le nom de naissance doit faire 100 caractères au plus"),
            name_check("Le nom de naissance"),
        ],
    )
    usage_name = StringField(
        "Nom d'usage (facultatif)",
        description="Par exemple le nom de votre époux ou épouse, s'il est différent du nom de naissance",
        validators=[
            Optional(),
            Length(max=100, message="Le nom d'usage doit faire 100 caractères au plus"),
            name_check("Le nom d'usage"),
        ],
    )
    first_name_1 = StringField("Premier prénom", validators=[Length(max=60), name_check("Le premier prénom")])
    first_name_2 = StringField(
        "Deuxième prénom (facultatif)", validators=[Length(max=60), name_check("Le deuxième prénom")]
    )
    first_name_3 = StringField(
        "Troisième prénom (facultatif)", validators=[Length(max=60), name_check("Le troisième prénom")]
    )
    no_first_name = BooleanField("Je n'ai pas de prénom à l'état civil")
    sex = RadioField(
        "Sexe inscrit à l'état civil", choices=as_choices([("F", "Féminin"), ("M", "Masculin")]), validate_choice=False
    )
    birth_day = StringField("Jour")
    birth_month = StringField("Mois")
    birth_year = StringField("Année")
    birth_date_incomplete = BooleanField("Je ne connais pas le jour ou le mois de ma naissance")
    born_in = RadioField(
        "Lieu de naissance",
        choices=as_choices([("france", "En France (métropole ou outre-mer)"), ("abroad", "À l'étranger")]),
        validate_choice=False,
    )
    birth_department = SelectField("Département de naissance", validate_choice=False)
    birth_commune = StringField("Commune de naissance", description="Par exemple : Châlons-en-Champagne")
    birth_commune_code = RadioField("Précisez votre commune de naissance", validate_choice=False)
    birth_commune_unlisted = BooleanField(
        "Ma commune de naissance n'est pas reconnue (ancienne commune, nom changé) : transmettre le nom tel quel"
    )
    birth_country = SelectField("Pays de naissance", validate_choice=False)
    email = StringField(
        "Adresse électronique",
        description="Pour recevoir l'accusé de réception et la réponse de la mairie. Par exemple : nom@exemple.fr",
        validators=[
            InputRequired("Saisissez votre adresse électronique"),
            Length(max=254),
            Email(
                "Saisissez une adresse électronique valide, par exemple : nom@exemple.fr", check_deliverability=False
            ),
        ],
    )

    def __init__(self, *args, needs_birth_data: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_birth_data = needs_birth_data
        self.birth_department.choices = as_choices(
            [("", "Choisissez")] + [(d.code, f"{d.code} – {d.name}") for d in places.departments()]
        )
        self.birth_country.choices = as_choices(
            [("", "Choisissez un pays")] + [(c.code, c.name) for c in places.countries()]
        )
        self.birth_commune_code.choices = []
        self.resolved_commune = None

    # --- cross-field checks -------------------------------------------------------------------------
    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not self.no_first_name.data and not self.first_name_1.data:
            self.first_name_1.errors.append("Saisissez votre premier prénom, ou cochez « Je n'ai pas de prénom »")
            valid = False
        if self.first_name_3.data and not self.first_name_2.data:
            self.first_name_2.errors.append("Saisissez le deuxième prénom avant le troisième")
            valid = False
        if not self.needs_birth_data:
            return valid
        if self.sex.data not in ("F", "M"):
            self.sex.errors.append("Indiquez le sexe inscrit à l'état civil")
            valid = False
        valid &= self._validate_birth_date()
        valid &= self._validate_birth_place()
        return valid

    def birth_date_parts(self) -> tuple[int | None, int | None, int | None]:
        def as_int(field):
            return int(field.data) if field.data and field.data.isdigit() else None

        return as_int(self.birth_year), as_int(self.birth_month), as_int(self.birth_day)

    def _validate_birth_date(self) -> bool:
        fields = (self.birth_day, self.birth_month, self.birth_year)
        for field in fields:
            if field.data and not field.data.isdigit():
                field.errors.append(f"{field.label.text} : saisissez des chiffres uniquement, {DATE_HINT.lower()}")
                return False
        year, month, day = self.birth_date_parts()
        if not self.birth_date_incomplete.data:
            missing = [f for f in fields if not f.data]
            if missing:
                missing[0].errors.append(
                    "Saisissez votre date de naissance complète, ou cochez « Je ne connais pas le jour ou le mois »"
                )
                return False
        if day and not month:
            self.birth_month.errors.append("Saisissez le mois de naissance si vous connaissez le jour")
            return False
        if month and not year:
            self.birth_year.errors.append("Saisissez l'année de naissance si vous connaissez le mois")
            return False
        if year and not 1900 <= year <= date.today().year:
            self.birth_year.errors.append(f"L'année de naissance doit être comprise entre 1900 et {date.today().year}")
            return False
        if month and not 1 <= month <= 12:
            self.birth_month.errors.append("Le mois de naissance doit être compris entre 1 et 12")
            return False
        if day:
            try:
                born = date(year, month, day)
            except ValueError:
                self.birth_day.errors.append("Cette date n'existe pas : vérifiez le jour et le mois")
                return False
            if born >= date.today():
                self.birth_year.errors.append("La date de naissance doit être dans le passé")
                return False
        return True

    def _validate_birth_place(self) -> bool:
        if self.born_in.data == "abroad":
            if not places.country(self.birth_country.data or ""):
                self.birth_country.errors.append("Choisissez votre pays de naissance dans la liste")
                return False
            return True
        if self.born_in.data != "france":
            self.born_in.errors.append("Indiquez si vous êtes né ou née en France ou à l'étranger")
            return False
        department = places.department(self.birth_department.data or "")
        if department is None:
            self.birth_department.errors.append("Choisissez votre département de naissance")
            return False
        if not self.birth_commune.data:
            self.birth_commune.errors.append("Saisissez le nom de votre commune de naissance")
            return False
        if self.birth_commune_unlisted.data:
            # The API resolves a name + département itself, but then needs the year (option 2, REFERENCE §3.1).
            if not self.birth_year.data:
                self.birth_year.errors.append(
                    "Saisissez votre année de naissance : elle est nécessaire pour retrouver une ancienne commune"
                )
                return False
            return True
        found = places.find_communes(self.birth_commune.data, department.code)
        if len(found) == 1:
            self.resolved_commune = found[0]
            return True
        if len(found) > 1:
            self.birth_commune_code.choices = as_choices([(c.code, f"{c.name} ({c.code})") for c in found])
            chosen = next((c for c in found if c.code == self.birth_commune_code.data), None)
            if chosen is None:
                self.birth_commune_code.errors.append("Plusieurs communes portent ce nom : choisissez la vôtre")
                return False
            self.resolved_commune = chosen
            return True
        suggestions = places.suggest_communes(self.birth_commune.data, department.code)
        message = (
            f"Nous ne trouvons pas de commune « {self.birth_commune.data} » dans le département {department.name}."
        )
        if suggestions:
            message += " Vouliez-vous dire : " + ", ".join(c.name for c in suggestions) + " ?"
        else:
            message += " Vérifiez l'orthographe et le département."
        self.birth_commune.errors.append(message)
        return False


class VerificationForm(StepForm):
    """ "Ces informations sont-elles correctes ?" or, when the call failed, the ways to go on."""

    choice = RadioField(validate_choice=True)

    def __init__(self, *args, legend: str, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.choice.label.text = legend
        self.choice.choices = as_choices(choices)
        self.choice.validators = [InputRequired("Choisissez une réponse pour continuer")]


DOCUMENT_KINDS = [
    ("attestation_qf", "Attestation de quotient familial de la CAF ou de la MSA"),
    ("avis_imposition", "Dernier avis d'imposition"),
]


class DocumentForm(StepForm):
    kind = RadioField(
        "Quel justificatif fournissez-vous ?",
        choices=as_choices(DOCUMENT_KINDS),
        validators=[InputRequired("Choisissez le type de justificatif")],
    )
    file = FileField(
        "Votre justificatif",
        description="Format PDF, JPEG ou PNG, 10 Mo au plus. Une photo lisible du document suffit.",
    )
    declared_qf = StringField(
        "Quotient familial indiqué sur le document, en euros",
        description="Un nombre entier, par exemple : 850. La mairie le vérifiera sur le document.",
        validators=[InputRequired("Saisissez le quotient familial indiqué sur le document, par exemple : 850")],
    )

    def validate_declared_qf(self, field):
        value = field.data.replace(" ", "").replace("\u202f", "").replace("€", "")
        if not value.isdigit() or int(value) > 100_000:
            raise ValidationError("Le quotient familial doit être un nombre entier d'euros, par exemple : 850")
        field.data = str(int(value))


CHILD_REASONS = [
    ("naissance", "Naissance récente"),
    ("arrivee", "Arrivée récente au foyer (adoption, changement de garde…)"),
    ("garde_alternee", "Résidence alternée sans partage des allocations"),
    ("autre", "Autre raison"),
]


class HouseholdForm(StepForm):
    """Children the pass covers and, when no certified address exists, the home address."""

    child_first_name = StringField("Prénom de l'enfant", validators=[Length(max=60), name_check("Le prénom")])
    child_birth_day = StringField("Jour")
    child_birth_month = StringField("Mois")
    child_birth_year = StringField("Année")
    child_reason = SelectField(
        "Pourquoi cet enfant n'apparaît-il pas ?",
        choices=as_choices([("", "Choisissez une raison"), *CHILD_REASONS]),
        validate_choice=False,
    )
    street = StringField(
        "Numéro et voie", description="Par exemple : 12 rue de la Mairie", validators=[Length(max=150)]
    )
    address_complement = StringField("Complément d'adresse (facultatif)", validators=[Length(max=150)])
    postal_code = StringField("Code postal", description="5 chiffres, par exemple : 13006")
    city = StringField("Commune", validators=[Length(max=100)])

    def __init__(self, *args, needs_address: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_address = needs_address
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
        valid = super().validate(extra_validators)
        if self.child_started():
            valid &= self._validate_child()
        if self.needs_address:
            if not self.street.data:
                self.street.errors.append("Saisissez le numéro et la voie de votre adresse")
                valid = False
            if not re.fullmatch(r"\d{5}", self.postal_code.data or ""):
                self.postal_code.errors.append("Le code postal doit comporter 5 chiffres, par exemple : 13006")
                valid = False
            if not self.city.data:
                self.city.errors.append("Saisissez votre commune")
                valid = False
        return valid

    def _validate_child(self) -> bool:
        ok = True
        if not self.child_first_name.data:
            self.child_first_name.errors.append("Saisissez le prénom de l'enfant")
            ok = False
        parts = (self.child_birth_day, self.child_birth_month, self.child_birth_year)
        born = None
        if not all(p.data and p.data.isdigit() for p in parts):
            self.child_birth_day.errors.append(f"Saisissez la date de naissance de l'enfant en chiffres. {DATE_HINT}")
            ok = False
        else:
            try:
                born = date(
                    int(self.child_birth_year.data), int(self.child_birth_month.data), int(self.child_birth_day.data)
                )
            except ValueError:
                self.child_birth_day.errors.append("Cette date n'existe pas : vérifiez le jour et le mois")
                ok = False
            else:
                if born > date.today() or born.year < 1990:
                    self.child_birth_year.errors.append("La date de naissance de l'enfant doit être passée")
                    ok = False
        if self.child_reason.data not in dict(CHILD_REASONS):
            self.child_reason.errors.append("Choisissez pourquoi cet enfant n'apparaît pas")
            ok = False
        if ok:
            self.new_child = {
                "first_names": self.child_first_name.data,
                "birth_date": born.isoformat(),
                "reason": self.child_reason.data,
            }
        return ok


class ConfirmForm(StepForm):
    """A form with nothing but its CSRF token (recap submission, start button, removal of a child)."""
