"""Deliberation: proposed decision, quorum, vote and lock (409), explicit
re-opening, blocs acquired, audit history."""

from django.test import override_settings
from django.urls import reverse

from evaluations.deliberation.models import Deliberation, ReouvertureDeliberation
from evaluations.jury.models import Affectation
from evaluations.notation.models import Consolidation, Evaluation
from evaluations.notation.selectors import rollup_consolide_for
from evaluations.notation.services import consolidation_record
from evaluations.sessions.models import BlocAcquis, EcritureRefusee
from evaluations.sessions.verrou import (
    DeliberationVerrouilleeError,
    deliberation_assert_open,
)
from tests.evaluations.factories_jury import consolidate, score
from tests.evaluations.notation.test_consolidation import ConsolidationTestCase
from tests.factories import make_inscription, make_session

VERROU = "La délibération de ce candidat est votée et verrouillée"


class DeliberationTestCase(ConsolidationTestCase):
    def setUp(self) -> None:
        self.url = reverse("evaluations:deliberation", args=[self.inscription.pk])
        self.rouvrir_url = reverse(
            "evaluations:deliberation_rouvrir", args=[self.inscription.pk]
        )

    def vote(self, motif: str = "Dossier solide.", presents=None):  # type: ignore[no-untyped-def]
        presents = presents if presents is not None else [self.president, self.m1]
        self.client.force_login(self.president.user)
        # The blocs as the page ticks them: the proposal.
        blocs = list(rollup_consolide_for(inscription=self.inscription).blocs_valides)
        return self.client.post(
            self.url,
            {"motif": motif, "presents": [m.pk for m in presents], "blocs": blocs},
        )


class VoteTests(DeliberationTestCase):
    def test_proposed_certified_then_voted_and_locked(self) -> None:
        consolidate(self.inscription, self.president.user)
        self.client.force_login(self.president.user)
        page = self.client.get(self.url)
        self.assertContains(page, '<p class="fs-5">Certifié</p>', html=True)
        response = self.vote()
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        deliberation = Deliberation.objects.get(inscription=self.inscription)
        self.assertEqual(
            (deliberation.decision, deliberation.motif, deliberation.verrouillee),
            ("certifie", "Dossier solide.", True),
        )
        self.assertEqual(
            sorted(b.code for b in deliberation.blocs_valides.all()), ["B1", "B2"]
        )
        self.assertEqual(set(deliberation.presents.all()), {self.president, self.m1})
        self.assertEqual(
            sorted(
                BlocAcquis.objects.filter(candidat=self.candidat).values_list(
                    "bloc__code", "session"
                )
            ),
            [("B1", self.session.pk), ("B2", self.session.pk)],
        )
        self.assertContains(self.client.get(self.url), "verrouillée")

    def test_partial_validation_lists_the_blocs(self) -> None:
        consolidate(self.inscription, self.president.user)
        Consolidation.objects.filter(critere__code="C2.1.2").update(
            resultat="non_acquis"
        )
        self.client.force_login(self.president.user)
        self.assertContains(self.client.get(self.url), "Validation partielle : B1")
        self.vote()
        deliberation = Deliberation.objects.get()
        self.assertEqual(deliberation.decision, "validation_partielle")
        self.assertEqual([b.code for b in deliberation.blocs_valides.all()], ["B1"])
        self.assertEqual(
            list(BlocAcquis.objects.values_list("bloc__code", flat=True)), ["B1"]
        )

    def test_incomplete_results_cannot_be_voted(self) -> None:
        consolidate(self.inscription, self.president.user, criteres=self.criteres[:3])
        self.client.force_login(self.president.user)
        self.assertContains(
            self.client.get(self.url), "Les résultats consolidés sont incomplets"
        )
        response = self.vote()
        self.assertContains(
            response, "Les résultats consolidés sont incomplets", status_code=400
        )
        self.assertIs(Deliberation.objects.exists(), False)

    @override_settings(QUORUM_DELIBERATION=3)
    def test_quorum_from_settings(self) -> None:
        consolidate(self.inscription, self.president.user)
        response = self.vote()
        self.assertContains(
            response,
            "Quorum non atteint : il faut au moins 3 membres présents, le président compris.",
            status_code=400,
        )
        self.assertIs(Deliberation.objects.exists(), False)
        self.vote(presents=[self.president, self.m1, self.m2])
        self.assertIs(Deliberation.objects.get().verrouillee, True)

    def test_president_must_be_present_and_motive_given(self) -> None:
        consolidate(self.inscription, self.president.user)
        response = self.vote(presents=[self.m1, self.m2])
        self.assertContains(
            response, "Le président du jury doit être présent.", status_code=400
        )
        response = self.vote(motif="  ")
        self.assertContains(
            response, "Indiquez le motif de la décision.", status_code=400
        )
        self.assertIs(Deliberation.objects.exists(), False)

    def test_capitalised_bloc_kept_once(self) -> None:
        earlier = make_session(self.referentiel, nom="Session 2025", statut="deliberee")
        ancienne = make_inscription(self.candidat, earlier, blocs=["B1"])
        bloc_b1 = self.referentiel.blocs.get(code="B1")
        BlocAcquis.objects.create(
            candidat=self.candidat, bloc=bloc_b1, session=earlier, inscription=ancienne,
            acquis_le="2025-06-30",
        )  # fmt: skip
        self.inscription.blocs.set(self.referentiel.blocs.filter(code="B2"))
        consolidate(self.inscription, self.president.user, criteres=self.criteres[2:])
        self.client.force_login(self.president.user)
        self.assertContains(
            self.client.get(self.url), "Bloc B1 capitalisé (Session 2025)."
        )
        self.vote()
        self.assertEqual(
            Deliberation.objects.get(inscription=self.inscription).decision, "certifie"
        )
        self.assertEqual(
            sorted(BlocAcquis.objects.values_list("bloc__code", "session__nom")),
            [("B1", "Session 2025"), ("B2", "Session de test")],
        )


class LockTests(DeliberationTestCase):
    def setUp(self) -> None:
        super().setUp()
        score(self.a1, criteres=self.criteres[:1])
        consolidate(self.inscription, self.president.user)
        self.vote()
        self.assertIs(Deliberation.objects.get().verrouillee, True)

    def test_guard(self) -> None:
        with self.assertRaisesMessage(DeliberationVerrouilleeError, VERROU):
            deliberation_assert_open(inscription=self.inscription)

    def test_score_save_refused_409(self) -> None:
        critere = self.criteres[0]
        self.client.force_login(self.m1.user)
        response = self.client.post(
            reverse(
                "evaluations:grille_critere", args=[self.inscription.pk, critere.pk]
            ),
            {f"resultat-{critere.pk}": "non_acquis"},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(response, VERROU, status_code=409)
        response = self.client.post(
            reverse("evaluations:grille", args=[self.inscription.pk]),
            {f"resultat-{critere.pk}": "non_acquis"},
        )
        self.assertContains(response, VERROU, status_code=409)
        self.assertEqual(Evaluation.objects.get(critere=critere).resultat, "acquis")
        response = self.client.post(
            reverse("evaluations:grille_valider", args=[self.inscription.pk])
        )
        self.assertContains(response, VERROU, status_code=409)
        self.assertContains(
            self.client.get(reverse("evaluations:grille", args=[self.inscription.pk])),
            "La délibération est votée : la grille est verrouillée.",
        )

    def test_consolidation_refused_409(self) -> None:
        c1 = self.criteres[0]
        consolidation = Consolidation.objects.get(critere=c1)
        response = self.client.post(
            reverse("evaluations:consolidation", args=[self.inscription.pk]),
            {
                f"resultat-{c1.pk}": "non_acquis",
                f"version-{c1.pk}": str(consolidation.version),
            },
        )
        self.assertContains(response, VERROU, status_code=409)
        consolidation.refresh_from_db()
        self.assertEqual(consolidation.resultat, "acquis")
        with self.assertRaises(DeliberationVerrouilleeError):
            consolidation_record(
                inscription=self.inscription,
                valeurs={c1.pk: ("non_acquis", "", consolidation.version)},
                by=self.president.user,
            )

    def test_decision_refused_409(self) -> None:
        response = self.vote(motif="Autre motif")
        self.assertContains(response, VERROU, status_code=409)
        self.assertEqual(Deliberation.objects.get().motif, "Dossier solide.")

    def test_reopen_needs_a_reason_then_unlocks_and_revote_reconciles(self) -> None:
        response = self.client.post(self.rouvrir_url, {"motif": ""}, follow=True)
        self.assertContains(response, "Indiquez le motif de la réouverture.")
        self.assertIs(Deliberation.objects.get().verrouillee, True)
        response = self.client.post(
            self.rouvrir_url, {"motif": "Erreur de saisie sur C2.1"}, follow=True
        )
        self.assertContains(response, "Délibération rouverte")
        deliberation = Deliberation.objects.get()
        self.assertIs(deliberation.verrouillee, False)
        self.assertEqual(
            list(ReouvertureDeliberation.objects.values_list("motif", "par")),
            [("Erreur de saisie sur C2.1", self.president.user.pk)],
        )
        c4 = self.criteres[3]
        conso = Consolidation.objects.get(critere=c4)
        self.client.post(
            reverse("evaluations:consolidation", args=[self.inscription.pk]),
            {f"resultat-{c4.pk}": "non_acquis", f"version-{c4.pk}": str(conso.version)},
        )
        self.vote(motif="Critère 2 de C2.1 non acquis après correction.")
        deliberation.refresh_from_db()
        self.assertEqual(
            (deliberation.decision, deliberation.verrouillee),
            ("validation_partielle", True),
        )
        self.assertEqual(
            list(BlocAcquis.objects.values_list("bloc__code", flat=True)), ["B1"]
        )
        # a second reopen/revote path is recorded in the history page
        history = self.client.get(
            reverse("evaluations:jury_historique", args=[self.inscription.pk])
        )
        self.assertContains(history, "Réouverture de la délibération")
        self.assertContains(history, "Motif : Erreur de saisie sur C2.1")
        entries = [
            (e.objet, e.avant, e.apres)
            for e in history.context["page"].object_list
            if e.objet == "Délibération"
        ]
        self.assertEqual(
            entries,
            [
                (
                    "Délibération",
                    "Certifié (rouverte) — « Dossier solide. »",
                    "Validation partielle (verrouillée) — « Critère 2 de C2.1 non "
                    "acquis après correction. »",
                ),
                (
                    "Délibération",
                    "Certifié (verrouillée) — « Dossier solide. »",
                    "Certifié (rouverte) — « Dossier solide. »",
                ),
                ("Délibération", "—", "Certifié (verrouillée) — « Dossier solide. »"),
            ],
        )

    def test_reopen_permissions(self) -> None:
        for user, status in [
            (self.admin, 403),
            (self.m1.user, 403),
            (self.referent, 403),
            (self.outsider, 404),
            (self.candidat.user, 403),
            (self.autre_candidat, 404),
        ]:
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(
                    self.client.post(self.rouvrir_url, {"motif": "x"}).status_code,
                    status,
                )
        self.assertIs(Deliberation.objects.get().verrouillee, True)
        self.client.force_login(self.president.user)
        self.assertEqual(self.client.get(self.rouvrir_url).status_code, 405)
        self.client.logout()
        self.assertEqual(
            self.client.post(self.rouvrir_url, {"motif": "x"}).status_code, 302
        )


class DeliberationAccessTests(DeliberationTestCase):
    def test_matrix(self) -> None:
        consolidate(self.inscription, self.president.user)
        for user, get_status, post_status in [
            (self.admin, 200, 403),
            (self.m1.user, 403, 403),
            (self.referent, 403, 403),
            (self.outsider, 404, 404),
            (self.candidat.user, 403, 403),
            (self.autre_candidat, 404, 404),
        ]:
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, get_status)
                response = self.client.post(
                    self.url,
                    {"motif": "x", "presents": [self.president.pk, self.m1.pk]},
                )
                self.assertEqual(response.status_code, post_status)
        self.assertIs(Deliberation.objects.exists(), False)
        self.client.force_login(self.president.user)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.put(self.url).status_code, 405)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)


class HistoriqueTests(DeliberationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.history_url = reverse(
            "evaluations:jury_historique", args=[self.inscription.pk]
        )

    def test_scores_consolidation_and_decision_before_after(self) -> None:
        critere = self.criteres[0]
        # M1 scores here: their grid is not validated yet.
        Affectation.objects.filter(pk=self.a1.pk).update(validee_le=None)
        self.client.force_login(self.m1.user)
        save = reverse(
            "evaluations:grille_critere", args=[self.inscription.pk, critere.pk]
        )
        self.client.post(
            save, {f"resultat-{critere.pk}": "acquis"}, HTTP_HX_REQUEST="true"
        )
        self.client.post(
            save,
            {
                f"resultat-{critere.pk}": "non_acquis",
                f"commentaire-{critere.pk}": "non",
            },
            HTTP_HX_REQUEST="true",
        )
        self.client.force_login(self.president.user)
        response = self.client.get(self.history_url)
        entries = list(response.context["page"].object_list)
        self.assertEqual(
            [(e.objet, e.avant, e.apres, e.par) for e in entries],
            [
                (
                    "Évaluation de M1 Nom — C1.1.1",
                    "Acquis",
                    "Non acquis — « non »",
                    "M1 Nom",
                ),
                ("Évaluation de M1 Nom — C1.1.1", "—", "Acquis", "M1 Nom"),
            ],
        )

    def test_matrix_and_query_count(self) -> None:
        for user, status in [
            (self.president.user, 200),
            (self.admin, 200),
            (self.m1.user, 403),
            (self.referent, 403),
            (self.outsider, 404),
            (self.candidat.user, 403),
            (self.autre_candidat, 404),
        ]:
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.history_url).status_code, status)
        self.client.force_login(self.president.user)
        self.assertEqual(self.client.post(self.history_url).status_code, 405)
        consolidation_record(
            inscription=self.inscription,
            valeurs={self.criteres[0].pk: ("acquis", "", 0)},
            by=self.president.user,
        )
        # The history reads the appeals too (evaluations/recours): one query.
        with self.assertNumQueries(12):
            self.client.get(self.history_url)
        consolidation_record(
            inscription=self.inscription,
            valeurs={c.pk: ("non_acquis", "", 0) for c in self.criteres[1:]},
            by=self.president.user,
        )
        score(self.a1)
        EcritureRefusee.objects.create(inscription=self.inscription, action="grille")
        with self.assertNumQueries(12):
            self.client.get(self.history_url)
        self.client.logout()
        self.assertEqual(self.client.get(self.history_url).status_code, 302)
