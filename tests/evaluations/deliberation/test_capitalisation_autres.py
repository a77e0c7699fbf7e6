"""A bloc acquired in one session (vote locked) is « capitalisé » in the person's
other open enrolments on the same certification: left out of the blocs evaluated
there (no deposit asked, out of the grids); a re-vote that no longer validates it
gives it back to an enrolment on the whole certification."""

from evaluations.deliberation.services import deliberation_record, deliberation_reopen
from evaluations.notation.models import Consolidation
from evaluations.notation.selectors import rollup_consolide_for
from evaluations.sessions.models import Inscription
from tests.evaluations.factories_jury import consolidate
from tests.evaluations.notation.test_consolidation import ConsolidationTestCase
from tests.factories import make_inscription, make_session


class CapitalisationAutresInscriptionsTests(ConsolidationTestCase):
    def setUp(self) -> None:
        # The same person, enrolled on the whole certification in a later session
        # (Hugo Leroy's winter enrolment).
        self.hiver = make_inscription(
            self.candidat, make_session(self.referentiel, nom="Hiver")
        )
        consolidate(self.inscription, self.president.user)
        Consolidation.objects.filter(
            inscription=self.inscription, critere__code="C2.1.2"
        ).update(resultat="non_acquis")

    def blocs_hiver(self) -> list[str]:
        return sorted(
            Inscription.objects.get(pk=self.hiver.pk).blocs.values_list(
                "code", flat=True
            )
        )

    def voter(self, **kwargs: object) -> None:
        deliberation_record(
            inscription=self.inscription,
            motif="Vote.",
            presents=[self.president, self.m1],
            by=self.president.user,
            **kwargs,  # type: ignore[arg-type]
        )

    def test_acquired_bloc_leaves_the_other_enrolment_and_comes_back(self) -> None:
        self.assertEqual(self.blocs_hiver(), ["B1", "B2"])
        self.voter()  # B1 validated
        self.assertEqual(self.blocs_hiver(), ["B2"])
        hiver = Inscription.objects.get(pk=self.hiver.pk)
        self.assertEqual(
            {
                b.code: str(b.statut)
                for b in rollup_consolide_for(inscription=hiver).blocs
            },
            {"B1": "capitalise", "B2": "incomplet"},
        )
        # Re-opened and voted otherwise: B1 is no longer acquired.
        deliberation_reopen(
            deliberation=self.inscription.deliberation,
            motif="Erreur de saisie.",
            by=self.president.user,
        )
        self.voter(blocs_decides=[], motif_ecart="Fraude constatée sur B1.")
        self.assertEqual(self.blocs_hiver(), ["B1", "B2"])

    def test_history_keeps_the_change(self) -> None:
        self.voter()
        dernier = Inscription.history.filter(id=self.hiver.pk).latest("history_date")
        self.assertEqual(dernier.history_user, self.president.user)
