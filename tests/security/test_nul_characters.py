"""NUL characters in free text. PostgreSQL refuses them in a text column (ValueError
« A string literal cannot contain NUL (0x00) characters », a 500); Django's form
CharField refuses them with a message (ProhibitNullCharactersValidator), so every
text must go through a form before reaching a service.

The grid's plain form and the consolidation read their comments straight from
request.POST, so the services refuse a NUL character themselves (400, nothing
stored) on both databases."""

from django.test import TestCase

from evaluations.notation.models import Consolidation, Evaluation
from referentiel.models import Critere
from tests.test_permission_matrix import World


class NulCharacterTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World.build()
        cls.critere = Critere.objects.get(code="C1.1.1")

    def setUp(self) -> None:
        self.client.raise_request_exception = False

    def test_htmx_save_refuses_a_nul_character(self) -> None:
        self.client.force_login(self.w.personas["jury"])
        pk = self.critere.pk
        response = self.client.post(
            f"/jury/inscriptions/{self.w.personas_inscription}/grille/criteres/{pk}/",
            {f"resultat-{pk}": "acquis", f"commentaire-{pk}": "a\x00b"},
            HTTP_HX_REQUEST="true",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Evaluation.objects.count(), 0)

    def test_grid_plain_form_refuses_a_nul_character(self) -> None:
        self.client.force_login(self.w.personas["jury"])
        pk = self.critere.pk
        response = self.client.post(
            f"/jury/inscriptions/{self.w.personas_inscription}/grille/",
            {f"resultat-{pk}": "acquis", f"commentaire-{pk}": "a\x00b"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Evaluation.objects.count(), 0)

    def test_consolidation_refuses_a_nul_character(self) -> None:
        before = list(
            Consolidation.objects.order_by("pk").values_list(
                "pk", "commentaire", "version"
            )
        )
        self.client.force_login(self.w.personas["pres"])
        pk = self.critere.pk
        response = self.client.post(
            f"/jury/inscriptions/{self.w.personas_inscription}/consolidation/",
            {
                f"resultat-{pk}": "acquis",
                f"commentaire-{pk}": "a\x00b",
                f"version-{pk}": "0",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            list(
                Consolidation.objects.order_by("pk").values_list(
                    "pk", "commentaire", "version"
                )
            ),
            before,
        )
