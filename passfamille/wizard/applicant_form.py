"""The applicant's form (« Vous »): names, sex, birth date and place as API Particulier matches them, e-mail.
Every message is French and names the field; values are never cleared."""

import re
from datetime import date
from functools import cache

from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from .. import places
from ..formatting import typed_date_example
from ..forms_base import BaseForm, MaxLength, as_choices, email_validators, number_in
from ..parsing import ascii_int

# API Particulier's own character class for names (REFERENCE §3.1); accents, hyphens, apostrophes, spaces.
NAME_PATTERN = re.compile(r"^[a-zA-ZÀ-ÖØ-öø-ÿ' -]+$")


def name_check(label_for_message: str):
    def check(form, field):
        if field.data and not NAME_PATTERN.match(field.data):
            raise ValidationError(
                f"{label_for_message} ne peut contenir que des lettres, des espaces, des tirets et des apostrophes"
            )

    return check


DATE_HINT = typed_date_example(date(1982, 12, 27))
BIRTH_DAY_MESSAGE = "Le jour de naissance doit être un nombre de 1 à 31, par exemple : 27"
BIRTH_MONTH_MESSAGE = "Le mois de naissance doit être un nombre de 1 à 12, par exemple : 12"
BIRTH_YEAR_MESSAGE = "L'année de naissance doit être un nombre de 4 chiffres, par exemple : 1982"


def first_name_field(label: str, subject: str) -> StringField:
    return StringField(
        label,
        validators=[MaxLength(60, f"{subject} doit faire 60 caractères au plus"), name_check(subject)],
    )


# The form's two long lists, built once per process and shared by every form: a tuple, which no form can extend
# for another (WTForms reads the options, never changes them). They were built again for each form.
@cache
def department_choices() -> tuple:
    return tuple(as_choices([("", "Choisissez")] + [(d.code, f"{d.code} – {d.name}") for d in places.departments()]))


@cache
def country_choices() -> tuple:
    return tuple(as_choices([("", "Choisissez un pays")] + [(c.code, c.name) for c in places.countries()]))


class ApplicantForm(BaseForm):
    """The applicant. Birth data is asked only when the family chose the CAF/MSA route."""

    birth_name = StringField(
        "Nom de naissance",
        description="Le nom inscrit sur votre acte de naissance",
        validators=[
            InputRequired("Saisissez votre nom de naissance"),
            MaxLength(100, "Le nom de naissance doit faire 100 caractères au plus"),
            name_check("Le nom de naissance"),
        ],
    )
    usage_name = StringField(
        "Nom d'usage (facultatif)",
        description="Par exemple le nom de votre époux ou épouse, s'il est différent du nom de naissance",
        validators=[
            Optional(),
            MaxLength(100, "Le nom d'usage doit faire 100 caractères au plus"),
            name_check("Le nom d'usage"),
        ],
    )
    first_name_1 = first_name_field("Premier prénom", "Le premier prénom")
    first_name_2 = first_name_field("Deuxième prénom (facultatif)", "Le deuxième prénom")
    first_name_3 = first_name_field("Troisième prénom (facultatif)", "Le troisième prénom")
    no_first_name = BooleanField("Je n'ai pas de prénom à l'état civil")
    # The radios and selects below are checked against their options in validate(), with a message of their own.
    sex = RadioField(
        "Sexe inscrit à l'état civil", choices=as_choices([("F", "Féminin"), ("M", "Masculin")]), validate_choice=False
    )
    birth_day = StringField("Jour", validators=[MaxLength(2, BIRTH_DAY_MESSAGE)])
    birth_month = StringField("Mois", validators=[MaxLength(2, BIRTH_MONTH_MESSAGE)])
    birth_year = StringField("Année", validators=[MaxLength(4, BIRTH_YEAR_MESSAGE)])
    birth_date_incomplete = BooleanField("Je ne connais pas le jour ou le mois de ma naissance")
    born_in = RadioField(
        "Lieu de naissance",
        choices=as_choices([("france", "En France (métropole ou outre-mer)"), ("abroad", "À l'étranger")]),
        validate_choice=False,
    )
    birth_department = SelectField("Département de naissance", validate_choice=False)
    birth_commune = StringField(
        "Commune de naissance",
        description="Par exemple : Châlons-en-Champagne",
        validators=[MaxLength(100, "Le nom de la commune de naissance doit faire 100 caractères au plus")],
    )
    birth_commune_code = RadioField("Précisez votre commune de naissance", validate_choice=False)
    birth_commune_unlisted = BooleanField(
        "Ma commune de naissance n'est pas reconnue (ancienne commune, nom changé) : transmettre le nom tel quel"
    )
    birth_country = SelectField("Pays de naissance", validate_choice=False)
    email = StringField(
        "Adresse électronique",
        description="Pour recevoir l'accusé de réception et la réponse de la mairie. Par exemple : nom@exemple.fr",
        validators=email_validators("Saisissez votre adresse électronique"),
    )

    def __init__(self, *args, needs_birth_data: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_birth_data = needs_birth_data
        self.birth_department.choices = department_choices()
        self.birth_country.choices = country_choices()
        self.birth_commune_code.choices = []
        self.resolved_commune = None

    # --- cross-field checks -------------------------------------------------------------------------
    def validate(self, extra_validators=None):
        super().validate(extra_validators)
        first_names = (self.first_name_1, self.first_name_2, self.first_name_3)
        if not any(f.errors for f in first_names):
            if not self.no_first_name.data and not self.first_name_1.data:
                self.first_name_1.errors.append("Saisissez votre premier prénom, ou cochez « Je n'ai pas de prénom »")
            if self.first_name_3.data and not self.first_name_2.data:
                self.first_name_2.errors.append("Saisissez le deuxième prénom avant le troisième")
        if self.needs_birth_data:
            if self.sex.data not in ("F", "M"):
                self.sex.errors.append("Indiquez le sexe inscrit à l'état civil")
            self._validate_birth_date()
            self._validate_birth_place()
        return self.finish(*self._not_applicable())

    def _not_applicable(self) -> list:
        """What the answers do not use: first names of a person who has none, birth data when the family
        does not go through the CAF/MSA, the French birth place of a person born abroad and vice versa."""
        fields = [self.first_name_1, self.first_name_2, self.first_name_3] if self.no_first_name.data else []
        france = [self.birth_department, self.birth_commune, self.birth_commune_code, self.birth_commune_unlisted]
        if not self.needs_birth_data:
            birth = [self.sex, self.birth_day, self.birth_month, self.birth_year, self.birth_date_incomplete]
            fields += [*birth, self.born_in, *france, self.birth_country]
        elif self.born_in.data == "abroad":
            fields += france
        elif self.born_in.data == "france":
            fields.append(self.birth_country)
            if self.birth_commune_unlisted.data:
                fields.append(self.birth_commune_code)
        return fields

    def birth_date_parts(self) -> tuple[int | None, int | None, int | None]:
        return (
            ascii_int(self.birth_year.data or "", 4),
            ascii_int(self.birth_month.data or "", 2),
            ascii_int(self.birth_day.data or "", 2),
        )

    def _validate_birth_date(self) -> None:
        fields = (self.birth_day, self.birth_month, self.birth_year)
        if any(field.errors for field in fields):
            return  # a length already refused: its message says what to type
        for field, low, high, message in (
            (self.birth_day, 1, 31, BIRTH_DAY_MESSAGE),
            (self.birth_month, 1, 12, BIRTH_MONTH_MESSAGE),
            (self.birth_year, 1000, 9999, BIRTH_YEAR_MESSAGE),
        ):
            if field.data and number_in(field, len(str(high)), low, high) is None:
                field.errors.append(message)
        if any(field.errors for field in fields):
            return
        year, month, day = self.birth_date_parts()
        if not self.birth_date_incomplete.data:
            # A complete date is a real date: only « Je ne connais pas… » lets the day or the month be left out.
            missing = [f for f in fields if not f.data]
            if missing:
                missing[0].errors.append(
                    "Saisissez votre date de naissance complète, ou cochez « Je ne connais pas le jour ou le mois »"
                )
                return
        if day is not None and month is None:
            self.birth_month.errors.append("Saisissez le mois de naissance si vous connaissez le jour")
            return
        if month is not None and year is None:
            self.birth_year.errors.append("Saisissez l'année de naissance si vous connaissez le mois")
            return
        today = date.today()
        if year is not None and not 1900 <= year <= today.year:
            self.birth_year.errors.append(f"L'année de naissance doit être comprise entre 1900 et {today.year}")
            return
        if day is not None:
            try:
                born = date(year, month, day)
            except ValueError:
                self.birth_day.errors.append("Cette date n'existe pas : vérifiez le jour et le mois")
                return
            if born >= today:
                self.birth_year.errors.append("La date de naissance doit être dans le passé")
        elif month is not None and (year, month) > (today.year, today.month):
            self.birth_year.errors.append("La date de naissance doit être dans le passé")

    def _validate_birth_place(self) -> None:
        if self.born_in.data == "abroad":
            if not places.country(self.birth_country.data or ""):
                self.birth_country.errors.append("Choisissez votre pays de naissance dans la liste")
            return
        if self.born_in.data != "france":
            self.born_in.errors.append("Indiquez si vous êtes né ou née en France ou à l'étranger")
            return
        department = places.department(self.birth_department.data or "")
        if department is None:
            self.birth_department.errors.append("Choisissez votre département de naissance")
            return
        if self.birth_commune.errors:
            return
        if not self.birth_commune.data:
            self.birth_commune.errors.append("Saisissez le nom de votre commune de naissance")
            return
        if self.birth_commune_unlisted.data:
            # The API resolves a name + département itself, but then needs the year (option 2, REFERENCE §3.1).
            if not self.birth_year.data and not self.birth_year.errors:
                self.birth_year.errors.append(
                    "Saisissez votre année de naissance : elle est nécessaire pour retrouver une ancienne commune"
                )
            return
        found = places.find_communes(self.birth_commune.data, department.code)
        if len(found) == 1:
            self.resolved_commune = found[0]
            self.birth_commune_code.data = found[0].code
            return
        if len(found) > 1:
            self.birth_commune_code.choices = as_choices([(c.code, f"{c.name} ({c.code})") for c in found])
            chosen = next((c for c in found if c.code == self.birth_commune_code.data), None)
            if chosen is None:
                self.birth_commune_code.errors.append("Plusieurs communes portent ce nom : choisissez la vôtre")
                return
            self.resolved_commune = chosen
            return
        suggestions = places.suggest_communes(self.birth_commune.data, department.code)
        message = (
            f"Nous ne trouvons pas de commune « {self.birth_commune.data} » dans le département {department.name}."
        )
        if suggestions:
            message += " Vouliez-vous dire : " + ", ".join(c.name for c in suggestions) + " ?"
        else:
            message += " Vérifiez l'orthographe et le département."
        self.birth_commune.errors.append(message)


class CertifiedApplicantForm(BaseForm):
    """The applicant identified by FranceConnect: the identity is shown, certified; only the e-mail is asked (filled
    in with FranceConnect's when it gave one)."""

    email = StringField(
        "Adresse électronique",
        description="Pour recevoir l'accusé de réception et la réponse de la mairie. Par exemple : nom@exemple.fr",
        validators=email_validators("Saisissez votre adresse électronique"),
    )
