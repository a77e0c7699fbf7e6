"""Blocs acquired by a person count for the certification they were acquired in,
and only for it: two certifications that both have a bloc « B1 » must not lend
each other their blocs. Checked through every reader of acquired blocs: the grid,
the consolidation, the vote and the relevé."""

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from evaluations.deliberation.services import deliberation_record
from evaluations.documents.snapshots import inscription_snapshots
from evaluations.sessions.models import BlocAcquis
from evaluations.sessions.selectors import blocs_acquis_for
from tests.evaluations.factories_jury import (
    consolidate,
    make_affectation,
    make_membre,
)
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    small_data,
)


def _certification(code: str) -> dict:
    data = small_data(blocs=2, criteres=2)
    data["certification"]["code"] = code
    data["certification"]["intitule"] = f"Certification {code}"
    return data


class CapitalisationAcrossCertificationsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.autre = make_referentiel(_certification("RNCP11111"))
        cls.visee = make_referentiel(_certification("RNCP22222"))
        cls.candidat = make_candidat("lea@test.fr", nom="Petit", prenom="Léa")
        # B1 acquired in the other certification, in an earlier session.
        ancienne = make_session(cls.autre, nom="Autre certification", statut="close")
        ancienne_inscription = make_inscription(cls.candidat, ancienne)
        BlocAcquis.objects.create(
            candidat=cls.candidat,
            bloc=cls.autre.blocs.get(code="B1"),
            session=ancienne,
            inscription=ancienne_inscription,
            acquis_le=timezone.localdate(),
        )
        cls.session = make_session(cls.visee, statut="en_evaluation")
        cls.inscription = make_inscription(cls.candidat, cls.session, blocs=["B2"])
        cls.president = make_membre(cls.session, "pres@test.fr", president=True)
        cls.membre = make_membre(cls.session, "membre@test.fr")
        cls.affectation = make_affectation(cls.membre, cls.inscription, validee=True)

    def test_the_selector_keeps_each_certification_apart(self) -> None:
        self.assertEqual(
            blocs_acquis_for(
                candidat_ids=[self.candidat.pk], referentiel_id=self.visee.pk
            ),
            {},
        )
        acquis = blocs_acquis_for(
            candidat_ids=[self.candidat.pk], referentiel_id=self.autre.pk
        )
        self.assertEqual(list(acquis[self.candidat.pk]), ["B1"])

    def test_grid_does_not_propose_a_certification(self) -> None:
        self.client.force_login(self.membre.user)
        response = self.client.get(
            reverse("evaluations:grille", args=[self.inscription.pk])
        )
        self.assertEqual(response.status_code, 200)
        rollup = response.context["grille"].rollup
        self.assertEqual(rollup.decision_proposee, None)
        self.assertEqual(
            {b.code: str(b.statut) for b in rollup.blocs},
            {"B1": "non_presente", "B2": "incomplet"},
        )

    def test_consolidation_and_vote_give_a_partial_validation(self) -> None:
        consolidate(self.inscription, self.president.user)
        self.client.force_login(self.president.user)
        response = self.client.get(
            reverse("evaluations:consolidation", args=[self.inscription.pk])
        )
        self.assertEqual(
            response.context["table"].rollup.decision_proposee, "validation_partielle"
        )
        deliberation = deliberation_record(
            inscription=self.inscription,
            motif="B2 validé.",
            presents=[self.president, self.membre],
            by=self.president.user,
        )
        self.assertEqual(deliberation.decision, "validation_partielle")
        self.assertEqual(
            list(deliberation.blocs_valides.values_list("code", flat=True)), ["B2"]
        )

    def test_releve_does_not_list_the_other_certifications_bloc(self) -> None:
        consolidate(self.inscription, self.president.user)
        deliberation_record(
            inscription=self.inscription,
            motif="B2 validé.",
            presents=[self.president, self.membre],
            by=self.president.user,
        )
        snapshots = inscription_snapshots(inscription_id=self.inscription.pk)
        self.assertEqual(
            [(b.code, b.statut) for b in snapshots.releve.blocs],
            [("B1", "non_presente"), ("B2", "valide")],
        )
        self.assertEqual(snapshots.parchemin, None)
