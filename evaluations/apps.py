from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Sessions et évaluations")

    def ready(self) -> None:
        from evaluations.home import register  # noqa: PLC0415 - models must be loaded first

        register()
