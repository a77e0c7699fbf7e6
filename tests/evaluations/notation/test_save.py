"""``evaluation_save``, the htmx save of one criterion: on PostgreSQL one round
trip (the enrolment's row lock, then one statement for the checks, the result, its
history row and the progress), elsewhere ``affectation_for_save`` then
``evaluation_record``. Every case runs through both paths (the fallback with the
database vendor set to another one) and must give the same answer and the same
rows."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from unittest import mock, skipUnless

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from certif.models import User
from certif.roles import Role
from evaluations.deliberation.models import Deliberation
from evaluations.jury.models import Affectation, ConflitInterets
from evaluations.notation import services
from evaluations.notation.models import Evaluation
from evaluations.notation.services import (
    EvaluationSaisie,
    EvaluationValideeError,
    Progression,
    evaluation_save,
)
from evaluations.sessions.models import Inscription, Session
from evaluations.sessions.verrou import (
    DeliberationVerrouilleeError,
    InscriptionDesisteeError,
    InscriptionReporteeError,
)
from referentiel.models import Critere
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
)
from tests.handicap.factories import grant_exemption

POSTGRESQL = connection.vendor == "postgresql"
VERROU = "La délibération de ce candidat est votée et verrouillée"


@contextmanager
def fallback() -> Iterator[None]:
    """Take the path of a database other than PostgreSQL."""
    with mock.patch.object(connection, "vendor", "sqlite"):
        yield


def paths() -> list[str]:
    return ["une requête", "repli"] if POSTGRESQL else ["repli"]


@frozen()
class EvaluationSaveTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        referentiel = make_referentiel()
        cls.session = make_session(referentiel, statut="en_evaluation")
        cls.inscription = make_inscription(
            make_candidat("c@test.localhost"), cls.session
        )
        cls.president = make_membre(cls.session, "p@test.localhost", president=True)
        cls.m1 = make_membre(cls.session, "m1@test.localhost")
        cls.m2 = make_membre(cls.session, "m2@test.localhost")  # not assigned
        cls.m3 = make_membre(cls.session, "m3@test.localhost")  # in conflict
        cls.a1 = make_affectation(cls.m1, cls.inscription)
        make_affectation(cls.president, cls.inscription)
        make_affectation(cls.m3, cls.inscription)
        ConflitInterets.objects.create(
            membre=cls.m3, inscription=cls.inscription, nature="famille"
        )
        cls.criteres = criteres_of(cls.inscription)
        cls.referent = make_user("referent@test.localhost", Role.REFERENT_HANDICAP)
        cls.later = make_session(referentiel, nom="Session suivante")

    def save(self, path: str, critere: Critere, resultat: str = "acquis", **kw: Any):  # type: ignore[no-untyped-def]
        arguments = {
            "by": self.m1.user,
            "inscription_id": self.inscription.pk,
            "critere_id": critere.pk,
            "resultat": resultat,
        } | kw
        if path == "repli":
            with fallback():
                return evaluation_save(**arguments)
        return evaluation_save(**arguments)

    def rows(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        return (
            sorted(
                Evaluation.objects.values_list(
                    "affectation_id",
                    "critere_id",
                    "resultat",
                    "commentaire",
                    "modifie_le",
                )
            ),
            sorted(
                Evaluation.history.values_list(
                    "id",
                    "affectation_id",
                    "critere_id",
                    "resultat",
                    "commentaire",
                    "modifie_le",
                    "history_date",
                    "history_type",
                    "history_user__email",
                    "history_change_reason",
                )
            ),
        )

    def test_records_the_result_its_history_and_the_progress(self) -> None:
        critere = self.criteres[5]
        for path in paths():
            with self.subTest(path=path):
                Evaluation.objects.all().delete()
                Evaluation.history.all().delete()
                score(self.a1, criteres=self.criteres[:2])
                saisie = self.save(
                    path, critere, "non_acquis", commentaire=" à revoir "
                )
                assert saisie is not None
                evaluation = Evaluation.objects.get(critere=critere)
                self.assertEqual(
                    (
                        saisie.evaluation.pk,
                        saisie.evaluation.affectation.pk,
                        saisie.evaluation.affectation.inscription_id,
                        saisie.evaluation.critere_id,
                        saisie.evaluation.resultat,
                        saisie.evaluation.commentaire,
                        saisie.evaluation.modifie_le,
                        saisie.progression,
                    ),
                    (
                        evaluation.pk,
                        self.a1.pk,
                        self.inscription.pk,
                        critere.pk,
                        "non_acquis",
                        "à revoir",
                        clock.NOW,
                        Progression(nb_evalues=3, nb_criteres=71),
                    ),
                )
                saisie = self.save(path, critere, "acquis")
                assert saisie is not None
                self.assertEqual(saisie.progression, Progression(3, 71))
                self.assertEqual(
                    self.rows(),
                    (
                        sorted(
                            [
                                (self.a1.pk, c.pk, "acquis", "", clock.NOW)
                                for c in self.criteres[:2]
                            ]
                            + [(self.a1.pk, critere.pk, "acquis", "", clock.NOW)]
                        ),
                        sorted(
                            [
                                (
                                    evaluation.pk,
                                    self.a1.pk,
                                    critere.pk,
                                    "non_acquis",
                                    "à revoir",
                                    clock.NOW,
                                    clock.NOW,
                                    "+",
                                    "m1@test.localhost",
                                    None,
                                ),
                                (
                                    evaluation.pk,
                                    self.a1.pk,
                                    critere.pk,
                                    "acquis",
                                    "",
                                    clock.NOW,
                                    clock.NOW,
                                    "~",
                                    "m1@test.localhost",
                                    None,
                                ),
                            ]
                        ),
                    ),
                )

    def test_last_criterion_completes_the_progress(self) -> None:
        critere = self.criteres[-1]
        score(self.a1, criteres=self.criteres[:-1])
        for path in paths():
            with self.subTest(path=path):
                saisie = self.save(path, critere)
                assert saisie is not None
                self.assertEqual(saisie.progression, Progression(71, 71))
                self.assertIs(saisie.progression.complete, True)

    def test_outsiders_get_none_and_nothing_is_written(self) -> None:
        candidat = self.inscription.candidat.user
        for path in paths():
            for user in (self.m2.user, self.m3.user, candidat, self.referent):
                with self.subTest(path=path, user=user.email):
                    self.assertIsNone(self.save(path, self.criteres[0], by=user))
            with self.subTest(path=path, inscription="inconnue"):
                self.assertIsNone(
                    self.save(path, self.criteres[0], inscription_id=999_999)
                )
        self.assertEqual(self.rows(), ([], []))

    def assert_refused(
        self, exception: type[Exception], message: str, critere: Critere | None = None
    ) -> list[Exception]:
        """Every path raises ``exception`` with ``message`` and writes nothing."""
        raised = []
        before = self.rows()
        for path in paths():
            with self.subTest(path=path), self.assertRaises(exception) as caught:
                self.save(path, critere or self.criteres[0])
            if isinstance(caught.exception, ValidationError):
                self.assertEqual(caught.exception.messages, [message])
            else:
                self.assertEqual(str(caught.exception), message)
            raised.append(caught.exception)
        self.assertEqual(self.rows(), before)
        return raised

    def test_validated_evaluation_is_refused(self) -> None:
        score(self.a1, criteres=self.criteres[:1], resultat="non_acquis")
        Affectation.objects.filter(pk=self.a1.pk).update(validee_le=clock.NOW)
        self.assert_refused(
            EvaluationValideeError,
            "Vous avez validé votre évaluation de ce candidat : elle ne change plus.",
        )

    def test_locked_enrolment_is_refused_with_the_enrolment(self) -> None:
        Deliberation.objects.create(
            inscription=self.inscription,
            decision="certifie",
            motif="Vote.",
            verrouillee=True,
            decidee_le=clock.NOW,
            decidee_par=self.president.user,
        )
        # Locked and validated: the lock answers first, as in evaluation_record.
        Affectation.objects.filter(pk=self.a1.pk).update(validee_le=clock.NOW)
        for exc in self.assert_refused(
            DeliberationVerrouilleeError,
            f"{VERROU} : plus aucune modification n'est possible. Le président du "
            "jury peut la rouvrir en indiquant le motif.",
        ):
            assert isinstance(exc, DeliberationVerrouilleeError)
            assert exc.inscription is not None
            self.assertEqual(exc.inscription.pk, self.inscription.pk)

    def test_reopened_deliberation_lets_the_save_through(self) -> None:
        Deliberation.objects.create(
            inscription=self.inscription,
            decision="certifie",
            motif="Vote.",
            verrouillee=False,
            decidee_le=clock.NOW,
            decidee_par=self.president.user,
        )
        for path in paths():
            with self.subTest(path=path):
                self.assertIsInstance(
                    self.save(path, self.criteres[0]), EvaluationSaisie
                )

    def test_withdrawn_enrolment_is_refused(self) -> None:
        Inscription.objects.filter(pk=self.inscription.pk).update(
            desiste_le=date(2026, 3, 10), desistement_motif="Raisons personnelles."
        )
        self.assert_refused(
            InscriptionDesisteeError,
            "Le candidat s'est désisté le 10/03/2026 : plus aucune évaluation, "
            "dispense ni décision n'est enregistrée pour cette inscription.",
        )

    def test_deferred_enrolment_is_refused(self) -> None:
        nouvelle = make_inscription(self.inscription.candidat, self.later)
        Inscription.objects.filter(pk=self.inscription.pk).update(
            reportee_vers=nouvelle, report_motif="Hospitalisation."
        )
        self.assert_refused(
            InscriptionReporteeError,
            "Cette inscription est reportée à une session ultérieure : le "
            "candidat y est évalué, plus ici.",
        )

    def test_session_out_of_evaluation_is_refused(self) -> None:
        Session.objects.filter(pk=self.session.pk).update(statut="ouverte")
        self.assert_refused(
            ValidationError,
            "La session « Session de test » n'est pas en évaluation : la notation "
            "est fermée.",
        )

    def test_criterion_outside_the_path_is_refused(self) -> None:
        Inscription.blocs.through.objects.filter(
            inscription=self.inscription, bloc__code="A1"
        ).delete()
        hors = next(c for c in self.criteres if c not in criteres_of(self.inscription))
        self.assert_refused(
            ValidationError,
            "Ce critère ne fait pas partie du parcours évalué de ce candidat.",
            hors,
        )

    def test_unknown_criterion_is_refused(self) -> None:
        self.assert_refused(
            ValidationError,
            "Ce critère ne fait pas partie du parcours évalué de ce candidat.",
            Critere(pk=999_999),
        )

    def test_bad_values_are_refused(self) -> None:
        for path in paths():
            for kw, message in [
                ({"resultat": "peut-etre"}, "Choisissez « Acquis » ou « Non acquis »."),
                (
                    {"commentaire": "x" * 2001},
                    "Le commentaire dépasse 2000 caractères : raccourcissez-le.",
                ),
            ]:
                with (
                    self.subTest(path=path, **kw),
                    self.assertRaisesMessage(ValidationError, message),
                ):
                    self.save(path, self.criteres[0], **({"resultat": "acquis"} | kw))
        self.assertEqual(self.rows(), ([], []))


@frozen()
class EvaluationSaveExemptionTests(TestCase):
    """A real exemption, granted through the handicap area's services; scores left
    on an exempted criterion and outside the path count as the member's page
    counts them (``progressions_for``)."""

    @classmethod
    def setUpTestData(cls) -> None:
        session = make_session(make_referentiel(), statut="en_evaluation")
        cls.inscription = make_inscription(make_candidat("c@test.localhost"), session)
        president = make_membre(session, "p@test.localhost", president=True)
        cls.m1 = make_membre(session, "m1@test.localhost")
        cls.a1 = make_affectation(cls.m1, cls.inscription)
        make_affectation(president, cls.inscription)
        cls.criteres = criteres_of(cls.inscription)
        grant_exemption(
            cls.inscription,
            cls.criteres[0],
            president=president.user,
            referent=make_user("referent@test.localhost", Role.REFERENT_HANDICAP),
        )

    def save(self, path: str, critere: Critere) -> EvaluationSaisie | None:
        arguments: dict[str, Any] = {
            "by": self.m1.user,
            "inscription_id": self.inscription.pk,
            "critere_id": critere.pk,
            "resultat": "acquis",
        }
        if path == "repli":
            with fallback():
                return evaluation_save(**arguments)
        return evaluation_save(**arguments)

    def test_exempted_criterion_is_refused(self) -> None:
        for path in paths():
            with (
                self.subTest(path=path),
                self.assertRaisesMessage(
                    ValidationError,
                    "Ce critère est dispensé pour ce candidat : il ne se note pas.",
                ),
            ):
                self.save(path, self.criteres[0])
        self.assertIs(Evaluation.objects.exists(), False)

    def test_progress_leaves_the_exempted_criterion_out(self) -> None:
        score(self.a1, criteres=[self.criteres[0], self.criteres[7]])
        for path in paths():
            with self.subTest(path=path):
                saisie = self.save(path, self.criteres[5])
                assert saisie is not None
                self.assertEqual(saisie.progression, Progression(2, 70))
                saisie = self.save(path, self.criteres[7])
                assert saisie is not None
                self.assertEqual(saisie.progression, Progression(2, 70))


@skipUnless(POSTGRESQL, "the one-statement path")
@frozen()
class EvaluationSavePreparedTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        session = make_session(make_referentiel(), statut="en_evaluation")
        cls.inscription = make_inscription(make_candidat("c@test.localhost"), session)
        cls.m1 = make_membre(session, "m1@test.localhost")
        make_affectation(cls.m1, cls.inscription)
        cls.critere = criteres_of(cls.inscription)[0]

    def save(self, user: User) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            evaluation_save(
                by=user,
                inscription_id=self.inscription.pk,
                critere_id=self.critere.pk,
                resultat="acquis",
            )
        return [q["sql"].split(" ", 2)[:2] for q in ctx.captured_queries]  # type: ignore[misc]

    def test_prepared_once_per_connection_by_its_first_save(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        services._prepared.discard(connection.connection)
        self.assertEqual(
            self.save(self.m1.user),
            [["PREPARE", "evaluation_save_lock"], ["EXECUTE", "evaluation_save_lock"]],
        )
        self.assertEqual(self.save(self.m1.user), [["EXECUTE", "evaluation_save_lock"]])
        # An outsider's save sends the same statement, which writes nothing.
        outsider = make_user("dehors@test.localhost")
        self.assertEqual(self.save(outsider), [["EXECUTE", "evaluation_save_lock"]])
        self.assertEqual(
            list(
                Evaluation.history.order_by("history_id").values_list(
                    "history_type", "history_user"
                )
            ),
            [("+", self.m1.user.pk), ("~", self.m1.user.pk)],
        )

    def test_statements_dropped_on_the_server_are_prepared_again(self) -> None:
        self.save(self.m1.user)
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        with (
            self.assertRaisesMessage(
                OperationalError,
                'prepared statement "evaluation_save_lock" does not exist',
            ),
            transaction.atomic(),
        ):
            self.save(self.m1.user)
        self.assertEqual(
            self.save(self.m1.user),
            [["PREPARE", "evaluation_save_lock"], ["EXECUTE", "evaluation_save_lock"]],
        )
        self.assertEqual(
            list(Evaluation.history.order_by("history_id").values_list("history_type")),
            [("+",), ("~",)],
        )
