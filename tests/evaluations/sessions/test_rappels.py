"""Reminders before the deposit deadline (``rappels_depot_dus``,
``rappels_depot_send``) and ``manage.py envoyer_rappels``."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from certif.models import MessageEnvoye
from evaluations.sessions.models import Inscription, Session
from evaluations.sessions.selectors import rappels_depot_dus
from tests.clock import NOW, frozen
from tests.emails import assert_links, html_of
from tests.evaluations.factories import (
    make_candidat_complet,
    make_livrable,
    modalites_of,
)
from tests.factories import make_inscription, make_referentiel, small_data

PARIS = ZoneInfo("Europe/Paris")
# NOW is Wednesday 18 March 2026: the deadline falls seven days later.
LIMITE = datetime(2026, 3, 25, 18, 0, tzinfo=PARIS)


def jour(d: int) -> datetime:
    """``d`` March 2026, 7:00 in Paris (the timer's hour)."""
    return datetime(2026, 3, d, 7, 0, tzinfo=PARIS)


@frozen()
class RappelsDepotTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel(small_data(blocs=2))
        cls.session = Session.objects.create(
            referentiel=cls.referentiel,
            nom="Session d'été & automne",
            date_ouverture=date(2026, 3, 1),
            date_limite_depot=LIMITE,
            date_jury=date(2026, 4, 15),
            statut=Session.Statut.OUVERTE,
        )
        # One file of two: reminded of the other.
        cls.zoe = make_inscription(
            make_candidat_complet(
                "zoe.lhote@example.org", nom_naissance="L'HÔTE", prenom1="Zoé"
            ),
            cls.session,
        )
        premiere, cls.manquante = modalites_of(cls.zoe)
        make_livrable(cls.zoe, premiere)
        # Everything deposited: nothing to remind.
        cls.complet = make_inscription(
            make_candidat_complet("complet@example.org", nom_naissance="COMPLET"),
            cls.session,
        )
        for modalite in modalites_of(cls.complet):
            make_livrable(cls.complet, modalite)
        # Nothing deposited, but withdrawn: nothing either.
        cls.desiste = make_inscription(
            make_candidat_complet("desiste@example.org", nom_naissance="PARTI"),
            cls.session,
        )
        Inscription.objects.filter(pk=cls.desiste.pk).update(
            desiste_le=date(2026, 3, 10), desistement_motif="Mutation"
        )
        # Nothing deposited, but deferred to a later session: nothing here.
        reporte = make_candidat_complet("reporte@example.org", nom_naissance="REPORT")
        cls.reporte = make_inscription(reporte, cls.session)
        suivante = Session.objects.create(
            referentiel=cls.referentiel,
            nom="Session suivante",
            date_ouverture=date(2026, 9, 1),
            date_limite_depot=datetime(2026, 10, 1, 18, tzinfo=PARIS),
            date_jury=date(2026, 11, 2),
        )
        Inscription.objects.filter(pk=cls.reporte.pk).update(
            reportee_vers=make_inscription(reporte, suivante),
            report_motif="Maladie",
        )

    def run_command(self, *args: str) -> str:
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("envoyer_rappels", *args, stdout=out)
        return out.getvalue().strip()

    def test_the_reminder_lists_what_is_missing(self) -> None:
        self.assertEqual(
            self.run_command(),
            "2026-03-18 : 1 rappel de dépôt aux candidats, 0 rappel de validation "
            "aux évaluateurs",
        )
        (message,) = mail.outbox
        self.assertEqual(message.to, ["zoe.lhote@example.org"])
        self.assertEqual(
            message.subject,
            "Rappel : votre dossier est à compléter avant le 25/03/2026 — "
            "Session d'été & automne",
        )
        lien = f"https://certif.test/candidat/inscriptions/{self.zoe.pk}/"
        self.assertEqual(
            message.body,
            "Bonjour Zoé,\n\n"
            "Les dépôts de la session « Session d'été & automne » ferment le "
            "mercredi 25 mars 2026 à 18:00 (heure de Paris). Il manque encore un "
            "dépôt à votre dossier :\n"
            "- C2.1 — Cas pratique : Analyse réflexive\n\n"
            "Déposez vos fichiers depuis votre dossier :\n"
            f"{lien}\n\n"
            "Après la date limite, plus aucun dépôt n'est accepté.\n",
        )
        self.assertEqual(assert_links(self, message), [lien])
        self.assertIn("Session d&#x27;été &amp; automne", html_of(message))
        stored = MessageEnvoye.objects.get()
        self.assertEqual(
            (stored.utilisateur, stored.cle, stored.corps),
            (
                self.zoe.candidat.user,
                f"rappel-depot:{self.zoe.pk}:J-7:2026-03-25",
                message.body,
            ),
        )

    def test_each_reminder_is_sent_once(self) -> None:
        self.run_command()
        self.assertEqual(self.run_command().split(" : ")[1][:1], "0")
        for d in range(19, 24):  # J-6 … J-2: J-7 already sent
            with frozen(jour(d)):
                self.run_command()
        self.assertEqual(len(mail.outbox), 1)
        with frozen(jour(24)):  # J-1
            self.run_command()
            self.run_command()
        with frozen(jour(25)):  # the day itself: J-1 already sent
            self.run_command()
        with frozen(jour(26)):  # after the deadline
            self.run_command()
        self.assertEqual(
            [m.to for m in mail.outbox],
            [["zoe.lhote@example.org"], ["zoe.lhote@example.org"]],
        )
        self.assertEqual(
            list(MessageEnvoye.objects.order_by("pk").values_list("cle", flat=True)),
            [
                f"rappel-depot:{self.zoe.pk}:J-7:2026-03-25",
                f"rappel-depot:{self.zoe.pk}:J-1:2026-03-25",
            ],
        )

    def test_a_late_run_still_sends_j7_once(self) -> None:
        with frozen(jour(20)):  # J-5: the J-7 reminder was missed
            self.run_command()
            self.run_command()
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(
            MessageEnvoye.objects.get().cle,
            f"rappel-depot:{self.zoe.pk}:J-7:2026-03-25",
        )

    def test_when_j1_is_due_only_j1_is_sent(self) -> None:
        with frozen(jour(24)):
            self.run_command()
        self.assertEqual(
            list(MessageEnvoye.objects.values_list("cle", flat=True)),
            [f"rappel-depot:{self.zoe.pk}:J-1:2026-03-25"],
        )
        self.assertEqual(len(mail.outbox), 1)

    def test_nothing_before_j7_nor_for_a_closed_session(self) -> None:
        with frozen(jour(17)):  # J-8
            self.run_command()
        Session.objects.filter(pk=self.session.pk).update(
            statut=Session.Statut.EN_EVALUATION
        )
        self.run_command()
        self.assertEqual(mail.outbox, [])

    def test_date_option(self) -> None:
        self.assertEqual(
            self.run_command("--date", "2026-03-24"),
            "2026-03-24 : 1 rappel de dépôt aux candidats, 0 rappel de validation "
            "aux évaluateurs",
        )
        self.assertEqual(
            MessageEnvoye.objects.get().cle,
            f"rappel-depot:{self.zoe.pk}:J-1:2026-03-25",
        )
        with self.assertRaisesMessage(CommandError, "--date attend AAAA-MM-JJ"):
            self.run_command("--date", "24/03/2026")

    def test_deadline_moved_later_gets_its_own_reminders(self) -> None:
        self.run_command()
        Session.objects.filter(pk=self.session.pk).update(
            date_limite_depot=LIMITE + timedelta(days=2)
        )
        self.run_command()  # J-9 of the new deadline
        self.assertEqual(len(mail.outbox), 1)
        with frozen(jour(20)):  # J-7 of the new deadline
            self.run_command()
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual(
            mail.outbox[1].subject,
            "Rappel : votre dossier est à compléter avant le 27/03/2026 — "
            "Session d'été & automne",
        )

    def test_selection_in_a_fixed_number_of_queries(self) -> None:
        with self.assertNumQueries(5):
            rappels = rappels_depot_dus(now=NOW)
        self.assertEqual(
            [
                (r.inscription, r.echeance, [m.code for m in r.manquantes])
                for r in rappels
            ],
            [(self.zoe, "J-7", ["C2.1"])],
        )
        for i in range(5):
            make_inscription(
                make_candidat_complet(f"c{i}@example.org", nom_naissance=f"NOM{i}"),
                self.session,
            )
        with self.assertNumQueries(5):
            rappels = rappels_depot_dus(now=NOW)
        self.assertEqual(len(rappels), 6)
        self.assertEqual([m.code for m in rappels[1].manquantes], ["C1.1", "C2.1"])
