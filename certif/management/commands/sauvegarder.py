from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certif.formats import accord
from certif.sauvegarde import SauvegardeError, sauvegarde_create, sauvegardes_purger


class Command(BaseCommand):
    help = (
        "Écrit une sauvegarde cohérente (base PostgreSQL, fichiers privés, manifeste "
        "des empreintes SHA-256) dans un nouveau dossier de DESTINATION ; avec "
        "--garder N, supprime ensuite les sauvegardes au-delà des N plus récentes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", type=Path)
        parser.add_argument(
            "--garder",
            type=int,
            default=None,
            help="Nombre de sauvegardes complètes à garder (les plus récentes).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        destination: Path = options["destination"]
        try:
            sauvegarde = sauvegarde_create(destination=destination)
            anciennes = (
                sauvegardes_purger(destination=destination, garder=options["garder"])
                if options["garder"] is not None
                else []
            )
        except SauvegardeError as exc:
            raise CommandError(str(exc)) from None
        manifest = sauvegarde.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde {sauvegarde.chemin} : base {manifest['base']['octets']} "
                f"octets, "
                f"{accord(manifest['fichiers']['nombre'], 'fichier', 'fichiers')}, "
                f"{accord(sum(manifest['lignes'].values()), 'ligne', 'lignes')}"
            )
        )
        for path in anciennes:
            self.stdout.write(f"Supprimée (au-delà de --garder) : {path}")
