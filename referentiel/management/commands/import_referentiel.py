from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from referentiel.management.commands._io import VersionOptionMixin, read_json
from referentiel.schema import ReferentielFormatError
from referentiel.services import referentiel_import


class Command(VersionOptionMixin, BaseCommand):
    help = "Crée une nouvelle version brouillon à partir d'un fichier JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--version", dest="label", help="numéro de la nouvelle version"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data = read_json(options["path"])
        try:
            referentiel = referentiel_import(data=data, version=options["label"])
        except ReferentielFormatError as exc:
            raise CommandError(
                "Fichier invalide, rien n'a été importé :\n" + str(exc)
            ) from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Version brouillon {referentiel.version} créée (id {referentiel.pk})."
            )
        )
