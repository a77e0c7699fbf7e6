from typing import Any

from django.core.management.base import BaseCommand

from evaluations.resultats.models import PublicationResultats
from evaluations.resultats.tasks import publications_enqueue_dues


class Command(BaseCommand):
    help = (
        "Lance la publication des résultats des sessions dont l'heure de "
        "publication est passée (et reprend une publication interrompue). À lancer "
        "régulièrement (toutes les 5 minutes) : une publication ne part qu'une fois, "
        "chaque courriel de résultat aussi."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        dues = publications_enqueue_dues()
        if not dues:
            self.stdout.write(self.style.SUCCESS("Aucune publication à lancer"))
            return
        for publication in PublicationResultats.objects.filter(
            pk__in=dues
        ).select_related("session"):
            self.stdout.write(
                self.style.SUCCESS(
                    f"{publication.session.nom} : {publication.get_statut_display()} "
                    f"({publication.traites}/{publication.total})"
                )
            )
