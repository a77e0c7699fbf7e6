"""The figures of the statistics page against the hand-counted world of
``factories.py``, the « < 5 » rule at its boundary, the scope of each role."""

from django.test import TestCase

from evaluations.statistiques.secret import MASQUE, SEUIL_SECRET, secret
from evaluations.statistiques.selectors import (
    Filtre,
    perimetre_statistiques,
    statistiques_of,
    tableau_of,
)
from evaluations.statistiques.services import statistiques_refresh
from handicap.models import Amenagement, DemandeAmenagement
from tests.evaluations.statistiques.factories import make_amenagements, make_world


class SecretTests(TestCase):
    def test_boundary(self) -> None:
        self.assertEqual(SEUIL_SECRET, 5)
        self.assertEqual(MASQUE, "< 5")
        self.assertEqual(secret(4), "< 5")
        self.assertEqual(secret(5), 5)
        self.assertEqual(secret(0), "< 5")
        self.assertEqual(secret(1), "< 5")
        self.assertEqual(secret(6), 6)

    def test_complement_boundary(self) -> None:
        # 5 of 9: the other 4 would be given away by a subtraction.
        self.assertEqual(secret(5, parmi=9), "< 5")
        self.assertEqual(secret(5, parmi=10), 5)
        self.assertEqual(secret(6, parmi=6), 6)
        self.assertEqual(secret(6, parmi=7), "< 5")
        self.assertEqual(secret(4, parmi=20), "< 5")


class StatistiquesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()

    def tableau(self, cle: str, filtre: Filtre | None = None, user=None):  # type: ignore[no-untyped-def]
        inscriptions = perimetre_statistiques(
            user=user or self.w.admin,
            filtre=filtre or Filtre(session=self.w.session.pk),
        )
        statistiques_refresh(perimetre=inscriptions)
        return tableau_of(inscriptions, cle=cle)

    def test_effectifs(self) -> None:
        tableau = self.tableau("effectifs")
        self.assertEqual(
            [ligne[1:] for ligne in tableau.lignes],
            [
                (10, 100.0),
                (7, 70.0),
                (4, 40.0),
                (2, 20.0),
                (1, 10.0),
                (1, 10.0),
                (1, 10.0),
                (0, 0.0),
                (1, 10.0),
            ],
        )
        self.assertEqual(tableau.lignes[0][0], "Inscrits")
        self.assertEqual(tableau.lignes[8][0], "En attente de décision")

    def test_voies(self) -> None:
        self.assertEqual(
            self.tableau("voies").lignes,
            (
                ("Formation initiale hors apprentissage", 0, 0, 0, 0, 0, 0, 0, None),
                ("Formation initiale en apprentissage", 1, 1, 1, 0, 0, 0, 0, 100.0),
                (
                    "Formation continue hors contrat de professionnalisation",
                    5, 4, 2, 2, 0, 1, 0, 50.0,
                ),
                (
                    "Formation continue en contrat de professionnalisation",
                    1, 0, 0, 0, 0, 0, 0, None,
                ),
                ("VAE", 2, 1, 1, 0, 0, 0, 1, 100.0),
                ("Équivalence de diplôme étranger", 0, 0, 0, 0, 0, 0, 0, None),
                ("Candidat libre", 1, 1, 0, 0, 1, 0, 0, 0.0),
                ("Ensemble", 10, 7, 4, 2, 1, 1, 1, 57.1),
            ),
        )  # fmt: skip

    def test_parcours(self) -> None:
        self.assertEqual(
            self.tableau("parcours").lignes,
            (
                ("Certification complète", 9, 6, 4, 2, 0, 1, 1, 66.7),
                ("Blocs de compétences (capitalisation)", 1, 1, 0, 0, 1, 0, 0, 0.0),
                ("Ensemble", 10, 7, 4, 2, 1, 1, 1, 57.1),
            ),
        )

    def test_blocs(self) -> None:
        self.assertEqual(
            self.tableau("blocs").lignes,
            (("B1", "Bloc 1", 6, 6, 100.0), ("B2", "Bloc 2", 7, 4, 57.1)),
        )

    def test_competences_and_criteres(self) -> None:
        self.assertEqual(
            self.tableau("competences").lignes,
            (
                ("C1.1", "Compétence 1", 6, 0, 0.0),
                ("C2.1", "Compétence 2", 7, 3, 42.9),
            ),
        )
        # The criteria that fail most first.
        self.assertEqual(
            self.tableau("criteres").lignes,
            (
                ("C2.1.1", "Critère 1.", 7, 3, 42.9),
                ("C2.1.2", "Critère 2.", 7, 1, 14.3),
                ("C1.1.1", "Critère 1.", 6, 0, 0.0),
                ("C1.1.2", "Critère 2.", 6, 0, 0.0),
            ),
        )

    def test_handicap_masked_below_five(self) -> None:
        tableau = self.tableau("handicap")
        self.assertIs(tableau.secret, True)
        self.assertEqual(
            tableau.lignes,
            (
                ("Demandes d'aménagement décidées", 5),
                ("Candidats avec au moins un aménagement", 5),
                ("Format adapté d'une modalité", "< 5"),
                ("Assistance d'un tiers", "< 5"),  # 4 people
                ("Supports et matériels adaptés", "< 5"),
                ("Temps majoré", 5),  # 5 people: shown
                ("Salle accessible aux personnes à mobilité réduite", "< 5"),
                ("Autre aménagement", "< 5"),
                ("Candidats avec au moins une dispense accordée", "< 5"),
                ("Candidats avec aménagement, certifiés", "< 5"),  # 4 people
            ),
        )

    def test_handicap_complement_masked(self) -> None:
        # p1 gets a third party's assistance too (5 people), p2 a « temps majoré »
        # only: 5 of the 6 people with an accommodation have an assistance, and
        # the 1 who has not would be given away by a subtraction.
        demande = DemandeAmenagement.objects.get(inscription=self.w.inscriptions["p1"])
        Amenagement.objects.create(
            demande=demande,
            type=Amenagement.Type.ASSISTANCE_TIERS,
            precision="Lecteur",
            description="Aménagement.",
            ordre=1,
        )
        make_amenagements(
            self.w.inscriptions["p2"], Amenagement.Type.TEMPS_MAJORE, by=self.w.admin
        )
        self.assertEqual(
            [ligne[1] for ligne in self.tableau("handicap").lignes],
            [6, 6, "< 5", "< 5", "< 5", 6, "< 5", "< 5", "< 5", "< 5"],
        )
        Amenagement.objects.create(
            demande=DemandeAmenagement.objects.get(
                inscription=self.w.inscriptions["p2"]
            ),
            type=Amenagement.Type.ASSISTANCE_TIERS,
            precision="Lecteur",
            description="Aménagement.",
            ordre=1,
        )
        # 6 of 6: nobody left out, the count shows.
        self.assertEqual(
            self.tableau("handicap").lignes[3], ("Assistance d'un tiers", 6)
        )

    def test_handicap_whole_scope_of_a_president_is_masked(self) -> None:
        tableau = self.tableau(
            "handicap", filtre=Filtre(), user=self.w.president_ancienne
        )
        self.assertEqual({ligne[1] for ligne in tableau.lignes}, {"< 5"})

    def test_delais(self) -> None:
        self.assertEqual(
            self.tableau("delais").lignes,
            (
                (
                    "De la date limite de dépôt à la décision du jury",
                    8,
                    15.0,
                    10.0,
                    20.0,
                ),
                ("De la décision du jury aux documents", 2, 4.0, 3.0, 5.0),
                (
                    "De la décision du jury à la déclaration à la Caisse des Dépôts",
                    2,
                    40.0,
                    30.0,
                    50.0,
                ),
            ),
        )

    def test_filters(self) -> None:
        def inscrits(filtre: Filtre) -> int:
            return self.tableau("effectifs", filtre=filtre).lignes[0][1]  # type: ignore[return-value]

        certification = self.w.referentiel.certification_id
        self.assertEqual(inscrits(Filtre()), 11)
        self.assertEqual(inscrits(Filtre(annee=2026)), 10)
        self.assertEqual(inscrits(Filtre(annee=2025)), 1)
        self.assertEqual(inscrits(Filtre(annee=2024)), 0)
        self.assertEqual(inscrits(Filtre(certification=certification)), 11)
        self.assertEqual(inscrits(Filtre(certification=certification + 1)), 0)
        self.assertEqual(inscrits(Filtre(referentiel=self.w.referentiel.pk)), 11)
        self.assertEqual(inscrits(Filtre(session=self.w.ancienne.pk)), 1)

    def test_scope_of_each_role(self) -> None:
        def inscrits(user) -> int:  # type: ignore[no-untyped-def]
            return self.tableau("effectifs", filtre=Filtre(), user=user).lignes[0][1]

        self.assertEqual(inscrits(self.w.admin), 11)
        self.assertEqual(inscrits(self.w.president), 10)
        self.assertEqual(inscrits(self.w.president_ancienne), 1)
        # A member who presides nothing, a candidate: nothing.
        self.assertEqual(inscrits(self.w.membre), 0)
        self.assertEqual(inscrits(self.w.inscriptions["c1"].candidat.user), 0)
        # A president filtering on a session he does not preside: nothing.
        self.assertEqual(
            self.tableau(
                "effectifs",
                filtre=Filtre(session=self.w.session.pk),
                user=self.w.president_ancienne,
            ).lignes[0][1],
            0,
        )

    def test_every_table_in_a_fixed_number_of_queries(self) -> None:
        for filtre in (Filtre(session=self.w.ancienne.pk), Filtre()):
            inscriptions = perimetre_statistiques(user=self.w.admin, filtre=filtre)
            # Outcomes, routes and paths share one query.
            with self.assertNumQueries(11):
                statistiques_of(inscriptions)
