"""The president's consolidation: side by side, pre-filled, versioned."""

from collections.abc import Callable
from typing import Any

from django.test import TestCase
from django.urls import reverse

from certif.roles import Role
from evaluations.jury.models import ConflitInterets
from evaluations.notation.models import Consolidation
from evaluations.notation.services import (
    ConsolidationConflitError,
    consolidation_record,
)
from tests.evaluations.factories_jury import (
    criteres_of,
    make_affectation,
    make_membre,
    score,
)
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)
from tests.handicap.factories import grant_exemption


class ConsolidationTestCase(TestCase):
    # None: the seed référentiel.
    data: Callable[[], dict[str, Any] | None] = staticmethod(
        lambda: small_data(blocs=2, criteres=2)
    )

    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel(cls.data())
        cls.session = make_session(cls.referentiel, statut="en_evaluation")
        cls.candidat = make_candidat("candidat@test.localhost")
        cls.inscription = make_inscription(cls.candidat, cls.session)
        cls.president = make_membre(
            cls.session, "president@test.localhost", president=True
        )
        cls.m1 = make_membre(cls.session, "m1@test.localhost")
        cls.m2 = make_membre(cls.session, "m2@test.localhost")
        # Validated: the consolidation waits for every assigned evaluator.
        cls.a1 = make_affectation(cls.m1, cls.inscription, validee=True)
        cls.a2 = make_affectation(cls.m2, cls.inscription, validee=True)
        cls.admin = make_user("admin@test.localhost", Role.ADMINISTRATEUR)
        cls.referent = make_user("referent@test.localhost", Role.REFERENT_HANDICAP)
        cls.outsider = make_user(
            "ailleurs@test.localhost", Role.MEMBRE_JURY, Role.PRESIDENT
        )
        cls.autre_candidat = make_candidat("autre-candidat@test.localhost").user
        cls.criteres = criteres_of(cls.inscription)
        cls.url = reverse("evaluations:consolidation", args=[cls.inscription.pk])


class ConsolidationPageTests(ConsolidationTestCase):
    def test_side_by_side_divergence_and_prefill(self) -> None:
        c1, c2, *_ = self.criteres
        score(self.a1, criteres=self.criteres)
        score(self.a2, criteres=[c1])
        score(self.a2, criteres=[c2], resultat="non_acquis")
        self.client.force_login(self.president.user)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        # c1: both acquis -> pre-filled; c2: divergence -> not pre-filled
        self.assertIn(f'id="j-{c1.pk}-a" value="acquis" checked', html)
        self.assertNotIn(f'id="j-{c2.pk}-a" value="acquis" checked', html)
        self.assertNotIn(f'id="j-{c2.pk}-n" value="non_acquis" checked', html)
        self.assertEqual(html.count('class="divergent table-warning"'), 1)
        self.assertEqual(html.count("pré-rempli (accord)"), 1)

    def test_save_records_versions_and_history(self) -> None:
        c1 = self.criteres[0]
        self.client.force_login(self.president.user)
        response = self.client.post(
            self.url,
            {f"resultat-{c1.pk}": "acquis", f"version-{c1.pk}": "0"},
            follow=True,
        )
        self.assertContains(response, "Consolidation enregistrée (1 résultat modifié).")
        consolidation = Consolidation.objects.get(
            inscription=self.inscription, critere=c1
        )
        self.assertEqual((consolidation.resultat, consolidation.version), ("acquis", 1))
        self.client.post(
            self.url,
            {
                f"resultat-{c1.pk}": "non_acquis",
                f"commentaire-{c1.pk}": "revu",
                f"version-{c1.pk}": "1",
            },
        )
        consolidation.refresh_from_db()
        self.assertEqual(
            (consolidation.resultat, consolidation.commentaire, consolidation.version),
            ("non_acquis", "revu", 2),
        )
        self.assertEqual(
            list(
                consolidation.history.order_by("history_id").values_list(
                    "resultat", "history_user"
                )
            ),
            [
                ("acquis", self.president.user.pk),
                ("non_acquis", self.president.user.pk),
            ],
        )

    def test_concurrent_change_is_detected_and_input_kept(self) -> None:
        c1 = self.criteres[0]
        other = make_user(
            "collegue@test.localhost",
            Role.PRESIDENT,
            first_name="Claire",
            last_name="Autre",
        )
        # The page was loaded (version 0 seen), then someone else saved meanwhile.
        consolidation_record(
            inscription=self.inscription, valeurs={c1.pk: ("acquis", "", 0)}, by=other
        )
        self.client.force_login(self.president.user)
        response = self.client.post(
            self.url,
            {
                f"resultat-{c1.pk}": "non_acquis",
                f"commentaire-{c1.pk}": "mon avis à garder",
                f"version-{c1.pk}": "0",
            },
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(
            response, "Résultats modifiés entre-temps par Claire Autre", status_code=409
        )
        self.assertContains(response, "rechargez la page", status_code=409)
        html = response.content.decode()
        self.assertIn(f'id="j-{c1.pk}-n" value="non_acquis" checked', html)
        self.assertIn('value="mon avis à garder"', html)
        consolidation = Consolidation.objects.get(critere=c1)
        self.assertEqual((consolidation.resultat, consolidation.version), ("acquis", 1))

    def test_service_refuses_stale_version_and_writes_nothing(self) -> None:
        c1, c2 = self.criteres[:2]
        consolidation_record(
            inscription=self.inscription,
            valeurs={c1.pk: ("acquis", "", 0)},
            by=self.admin,
        )
        with self.assertRaises(ConsolidationConflitError) as ctx:
            consolidation_record(
                inscription=self.inscription,
                valeurs={c1.pk: ("non_acquis", "", 0), c2.pk: ("acquis", "", 0)},
                by=self.president.user,
            )
        self.assertEqual([c.critere for c in ctx.exception.conflits], [c1])
        self.assertEqual(Consolidation.objects.count(), 1)

    def test_bad_value_refused(self) -> None:
        c1 = self.criteres[0]
        self.client.force_login(self.president.user)
        response = self.client.post(
            self.url, {f"resultat-{c1.pk}": "bof", f"version-{c1.pk}": "0"}
        )
        self.assertContains(
            response, "Choisissez « Acquis » ou « Non acquis ».", status_code=400
        )
        self.assertIs(Consolidation.objects.exists(), False)


class ConsolidationAccessTests(ConsolidationTestCase):
    def test_matrix(self) -> None:
        cases = [
            (self.president.user, 200, 302),
            (self.admin, 200, 403),
            (self.m1.user, 403, 403),
            (self.referent, 403, 403),
            (self.outsider, 404, 404),
            (self.candidat.user, 403, 403),
            (self.autre_candidat, 404, 404),
        ]
        c1 = self.criteres[0]
        for user, get_status, post_status in cases:
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, get_status)
                response = self.client.post(
                    self.url, {f"resultat-{c1.pk}": "acquis", f"version-{c1.pk}": "0"}
                )
                self.assertEqual(response.status_code, post_status)
        self.assertEqual(Consolidation.objects.count(), 1)  # the president's
        self.client.force_login(self.admin)
        self.assertContains(
            self.client.get(self.url),
            "Lecture seule : seul le président du jury consolide.",
        )
        self.client.force_login(self.president.user)
        self.assertEqual(self.client.put(self.url).status_code, 405)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_president_in_conflict_gets_404(self) -> None:
        ConflitInterets.objects.create(
            membre=self.president, inscription=self.inscription, nature="famille"
        )
        self.client.force_login(self.president.user)
        self.assertEqual(self.client.get(self.url).status_code, 404)


class ConsolidationQueryCountTests(ConsolidationTestCase):
    data = staticmethod(
        lambda: None
    )  # the seed référentiel: 18 competencies, 71 criteria

    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel()
        cls.session = make_session(cls.referentiel, statut="en_evaluation")
        cls.candidat = make_candidat("candidat@test.localhost")
        cls.inscription = make_inscription(cls.candidat, cls.session)
        cls.president = make_membre(
            cls.session, "president@test.localhost", president=True
        )
        cls.affectations = [
            make_affectation(
                make_membre(cls.session, f"m{i}@test.localhost"), cls.inscription
            )
            for i in range(3)
        ]
        cls.url = reverse("evaluations:consolidation", args=[cls.inscription.pk])

    def test_same_count_whatever_the_scores(self) -> None:
        self.client.force_login(self.president.user)
        self.client.get(self.url)  # the published version's structure, read once
        with self.assertNumQueries(11):
            self.client.get(self.url)
        for affectation in self.affectations:
            score(affectation)
        with self.assertNumQueries(11):
            response = self.client.get(self.url)
        self.assertContains(response, "pré-rempli (accord)", count=71)


class ConsolidationExemptionTests(ConsolidationTestCase):
    """A real exemption, granted through the handicap area's services after the
    evaluators scored the criterion."""

    def test_exempted_criterion_is_neither_divergent_nor_consolidated(self) -> None:
        c2 = self.criteres[1]
        score(self.a1, criteres=[c2])
        score(self.a2, criteres=[c2], resultat="non_acquis")
        grant_exemption(
            self.inscription,
            c2,
            president=self.president.user,
            referent=self.referent,
        )
        self.client.force_login(self.president.user)
        page = self.client.get(self.url)
        self.assertNotContains(page, "Divergence</span>")
        self.assertContains(
            page, '<span class="badge text-bg-secondary">Dispensé</span>', html=True
        )
        response = self.client.post(
            self.url, {f"resultat-{c2.pk}": "acquis", f"version-{c2.pk}": "0"}
        )
        self.assertContains(
            response, "Un critère dispensé ne se consolide pas.", status_code=400
        )
        self.assertIs(Consolidation.objects.exists(), False)
