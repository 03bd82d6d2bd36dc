"""Back-office forms. Messages in French; the base strips whitespace like the citizen's forms."""

from wtforms import PasswordField, StringField
from wtforms.validators import Email, InputRequired, Length, Regexp, ValidationError

from ..forms_base import BaseForm, MaxLength
from .auth import MIN_PASSWORD_LENGTH

MAX_EMAIL = 254
MAX_PASSWORD = 200
EMAIL_LENGTH_MESSAGE = f"L'adresse électronique doit faire {MAX_EMAIL} caractères au plus"
PASSWORD_LENGTH_MESSAGE = f"Le mot de passe doit faire {MAX_PASSWORD} caractères au plus"


class LoginForm(BaseForm):
    email = StringField(
        "Adresse électronique",
        validators=[InputRequired("Saisissez votre adresse électronique"), MaxLength(MAX_EMAIL, EMAIL_LENGTH_MESSAGE)],
    )
    password = PasswordField(
        "Mot de passe",
        validators=[InputRequired("Saisissez votre mot de passe"), MaxLength(MAX_PASSWORD, PASSWORD_LENGTH_MESSAGE)],
    )


class ForgottenPasswordForm(BaseForm):
    email = StringField(
        "Adresse électronique",
        description="L'adresse de votre compte de l'espace agents, par exemple prenom.nom@mairie.fr",
        validators=[
            InputRequired("Saisissez l'adresse électronique de votre compte"),
            MaxLength(MAX_EMAIL, EMAIL_LENGTH_MESSAGE),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message="Saisissez une adresse électronique valide, par exemple prenom.nom@mairie.fr",
            ),
        ],
    )


class ChoosePasswordForm(BaseForm):
    password = PasswordField(
        "Nouveau mot de passe",
        description=f"Au moins {MIN_PASSWORD_LENGTH} caractères. Une phrase de plusieurs mots se retient mieux.",
        validators=[
            InputRequired("Choisissez un mot de passe"),
            MaxLength(MAX_PASSWORD, PASSWORD_LENGTH_MESSAGE),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères",
            ),
        ],
    )
    confirmation = PasswordField(
        "Confirmez le mot de passe",
        validators=[
            InputRequired("Saisissez de nouveau le mot de passe"),
            MaxLength(MAX_PASSWORD, PASSWORD_LENGTH_MESSAGE),
        ],
    )

    def validate_confirmation(self, field):
        if field.data != self.password.data:
            raise ValidationError("Les deux mots de passe ne sont pas identiques")


class AgentEmailForm(BaseForm):
    email = StringField(
        "Adresse électronique de l'agent",
        validators=[
            InputRequired("Saisissez l'adresse électronique de l'agent"),
            MaxLength(MAX_EMAIL, EMAIL_LENGTH_MESSAGE),
            Email(
                "Saisissez une adresse électronique valide, par exemple : prenom.nom@mairie.fr",
                check_deliverability=False,
            ),
        ],
    )
