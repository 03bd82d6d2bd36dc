"""Forms of an application's page (status changes, QF verification) and of the family's link (upload)."""

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
