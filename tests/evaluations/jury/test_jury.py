"""Jury composition, automatic and manual assignment, conflicts of interest."""

import re

from django.core.exceptions import ValidationError
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import ngettext

from certif.roles import Role
from evaluations.deliberation.models import Deliberation
from evaluations.jury.models import Affectation, ConflitInterets, MembreJury
from evaluations.jury.selectors import conflits_for_pv, personnes_ajoutables
from evaluations.jury.services import (
    affectation_add,
    affectation_remove,
    affectations_auto,
    conflit_declare,
    membre_jury_add,
    membre_jury_remove,
)
from evaluations.notation.models import Evaluation
from evaluations.sessions.models import Inscription
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


class JuryServiceTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel(small_data(blocs=2, criteres=2))
        cls.session = make_session(cls.referentiel, statut="en_evaluation")
        cls.inscriptions = [
            make_inscription(
                make_candidat(f"c{i}@test.localhost", nom=f"Nom{i}"), cls.session
            )
            for i in range(6)
        ]
        cls.president = make_membre(cls.session, "p@test.localhost", president=True)
        cls.membres = [
            make_membre(cls.session, f"m{i}@test.localhost") for i in range(3)
        ]


class CompositionTests(JuryServiceTestCase):
    def test_add_member_and_refuse_a_second_president(self) -> None:
        user = make_user("autre@test.localhost", Role.PRESIDENT)
        with self.assertRaisesMessage(
            ValidationError, "La session a déjà un président du jury."
        ):
            membre_jury_add(
                session=self.session, user=user, role=MembreJury.Role.PRESIDENT
            )
        membre = membre_jury_add(
            session=self.session, user=user, role=MembreJury.Role.MEMBRE
        )
        self.assertEqual(membre.role, "membre")

    def test_refuse_a_person_without_the_jury_role(self) -> None:
        user = make_user("cand@test.localhost", Role.CANDIDAT)
        with self.assertRaisesMessage(
            ValidationError, "n'a pas le rôle « Membre du jury »."
        ):
            membre_jury_add(session=self.session, user=user)
        membre = make_user("membre@test.localhost", Role.MEMBRE_JURY)
        with self.assertRaisesMessage(
            ValidationError, "n'a pas le rôle « Président du jury »."
        ):
            membre_jury_add(session=self.session, user=membre, role="president")
        self.assertIs(
            MembreJury.objects.filter(user__in=[user, membre]).exists(), False
        )

    def test_refuse_twice_the_same_person(self) -> None:
        with self.assertRaisesMessage(
            ValidationError, "fait déjà partie du jury de cette session."
        ):
            membre_jury_add(session=self.session, user=self.membres[0].user)

    def test_remove_member_who_scored_is_refused(self) -> None:
        affectation = make_affectation(self.membres[0], self.inscriptions[0])
        score(affectation)
        with self.assertRaisesMessage(ValidationError, "a déjà évalué des candidats"):
            membre_jury_remove(membre=self.membres[0])
        membre_jury_remove(membre=self.membres[1])
        self.assertIs(MembreJury.objects.filter(pk=self.membres[1].pk).exists(), False)


class AutomaticAssignmentTests(JuryServiceTestCase):
    def test_each_candidate_gets_two_balanced_and_rerun_creates_nothing(self) -> None:
        result = affectations_auto(session=self.session)
        self.assertEqual(result.creees, 12)
        self.assertEqual(result.incompletes, [])
        for inscription in self.inscriptions:
            self.assertEqual(inscription.affectations.count(), 2)
        charges = sorted(
            m.affectations.count() for m in [self.president, *self.membres]
        )
        self.assertEqual(charges, [3, 3, 3, 3])
        again = affectations_auto(session=self.session)
        self.assertEqual((again.creees, again.incompletes), (0, []))
        self.assertEqual(Affectation.objects.count(), 12)

    @override_settings(EVALUATEURS_PAR_CANDIDAT=3)
    def test_setting_gives_the_number_and_least_loaded_go_first(self) -> None:
        make_affectation(self.membres[0], self.inscriptions[0])
        make_affectation(self.membres[0], self.inscriptions[1])
        result = affectations_auto(session=self.session)
        self.assertEqual(result.creees, 16)
        charges = {
            m.user.email: m.affectations.count()
            for m in [self.president, *self.membres]
        }
        self.assertEqual(sum(charges.values()), 18)
        self.assertEqual(max(charges.values()) - min(charges.values()), 1)

    def test_conflicts_are_respected_and_shortfalls_reported(self) -> None:
        cible = self.inscriptions[0]
        for membre in [self.president, self.membres[0], self.membres[1]]:
            ConflitInterets.objects.create(
                membre=membre, inscription=cible, nature="employeur"
            )
        result = affectations_auto(session=self.session)
        self.assertEqual(
            list(cible.affectations.values_list("membre", flat=True)),
            [self.membres[2].pk],
        )
        self.assertEqual(result.incompletes, [(cible, 1)])
        self.assertIs(
            Affectation.objects.filter(
                inscription=cible, membre__in=[self.president, *self.membres[:2]]
            ).exists(),
            False,
        )

    def test_manual_assignment_refuses_conflict_and_duplicate(self) -> None:
        inscription = self.inscriptions[0]
        affectation_add(membre=self.membres[0], inscription=inscription)
        with self.assertRaisesMessage(ValidationError, "évalue déjà ce candidat."):
            affectation_add(membre=self.membres[0], inscription=inscription)
        ConflitInterets.objects.create(
            membre=self.membres[1], inscription=inscription, nature="tuteur"
        )
        with self.assertRaisesMessage(
            ValidationError, "a déclaré un conflit d'intérêts avec ce candidat"
        ):
            affectation_add(membre=self.membres[1], inscription=inscription)

    def test_remove_assignment_only_before_scoring(self) -> None:
        affectation = make_affectation(self.membres[0], self.inscriptions[0])
        score(affectation, criteres=criteres_of(self.inscriptions[0])[:1])
        with self.assertRaisesMessage(ValidationError, "a déjà noté des critères"):
            affectation_remove(affectation=affectation)
        other = make_affectation(self.membres[1], self.inscriptions[0])
        affectation_remove(affectation=other)
        self.assertIs(Affectation.objects.filter(pk=other.pk).exists(), False)


class ConflitTests(JuryServiceTestCase):
    def test_conflict_removes_the_member_and_is_listed_for_the_pv(self) -> None:
        inscription = self.inscriptions[0]
        affectation = make_affectation(self.membres[0], inscription)
        [evaluation, *_] = score(affectation)
        conflit = conflit_declare(
            membre=self.membres[0],
            inscription=inscription,
            nature="famille",
            commentaire="cousin",
        )
        self.assertIs(Affectation.objects.filter(pk=affectation.pk).exists(), False)
        self.assertIs(
            Evaluation.objects.filter(affectation_id=affectation.pk).exists(), False
        )
        self.assertEqual(
            Evaluation.history.filter(id=evaluation.pk)
            .latest("history_id")
            .history_type,
            "-",
        )
        self.assertEqual(list(conflits_for_pv(self.session)), [conflit])
        result = affectations_auto(session=self.session, par_candidat=4)
        self.assertEqual(result.incompletes, [(inscription, 3)])

    def test_other_needs_a_comment_and_duplicates_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Précisez la nature du lien."):
            conflit_declare(
                membre=self.membres[0], inscription=self.inscriptions[0], nature="autre"
            )
        conflit_declare(
            membre=self.membres[0], inscription=self.inscriptions[0], nature="formateur"
        )
        with self.assertRaisesMessage(
            ValidationError, "Vous avez déjà déclaré un conflit"
        ):
            conflit_declare(
                membre=self.membres[0],
                inscription=self.inscriptions[0],
                nature="tuteur",
            )

    def test_conflict_in_another_session_refused(self) -> None:
        other = make_session(self.referentiel, nom="Autre")
        inscription = make_inscription(make_candidat("x@test.localhost"), other)
        with self.assertRaisesMessage(
            ValidationError, "Ce candidat n'est pas inscrit dans votre session."
        ):
            conflit_declare(
                membre=self.membres[0], inscription=inscription, nature="tuteur"
            )


class JuryViewsTestCase(JuryServiceTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.admin = make_user("admin@test.localhost", Role.ADMINISTRATEUR)
        cls.referent = make_user("referent@test.localhost", Role.REFERENT_HANDICAP)
        cls.outsider = make_user("ailleurs@test.localhost", Role.MEMBRE_JURY)
        cls.candidat_user = cls.inscriptions[0].candidat.user
        cls.session_url = reverse("evaluations:jury_session", args=[cls.session.pk])


class JurySessionViewTests(JuryViewsTestCase):
    def test_admin_sees_forms_and_president_reads(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.get(self.session_url)
        self.assertContains(response, "Affecter automatiquement")
        # People who may join: jury members and presidents not yet in this jury.
        self.assertContains(
            response,
            f'<option value="{self.outsider.pk}">{escape(str(self.outsider))}</option>',
            html=True,
        )
        self.assertNotContains(
            response, f'<option value="{self.membres[0].user.pk}">', html=False
        )
        self.client.force_login(self.president.user)
        response = self.client.get(self.session_url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Affecter automatiquement")

    def test_the_member_select_offers_exactly_the_people_who_may_join(self) -> None:
        president = make_user("zz-president@test.localhost", Role.PRESIDENT)
        inactif = make_user("inactif@test.localhost", Role.MEMBRE_JURY)
        inactif.is_active = False
        inactif.save(update_fields=["is_active"])
        make_user("sans-role-jury@test.localhost", Role.REFERENT_HANDICAP)
        self.client.force_login(self.admin)
        response = self.client.get(self.session_url)
        attendu = [
            (self.outsider.pk, str(self.outsider)),
            (president.pk, str(president)),
        ]
        self.assertEqual(
            sorted(response.context["personnes"]),
            sorted(attendu),
        )
        self.assertEqual(
            response.context["personnes"],
            [(u.pk, str(u)) for u in personnes_ajoutables(session=self.session)],
        )
        self.assertContains(
            response,
            '<select name="user" class="select form-select" id="id_user">'
            + "".join(
                f'<option value="{pk}">{escape(nom)}</option>'
                for pk, nom in response.context["personnes"]
            )
            + "</select>",
        )

    def test_members_show_their_quality_and_load(self) -> None:
        membre = self.membres[0]
        membre.qualite = "Formatrice en négociation"
        membre.save(update_fields=["qualite"])
        Affectation.objects.filter(membre=membre).delete()
        self.client.force_login(self.admin)
        response = self.client.get(self.session_url)
        self.assertContains(
            response, '<span class="small">Formatrice en négociation</span>', html=True
        )
        # French counts zero in the singular: « aucun candidat », never « 0 candidats ».
        self.assertContains(response, "aucun candidat")
        self.assertNotContains(response, "0 candidats")

    def test_permissions(self) -> None:
        for user, status in [
            (self.membres[0].user, 403),
            (self.referent, 403),
            (self.outsider, 404),
            (self.candidat_user, 404),
        ]:
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.session_url).status_code, status)
        self.client.logout()
        self.assertEqual(self.client.get(self.session_url).status_code, 302)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.post(self.session_url).status_code, 405)

    def test_query_count_same_for_one_and_many_candidates(self) -> None:
        self.client.force_login(self.admin)
        ConflitInterets.objects.create(
            membre=self.membres[1], inscription=self.inscriptions[5], nature="famille"
        )
        affectations_auto(session=self.session)
        with self.assertNumQueries(12):
            self.client.get(self.session_url)
        for i in range(6, 12):
            make_inscription(make_candidat(f"c{i}@test.localhost"), self.session)
        for inscription in self.inscriptions[:3]:
            ConflitInterets.objects.create(
                membre=self.membres[2], inscription=inscription, nature="tuteur"
            )
        affectations_auto(session=self.session)
        with self.assertNumQueries(12):
            self.client.get(self.session_url)

    def test_declared_conflicts_are_paginated(self) -> None:
        extra = [
            make_inscription(make_candidat(f"x{i}@test.localhost"), self.session)
            for i in range(26)
        ]
        for inscription in extra:
            ConflitInterets.objects.create(
                membre=self.membres[0], inscription=inscription, nature="tuteur"
            )
        self.client.force_login(self.admin)
        response = self.client.get(self.session_url)
        self.assertEqual(len(response.context["conflits"].object_list), 25)
        self.assertContains(response, 'href="?conflits=2"')
        response = self.client.get(self.session_url, {"conflits": 2})
        self.assertEqual(len(response.context["conflits"].object_list), 1)

    def test_sessions_list(self) -> None:
        url = reverse("evaluations:jury_sessions")
        self.client.force_login(self.admin)
        self.assertContains(self.client.get(url), self.session.nom)
        self.client.force_login(self.president.user)
        self.assertContains(self.client.get(url), self.session.nom)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.post(url).status_code, 405)


class JuryWriteViewTests(JuryViewsTestCase):
    def test_auto_assignment_by_admin(self) -> None:
        self.client.force_login(self.admin)
        url = reverse("evaluations:jury_affectations_auto", args=[self.session.pk])
        response = self.client.post(url, {"par_candidat": 2}, follow=True)
        self.assertContains(response, "12 affectations créées.")
        self.assertEqual(Affectation.objects.count(), 12)

    def test_auto_assignment_forbidden_to_president_and_member(self) -> None:
        url = reverse("evaluations:jury_affectations_auto", args=[self.session.pk])
        for user, status in [
            (self.president.user, 403),
            (self.membres[0].user, 403),
            (self.outsider, 404),
        ]:
            self.client.force_login(user)
            self.assertEqual(
                self.client.post(url, {"par_candidat": 2}).status_code, status
            )
        self.assertEqual(Affectation.objects.count(), 0)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_add_member_and_manual_assignment(self) -> None:
        self.client.force_login(self.admin)
        user = make_user("nouveau@test.localhost", Role.MEMBRE_JURY)
        self.client.post(
            reverse("evaluations:jury_membre_ajouter", args=[self.session.pk]),
            {"user": user.pk, "role": "membre", "qualite": " Formatrice "},
        )
        membre = MembreJury.objects.get(user=user)
        self.assertEqual(membre.qualite, "Formatrice")  # printed on the PV
        self.client.post(
            reverse("evaluations:jury_affectation_ajouter", args=[self.session.pk]),
            {"membre": membre.pk, "inscription": self.inscriptions[0].pk},
        )
        affectation = Affectation.objects.get(membre=membre)
        response = self.client.post(
            reverse("evaluations:jury_affectation_retirer", args=[affectation.pk]),
            follow=True,
        )
        self.assertContains(response, "Affectation retirée.")
        response = self.client.post(
            reverse("evaluations:jury_membre_retirer", args=[membre.pk]), follow=True
        )
        self.assertContains(response, "Membre retiré du jury.")
        self.assertIs(MembreJury.objects.filter(user=user).exists(), False)


class TableauDeBordTests(JuryViewsTestCase):
    url = reverse("evaluations:jury_tableau_de_bord")

    def test_member_sees_assigned_candidates_with_progress(self) -> None:
        affectation = make_affectation(self.membres[0], self.inscriptions[0])
        score(affectation, criteres=criteres_of(self.inscriptions[0])[:3])
        make_affectation(self.membres[0], self.inscriptions[1])
        self.client.force_login(self.membres[0].user)
        response = self.client.get(self.url)
        self.assertContains(response, "3 / 4 critères")
        self.assertContains(response, "0 / 4 critères")
        self.assertContains(
            response, reverse("evaluations:grille", args=[self.inscriptions[0].pk])
        )

    def test_conflict_hides_the_candidate(self) -> None:
        make_affectation(self.membres[0], self.inscriptions[0])
        ConflitInterets.objects.create(
            membre=self.membres[0], inscription=self.inscriptions[0], nature="famille"
        )
        self.client.force_login(self.membres[0].user)
        self.assertContains(
            self.client.get(self.url), "Aucun candidat ne vous est affecté"
        )

    def test_query_count_same_for_one_and_many(self) -> None:
        self.client.force_login(self.membres[0].user)
        make_affectation(self.membres[0], self.inscriptions[0])
        with self.assertNumQueries(9):
            self.client.get(self.url)
        for inscription in self.inscriptions[1:]:
            score(make_affectation(self.membres[0], inscription))
        with self.assertNumQueries(9):
            response = self.client.get(self.url)
        self.assertContains(response, "4 / 4 critères", count=5)

    def test_permissions(self) -> None:
        for user in [self.referent, self.candidat_user, self.admin]:
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.client.force_login(self.membres[0].user)
        self.assertEqual(self.client.post(self.url).status_code, 405)


class ConflitViewTests(JuryViewsTestCase):
    url = reverse("evaluations:jury_conflits")

    def test_member_declares_a_conflict(self) -> None:
        make_affectation(self.membres[0], self.inscriptions[0])
        self.client.force_login(self.membres[0].user)
        response = self.client.post(
            self.url,
            {"inscription": self.inscriptions[0].pk, "nature": "employeur"},
            follow=True,
        )
        self.assertContains(response, "Conflit d&#x27;intérêts déclaré")
        self.assertIs(
            Affectation.objects.filter(membre=self.membres[0]).exists(), False
        )

    def test_bad_input_gets_a_french_message_and_nothing_stored(self) -> None:
        self.client.force_login(self.membres[0].user)
        response = self.client.post(
            self.url, {"inscription": self.inscriptions[0].pk, "nature": "autre"}
        )
        self.assertContains(response, "Précisez la nature du lien.", status_code=400)
        other = make_inscription(
            make_candidat("z@test.localhost"),
            make_session(self.referentiel, nom="Autre"),
        )
        response = self.client.post(
            self.url, {"inscription": other.pk, "nature": "tuteur"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIs(ConflitInterets.objects.exists(), False)

    def test_permissions(self) -> None:
        for user in [self.referent, self.candidat_user, self.admin]:
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.client.force_login(self.membres[0].user)
        self.assertEqual(self.client.put(self.url).status_code, 405)


class HomeAndNavTests(JuryViewsTestCase):
    def test_member_gets_mes_evaluations(self) -> None:
        self.client.force_login(self.membres[0].user)
        response = self.client.get(reverse("home"))
        url = reverse("evaluations:jury_tableau_de_bord")
        self.assertContains(response, f'href="{url}"', count=2)  # action + nav
        self.assertNotContains(
            response, f'href="{reverse("evaluations:jury_sessions")}"'
        )

    def test_admin_and_president_get_jurys(self) -> None:
        url = reverse("evaluations:jury_sessions")
        self.client.force_login(self.admin)
        self.assertContains(self.client.get(reverse("home")), f'href="{url}"', count=2)
        self.client.force_login(self.president.user)
        self.assertContains(self.client.get(reverse("home")), f'href="{url}"', count=2)

    def test_candidate_and_referent_get_neither(self) -> None:
        for user in [self.candidat_user, self.referent]:
            self.client.force_login(user)
            response = self.client.get(reverse("home"))
            self.assertNotContains(
                response, reverse("evaluations:jury_tableau_de_bord")
            )
            self.assertNotContains(
                response, f'href="{reverse("evaluations:jury_sessions")}"'
            )


class AdminWriteMatrixTests(JuryViewsTestCase):
    def test_every_admin_write_refuses_others_and_get(self) -> None:
        affectation = make_affectation(self.membres[0], self.inscriptions[0])
        urls = [
            reverse("evaluations:jury_membre_ajouter", args=[self.session.pk]),
            reverse("evaluations:jury_membre_retirer", args=[self.membres[1].pk]),
            reverse("evaluations:jury_affectation_ajouter", args=[self.session.pk]),
            reverse("evaluations:jury_affectation_retirer", args=[affectation.pk]),
            reverse("evaluations:jury_affectations_auto", args=[self.session.pk]),
        ]
        for url in urls:
            for user, status in [
                (self.president.user, 403),
                (self.membres[0].user, 403),
                (self.referent, 403),
                (self.outsider, 404),
                (self.candidat_user, 404),
            ]:
                with self.subTest(url=url, user=user.email):
                    self.client.force_login(user)
                    self.assertEqual(self.client.post(url).status_code, status)
            self.client.force_login(self.admin)
            self.assertEqual(self.client.get(url).status_code, 405)
            self.client.logout()
            self.assertEqual(self.client.post(url).status_code, 302)
        self.assertEqual(MembreJury.objects.count(), 4)
        self.assertEqual(list(Affectation.objects.all()), [affectation])

    def test_bad_input_gets_french_messages(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("evaluations:jury_membre_ajouter", args=[self.session.pk]),
            {"user": 999999, "role": "membre"},
            follow=True,
        )
        self.assertContains(
            response,
            "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles.",
        )
        response = self.client.post(
            reverse("evaluations:jury_affectations_auto", args=[self.session.pk]),
            {"par_candidat": 0},
            follow=True,
        )
        self.assertContains(
            response, "Assurez-vous que cette valeur est supérieure ou égale à 1."
        )
        self.assertEqual(MembreJury.objects.count(), 4)
        self.assertIs(Affectation.objects.exists(), False)


class ManualAssignmentOnTheRowTests(JuryViewsTestCase):
    """The jury page offers manual assignment on each candidate's row, with only the
    members who can still be assigned, instead of one select of every enrolment."""

    def test_row_offers_only_members_free_to_assign(self) -> None:
        make_affectation(self.membres[0], self.inscriptions[0])
        ConflitInterets.objects.create(
            membre=self.membres[1], inscription=self.inscriptions[0], nature="tuteur"
        )
        self.client.force_login(self.admin)
        html = self.client.get(self.session_url).content.decode()
        row = html[html.index(f'id="membre-{self.inscriptions[0].pk}"') :]
        row = row[: row.index("</select>")]
        self.assertEqual(row.count("<option"), 2)  # the president and membres[2]
        self.assertIn(f'value="{self.president.pk}"', row)
        self.assertIn(f'value="{self.membres[2].pk}"', row)
        self.assertNotIn(f'value="{self.membres[0].pk}"', row)
        self.assertNotIn(f'value="{self.membres[1].pk}"', row)

    def test_page_holds_options_for_the_shown_rows_only(self) -> None:
        for i in range(6, 40):
            make_inscription(make_candidat(f"c{i}@test.localhost"), self.session)
        self.client.force_login(self.admin)
        response = self.client.get(self.session_url)
        self.assertContains(response, "40 candidats")
        # One select per row shown (25), none for the 15 enrolments of page 2.
        selects = response.content.decode().count('name="membre"')
        self.assertEqual(selects, 25)

    def test_search_narrows_the_rows(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.get(self.session_url, {"q": "nom3"})
        self.assertContains(response, "1 candidat")
        self.assertContains(response, f'id="membre-{self.inscriptions[3].pk}"')
        self.assertNotContains(response, f'id="membre-{self.inscriptions[2].pk}"')
        response = self.client.get(self.session_url, {"q": "c4@test"})
        self.assertContains(response, f'id="membre-{self.inscriptions[4].pk}"')
        response = self.client.get(self.session_url, {"q": "personne"})
        self.assertContains(response, "Aucun candidat ne correspond à cette recherche.")

    def test_president_reads_without_row_forms(self) -> None:
        self.client.force_login(self.president.user)
        response = self.client.get(self.session_url)
        self.assertNotContains(response, 'name="membre"')

    def test_row_form_carries_a_valid_csrf_field(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.admin)
        html = client.get(self.session_url + "?q=nom3").content.decode()
        url = reverse("evaluations:jury_affectation_ajouter", args=[self.session.pk])
        (token,) = re.findall(
            rf'<form method="post" action="{re.escape(url)}" class="[^"]+">\s*'
            r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
            html,
        )
        response = client.post(
            url,
            {
                "csrfmiddlewaretoken": token,
                "inscription": self.inscriptions[3].pk,
                "membre": self.membres[2].pk,
                "q": "nom3",
                "page": "1",
            },
        )
        self.assertRedirects(response, f"{self.session_url}?q=nom3&page=1")

    def test_assign_from_row_returns_to_the_same_search(self) -> None:
        self.client.force_login(self.admin)
        url = reverse("evaluations:jury_affectation_ajouter", args=[self.session.pk])
        response = self.client.post(
            url,
            {
                "inscription": self.inscriptions[3].pk,
                "membre": self.membres[2].pk,
                "q": "nom3",
                "page": "1",
            },
        )
        self.assertRedirects(response, f"{self.session_url}?q=nom3&page=1")
        self.assertEqual(
            list(Affectation.objects.values_list("membre", "inscription")),
            [(self.membres[2].pk, self.inscriptions[3].pk)],
        )

    def test_bad_rows_get_french_messages_and_nothing_stored(self) -> None:
        other_session = make_session(self.referentiel, nom="Autre")
        other = make_inscription(make_candidat("z@test.localhost"), other_session)
        other_membre = make_membre(other_session, "om@test.localhost")
        ConflitInterets.objects.create(
            membre=self.membres[1], inscription=self.inscriptions[0], nature="famille"
        )
        url = reverse("evaluations:jury_affectation_ajouter", args=[self.session.pk])
        self.client.force_login(self.admin)
        for data, message in [
            (
                {"inscription": other.pk, "membre": self.membres[0].pk},
                "Ce candidat n&#x27;est pas de la session.",
            ),
            (
                {"inscription": self.inscriptions[0].pk, "membre": other_membre.pk},
                "Cet évaluateur n&#x27;est pas membre du jury.",
            ),
            (
                {"inscription": self.inscriptions[0].pk},
                "Choisissez un évaluateur.",
            ),
        ]:
            with self.subTest(data=data):
                response = self.client.post(url, data, follow=True)
                self.assertContains(response, message)
        response = self.client.post(
            url,
            {"inscription": self.inscriptions[0].pk, "membre": self.membres[1].pk},
            follow=True,
        )
        self.assertContains(response, "conflit")
        self.assertIs(Affectation.objects.exists(), False)


class ConflitChoiceTests(JuryViewsTestCase):
    """Members pick the candidate from a searchable, paginated list of their open
    sessions' candidates, then declare the link."""

    url = reverse("evaluations:jury_conflits")

    def test_list_search_and_pick(self) -> None:
        self.client.force_login(self.membres[0].user)
        response = self.client.get(self.url)
        for inscription in self.inscriptions:
            self.assertContains(response, f"inscription={inscription.pk}")
        response = self.client.get(self.url, {"q": "Nom2"})
        self.assertContains(response, f"inscription={self.inscriptions[2].pk}")
        self.assertNotContains(response, f"inscription={self.inscriptions[1].pk}")
        response = self.client.get(self.url, {"inscription": self.inscriptions[2].pk})
        self.assertContains(
            response, f"Lien avec {self.inscriptions[2].candidat.nom_complet}"
        )
        self.assertContains(
            response,
            f'<input type="hidden" name="inscription" value="{self.inscriptions[2].pk}">',
            html=True,
        )

    def test_declared_and_foreign_candidates_are_not_offered(self) -> None:
        ConflitInterets.objects.create(
            membre=self.membres[0], inscription=self.inscriptions[1], nature="famille"
        )
        other = make_inscription(
            make_candidat("z@test.localhost"),
            make_session(self.referentiel, nom="Autre"),
        )
        self.client.force_login(self.membres[0].user)
        response = self.client.get(self.url)
        self.assertNotContains(response, f"inscription={self.inscriptions[1].pk}")
        self.assertNotContains(response, f"inscription={other.pk}")
        # Picking them by URL shows the list again, not the form.
        response = self.client.get(self.url, {"inscription": other.pk})
        self.assertNotContains(response, "Lien avec")
        response = self.client.post(
            self.url, {"inscription": self.inscriptions[1].pk, "nature": "tuteur"}
        )
        self.assertContains(
            response,
            "vous avez déjà déclaré ce lien.",
            status_code=400,
        )
        self.assertEqual(ConflitInterets.objects.count(), 1)

    def test_missing_candidate_gets_a_message(self) -> None:
        self.client.force_login(self.membres[0].user)
        response = self.client.post(self.url, {"nature": "tuteur"})
        self.assertContains(
            response, "Choisissez le candidat dans la liste.", status_code=400
        )
        self.assertIs(ConflitInterets.objects.exists(), False)

    def test_error_keeps_the_chosen_candidate_and_input(self) -> None:
        self.client.force_login(self.membres[0].user)
        response = self.client.post(
            self.url,
            {"inscription": self.inscriptions[2].pk, "nature": "autre"},
        )
        self.assertContains(response, "Précisez la nature du lien.", status_code=400)
        self.assertContains(
            response,
            f"Lien avec {self.inscriptions[2].candidat.nom_complet}",
            status_code=400,
        )
        self.assertContains(
            response, '<option value="autre" selected>', status_code=400
        )

    def test_query_count_same_for_one_and_many(self) -> None:
        self.client.force_login(self.membres[0].user)
        ConflitInterets.objects.create(
            membre=self.membres[0], inscription=self.inscriptions[0], nature="famille"
        )
        with self.assertNumQueries(7):
            self.client.get(self.url)
        for i in range(6, 40):
            make_inscription(make_candidat(f"c{i}@test.localhost"), self.session)
        for inscription in self.inscriptions[1:4]:
            ConflitInterets.objects.create(
                membre=self.membres[0], inscription=inscription, nature="tuteur"
            )
        with self.assertNumQueries(7):
            response = self.client.get(self.url)
        self.assertContains(response, "Déclarer un lien", count=25)


class JurySessionPaginationTests(JuryViewsTestCase):
    """The jury page reads its rows by the page's keys (the paginator slices the
    ordered keys): each page shows exactly the candidates of its rank in the
    order name, first name, enrolment, with their own evaluators and options."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # 60 candidates in all, names out of creation order, each name twice.
        for i in range(54):
            make_inscription(
                make_candidat(f"x{i:02d}@test.localhost", nom=f"Zed{(i * 7) % 27:02d}"),
                cls.session,
            )
        cls.ordre = [
            pk
            for _nom, _prenom, pk in sorted(
                Inscription.objects.filter(session=cls.session).values_list(
                    "candidat__nom_naissance", "candidat__prenom1", "pk"
                )
            )
        ]

    def page(self, query: str) -> tuple[list[int], int]:
        self.client.force_login(self.admin)
        response = self.client.get(self.session_url + query)
        self.assertEqual(response.status_code, 200)
        return (
            [ligne.pk for ligne in response.context["lignes"]],
            response.context["page"].number,
        )

    def test_pages_beyond_and_invalid_numbers(self) -> None:
        ordre = self.ordre
        self.assertEqual(len(ordre), 60)
        for query, attendu in [
            ("", (ordre[:25], 1)),
            ("?page=2", (ordre[25:50], 2)),
            ("?page=3", (ordre[50:], 3)),
            ("?page=4", (ordre[50:], 3)),
            ("?page=abc", (ordre[:25], 1)),
        ]:
            with self.subTest(query=query):
                self.assertEqual(self.page(query), attendu)

    def test_search_pages_its_candidates(self) -> None:
        zed = [
            pk
            for pk in self.ordre
            if Inscription.objects.get(pk=pk).candidat.nom_naissance.startswith("ZED")
        ]
        self.assertEqual(len(zed), 54)
        self.assertEqual(self.page("?q=zed&page=2"), (zed[25:50], 2))
        self.assertEqual(self.page("?q=zed&page=3"), (zed[50:], 3))
        self.assertEqual(self.page("?q=ZED07"), (zed[14:16], 1))
        self.assertEqual(self.page("?q=personne"), ([], 1))

    def test_a_row_of_a_later_page_shows_its_own_evaluators(self) -> None:
        pk = self.ordre[52]
        inscription = Inscription.objects.get(pk=pk)
        make_affectation(self.membres[1], inscription)
        ConflitInterets.objects.create(
            membre=self.membres[2], inscription=inscription, nature="famille"
        )
        self.client.force_login(self.admin)
        response = self.client.get(self.session_url + "?page=3")
        (ligne,) = [ligne for ligne in response.context["lignes"] if ligne.pk == pk]
        nom = self.membres[1].user.get_full_name() or self.membres[1].user.email
        self.assertEqual(
            [(e.nom, e.notes, e.validee) for e in ligne.evaluateurs],
            [
                (
                    nom,
                    ngettext("%(n)d critère noté", "%(n)d critères notés", 0)
                    % {"n": 0},
                    False,
                )
            ],
        )
        self.assertEqual(
            ligne.options,
            "".join(
                f'<option value="{m.pk}">{escape(m.user.get_full_name() or m.user.email)}</option>'
                for m in MembreJury.objects.filter(session=self.session)
                .exclude(pk__in=[self.membres[1].pk, self.membres[2].pk])
                .order_by("role", "user__last_name", "user__first_name", "pk")
            ),
        )
        self.assertEqual((ligne.decision, ligne.rouverte), ("", False))

    def test_a_row_prints_its_validated_evaluators_and_its_decision(self) -> None:
        valide, rouverte, decidee = (
            Inscription.objects.get(pk=pk) for pk in self.ordre[50:53]
        )
        make_affectation(self.membres[1], valide, validee=True)
        for inscription, verrouillee in [(rouverte, False), (decidee, True)]:
            Deliberation.objects.create(
                inscription=inscription,
                decision="certifie",
                motif="m",
                verrouillee=verrouillee,
                decidee_le=timezone.now(),
                decidee_par=self.admin,
            )
        self.client.force_login(self.admin)
        html = self.client.get(self.session_url + "?page=3").content.decode()
        self.assertIn(
            '<span class="small text-body-secondary">(0 critères notés, validée)</span>',
            html,
        )
        deliberation = reverse("evaluations:deliberation", args=[rouverte.pk])
        self.assertIn(f'<a href="{deliberation}">Certifié (rouverte)</a><br>', html)
        deliberation = reverse("evaluations:deliberation", args=[decidee.pk])
        self.assertIn(f'<a href="{deliberation}">Certifié</a><br>', html)
        deliberation = reverse("evaluations:deliberation", args=[self.ordre[53]])
        self.assertIn(f'<a href="{deliberation}">Délibération</a><br>', html)
