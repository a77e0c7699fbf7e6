"""Session transitions that forgive a slip: an early « Passer en évaluation » asks
for confirmation and says what the candidates lose; one step back while no score
is saved, with its reason; a closed session is labelled « Close »."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from certif.roles import Role
from evaluations.jury.models import Affectation
from evaluations.notation.models import Evaluation
from evaluations.sessions.models import Session
from evaluations.sessions.services import (
    session_back_to_open,
    session_start_evaluation,
)
from referentiel.models import Critere
from tests.evaluations.factories import make_livrable, modalites_of
from tests.evaluations.factories_jury import make_membre
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)


class TransitionsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel(small_data(blocs=2, criteres=1))
        cls.admin = make_user("admin@test.fr", Role.ADMINISTRATEUR)
        cls.session = make_session(cls.referentiel, deadline_in_days=3)
        cls.complet = make_inscription(make_candidat("a@test.fr"), cls.session)
        for modalite in modalites_of(cls.complet):
            make_livrable(cls.complet, modalite)
        cls.incomplet = make_inscription(
            make_candidat("b@test.fr", nom="Durand"), cls.session
        )
        cls.url = reverse(
            "evaluations:session_transition", args=[cls.session.pk, "evaluer"]
        )

    def test_early_start_refused_without_confirmation(self) -> None:
        with self.assertRaisesMessage(
            ValidationError,
            "La date limite de dépôt n'est pas passée : confirmez le passage en "
            "évaluation, qui ferme les dépôts avant la limite.",
        ):
            session_start_evaluation(session=self.session, by=self.admin)
        self.assertEqual(Session.objects.get(pk=self.session.pk).statut, "ouverte")

    def test_after_the_deadline_no_confirmation(self) -> None:
        Session.objects.filter(pk=self.session.pk).update(
            date_limite_depot=timezone.now() - timedelta(hours=1)
        )
        self.client.force_login(self.admin)
        response = self.client.post(self.url)
        self.assertRedirects(
            response, self.session.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(
            Session.objects.get(pk=self.session.pk).statut, "en_evaluation"
        )

    def test_confirmation_page_says_what_candidates_lose(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            (
                response.context["incomplets"],
                response.context["jours"],
            ),
            (1, 2),
        )
        self.assertContains(response, "1 candidat a un dossier incomplet.")
        self.assertContains(response, "Les candidats perdent 2 jours et ")
        self.assertEqual(Session.objects.get(pk=self.session.pk).statut, "ouverte")
        response = self.client.post(self.url, {"confirme": "oui"})
        self.assertRedirects(
            response, self.session.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(
            Session.objects.get(pk=self.session.pk).statut, "en_evaluation"
        )


class RetourTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel(small_data(blocs=1, criteres=1))
        cls.admin = make_user("admin@test.fr", Role.ADMINISTRATEUR)
        cls.session = make_session(cls.referentiel, statut="en_evaluation")
        cls.inscription = make_inscription(make_candidat("a@test.fr"), cls.session)
        cls.url = reverse("evaluations:session_retour", args=[cls.session.pk])

    def test_step_back_with_its_reason(self) -> None:
        session = session_back_to_open(
            session=self.session,
            motif="Passée en évaluation par erreur.",
            by=self.admin,
        )
        self.assertEqual(session.statut, "ouverte")
        dernier = session.history.latest("history_date")
        self.assertEqual(
            (dernier.statut, dernier.history_change_reason, dernier.history_user),
            ("ouverte", "Passée en évaluation par erreur.", self.admin),
        )

    def test_refused_once_a_score_is_saved(self) -> None:
        membre = make_membre(self.session, "m@test.fr")
        Evaluation.objects.create(
            affectation=Affectation.objects.create(
                membre=membre, inscription=self.inscription
            ),
            critere=Critere.objects.filter(referentiel=self.referentiel).earliest("pk"),
            resultat="acquis",
        )
        with self.assertRaisesMessage(
            ValidationError,
            "Des notes sont déjà enregistrées : la session ne revient plus à "
            "« Ouverte ».",
        ):
            session_back_to_open(session=self.session, motif="x", by=self.admin)
        with self.assertRaisesMessage(
            ValidationError, "Indiquez le motif du retour à « Ouverte »."
        ):
            session_back_to_open(session=self.session, motif=" ", by=self.admin)
        self.assertEqual(
            Session.objects.get(pk=self.session.pk).statut, "en_evaluation"
        )

    def test_view(self) -> None:
        self.client.force_login(self.admin)
        page = self.client.get(self.session.get_absolute_url())
        self.assertContains(page, "Revenir à « Ouverte »")
        self.assertEqual(self.client.get(self.url).status_code, 405)
        response = self.client.post(self.url, {"motif": ""}, follow=True)
        self.assertContains(response, "Indiquez le motif du retour à « Ouverte ».")
        self.assertEqual(
            Session.objects.get(pk=self.session.pk).statut, "en_evaluation"
        )
        response = self.client.post(self.url, {"motif": "Erreur de manipulation."})
        self.assertRedirects(
            response, self.session.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(Session.objects.get(pk=self.session.pk).statut, "ouverte")
        self.client.force_login(make_user("pres@test.fr", Role.PRESIDENT))
        self.assertEqual(self.client.post(self.url, {"motif": "x"}).status_code, 403)


class LibelleTests(TestCase):
    def test_a_closed_session_is_close_not_fermer(self) -> None:
        with override("fr"):
            self.assertEqual(str(Session.Statut.CLOSE.label), "Close")
            self.assertEqual(
                [str(label) for _value, label in Session.Statut.choices],
                ["Brouillon", "Ouverte", "En évaluation", "Délibérée", "Close"],
            )
