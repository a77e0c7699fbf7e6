import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from referentiel.management.commands._io import VersionOptionMixin
from referentiel.models import Referentiel
from referentiel.services import referentiel_export


class Command(VersionOptionMixin, BaseCommand):
    help = "Exporte une version de référentiel au format JSON (voir le README)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--version", dest="version_id", type=int, help="id de la version"
        )
        parser.add_argument(
            "--output", help="fichier de sortie (par défaut : la sortie standard)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queryset = Referentiel.objects.order_by("-cree_le", "-pk")
        if options["version_id"] is not None:
            queryset = queryset.filter(pk=options["version_id"])
        referentiel = queryset.first()
        if referentiel is None:
            raise CommandError("Aucune version de référentiel ne correspond.")
        text = json.dumps(
            referentiel_export(referentiel=referentiel), ensure_ascii=False, indent=2
        )
        if options["output"]:
            try:
                with open(options["output"], "w", encoding="utf-8") as handle:
                    handle.write(text + "\n")
            except OSError as exc:
                raise CommandError(
                    f"Impossible d'écrire {options['output']} : {exc.strerror}"
                ) from None
            self.stderr.write(
                f"Version {referentiel.pk} exportée dans {options['output']}"
            )
        else:
            self.stdout.write(text)
