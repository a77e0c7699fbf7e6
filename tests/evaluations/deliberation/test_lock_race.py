"""The vote and the writes it must stop, with real concurrent transactions
(PostgreSQL, one connection per thread): every write that waited behind the vote
for the enrolment's lock sees the vote once it gets the lock, answers 409, stores
nothing, and leaves a line in the enrolment's history."""

import threading
import time
from typing import Any
from unittest import skipUnless

from django.db import connection, connections, transaction
from django.test import Client, TransactionTestCase
from django.urls import reverse

from certif.roles import Role
from evaluations.deliberation.models import Deliberation
from evaluations.deliberation.selectors import historique_for
from evaluations.deliberation.services import deliberation_record
from evaluations.jury.models import Affectation
from evaluations.notation.models import Consolidation, Evaluation
from evaluations.notation.services import derogation_validation_record
from evaluations.sessions.models import EcritureRefusee
from handicap.models import Dispense, PropositionDispense
from tests.evaluations.factories_jury import (
    consolidate,
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
from tests.handicap.factories import make_decision, make_demande

VERROU = "La délibération de ce candidat est votée et verrouillée"


def _waiting_on_a_lock() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


@skipUnless(connection.vendor == "postgresql", "needs concurrent transactions")
class WritesBehindTheVoteTests(TransactionTestCase):
    def setUp(self) -> None:
        session = make_session(
            make_referentiel(small_data(blocs=1, criteres=2)), statut="en_evaluation"
        )
        self.inscription = make_inscription(make_candidat("c@test.localhost"), session)
        self.president = make_membre(session, "p@test.localhost", president=True)
        self.m1 = make_membre(session, "m1@test.localhost")
        self.m2 = make_membre(session, "m2@test.localhost")
        self.a1 = make_affectation(self.m1, self.inscription)
        # Assigned, nothing scored: withdrawable but for the lock.
        self.a2 = make_affectation(self.m2, self.inscription)
        self.criteres = criteres_of(self.inscription)
        score(self.a1)
        # Neither grid is validated (the validation is one of the attempts): the
        # president records why the jury goes on without them.
        for affectation in (self.a1, self.a2):
            derogation_validation_record(
                affectation=affectation,
                motif="Évaluateur remplacé.",
                by=self.president.user,
            )
        consolidate(self.inscription, self.president.user)
        referent = make_user("referent@test.localhost", Role.REFERENT_HANDICAP)
        make_decision(
            make_demande(self.inscription), referent, propositions=self.criteres[:1]
        )
        self.proposition = PropositionDispense.objects.get()
        self.admin = make_user("admin@test.localhost", Role.ADMINISTRATEUR)

    def client_for(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def attempts(self) -> list[tuple[str, Client, str, dict[str, Any], dict[str, str]]]:
        c1 = self.criteres[0]
        version = Consolidation.objects.get(critere=c1).version
        prefix = f"p{self.proposition.pk}"
        pk = self.inscription.pk
        m1 = self.client_for(self.m1.user)
        president = self.client_for(self.president.user)
        return [
            (
                "grille_critere",
                m1,
                reverse("evaluations:grille_critere", args=[pk, c1.pk]),
                {f"resultat-{c1.pk}": "non_acquis"},
                {"HTTP_HX_REQUEST": "true"},
            ),
            (
                "grille",
                self.client_for(self.m1.user),
                reverse("evaluations:grille", args=[pk]),
                {f"resultat-{c1.pk}": "non_acquis"},
                {},
            ),
            (
                "grille_valider",
                self.client_for(self.m1.user),
                reverse("evaluations:grille_valider", args=[pk]),
                {},
                {},
            ),
            (
                "consolidation",
                president,
                reverse("evaluations:consolidation", args=[pk]),
                {f"resultat-{c1.pk}": "non_acquis", f"version-{c1.pk}": version},
                {},
            ),
            (
                "deliberation",
                self.client_for(self.president.user),
                reverse("evaluations:deliberation", args=[pk]),
                {"motif": "Second vote.", "presents": [self.president.pk, self.m1.pk]},
                {},
            ),
            (
                "dispense_decider",
                self.client_for(self.president.user),
                reverse("evaluations:dispense_decider", args=[self.proposition.pk]),
                {
                    f"{prefix}-decision": "accorder",
                    f"{prefix}-condition_capacite_globale": "on",
                    f"{prefix}-condition_pratique_future": "on",
                    f"{prefix}-raisonnement": "Raisonnement du jury.",
                    f"{prefix}-presents": [self.president.pk, self.m1.pk],
                },
                {},
            ),
            (
                "jury",
                self.client_for(self.admin),
                reverse("evaluations:jury_affectation_retirer", args=[self.a2.pk]),
                {},
                {},
            ),
        ]

    def state(self) -> tuple[Any, ...]:
        return (
            sorted(Evaluation.objects.values_list("critere_id", "resultat")),
            Evaluation.history.count(),
            sorted(
                Consolidation.objects.values_list("critere_id", "resultat", "version")
            ),
            list(Affectation.objects.order_by("pk").values_list("pk", "validee_le")),
            Dispense.objects.count(),
            list(Deliberation.objects.values_list("motif", "verrouillee")),
        )

    def test_writes_waiting_behind_the_vote_are_refused_after_it(self) -> None:
        attempts = self.attempts()
        voted = threading.Event()
        release = threading.Event()
        errors: list[BaseException] = []
        responses: dict[str, Any] = {}

        def vote() -> None:
            try:
                with transaction.atomic():
                    deliberation_record(
                        inscription=self.inscription,
                        motif="Dossier solide.",
                        presents=[self.president, self.m1],
                        by=self.president.user,
                    )
                    voted.set()
                    # Hold the enrolment's lock until every writer waits for it.
                    release.wait(timeout=30)
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                voted.set()
                connection.close()

        def write(name: str, client: Client, url: str, data: Any, extra: Any) -> None:
            try:
                responses[name] = client.post(url, data, **extra)
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        voter = threading.Thread(target=vote)
        voter.start()
        self.assertIs(voted.wait(timeout=30), True)
        writers = [threading.Thread(target=write, args=a) for a in attempts]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 30
        while _waiting_on_a_lock() < len(writers) and time.monotonic() < deadline:
            time.sleep(0.05)
        waiting = _waiting_on_a_lock()
        release.set()
        voter.join(timeout=30)
        for writer in writers:
            writer.join(timeout=30)
        self.assertEqual(errors, [])
        # Every writer was waiting for the vote's lock, none got through before.
        self.assertEqual(waiting, len(writers))

        self.assertEqual(
            self.state(),
            (
                sorted((c.pk, "acquis") for c in self.criteres),
                0,
                sorted((c.pk, "acquis", 1) for c in self.criteres),
                [(self.a1.pk, None), (self.a2.pk, None)],
                0,
                [("Dossier solide.", True)],
            ),
        )
        statuses = {name: r.status_code for name, r in responses.items()}
        self.assertEqual(
            statuses,
            {
                "grille_critere": 409,
                "grille": 409,
                "grille_valider": 409,
                "consolidation": 409,
                "deliberation": 409,
                "dispense_decider": 409,
                # The jury desk answers with its page and the message.
                "jury": 302,
            },
        )
        for name, response in responses.items():
            if name != "jury":
                self.assertContains(response, VERROU, status_code=409)
        self.assertEqual(
            sorted(
                EcritureRefusee.objects.values_list(
                    "inscription_id", "action", "par__email"
                )
            ),
            sorted(
                [
                    (self.inscription.pk, "consolidation", "p@test.localhost"),
                    (self.inscription.pk, "deliberation", "p@test.localhost"),
                    (self.inscription.pk, "dispense_decider", "p@test.localhost"),
                    (self.inscription.pk, "grille", "m1@test.localhost"),
                    (self.inscription.pk, "grille_critere", "m1@test.localhost"),
                    (self.inscription.pk, "grille_valider", "m1@test.localhost"),
                    (self.inscription.pk, "jury", "admin@test.localhost"),
                ]
            ),
        )
        refus = [
            e.apres
            for e in historique_for(inscription=self.inscription)
            if e.objet == "Écriture refusée (délibération verrouillée)"
        ]
        self.assertEqual(
            sorted(refus),
            [
                "Changement des évaluateurs",
                "Consolidation",
                "Décision sur une dispense",
                "Enregistrement d'un critère de la grille",
                "Enregistrement de la grille",
                "Validation d'une évaluation",
                "Vote de la délibération",
            ],
        )
