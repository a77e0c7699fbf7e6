"""No template syntax ever reaches an issued file or an e-mail.

Django prints a ``{# … #}`` that spans lines as text, and a document issued with
it is frozen: every relevé issued before this test existed started with such a
comment. Two checks: every template is scanned for a multi-line ``{# … #}``, and
every PDF and e-mail the platform produces is rendered from realistic data and
searched for template markers."""

import io
import re
from datetime import time
from pathlib import Path

import pypdf
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from certif.models import MessageEnvoye
from evaluations.documents.models import Document
from evaluations.documents.tasks import emission_launch
from evaluations.epreuves.documents import planning_pdf
from evaluations.epreuves.models import Convocation, Planning
from evaluations.epreuves.selectors import passages_of
from evaluations.epreuves.services import passage_save
from evaluations.epreuves.tasks import convocations_launch, publish_launch
from evaluations.livrables.models import Livrable
from evaluations.recours.services import (
    recours_decider,
    recours_deposer,
    recours_instruire,
)
from evaluations.resultats.tasks import publication_launch
from evaluations.sessions.services import candidat_invite
from evaluations.statistiques.documents import rapport_pdf
from evaluations.statistiques.selectors import rapport_of
from handicap.models import DemandeAmenagement
from handicap.services import courrier_envoyer
from referentiel.documents import referentiel_pdf
from referentiel.models import Modalite
from referentiel.selectors import referentiel_tree
from tests.browser.worlds import pdf_upload
from tests.evaluations.epreuves.base import aware
from tests.evaluations.epreuves.test_services import PassageTestCase
from tests.evaluations.factories_documents import make_scenario
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
)

MARKERS = ("{#", "#}", "{%", "%}", "{{", "}}")
# A "{#" whose "#}" is not on the same line: Django prints it as text.
MULTILINE_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def leaks(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


class TemplateSourceTests(TestCase):
    def test_no_comment_spans_lines(self) -> None:
        offenders = []
        for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*")):
            if path.suffix not in {".html", ".txt", ".xml", ".ics"}:
                continue
            for match in MULTILINE_COMMENT.finditer(path.read_text()):
                line = path.read_text()[: match.start()].count("\n") + 1
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{line}")
        self.assertEqual(offenders, [])

    def test_the_scan_finds_a_multiline_comment(self) -> None:
        self.assertEqual(
            [m.group(0) for m in MULTILINE_COMMENT.finditer("a {# b\n c #} {# d #}")],
            ["{# b"],
        )


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class RenderedOutputTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        mail.outbox = []
        with cls.captureOnCommitCallbacks(execute=True):
            emission_launch(session=cls.sc.session, by=cls.sc.admin)
            # The publication of the results: the letters, and the result
            # e-mails (emission before it tells nobody).
            publication_launch(session=cls.sc.session, prevue_le=None, by=cls.sc.admin)
        # The outbox is emptied before each test: keep the publication's notices.
        cls.notices = list(mail.outbox)
        # An appeal through every step: its e-mails and the addendum to the PV.
        recours = recours_deposer(
            inscription=cls.sc.echec,
            texte="La décision doit être revue.",
            pieces=[],
            by=cls.sc.echec.candidat.user,
        )
        recours_instruire(recours=recours, by=cls.sc.admin)
        recours_decider(
            recours=recours,
            issue="maintenue",
            motif="Appréciation confirmée.",
            by=cls.sc.admin,
        )

    def test_issued_documents_carry_no_template_syntax(self) -> None:
        natures = set()
        for document in Document.objects.all():
            with document.fichier.open("rb") as handle:
                text = pdf_text(handle.read())
            natures.add(document.nature)
            self.assertEqual(leaks(text), [], f"{document} : {text[:200]}")
        self.assertEqual(
            natures, {"parchemin", "attestation", "releve", "pv", "lettre", "addendum"}
        )

    def test_decision_letter_carries_no_template_syntax(self) -> None:
        demande = DemandeAmenagement.objects.exclude(courrier="").get()
        with demande.courrier.open("rb") as handle:
            text = pdf_text(handle.read())
        self.assertIn("Aménagements accordés", text)
        self.assertEqual(leaks(text), [])

    def test_referentiel_pdf_carries_no_template_syntax(self) -> None:
        rendered = referentiel_pdf(referentiel_tree(pk=self.sc.session.referentiel_id))
        self.assertEqual(leaks(pdf_text(rendered.content)), [])

    def test_yearly_report_carries_no_template_syntax(self) -> None:
        rendered = rapport_pdf(
            rapport_of(
                user=self.sc.admin,
                certification=self.sc.session.referentiel.certification,
                fin=timezone.localdate().year,
            )
        )
        text = pdf_text(rendered.content)
        self.assertIn("Rapport statistique", text)
        self.assertEqual(leaks(text), [])

    def test_emails_carry_no_template_syntax(self) -> None:
        candidat = self.sc.certifie.candidat
        with self.captureOnCommitCallbacks(execute=True):
            candidat_invite(candidat=candidat)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("password_reset"), {"email": candidat.user.email}
            )
        self.assertEqual(response.status_code, 302)
        with self.captureOnCommitCallbacks(execute=True):
            courrier_envoyer(
                demande=DemandeAmenagement.objects.exclude(courrier="").get()
            )
        messages = [*self.notices, *mail.outbox]
        self.assertEqual(
            [m.subject for m in messages][-3:],
            [
                "Votre compte sur la plateforme de certification",
                "Votre mot de passe sur la plateforme de certification",
                "Décision sur votre demande d'aménagement — Session juin",
            ],
        )
        # One result e-mail per deliberated candidate, with the letter.
        self.assertEqual(
            [m.subject for m in self.notices],
            ["Votre résultat — session « Session juin »"] * 4,
        )
        for message in messages:
            for text in (message.subject, message.body):
                self.assertEqual(leaks(str(text)), [], text)

    def test_appeal_emails_carry_no_template_syntax(self) -> None:
        appels = MessageEnvoye.objects.filter(gabarit__startswith="recours_")
        self.assertEqual(
            sorted(appels.values_list("gabarit", flat=True)),
            [
                "recours_decision",
                "recours_depose",
                "recours_instruction",
                "recours_signale",
                "recours_signale",
            ],
        )
        for notice in appels:
            for text in (notice.sujet, notice.corps):
                self.assertEqual(leaks(text), [], text)


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class EpreuvesOutputTests(PassageTestCase):
    """The convocations (first and modified), their e-mails and calendar files,
    and the printable timetable."""

    def test_convocations_and_timetable_carry_no_template_syntax(self) -> None:
        passage = self.place()
        with self.captureOnCommitCallbacks(execute=True):
            publish_launch(session=self.session, by=self.admin)
        with self.captureOnCommitCallbacks(execute=True):
            passage_save(
                saisi=self.saisi(debut=aware(self.jour1, time(14))),
                passage=passage,
                by=self.admin,
            )
            convocations_launch(planning=Planning.objects.get())
        self.assertEqual(
            [m.subject for m in mail.outbox],
            [
                "Convocation — Session juin",
                "Vos épreuves — Session juin",
                "Vos épreuves — Session juin",
                "Convocation modifiée — Session juin",
                "Vos épreuves modifiées — Session juin",
                "Vos épreuves modifiées — Session juin",
            ],
        )
        # The candidate's convocations and the jury members' schedules.
        for message in mail.outbox:
            (_pdf_name, pdf, _type), (_ics_name, ics, _type2) = message.attachments  # type: ignore[misc]
            ics_text = ics if isinstance(ics, str) else ics.decode()
            for text in (message.subject, message.body, pdf_text(pdf), ics_text):
                self.assertEqual(leaks(str(text)), [], text)
        for convocation in Convocation.objects.all():
            with convocation.fichier.open("rb") as handle:
                self.assertEqual(leaks(pdf_text(handle.read())), [])
        rendered = planning_pdf(
            titre="Planning", passages=passages_of(session=self.session)
        )
        text = pdf_text(rendered.content)
        self.assertIn("Camille MARTIN", text)
        self.assertEqual(leaks(text), [])


class RecuDepotOutputTests(TestCase):
    """The deposit receipt: its PDF and the e-mail that carries it."""

    def test_receipt_and_its_email_carry_no_template_syntax(self) -> None:
        referentiel = make_referentiel()
        candidat = make_candidat("camille@example.org", nom="Martin", prenom="Camille")
        inscription = make_inscription(candidat, make_session(referentiel))
        modalite = Modalite.objects.filter(competence__referentiel=referentiel).first()
        assert modalite is not None
        self.client.force_login(candidat.user)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("evaluations:depot", args=[inscription.pk, modalite.pk]),
                {"fichiers": pdf_upload("rapport.pdf")},
            )
        self.assertEqual(response.status_code, 302)
        (message,) = mail.outbox
        assert isinstance(message, EmailMultiAlternatives)
        ((html, _mime),) = message.alternatives
        ((_nom, pdf, _type),) = message.attachments  # type: ignore[misc]
        self.assertIn("rapport.pdf", pdf_text(pdf))
        for text in (message.subject, message.body, html, pdf_text(pdf)):
            self.assertEqual(leaks(str(text)), [], text)
        livrable = Livrable.objects.get()
        response = self.client.get(
            reverse("evaluations:livrable_recu", args=[livrable.pk])
        )
        text = pdf_text(b"".join(response.streaming_content))  # type: ignore[arg-type]
        self.assertIn(livrable.sha256, text)
        self.assertEqual(leaks(text), [])
