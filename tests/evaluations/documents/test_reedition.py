"""« Rééditer »: a new version from fresh data, the old one revoked with the
reason, the holder told by e-mail; the command that lists (and re-issues) the
documents issued from version-1 snapshots or printing a country code as the
place of birth."""

import json
from io import StringIO
from pathlib import Path

from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from certif.roles import Role
from evaluations.documents.models import Document
from evaluations.documents.tasks import emission_launch
from evaluations.sessions.models import Candidat
from tests.evaluations.factories_documents import make_scenario, mark_published
from tests.factories import make_user

FIXTURES = Path(__file__).parent / "fixtures"


class ReeditionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        mark_published(cls.sc.session)
        emission_launch(session=cls.sc.session, by=cls.sc.admin)
        cls.releve = Document.objects.get(
            inscription=cls.sc.certifie, nature="releve", statut="valide"
        )
        cls.url = reverse("evaluations:document_reissue", args=[cls.releve.pk])
        cls.membre = make_user("membre-r@test.fr", Role.MEMBRE_JURY)

    def test_admin_reissues_with_a_reason(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertContains(self.client.get(self.url), "Rééditer : Relevé individuel")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.url, {"motif": "Commentaire de gabarit imprimé."}
            )
        self.assertRedirects(
            response, reverse("evaluations:emission_session", args=[self.sc.session.pk])
        )
        old = Document.objects.get(pk=self.releve.pk)
        new = Document.objects.get(
            inscription=self.sc.certifie, nature="releve", statut="valide"
        )
        self.assertEqual(
            (
                old.statut,
                old.motif_revocation,
                old.revoque_par,
                new.version,
                new.remplace,
            ),
            (
                "revoque",
                "Remplacé par la version 2. Commentaire de gabarit imprimé.",
                self.sc.admin,
                2,
                old,
            ),
        )
        self.assertEqual(new.snapshot["schema"], 2)
        self.assertEqual(
            [(m.to, m.subject) for m in mail.outbox],
            [
                (
                    [self.sc.certifie.candidat.user.email],
                    "Votre document de certification est disponible",
                )
            ],
        )

    def test_reason_required_nothing_stored(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.post(self.url, {"motif": "  "})
        self.assertContains(response, "Indiquez le motif de la réédition.")
        self.assertEqual(Document.objects.filter(nature="releve").count(), 4)

    def test_nul_character_refused(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.post(self.url, {"motif": "a\x00b"})
        self.assertContains(
            response,
            "La requête contient un caractère nul (invisible) : retirez-le du texte "
            "saisi et réessayez.",
            status_code=400,
        )
        self.assertEqual(Document.objects.filter(nature="releve").count(), 4)

    def test_an_old_version_cannot_be_reissued(self) -> None:
        self.client.force_login(self.sc.admin)
        self.client.post(self.url, {"motif": "Première réédition."})
        response = self.client.post(self.url, {"motif": "Seconde réédition."})
        self.assertContains(
            response, "Ce document a déjà été remplacé par une version plus récente."
        )
        self.assertEqual(
            Document.objects.filter(
                inscription=self.sc.certifie, nature="releve"
            ).count(),
            2,
        )

    def test_pv_reissued(self) -> None:
        pv = Document.objects.get(nature="pv", statut="valide")
        self.client.force_login(self.sc.admin)
        self.client.post(
            reverse("evaluations:document_reissue", args=[pv.pk]),
            {"motif": "Mentions du certificateur."},
        )
        self.assertEqual(
            list(Document.objects.filter(nature="pv").values_list("version", "statut")),
            [(2, "valide"), (1, "revoque")],
        )

    def test_wrong_role_403_unknown_404_wrong_method_405(self) -> None:
        self.client.force_login(self.membre)
        self.assertEqual(self.client.post(self.url, {"motif": "x"}).status_code, 403)
        self.client.force_login(self.sc.certifie.candidat.user)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.force_login(self.sc.admin)
        missing = reverse("evaluations:document_reissue", args=[999999])
        self.assertEqual(self.client.get(missing).status_code, 404)
        self.assertEqual(self.client.put(self.url).status_code, 405)
        self.assertEqual(Document.objects.filter(nature="releve").count(), 4)

    def command(self, *args: str) -> str:
        """What ``documents_a_reediter`` prints, run with ``args``."""
        out = StringIO()
        call_command("documents_a_reediter", *args, stdout=out)
        return out.getvalue()

    def listed(self) -> str:
        """The command's listing when the certified candidate's relevé is the one
        document to re-issue."""
        return (
            "Session juin · Relevé individuel de résultats v1 · Marie DUPONT · "
            f"{self.releve.code_affiche}\n1 document à rééditer.\n"
        )

    def current_releve(self) -> Document:
        return Document.objects.get(
            inscription=self.sc.certifie, nature="releve", statut="valide"
        )

    def test_command_lists_documents_printing_a_country_code_as_birthplace(
        self,
    ) -> None:
        """Documents of holders born abroad printed the country's INSEE code
        (« née le … à 99351 ») until the place was written out; they are
        listed, and a re-issue prints « Tunis (Tunisie) »."""
        snapshot = dict(self.releve.snapshot)
        snapshot["titulaire"] = {**snapshot["titulaire"], "lieu_naissance": "99351"}
        Document.objects.filter(pk=self.releve.pk).update(snapshot=snapshot)
        Candidat.objects.filter(pk=self.sc.certifie.candidat_id).update(
            commune_naissance="Tunis", code_insee_naissance="", pays_naissance="99351"
        )
        self.assertEqual(self.command(), self.listed())
        self.command("--reediter", "Lieu de naissance.")
        new = self.current_releve()
        self.assertEqual(
            (new.version, new.snapshot["titulaire"]["lieu_naissance"]),
            (2, "Tunis (Tunisie)"),
        )
        self.assertEqual(self.command(), "0 document à rééditer.\n")

    def test_command_lists_then_reissues_version_1_documents(self) -> None:
        Document.objects.filter(pk=self.releve.pk).update(
            snapshot=json.loads((FIXTURES / "snapshot_v1_releve.json").read_text())
        )
        self.assertEqual(self.command(), self.listed())
        out = self.command("--reediter", "Commentaire imprimé.")
        new = self.current_releve()
        self.assertEqual(
            out.splitlines()[0],
            "Session juin · Relevé individuel de résultats v1 · Marie DUPONT · "
            f"{self.releve.code_affiche} → v2 {new.code_affiche}",
        )
        self.assertEqual(self.command(), "0 document à rééditer.\n")
