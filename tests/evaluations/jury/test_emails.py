"""The e-mail a jury member receives when candidates are assigned to them: one
per batch (a manual assignment, a run of the automatic one), never one per
candidate."""

from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.exceptions import ValidationError
from django.test import TestCase

from certif.models import MessageEnvoye
from evaluations.jury.services import affectation_add, affectations_auto
from evaluations.sessions.models import Session
from tests.clock import frozen
from tests.emails import assert_links, html_of
from tests.evaluations.factories import make_candidat_complet
from tests.evaluations.factories_jury import make_membre
from tests.factories import make_inscription, make_referentiel, make_user, small_data

PARIS = ZoneInfo("Europe/Paris")


@frozen()
class AffectationEmailTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.session = Session.objects.create(
            referentiel=make_referentiel(small_data()),
            nom="Session d'été & automne",
            date_ouverture=date(2026, 1, 5),
            date_limite_depot=datetime(2026, 3, 1, 18, tzinfo=PARIS),
            date_jury=date(2026, 4, 2),
            statut=Session.Statut.EN_EVALUATION,
        )
        cls.inscriptions = [
            make_inscription(
                make_candidat_complet(
                    f"c{i}@example.org", nom_naissance=nom, prenom1=prenom
                ),
                cls.session,
            )
            for i, (nom, prenom) in enumerate(
                [("L'HÔTE", "Zoé"), ("BERNARD", "Hugo"), ("ARNAUD", "Léa")]
            )
        ]
        cls.anne = make_membre(
            cls.session,
            "anne@example.org",
            user=make_user(
                "anne@example.org", first_name="Anne-Sophie", last_name="D'Orléans"
            ),
        )
        cls.bruno = make_membre(cls.session, "bruno@example.org")

    def test_a_manual_assignment_sends_one_email(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            affectation = affectation_add(
                membre=self.anne, inscription=self.inscriptions[0]
            )
        (message,) = mail.outbox
        self.assertEqual(message.to, ["anne@example.org"])
        self.assertEqual(
            message.subject, "Un candidat à évaluer — Session d'été & automne"
        )
        lien = "https://certif.test/jury/mes-evaluations/"
        self.assertEqual(
            message.body,
            "Bonjour Anne-Sophie D'Orléans,\n\n"
            "Vous êtes désormais évaluateur d'un candidat de la session « Session "
            "d'été & automne » :\n"
            "- Zoé L'HÔTE\n\n"
            "Le jury se réunit le jeudi 2 avril 2026 : validez votre évaluation de "
            "chaque candidat avant cette date. Vos grilles sont sur la page « Mes "
            "évaluations » :\n"
            f"{lien}\n\n"
            "Si vous avez un lien avec l'un de ces candidats (employeur, formateur, "
            "tuteur, famille…), déclarez un conflit d'intérêts depuis cette page "
            "avant de l'évaluer.\n",
        )
        self.assertEqual(assert_links(self, message), [lien])
        self.assertIn("Session d&#x27;été &amp; automne", html_of(message))
        self.assertEqual(
            MessageEnvoye.objects.get().cle, f"affectations:{affectation.pk}"
        )

    def test_automatic_assignment_sends_one_email_per_member(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            result = affectations_auto(session=self.session, par_candidat=1)
        self.assertEqual(result.creees, 3)
        self.assertEqual(
            sorted((m.to[0], m.subject) for m in mail.outbox),
            [
                ("anne@example.org", "2 candidats à évaluer — Session d'été & automne"),
                (
                    "bruno@example.org",
                    "Un candidat à évaluer — Session d'été & automne",
                ),
            ],
        )
        anne = next(m for m in mail.outbox if m.to == ["anne@example.org"])
        self.assertIn(
            "Vous êtes désormais évaluateur de 2 candidats de la session « Session "
            "d'été & automne » :\n- Léa ARNAUD\n- Zoé L'HÔTE\n",
            anne.body,
        )
        assert_links(self, anne)
        # Run again: nothing new, nothing sent.
        with self.captureOnCommitCallbacks(execute=True):
            result = affectations_auto(session=self.session, par_candidat=1)
        self.assertEqual(result.creees, 0)
        self.assertEqual(len(mail.outbox), 2)

    def test_a_long_batch_names_the_first_and_counts_the_others(self) -> None:
        with (
            mock.patch("evaluations.jury.services.LISTE_MAX", 1),
            self.captureOnCommitCallbacks(execute=True),
        ):
            affectations_auto(session=self.session, par_candidat=1)
        anne = next(m for m in mail.outbox if m.to == ["anne@example.org"])
        self.assertIn(
            "de la session « Session d'été & automne » :\n- Léa ARNAUD\n"
            "… et 1 autre candidat.\n\nLe jury se réunit",
            anne.body,
        )
        self.assertEqual(
            anne.subject, "2 candidats à évaluer — Session d'été & automne"
        )

    def test_no_email_when_the_assignment_is_refused(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            affectation_add(membre=self.anne, inscription=self.inscriptions[0])
        mail.outbox.clear()
        with (
            self.captureOnCommitCallbacks(execute=True),
            self.assertRaisesMessage(ValidationError, "évalue déjà ce candidat"),
        ):
            affectation_add(membre=self.anne, inscription=self.inscriptions[0])
        self.assertEqual(mail.outbox, [])
