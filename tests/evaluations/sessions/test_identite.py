"""Correcting a candidate's civil identity: birth in France or abroad (INSEE
codes), refused values, the history, and the page's guards."""

from django.test import TestCase

from certif.roles import Role
from evaluations.sessions.models import Candidat
from tests.evaluations.factories import make_candidat_complet
from tests.factories import make_user


class IdentiteViewTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.candidat = make_candidat_complet("lea@example.org")
        cls.url = f"/candidats/{cls.candidat.pk}/identite/"

    def data(self, **overrides: str) -> dict[str, str]:
        return {
            "nom_naissance": "MARTIN",
            "nom_usage": "",
            "prenom1": "Léa",
            "prenom2": "",
            "prenom3": "",
            "date_naissance": "1990-05-04",
            "sexe": "F",
            "commune_naissance": "Ajaccio",
            "code_insee_naissance": "2A004",
            "pays_naissance": "",
            **overrides,
        }

    def test_admin_sees_the_form_with_the_country_list(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<option value="99350">Maroc</option>', html=True)
        self.assertContains(response, 'value="Ajaccio"')

    def test_admin_moves_the_birth_abroad(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            f"{self.url}?retour=/declarations/",
            self.data(
                commune_naissance="Casablanca",
                code_insee_naissance="",
                pays_naissance="99350",
            ),
        )
        self.assertRedirects(response, "/declarations/", fetch_redirect_response=False)
        candidat = Candidat.objects.get(pk=self.candidat.pk)
        self.assertEqual(
            (
                candidat.commune_naissance,
                candidat.code_insee_naissance,
                candidat.pays_naissance,
            ),
            ("Casablanca", "", "99350"),
        )
        last = candidat.history.first()
        assert last is not None
        self.assertEqual(
            (last.history_user, last.pays_naissance), (self.admin, "99350")
        )
        self.assertEqual(candidat.user.email, "lea@example.org")

    def test_a_foreign_site_is_never_the_way_back(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            f"{self.url}?retour=https://ailleurs.example/", self.data(prenom2="Anne")
        )
        self.assertRedirects(response, "/sessions/", fetch_redirect_response=False)

    def test_bad_input_stores_nothing(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            self.url,
            self.data(code_insee_naissance="2A004", pays_naissance="99350"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "Indiquez soit la commune de naissance et son code INSEE, soit le pays de "
            "naissance, pas les deux.",
        )
        response = self.client.post(self.url, self.data(pays_naissance="99999"))
        self.assertContains(response, "Sélectionnez un choix valide.")
        response = self.client.post(self.url, self.data(nom_naissance="X\x00Y"))
        self.assertEqual(response.status_code, 400)
        response = self.client.post(self.url, self.data(nom_naissance="X" * 101))
        self.assertEqual(response.status_code, 200)
        candidat = Candidat.objects.get(pk=self.candidat.pk)
        self.assertEqual(
            (candidat.nom_naissance, candidat.pays_naissance, candidat.history.count()),
            ("MARTIN", "", 1),
        )

    def test_unknown_candidate_is_404(self) -> None:
        self.client.force_login(self.admin)
        self.assertEqual(
            self.client.get("/candidats/999999/identite/").status_code, 404
        )

    def test_candidate_is_403(self) -> None:
        self.client.force_login(self.candidat.user)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        response = self.client.post(self.url, self.data(nom_naissance="AUTRE"))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            Candidat.objects.get(pk=self.candidat.pk).nom_naissance, "MARTIN"
        )

    def test_wrong_method_is_405(self) -> None:
        self.client.force_login(self.admin)
        self.assertEqual(self.client.delete(self.url).status_code, 405)
