from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandicapConfig(AppConfig):
    name = "handicap"
    verbose_name = _("Handicap et aménagements")

    def ready(self) -> None:
        from handicap.home import register  # noqa: PLC0415 - models must be loaded first

        register()
