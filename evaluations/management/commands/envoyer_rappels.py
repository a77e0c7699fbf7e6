from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certif.formats import accord
from evaluations.notation.services import rappels_grilles_send
from evaluations.sessions.services import rappels_depot_send


class Command(BaseCommand):
    help = (
        "Envoie les rappels du jour : aux candidats dont le dossier est incomplet, 7 "
        "jours puis 1 jour avant la date limite de dépôt ; aux évaluateurs qui ont "
        "des évaluations à valider, 7 jours puis 1 jour avant la date du jury. À "
        "lancer chaque jour : chaque rappel part une seule fois, même lancé deux "
        "fois ; un rappel manqué (lancement en retard) part encore, sauf si le "
        "suivant est dû."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--date",
            help="jour à traiter (AAAA-MM-JJ, heure de Paris), comme s'il était 0 h ; "
            "par défaut maintenant",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["date"]:
            try:
                jour = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(
                    f"--date attend AAAA-MM-JJ, pas {options['date']!r}"
                ) from exc
            now = timezone.make_aware(datetime.combine(jour, time.min))
        depot = rappels_depot_send(now=now)
        grilles = rappels_grilles_send(today=timezone.localdate(now))
        self.stdout.write(
            self.style.SUCCESS(
                f"{timezone.localdate(now).isoformat()} : "
                f"{accord(depot, 'rappel', 'rappels')} de dépôt aux candidats, "
                f"{accord(grilles, 'rappel', 'rappels')} de validation aux évaluateurs"
            )
        )
