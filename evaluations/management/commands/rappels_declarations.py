from typing import Any

from django.core.management.base import BaseCommand

from certif.formats import accord
from evaluations.declarations.services import rappel_send


class Command(BaseCommand):
    help = (
        "Envoie aux administrateurs un e-mail quand des titulaires sont à déclarer "
        "à la Caisse des Dépôts dans les 15 jours ou sont en retard (décision du "
        "jury + 3 mois). À lancer chaque jour : un second passage le même jour "
        "n'envoie rien."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rappel = rappel_send()
        dues, retard = len(rappel.echeances.dues), len(rappel.echeances.en_retard)
        bilan = f"{retard} en retard, {dues} à déclarer dans les 15 jours"
        if rappel.envoye:
            administrateurs = accord(
                rappel.destinataires, "administrateur", "administrateurs"
            )
            bilan += f" — rappel envoyé à {administrateurs}"
        elif dues or retard:
            bilan += " — rappel déjà envoyé aujourd'hui (ou aucun administrateur)"
        else:
            bilan += " — aucun rappel"
        self.stdout.write(self.style.SUCCESS(bilan))
