from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from certif.formats import accord
from handicap.services import pieces_purger


class Command(BaseCommand):
    help = (
        "Supprime les pièces justificatives des demandes d'aménagement dont la "
        "session est close depuis plus de HANDICAP_RETENTION_MOIS mois. Les "
        "décisions et le journal des accès sont conservés. À lancer chaque jour "
        "(cron ou tâche planifiée)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche ce qui serait supprimé sans rien supprimer.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        purgees = pieces_purger(dry_run=dry_run)
        n = len(purgees)
        supprimee = "supprimée" if n <= 1 else "supprimées"
        verbe = "à supprimer" if dry_run else supprimee
        for piece in purgees:
            self.stdout.write(
                f"Pièce {piece.piece_id} (demande {piece.demande_id}, session "
                f"« {piece.session} » close le {piece.close_le:%Y-%m-%d}, "
                f"{piece.taille} octets) : {verbe}"
            )
        conservation = settings.HANDICAP_RETENTION_MOIS
        bilan = (
            f"{accord(n, 'pièce', 'pièces')} {verbe} — conservation {conservation} mois"
        )
        if dry_run:
            bilan += " (simulation : rien n'a été supprimé)"
        self.stdout.write(self.style.SUCCESS(bilan))
