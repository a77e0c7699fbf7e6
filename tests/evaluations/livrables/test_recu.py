"""The deposit receipt: one PDF per deposit (one version of one file), rebuilt
from the stored deposit, for whoever may read that file."""

import hashlib
import io
from datetime import UTC, datetime

import pypdf
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from certif.models import MessageEnvoye
from certif.roles import Role
from evaluations.jury.models import Affectation
from evaluations.livrables.documents import recu_pdf
from evaluations.livrables.models import Livrable
from evaluations.livrables.selectors import recu_of
from evaluations.livrables.services import recu_send
from evaluations.livrables.tasks import envoyer_recu
from referentiel.models import Certificateur
from tests.evaluations.factories import (
    make_livrable,
    modalites_of,
    ooxml_bytes,
    pdf_bytes,
    upload,
)
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
        cls.candidat = make_candidat(
            "camille@example.org", nom="Martin", prenom="Camille"
        )
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


class RecuEmailTests(RecuTestCase):
    def deposer(self, *files):  # type: ignore[no-untyped-def]
        self.client.force_login(self.candidat.user)
        url = reverse("evaluations:depot", args=[self.inscription.pk, self.modalite.pk])
        mail.outbox = []
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, {"fichiers": list(files)})

    def test_one_email_per_accepted_deposit(self) -> None:
        rapport = pdf_bytes(b"rapport")
        response = self.deposer(
            upload("rapport.pdf", rapport), upload("annexe.docx", ooxml_bytes("word"))
        )
        self.assertEqual(response.status_code, 302)
        rapport_livrable, annexe = Livrable.objects.exclude(
            pk=self.livrable.pk
        ).order_by("pk")
        self.assertEqual(
            [(m.subject, m.to) for m in mail.outbox],
            [
                (
                    "Accusé de dépôt : « rapport.pdf » — Session printemps",
                    ["camille@example.org"],
                ),
                (
                    "Accusé de dépôt : « annexe.docx » — Session printemps",
                    ["camille@example.org"],
                ),
            ],
        )
        message = mail.outbox[0]
        dossier = (
            f"https://certif.test/candidat/inscriptions/{self.inscription.pk}/"
            f"#modalite-{self.modalite.pk}"
        )
        sha = hashlib.sha256(rapport).hexdigest()
        local = timezone.localtime(rapport_livrable.depose_le)
        quand = f"{date_format(local, 'l j F Y')} à {local:%H:%M:%S} (heure de Paris)"
        self.assertEqual(
            message.body,
            "Bonjour Camille MARTIN,\n\n"
            "Votre fichier est bien déposé pour la session « Session printemps ».\n\n"
            f"Modalité : {self.modalite.competence.code} — {self.modalite.intitule}\n"
            "Fichier : rapport.pdf (version 1)\n"
            f"Taille : {len(rapport)} octets\n"
            f"Empreinte SHA-256 : {sha}\n"
            f"Déposé le : {quand}\n\n"
            "L'accusé de dépôt est joint à ce message, en PDF. Vous le retrouvez "
            "aussi, pour chaque version de chaque fichier, dans votre dossier :\n"
            f"{dossier}\n",
        )
        assert isinstance(message, EmailMultiAlternatives)
        ((html, mime),) = message.alternatives
        assert isinstance(html, str)
        self.assertEqual(mime, "text/html")
        self.assertIn(f'<a href="{dossier}">{dossier}</a>', html)
        self.assertIn(sha, html)
        ((nom, contenu, type_mime),) = message.attachments  # type: ignore[misc]
        self.assertEqual(
            (nom, type_mime),
            (f"accuse-depot-{rapport_livrable.pk}-rapport.pdf", "application/pdf"),
        )
        text = pdf_text(contenu)
        self.assertIn(sha, text)
        self.assertIn("rapport.pdf", text)
        self.assertEqual(
            MessageEnvoye.objects.get(cle=f"recu:{annexe.pk}").pieces_jointes,
            [f"accuse-depot-{annexe.pk}-annexe.pdf"],
        )

    def test_sent_once_even_when_the_task_runs_again(self) -> None:
        self.deposer(upload("rapport.pdf"))
        livrable = Livrable.objects.latest("pk")
        self.assertEqual(len(mail.outbox), 1)
        with self.captureOnCommitCallbacks(execute=True):
            envoyer_recu.enqueue(livrable.pk)
        self.assertIsNone(recu_send(livrable_id=livrable.pk))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(MessageEnvoye.objects.filter(gabarit="recu_depot").count(), 1)

    def test_no_email_for_a_refused_deposit(self) -> None:
        response = self.deposer(upload("setup.pdf", b"MZ" + b"\x00" * 100))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(MessageEnvoye.objects.count(), 0)
