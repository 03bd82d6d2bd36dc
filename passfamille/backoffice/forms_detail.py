"""Forms of an application's page (status changes, QF verification, a crèche request's resources read on its proof)
and of the family's link (upload)."""

import re

from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..wizard.forms import StepForm

MAX_TEXT = 2000


def _tidy_text(value):
    """Strip a message written to the family, keeping its line breaks (StepForm would join its lines)."""
    if not isinstance(value, str):
        return value
    lines = [line.strip() for line in value.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class DetailForm(StepForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, TextAreaField):
                filters = [_tidy_text, *unbound_field.kwargs.get("filters", [])]
                return unbound_field.bind(form=form, filters=filters, **options)
            return super().bind_field(form, unbound_field, options)


class StatusForm(DetailForm):
    """The buttons "Prendre en charge" and "Accepter": nothing but the status asked for."""

    to = HiddenField()


class RefusalForm(StatusForm):
    reason = TextAreaField(
        "Motif du refus",
        description="Il est écrit tel quel à la famille. Par exemple : votre adresse n'est pas dans la commune.",
        validators=[
            # DataRequired, not InputRequired: a reason made of spaces is no reason.
            DataRequired("Indiquez le motif du refus, il sera écrit à la famille"),
            Length(max=MAX_TEXT, message=f"Le motif doit faire {MAX_TEXT} caractères au plus"),
        ],
    )


class DocumentRequestForm(StatusForm):
    message = TextAreaField(
        "Pièce demandée à la famille",
        description=(
            "Ce message est envoyé à la famille avec un lien pour déposer le document. "
            "Par exemple : votre attestation de quotient familial de moins de 3 mois."
        ),
        validators=[
            DataRequired("Indiquez la pièce demandée à la famille"),
            Length(max=MAX_TEXT, message=f"Le message doit faire {MAX_TEXT} caractères au plus"),
        ],
    )


def parse_euros(text: str | None) -> int | None:
    """850, "1 500", "1 500 €" → an int; anything else → None."""
    value = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    return int(value) if value.isdigit() and int(value) <= 100_000 else None


class VerificationForm(DetailForm):
    qf = StringField(
        "Quotient familial lu sur le document",
        description="En euros, un nombre entier, par exemple : 850. Laissez la valeur déclarée si elle est exacte.",
        validators=[DataRequired("Saisissez le quotient familial lu sur le document, par exemple : 850")],
    )

    def validate_qf(self, field):
        if parse_euros(field.data) is None:
            raise ValidationError("Le quotient familial doit être un nombre entier d'euros, par exemple : 850")


class UploadForm(DetailForm):
    """The family's answer to a request for a document; the file itself is checked by its content."""

    file = FileField("Votre document", description="Format PDF, JPEG ou PNG, 10 Mo au plus. Une photo lisible suffit.")


# --- a crèche request's resources, read on the family's proof ---------------------------------------------------

MAX_RESOURCES = 10_000_000
MAX_CHILDREN = 20


def parse_whole(text: str | None, maximum: int) -> int | None:
    """ "30000", "30 000", "30 000 €" → an int from 0 to `maximum`; anything else → None."""
    value = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    return int(value) if value.isdigit() and int(value) <= maximum else None


class ResourcesForm(DetailForm):
    """What the agent reads on a crèche request's resources proof (the CAF/MSA would otherwise give it)."""

    psu_resources = StringField(
        "Ressources annuelles, en euros",
        validators=[DataRequired("Saisissez les ressources annuelles lues sur le justificatif, par exemple : 30000")],
    )
    psu_children = StringField(
        "Nombre d'enfants à charge",
        validators=[DataRequired("Saisissez le nombre d'enfants à charge, par exemple : 2")],
    )
    psu_aeeh = StringField(
        "Enfants bénéficiaires de l'AEEH",
        description="Parmi les enfants à charge, ceux pour qui la famille perçoit l'allocation d'éducation de "
        "l'enfant handicapé (AEEH). Saisissez 0 s'il n'y en a aucun.",
        validators=[DataRequired("Saisissez le nombre d'enfants bénéficiaires de l'AEEH, ou 0 s'il n'y en a aucun")],
    )

    def describe(self, year: int, expected_child: bool) -> "ResourcesForm":
        """The hints that depend on the year of the estimate and on the child of the request."""
        self.psu_resources.description = (
            f"Les revenus de {year - 2} du foyer, sur l'avis d'impôt reçu en {year - 1} : le total des revenus "
            "déclarés (salaires et pensions avant la déduction de 10 % ou des frais réels, autres revenus), "
            "moins les pensions alimentaires versées. Ni le revenu fiscal de référence, ni le revenu imposable, "
            "ni les prestations familiales. Un nombre entier, par exemple : 30000."
        )
        self.psu_children.description = "Les enfants dont la famille a la charge aujourd'hui" + (
            ". L'enfant à naître de cette demande est compté en plus pour l'estimation : ne le comptez pas."
            if expected_child
            else ", y compris l'enfant de cette demande."
        )
        return self

    def validate_psu_resources(self, field):
        if parse_whole(field.data, MAX_RESOURCES) is None:
            raise ValidationError(
                "Les ressources annuelles doivent être un nombre entier d'euros, sans centimes, "
                "de 0 à 10 000 000, par exemple : 30000"
            )

    def validate_psu_children(self, field):
        if parse_whole(field.data, MAX_CHILDREN) is None:
            raise ValidationError(f"Le nombre d'enfants à charge doit être un nombre entier de 0 à {MAX_CHILDREN}")

    def validate_psu_aeeh(self, field):
        aeeh = parse_whole(field.data, MAX_CHILDREN)
        if aeeh is None:
            raise ValidationError(
                f"Le nombre d'enfants bénéficiaires de l'AEEH doit être un nombre entier de 0 à {MAX_CHILDREN}"
            )
        children = parse_whole(self.psu_children.data, MAX_CHILDREN)
        if children is not None and aeeh > children:
            raise ValidationError(
                "Le nombre d'enfants bénéficiaires de l'AEEH ne peut pas dépasser le nombre d'enfants à charge "
                f"({children})"
            )

    def figures(self) -> tuple[int, int, int]:
        """The validated figures: annual resources, dependent children, children with AEEH."""
        return (
            parse_whole(self.psu_resources.data, MAX_RESOURCES),
            parse_whole(self.psu_children.data, MAX_CHILDREN),
            parse_whole(self.psu_aeeh.data, MAX_CHILDREN),
        )
