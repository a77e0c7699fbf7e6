from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertifConfig(AppConfig):
    name = "certif"
    verbose_name = _("Comptes et plateforme")

    def ready(self) -> None:
        from certif.navigation import register_certif  # noqa: PLC0415 - models must be loaded first

        register_certif()
