"""The seed fixture is the complete, faithful transcription of the source."""

from collections import Counter

from django.test import TestCase

from referentiel.models import Activite, Bloc, Competence, Critere, Modalite
from tests.factories import make_referentiel, seed_data

EXPECTED_CRITERES = {
    "C1.1": 5, "C1.2": 2, "C1.3": 4, "C1.4": 6, "C1.5": 3,
    "C2.1": 7, "C2.2": 4, "C2.3": 3, "C2.4": 4,
    "C3.1": 4, "C3.2": 5, "C3.3": 3,
    "C4.1": 4, "C4.2": 4, "C4.3": 2, "C4.4": 4,
    "C5.1": 4, "C5.2": 3,
}  # fmt: skip

CAPITALISATION = (
    "Lorsqu'un candidat se présente uniquement sur un bloc de compétences "
    "(capitalisation de bloc), la modalité est amenée à évoluer. Dans ce cadre, le "
    "candidat doit présenter un « dossier professionnel » reprenant l'ensemble des "
    "éléments précités. Les critères restent les mêmes."
)


class FixtureTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel()

    def test_counts(self) -> None:
        r = self.referentiel
        self.assertEqual(Bloc.objects.filter(referentiel=r).count(), 5)
        self.assertEqual(Activite.objects.filter(referentiel=r).count(), 12)
        self.assertEqual(Competence.objects.filter(referentiel=r).count(), 18)
        self.assertEqual(Modalite.objects.filter(competence__referentiel=r).count(), 18)
        self.assertEqual(Critere.objects.filter(referentiel=r).count(), 71)

    def test_criteria_per_competency(self) -> None:
        counts = Counter(
            Critere.objects.filter(referentiel=self.referentiel).values_list(
                "competence__code", flat=True
            )
        )
        self.assertEqual(dict(counts), EXPECTED_CRITERES)

    def test_blocs_and_activities(self) -> None:
        blocs = list(
            Bloc.objects.filter(referentiel=self.referentiel).values_list(
                "code", "intitule"
            )
        )
        self.assertEqual(
            blocs,
            [
                ("A1", "Elaboration d'un plan de développement commercial"),
                (
                    "A2",
                    "Déclinaison de la stratégie de développement du portefeuille client",
                ),
                (
                    "A3",
                    "Développement de la relation client et fidélisation du portefeuille",
                ),
                ("A4", "Encadrement et animation d'une équipe commerciale"),
                ("A5", "Evaluation des résultats d'un plan d'actions commerciales"),
            ],
        )
        self.assertEqual(
            list(
                Activite.objects.filter(referentiel=self.referentiel)
                .order_by("bloc__ordre", "ordre")
                .values_list("code", flat=True)
            ),
            [
                "A1.1",
                "A1.2",
                "A1.3",
                "A2.1",
                "A2.2",
                "A2.3",
                "A3.1",
                "A3.2",
                "A4.1",
                "A4.2",
                "A5.1",
                "A5.2",
            ],
        )

    def test_sample_criteria_exact_text(self) -> None:
        texts = dict(
            Critere.objects.filter(referentiel=self.referentiel).values_list(
                "code", "intitule"
            )
        )
        self.assertEqual(
            texts["C1.1.1"],
            "La détermination des objectifs de la veille permet de délimiter le périmètre de recherche.",
        )
        self.assertEqual(
            texts["C2.1.7"],
            "Il prévoit des propositions de réponses aux objections potentielles.",
        )
        self.assertEqual(
            texts["C2.2.2"],
            "Le message de l'action de communication est bref et percutant. Il permet "
            "d'être compris rapidement par la cible.",
        )
        self.assertEqual(
            texts["C2.3.2"],
            "L'analyse des attentes et besoins du prospect/ ou client permet au candidat :\n"
            "- de déceler les freins et les motivations d'achat,\n"
            "- de préparer des arguments spécifiques en créant un lien entre l'offre et les "
            "besoins/ attentes identifiées.",
        )
        self.assertEqual(
            texts["C4.1.2"],
            "Les objectifs identifiés sont SMART (spécifique, mesurable, atteignable, "
            "réalisable et temporellement défini).",
        )
        self.assertEqual(
            texts["C5.2.3"],
            "Les préconisations sont opérationnelles : elles intègrent le planning envisagé, "
            "les acteurs, les moyens à mobiliser, ainsi qu'une estimation des coûts.",
        )

    def test_texts_joined_across_page_breaks(self) -> None:
        competences = {
            c.code: c
            for c in Competence.objects.filter(
                referentiel=self.referentiel
            ).select_related("modalite")
        }
        self.assertEqual(
            competences["C1.2"].intitule,
            "Contribuer à la définition des profils client type (buyer personas) en cohérence "
            "avec la segmentation en collaboration avec le service marketing, en s'appuyant "
            "sur la collecte et l'analyse de données qualitatives (retours de l'équipe "
            "commerciale, réalisation d'interview...) ou quantitative (bases de données "
            "clients, sondage...) afin de commercialiser une offre de produits ou services "
            "adaptée au public cible.",
        )
        self.assertEqual(competences["C1.2"].details, "")
        self.assertEqual(
            competences["C2.2"].details,
            "- en collaboration avec le service marketing, le service communication ou des prestataires\n"
            "- en identifiant les objectifs, et en participant à la définition d'un message clé, ainsi que les canaux de diffusion\n"
            "de manière à accroître la visibilité de l'offre et favoriser le développement des ventes.",
        )
        self.assertTrue(
            competences["C1.3"].details.endswith(
                "\nafin de soutenir la stratégie globale de l'organisation."
            )
        )
        self.assertEqual(
            competences["C3.2"].modalite.description,
            "Pour une entreprise réelle ou fictive, le candidat doit analyser le portefeuille "
            "client et identifier des zones d'opportunité. Suite à cette analyse, il doit "
            "élaborer un plan de fidélisation et déterminer les indicateurs de performance "
            "ainsi les outils de pilotage.",
        )
        self.assertTrue(
            competences["C2.3"].modalite.description.endswith(
                "- la création d'un argumentaire de vente personnalisé"
            )
        )
        self.assertEqual(
            competences["C2.4"].modalite.description_capitalisation, CAPITALISATION
        )
        self.assertEqual(
            competences["C1.4"].modalite.description_capitalisation, CAPITALISATION
        )

    def test_modalities(self) -> None:
        types = dict(
            Modalite.objects.filter(
                competence__referentiel=self.referentiel
            ).values_list("competence__code", "type")
        )
        self.assertEqual(
            Counter(types.values()),
            {"projet_professionnel": 6, "mise_en_situation": 9, "cas_pratique": 3},
        )
        self.assertEqual(types["C1.5"], "mise_en_situation")
        self.assertEqual(types["C4.4"], "mise_en_situation")
        self.assertEqual(
            Modalite.objects.get(
                competence__referentiel=self.referentiel, competence__code="C3.3"
            ).intitule,
            "Mise en situation professionnelle: prise en charge d'une réclamation",
        )
        for modalite in Modalite.objects.filter(
            competence__referentiel=self.referentiel
        ):
            self.assertTrue(
                modalite.description_capitalisation.startswith("Lorsqu'un candidat")
            )

    def test_no_markup_left(self) -> None:
        text = str(seed_data())
        for leftover in ("<", ">", "-----", "  ", "\t"):
            self.assertNotIn(leftover, text)
