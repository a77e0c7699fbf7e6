from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from referentiel.management.commands._io import read_json
from referentiel.schema import ReferentielFormatError
from referentiel.services import referentiel_load


class Command(BaseCommand):
    help = "Charge un référentiel (idempotent) : crée ou met à jour la version par son code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--publish", action="store_true", help="publier la version")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = referentiel_load(
                data=read_json(options["path"]), publish=options["publish"]
            )
        except ReferentielFormatError as exc:
            raise CommandError(
                "Fichier invalide, rien n'a été chargé :\n" + str(exc)
            ) from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        referentiel = result.referentiel
        state = (
            "créée"
            if result.created
            else ("mise à jour" if result.changed else "inchangée")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{referentiel.certification.code} version {referentiel.version} {state} "
                f"({referentiel.get_statut_display().lower()}, id {referentiel.pk})."
            )
        )
