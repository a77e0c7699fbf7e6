"""Reminders to evaluators before the jury (``rappels_grilles_dus``,
``rappels_grilles_send``, run by ``manage.py envoyer_rappels``)."""

from datetime import date, datetime
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command
from django.test import TestCase

from certif.models import MessageEnvoye
from evaluations.notation.models import DerogationValidation
from evaluations.notation.selectors import rappels_grilles_dus
from evaluations.sessions.models import Inscription, Session
from tests.clock import frozen
from tests.emails import assert_links, html_of
from tests.evaluations.factories import make_candidat_complet
from tests.evaluations.factories_jury import make_affectation, make_membre
from tests.factories import make_inscription, make_referentiel, make_user, small_data

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 3, 18)  # tests.clock.NOW
JURY = date(2026, 3, 25)


def jour(d: int) -> datetime:
    return datetime(2026, 3, d, 7, 0, tzinfo=PARIS)


@frozen()
class RappelsGrillesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.session = Session.objects.create(
            referentiel=make_referentiel(small_data()),
            nom="Session d'été & automne",
            date_ouverture=date(2026, 1, 5),
            date_limite_depot=datetime(2026, 3, 1, 18, tzinfo=PARIS),
            date_jury=JURY,
            statut=Session.Statut.EN_EVALUATION,
        )
        cls.zoe = make_inscription(
            make_candidat_complet(
                "zoe@example.org", nom_naissance="L'HÔTE", prenom1="Zoé"
            ),
            cls.session,
        )
        cls.emile = make_inscription(
            make_candidat_complet(
                "emile@example.org", nom_naissance="ÉCHO", prenom1="Émile"
            ),
            cls.session,
        )
        cls.parti = make_inscription(
            make_candidat_complet("parti@example.org", nom_naissance="PARTI"),
            cls.session,
        )
        Inscription.objects.filter(pk=cls.parti.pk).update(desiste_le=date(2026, 3, 2))
        # Two evaluations to validate (listed in the database's order of the
        # birth names, as on the desk).
        cls.anne = make_membre(
            cls.session,
            "anne@example.org",
            user=make_user(
                "anne@example.org", first_name="Anne-Sophie", last_name="D'Orléans"
            ),
        )
        make_affectation(cls.anne, cls.zoe)
        make_affectation(cls.anne, cls.emile)
        # Everything validated: nothing.
        cls.bruno = make_membre(cls.session, "bruno@example.org")
        make_affectation(cls.bruno, cls.zoe, validee=True)
        make_affectation(cls.bruno, cls.emile, validee=True)
        # Only a withdrawn candidate, and one the president did without: nothing.
        cls.chloe = make_membre(cls.session, "chloe@example.org")
        make_affectation(cls.chloe, cls.parti)
        president = make_membre(cls.session, "president@example.org", president=True)
        DerogationValidation.objects.create(
            affectation=make_affectation(cls.chloe, cls.emile),
            motif="Absente",
            par=president.user,
            le=datetime(2026, 3, 17, 9, tzinfo=PARIS),
        )

    def run_command(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            call_command("envoyer_rappels", stdout=StringIO())

    def test_the_reminder_lists_each_grid(self) -> None:
        self.run_command()
        (message,) = mail.outbox
        self.assertEqual(message.to, ["anne@example.org"])
        self.assertEqual(
            message.subject,
            "Rappel : évaluations à valider avant le jury du 25/03/2026 — "
            "Session d'été & automne",
        )
        grille_emile = f"https://certif.test/jury/inscriptions/{self.emile.pk}/grille/"
        grille_zoe = f"https://certif.test/jury/inscriptions/{self.zoe.pk}/grille/"
        self.assertEqual(
            message.body,
            "Bonjour Anne-Sophie D'Orléans,\n\n"
            "Le jury de la session « Session d'été & automne » se réunit le "
            "mercredi 25 mars 2026. Vos évaluations de 2 candidats ne sont pas "
            "encore validées :\n"
            f"- Zoé L'HÔTE : {grille_zoe}\n"
            f"- Émile ÉCHO : {grille_emile}\n\n"
            "Le jury ne consolide ni ne délibère tant qu'un évaluateur affecté n'a "
            "pas validé sa grille.\n",
        )
        self.assertEqual(assert_links(self, message), [grille_zoe, grille_emile])
        self.assertIn("Zoé L&#x27;HÔTE", html_of(message))
        self.assertEqual(
            MessageEnvoye.objects.get().cle,
            f"rappel-grilles:{self.anne.pk}:J-7:2026-03-25",
        )

    def test_a_long_list_names_the_first_and_links_the_others(self) -> None:
        with mock.patch("evaluations.notation.services.LISTE_MAX", 1):
            self.run_command()
        (message,) = mail.outbox
        grille_zoe = f"https://certif.test/jury/inscriptions/{self.zoe.pk}/grille/"
        tableau = "https://certif.test/jury/mes-evaluations/"
        self.assertIn(
            f"validées :\n- Zoé L'HÔTE : {grille_zoe}\n"
            f"… et 1 autre candidat : {tableau}\n\n",
            message.body,
        )
        self.assertEqual(assert_links(self, message), [grille_zoe, tableau])

    def test_each_reminder_is_sent_once(self) -> None:
        self.run_command()
        self.run_command()
        with frozen(jour(20)):
            self.run_command()
        with frozen(jour(24)):  # J-1
            self.run_command()
            self.run_command()
        with frozen(jour(25)):  # the jury's day: J-1 already sent
            self.run_command()
        with frozen(jour(26)):
            self.run_command()
        self.assertEqual(
            list(MessageEnvoye.objects.order_by("pk").values_list("cle", flat=True)),
            [
                f"rappel-grilles:{self.anne.pk}:J-7:2026-03-25",
                f"rappel-grilles:{self.anne.pk}:J-1:2026-03-25",
            ],
        )
        self.assertEqual(len(mail.outbox), 2)

    def test_late_run_and_validated_grids(self) -> None:
        with frozen(jour(21)):  # J-4: J-7 still sent, once
            self.run_command()
            self.run_command()
        self.assertEqual(len(mail.outbox), 1)
        self.anne.affectations.update(validee_le=jour(22))
        with frozen(jour(24)):  # everything validated now: no J-1
            self.run_command()
        self.assertEqual(len(mail.outbox), 1)

    def test_nothing_when_the_session_is_not_in_evaluation(self) -> None:
        Session.objects.filter(pk=self.session.pk).update(statut=Session.Statut.OUVERTE)
        self.run_command()
        self.assertEqual(mail.outbox, [])

    def test_selection_in_a_fixed_number_of_queries(self) -> None:
        with self.assertNumQueries(2):
            rappels = rappels_grilles_dus(today=TODAY)
        self.assertEqual(
            [(r.membre, r.echeance, [g.candidat for g in r.grilles]) for r in rappels],
            [(self.anne, "J-7", ["Zoé L'HÔTE", "Émile ÉCHO"])],
        )
        for i in range(3):
            membre = make_membre(self.session, f"m{i}@example.org")
            make_affectation(membre, self.zoe)
            make_affectation(membre, self.emile)
        with self.assertNumQueries(2):
            rappels = rappels_grilles_dus(today=TODAY)
        self.assertEqual(len(rappels), 4)
