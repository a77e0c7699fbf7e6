from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Login by e-mail address, whatever its case (addresses are stored in lower
    case), with a plain French error message."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez les deux champs."
        ),
    }

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip().lower()
