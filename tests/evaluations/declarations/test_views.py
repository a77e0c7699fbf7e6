"""Pages of the declarations area: who may open them, bad input, fixed query
counts whatever the number of holders, pagination, a tampered file never
offered."""

from datetime import datetime

from django.core.files.base import ContentFile
from django.test import TestCase

from certif.roles import Role
from evaluations.declarations.models import DeclarationCDC, LotCDC
from evaluations.declarations.services import lot_build, lot_deposit, lot_start
from evaluations.sessions.models import Candidat
from referentiel.models import Certificateur
from tests.clock import frozen
from tests.evaluations.declarations.factories import (
    PARIS,
    make_referentiel_enregistre,
    make_titulaire,
)
from tests.factories import make_candidat, make_session, make_user


class ViewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.jury = make_user("jury@example.org", Role.PRESIDENT)
        cls.candidat = make_candidat("c@example.org")
        cls.referentiel = make_referentiel_enregistre()
        cls.certification = cls.referentiel.certification
        cls.session = make_session(cls.referentiel, statut="deliberee")
        cls.lea = make_titulaire(
            cls.session, "lea@example.org", par=cls.admin, nom_naissance="FONTAINE"
        )

    def lot(self, *, deposit: bool = False) -> LotCDC:
        lot = lot_build(
            lot_id=lot_start(certification=self.certification, by=self.admin).pk
        )
        return lot_deposit(lot=lot, by=self.admin) if deposit else lot

    def more_holders(self, n: int) -> None:
        for i in range(n):
            make_titulaire(
                self.session, f"t{i}@example.org", par=self.admin, nom_naissance=f"T{i}"
            )


class AccessTests(ViewTestCase):
    def test_wrong_role_is_403_everywhere(self) -> None:
        lot = self.lot(deposit=True)
        declaration = lot.declarations.get()
        for user in (self.candidat.user, self.jury):
            self.client.force_login(user)
            for url in (
                "/declarations/",
                f"/declarations/lots/{lot.pk}/",
                f"/declarations/lots/{lot.pk}/fichier.xml",
            ):
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)
            for url in (
                "/declarations/lots/nouveau/",
                f"/declarations/lots/{lot.pk}/deposer/",
                f"/declarations/lots/{lot.pk}/tout-accepter/",
                f"/declarations/{declaration.pk}/reponse/",
            ):
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(
                        self.client.post(
                            url, {"reponse": "accepte", "certification": 1}
                        ).status_code,
                        403,
                    )
        self.assertEqual(LotCDC.objects.count(), 1)
        self.assertEqual(
            DeclarationCDC.objects.get().statut, DeclarationCDC.Statut.DEPOSE
        )

    def test_unknown_objects_are_404(self) -> None:
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get("/declarations/lots/999/").status_code, 404)
        self.assertEqual(
            self.client.get("/declarations/lots/999/fichier.xml").status_code, 404
        )
        self.assertEqual(
            self.client.post("/declarations/lots/999/deposer/").status_code, 404
        )
        self.assertEqual(
            self.client.post("/declarations/999/reponse/").status_code, 404
        )

    def test_wrong_methods_are_405(self) -> None:
        lot = self.lot()
        self.client.force_login(self.admin)
        self.assertEqual(self.client.post("/declarations/").status_code, 405)
        self.assertEqual(
            self.client.get("/declarations/lots/nouveau/").status_code, 405
        )
        self.assertEqual(
            self.client.get(f"/declarations/lots/{lot.pk}/deposer/").status_code, 405
        )
        self.assertEqual(
            self.client.post(f"/declarations/lots/{lot.pk}/").status_code, 405
        )
        self.assertEqual(
            self.client.get(
                f"/declarations/{lot.declarations.get().pk}/reponse/"
            ).status_code,
            405,
        )


class PageTests(ViewTestCase):
    def test_anonymous_goes_to_login(self) -> None:
        response = self.client.get("/declarations/")
        self.assertRedirects(
            response, "/connexion/?next=/declarations/", fetch_redirect_response=False
        )

    def test_query_count_does_not_grow_with_holders(self) -> None:
        self.client.force_login(self.admin)
        self.client.get("/declarations/")
        with self.assertNumQueries(8) as one:
            response = self.client.get("/declarations/")
        self.assertContains(response, "Léa FONTAINE")
        self.more_holders(60)
        with self.assertNumQueries(len(one.captured_queries)):
            response = self.client.get("/declarations/?page=2")
        self.assertContains(response, "Page 2 sur 2")

    def test_lot_page_query_count_does_not_grow(self) -> None:
        self.client.force_login(self.admin)
        lot = self.lot(deposit=True)
        with self.assertNumQueries(7) as one:
            self.client.get(f"/declarations/lots/{lot.pk}/")
        self.more_holders(60)
        big = lot_build(
            lot_id=lot_start(certification=self.certification, by=self.admin).pk
        )
        lot_deposit(lot=big, by=self.admin)
        with self.assertNumQueries(len(one.captured_queries)):
            response = self.client.get(f"/declarations/lots/{big.pk}/?page=2")
        self.assertNotContains(response, "Spécimen")
        self.assertContains(response, "60 titulaires déclarés dans ce lot")
        self.assertContains(response, "Page 2 sur 2")
        self.assertContains(response, "Marquer acceptés les 60 titulaires sans réponse")

    def test_deadlines_list_is_paginated(self) -> None:
        # 61 holders awarded on 10 January 2026: deadline 10 April 2026.
        self.more_holders(60)
        self.client.force_login(self.admin)
        with frozen(datetime(2026, 4, 20, 9, tzinfo=PARIS)):
            response = self.client.get("/declarations/")
            self.assertContains(response, "61 titulaires en retard")
            self.assertContains(response, "échéance dépassée le 10/04/2026", count=50)
            self.assertContains(response, 'href="?echeances=2"')
            response = self.client.get("/declarations/?echeances=2")
            self.assertContains(response, "échéance dépassée le 10/04/2026", count=11)
        with frozen(datetime(2026, 4, 1, 9, tzinfo=PARIS)):
            response = self.client.get("/declarations/?echeances=2")
            self.assertContains(response, "61 titulaires à déclarer dans les 15 jours")
            self.assertContains(
                response, "à déclarer au plus tard le 10/04/2026", count=11
            )

    def test_holders_left_out_are_paginated(self) -> None:
        self.more_holders(60)
        Candidat.objects.filter(nom_naissance__startswith="T").update(
            code_insee_naissance="2A0"
        )
        lot = self.lot()
        self.assertEqual((lot.statut, len(lot.exclus)), ("construit", 60))
        self.client.force_login(self.admin)
        with self.assertNumQueries(7):
            response = self.client.get(f"/declarations/lots/{lot.pk}/")
        self.assertContains(response, "60 titulaires laissés de côté")
        self.assertContains(
            response, "code INSEE de la commune de naissance « 2A0 » invalide", count=50
        )
        self.assertContains(response, 'href="?exclus=2"')
        response = self.client.get(f"/declarations/lots/{lot.pk}/?exclus=2")
        self.assertContains(
            response, "code INSEE de la commune de naissance « 2A0 » invalide", count=10
        )

    def test_progress_fragment_for_htmx(self) -> None:
        lot = lot_start(certification=self.certification, by=self.admin)
        self.client.force_login(self.admin)
        response = self.client.get(
            f"/declarations/lots/{lot.pk}/", HTTP_HX_REQUEST="true"
        )
        self.assertContains(response, 'hx-trigger="every 2s"')
        self.assertNotContains(response, "<h1")
        response = self.client.get(f"/declarations/lots/{lot.pk}/fichier.xml")
        self.assertEqual(
            (response.status_code, response.content.decode()),
            (409, "Le fichier de ce lot n'est pas prêt."),
        )

    def test_tampered_file_is_never_offered(self) -> None:
        lot = self.lot()
        name = str(lot.fichier.name)
        lot.fichier.storage.delete(name)
        lot.fichier.storage.save(name, ContentFile(b"<flux/>"))
        self.client.force_login(self.admin)
        response = self.client.get(f"/declarations/lots/{lot.pk}/fichier.xml")
        self.assertEqual(response.status_code, 409)
        self.assertIn("ne correspond plus à son empreinte", response.content.decode())


class ActionTests(ViewTestCase):
    def test_build_refused_without_identifiers(self) -> None:
        self.client.force_login(self.admin)
        Certificateur.objects.update(cdc_id_contrat="")
        response = self.client.post(
            "/declarations/lots/nouveau/",
            {"certification": self.certification.pk, "mode": "exclure"},
            follow=True,
        )
        self.assertContains(
            response,
            "n&#x27;a pas : idContrat (1 à 20 caractères). Renseignez-les dans "
            "l&#x27;administration (Certificateurs, Certifications) avant de "
            "construire un lot.",
        )
        self.assertEqual(LotCDC.objects.count(), 0)

    def test_page_says_which_identifiers_are_missing(self) -> None:
        Certificateur.objects.update(cdc_id_client_certificateur="")
        self.client.force_login(self.admin)
        response = self.client.get(
            f"/declarations/?certification={self.certification.pk}"
        )
        self.assertContains(
            response,
            "La déclaration à la Caisse des Dépôts de RNCP12345 (certificateur "
            "« Institut Exemple de Certification ») n&#x27;a pas : idClient du "
            "certificateur (8 caractères exactement). Renseignez-les dans "
            "l&#x27;administration (Certificateurs, Certifications) avant de "
            "construire un lot.",
        )

    def test_bad_form_stores_nothing(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            "/declarations/lots/nouveau/",
            {
                "certification": self.certification.pk,
                "mode": "n'importe",
                "inscriptions": ["x"],
            },
            follow=True,
        )
        self.assertContains(response, "Sélectionnez un choix valide.")
        self.assertContains(response, "Sélection de titulaires invalide")
        self.assertEqual(LotCDC.objects.count(), 0)

    def test_selected_holders_only(self) -> None:
        self.more_holders(2)
        self.client.force_login(self.admin)
        response = self.client.post(
            "/declarations/lots/nouveau/",
            {
                "certification": self.certification.pk,
                "mode": "exclure",
                "inscriptions": [str(self.lea.pk)],
            },
        )
        lot = LotCDC.objects.get()
        self.assertRedirects(response, f"/declarations/lots/{lot.pk}/")
        self.assertEqual(
            list(lot.declarations.values_list("inscription_id", flat=True)),
            [self.lea.pk],
        )

    def test_deposit_and_answer(self) -> None:
        lot = self.lot()
        self.client.force_login(self.admin)
        response = self.client.post(
            f"/declarations/lots/{lot.pk}/deposer/", follow=True
        )
        self.assertContains(response, "Dépôt du lot n° ")
        declaration = lot.declarations.get()
        url = f"/declarations/{declaration.pk}/reponse/"
        response = self.client.post(
            url, {"reponse": "rejete", "motif": ""}, follow=True
        )
        self.assertContains(response, "Recopiez le motif du rejet donné par la CDC.")
        response = self.client.post(url, {"reponse": "rejete", "motif": "a\x00b"})
        self.assertEqual(response.status_code, 400)
        response = self.client.post(
            url, {"reponse": "rejete", "motif": "x" * 1001}, follow=True
        )
        self.assertContains(response, "au plus 1000 caractères")
        self.assertEqual(
            DeclarationCDC.objects.get().statut, DeclarationCDC.Statut.DEPOSE
        )
        response = self.client.post(
            url, {"reponse": "rejete", "motif": "Nom inconnu"}, follow=True
        )
        self.assertContains(response, "Réponse enregistrée pour Léa FONTAINE.")
        declaration.refresh_from_db()
        self.assertEqual(
            (declaration.statut, declaration.motif_rejet, declaration.repondu_par),
            ("rejete", "Nom inconnu", self.admin),
        )
        response = self.client.post(url, {"reponse": "accepte"}, follow=True)
        self.assertContains(response, "s&#x27;enregistre une fois")
        response = self.client.post(
            f"/declarations/lots/{lot.pk}/tout-accepter/", follow=True
        )
        self.assertContains(response, "Aucun titulaire n&#x27;attendait de réponse.")


class HomeTests(ViewTestCase):
    def test_admin_home_counts_overdue_and_due(self) -> None:
        from datetime import datetime

        from tests.clock import frozen
        from tests.evaluations.declarations.factories import (
            PARIS,
        )

        self.client.force_login(self.admin)
        # Léa: awarded on 10 January 2026, deadline 10 April 2026.
        with frozen(datetime(2026, 4, 1, 9, tzinfo=PARIS)):
            response = self.client.get("/")
            self.assertContains(
                response,
                "aucun titulaire en retard ; 1 à déclarer dans les 15 jours. Déclarer "
                "les titulaires",
            )
            page = self.client.get("/declarations/")
            self.assertContains(page, "Aucun titulaire en retard")
            self.assertContains(page, "1 titulaire à déclarer dans les 15 jours")
        with frozen(datetime(2026, 4, 11, 9, tzinfo=PARIS)):
            response = self.client.get("/")
            self.assertContains(
                response,
                "1 titulaire en retard ; aucun à déclarer dans les 15 jours.",
            )
        self.client.force_login(self.jury)
        self.assertNotContains(self.client.get("/"), "Déclarations CDC")
