from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from certif.formats import accord
from evaluations.statistiques.services import exports_purge


class Command(BaseCommand):
    help = (
        "Supprime les fichiers des exports de statistiques terminés depuis plus de "
        "EXPORTS_CONSERVATION_JOURS jours (données personnelles) et les marque "
        "« Expiré ». À lancer chaque jour ; un second passage ne supprime rien de plus."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purges = exports_purge()
        self.stdout.write(
            self.style.SUCCESS(
                f"{accord(purges, 'fichier supprimé', 'fichiers supprimés')} "
                f"(exports de plus de {settings.EXPORTS_CONSERVATION_JOURS} jours)"
            )
        )
