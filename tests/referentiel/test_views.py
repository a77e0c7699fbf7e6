"""The browsable référentiel: list, version page and PDF."""

import io

from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from certif.roles import Role
from referentiel.models import Critere, Referentiel
from tests.factories import make_referentiel, make_user, small_data

COMPETENCES = [
    "C1.1", "C1.2", "C1.3", "C1.4", "C1.5",
    "C2.1", "C2.2", "C2.3", "C2.4",
    "C3.1", "C3.2", "C3.3",
    "C4.1", "C4.2", "C4.3", "C4.4",
    "C5.1", "C5.2",
]  # fmt: skip


class ReferentielViewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.candidat = make_user("candidat@example.org", Role.CANDIDAT)
        cls.jury = make_user("jury@example.org", Role.MEMBRE_JURY)
        cls.sans_role = make_user("personne@example.org")
        cls.published = make_referentiel()
        cls.draft = make_referentiel(small_data(), publish=False)

    def urls(self, referentiel: Referentiel) -> list[str]:
        return [
            reverse("referentiel:detail", args=[referentiel.pk]),
            reverse("referentiel:pdf", args=[referentiel.pk]),
        ]


class PermissionTests(ReferentielViewTestCase):
    def all_urls(self) -> list[str]:
        return [reverse("referentiel:list"), *self.urls(self.published)]

    def test_anonymous_redirected_to_login(self) -> None:
        for url in self.all_urls():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(
                    response, f"/connexion/?next={url}", fetch_redirect_response=False
                )

    def test_user_without_role_forbidden(self) -> None:
        self.client.force_login(self.sans_role)
        for url in self.all_urls():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 403)
                self.assertTemplateUsed(response, "403.html")

    def test_candidate_cannot_see_a_draft(self) -> None:
        self.client.force_login(self.candidat)
        for url in self.urls(self.draft):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 404)
                self.assertTemplateUsed(response, "404.html")

    def test_unknown_version(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.get(reverse("referentiel:detail", args=[999999]))
        self.assertEqual(response.status_code, 404)

    def test_administrator_sees_a_draft(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.get(self.urls(self.draft)[0])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "version 1 (Brouillon)")
        response = self.client.get(self.urls(self.draft)[1])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")

    def test_candidate_and_jury_see_published(self) -> None:
        for user in (self.candidat, self.jury):
            self.client.force_login(user)
            with self.subTest(user=user.email):
                response = self.client.get(self.urls(self.published)[0])
                self.assertEqual(response.status_code, 200)

    def test_post_not_allowed(self) -> None:
        self.client.force_login(self.admin)
        for url in self.all_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url).status_code, 405)


class ListTests(ReferentielViewTestCase):
    def test_candidate_sees_published_only(self) -> None:
        self.client.force_login(self.candidat)
        response = self.client.get(reverse("referentiel:list"))
        self.assertEqual(response.status_code, 200)
        rows = [(r.pk, r.nb_criteres) for r in response.context["page"].object_list]
        self.assertEqual(rows, [(self.published.pk, 71)])
        self.assertContains(
            response, f'href="/referentiel/{self.published.pk}/"', count=1
        )
        self.assertNotContains(response, f'href="/referentiel/{self.draft.pk}/"')

    def test_administrator_sees_drafts(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.get(reverse("referentiel:list"))
        self.assertEqual(
            {(r.pk, r.nb_criteres) for r in response.context["page"].object_list},
            {(self.published.pk, 71), (self.draft.pk, 1)},
        )

    def test_paginated(self) -> None:
        for i in range(2, 28):
            make_referentiel(small_data() | {"version": str(i)})
        self.client.force_login(self.candidat)
        response = self.client.get(reverse("referentiel:list"))
        self.assertEqual(len(response.context["page"].object_list), 25)
        self.assertContains(response, "Page 1 sur 2")
        response = self.client.get(reverse("referentiel:list"), {"page": 2})
        self.assertEqual(len(response.context["page"].object_list), 2)

    def test_query_count_independent_of_versions(self) -> None:
        self.client.force_login(self.candidat)
        url = reverse("referentiel:list")
        with self.assertNumQueries(5):
            self.assertEqual(len(self.client.get(url).context["page"].object_list), 1)
        make_referentiel(small_data() | {"version": "2"})
        make_referentiel(small_data(blocs=3) | {"version": "3"})
        with self.assertNumQueries(5):
            self.assertEqual(len(self.client.get(url).context["page"].object_list), 3)


class DetailTests(ReferentielViewTestCase):
    def test_query_count_same_for_small_and_full(self) -> None:
        small = make_referentiel(small_data() | {"version": "2"})
        self.client.force_login(self.candidat)
        for referentiel in (small, self.published):
            with self.subTest(version=referentiel.version):
                with self.assertNumQueries(8):
                    response = self.client.get(self.urls(referentiel)[0])
                self.assertEqual(response.status_code, 200)

    def test_shows_every_competency_and_criteria(self) -> None:
        self.client.force_login(self.candidat)
        response = self.client.get(self.urls(self.published)[0])
        self.assertContains(
            response,
            '<h1 class="h3 mb-1">Responsable du développement commercial</h1>',
            html=True,
        )
        for code in COMPETENCES:
            self.assertContains(response, f'<span class="code">{code}</span>', count=1)
        for code in ("C1.1.1", "C2.1.7", "C5.2.3"):
            critere = Critere.objects.get(referentiel=self.published, code=code)
            self.assertContains(response, escape(critere.intitule), count=1)
        self.assertContains(
            response, f'href="/referentiel/{self.published.pk}/pdf/"', count=1
        )
        self.assertContains(response, "Télécharger en PDF")
        self.assertContains(response, '<tr id="C1.1">', count=1)


class PdfTests(ReferentielViewTestCase):
    def test_pdf_contains_every_competency(self) -> None:
        self.client.force_login(self.jury)
        response = self.client.get(self.urls(self.published)[1])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="referentiel-RNCP00000-v1.pdf"',
        )
        reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
        text = "\n".join(page.extract_text() for page in reader.pages)
        words = set(text.split())
        self.assertEqual([c for c in COMPETENCES if c not in words], [])
        self.assertIn("Responsable du développement commercial", text)
