"""The candidate search shared by the session desk and the jury page."""

from django.test import TestCase

from evaluations.sessions.models import Inscription
from evaluations.sessions.selectors import search_inscriptions
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    small_data,
)


class SearchInscriptionsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        referentiel = make_referentiel(small_data(blocs=1, criteres=1))
        cls.session = make_session(referentiel)
        autre = make_session(referentiel, nom="Autre")
        cls.martin = make_inscription(
            make_candidat("lea.m@example.org", nom="Martin", prenom="Léa"), cls.session
        )
        usage = make_candidat("b@example.org", nom="Bernard", prenom="Inès")
        usage.nom_usage = "Martineau"
        usage.save(update_fields=["nom_usage"])
        cls.usage = make_inscription(usage, cls.session)
        cls.prenom = make_inscription(
            make_candidat("c@example.org", nom="Petit", prenom="Martine"), cls.session
        )
        cls.email = make_inscription(
            make_candidat("martin.z@example.org", nom="Zola", prenom="Jo"), cls.session
        )
        cls.ailleurs = make_inscription(
            make_candidat("d@example.org", nom="Martin", prenom="Paul"), autre
        )

    def found(self, q: str) -> list[int]:
        return sorted(
            search_inscriptions(Inscription.objects.filter(session=self.session), q)
            .order_by()
            .values_list("pk", flat=True)
        )

    def test_each_name_and_the_email_case_insensitively(self) -> None:
        tous = sorted([self.martin.pk, self.usage.pk, self.prenom.pk, self.email.pk])
        self.assertEqual(self.found("mARTin"), tous)
        self.assertEqual(self.found("  martin  "), tous)
        self.assertEqual(self.found(""), tous)
        self.assertEqual(self.found("MARTINEAU"), [self.usage.pk])
        self.assertEqual(self.found("martine"), sorted([self.usage.pk, self.prenom.pk]))
        self.assertEqual(self.found("martin.z@"), [self.email.pk])
        self.assertEqual(self.found("léa"), [self.martin.pk])
        self.assertEqual(self.found("paul"), [])

    def test_a_candidate_matched_twice_is_found_once(self) -> None:
        # « m »: in every e-mail (example.org) and in three names.
        self.assertEqual(
            self.found("m"),
            sorted([self.martin.pk, self.usage.pk, self.prenom.pk, self.email.pk]),
        )
        self.assertEqual(
            search_inscriptions(
                Inscription.objects.filter(session=self.session), "m"
            ).count(),
            4,
        )
        # « lea »: the e-mail only (the first name keeps its accent).
        self.assertEqual(self.found("lea"), [self.martin.pk])
