"""The référentiel's general provisions (article L6113-1, « Candidat en situation
de handicap »), word for word: in the shipped fixture, the JSON format, the page
and the PDF, versioned with the rest."""

import io

from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from certif.roles import Role
from referentiel.schema import ReferentielFormatError, validate_document
from referentiel.services import (
    ReferentielVerrouilleError,
    referentiel_export,
    referentiel_load,
)
from tests.factories import make_referentiel, make_user, seed_data, small_data

L6113 = (
    "« Les certifications professionnelles enregistrées au répertoire national des "
    "certifications professionnelles permettent une validation des compétences et "
    "des connaissances acquises nécessaires à l'exercice d'activités "
    "professionnelles. Elles sont définies notamment par un référentiel d'activités "
    "qui décrit les situations de travail et les activités exercées, les métiers ou "
    "emplois visés, un référentiel de compétences qui identifie les compétences et "
    "les connaissances, y compris transversales, qui en découlent et un référentiel "
    "d'évaluation qui définit les critères et les modalités d'évaluation des "
    "acquis. »"
)
HANDICAP = [
    "Dans le cadre du respect du règlement d'examen, tout candidat peut saisir le "
    "référent handicap du certificateur pour aménager les modalités d'évaluation et "
    "obtenir l'assistance d'un tiers lors de l'évaluation. Les supports et le "
    "matériel nécessaires à la réalisation des évaluations pourront être adaptés.",
    "Sur conseil du référent handicap et dans le respect des spécifications du "
    "référentiel, le format de la modalité pourra être adaptée.",
    "Sur avis motivé du référent handicap le jury de certification peut décider "
    "d'exempter le candidat de certains critères d'évaluation. :",
    "- dans la mesure où cela ne remet pas en question la capacité professionnelle "
    "globale du candidat",
    "- si le critère au regard de la nature du handicap n'a pas vocation à "
    "s'appliquer dans la pratique professionnelle future du candidat",
    "- Ces deux critères étant cumulatifs.",
    "L'ingénieur de certification s'engage dans la mesure du possible à élaborer "
    "des modalités d'évaluation inclusives permettant une adaptation du format. "
    "Dans le cas d'une modalité spécifique à une situation de travail, il s'engage "
    "à préciser le cadre des aménagements possibles.",
]


class FixtureTests(TestCase):
    def test_word_for_word(self) -> None:
        dispositions = seed_data()["dispositions"]
        self.assertEqual(
            [d["titre"] for d in dispositions],
            ["Article L6113-1", "Candidat en situation de handicap"],
        )
        self.assertEqual(
            dispositions[0]["texte"],
            "Créé par LOI n°2018-771 du 5 septembre 2018 - art. 31 (V)\n\n" + L6113,
        )
        self.assertEqual(
            [line for line in dispositions[1]["texte"].splitlines() if line],
            HANDICAP,
        )


class FormatTests(TestCase):
    def test_bad_dispositions_listed(self) -> None:
        data = small_data()
        data["dispositions"] = [{"titre": "", "texte": "a\x00"}, "x"]
        with self.assertRaises(ReferentielFormatError) as ctx:
            validate_document(data)
        self.assertEqual(
            ctx.exception.errors,
            [
                "dispositions[0].titre : ne doit pas être vide",
                "dispositions[0].texte : caractère nul interdit",
                "dispositions[1] : un objet est attendu",
            ],
        )
        data["dispositions"] = "texte"
        with self.assertRaises(ReferentielFormatError) as ctx:
            validate_document(data)
        self.assertEqual(
            ctx.exception.errors, ["dispositions : une liste est attendue"]
        )

    def test_versioned_and_a_published_version_keeps_them(self) -> None:
        referentiel = make_referentiel()
        self.assertEqual(
            referentiel_export(referentiel=referentiel)["dispositions"],
            seed_data()["dispositions"],
        )
        changed = seed_data()
        changed["dispositions"][0]["texte"] = "Autre texte."
        with self.assertRaises(ReferentielVerrouilleError):
            referentiel_load(data=changed)
        referentiel.refresh_from_db()
        self.assertEqual(referentiel.dispositions, seed_data()["dispositions"])

    def test_a_version_loaded_before_gets_them_once(self) -> None:
        referentiel = make_referentiel()
        type(referentiel).objects.filter(pk=referentiel.pk).update(dispositions=[])
        result = referentiel_load(data=seed_data())
        self.assertIs(result.changed, True)
        referentiel.refresh_from_db()
        self.assertEqual(referentiel.dispositions, seed_data()["dispositions"])


class PageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel()
        cls.candidat = make_user("candidat@example.org", Role.CANDIDAT)

    def test_page_starts_with_the_provisions(self) -> None:
        self.client.force_login(self.candidat)
        response = self.client.get(
            reverse("referentiel:detail", args=[self.referentiel.pk])
        )
        html = response.content.decode()
        self.assertLess(html.index("Dispositions générales"), html.index("Bloc A1"))
        self.assertLess(
            html.index("Candidat en situation de handicap"), html.index("Bloc A1")
        )
        self.assertIn("préciser le cadre des aménagements possibles.", html)

    def test_pdf_starts_with_the_provisions(self) -> None:
        self.client.force_login(self.candidat)
        response = self.client.get(
            reverse("referentiel:pdf", args=[self.referentiel.pk])
        )
        reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
        text = " ".join(reader.pages[0].extract_text().split())
        self.assertIn("Dispositions générales Article L6113-1", text)
        self.assertIn("Candidat en situation de handicap", text)


class CadreAmenagementsTests(TestCase):
    def test_optional_round_trip_and_shown(self) -> None:
        data = small_data()
        modalite = data["blocs"][0]["activites"][0]["competences"][0]["modalite"]
        modalite["cadre_amenagements"] = "Mise en situation simulée admise."
        referentiel = make_referentiel(data)
        self.assertEqual(referentiel_export(referentiel=referentiel), data)
        # Absent when empty: the shipped fixture round-trips unchanged.
        self.assertNotIn(
            "cadre_amenagements",
            referentiel_export(referentiel=make_referentiel())["blocs"][0]["activites"][
                0
            ]["competences"][0]["modalite"],
        )
        self.client.force_login(make_user("c@example.org", Role.CANDIDAT))
        response = self.client.get(reverse("referentiel:detail", args=[referentiel.pk]))
        self.assertContains(response, "Cadre des aménagements possibles :")
        modalite["cadre_amenagements"] = 3
        with self.assertRaises(ReferentielFormatError) as ctx:
            validate_document(data)
        self.assertEqual(
            ctx.exception.errors,
            [
                "blocs[0].activites[0].competences[0].modalite.cadre_amenagements : "
                "une chaîne de caractères est attendue"
            ],
        )
