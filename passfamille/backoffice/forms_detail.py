"""Forms of an application's page (status changes, QF verification, a crèche request's resources read on its proof)
and of the family's link (upload)."""

import re

from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from ..avis_figures import check_figures, parts_field, rfr_field
from ..forms_base import CONTROL_CHARACTERS, BaseForm, MaxLength
from ..parsing import whole_amount

MAX_TEXT = 2000


def _tidy_text(value):
    """Strip a message written to the family, keeping its line breaks (BaseForm would join its lines), without the
    other control characters (NUL, tabulations…)."""
    if not isinstance(value, str):
        return value
    lines = [
        CONTROL_CHARACTERS.sub("", line.replace("\t", " ")).strip()
        for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class DetailForm(BaseForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, TextAreaField):
                filters = [_tidy_text, *unbound_field.kwargs.get("filters", [])]
                return unbound_field.bind(form=form, filters=filters, **options)
            return super().bind_field(form, unbound_field, options)


class StatusForm(DetailForm):
    """The buttons "Prendre en charge" and "Accepter": nothing but the status asked for."""

    # The view reads the status asked for from the request and checks it against the workflow first.
    to = HiddenField(validators=[MaxLength(30, "Action inconnue")])


class RefusalForm(StatusForm):
    reason = TextAreaField(
        "Motif du refus",
        description="Il est écrit tel quel à la famille. Par exemple : votre adresse n'est pas dans la commune.",
        validators=[
            # DataRequired, not InputRequired: a reason made of spaces is no reason.
            DataRequired("Indiquez le motif du refus, il sera écrit à la famille"),
            MaxLength(MAX_TEXT, f"Le motif doit faire {MAX_TEXT} caractères au plus"),
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
            MaxLength(MAX_TEXT, f"Le message doit faire {MAX_TEXT} caractères au plus"),
        ],
    )


def parse_euros(text: str | None) -> int | None:
    """850, "1 500", "1 500 €" → an int up to MAX_QF; anything else → None."""
    value = whole_amount(text or "", len(str(MAX_QF)))
    return value if value is not None and value <= MAX_QF else None


MAX_QF = 100_000
QF_MESSAGE = "Le quotient familial doit être un nombre entier d'euros, par exemple : 850"


class VerificationForm(DetailForm):
    qf = StringField(
        "Quotient familial lu sur le document",
        description="En euros, un nombre entier, par exemple : 850. Laissez la valeur déclarée si elle est exacte.",
        validators=[
            DataRequired("Saisissez le quotient familial lu sur le document, par exemple : 850"),
            MaxLength(20, QF_MESSAGE),
        ],
    )

    def validate_qf(self, field):
        if parse_euros(field.data) is None:
            raise ValidationError(QF_MESSAGE)


AVIS_HINT = "Laissez la valeur indiquée par la famille si elle est exacte."


class AvisVerificationForm(DetailForm):
    """Where the rules compute a municipal quotient: the two figures the agent reads on the avis d'imposition."""

    rfr = rfr_field(
        "Revenu fiscal de référence lu sur l'avis, en euros",
        f"Un nombre entier, sans centimes, par exemple : 32 400. {AVIS_HINT}",
    )
    parts = parts_field("Nombre de parts lu sur l'avis", f"Par exemple : 1, 2,5 ou 3,25. {AVIS_HINT}")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return check_figures(self.rfr, self.parts) and valid


class UploadForm(DetailForm):
    """The family's answer to a request for a document; the file itself is checked by its content."""

    file = FileField("Votre document", description="Format PDF, JPEG ou PNG, 10 Mo au plus. Une photo lisible suffit.")


# --- a crèche request's resources, read on the family's proof ---------------------------------------------------

MAX_RESOURCES = 10_000_000
MAX_CHILDREN = 20


def parse_whole(text: str | None, maximum: int) -> int | None:
    """ "30000", "30 000", "30 000 €" → an int from 0 to `maximum`; anything else → None."""
    value = whole_amount(text or "", len(str(maximum)))
    return value if value is not None and value <= maximum else None


RESOURCES_MESSAGE = (
    "Les ressources annuelles doivent être un nombre entier d'euros, sans centimes, de 0 à 10 000 000, "
    "par exemple : 30000"
)
CHILDREN_MESSAGE = f"Le nombre d'enfants à charge doit être un nombre entier de 0 à {MAX_CHILDREN}"
AEEH_MESSAGE = f"Le nombre d'enfants bénéficiaires de l'AEEH doit être un nombre entier de 0 à {MAX_CHILDREN}"


class ResourcesForm(DetailForm):
    """What the agent reads on a crèche request's resources proof (the CAF/MSA would otherwise give it)."""

    psu_resources = StringField(
        "Ressources annuelles, en euros",
        validators=[
            DataRequired("Saisissez les ressources annuelles lues sur le justificatif, par exemple : 30000"),
            MaxLength(20, RESOURCES_MESSAGE),
        ],
    )
    psu_children = StringField(
        "Nombre d'enfants à charge",
        validators=[
            DataRequired("Saisissez le nombre d'enfants à charge, par exemple : 2"),
            MaxLength(10, CHILDREN_MESSAGE),
        ],
    )
    psu_aeeh = StringField(
        "Enfants bénéficiaires de l'AEEH",
        description="Parmi les enfants à charge, ceux pour qui la famille perçoit l'allocation d'éducation de "
        "l'enfant handicapé (AEEH). Saisissez 0 s'il n'y en a aucun.",
        validators=[
            DataRequired("Saisissez le nombre d'enfants bénéficiaires de l'AEEH, ou 0 s'il n'y en a aucun"),
            MaxLength(10, AEEH_MESSAGE),
        ],
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
            raise ValidationError(RESOURCES_MESSAGE)

    def validate_psu_children(self, field):
        if parse_whole(field.data, MAX_CHILDREN) is None:
            raise ValidationError(CHILDREN_MESSAGE)

    def validate_psu_aeeh(self, field):
        aeeh = parse_whole(field.data, MAX_CHILDREN)
        if aeeh is None:
            raise ValidationError(AEEH_MESSAGE)
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


class NoteForm(DetailForm):
    """An internal note: agents only."""

    body = TextAreaField(
        "Note interne",
        description="Visible des seuls agents : elle n'est jamais envoyée ni montrée à la famille.",
        validators=[
            DataRequired("Écrivez la note avant de l'enregistrer"),
            MaxLength(MAX_TEXT, f"La note doit faire {MAX_TEXT} caractères au plus"),
        ],
    )
    # The form's own random token (notes.new_form_token), so that posting it twice records one note.
    jeton = HiddenField(
        validators=[
            DataRequired("Formulaire incomplet : rechargez la page"),
            MaxLength(64, "Formulaire incomplet : rechargez la page"),
        ]
    )


class CriterionCheckForm(DetailForm):
    """« Vérifié » / « Refusé » for one criterion of a crèche request. Each criterion's form has its own prefix
    (critere-<code>), so that ids and labels stay unique on the page. `seen`: the state the agent saw (the change
    applies only if the criterion is still in it); `to`: the button pressed."""

    to = HiddenField(validators=[MaxLength(10, "Action inconnue")])
    seen = HiddenField(validators=[MaxLength(10, "Action inconnue")])
    reason = TextAreaField(
        "Motif du refus",
        description="Obligatoire pour refuser. Interne : la famille ne le voit pas, ni sur son lien ni par courriel.",
        validators=[MaxLength(MAX_TEXT, f"Le motif doit faire {MAX_TEXT} caractères au plus")],
    )

    def __init__(self, code: str, label: str, *args, **kwargs):
        super().__init__(*args, prefix=f"critere-{code}", **kwargs)
        self.reason.label.text = f"Motif du refus du critère « {label} »"

    def validate_reason(self, field):
        if self.to.data == "refused" and not field.data:
            raise ValidationError("Indiquez pourquoi ce critère est refusé (motif interne, la famille ne le voit pas)")
