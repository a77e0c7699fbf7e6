"""Exports hold personal data: their files are deleted past
EXPORTS_CONSERVATION_JOURS, once, and the page says so."""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from certif.roles import Role
from evaluations.statistiques.models import Export
from tests.factories import make_user


@override_settings(EXPORTS_CONSERVATION_JOURS=7)
class PurgeTests(TestCase):
    def setUp(self) -> None:
        self.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)

    def export(self, *, jours: int, statut: str = Export.Statut.TERMINE) -> Export:
        export = Export(
            nature=Export.Nature.RESULTATS,
            statut=statut,
            demande_par=self.admin,
            nom_fichier="resultats.xlsx",
            termine_le=timezone.now() - timedelta(days=jours)
            if statut != Export.Statut.EN_COURS
            else None,
        )
        export.fichier.save("resultats.xlsx", ContentFile(b"PK data"), save=False)
        export.save()
        return export

    def run_command(self) -> str:
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("purger_exports", stdout=out)
        return out.getvalue().strip()

    def test_old_files_deleted_once_recent_and_running_kept(self) -> None:
        ancien = self.export(jours=8)
        echoue = self.export(jours=30, statut=Export.Statut.ECHOUE)
        recent = self.export(jours=6)
        en_cours = self.export(jours=0, statut=Export.Statut.EN_COURS)
        noms = {e.pk: e.fichier.name or "" for e in (ancien, echoue, recent, en_cours)}
        self.assertEqual(
            self.run_command(), "2 fichiers supprimés (exports de plus de 7 jours)"
        )
        for export in (ancien, echoue):
            export.refresh_from_db()
            self.assertEqual((export.statut, export.fichier.name), ("expire", ""))
            self.assertFalse(default_storage.exists(noms[export.pk]))
        for export in (recent, en_cours):
            export.refresh_from_db()
            self.assertTrue(default_storage.exists(noms[export.pk]))
            default_storage.delete(noms[export.pk])
        self.assertEqual(
            self.run_command(), "0 fichier supprimé (exports de plus de 7 jours)"
        )

    def test_the_page_says_the_file_expired_and_the_download_is_gone(self) -> None:
        export = self.export(jours=8)
        self.run_command()
        self.client.force_login(self.admin)
        response = self.client.get(
            reverse("evaluations:export_detail", args=[export.pk])
        )
        self.assertContains(response, "Expiré")
        self.assertContains(
            response, "Le fichier a été supprimé 7 jours après l'export"
        )
        self.assertNotContains(response, "Télécharger")
        response = self.client.get(
            reverse("evaluations:export_download", args=[export.pk])
        )
        self.assertEqual(response.status_code, 404)
