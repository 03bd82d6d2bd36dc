"""Forms of the crèche commission (offering a place) and of a crèche request's page (admission, back to the
waiting list, withdrawal). Messages in French, naming the thing and the expected format."""

from datetime import date

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from ..clock import commune_today
from ..forms_base import MaxLength
from .forms_detail import DetailForm, StatusForm
from .views.queue import parse_day

DATE_EXAMPLE = "par exemple : 04/01/2027"
MAX_REASON = 500


class OfferForm(DetailForm):
    """One row of a waiting list: the start date of the place offered. Each row's form has its own prefix
    (offre-<id>), so that ids and labels stay unique on a page of many rows."""

    start = StringField(
        "Date d'entrée proposée",
        description=f"Au format JJ/MM/AAAA, {DATE_EXAMPLE}",
        validators=[
            DataRequired(f"Indiquez la date d'entrée proposée, {DATE_EXAMPLE}"),
            MaxLength(10, f"La date d'entrée proposée doit être au format JJ/MM/AAAA, {DATE_EXAMPLE}"),
        ],
    )

    def __init__(self, application_id: int, reference: str, *args, today: date | None = None, **kwargs):
        super().__init__(*args, prefix=f"offre-{application_id}", **kwargs)
        self.today = today or commune_today()
        self.start.label.text = f"Date d'entrée proposée pour {reference}"

    def validate_start(self, field):
        try:
            day = parse_day(field.data)
        except ValueError:
            raise ValidationError(
                f"La date d'entrée « {field.data} » n'existe pas ou n'est pas au format JJ/MM/AAAA, {DATE_EXAMPLE}"
            ) from None
        if day is not None and day < self.today:
            raise ValidationError("La date d'entrée proposée doit être aujourd'hui ou plus tard")

    def start_date(self) -> date | None:
        return parse_day(self.start.data)


class WithdrawalForm(StatusForm):
    reason = TextAreaField(
        "Motif du retrait",
        description="Quelques mots, gardés dans l'historique de la demande. Par exemple : la famille a déménagé.",
        validators=[
            DataRequired("Indiquez en quelques mots pourquoi la demande est retirée"),
            MaxLength(MAX_REASON, f"Le motif doit faire {MAX_REASON} caractères au plus"),
        ],
    )
