"""The appeals' pages: the candidate's filing (from the result page), the list
and the page of an appeal for the administrator and the session's president,
its instruction, decision, re-issue of the documents and addendum, and the
download of a joined document. Every view: permitted user, outsider 404, wrong
role 403, wrong method 405; the list in a fixed number of queries."""

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils.html import escape

from certif.roles import Role
from evaluations.deliberation.models import Deliberation
from evaluations.deliberation.services import deliberation_record
from evaluations.documents.models import Document
from evaluations.jury.models import ConflitInterets
from evaluations.recours.models import PieceRecours, Recours
from tests.clock import frozen
from tests.evaluations.factories import pdf_bytes
from tests.evaluations.factories_documents import make_membre
from tests.evaluations.recours.factories import (
    LENDEMAIN,
    RecoursTestCase,
    file_appeal,
    moment,
    published_scenario,
)
from tests.factories import make_session, make_user

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@override_settings(EMAIL_BACKEND=LOCMEM)
class ViewsTestCase(RecoursTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = published_scenario()
        cls.zoe = cls.sc.echec
        cls.candidate = cls.zoe.candidat.user
        cls.other = cls.sc.partiel.candidat.user
        cls.admin = cls.sc.admin
        cls.president = cls.sc.president.user
        cls.member = cls.sc.membre.user
        cls.referent = make_user("ref-recours@test.fr", Role.REFERENT_HANDICAP)
        other_session = make_session(cls.sc.referentiel, nom="Autre")
        cls.other_president = make_membre(
            other_session, "autre-pres@test.fr", president=True
        ).user

    def status(self, user: object, method: str, url: str, data: object = None) -> int:
        if user is None:
            self.client.logout()
        else:
            self.client.force_login(user)  # type: ignore[arg-type]
        with frozen(moment(2)):
            response = getattr(self.client, method)(url, data or {})
        return int(response.status_code)


class FilingViewTests(ViewsTestCase):
    def url(self) -> str:
        return f"/resultats/{self.zoe.pk}/recours/"

    def test_the_result_page_offers_the_appeal_with_its_deadline(self) -> None:
        self.client.force_login(self.candidate)
        with frozen(moment(1)):
            response = self.client.get(f"/resultats/{self.zoe.pk}/")
        self.assertContains(
            response,
            "Vous pouvez former un recours contre la décision du jury jusqu'au 18 mai "
            "2026 inclus.",
        )
        self.assertContains(response, f'href="{self.url()}"')
        with frozen(LENDEMAIN):
            response = self.client.get(f"/resultats/{self.zoe.pk}/")
        self.assertContains(
            response, "Le délai de recours est clos depuis le 19 mai 2026."
        )
        self.assertNotContains(response, f'href="{self.url()}"')

    def test_the_candidate_files_an_appeal_with_a_document(self) -> None:
        self.client.force_login(self.candidate)
        with self.captureOnCommitCallbacks(execute=True), frozen(moment(1)):
            response = self.client.post(
                self.url(),
                {
                    "texte": "Le critère C1.1.1 a été mal apprécié.",
                    "pieces": [
                        SimpleUploadedFile("preuve.pdf", pdf_bytes(), "application/pdf")
                    ],
                },
            )
        recours = Recours.objects.get()
        self.assertRedirects(
            response, f"/resultats/{self.zoe.pk}/", fetch_redirect_response=False
        )
        self.assertEqual([p.nom_original for p in recours.pieces.all()], ["preuve.pdf"])
        self.assertEqual(len(mail.outbox), 3)
        with frozen(moment(1)):
            page = self.client.get(f"/resultats/{self.zoe.pk}/")
        self.assertContains(page, f"Recours {recours.reference} formé le 19 mars 2026")
        self.assertContains(
            page,
            escape(
                f"Votre recours {recours.reference} est en cours d'examen : un autre "
                "recours ne peut être formé qu'après sa décision."
            ),
        )

    def test_after_the_delay_the_page_says_why_and_a_post_stores_nothing(
        self,
    ) -> None:
        self.client.force_login(self.candidate)
        with frozen(LENDEMAIN):
            page = self.client.get(self.url())
            response = self.client.post(self.url(), {"texte": "Trop tard."})
        self.assertContains(page, "Le délai de recours est clos depuis le 19 mai 2026.")
        self.assertContains(
            response,
            "Le délai de recours est clos depuis le 19 mai 2026.",
            status_code=400,
        )
        self.assertEqual(Recours.objects.count(), 0)

    def test_a_nul_character_is_refused(self) -> None:
        self.client.force_login(self.candidate)
        with frozen(moment(1)):
            response = self.client.post(self.url(), {"texte": "a\x00b"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Recours.objects.count(), 0)

    def test_permissions(self) -> None:
        self.assertEqual(self.status(self.candidate, "get", self.url()), 200)
        for user, expected in (
            (self.other, 404),
            (self.admin, 403),
            (self.president, 403),
            (self.member, 403),
        ):
            with self.subTest(user=user.email):
                self.assertEqual(self.status(user, "get", self.url()), expected)
                self.assertEqual(
                    self.status(user, "post", self.url(), {"texte": "x"}), expected
                )
        self.assertEqual(self.status(self.candidate, "put", self.url()), 405)
        self.assertEqual(Recours.objects.count(), 0)


class HandlingViewTests(ViewsTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.recours = file_appeal(cls.zoe, pieces=("preuve.pdf",))
        cls.piece = cls.recours.pieces.get()

    def test_list_for_the_administrator_and_the_president(self) -> None:
        for user in (self.admin, self.president):
            self.client.force_login(user)
            response = self.client.get("/recours/")
            self.assertEqual(
                [r.pk for r in response.context["page"].object_list],
                [self.recours.pk],
            )
            self.assertContains(response, self.recours.reference)
        self.client.force_login(self.other_president)
        self.assertEqual(
            list(self.client.get("/recours/").context["page"].object_list), []
        )
        for user in (self.candidate, self.member, self.referent):
            self.assertEqual(self.status(user, "get", "/recours/"), 403)
        self.assertEqual(self.status(self.admin, "post", "/recours/"), 405)
        self.assertEqual(self.status(None, "get", "/recours/"), 302)

    def test_list_filter_by_status(self) -> None:
        self.client.force_login(self.admin)
        for statut, expected in (
            ("depose", [self.recours.pk]),
            ("decide", []),
            ("inconnu", [self.recours.pk]),
        ):
            response = self.client.get("/recours/", {"statut": statut})
            self.assertEqual(
                [r.pk for r in response.context["page"].object_list], expected
            )

    def test_list_query_count_does_not_grow(self) -> None:
        self.client.force_login(self.admin)
        self.client.get("/recours/")
        with self.assertNumQueries(5):
            self.client.get("/recours/")
        for inscription in (self.sc.partiel, self.sc.certifie):
            file_appeal(inscription)
        with self.assertNumQueries(5):
            response = self.client.get("/recours/")
        self.assertEqual(len(response.context["page"].object_list), 3)

    def test_the_page_shows_the_text_and_the_documents(self) -> None:
        self.client.force_login(self.president)
        response = self.client.get(f"/recours/{self.recours.pk}/")
        self.assertContains(response, "Le critère C1.1.1 a été mal apprécié.")
        self.assertContains(
            response, f'href="/recours/pieces/{self.piece.pk}/">preuve.pdf</a>'
        )
        self.assertContains(response, "Mettre en instruction")

    def test_page_permissions(self) -> None:
        url = f"/recours/{self.recours.pk}/"
        for user, expected in (
            (self.admin, 200),
            (self.president, 200),
            (self.other_president, 404),
            (self.candidate, 403),
            (self.other, 403),
            (self.member, 403),
            (self.referent, 403),
        ):
            with self.subTest(user=user.email):
                self.assertEqual(self.status(user, "get", url), expected)
        self.assertEqual(self.status(self.admin, "post", url), 405)
        ConflitInterets.objects.create(
            membre=self.sc.president,
            inscription=self.zoe,
            nature=ConflitInterets.Nature.EMPLOYEUR,
        )
        self.assertEqual(self.status(self.president, "get", url), 404)

    def test_download_after_the_permission_check(self) -> None:
        url = f"/recours/pieces/{self.piece.pk}/"
        for user in (self.admin, self.president, self.candidate):
            self.client.force_login(user)
            response = self.client.get(url)
            self.assertEqual(b"".join(response.streaming_content), pdf_bytes())
            self.assertEqual(
                response["Content-Disposition"], 'attachment; filename="preuve.pdf"'
            )
            self.assertEqual(response["Cache-Control"], "private, no-store")
        for user, expected in (
            (self.other, 404),
            (self.other_president, 404),
            (self.member, 403),
            (self.referent, 403),
        ):
            with self.subTest(user=user.email):
                self.assertEqual(self.status(user, "get", url), expected)
        self.assertEqual(self.status(self.admin, "post", url), 405)

    def test_instruct_then_decide_maintained(self) -> None:
        base = f"/recours/{self.recours.pk}/"
        for user, expected in (
            (self.candidate, 403),
            (self.member, 403),
            (self.other_president, 404),
        ):
            self.assertEqual(self.status(user, "post", base + "instruire/"), expected)
            self.assertEqual(
                self.status(
                    user,
                    "post",
                    base + "decider/",
                    {"issue": "maintenue", "motif": "M"},
                ),
                expected,
            )
        self.assertEqual(self.status(self.admin, "get", base + "instruire/"), 405)
        self.assertEqual(self.status(self.admin, "get", base + "decider/"), 405)
        self.assertEqual(
            Recours.objects.get(pk=self.recours.pk).statut, Recours.Statut.DEPOSE
        )
        self.client.force_login(self.president)
        with self.captureOnCommitCallbacks(execute=True), frozen(moment(2)):
            response = self.client.post(base + "instruire/")
        self.assertRedirects(response, base, fetch_redirect_response=False)
        with self.captureOnCommitCallbacks(execute=True), frozen(moment(3)):
            response = self.client.post(
                base + "decider/", {"issue": "maintenue", "motif": "Confirmé."}
            )
        self.assertRedirects(response, base, fetch_redirect_response=False)
        recours = Recours.objects.get(pk=self.recours.pk)
        self.assertEqual(
            (recours.statut, recours.issue, recours.motif_decision),
            ("decide", "maintenue", "Confirmé."),
        )
        page = self.client.get(base)
        self.assertContains(page, "Addendum au procès-verbal, version 1 (PDF)")
        self.assertNotContains(page, "Émettre l'addendum au procès-verbal")

    def test_a_decision_without_motive_is_refused(self) -> None:
        self.instruct(self.recours)
        self.client.force_login(self.admin)
        response = self.client.post(
            f"/recours/{self.recours.pk}/decider/", {"issue": "revisee", "motif": ""}
        )
        self.assertRedirects(
            response, f"/recours/{self.recours.pk}/", fetch_redirect_response=False
        )
        self.assertEqual(
            Recours.objects.get(pk=self.recours.pk).statut,
            Recours.Statut.EN_INSTRUCTION,
        )
        self.assertIs(Deliberation.objects.get(inscription=self.zoe).verrouillee, True)

    def test_addendum_button_for_the_administrator(self) -> None:
        url = f"/recours/{self.recours.pk}/addendum/"
        self.assertEqual(self.status(self.president, "post", url), 403)
        self.assertEqual(self.status(self.other_president, "post", url), 404)
        self.assertEqual(self.status(self.candidate, "post", url), 403)
        self.assertEqual(self.status(self.admin, "get", url), 405)
        self.instruct(self.recours)
        self.decide(self.recours, issue="maintenue", motif="Confirmé.")
        Document.objects.filter(nature="addendum").update(
            statut="revoque", revoque_le=moment(3), motif_revocation="Essai."
        )
        self.client.force_login(self.admin)
        alerte = (
            "L'addendum au procès-verbal ne reflète pas encore les recours décidés "
            "de la session : émettez-le."
        )
        self.assertContains(self.client.get(f"/recours/{self.recours.pk}/"), alerte)
        with frozen(moment(4)):
            response = self.client.post(url, follow=True)
        self.assertContains(response, "Addendum au procès-verbal émis (version 2).")
        self.assertNotContains(response, alerte)
        with frozen(moment(4)):
            response = self.client.post(url, follow=True)
        self.assertContains(response, "L&#x27;addendum au procès-verbal est à jour.")

    def test_revised_then_new_vote_then_reissue_from_the_page(self) -> None:
        base = f"/recours/{self.recours.pk}/"
        self.instruct(self.recours)
        self.client.force_login(self.president)
        with self.captureOnCommitCallbacks(execute=True), frozen(moment(3)):
            self.client.post(
                base + "decider/",
                {"issue": "revisee", "motif": "Le critère C1.1.1 était acquis."},
            )
        self.assertIs(Deliberation.objects.get(inscription=self.zoe).verrouillee, False)
        page = self.client.get(base)
        self.assertContains(page, "En attente du nouveau vote du jury")
        # The deliberation page links the re-opening to the appeal's page.
        self.assertContains(
            self.client.get(f"/jury/inscriptions/{self.zoe.pk}/deliberation/"),
            f'<a href="{base}">recours {self.recours.reference} : une fois le '
            "nouveau vote verrouillé, rééditez les documents depuis sa page</a>",
        )
        self.assertNotContains(page, "Rééditer les documents")
        self.client.force_login(self.candidate)
        with frozen(moment(3)):
            resultat = self.client.get(f"/resultats/{self.zoe.pk}/")
        self.assertContains(resultat, "est en cours de réexamen")
        with frozen(moment(4)):
            deliberation_record(
                inscription=self.zoe,
                motif="Révision à la suite du recours.",
                presents=[self.sc.president, self.sc.membre],
                blocs_decides=["B1"],
                motif_ecart="Recours : le critère C1.1.1 était acquis.",
                by=self.president,
            )
        url = base + "reediter/"
        self.assertEqual(self.status(self.candidate, "post", url), 403)
        self.assertEqual(self.status(self.other_president, "post", url), 404)
        self.assertEqual(self.status(self.president, "get", url), 405)
        self.client.force_login(self.president)
        self.assertContains(self.client.get(base), "Rééditer les documents")
        with self.captureOnCommitCallbacks(execute=True), frozen(moment(5)):
            response = self.client.post(url, follow=True)
        self.assertContains(response, "3 documents réédités ; le candidat est prévenu.")
        self.client.force_login(self.candidate)
        with frozen(moment(5)):
            resultat = self.client.get(f"/resultats/{self.zoe.pk}/")
        self.assertEqual(resultat.context["r"].releve.decision, "validation_partielle")
        self.assertEqual(
            sorted((d.nature, d.version) for d in resultat.context["r"].documents),
            [("attestation", 1), ("lettre", 2), ("releve", 2)],
        )
        self.assertContains(
            resultat,
            "Le jury a voté de nouveau ; la nouvelle décision est publiée le 23 mars "
            "2026 et vos documents sont réédités.",
        )
        self.assertEqual(
            mail.outbox[-1].subject,
            f"Recours {self.recours.reference} : nouvelle décision du jury publiée",
        )
        self.assertEqual(PieceRecours.objects.count(), 1)
