"""An absent candidate: the jury records « absent » without a single score; the
session closes without 71 « non acquis »; the relevé and the PV say « absent »."""

import io
from datetime import timedelta

import pypdf
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations.deliberation.models import Deliberation
from evaluations.deliberation.services import absence_record
from evaluations.documents.models import Document
from evaluations.documents.tasks import emission_launch
from evaluations.notation.models import Consolidation
from evaluations.sessions.models import BlocAcquis, Session
from evaluations.sessions.services import session_mark_deliberated
from evaluations.sessions.verrou import DeliberationVerrouilleeError
from tests.evaluations.notation.test_consolidation import ConsolidationTestCase

MOTIF = "Ne s'est pas présenté à l'épreuve orale du 12 juin."


def pdf_text(document: Document) -> str:
    with document.fichier.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


class AbsenceServiceTests(ConsolidationTestCase):
    def absent(self, **kwargs: object) -> Deliberation:
        params: dict = {
            "inscription": self.inscription,
            "motif": MOTIF,
            "presents": [self.president, self.m1],
            "by": self.president.user,
        }
        params.update(kwargs)
        return absence_record(**params)

    def test_absent_without_any_score_closes_the_session(self) -> None:
        self.assertIs(Consolidation.objects.exists(), False)
        deliberation = self.absent()
        self.assertEqual(
            (
                deliberation.decision,
                deliberation.motif,
                deliberation.verrouillee,
                list(deliberation.blocs_valides.all()),
                sorted(m.pk for m in deliberation.presents.all()),
            ),
            ("absent", MOTIF, True, [], sorted([self.president.pk, self.m1.pk])),
        )
        self.assertIs(BlocAcquis.objects.exists(), False)
        session = session_mark_deliberated(session=self.session, by=self.admin)
        self.assertEqual(session.statut, "deliberee")

    def test_refusals_store_nothing(self) -> None:
        cases: list[tuple[dict[str, object], str]] = [
            ({"motif": "  "}, "Indiquez le motif de l'absence"),
            ({"presents": [self.president]}, "Quorum non atteint"),
            (
                {"presents": [self.m1, self.m2]},
                "Le président du jury doit être présent.",
            ),
        ]
        for kwargs, message in cases:
            with (
                self.subTest(kwargs=kwargs),
                self.assertRaisesMessage(ValidationError, message),
            ):
                self.absent(**kwargs)
        Session.objects.filter(pk=self.session.pk).update(
            date_jury=timezone.localdate() + timedelta(days=2)
        )
        with self.assertRaisesMessage(
            ValidationError, "il ne peut pas constater l'absence avant"
        ):
            self.absent()
        self.assertIs(Deliberation.objects.exists(), False)

    def test_locked_enrolment_refused(self) -> None:
        self.absent()
        with self.assertRaises(DeliberationVerrouilleeError):
            self.absent(motif="Encore.")
        self.assertEqual(Deliberation.objects.get().motif, MOTIF)

    def test_releve_and_pv_say_absent(self) -> None:
        self.absent()
        Session.objects.filter(pk=self.session.pk).update(statut="deliberee")
        emission_launch(session=Session.objects.get(pk=self.session.pk), by=self.admin)
        self.assertEqual(
            sorted(Document.objects.values_list("nature", flat=True)), ["pv", "releve"]
        )
        releve = pdf_text(Document.objects.get(nature="releve"))
        self.assertIn("Décision du jury : Absent", releve)
        self.assertIn(f"Motif : {MOTIF}", releve)
        self.assertIn("RNCP99999BC01 (B1) Bloc 1 — Absent", releve)
        self.assertIn("RNCP99999BC02 (B2) Bloc 2 — Absent", releve)
        self.assertNotIn("Non évalué", releve)
        pv = pdf_text(Document.objects.get(nature="pv"))
        self.assertIn(
            f"Candidats absents Candidat Motif de l'absence Marie DUPONT {MOTIF}", pv
        )
        # The count line says how many were absent.
        self.assertIn(
            "Résultats : 1 candidat : aucun certifié, aucune validation partielle, "
            "aucun non validé, 1 absent",
            pv,
        )


class AbsenceViewTests(ConsolidationTestCase):
    def setUp(self) -> None:
        self.url = reverse("evaluations:absence", args=[self.inscription.pk])
        self.deliberation_url = reverse(
            "evaluations:deliberation", args=[self.inscription.pk]
        )

    def post(self, **data: object):  # type: ignore[no-untyped-def]
        return self.client.post(
            self.url,
            {
                "absence-motif": MOTIF,
                "absence-presents": [self.president.pk, self.m1.pk],
                **data,
            },
        )

    def test_president_records_the_absence(self) -> None:
        self.client.force_login(self.president.user)
        page = self.client.get(self.deliberation_url)
        self.assertContains(page, "Enregistrer l'absence")
        response = self.post()
        self.assertRedirects(
            response, self.deliberation_url, fetch_redirect_response=False
        )
        self.assertEqual(Deliberation.objects.get().decision, "absent")
        self.assertContains(self.client.get(self.deliberation_url), "Décision : Absent")

    def test_refused_with_a_message_nothing_stored(self) -> None:
        self.client.force_login(self.president.user)
        response = self.post(**{"absence-motif": ""})
        self.assertContains(
            response,
            "Indiquez le motif de l&#x27;absence (épreuve, date, justificatif).",
            status_code=400,
        )
        response = self.post(**{"absence-presents": [self.president.pk]})
        self.assertContains(response, "Quorum non atteint", status_code=400)
        self.assertIs(Deliberation.objects.exists(), False)

    def test_outsider_wrong_role_wrong_method(self) -> None:
        self.client.force_login(self.outsider)
        self.assertEqual(self.post().status_code, 404)
        self.client.force_login(self.m1.user)
        self.assertEqual(self.post().status_code, 403)
        self.client.force_login(self.president.user)
        self.assertEqual(self.client.get(self.url).status_code, 405)
        self.assertIs(Deliberation.objects.exists(), False)
