"""The roll-up as a pure function: a table of cases and properties."""

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.notation.rollup import (
    BlocSpec,
    BlocStatut,
    CertificationStatut,
    CompetenceResult,
    CompetenceSpec,
    CompetenceStatut,
    Decision,
    Rollup,
    RollupInput,
    rollup,
)

# Two blocs: A1 (C1.1: criteria 1-3, C1.2: 4-5), A2 (C2.1: criteria 6-9).
BLOCS = (
    BlocSpec("A1", (CompetenceSpec("C1.1", (1, 2, 3)), CompetenceSpec("C1.2", (4, 5)))),
    BlocSpec("A2", (CompetenceSpec("C2.1", (6, 7, 8, 9)),)),
)
TOUS = range(1, 10)
PARCOURS_COMPLET = frozenset({"A1", "A2"})


def acquis(
    *ids: int, sauf: dict[int, str | None] | None = None
) -> dict[int, str | None]:
    resultats: dict[int, str | None] = dict.fromkeys(ids or TOUS, "acquis")
    resultats.update(sauf or {})
    return resultats


def competence(r: Rollup, code: str) -> CompetenceResult:
    result = r.competence(code)
    assert result is not None, code
    return result


class RollupCasesTests(SimpleTestCase):
    def test_all_acquired(self) -> None:
        r = rollup(RollupInput(BLOCS, acquis(), PARCOURS_COMPLET))
        self.assertEqual(r.statut, CertificationStatut.OBTENUE)
        self.assertEqual(r.decision_proposee, Decision.CERTIFIE)
        self.assertEqual(r.blocs_valides, ("A1", "A2"))
        self.assertEqual(
            r.raison,
            "Certification obtenue : tous les blocs sont validés ou capitalisés.",
        )
        self.assertEqual(
            competence(r, "C1.1").raison,
            "C1.1 acquise : tous ses critères sont acquis.",
        )

    def test_one_criterion_missing(self) -> None:
        r = rollup(RollupInput(BLOCS, acquis(sauf={7: None}), PARCOURS_COMPLET))
        self.assertEqual(r.statut, CertificationStatut.INCOMPLETE)
        self.assertIsNone(r.decision_proposee)
        self.assertEqual(competence(r, "C2.1").statut, CompetenceStatut.INCOMPLETE)
        self.assertEqual(
            competence(r, "C2.1").raison, "C2.1 incomplète : critère 2 non évalué."
        )
        self.assertEqual(r.blocs[1].statut, BlocStatut.INCOMPLET)

    def test_one_criterion_non_acquis(self) -> None:
        r = rollup(RollupInput(BLOCS, acquis(sauf={9: "non_acquis"}), PARCOURS_COMPLET))
        self.assertEqual(r.statut, CertificationStatut.NON_OBTENUE)
        self.assertEqual(
            competence(r, "C2.1").raison, "C2.1 non acquise : critère 4 non acquis."
        )
        self.assertEqual(r.blocs[1].raison, "Bloc A2 non validé : C2.1 non acquise.")
        self.assertEqual(r.decision_proposee, Decision.VALIDATION_PARTIELLE)
        self.assertEqual(r.blocs_valides, ("A1",))

    def test_exemption(self) -> None:
        r = rollup(
            RollupInput(
                BLOCS,
                acquis(sauf={2: "non_acquis"}),
                PARCOURS_COMPLET,
                dispenses=frozenset({2}),
            )
        )
        self.assertEqual(r.statut, CertificationStatut.OBTENUE)
        self.assertEqual(
            competence(r, "C1.1").raison,
            "C1.1 acquise : tous ses critères non dispensés sont acquis "
            "(critère 2 dispensé).",
        )

    def test_capitalised_bloc(self) -> None:
        r = rollup(
            RollupInput(
                BLOCS,
                acquis(6, 7, 8, 9),
                frozenset({"A2"}),
                capitalises={"A1": "Session de printemps 2025"},
            )
        )
        self.assertEqual(r.statut, CertificationStatut.OBTENUE)
        self.assertEqual(r.blocs[0].statut, BlocStatut.CAPITALISE)
        self.assertEqual(
            r.blocs[0].raison, "Bloc A1 capitalisé (Session de printemps 2025)."
        )
        self.assertEqual(r.blocs_valides, ("A2",))
        self.assertEqual(r.decision_proposee, Decision.CERTIFIE)

    def test_blocs_only_path(self) -> None:
        r = rollup(RollupInput(BLOCS, acquis(6, 7, 8, 9), frozenset({"A2"})))
        self.assertEqual(r.statut, CertificationStatut.NON_OBTENUE)
        self.assertEqual(r.blocs[0].statut, BlocStatut.NON_PRESENTE)
        self.assertEqual(r.blocs[0].raison, "Bloc A1 non présenté dans cette session.")
        self.assertEqual(r.decision_proposee, Decision.VALIDATION_PARTIELLE)
        self.assertEqual(r.blocs_valides, ("A2",))

    def test_nothing_scored(self) -> None:
        r = rollup(RollupInput(BLOCS, {}, PARCOURS_COMPLET))
        self.assertEqual(r.statut, CertificationStatut.INCOMPLETE)
        self.assertEqual(
            r.raison, "Certification en attente : blocs incomplets A1, A2."
        )
        self.assertEqual(
            competence(r, "C1.2").raison,
            "C1.2 incomplète : critères 1, 2 non évalués.",
        )
        self.assertIsNone(r.decision_proposee)

    def test_all_non_acquis_is_non_valide(self) -> None:
        r = rollup(
            RollupInput(BLOCS, dict.fromkeys(TOUS, "non_acquis"), PARCOURS_COMPLET)
        )
        self.assertEqual(r.decision_proposee, Decision.NON_VALIDE)
        self.assertEqual(
            r.raison, "Certification non obtenue : blocs non acquis A1, A2."
        )

    def test_competency_with_all_criteria_exempted_is_acquired(self) -> None:
        """Decision (documented in evaluations/notation/rollup.py): the rule « all its
        non-exempted criteria are acquis » holds vacuously; the reason says so."""
        r = rollup(
            RollupInput(
                BLOCS, acquis(1, 2, 3, 6, 7, 8, 9), PARCOURS_COMPLET,
                dispenses=frozenset({4, 5}),
            )
        )  # fmt: skip
        self.assertEqual(competence(r, "C1.2").statut, CompetenceStatut.ACQUISE)
        self.assertEqual(
            competence(r, "C1.2").raison,
            "C1.2 acquise : tous ses critères sont dispensés.",
        )
        self.assertEqual(r.statut, CertificationStatut.OBTENUE)

    def test_reasons_list_certification_then_blocs_then_competencies(self) -> None:
        r = rollup(RollupInput(BLOCS, acquis(sauf={4: "non_acquis"}), PARCOURS_COMPLET))
        self.assertEqual(
            r.raisons,
            [
                "Certification non obtenue : blocs non acquis A1.",
                "Bloc A1 non validé : C1.2 non acquise.",
                "C1.1 acquise : tous ses critères sont acquis.",
                "C1.2 non acquise : critère 1 non acquis.",
                "Bloc A2 validé : toutes ses compétences sont acquises.",
                "C2.1 acquise : tous ses critères sont acquis.",
            ],
        )


valeurs = st.sampled_from(["acquis", "non_acquis", None])
resultats_st = st.fixed_dictionaries(dict.fromkeys(TOUS, valeurs))
sous_ensembles = st.frozensets(st.sampled_from(list(TOUS)))
parcours_st = st.frozensets(st.sampled_from(["A1", "A2"]))
capitalises_st = st.dictionaries(st.sampled_from(["A1", "A2"]), st.just("S0"))


class RollupPropertyTests(SimpleTestCase):
    @settings(max_examples=200, deadline=None)
    @given(
        resultats_st,
        sous_ensembles,
        parcours_st,
        capitalises_st,
        st.sampled_from(list(TOUS)),
    )
    def test_failing_a_criterion_never_acquires_a_failed_competency(
        self, resultats, dispenses, parcours, capitalises, critere
    ) -> None:
        avant = rollup(RollupInput(BLOCS, resultats, parcours, dispenses, capitalises))
        apres = rollup(
            RollupInput(
                BLOCS,
                {**resultats, critere: "non_acquis"},
                parcours,
                dispenses,
                capitalises,
            )
        )
        for bloc_avant, bloc_apres in zip(avant.blocs, apres.blocs, strict=True):
            for c_avant, c_apres in zip(
                bloc_avant.competences, bloc_apres.competences, strict=True
            ):
                if c_avant.statut != CompetenceStatut.ACQUISE:
                    self.assertNotEqual(c_apres.statut, CompetenceStatut.ACQUISE)
        if avant.statut != CertificationStatut.OBTENUE:
            self.assertNotEqual(apres.statut, CertificationStatut.OBTENUE)

    @settings(max_examples=200, deadline=None)
    @given(resultats_st, sous_ensembles, sous_ensembles, parcours_st, capitalises_st)
    def test_exempting_never_turns_acquired_into_not_acquired(
        self, resultats, dispenses, plus, parcours, capitalises
    ) -> None:
        avant = rollup(RollupInput(BLOCS, resultats, parcours, dispenses, capitalises))
        apres = rollup(
            RollupInput(BLOCS, resultats, parcours, dispenses | plus, capitalises)
        )
        for bloc_avant, bloc_apres in zip(avant.blocs, apres.blocs, strict=True):
            if bloc_avant.acquis:
                self.assertIs(bloc_apres.acquis, True)
            for c_avant, c_apres in zip(
                bloc_avant.competences, bloc_apres.competences, strict=True
            ):
                if c_avant.statut == CompetenceStatut.ACQUISE:
                    self.assertEqual(c_apres.statut, CompetenceStatut.ACQUISE)

    @settings(max_examples=300, deadline=None)
    @given(resultats_st, sous_ensembles, parcours_st, capitalises_st)
    def test_certification_iff_every_bloc_validated_or_capitalised(
        self, resultats, dispenses, parcours, capitalises
    ) -> None:
        r = rollup(RollupInput(BLOCS, resultats, parcours, dispenses, capitalises))
        tous = all(
            b.statut in {BlocStatut.VALIDE, BlocStatut.CAPITALISE} for b in r.blocs
        )
        self.assertEqual(r.statut == CertificationStatut.OBTENUE, tous)
        self.assertEqual(r.decision_proposee == Decision.CERTIFIE, tous)
        for bloc in r.blocs:
            if bloc.code in capitalises:
                self.assertEqual(bloc.statut, BlocStatut.CAPITALISE)
            elif bloc.code not in parcours:
                self.assertEqual(bloc.statut, BlocStatut.NON_PRESENTE)

    @settings(max_examples=200, deadline=None)
    @given(resultats_st, sous_ensembles)
    def test_competency_acquired_iff_all_non_exempted_acquis(
        self, resultats, dispenses
    ) -> None:
        r = rollup(RollupInput(BLOCS, resultats, PARCOURS_COMPLET, dispenses))
        for spec in (c for b in BLOCS for c in b.competences):
            attendu = all(
                resultats[i] == "acquis" for i in spec.criteres if i not in dispenses
            )
            self.assertEqual(
                competence(r, spec.code).statut == CompetenceStatut.ACQUISE, attendu
            )
