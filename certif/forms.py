import copy
from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

# Longer than any password manager's, short enough that hashing stays cheap.
PASSWORD_MAX_LENGTH = 256


def bounded(field: forms.Field, max_length: int) -> forms.CharField:
    """A copy of a text field of Django's forms with a maximum length (the
    project's forms all have one; Django's password fields have none)."""
    if not isinstance(field, forms.CharField):
        raise TypeError(f"{field!r} is not a CharField")
    field = copy.deepcopy(field)
    field.max_length = max_length
    field.validators.append(MaxLengthValidator(max_length))
    field.widget.attrs["maxlength"] = str(max_length)
    return field


class LoginForm(AuthenticationForm):
    """Login by e-mail address, whatever its case (addresses are stored in lower
    case), with a plain French error message."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez les deux champs."
        ),
    }

    username = bounded(AuthenticationForm.base_fields["username"], 254)
    password = bounded(AuthenticationForm.base_fields["password"], PASSWORD_MAX_LENGTH)

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip().lower()


class MotDePasseOublieForm(PasswordResetForm):
    email = bounded(PasswordResetForm.base_fields["email"], 254)


class MotDePasseNouveauForm(SetPasswordForm):
    new_password1 = bounded(
        SetPasswordForm.base_fields["new_password1"], PASSWORD_MAX_LENGTH
    )
    new_password2 = bounded(
        SetPasswordForm.base_fields["new_password2"], PASSWORD_MAX_LENGTH
    )


class MotDePasseChangerForm(PasswordChangeForm):
    old_password = bounded(
        PasswordChangeForm.base_fields["old_password"], PASSWORD_MAX_LENGTH
    )
    new_password1 = MotDePasseNouveauForm.base_fields["new_password1"]
    new_password2 = MotDePasseNouveauForm.base_fields["new_password2"]


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field ``name``, a ModelChoiceField (or ModelMultipleChoiceField)
    whose queryset the form narrows in ``__init__``; ``form.fields`` only knows
    plain fields."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name!r} is not a ModelChoiceField")
    return field
