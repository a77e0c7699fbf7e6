"""The règlement d'examen: versions, safe Markdown, public pages, the
administrator's pages, and the candidate's acceptance before any deposit."""

from django.core.exceptions import ValidationError
from django.test import Client, TestCase
from django.urls import reverse

from certif.roles import Role
from evaluations.livrables.services import Depot, livrables_deposer
from evaluations.sessions.models import AcceptationReglement
from evaluations.sessions.selectors import reglement_a_accepter
from evaluations.sessions.services import reglement_accepter
from referentiel.models import Certification, Modalite, ReglementExamen
from referentiel.reglement.markdown import markdown_html
from referentiel.reglement.selectors import reglement_en_vigueur
from referentiel.reglement.services import (
    reglement_brouillon_create,
    reglement_publish,
    reglement_update,
)
from tests.browser.worlds import pdf_upload
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)


class MarkdownTests(TestCase):
    def test_renders_commonmark_and_tables(self) -> None:
        html = markdown_html(
            "# Fraude\n\n- **exclusion**\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        )
        self.assertIn("<h1>Fraude</h1>", html)
        self.assertIn("<li><strong>exclusion</strong></li>", html)
        self.assertIn("<td>1</td>", html)

    def test_raw_html_is_escaped_and_dangerous_links_dropped(self) -> None:
        html = markdown_html(
            "<script>alert(1)</script>\n\n[clic](javascript:alert(1)) "
            "[ok](https://exemple.fr) ![img](https://exemple.fr/x.png)"
        )
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertNotIn('href="javascript', html)
        self.assertIn('<a href="https://exemple.fr">ok</a>', html)
        self.assertNotIn("<img", html)


class ReglementServicesTests(TestCase):
    def setUp(self) -> None:
        self.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        self.referentiel = make_referentiel(small_data())
        self.certification = self.referentiel.certification

    def test_draft_then_publish_then_a_new_version_starts_from_it(self) -> None:
        brouillon = reglement_brouillon_create(
            certification=self.certification, by=self.admin
        )
        self.assertEqual(brouillon.version, 1)
        self.assertIsNone(reglement_en_vigueur(self.certification.pk))
        # Asking again gives the same draft.
        self.assertEqual(
            reglement_brouillon_create(certification=self.certification, by=self.admin),
            brouillon,
        )
        reglement_update(
            reglement=brouillon,
            texte="# Règlement\n\nRecours sous **deux mois**.",
            delai_recours_mois=3,
            delai_amenagements_jours=20,
            by=self.admin,
        )
        publie = reglement_publish(reglement=brouillon, by=self.admin)
        self.assertEqual(publie.statut, ReglementExamen.Statut.PUBLIE)
        self.assertIn("<strong>deux mois</strong>", publie.texte_html)
        self.assertEqual(reglement_en_vigueur(self.certification.pk), publie)
        suivant = reglement_brouillon_create(
            certification=self.certification, by=self.admin
        )
        self.assertEqual(
            (suivant.version, suivant.texte, suivant.delai_recours_mois),
            (2, publie.texte, 3),
        )
        # The draft is not in force until it is published.
        self.assertEqual(reglement_en_vigueur(self.certification.pk), publie)

    def test_a_published_version_never_changes(self) -> None:
        brouillon = reglement_brouillon_create(
            certification=self.certification, by=self.admin
        )
        reglement_publish(reglement=brouillon, by=self.admin)
        with self.assertRaisesMessage(ValidationError, "La version 1 est publiée"):
            reglement_update(
                reglement=brouillon,
                texte="autre",
                delai_recours_mois=2,
                delai_amenagements_jours=30,
                by=self.admin,
            )
        with self.assertRaisesMessage(ValidationError, "La version 1 est publiée"):
            reglement_publish(reglement=brouillon, by=self.admin)
        brouillon.refresh_from_db()
        self.assertNotEqual(brouillon.texte, "autre")

    def test_delays_are_bounded(self) -> None:
        brouillon = reglement_brouillon_create(
            certification=self.certification, by=self.admin
        )
        with self.assertRaises(ValidationError):
            reglement_update(
                reglement=brouillon,
                texte="x",
                delai_recours_mois=0,
                delai_amenagements_jours=30,
                by=self.admin,
            )


def _publier(
    certification: Certification, admin: object, texte: str
) -> ReglementExamen:
    brouillon = reglement_brouillon_create(certification=certification, by=admin)  # type: ignore[arg-type]
    reglement_update(
        reglement=brouillon,
        texte=texte,
        delai_recours_mois=2,
        delai_amenagements_jours=30,
        by=admin,  # type: ignore[arg-type]
    )
    return reglement_publish(reglement=brouillon, by=admin)  # type: ignore[arg-type]


class AcceptationTests(TestCase):
    def setUp(self) -> None:
        self.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        self.referentiel = make_referentiel(small_data())
        self.session = make_session(self.referentiel, statut="ouverte")
        self.candidat = make_candidat("lea@example.org", nom="Martin", prenom="Léa")
        self.inscription = make_inscription(self.candidat, self.session)
        self.modalite = Modalite.objects.filter(
            competence__referentiel=self.referentiel
        ).order_by("pk")[0]
        self.client = Client()
        self.client.force_login(self.candidat.user)
        self.dossier = reverse("evaluations:dossier", args=[self.inscription.pk])

    def _deposer(self) -> None:
        livrables_deposer(
            inscription=self.inscription,
            modalite=self.modalite,
            depots=[Depot(fichier=pdf_upload("rapport.pdf"), nom="rapport.pdf")],
            by=self.candidat.user,
        )

    def test_without_a_published_reglement_nothing_is_asked(self) -> None:
        self.assertIsNone(reglement_a_accepter(inscription=self.inscription))
        self._deposer()

    def test_deposit_refused_until_accepted_then_again_for_a_new_version(self) -> None:
        v1 = _publier(self.referentiel.certification, self.admin, "# Règles v1")
        with self.assertRaisesMessage(
            ValidationError, "Lisez et acceptez le règlement d'examen (version 1)"
        ):
            self._deposer()
        response = self.client.get(self.dossier)
        self.assertContains(
            response, "J'ai lu et j'accepte le règlement d'examen (version 1)."
        )
        self.assertContains(response, "<h1>Règles v1</h1>", html=False)
        response = self.client.post(
            reverse("evaluations:reglement_accepter", args=[self.inscription.pk]),
            {"version": "1", "lu": "1"},
        )
        self.assertRedirects(response, self.dossier, fetch_redirect_response=False)
        acceptation = AcceptationReglement.objects.get()
        self.assertEqual(
            (acceptation.inscription, acceptation.reglement), (self.inscription, v1)
        )
        self._deposer()
        response = self.client.get(self.dossier)
        self.assertContains(response, "Règlement d'examen (version 1) accepté le")
        _publier(self.referentiel.certification, self.admin, "# Règles v2")
        with self.assertRaisesMessage(ValidationError, "(version 2)"):
            self._deposer()

    def test_home_asks_to_read_it_until_accepted(self) -> None:
        home = reverse("home")
        self.assertNotContains(self.client.get(home), "Règlement d&#x27;examen à lire")
        v1 = _publier(self.referentiel.certification, self.admin, "# v1")
        response = self.client.get(home)
        self.assertContains(response, "Règlement d&#x27;examen à lire")
        self.assertContains(response, f'href="{self.dossier}#reglement"')
        reglement_accepter(inscription=self.inscription, reglement=v1)
        self.assertNotContains(self.client.get(home), "Règlement d&#x27;examen à lire")
        _publier(self.referentiel.certification, self.admin, "# v2")
        self.assertContains(self.client.get(home), "Règlement d&#x27;examen à lire")

    def test_unchecked_box_or_stale_version_records_nothing(self) -> None:
        _publier(self.referentiel.certification, self.admin, "# v1")
        url = reverse("evaluations:reglement_accepter", args=[self.inscription.pk])
        self.client.post(url, {"version": "1"})
        self.client.post(url, {"version": "7", "lu": "1"})
        self.assertEqual(AcceptationReglement.objects.count(), 0)
        response = self.client.get(self.dossier)
        self.assertContains(response, "Cochez « J&#x27;ai lu et j&#x27;accepte »")

    def test_a_version_no_longer_in_force_is_refused(self) -> None:
        v1 = _publier(self.referentiel.certification, self.admin, "# v1")
        _publier(self.referentiel.certification, self.admin, "# v2")
        with self.assertRaisesMessage(ValidationError, "n'est plus en vigueur"):
            reglement_accepter(inscription=self.inscription, reglement=v1)

    def test_accept_view_other_candidate_404_admin_403_get_405(self) -> None:
        _publier(self.referentiel.certification, self.admin, "# v1")
        url = reverse("evaluations:reglement_accepter", args=[self.inscription.pk])
        other = make_candidat("max@example.org", nom="Leroy", prenom="Max")
        make_inscription(other, self.session)
        client = Client()
        client.force_login(other.user)
        self.assertEqual(client.post(url, {"version": "1", "lu": "1"}).status_code, 404)
        client.force_login(self.admin)
        self.assertEqual(client.post(url, {"version": "1", "lu": "1"}).status_code, 403)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertEqual(AcceptationReglement.objects.count(), 0)


class ReglementViewsTests(TestCase):
    def setUp(self) -> None:
        self.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        self.jury = make_user("jury@example.org", Role.MEMBRE_JURY)
        self.referentiel = make_referentiel(small_data())
        self.certification = self.referentiel.certification
        self.client = Client()
        self.client.force_login(self.admin)

    def test_public_page_shows_the_version_in_force_to_anyone(self) -> None:
        anonymous = Client()
        url = reverse("referentiel:reglement", args=[self.certification.pk])
        self.assertEqual(anonymous.get(url).status_code, 404)
        v1 = _publier(self.certification, self.admin, "# Fraude\n\nSanction.")
        response = anonymous.get(url)
        self.assertContains(response, "<h1>Fraude</h1>", html=False)
        self.assertContains(response, "Recours : dans les 2 mois qui suivent")
        _publier(self.certification, self.admin, "# Nouvelle")
        response = anonymous.get(reverse("referentiel:reglement_version", args=[v1.pk]))
        self.assertContains(response, "Cette version n'est plus en vigueur.")
        self.assertEqual(anonymous.post(url).status_code, 405)

    def test_a_draft_is_not_public(self) -> None:
        brouillon = reglement_brouillon_create(
            certification=self.certification, by=self.admin
        )
        url = reverse("referentiel:reglement_version", args=[brouillon.pk])
        self.assertEqual(Client().get(url).status_code, 404)

    def test_admin_writes_previews_and_publishes(self) -> None:
        response = self.client.post(
            reverse("referentiel:reglement_nouveau", args=[self.certification.pk])
        )
        brouillon = ReglementExamen.objects.get()
        edit = reverse("referentiel:reglement_edit", args=[brouillon.pk])
        self.assertRedirects(response, edit)
        response = self.client.post(
            edit,
            {
                "texte": "# Conduite\n\n<b>gras</b>",
                "delai_recours_mois": "2",
                "delai_amenagements_jours": "15",
            },
        )
        self.assertRedirects(response, edit)
        response = self.client.get(edit)
        self.assertContains(response, "<h1>Conduite</h1>", html=False)
        self.assertContains(response, "&lt;b&gt;gras&lt;/b&gt;", html=False)
        response = self.client.post(
            reverse("referentiel:reglement_publier", args=[brouillon.pk])
        )
        self.assertRedirects(response, reverse("referentiel:reglements"))
        brouillon.refresh_from_db()
        self.assertTrue(brouillon.est_publie)
        self.assertEqual(brouillon.history.count(), 3)  # created, edited, published
        response = self.client.post(
            edit,
            {"texte": "x", "delai_recours_mois": "2", "delai_amenagements_jours": "15"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "La version 1 est publiée", status_code=400)

    def test_bad_input_is_refused_with_a_message_and_nothing_stored(self) -> None:
        brouillon = reglement_brouillon_create(
            certification=self.certification, by=self.admin
        )
        edit = reverse("referentiel:reglement_edit", args=[brouillon.pk])
        response = self.client.post(
            edit,
            {
                "texte": "x" * 100_001,
                "delai_recours_mois": "13",
                "delai_amenagements_jours": "1",
            },
        )
        self.assertEqual(response.status_code, 400)
        brouillon.refresh_from_db()
        self.assertNotEqual(brouillon.texte, "x" * 100_001)

    def test_wrong_role_403_and_unknown_404(self) -> None:
        client = Client()
        client.force_login(self.jury)
        self.assertEqual(client.get(reverse("referentiel:reglements")).status_code, 403)
        self.assertEqual(
            self.client.get(
                reverse("referentiel:reglement_edit", args=[999])
            ).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(
                reverse("referentiel:reglement_nouveau", args=[self.certification.pk])
            ).status_code,
            405,
        )

    def test_list_in_a_fixed_number_of_queries(self) -> None:
        _publier(self.certification, self.admin, "# v1")
        url = reverse("referentiel:reglements")
        with self.assertNumQueries(6) as one:
            self.client.get(url)
        for n in range(5):
            data = small_data()
            data["certification"]["code"] = f"RNCP1234{n}"
            other = make_referentiel(data)
            _publier(other.certification, self.admin, "# v1")
            _publier(other.certification, self.admin, "# v2")
        with self.assertNumQueries(len(one.captured_queries)):
            response = self.client.get(url)
        self.assertContains(response, "Version 2", count=5)
