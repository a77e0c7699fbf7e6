"""Real concurrent saves (PostgreSQL): two evaluators, and double clicks of one
evaluator on a criterion never scored, at the same instant (``evaluation_record``
and the one-round-trip ``evaluation_save``); a save waiting behind the validation
of the same evaluation."""

import threading
import time
from unittest import skipUnless

from django.db import connection, connections, transaction
from django.test import TransactionTestCase

from evaluations.jury.models import Affectation
from evaluations.notation.models import Evaluation
from evaluations.notation.selectors import affectation_for_save
from evaluations.notation.services import (
    EvaluationValideeError,
    affectation_validate,
    evaluation_record,
    evaluation_save,
)
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
    small_data,
)


@skipUnless(connection.vendor == "postgresql", "needs concurrent transactions")
class ConcurrentSaveTests(TransactionTestCase):
    def test_simultaneous_saves_never_overwrite_nor_fail(self) -> None:
        session = make_session(
            make_referentiel(small_data(blocs=1, criteres=2)), statut="en_evaluation"
        )
        inscription = make_inscription(make_candidat("c@test.localhost"), session)
        m1 = make_membre(session, "m1@test.localhost")
        m2 = make_membre(session, "m2@test.localhost")
        make_affectation(m1, inscription)
        make_affectation(m2, inscription)
        critere = criteres_of(inscription)[0]
        saves = [
            (m1.user, "acquis"),
            (m1.user, "acquis"),  # double click, same value
            (m2.user, "non_acquis"),
            (m2.user, "non_acquis"),
        ]
        barrier = threading.Barrier(len(saves))
        errors: list[BaseException] = []

        def save(user, resultat) -> None:  # type: ignore[no-untyped-def]
            try:
                affectation = affectation_for_save(user.pk, inscription.pk, critere.pk)
                assert affectation is not None
                barrier.wait(timeout=10)
                evaluation_record(
                    affectation=affectation,
                    critere_id=critere.pk,
                    resultat=resultat,
                    by=user,
                )
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=s) for s in saves]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(
            sorted(
                Evaluation.objects.filter(critere=critere).values_list(
                    "affectation__membre__user__email", "resultat"
                )
            ),
            [("m1@test.localhost", "acquis"), ("m2@test.localhost", "non_acquis")],
        )
        self.assertEqual(Evaluation.history.filter(critere_id=critere.pk).count(), 4)


@skipUnless(connection.vendor == "postgresql", "needs concurrent transactions")
class ConcurrentOneStatementSaveTests(TransactionTestCase):
    def test_simultaneous_saves_are_serialised_by_the_enrolment_s_lock(self) -> None:
        """The htmx save (``evaluation_save``, one round trip): double clicks of
        two evaluators at the same instant. Each save reads after the enrolment's
        lock: the second click of each evaluator sees the first, and its history
        row says it changed a result (« ~ »)."""
        session = make_session(
            make_referentiel(small_data(blocs=1, criteres=2)), statut="en_evaluation"
        )
        inscription = make_inscription(make_candidat("c@test.localhost"), session)
        m1 = make_membre(session, "m1@test.localhost")
        m2 = make_membre(session, "m2@test.localhost")
        make_affectation(m1, inscription)
        make_affectation(m2, inscription)
        critere = criteres_of(inscription)[0]
        saves = [
            (m1.user, "acquis"),
            (m1.user, "acquis"),
            (m2.user, "non_acquis"),
            (m2.user, "non_acquis"),
        ]
        barrier = threading.Barrier(len(saves))
        errors: list[BaseException] = []
        progressions: list[tuple[str, int, int]] = []

        def save(user, resultat) -> None:  # type: ignore[no-untyped-def]
            try:
                barrier.wait(timeout=10)
                saisie = evaluation_save(
                    by=user,
                    inscription_id=inscription.pk,
                    critere_id=critere.pk,
                    resultat=resultat,
                )
                assert saisie is not None
                progressions.append(
                    (
                        user.email,
                        saisie.progression.nb_evalues,
                        saisie.progression.nb_criteres,
                    )
                )
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=s) for s in saves]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(
            sorted(
                Evaluation.objects.filter(critere=critere).values_list(
                    "affectation__membre__user__email", "resultat"
                )
            ),
            [("m1@test.localhost", "acquis"), ("m2@test.localhost", "non_acquis")],
        )
        self.assertEqual(
            sorted(
                Evaluation.history.values_list(
                    "history_user__email", "resultat", "history_type"
                )
            ),
            [
                ("m1@test.localhost", "acquis", "+"),
                ("m1@test.localhost", "acquis", "~"),
                ("m2@test.localhost", "non_acquis", "+"),
                ("m2@test.localhost", "non_acquis", "~"),
            ],
        )
        self.assertEqual(
            sorted(progressions),
            [
                ("m1@test.localhost", 1, 2),
                ("m1@test.localhost", 1, 2),
                ("m2@test.localhost", 1, 2),
                ("m2@test.localhost", 1, 2),
            ],
        )

    def test_save_waiting_behind_the_validation_is_refused_after_it(self) -> None:
        """The validation holds the enrolment's lock; the save that waited for it
        reads the validation once it gets the lock (its state is read by a
        statement sent after the lock), answers « validated » and writes
        nothing."""
        session = make_session(
            make_referentiel(small_data(blocs=1, criteres=2)), statut="en_evaluation"
        )
        inscription = make_inscription(make_candidat("c@test.localhost"), session)
        m1 = make_membre(session, "m1@test.localhost")
        affectation = make_affectation(m1, inscription)
        critere = criteres_of(inscription)[0]
        score(affectation)
        validated = threading.Event()
        release = threading.Event()
        errors: list[BaseException] = []
        refus: list[str] = []

        def validate() -> None:
            try:
                with transaction.atomic():
                    affectation_validate(
                        affectation=Affectation.objects.get(pk=affectation.pk),
                        by=m1.user,
                    )
                    validated.set()
                    release.wait(timeout=30)
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                validated.set()
                connection.close()

        def save() -> None:
            try:
                evaluation_save(
                    by=m1.user,
                    inscription_id=inscription.pk,
                    critere_id=critere.pk,
                    resultat="non_acquis",
                )
            except EvaluationValideeError as exc:
                refus.append(str(exc))
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        validator = threading.Thread(target=validate)
        validator.start()
        self.assertIs(validated.wait(timeout=30), True)
        saver = threading.Thread(target=save)
        saver.start()
        deadline = time.monotonic() + 30
        while _waiting_on_a_lock() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        waiting = _waiting_on_a_lock()
        release.set()
        validator.join(timeout=30)
        saver.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(waiting, 1)
        self.assertEqual(
            refus,
            ["Vous avez validé votre évaluation de ce candidat : elle ne change plus."],
        )
        self.assertEqual(Evaluation.objects.get(critere=critere).resultat, "acquis")
        self.assertIs(Evaluation.history.exists(), False)


def _waiting_on_a_lock() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])
