"""The deposit receipt: one PDF per deposit (one version of one file), rebuilt
from the stored deposit, for whoever may read that file."""

import hashlib
import io
from datetime import UTC, datetime

import pypdf
from django.test import TestCase
from django.urls import reverse

from certif.roles import Role
from evaluations.jury.models import Affectation
from evaluations.livrables.documents import recu_pdf
from evaluations.livrables.models import Livrable
from evaluations.livrables.selectors import recu_of
from referentiel.models import Certificateur
from tests.evaluations.factories import make_livrable, modalites_of, pdf_bytes
from tests.evaluations.factories_documents import make_membre
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
)

# 29 March 2026, 01:30 UTC: half an hour after Paris went to summer time.
DEPOSE_LE = datetime(2026, 3, 29, 1, 30, 5, tzinfo=UTC)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


class RecuTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.referent = make_user("referent@example.org", Role.REFERENT_HANDICAP)
        cls.referentiel = make_referentiel()
        cls.session = make_session(cls.referentiel, nom="Session printemps")
        cls.candidat = make_candidat("camille@example.org", nom="Martin", prenom="Camille")
        cls.inscription = make_inscription(cls.candidat, cls.session, blocs=["A1"])
        cls.autre = make_candidat("autre@example.org", nom="Autre")
        cls.autre_inscription = make_inscription(cls.autre, cls.session)
        cls.modalite = modalites_of(cls.inscription)[0]
        cls.content = pdf_bytes(b"x" * 3000)
        cls.livrable = make_livrable(
            cls.inscription,
            cls.modalite,
            name="Étude de cas.pdf",
            content=cls.content,
        )
        Livrable.objects.filter(pk=cls.livrable.pk).update(depose_le=DEPOSE_LE)
        cls.evaluateur = make_membre(cls.session, "eval@example.org")
        Affectation.objects.create(membre=cls.evaluateur, inscription=cls.inscription)
        cls.non_affecte = make_membre(cls.session, "autre-eval@example.org")
        Affectation.objects.create(
            membre=cls.non_affecte, inscription=cls.autre_inscription
        )
        cls.president = make_membre(cls.session, "pres@example.org", president=True)
        cls.url = reverse("evaluations:livrable_recu", args=[cls.livrable.pk])


class RecuPdfTests(RecuTestCase):
    def test_the_receipt_says_what_was_deposited_and_when(self) -> None:
        self.client.force_login(self.candidat.user)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="accuse-depot-{self.livrable.pk}-etude-de-cas.pdf"',
        )
        self.assertEqual(response["Cache-Control"], "private, no-store")
        text = pdf_text(b"".join(response.streaming_content))  # type: ignore[arg-type]
        lines = [line.strip() for line in text.splitlines()]
        sha = hashlib.sha256(self.content).hexdigest()
        self.assertEqual(len(self.content), 3125)
        modalite = self.modalite
        for expected in (
            "Institut Exemple de Certification",
            "12 rue des Écoles",
            "69002 Lyon",
            "Accusé de dépôt",
            "Candidat : Camille MARTIN (camille@example.org)",
            "Session : Session printemps",
            f"Modalité {modalite.competence.code} — {modalite.intitule}",
            "Fichier Étude de cas.pdf",
            "Version 1",
            "Taille 3,1\xa0ko (3\xa0125 octets)",
            f"Empreinte SHA-256 {sha}",
            "Déposé le dimanche 29 mars 2026 à 03:30:05 (heure de Paris)",
        ):
            with self.subTest(expected=expected):
                self.assertIn(expected, lines)
        self.assertNotIn("SPÉCIMEN", text)
        for marker in ("{#", "#}", "{%", "%}", "{{", "}}", "Mio"):
            self.assertNotIn(marker, text)

    def test_the_same_receipt_every_time(self) -> None:
        first = recu_pdf(recu_of(livrable=self.livrable))
        second = recu_pdf(recu_of(livrable=self.livrable))
        self.assertEqual(first, second)

    def test_specimen_mark(self) -> None:
        Certificateur.objects.update(specimen=True)
        text = pdf_text(recu_pdf(recu_of(livrable=self.livrable)).content)
        self.assertIn("SPÉCIMEN — document de démonstration sans valeur", text)

    def test_every_version_has_its_receipt(self) -> None:
        v2 = make_livrable(
            self.inscription, self.modalite, name="Étude de cas.pdf", content=b"%PDF-2"
        )
        self.assertEqual((v2.version, v2.remplace_id), (2, self.livrable.pk))
        first = recu_of(livrable=self.livrable)
        second = recu_of(livrable=v2)
        self.assertEqual((first.version, second.version), (1, 2))
        self.assertEqual(first.sha256, hashlib.sha256(self.content).hexdigest())
        self.assertEqual(second.sha256, hashlib.sha256(b"%PDF-2").hexdigest())
        dossier = reverse("evaluations:dossier", args=[self.inscription.pk])
        for user in (self.candidat.user, self.admin):
            self.client.force_login(user)
            response = self.client.get(dossier)
            for livrable in (self.livrable, v2):
                with self.subTest(user=user.email, version=livrable.version):
                    self.assertContains(
                        response,
                        f'href="/livrables/{livrable.pk}/accuse-depot/"',
                        count=1,
                    )


class RecuPermissionTests(RecuTestCase):
    def get_status(self, user) -> int:  # type: ignore[no-untyped-def]
        self.client.force_login(user)
        return self.client.get(self.url).status_code

    def test_who_reads_the_receipt(self) -> None:
        for user, status in (
            (self.candidat.user, 200),
            (self.admin, 200),
            (self.evaluateur.user, 200),
            (self.president.user, 200),
            (self.non_affecte.user, 404),
            (self.autre.user, 404),
            (self.referent, 403),
        ):
            with self.subTest(user=user.email):
                self.assertEqual(self.get_status(user), status)

    def test_anonymous_goes_to_the_login_page(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(
            response, f"/connexion/?next={self.url}", fetch_redirect_response=False
        )

    def test_wrong_method(self) -> None:
        self.client.force_login(self.candidat.user)
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_unknown_deposit(self) -> None:
        self.client.force_login(self.candidat.user)
        url = reverse("evaluations:livrable_recu", args=[self.livrable.pk + 1000])
        self.assertEqual(self.client.get(url).status_code, 404)
