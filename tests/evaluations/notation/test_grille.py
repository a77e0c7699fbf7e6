"""The evaluator's scoring grid: access, htmx saves, plain form, validation,
exemptions and query counts."""

import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certif.roles import Role
from evaluations.jury.models import ConflitInterets
from evaluations.livrables.models import Livrable
from evaluations.notation.models import Evaluation
from evaluations.sessions.models import Session
from referentiel.models import Bloc, Competence, Critere
from referentiel.structure import structure_cache_clear, structure_version
from tests import clock
from tests.clock import frozen
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

HTMX = {"HTTP_HX_REQUEST": "true"}


def framework_free(queries: list[dict[str, str]]) -> list[str]:
    """The queries of the save itself: without the session and user lookups every
    authenticated request makes, and without the SAVEPOINTs that exist only
    because the test runs inside a transaction."""
    return [
        q["sql"]
        for q in queries
        if "django_session" not in q["sql"]
        and 'FROM "certif_user"' not in q["sql"]
        and "SAVEPOINT" not in q["sql"]
    ]


class GrilleTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel()
        cls.session = make_session(cls.referentiel, statut="en_evaluation")
        cls.candidat = make_candidat("candidat@test.localhost")
        cls.inscription = make_inscription(cls.candidat, cls.session)
        cls.president = make_membre(
            cls.session, "president@test.localhost", president=True
        )
        cls.m1 = make_membre(cls.session, "m1@test.localhost")
        cls.m2 = make_membre(cls.session, "m2@test.localhost")
        cls.m3 = make_membre(cls.session, "m3@test.localhost")  # not assigned
        cls.m4 = make_membre(cls.session, "m4@test.localhost")  # in conflict
        cls.a1 = make_affectation(cls.m1, cls.inscription)
        cls.a2 = make_affectation(cls.m2, cls.inscription)
        cls.ap = make_affectation(cls.president, cls.inscription)
        ConflitInterets.objects.create(
            membre=cls.m4, inscription=cls.inscription, nature="famille"
        )
        cls.admin = make_user("admin@test.localhost", Role.ADMINISTRATEUR)
        cls.referent = make_user("referent@test.localhost", Role.REFERENT_HANDICAP)
        cls.criteres = criteres_of(cls.inscription)
        cls.url = reverse("evaluations:grille", args=[cls.inscription.pk])

    def save_url(self, critere_pk: int | None = None) -> str:
        return reverse(
            "evaluations:grille_critere",
            args=[self.inscription.pk, critere_pk or self.criteres[0].pk],
        )

    def post_one(self, critere_pk: int, resultat: str, commentaire: str = "", **extra):  # type: ignore[no-untyped-def]
        return self.client.post(
            self.save_url(critere_pk),
            {
                f"resultat-{critere_pk}": resultat,
                f"commentaire-{critere_pk}": commentaire,
            },
            **{**HTMX, **extra},
        )


class GrilleAccessTests(GrilleTestCase):
    def test_assigned_member_sees_the_whole_path(self) -> None:
        self.client.force_login(self.m1.user)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertEqual(html.count('<fieldset class="critere"'), 71)
        self.assertEqual(html.count('class="card mb-3 competence-grille"'), 18)
        self.assertEqual(html.count('name="resultat-'), 142)
        self.assertContains(response, "0 critères notés sur 71 (0 %)")
        self.assertContains(response, f'hx-post="{self.save_url()}"', html=False)
        self.assertNotContains(response, "Valider mon évaluation")

    def test_cached_criteria_carry_each_evaluator_s_own_results_and_comments(
        self,
    ) -> None:
        """The criteria's markup is rendered once for the published version; each
        page still shows its evaluator's results and comments, escaped."""
        premier, second = self.criteres[0], self.criteres[1]
        Evaluation.objects.create(
            affectation=self.a1, critere=premier, resultat="acquis",
            commentaire="<script>alert(1)</script> & co",
        )  # fmt: skip
        Evaluation.objects.create(
            affectation=self.a2, critere=premier, resultat="non_acquis",
            commentaire="Trop court.",
        )  # fmt: skip
        self.client.force_login(self.m1.user)
        page1 = self.client.get(self.url).content.decode()
        self.client.force_login(self.m2.user)
        page2 = self.client.get(self.url).content.decode()
        self.assertIn(
            f'id="c-{premier.pk}" name="commentaire-{premier.pk}" rows="1" '
            'maxlength="2000">&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</textarea>',
            page1,
        )
        self.assertNotIn("<script>alert(1)", page1)
        self.assertIn(f'id="r-{premier.pk}-a" value="acquis" checked>', page1)
        self.assertIn(
            f'id="c-{premier.pk}" name="commentaire-{premier.pk}" rows="1" '
            'maxlength="2000">Trop court.</textarea>',
            page2,
        )
        self.assertIn(f'id="r-{premier.pk}-n" value="non_acquis" checked>', page2)
        self.assertNotIn(f'id="r-{premier.pk}-a" value="acquis" checked>', page2)
        # An unscored criterion: nothing ticked, « Non noté ».
        self.assertIn(f'id="r-{second.pk}-a" value="acquis">', page2)
        self.assertIn(
            f'<span id="etat-{second.pk}" class="etat-saisie small" role="status">'
            '<span class="text-body-secondary">Non noté</span></span>',
            page2,
        )
        # The save address is the grid's own.
        self.assertIn(f'hx-post="{self.url}criteres/{premier.pk}/"', page1)

    def test_current_deliverables_link_to_the_checked_download(self) -> None:
        modalite = self.criteres[0].competence.modalite
        ancien = Livrable.objects.create(
            inscription=self.inscription, modalite=modalite,
            fichier="livrables/x/a.pdf", nom_original="rapport-v1.pdf", taille=10,
            sha256="0" * 64, type_mime="application/pdf", depose_par=self.candidat.user,
        )  # fmt: skip
        courant = Livrable.objects.create(
            inscription=self.inscription, modalite=modalite, remplace=ancien, version=2,
            fichier="livrables/x/b.pdf", nom_original="rapport-v2.pdf", taille=10,
            sha256="1" * 64, type_mime="application/pdf", depose_par=self.candidat.user,
        )  # fmt: skip
        self.client.force_login(self.m1.user)
        self.client.get(self.url)  # the published version's structure, read once
        # session, user, assignment (with what the grid reads beside it), scores,
        # and the deliverables, read because there are some
        with self.assertNumQueries(5):
            response = self.client.get(self.url)
        url = reverse("evaluations:livrable_download", args=[courant.pk])
        self.assertContains(
            response,
            f'<a href="{url}" target="_blank" rel="noopener">rapport-v2.pdf</a>',
            html=True,
        )
        self.assertNotContains(response, "rapport-v1.pdf")

    def test_president_assigned_sees_the_grid(self) -> None:
        self.client.force_login(self.president.user)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_member_not_assigned_gets_404(self) -> None:
        self.client.force_login(self.m3.user)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_member_in_conflict_gets_404(self) -> None:
        make_affectation(self.m4, self.inscription)  # even if assigned meanwhile
        self.client.force_login(self.m4.user)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_candidate_gets_404(self) -> None:
        self.client.force_login(self.candidat.user)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_referent_gets_403(self) -> None:
        self.client.force_login(self.referent)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_admin_gets_403(self) -> None:
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(
            response,
            f"{reverse('login')}?next={self.url}",
            fetch_redirect_response=False,
        )

    def test_wrong_method(self) -> None:
        self.client.force_login(self.m1.user)
        self.assertEqual(self.client.put(self.url).status_code, 405)

    def test_unknown_enrolment_404(self) -> None:
        self.client.force_login(self.m1.user)
        url = reverse("evaluations:grille", args=[self.inscription.pk + 999])
        self.assertEqual(self.client.get(url).status_code, 404)


class GrilleQueryCountTests(GrilleTestCase):
    def test_grid_queries_do_not_grow_with_scores(self) -> None:
        """Full seed référentiel (18 competencies, 71 criteria), 3 evaluators."""
        self.client.force_login(self.m1.user)
        score(self.a1, criteres=self.criteres[:1])
        structure_cache_clear()
        # The first grid of the process reads the published version's structure
        # (blocs, competencies with modality and activity, criteria) ...
        with self.assertNumQueries(7):
            self.assertEqual(self.client.get(self.url).status_code, 200)
        # ... the next ones only the candidate's part: session, user, assignment
        # (with the path, the exemptions, the user's roles and whether there are
        # capitalised blocs, deliverables, sittings or accommodations to read:
        # none here), scores.
        with self.assertNumQueries(4):
            self.assertEqual(self.client.get(self.url).status_code, 200)
        score(self.a1, criteres=self.criteres[1:])
        score(self.a2)
        score(self.ap, resultat="non_acquis")
        with self.assertNumQueries(4):
            response = self.client.get(self.url)
        self.assertContains(response, "71 critères notés sur 71 (100 %)")

    def test_save_is_one_statement_beyond_authentication(self) -> None:
        self.client.force_login(self.m1.user)
        critere = self.criteres[5]
        self.post_one(self.criteres[4].pk, "acquis")  # statements prepared
        with CaptureQueriesContext(connection) as ctx:
            response = self.post_one(critere.pk, "acquis")
        self.assertEqual(response.status_code, 200)
        if connection.vendor == "postgresql":
            # the enrolment's row lock, then the checks, the upsert, the history
            # row and the progress: one round trip
            self.assertEqual(len(framework_free(ctx.captured_queries)), 1)
            # plus session and user
            self.assertEqual(len(ctx.captured_queries), 3)
        else:
            # affectation (+ checks and progress); the enrolment's row lock, the
            # enrolment and the affectation read after it; exemptions, upsert,
            # history
            self.assertEqual(len(framework_free(ctx.captured_queries)), 7)
            # plus session and user, plus the test transaction's SAVEPOINT/RELEASE
            self.assertEqual(len(ctx.captured_queries), 11)

    def test_refused_value_is_one_query_beyond_authentication(self) -> None:
        self.client.force_login(self.m1.user)
        with CaptureQueriesContext(connection) as ctx:
            response = self.post_one(self.criteres[5].pk, "peut-etre")
        self.assertEqual(response.status_code, 400)
        # the assignment (a member not assigned gets 404 before the 400)
        self.assertEqual(len(framework_free(ctx.captured_queries)), 1)
        self.assertEqual(len(ctx.captured_queries), 3)


class GrilleSaveTests(GrilleTestCase):
    def test_htmx_save_records_and_answers_state_and_progress(self) -> None:
        self.client.force_login(self.m1.user)
        critere = self.criteres[0]
        response = self.post_one(critere.pk, "non_acquis", " à revoir ")
        self.assertEqual(response.status_code, 200)
        evaluation = Evaluation.objects.get(affectation=self.a1, critere=critere)
        self.assertEqual(evaluation.resultat, "non_acquis")
        self.assertEqual(evaluation.commentaire, "à revoir")
        self.assertContains(response, f'id="etat-{critere.pk}"')
        self.assertContains(response, "Enregistré : Non acquis")
        self.assertContains(
            response,
            'id="progression" class="progression-grille card card-body mb-3" hx-swap-oob="true"',
        )
        self.assertContains(response, "1 critère noté sur 71 (1 %)")
        record = evaluation.history.get()
        self.assertEqual(record.history_user, self.m1.user)
        self.assertEqual(record.history_type, "+")

    def test_second_save_updates_and_keeps_history(self) -> None:
        self.client.force_login(self.m1.user)
        critere = self.criteres[0]
        self.post_one(critere.pk, "non_acquis")
        response = self.post_one(critere.pk, "acquis")
        self.assertContains(response, "1 critère noté sur 71 (1 %)")
        evaluation = Evaluation.objects.get(affectation=self.a1, critere=critere)
        self.assertEqual(evaluation.resultat, "acquis")
        self.assertEqual(
            list(
                evaluation.history.order_by("history_id").values_list(
                    "resultat", "history_type"
                )
            ),
            [("non_acquis", "+"), ("acquis", "~")],
        )

    def test_save_survives_reload(self) -> None:
        self.client.force_login(self.m1.user)
        critere = self.criteres[3]
        self.post_one(critere.pk, "acquis")
        response = self.client.get(self.url)
        self.assertContains(
            response,
            f'id="r-{critere.pk}-a" value="acquis" checked',
        )

    def test_two_evaluators_never_overwrite_each_other(self) -> None:
        critere = self.criteres[0]
        self.client.force_login(self.m1.user)
        self.post_one(critere.pk, "acquis")
        self.client.force_login(self.m2.user)
        self.post_one(critere.pk, "non_acquis")
        self.assertEqual(
            dict(
                Evaluation.objects.filter(critere=critere).values_list(
                    "affectation__membre__user__email", "resultat"
                )
            ),
            {"m1@test.localhost": "acquis", "m2@test.localhost": "non_acquis"},
        )

    def test_bad_result_is_refused_with_a_french_message(self) -> None:
        self.client.force_login(self.m1.user)
        response = self.post_one(self.criteres[0].pk, "peut-etre")
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "Choisissez « Acquis » ou « Non acquis ».", status_code=400
        )
        self.assertIs(Evaluation.objects.exists(), False)

    def test_criterion_outside_the_path_is_refused(self) -> None:
        autre = make_inscription(
            make_candidat("blocs@test.localhost"), self.session, blocs=["A1"]
        )
        make_affectation(self.m1, autre)
        hors = next(c for c in self.criteres if c not in criteres_of(autre))
        self.client.force_login(self.m1.user)
        response = self.client.post(
            reverse("evaluations:grille_critere", args=[autre.pk, hors.pk]),
            {f"resultat-{hors.pk}": "acquis"},
            headers={"HX-Request": "true"},
        )
        self.assertContains(
            response,
            "Ce critère ne fait pas partie du parcours évalué de ce candidat.",
            status_code=400,
        )
        self.assertIs(Evaluation.objects.exists(), False)

    def test_blocs_path_shows_the_description_and_the_dossier_professionnel(
        self,
    ) -> None:
        autre = make_inscription(
            make_candidat("blocs@test.localhost"), self.session, blocs=["A1"]
        )
        make_affectation(self.m1, autre)
        self.client.force_login(self.m1.user)
        response = self.client.get(reverse("evaluations:grille", args=[autre.pk]))
        c14 = next(
            ligne
            for bloc in response.context["grille"].blocs
            for ligne in bloc.competences
            if ligne.competence.code == "C1.4"
        )
        modalite = c14.competence.modalite
        self.assertEqual(
            (c14.description, c14.dossier_professionnel),
            (modalite.description, modalite.description_capitalisation),
        )
        self.assertContains(response, "Dossier professionnel :")

    def test_scoring_closed_outside_evaluation(self) -> None:
        Session.objects.filter(pk=self.session.pk).update(statut="ouverte")
        self.client.force_login(self.m1.user)
        response = self.post_one(self.criteres[0].pk, "acquis")
        self.assertContains(
            response,
            "La session « Session de test » n&#x27;est pas en évaluation : la notation est fermée.",
            status_code=400,
        )
        self.assertIs(Evaluation.objects.exists(), False)
        self.assertContains(
            self.client.get(self.url),
            "La session n&#x27;est pas en évaluation : la grille est en lecture seule.",
        )

    def test_without_htmx_the_save_redirects_to_the_grid(self) -> None:
        self.client.force_login(self.m1.user)
        critere = self.criteres[0]
        response = self.client.post(
            self.save_url(critere.pk), {f"resultat-{critere.pk}": "acquis"}
        )
        self.assertRedirects(
            response, f"{self.url}#critere-{critere.pk}", fetch_redirect_response=False
        )
        self.assertEqual(Evaluation.objects.get(affectation=self.a1).resultat, "acquis")

    def test_save_permissions(self) -> None:
        critere = self.criteres[0]
        cases = [
            (self.m3.user, 404),
            (self.m4.user, 404),
            (self.candidat.user, 404),
            (self.referent, 403),
            (self.admin, 403),
        ]
        for user, status in cases:
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(
                    self.post_one(critere.pk, "acquis").status_code, status
                )
        self.assertIs(Evaluation.objects.exists(), False)
        self.client.force_login(self.m1.user)
        self.assertEqual(self.client.get(self.save_url()).status_code, 405)
        self.client.logout()
        response = self.post_one(critere.pk, "acquis")
        self.assertEqual(response.status_code, 302)
        self.assertIs(Evaluation.objects.exists(), False)


class GrillePlainFormTests(GrilleTestCase):
    def test_plain_form_saves_everything(self) -> None:
        self.client.force_login(self.m1.user)
        c1, c2, c3 = self.criteres[:3]
        response = self.client.post(
            self.url,
            {
                f"resultat-{c1.pk}": "acquis",
                f"commentaire-{c1.pk}": "bien",
                f"resultat-{c2.pk}": "non_acquis",
                f"commentaire-{c3.pk}": "sans résultat : ignoré",
            },
        )
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.assertEqual(
            sorted(
                Evaluation.objects.filter(affectation=self.a1).values_list(
                    "critere_id", "resultat", "commentaire"
                )
            ),
            sorted([(c1.pk, "acquis", "bien"), (c2.pk, "non_acquis", "")]),
        )
        page = self.client.get(self.url)
        self.assertContains(page, "Grille enregistrée (2 critères modifiés).")
        self.assertContains(page, "2 critères notés sur 71 (3 %)")

    def test_plain_form_refuses_bad_values_and_stores_nothing(self) -> None:
        self.client.force_login(self.m1.user)
        c1, c2 = self.criteres[:2]
        response = self.client.post(
            self.url, {f"resultat-{c1.pk}": "acquis", f"resultat-{c2.pk}": "oui"}
        )
        self.assertContains(
            response, "Choisissez « Acquis » ou « Non acquis ».", status_code=400
        )
        self.assertIs(Evaluation.objects.exists(), False)


class GrilleValidationTests(GrilleTestCase):
    def valider_url(self) -> str:
        return reverse("evaluations:grille_valider", args=[self.inscription.pk])

    def test_incomplete_evaluation_cannot_be_validated(self) -> None:
        score(self.a1, criteres=self.criteres[:70])
        self.client.force_login(self.m1.user)
        response = self.client.post(self.valider_url(), follow=True)
        self.assertContains(
            response, "Il reste 1 critère à noter avant de valider votre évaluation."
        )
        self.a1.refresh_from_db()
        self.assertIsNone(self.a1.validee_le)

    def test_complete_evaluation_is_validated_then_read_only(self) -> None:
        score(self.a1)
        self.client.force_login(self.m1.user)
        self.assertContains(self.client.get(self.url), "Valider mon évaluation")
        response = self.client.post(self.valider_url(), follow=True)
        self.assertContains(
            response, "Évaluation validée : le président du jury peut la consolider."
        )
        self.assertContains(
            response,
            "Vous avez validé votre évaluation : la grille est en lecture seule.",
        )
        self.assertNotContains(response, "hx-post=")
        self.a1.refresh_from_db()
        self.assertIsNotNone(self.a1.validee_le)
        critere = self.criteres[0]
        response = self.post_one(critere.pk, "non_acquis")
        self.assertContains(
            response,
            "Vous avez validé votre évaluation de ce candidat : elle ne change plus.",
            status_code=409,
        )
        self.assertEqual(
            Evaluation.objects.get(affectation=self.a1, critere=critere).resultat,
            "acquis",
        )

    def test_validate_permissions(self) -> None:
        for user, status in [
            (self.m3.user, 404),
            (self.referent, 403),
            (self.candidat.user, 404),
        ]:
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(
                    self.client.post(self.valider_url()).status_code, status
                )
        self.client.force_login(self.m1.user)
        self.assertEqual(self.client.get(self.valider_url()).status_code, 405)


class GrilleExemptionTests(GrilleTestCase):
    """A real exemption, granted through the handicap area's services."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        grant_exemption(
            cls.inscription,
            cls.criteres[0],
            president=cls.president.user,
            referent=cls.referent,
        )

    @frozen()
    def test_exempted_criterion_shows_and_cannot_be_scored(self) -> None:
        self.client.force_login(self.m1.user)
        page = self.client.get(self.url)
        self.assertContains(page, "Dispensé")
        self.assertContains(page, "0 critères notés sur 70 (0 %)")
        self.assertNotContains(page, f'name="resultat-{self.criteres[0].pk}"')
        response = self.post_one(self.criteres[0].pk, "acquis")
        self.assertContains(
            response,
            "Ce critère est dispensé pour ce candidat : il ne se note pas.",
            status_code=400,
        )
        self.assertIs(Evaluation.objects.exists(), False)
        score(self.a1, criteres=self.criteres[1:])
        response = self.client.post(
            reverse("evaluations:grille_valider", args=[self.inscription.pk]),
            follow=True,
        )
        self.assertContains(response, "Évaluation validée")
        self.assertEqual(
            self.a1.__class__.objects.get(pk=self.a1.pk).validee_le, clock.NOW
        )


class GrillePhoneNavigationTests(GrilleTestCase):
    """The markup the phone view relies on: the jump list with each competency's
    progress, the previous/next anchors, the headings that take the focus. Every
    competency stays on the page (the anchors work without JavaScript)."""

    def test_jump_list_counts_each_competency_and_neighbours_link(self) -> None:
        competences = list(dict.fromkeys(c.competence for c in self.criteres))
        premiere, deuxieme = competences[0], competences[1]
        criteres_premiere = [c for c in self.criteres if c.competence == premiere]
        score(self.a1, criteres=criteres_premiere[:1])
        grant_exemption(
            self.inscription,
            criteres_premiere[-1],
            president=self.president.user,
            referent=self.referent,
        )
        self.client.force_login(self.m1.user)
        self.client.get(self.url)  # the published version's structure, read once
        # The grid's four queries, plus the decided request with its avis, the
        # avis's proposals and the accommodations that the exemption brings (the
        # jury's view of the accommodations).
        with self.assertNumQueries(7):
            response = self.client.get(self.url)
        html = response.content.decode()
        n = len(criteres_premiere)
        self.assertIn(
            f'<a href="#competence-{premiere.pk}">{premiere.code}</a> '
            '<span class="small text-body-secondary progression-competence" '
            f'data-competence="{premiere.pk}"><span class="nb-notes">1</span>'
            f"/{n - 1} notés</span>",
            html,
        )
        n2 = len([c for c in self.criteres if c.competence_id == deuxieme.pk])
        self.assertIn(
            f'data-competence="{deuxieme.pk}"><span class="nb-notes">0</span>'
            f"/{n2} notés</span>",
            html,
        )
        self.assertEqual(html.count('class="card mb-3 competence-grille"'), 18)
        self.assertEqual(html.count('<fieldset class="critere"'), 71)
        # The first competency has only a next one, the last only a previous one.
        self.assertEqual(html.count('rel="next"'), 17)
        self.assertEqual(html.count('rel="prev"'), 17)
        self.assertIn(
            f'<a class="btn btn-sm btn-outline-secondary" '
            f'href="#competence-{deuxieme.pk}" rel="next">Suivante : '
            f"{deuxieme.code} →</a>",
            html,
        )
        self.assertIn(
            f'href="#competence-{premiere.pk}" rel="prev">← Précédente : '
            f"{premiere.code}</a>",
            html,
        )
        self.assertIn(
            f'<h3 class="h6 mb-1" id="titre-competence-{premiere.pk}" tabindex="-1">',
            html,
        )
        self.assertIn(
            f'id="competence-{premiere.pk}" tabindex="-1" '
            f'aria-labelledby="titre-competence-{premiere.pk}"',
            html,
        )


def _sans_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "csrf", html)


class GrilleFragmentsTests(GrilleTestCase):
    """The grid's body is rendered once per published version and path, with a
    marker in each slot that differs between candidates (notation/fragments.py):
    what the cache gives equals a fresh rendering, and a draft is never kept."""

    def test_cached_body_equals_a_fresh_render(self) -> None:
        criteres_c1 = [
            c
            for c in self.criteres
            if c.competence_id == self.criteres[0].competence_id
        ]
        score(self.a1, criteres=self.criteres[:5], resultat="non_acquis")
        Evaluation.objects.filter(affectation=self.a1, critere=self.criteres[1]).update(
            commentaire="<b>Revoir</b> & compléter"
        )
        score(self.a1, criteres=self.criteres[20:30])
        grant_exemption(
            self.inscription,
            criteres_c1[-1],
            president=self.president.user,
            referent=self.referent,
        )
        Livrable.objects.create(
            inscription=self.inscription, modalite=self.criteres[0].competence.modalite,
            fichier="livrables/x/a.pdf", nom_original="rapport <final>.pdf", taille=10,
            sha256="0" * 64, type_mime="application/pdf", depose_par=self.candidat.user,
        )  # fmt: skip
        structure_cache_clear()
        # Another evaluator's grid, unscored, first: it fills the cache.
        self.client.force_login(self.m2.user)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        version = structure_version(
            referentiel_id=self.referentiel.pk, statut=self.referentiel.statut
        )
        self.assertEqual(
            sorted(k[0] for k in version.fragments if k[0] != "critere_grille"),
            [
                *["competence_grille"] * 18,
                "grille_corps",
                "livrables_aucun",
                "resultat_competence",
            ],
        )
        self.client.force_login(self.m1.user)
        cached = self.client.get(self.url).content.decode()
        structure_cache_clear()
        fresh = self.client.get(self.url).content.decode()
        self.assertEqual(_sans_csrf(cached), _sans_csrf(fresh))
        # The candidate's own slots, filled in the cached body.
        n = len(criteres_c1)
        self.assertIn(
            f'data-competence="{criteres_c1[0].competence_id}">'
            f'<span class="nb-notes">{min(5, n - 1)}</span>/{n - 1} notés</span>',
            cached,
        )
        self.assertIn("rapport &lt;final&gt;.pdf</a>", cached)
        self.assertIn("&lt;b&gt;Revoir&lt;/b&gt; &amp; compléter</textarea>", cached)
        self.assertEqual(
            cached.count('<span class="badge text-bg-secondary">Dispensé</span>'), 1
        )

    def test_a_draft_is_rendered_afresh_and_its_edit_seen_at_once(self) -> None:
        draft = make_referentiel(small_data(criteres=2), publish=False)
        session = make_session(draft, statut="en_evaluation")
        inscription = make_inscription(
            make_candidat("brouillon@test.localhost"), session
        )
        membre = make_membre(session, "evaluateur-brouillon@test.localhost")
        make_affectation(membre, inscription)
        url = reverse("evaluations:grille", args=[inscription.pk])
        self.client.force_login(membre.user)
        page = self.client.get(url).content.decode()
        critere = Critere.objects.get(referentiel=draft, code="C1.1.1")
        self.assertIn(critere.intitule, page)
        # Updates that send no signal: only a fresh rendering can show them.
        Critere.objects.filter(pk=critere.pk).update(intitule="Critère réécrit")
        Bloc.objects.filter(referentiel=draft).update(intitule="Bloc réécrit")
        Competence.objects.filter(referentiel=draft).update(
            intitule="Compétence réécrite"
        )
        page = self.client.get(url).content.decode()
        self.assertIn("Critère réécrit", page)
        self.assertIn("— Bloc réécrit</h2>", page)
        self.assertIn("Compétence réécrite</h3>", page)
