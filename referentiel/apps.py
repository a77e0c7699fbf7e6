from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferentielConfig(AppConfig):
    name = "referentiel"
    verbose_name = _("Référentiels")

    def ready(self) -> None:
        from referentiel.home import register  # noqa: PLC0415 - models must be loaded first

        register()
        # Connects the signals that empty the structure cache when a version changes.
        import referentiel.structure  # noqa: F401, PLC0415
