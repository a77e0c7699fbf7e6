"""Background work of the platform's accounts (django-tasks; ``manage.py
db_worker``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django_tasks import task


@task()
def password_reset_send(*, email: str) -> None:
    """Send the password-reset link to the active account of ``email``, if there
    is one (nothing otherwise). Run out of the request so that the answer takes
    the same time whether the address is known or not; running it twice sends a
    second, equally valid link."""
    site = urlsplit(settings.SITE_URL)
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(domain_override=site.netloc, use_https=site.scheme == "https")
