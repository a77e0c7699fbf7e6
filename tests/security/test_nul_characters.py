"""NUL characters in free text. PostgreSQL refuses them in a text column (ValueError
« A string literal cannot contain NUL (0x00) characters », a 500); Django's form
CharField refuses them with a message (ProhibitNullCharactersValidator), so every
text must go through a form before reaching a service.

The two views below read their comments straight from request.POST: on PostgreSQL
a NUL is a 500, on SQLite it is stored. Marked xfail(strict): the day they answer
400 with a message and store nothing, these tests pass and the marker must go."""

import pytest
from django.test import TestCase

from evaluations.models import Consolidation, Evaluation
from referentiel.models import Critere
from tests.test_permission_matrix import World

BUG = (
    "comments read from request.POST without a form: evaluations/views/grille.py "
    "grille_view (plain form) and evaluations/views/deliberation.py consolidation_view"
)


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

    @pytest.mark.xfail(strict=True, reason=BUG)
    def test_grid_plain_form_refuses_a_nul_character(self) -> None:
        self.client.force_login(self.w.personas["jury"])
        pk = self.critere.pk
        response = self.client.post(
            f"/jury/inscriptions/{self.w.personas_inscription}/grille/",
            {f"resultat-{pk}": "acquis", f"commentaire-{pk}": "a\x00b"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Evaluation.objects.count(), 0)

    @pytest.mark.xfail(strict=True, reason=BUG)
    def test_consolidation_refuses_a_nul_character(self) -> None:
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
        self.assertEqual(Consolidation.objects.count(), 0)
