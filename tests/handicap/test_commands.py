"""Retention of the supporting documents: the command, its dry run and the task."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from evaluations.sessions.models import Inscription, Session
from handicap.models import AccesConfidentiel, DemandeAmenagement, PieceJustificative
from handicap.services import mois_avant
from handicap.tasks import purger_pieces_handicap_task
from tests.clock import frozen
from tests.factories import make_candidat, make_inscription, make_session
from tests.handicap.factories import HandicapTestCase, make_decision, make_demande


# The last day of a 31-day month: the 24-month limit (31 March 2024) and the dates
# 23 and 25 months back (30 April 2024, 29 February 2024) all clamp the day, on any
# day the suite runs.
@frozen(datetime(2026, 3, 31, 9, 0, tzinfo=ZoneInfo("Europe/Paris")))
class RetentionTests(HandicapTestCase):
    """``ancienne``: closed 25 months ago (purged). ``recente``: closed 23 months ago
    (kept). ``ouverte``: the open session (kept)."""

    def setUp(self) -> None:
        # Per test, not per class: the purge deletes files, which no rollback restores.
        cls = type(self)
        now = timezone.now()
        self.ancienne = make_session(cls.referentiel, nom="Ancienne")
        self.recente = make_session(cls.referentiel, nom="Récente")
        self.vieille_demande = make_decision(
            make_demande(cls._inscription("a", self.ancienne), pieces=2),
            self.referent,
            propositions=self.criteres[:1],
        )
        self.recente_demande = make_demande(cls._inscription("b", self.recente))
        self.ouverte_demande = make_demande(self.inscription)
        cls._close(self.ancienne, mois_avant(now, 25))
        cls._close(self.recente, mois_avant(now, 23))

    @classmethod
    def _close(cls, session: Session, close_le: object) -> None:
        Session.objects.filter(pk=session.pk).update(
            statut=Session.Statut.CLOSE, close_le=close_le
        )

    @classmethod
    def _inscription(cls, suffix: str, session: Session) -> Inscription:
        cand = make_candidat(f"retention-{suffix}@example.org", nom=f"Ret{suffix}")
        return make_inscription(cand, session)

    def run_command(self, *args: str) -> str:
        out = StringIO()
        call_command("purger_pieces_handicap", *args, stdout=out)
        return out.getvalue()

    def test_dry_run_deletes_nothing(self) -> None:
        names = list(PieceJustificative.objects.values_list("fichier", flat=True))
        output = self.run_command("--dry-run")
        self.assertEqual(PieceJustificative.objects.count(), 4)
        storage = PieceJustificative._meta.get_field("fichier").storage
        self.assertTrue(all(storage.exists(name) for name in names))
        self.assertEqual(AccesConfidentiel.objects.count(), 0)
        self.assertIn("2 pièces à supprimer", output)
        self.assertIn("simulation : rien n'a été supprimé", output)

    def test_old_closed_session_purged_others_kept(self) -> None:
        vieilles = list(self.vieille_demande.pieces.order_by("pk"))
        storage = vieilles[0].fichier.storage
        with self.assertLogs("handicap.services", level="INFO") as logs:
            output = self.run_command()
        self.assertEqual(
            set(PieceJustificative.objects.values_list("demande_id", flat=True)),
            {self.recente_demande.pk, self.ouverte_demande.pk},
        )
        self.assertFalse(any(storage.exists(str(p.fichier.name)) for p in vieilles))
        self.assertEqual(len(logs.records), 2)
        self.assertIn(f"Pièce justificative {vieilles[0].pk}", logs.output[0])
        self.assertIn(f"Pièce {vieilles[0].pk} (demande", output)
        self.assertIn("2 pièces supprimées — conservation 24 mois", output)
        # The decision and the log remain; the purge is logged per document.
        demande = DemandeAmenagement.objects.get(pk=self.vieille_demande.pk)
        self.assertEqual(demande.statut, "decidee")
        self.assertEqual(demande.amenagements.count(), 2)
        self.assertTrue(storage.exists(str(demande.courrier.name)))
        self.assertEqual(
            list(
                AccesConfidentiel.objects.order_by("pk").values_list(
                    "utilisateur", "action", "objet", "demande_id", "piece_id"
                )
            ),
            [
                (None, "suppression", "piece", demande.pk, vieilles[0].pk),
                (None, "suppression", "piece", demande.pk, vieilles[1].pk),
            ],
        )
        # Idempotent.
        self.assertIn("0 pièce supprimée", self.run_command())

    @override_settings(HANDICAP_RETENTION_MOIS=12)
    def test_retention_from_settings(self) -> None:
        self.run_command()
        self.assertEqual(
            set(PieceJustificative.objects.values_list("demande_id", flat=True)),
            {self.ouverte_demande.pk},
        )

    def test_closed_without_date_kept(self) -> None:
        Session.objects.filter(pk=self.session.pk).update(
            statut=Session.Statut.CLOSE, close_le=None
        )
        self.run_command()
        self.assertTrue(
            PieceJustificative.objects.filter(demande=self.ouverte_demande).exists()
        )

    def test_task_runs_the_same_service(self) -> None:
        result = purger_pieces_handicap_task.enqueue()
        self.assertEqual(result.return_value, 2)
        self.assertEqual(PieceJustificative.objects.count(), 2)

    def test_old_session_not_closed_kept(self) -> None:
        Session.objects.filter(pk=self.ancienne.pk).update(
            statut=Session.Statut.DELIBEREE,
            close_le=timezone.now() - timedelta(days=3000),
        )
        self.run_command()
        self.assertEqual(PieceJustificative.objects.count(), 4)
