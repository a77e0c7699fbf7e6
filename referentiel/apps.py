from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferentielConfig(AppConfig):
    name = "referentiel"
    verbose_name = _("Référentiels")
