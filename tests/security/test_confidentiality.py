"""Medical details stay with the référent handicap and the candidate:
the needs described and the supporting documents never appear on a page of the
jury, the president or the administrator — only the accommodations granted and the
avis motivé do."""

from django.test import TestCase
from django.urls import reverse

from handicap.models import DemandeAmenagement
from tests.browser import worlds

NEEDS = "fatigue vite"  # from the needs text of worlds.demande_deposee
DOCUMENT = "certificat-medical"  # the supporting document's name


class ConfidentialityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.jury = worlds.jury_en_evaluation()
        cls.pk = cls.jury.world.inscription.pk
        cls.demande = DemandeAmenagement.objects.get(inscription_id=cls.pk)

    def assert_no_medical_detail(self, user, urls: list[str]) -> None:  # type: ignore[no-untyped-def]
        self.client.force_login(user)
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                html = response.content.decode()
                self.assertNotIn(NEEDS, html)
                self.assertNotIn(DOCUMENT, html)

    def test_the_jury_sees_the_accommodations_not_the_needs(self) -> None:
        self.client.force_login(self.jury.membre.user)
        grid = self.client.get(reverse("evaluations:grille", args=[self.pk]))
        self.assertContains(grid, "Un tiers-temps pour chaque épreuve.")
        self.assert_no_medical_detail(
            self.jury.membre.user,
            [
                reverse("evaluations:grille", args=[self.pk]),
                reverse("evaluations:jury_tableau_de_bord"),
            ],
        )

    def test_the_president_sees_the_avis_not_the_needs(self) -> None:
        self.client.force_login(self.jury.president.user)
        page = self.client.get(
            reverse("evaluations:dispenses_inscription", args=[self.pk])
        )
        self.assertContains(page, "La prise de notes manuscrite")
        self.assert_no_medical_detail(
            self.jury.president.user,
            [
                reverse("evaluations:dispenses"),
                reverse("evaluations:dispenses_inscription", args=[self.pk]),
                reverse("evaluations:consolidation", args=[self.pk]),
                reverse("evaluations:deliberation", args=[self.pk]),
                reverse("evaluations:jury_historique", args=[self.pk]),
            ],
        )

    def test_the_administrator_sees_that_a_request_exists_not_its_content(self) -> None:
        admin = self.jury.world.admin
        self.assert_no_medical_detail(
            admin,
            [
                reverse("handicap:bureau"),
                reverse("handicap:journal"),
                reverse(
                    "evaluations:session_detail", args=[self.jury.world.session.pk]
                ),
                reverse("evaluations:dossier", args=[self.pk]),
                reverse("evaluations:consolidation", args=[self.pk]),
            ],
        )
        self.client.force_login(admin)
        for name in ("handicap:demande_detail", "handicap:courrier_download"):
            with self.subTest(name=name):
                response = self.client.get(reverse(name, args=[self.demande.pk]))
                self.assertEqual(response.status_code, 403)


class PublicVerificationTests(TestCase):
    """The public verification page shows the award, the holder's name, and no
    other personal data (no e-mail, birth date or birthplace)."""

    def test_only_the_name_of_the_holder(self) -> None:
        from django.core.cache import cache

        from evaluations.documents.models import Document
        from evaluations.documents.services import inscription_documents_issue

        cache.clear()
        world = worlds.deliberated_session()
        inscription_documents_issue(inscription_id=world.inscription.pk, by=world.admin)
        parchemin = Document.objects.get(nature=Document.Nature.PARCHEMIN)
        response = self.client.get(
            reverse("evaluations:verification_code", args=[parchemin.code])
        )
        self.assertContains(response, "Camille MARTIN")
        html = response.content.decode()
        for personal in (worlds.CANDIDAT, "14/03/1995", "1995", "Paris", "75056"):
            with self.subTest(personal=personal):
                self.assertNotIn(personal, html)


class OtherCandidateTests(TestCase):
    """A candidate's own pages list nothing of another candidate of the same
    sessions (Hugo and Camille share two sessions, documents issued to both)."""

    @classmethod
    def setUpTestData(cls) -> None:
        from tests.test_permission_matrix import World

        cls.w = World.build()

    def test_own_lists_only(self) -> None:
        from evaluations.documents.models import Document

        camille_codes = list(
            Document.objects.filter(
                inscription__candidat__user=self.w.personas["cand"]
            ).values_list("code", flat=True)
        )
        # Parchemin, relevé and, the results being published, the result letter.
        self.assertEqual(len(camille_codes), 3)
        self.client.force_login(self.w.personas["autre"])
        for url in ("/", "/candidat/", "/documents/", "/handicap/", "/resultats/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                html = response.content.decode()
                self.assertNotIn("Camille", html)
                self.assertNotIn("MARTIN", html)
                for code in camille_codes:
                    self.assertNotIn(code[:4] + "-" + code[4:8], html)
