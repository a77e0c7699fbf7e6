"""Sites and rooms outside the Django admin: the administrator's list, forms and
deletions (refused while a sitting uses the place), bad input refused with a
French message and nothing stored; every view: administrator 200, wrong role
403, unknown 404, wrong method 405; the list in a fixed number of queries."""

from datetime import time

from django.urls import reverse

from evaluations.epreuves.lieux import (
    SalleSaisie,
    SiteSaisi,
    salle_create,
    salle_delete,
    site_delete,
)
from evaluations.epreuves.models import Salle, Site
from tests.evaluations.epreuves.base import aware
from tests.evaluations.epreuves.test_services import PassageTestCase

NUL_MESSAGE = (
    "La requête contient un caractère nul (invisible) : retirez-le du texte saisi "
    "et réessayez."
)


class LieuxTestCase(PassageTestCase):
    """The world of the épreuves: « Campus Lyon » with A101 (accessible) and
    B203; the administrator, jury members, candidates."""

    def site_url(self, name: str, *args: int) -> str:
        return reverse(f"evaluations:{name}", args=args)


class SitesListTests(LieuxTestCase):
    url = reverse("evaluations:epreuves_sites")

    def test_admin_sees_sites_rooms_and_their_sittings(self) -> None:
        self.place()  # Camille in A101
        self.client.force_login(self.admin)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, f'<h2 class="h5 mb-0" id="site-{self.site.pk}">Campus Lyon</h2>'
        )
        self.assertContains(response, "3 quai Claude Bernard<br>69007 Lyon")
        salles = list(response.context["page"].object_list[0].salles.all())
        self.assertEqual(
            [(s.nom, s.capacite, s.accessible_pmr, s.nb_passages) for s in salles],
            [("A101", 6, True, 1), ("B203", 6, False, 0)],
        )
        # A used room has no delete button; an unused one has.
        self.assertNotContains(
            response, self.site_url("epreuves_salle_supprimer", self.salle_a.pk)
        )
        self.assertContains(
            response, self.site_url("epreuves_salle_supprimer", self.salle_b.pk)
        )

    def test_query_count_does_not_grow_with_sites_and_rooms(self) -> None:
        self.client.force_login(self.admin)
        Salle.objects.filter(pk=self.salle_b.pk).delete()
        # session, user, roles (menu), count, sites, rooms with their sittings
        with self.assertNumQueries(6):
            self.assertEqual(self.client.get(self.url).status_code, 200)
        for i in range(3):
            site = Site.objects.create(nom=f"Site {i}", adresse=f"{i} rue X")
            for j in range(4):
                Salle.objects.create(site=site, nom=f"S{j}", capacite=10)
        with self.assertNumQueries(6):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["page"].object_list), 4)

    def test_wrong_role_403(self) -> None:
        for user in (self.m1.user, self.camille.candidat.user):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_wrong_method_405(self) -> None:
        self.client.force_login(self.admin)
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_linked_from_the_timetable_the_menu_and_home(self) -> None:
        self.client.force_login(self.admin)
        planning = self.client.get(
            reverse("evaluations:epreuves_planning", args=[self.session.pk])
        )
        self.assertContains(
            planning,
            f'<a href="{self.url}">Gérer les sites et les salles</a>',
            html=True,
        )
        home = self.client.get("/")
        self.assertContains(home, f'href="{self.url}"', count=2)  # menu, action


class SiteFormTests(LieuxTestCase):
    def test_admin_creates_a_site(self) -> None:
        self.client.force_login(self.admin)
        url = self.site_url("epreuves_site_ajouter")
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(
            url,
            {"nom": "Campus Paris", "adresse": "1 rue A\n75001 Paris", "acces": "M1"},
        )
        self.assertRedirects(response, reverse("evaluations:epreuves_sites"))
        site = Site.objects.get(nom="Campus Paris")
        self.assertEqual((site.adresse, site.acces), ("1 rue A\n75001 Paris", "M1"))

    def test_admin_edits_a_site(self) -> None:
        self.client.force_login(self.admin)
        url = self.site_url("epreuves_site", self.site.pk)
        self.assertContains(self.client.get(url), "Campus Lyon")
        response = self.client.post(
            url,
            {"nom": "Campus Lyon", "adresse": "4 quai\n69007 Lyon", "acces": "Tram T1"},
        )
        self.assertRedirects(response, reverse("evaluations:epreuves_sites"))
        self.site.refresh_from_db()
        self.assertEqual(
            (self.site.adresse, self.site.acces), ("4 quai\n69007 Lyon", "Tram T1")
        )

    def test_bad_input_refused_in_french_nothing_stored(self) -> None:
        self.client.force_login(self.admin)
        url = self.site_url("epreuves_site_ajouter")
        cases = [
            (
                {"nom": "X" * 201, "adresse": "a"},
                "Assurez-vous que cette valeur comporte au plus 200 caractères "
                "(actuellement 201).",
            ),
            (
                {"nom": "Y", "adresse": "a" * 501},
                "Assurez-vous que cette valeur comporte au plus 500 caractères "
                "(actuellement 501).",
            ),
            ({"nom": "Z", "adresse": ""}, "Ce champ est obligatoire."),
            (
                {"nom": "Campus Lyon", "adresse": "ailleurs"},
                "Un site de ce nom existe déjà.",
            ),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                response = self.client.post(url, data)
                self.assertContains(response, message, status_code=200)
                self.assertEqual(Site.objects.count(), 1)
        response = self.client.post(url, {"nom": "N\x00", "adresse": "a"})
        self.assertContains(response, NUL_MESSAGE, status_code=400)
        self.assertEqual(Site.objects.count(), 1)

    def test_wrong_role_403_unknown_404_wrong_method_405(self) -> None:
        urls = [
            self.site_url("epreuves_site_ajouter"),
            self.site_url("epreuves_site", self.site.pk),
            self.site_url("epreuves_salle_ajouter", self.site.pk),
        ]
        self.client.force_login(self.m1.user)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 403)
            self.assertEqual(self.client.post(url, {"nom": "X"}).status_code, 403)
        self.assertEqual(Site.objects.count(), 1)
        self.client.force_login(self.admin)
        for name in ("epreuves_site", "epreuves_salle_ajouter"):
            self.assertEqual(
                self.client.get(self.site_url(name, self.site.pk + 99)).status_code,
                404,
            )
        for url in urls:
            self.assertEqual(self.client.put(url).status_code, 405)


class SalleFormTests(LieuxTestCase):
    def test_admin_adds_and_edits_a_room(self) -> None:
        self.client.force_login(self.admin)
        url = self.site_url("epreuves_salle_ajouter", self.site.pk)
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(
            url, {"nom": "C305", "capacite": "12", "accessible_pmr": "on"}
        )
        self.assertRedirects(response, reverse("evaluations:epreuves_sites"))
        salle = Salle.objects.get(nom="C305")
        self.assertEqual(
            (salle.site, salle.capacite, salle.accessible_pmr), (self.site, 12, True)
        )
        response = self.client.post(
            self.site_url("epreuves_salle", salle.pk), {"nom": "C305", "capacite": "8"}
        )
        self.assertRedirects(response, reverse("evaluations:epreuves_sites"))
        salle.refresh_from_db()
        self.assertEqual((salle.capacite, salle.accessible_pmr), (8, False))

    def test_bad_input_refused_in_french_nothing_stored(self) -> None:
        self.client.force_login(self.admin)
        url = self.site_url("epreuves_salle_ajouter", self.site.pk)
        cases = [
            (
                {"nom": "C1", "capacite": "0"},
                "Assurez-vous que cette valeur est supérieure ou égale à 1.",
            ),
            (
                {"nom": "C1", "capacite": "-3"},
                "Assurez-vous que cette valeur est supérieure ou égale à 1.",
            ),
            (
                {"nom": "C1", "capacite": "1001"},
                "Assurez-vous que cette valeur est inférieure ou égale à 1000.",
            ),
            ({"nom": "C1", "capacite": "dix"}, "Saisissez un nombre entier."),
            (
                {"nom": "C" * 101, "capacite": "4"},
                "Assurez-vous que cette valeur comporte au plus 100 caractères "
                "(actuellement 101).",
            ),
            (
                {"nom": "A101", "capacite": "4"},
                "Une salle de ce nom existe déjà sur ce site.",
            ),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                response = self.client.post(url, data)
                self.assertContains(response, message, status_code=200)
                self.assertEqual(Salle.objects.count(), 2)
        response = self.client.post(url, {"nom": "C\x001", "capacite": "4"})
        self.assertContains(response, NUL_MESSAGE, status_code=400)
        # Editing a room to capacity 0 leaves it as it was.
        response = self.client.post(
            self.site_url("epreuves_salle", self.salle_a.pk),
            {"nom": "A101", "capacite": "0"},
        )
        self.assertContains(
            response, "Assurez-vous que cette valeur est supérieure ou égale à 1."
        )
        self.salle_a.refresh_from_db()
        self.assertEqual(self.salle_a.capacite, 6)

    def test_service_refuses_capacity_zero(self) -> None:
        with self.assertRaisesMessage(
            Exception, "Une salle compte au moins une place."
        ):
            salle_create(site=self.site, saisie=SalleSaisie(nom="Z", capacite=0))
        self.assertEqual(Salle.objects.filter(nom="Z").count(), 0)

    def test_wrong_role_403_unknown_404_wrong_method_405(self) -> None:
        url = self.site_url("epreuves_salle", self.salle_a.pk)
        self.client.force_login(self.camille.candidat.user)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.admin)
        self.assertEqual(
            self.client.get(self.site_url("epreuves_salle", 99999)).status_code, 404
        )
        self.assertEqual(self.client.put(url).status_code, 405)


class DeletionTests(LieuxTestCase):
    def test_unused_room_is_deleted(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            self.site_url("epreuves_salle_supprimer", self.salle_b.pk), follow=True
        )
        self.assertContains(response, "Salle « Campus Lyon — B203 » supprimée.")
        self.assertFalse(Salle.objects.filter(pk=self.salle_b.pk).exists())

    def test_room_used_by_a_sitting_is_kept(self) -> None:
        self.place()
        self.client.force_login(self.admin)
        response = self.client.post(
            self.site_url("epreuves_salle_supprimer", self.salle_a.pk), follow=True
        )
        self.assertContains(
            response,
            "La salle Campus Lyon — A101 accueille 1 passage : elle ne peut pas être "
            "supprimée.",
        )
        self.assertTrue(Salle.objects.filter(pk=self.salle_a.pk).exists())

    def test_site_used_by_a_sitting_is_kept_with_its_rooms(self) -> None:
        self.place()
        self.place(
            inscription=self.dominique,
            salle=self.salle_b,
            membres=[self.m1],
            debut=aware(self.jour2, time(9)),
        )
        with self.assertRaisesMessage(
            Exception,
            "Le site Campus Lyon accueille 2 passages : il ne peut pas être supprimé.",
        ):
            site_delete(site=self.site)
        self.assertEqual(Salle.objects.filter(site=self.site).count(), 2)

    def test_unused_site_is_deleted_with_its_rooms(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            self.site_url("epreuves_site_supprimer", self.site.pk), follow=True
        )
        self.assertContains(response, "Site « Campus Lyon » supprimé.")
        self.assertEqual((Site.objects.count(), Salle.objects.count()), (0, 0))

    def test_delete_wrong_role_403_unknown_404_wrong_method_405(self) -> None:
        for name, pk in (
            ("epreuves_site_supprimer", self.site.pk),
            ("epreuves_salle_supprimer", self.salle_b.pk),
        ):
            url = self.site_url(name, pk)
            self.client.force_login(self.m1.user)
            self.assertEqual(self.client.post(url).status_code, 403)
            self.client.force_login(self.admin)
            self.assertEqual(self.client.get(url).status_code, 405)
            self.assertEqual(
                self.client.post(self.site_url(name, pk + 999)).status_code, 404
            )
        self.assertEqual((Site.objects.count(), Salle.objects.count()), (1, 2))

    def test_service_deletes_an_unused_room(self) -> None:
        salle_delete(salle=self.salle_b)
        self.assertEqual(list(Salle.objects.values_list("nom", flat=True)), ["A101"])
        self.assertEqual(SiteSaisi(nom="x", adresse="y").acces, "")
