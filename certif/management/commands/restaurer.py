from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from certif.formats import accord
from certif.sauvegarde import (
    SauvegardeError,
    sauvegarde_restaurer,
    sauvegarde_verifier,
    table_counts,
)


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde de manage.py sauvegarder dans une base et un "
        "stockage vides, après avoir vérifié chaque empreinte SHA-256 ; compare "
        "ensuite le nombre de lignes de chaque table au manifeste, puis supprime les "
        "pièces handicap dont la conservation est échue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sauvegarde", type=Path)
        parser.add_argument(
            "--verifier",
            action="store_true",
            help="Vérifie seulement les empreintes, sans rien restaurer.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chemin: Path = options["sauvegarde"]
        try:
            if options["verifier"]:
                manifest = sauvegarde_verifier(chemin=chemin)
                self.stdout.write(
                    self.style.SUCCESS(f"Sauvegarde intacte ({manifest['cree_le']}).")
                )
                return
            manifest = sauvegarde_restaurer(chemin=chemin)
        except SauvegardeError as exc:
            raise CommandError(str(exc)) from None
        restaurees = table_counts()
        ecarts = {
            table: (attendu, restaurees.get(table))
            for table, attendu in manifest["lignes"].items()
            if restaurees.get(table) != attendu
        }
        if ecarts:
            raise CommandError(f"Lignes différentes du manifeste : {ecarts}")
        purge = StringIO()
        call_command("purger_pieces_handicap", stdout=purge)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restaurée : "
                f"{accord(sum(restaurees.values()), 'ligne', 'lignes')} dans "
                f"{accord(len(restaurees), 'table', 'tables')}, "
                f"{accord(manifest['fichiers']['nombre'], 'fichier', 'fichiers')}. "
                f"Purge : {purge.getvalue().strip().splitlines()[-1]}"
            )
        )
