"""Background work of the platform's accounts (django-tasks; ``manage.py
db_worker``)."""

from django.contrib.auth.forms import PasswordResetForm
from django_tasks import task

from certif.messages import message_send
from certif.services import password_link


@task()
def password_reset_send(*, email: str) -> None:
    """Send the password-reset link (template ``emails/mot_de_passe/``) to the
    active account of ``email``, if there is one (nothing otherwise). Run out of
    the request so that the answer takes the same time whether the address is
    known or not; running it twice sends a second, equally valid link. The link
    sets a password: « Mes messages » keeps the subject, never the body."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    for user in form.get_users(form.cleaned_data["email"]):
        message_send(
            gabarit="mot_de_passe",
            destinataire=user.email,
            utilisateur=user,
            contexte={"lien": password_link(user)},
            archiver_corps=False,
        )
