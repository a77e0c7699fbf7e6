"""The command ``declaration_cdc`` when it cannot produce a file, and the data
migration that turned countries' names into INSEE codes."""

import importlib
import tempfile
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import TestCase

from certif.roles import Role
from evaluations.declarations.models import LotCDC
from evaluations.sessions.models import Candidat
from referentiel.models import Certificateur
from tests.evaluations.declarations.factories import (
    make_referentiel_enregistre,
    make_titulaire,
)
from tests.evaluations.factories import make_candidat_complet
from tests.factories import make_session, make_user


class DeclarationCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.referentiel = make_referentiel_enregistre()
        session = make_session(cls.referentiel, statut="deliberee")
        cls.lea = make_titulaire(
            session, "lea@example.org", par=cls.admin, nom_naissance="FONTAINE"
        )

    def run_command(self, *args: str) -> tuple[str, str, Path]:
        out, err = StringIO(), StringIO()
        with tempfile.TemporaryDirectory() as tmp:
            output = Path(tmp) / "lot.xml"
            try:
                call_command(
                    "declaration_cdc",
                    "--output",
                    str(output),
                    *args,
                    stdout=out,
                    stderr=err,
                )
            finally:
                self.written = output.exists()
        return out.getvalue(), err.getvalue(), output

    def test_unknown_certification(self) -> None:
        with self.assertRaisesMessage(
            CommandError, "Certification inconnue : RNCP99999"
        ):
            self.run_command("--certification", "RNCP99999")

    def test_no_administrator(self) -> None:
        with self.assertRaisesMessage(
            CommandError, "Aucun administrateur actif pour construire le lot."
        ):
            self.run_command("--par", "personne@example.org")

    def test_missing_identifiers(self) -> None:
        Certificateur.objects.update(cdc_id_contrat="")
        with self.assertRaisesMessage(CommandError, "idContrat (1 à 20 caractères)"):
            self.run_command()

    def test_incomplete_identity_refuses_and_writes_nothing(self) -> None:
        Candidat.objects.filter(pk=self.lea.candidat_id).update(nom_naissance=" ")
        with self.assertRaises(CommandError) as raised:
            self.run_command(
                "--certification",
                self.referentiel.certification.code,
                "--refuser-incomplets",
            )
        lot = LotCDC.objects.get()
        self.assertEqual(
            str(raised.exception),
            f"Lot n° {lot.pk} : Refusé (identités incomplètes). "
            "Lot refusé : 1 titulaire a une identité incomplète.",
        )
        self.assertIs(self.written, False)


class PaysMigrationTests(TestCase):
    def test_names_become_codes_and_back(self) -> None:
        migration = importlib.import_module(
            "evaluations.migrations.0016_issue15_lieu_naissance"
        )
        maroc = make_candidat_complet(
            "a@example.org", code_insee_naissance="", pays_naissance="Maroc"
        )
        inconnu = make_candidat_complet(
            "b@example.org", code_insee_naissance="", pays_naissance="Belgik"
        )
        migration.pays_en_code(apps, None)
        self.assertEqual(
            list(
                Candidat.objects.filter(pk__in=[maroc.pk, inconnu.pk])
                .order_by("pk")
                .values_list("pays_naissance", flat=True)
            ),
            ["99350", "Belgik"],
        )
        migration.pays_en_nom(apps, None)
        self.assertEqual(Candidat.objects.get(pk=maroc.pk).pays_naissance, "Maroc")
