"""The jury stops changing: once the session is deliberated or closed, no member
or assignment is added or removed; once an enrolment's deliberation is voted and
locked, its evaluators stay as they were."""

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from certif.roles import Role
from evaluations.deliberation.models import Deliberation
from evaluations.jury.models import Affectation, MembreJury
from evaluations.jury.services import (
    affectation_add,
    affectation_remove,
    affectations_auto,
    membre_jury_add,
    membre_jury_remove,
)
from evaluations.sessions.models import Session
from evaluations.sessions.verrou import DeliberationVerrouilleeError
from tests.evaluations.factories_jury import make_affectation, make_membre
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)

VERROU = (
    "La délibération de ce candidat est votée et verrouillée : plus aucune "
    "modification n'est possible. Le président du jury peut la rouvrir en "
    "indiquant le motif."
)


class GuardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel(small_data(blocs=1, criteres=1))
        cls.session = make_session(
            cls.referentiel, nom="Session de juin", statut="en_evaluation"
        )
        cls.inscriptions = [
            make_inscription(make_candidat(f"c{i}@test.localhost"), cls.session)
            for i in range(2)
        ]
        cls.president = make_membre(cls.session, "p@test.localhost", president=True)
        cls.m1 = make_membre(cls.session, "m1@test.localhost")
        cls.m2 = make_membre(cls.session, "m2@test.localhost")
        cls.affectation = make_affectation(cls.m1, cls.inscriptions[0])
        cls.nouveau = make_user("nouveau@test.localhost", Role.MEMBRE_JURY)
        cls.admin = make_user("admin@test.localhost", Role.ADMINISTRATEUR)
        cls.jury_url = reverse("evaluations:jury_session", args=[cls.session.pk])

    def jury_state(self) -> tuple[list[tuple[int, str]], list[tuple[int, int]]]:
        return (
            sorted(MembreJury.objects.values_list("user_id", "role")),
            sorted(Affectation.objects.values_list("membre_id", "inscription_id")),
        )

    def lock(self, index: int = 0) -> Deliberation:
        return Deliberation.objects.create(
            inscription=self.inscriptions[index],
            decision=Deliberation.Decision.CERTIFIE,
            motif="Dossier solide.",
            verrouillee=True,
            decidee_le=timezone.now(),
            decidee_par=self.president.user,
        )


class ClosedSessionTests(GuardTestCase):
    """Deliberated or closed: every change to the jury is refused."""

    def close(self, statut: str) -> None:
        Session.objects.filter(pk=self.session.pk).update(statut=statut)
        self.session.refresh_from_db()
        self.m1.refresh_from_db()
        self.affectation.refresh_from_db()

    def test_services_refuse_every_change(self) -> None:
        before = self.jury_state()
        message = (
            "La session « Session de juin » est délibérée ou close : le jury ne "
            "change plus."
        )
        for statut in (Session.Statut.DELIBEREE, Session.Statut.CLOSE):
            with self.subTest(statut=statut):
                self.close(statut)
                changes = [
                    lambda: membre_jury_add(session=self.session, user=self.nouveau),
                    lambda: membre_jury_remove(membre=self.m2),
                    lambda: affectation_add(
                        membre=self.m2, inscription=self.inscriptions[1]
                    ),
                    lambda: affectation_remove(affectation=self.affectation),
                    lambda: affectations_auto(session=self.session, par_candidat=2),
                ]
                for change in changes:
                    with self.assertRaises(ValidationError) as caught:
                        change()
                    self.assertEqual(caught.exception.messages, [message])
                self.assertEqual(self.jury_state(), before)

    def test_views_refuse_every_change(self) -> None:
        self.close(Session.Statut.CLOSE)
        before = self.jury_state()
        message = (
            "La session « Session de juin » est délibérée ou close : le jury ne "
            "change plus."
        )
        self.client.force_login(self.admin)
        posts = [
            (
                reverse("evaluations:jury_membre_ajouter", args=[self.session.pk]),
                {"user": self.nouveau.pk, "role": "membre"},
            ),
            (reverse("evaluations:jury_membre_retirer", args=[self.m2.pk]), {}),
            (
                reverse("evaluations:jury_affectation_ajouter", args=[self.session.pk]),
                {"membre": self.m2.pk, "inscription": self.inscriptions[1].pk},
            ),
            (
                reverse(
                    "evaluations:jury_affectation_retirer", args=[self.affectation.pk]
                ),
                {},
            ),
            (
                reverse("evaluations:jury_affectations_auto", args=[self.session.pk]),
                {"par_candidat": 2},
            ),
        ]
        for url, data in posts:
            with self.subTest(url=url):
                response = self.client.post(url, data)
                self.assertRedirects(
                    response, self.jury_url, fetch_redirect_response=False
                )
                page = self.client.get(self.jury_url)
                self.assertEqual([str(m) for m in page.context["messages"]], [message])
        self.assertEqual(self.jury_state(), before)


class LockedEnrolmentTests(GuardTestCase):
    """The session is still being evaluated, but one enrolment's deliberation is
    voted and locked: its evaluators stay as they were."""

    def test_no_assignment_added_by_hand(self) -> None:
        self.lock()
        before = self.jury_state()
        with self.assertRaisesMessage(DeliberationVerrouilleeError, VERROU):
            affectation_add(membre=self.m2, inscription=self.inscriptions[0])
        self.assertEqual(self.jury_state(), before)

    def test_view_refuses_an_assignment_by_hand(self) -> None:
        self.lock()
        before = self.jury_state()
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("evaluations:jury_affectation_ajouter", args=[self.session.pk]),
            {"membre": self.m2.pk, "inscription": self.inscriptions[0].pk},
        )
        self.assertRedirects(response, self.jury_url, fetch_redirect_response=False)
        page = self.client.get(self.jury_url)
        self.assertEqual([str(m) for m in page.context["messages"]], [VERROU])
        self.assertEqual(self.jury_state(), before)

    def test_automatic_assignment_leaves_the_locked_enrolment_alone(self) -> None:
        self.lock()
        result = affectations_auto(session=self.session, par_candidat=2)
        self.assertEqual(result.creees, 2)
        self.assertEqual(result.incompletes, [])
        self.assertEqual(
            sorted(Affectation.objects.values_list("membre_id", "inscription_id")),
            sorted(
                [
                    (self.m1.pk, self.inscriptions[0].pk),
                    # The least-loaded members first: the president and m2.
                    (self.president.pk, self.inscriptions[1].pk),
                    (self.m2.pk, self.inscriptions[1].pk),
                ]
            ),
        )

    def test_no_assignment_withdrawn(self) -> None:
        self.lock()
        before = self.jury_state()
        with self.assertRaisesMessage(DeliberationVerrouilleeError, VERROU):
            affectation_remove(affectation=self.affectation)
        self.assertEqual(self.jury_state(), before)

    def test_no_member_removed_from_a_locked_enrolment(self) -> None:
        self.lock()
        before = self.jury_state()
        with self.assertRaisesMessage(DeliberationVerrouilleeError, VERROU):
            membre_jury_remove(membre=self.m1)
        self.assertEqual(self.jury_state(), before)

    def test_a_member_of_other_enrolments_only_may_still_go(self) -> None:
        self.lock()
        membre_jury_remove(membre=self.m2)
        self.assertEqual(
            self.jury_state(),
            (
                sorted(
                    [
                        (self.president.user_id, "president"),
                        (self.m1.user_id, "membre"),
                    ]
                ),
                [(self.m1.pk, self.inscriptions[0].pk)],
            ),
        )
