"""Publishing a session's results: scheduling (now, later, refused), the run in
the background (tasks inline here), each result e-mail sent once, the letters
issued, the command for due publications, failures and their resumption, the
audit trail, and nothing visible before the publication."""

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase, override_settings

from certif.models import MessageEnvoye
from evaluations.deliberation.models import Deliberation
from evaluations.documents.models import Document
from evaluations.documents.selectors import documents_visible_to
from evaluations.documents.tasks import emission_launch
from evaluations.resultats import services
from evaluations.resultats.models import PublicationResultats, ResultatPublie
from evaluations.resultats.selectors import date_limite_recours, plus_mois
from evaluations.resultats.services import publication_cancel, publication_claim
from evaluations.resultats.tasks import (
    publication_launch,
    publication_resume_launch,
    publier,
)
from evaluations.sessions.models import Session
from tests.clock import NOW, frozen
from tests.evaluations.factories_documents import make_scenario
from tests.evaluations.resultats.factories import PublicationTestCase

PARIS = ZoneInfo("Europe/Paris")
LATER = datetime(2026, 3, 20, 9, 0, tzinfo=PARIS)


@frozen()
class PublishNowTests(PublicationTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()

    def test_publish_now_sends_each_result_once_with_its_letter(self) -> None:
        publication = self.publish(self.sc.session, by=self.sc.admin)
        self.assertEqual(
            (
                publication.statut,
                publication.total,
                publication.faits,
                publication.echecs,
                publication.publiee_le,
                publication.programmee_par,
            ),
            ("publiee", 4, 4, [], NOW, self.sc.admin),
        )
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["hugo@test.fr", "lea@test.fr", "marie@test.fr", "zoe@test.fr"],
        )
        message = next(m for m in mail.outbox if m.to == ["hugo@test.fr"])
        self.assertEqual(message.subject, "Votre résultat — session « Session juin »")
        self.assertIn(
            "Le jury a validé 1 bloc de compétences de la certification "
            f"« {self.sc.referentiel.certification.intitule} » : B1.",
            message.body,
        )
        self.assertIn(
            f"https://certif.test/resultats/{self.sc.partiel.pk}/", message.body
        )
        self.assertIn(
            "Vous pouvez contester la décision du jury jusqu'au 18 mai 2026 inclus.",
            message.body,
        )
        (html, mime) = message.alternatives[0]  # type: ignore[attr-defined]
        self.assertEqual(mime, "text/html")
        self.assertIn(
            f'<a href="https://certif.test/resultats/{self.sc.partiel.pk}/">', html
        )
        ((nom, contenu, type_),) = message.attachments  # type: ignore[misc]
        lettre = Document.objects.get(inscription=self.sc.partiel, nature="lettre")
        self.assertEqual((nom, type_), (lettre.nom_fichier, "application/pdf"))
        with lettre.fichier.open("rb") as handle:
            self.assertEqual(contenu, handle.read())
        self.assertEqual(
            Document.objects.filter(nature="lettre", statut="valide").count(), 4
        )
        # The documents were issued with the letters (no emission before).
        self.assertEqual(Document.objects.filter(nature="releve").count(), 4)
        self.assertEqual(ResultatPublie.objects.filter(courriel_le=NOW).count(), 4)
        # Recorded on the candidate's « Mes messages », with its key.
        enregistre = MessageEnvoye.objects.get(
            utilisateur=self.sc.partiel.candidat.user
        )
        self.assertEqual(
            (enregistre.gabarit, enregistre.cle, enregistre.pieces_jointes),
            (
                "resultat",
                f"resultat:{self.sc.partiel.pk}:{publication.pk}",
                [lettre.nom_fichier],
            ),
        )

    def test_publishing_twice_sends_nothing_more(self) -> None:
        publication = self.publish(self.sc.session, by=self.sc.admin)
        self.assertEqual(len(mail.outbox), 4)
        # Run the task again, then the command, then resume the whole run.
        with self.captureOnCommitCallbacks(execute=True):
            publier.enqueue(publication.pk)
            call_command("publier_resultats", stdout=mock.MagicMock())
            PublicationResultats.objects.filter(pk=publication.pk).update(
                statut="en_cours", unites=[], faits=0
            )
            publier.enqueue(publication.pk)
        self.assertEqual(len(mail.outbox), 4)
        self.assertEqual(Document.objects.filter(nature="lettre").count(), 4)
        publication.refresh_from_db()
        self.assertEqual((publication.statut, publication.faits), ("publiee", 4))

    def test_a_second_schedule_is_refused_once_published(self) -> None:
        self.publish(self.sc.session, by=self.sc.admin)
        with self.assertRaisesMessage(
            ValidationError, "Les résultats de cette session sont déjà publiés."
        ):
            publication_launch(
                session=self.sc.session, prevue_le=None, by=self.sc.admin
            )

    def test_emission_before_publication_tells_nobody(self) -> None:
        emission_launch(session=self.sc.session, by=self.sc.admin)
        self.assertEqual(mail.outbox, [])
        candidat = self.sc.certifie.candidat.user
        self.assertEqual(list(documents_visible_to(user=candidat)), [])
        self.publish(self.sc.session, by=self.sc.admin)
        self.assertEqual(
            sorted(
                documents_visible_to(user=candidat).values_list("nature", flat=True)
            ),
            ["lettre", "parchemin", "releve"],
        )
        # One e-mail each: the result, not « vos documents sont disponibles ».
        self.assertEqual(
            {m.subject for m in mail.outbox},
            {"Votre résultat — session « Session juin »"},
        )


@frozen()
class ScheduleTests(PublicationTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()

    def test_scheduled_publication_waits_for_its_time(self) -> None:
        publication = publication_launch(
            session=self.sc.session, prevue_le=LATER, by=self.sc.admin
        )
        self.assertEqual(
            (publication.statut, publication.prevue_le, publication.publiee_le),
            ("programmee", LATER, None),
        )
        self.assertIsNone(date_limite_recours(self.sc.certifie))
        call_command("publier_resultats", stdout=mock.MagicMock())
        self.assertEqual(mail.outbox, [])
        self.assertIsNone(publication_claim(publication_id=publication.pk))
        with (
            frozen(LATER + timedelta(minutes=3)),
            self.captureOnCommitCallbacks(execute=True),
        ):
            call_command("publier_resultats", stdout=mock.MagicMock())
            call_command("publier_resultats", stdout=mock.MagicMock())
        publication.refresh_from_db()
        self.assertEqual(
            (publication.statut, publication.publiee_le),
            ("publiee", LATER + timedelta(minutes=3)),
        )
        self.assertEqual(len(mail.outbox), 4)
        inscription = Session.objects.get(pk=self.sc.session.pk).inscriptions.get(
            pk=self.sc.certifie.pk
        )
        self.assertEqual(date_limite_recours(inscription), date(2026, 5, 20))

    def test_a_deferring_backend_gets_the_task_for_the_chosen_time(self) -> None:
        with override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        ):
            backend = publier.get_backend()
            publication_launch(
                session=self.sc.session, prevue_le=LATER, by=self.sc.admin
            )
            (result,) = backend.results  # type: ignore[attr-defined]
        self.assertEqual(
            (result.task.name, result.task.run_after, result.args),
            ("publier", LATER, [PublicationResultats.objects.get().pk]),
        )

    def test_past_moment_is_refused(self) -> None:
        with self.assertRaisesMessage(
            ValidationError, "Choisissez une date et une heure à venir"
        ):
            publication_launch(
                session=self.sc.session,
                prevue_le=NOW - timedelta(minutes=1),
                by=self.sc.admin,
            )
        self.assertFalse(PublicationResultats.objects.exists())

    def test_refused_while_a_deliberation_is_open(self) -> None:
        Deliberation.objects.filter(inscription=self.sc.echec).update(verrouillee=False)
        with self.assertRaisesMessage(
            ValidationError, "Des délibérations sont rouvertes"
        ):
            publication_launch(
                session=self.sc.session, prevue_le=LATER, by=self.sc.admin
            )

    def test_refused_before_the_session_is_deliberated(self) -> None:
        Session.objects.filter(pk=self.sc.session.pk).update(statut="en_evaluation")
        with self.assertRaisesMessage(
            ValidationError, "Les résultats se publient une fois la session délibérée"
        ):
            publication_launch(
                session=Session.objects.get(pk=self.sc.session.pk),
                prevue_le=None,
                by=self.sc.admin,
            )

    def test_a_deliberation_reopened_after_scheduling_stops_it(self) -> None:
        publication = publication_launch(
            session=self.sc.session, prevue_le=LATER, by=self.sc.admin
        )
        Deliberation.objects.filter(inscription=self.sc.echec).update(verrouillee=False)
        with frozen(LATER):
            call_command("publier_resultats", stdout=mock.MagicMock())
        publication.refresh_from_db()
        self.assertEqual(
            (publication.statut, publication.publiee_le, publication.blocage),
            (
                "programmee",
                None,
                "Des délibérations sont rouvertes : verrouillez-les avant "
                "d'émettre les documents.",
            ),
        )
        self.assertEqual(mail.outbox, [])

    def test_cancel_and_history(self) -> None:
        publication = publication_launch(
            session=self.sc.session, prevue_le=LATER, by=self.sc.admin
        )
        publication_launch(
            session=self.sc.session,
            prevue_le=LATER + timedelta(days=1),
            by=self.sc.admin,
        )
        publication_cancel(publication=publication, by=self.sc.admin)
        with frozen(LATER + timedelta(days=2)):
            call_command("publier_resultats", stdout=mock.MagicMock())
        publication.refresh_from_db()
        self.assertEqual(publication.statut, "annulee")
        self.assertEqual(mail.outbox, [])
        self.assertEqual(
            [
                (h.statut, h.prevue_le, h.history_user)
                for h in publication.history.order_by("history_date", "history_id")
            ],
            [
                ("programmee", LATER, self.sc.admin),
                ("programmee", LATER + timedelta(days=1), self.sc.admin),
                ("annulee", LATER + timedelta(days=1), self.sc.admin),
            ],
        )
        with self.assertRaisesMessage(
            ValidationError, "Seule une publication programmée"
        ):
            publication_cancel(publication=publication, by=self.sc.admin)


@frozen()
class FailureTests(PublicationTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()

    def test_a_failed_unit_is_listed_then_resumed_without_a_second_mail(self) -> None:
        real = services.resultat_publish
        echec_id = self.sc.echec.pk

        def flaky(*, publication_id: int, inscription_id: int) -> ResultatPublie:
            if inscription_id == echec_id:
                raise RuntimeError("disque plein")
            return real(publication_id=publication_id, inscription_id=inscription_id)

        with mock.patch(
            "evaluations.resultats.tasks.resultat_publish", side_effect=flaky
        ):
            publication = self.publish(self.sc.session, by=self.sc.admin)
        self.assertEqual(
            (publication.statut, publication.faits, publication.echecs),
            (
                "echecs",
                3,
                [
                    {
                        "inscription_id": echec_id,
                        "candidat": "Zoé MARTIN",
                        "motif": "Erreur lors de la publication : disque plein",
                    }
                ],
            ),
        )
        self.assertEqual(len(mail.outbox), 3)
        with self.captureOnCommitCallbacks(execute=True):
            publication = publication_resume_launch(
                publication=publication, by=self.sc.admin
            )
        self.assertEqual(
            (publication.statut, publication.faits, publication.echecs),
            ("publiee", 4, []),
        )
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["hugo@test.fr", "lea@test.fr", "marie@test.fr", "zoe@test.fr"],
        )


class PlusMoisTests(TestCase):
    def test_months_are_calendar_months(self) -> None:
        self.assertEqual(
            [
                plus_mois(date(2026, 3, 18), 2),
                plus_mois(date(2026, 12, 31), 2),
                plus_mois(date(2027, 12, 31), 2),
                plus_mois(date(2026, 1, 31), 1),
                plus_mois(date(2026, 11, 15), 14),
            ],
            [
                date(2026, 5, 18),
                date(2027, 2, 28),
                date(2028, 2, 29),
                date(2026, 2, 28),
                date(2028, 1, 15),
            ],
        )
