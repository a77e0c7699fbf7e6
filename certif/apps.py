from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertifConfig(AppConfig):
    name = "certif"
    verbose_name = _("Comptes et plateforme")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415 - models must be loaded first

        from certif.audit import connect as audit_connect  # noqa: PLC0415 - models must be loaded first
        from certif.middleware import session_mark_seen  # noqa: PLC0415 - models must be loaded first
        from certif.navigation import register_certif  # noqa: PLC0415 - models must be loaded first

        register_certif()
        audit_connect()
        user_logged_in.connect(session_mark_seen, dispatch_uid="certif_session_seen")
