from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from certif.formats import accord
from certif.models import User
from certif.roles import Role
from evaluations.declarations.models import LotCDC
from evaluations.declarations.selectors import certifications_declarees
from evaluations.declarations.services import lot_build, lot_start
from referentiel.models import Certification


class Command(BaseCommand):
    help = (
        "Construit un lot de déclaration des titulaires à la Caisse des Dépôts "
        "(tous les titulaires à déclarer d'une certification), le valide contre le "
        "schéma de la CDC et écrit le fichier XML. Le lot est enregistré comme s'il "
        "avait été construit depuis la page « Déclarations CDC »."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="Fichier XML à écrire.")
        parser.add_argument(
            "--certification",
            help="Code RNCP (facultatif s'il n'y a qu'une certification à déclarer).",
        )
        parser.add_argument(
            "--refuser-incomplets",
            action="store_true",
            help="Refuse le lot si une identité est incomplète (sinon : écartée).",
        )
        parser.add_argument(
            "--par",
            help="E-mail de l'administrateur qui construit le lot (défaut : le premier).",
        )

    def _certification(self, code: str | None) -> Certification:
        if code:
            certification = Certification.objects.filter(code=code).first()
            if certification is None:
                raise CommandError(f"Certification inconnue : {code}")
            return certification
        candidates = list(certifications_declarees()[:2])
        if len(candidates) != 1:
            raise CommandError(
                "Indiquez --certification : "
                + (
                    "aucune certification n'a de titulaire."
                    if not candidates
                    else "plusieurs certifications ont des titulaires."
                )
            )
        return candidates[0]

    def _par(self, email: str | None) -> User:
        admins = User.objects.filter(groups__name=Role.ADMINISTRATEUR, is_active=True)
        user = (
            (admins.filter(email__iexact=email) if email else admins)
            .order_by("pk")
            .first()
        )
        if user is None:
            raise CommandError("Aucun administrateur actif pour construire le lot.")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        certification = self._certification(options["certification"])
        try:
            lot = lot_start(
                certification=certification,
                by=self._par(options["par"]),
                mode=LotCDC.Mode.REFUSER
                if options["refuser_incomplets"]
                else LotCDC.Mode.EXCLURE,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        lot = lot_build(lot_id=lot.pk)
        for exclu in lot.exclus:
            self.stderr.write(f"{exclu['nom']} : {', '.join(exclu['manquants'])}")
        if lot.statut != LotCDC.Statut.CONSTRUIT:
            raise CommandError(
                f"Lot n° {lot.pk} : {lot.get_statut_display()}. {lot.erreur}"
            )
        with lot.fichier.open("rb") as handle:
            Path(options["output"]).write_bytes(handle.read())
        self.stdout.write(
            self.style.SUCCESS(
                f"Lot n° {lot.pk} : {accord(lot.total, 'titulaire', 'titulaires')}, "
                f"{accord(len(lot.exclus), 'écarté', 'écartés')} — {options['output']} "
                f"(SHA-256 {lot.sha256}), valide contre le schéma de la CDC"
            )
        )
