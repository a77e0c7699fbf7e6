"""The demo step of the handicap app (one decided request whose avis proposes an
exemption) and the jury's demo decision on it: idempotent, skipped when the
sessions' demo data is missing."""

from django.test import TestCase

from certif.roles import Role
from evaluations.demo import demo_dispense
from handicap.demo import demo_handicap
from handicap.models import DemandeAmenagement, Dispense
from handicap.selectors import criteres_dispenses_for
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
)
from tests.handicap.factories import make_membre


class DemoTests(TestCase):
    def test_skipped_without_the_session(self) -> None:
        lines: list[str] = []
        demo_handicap(lines.append)
        self.assertEqual(
            lines,
            [
                "Handicap : pas d'inscription de candidat2@certif.localhost à "
                "« Session d'hiver 2026 », ignoré"
            ],
        )
        self.assertEqual(DemandeAmenagement.objects.count(), 0)

    def test_decided_request_and_exemption_idempotent(self) -> None:
        session = make_session(make_referentiel(), nom="Session d'hiver 2026")
        cand = make_candidat("candidat2@certif.localhost", nom="Leroy", prenom="Hugo")
        inscription = make_inscription(cand, session)
        referent = make_user("referent@certif.localhost", Role.REFERENT_HANDICAP)
        president = make_user("president@certif.localhost", Role.PRESIDENT)
        make_membre(session, president, president=True)
        # The jury sits to decide an exemption: quorum of two.
        make_membre(session, make_user("jury1@certif.localhost", Role.MEMBRE_JURY))
        lines: list[str] = []
        with self.captureOnCommitCallbacks(execute=True):
            demo_handicap(lines.append)
            demo_dispense(lines.append)
        self.assertEqual(
            lines,
            [
                "Handicap : demande d'aménagement de Hugo Leroy déposée",
                "Handicap : demande décidée (temps majoré, assistance d'un tiers)",
                "Jury : dispense du critère C1.5.2 accordée par le jury",
            ],
        )
        demande = DemandeAmenagement.objects.get()
        self.assertEqual(
            (demande.statut, demande.decidee_par, demande.pieces.count()),
            ("decidee", referent, 1),
        )
        self.assertEqual(
            list(demande.amenagements.values_list("type", flat=True)),
            ["temps_majore", "assistance_tiers"],
        )
        dispense = Dispense.objects.get()
        self.assertEqual(
            dispense.critere.intitule,
            "Les éléments de langage utilisés respectent les codes professionnels.",
        )
        self.assertEqual((dispense.accordee, dispense.decide_par), (True, president))
        self.assertEqual(
            criteres_dispenses_for(inscription_ids=[inscription.pk]),
            {inscription.pk: {dispense.critere_id}},
        )
        lines.clear()
        demo_handicap(lines.append)
        demo_dispense(lines.append)
        self.assertEqual(
            lines,
            [
                "Handicap : demande de Hugo Leroy inchangée",
                "Jury : dispense inchangée",
            ],
        )
        self.assertEqual(Dispense.objects.count(), 1)
