"""The shipped INSEE list of foreign countries and territories."""

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from evaluations.sessions.pays import (
    pays_choices,
    pays_code_for,
    pays_insee,
    pays_libelle,
    validate_code_pays,
)


class PaysTests(SimpleTestCase):
    def test_the_list_is_the_2025_edition_without_france(self) -> None:
        pays = pays_insee()
        self.assertEqual(len(pays), 228)
        self.assertNotIn("99100", pays)
        self.assertTrue(all(len(code) == 5 and code.startswith("99") for code in pays))
        self.assertEqual(pays["99350"], "Maroc")
        self.assertEqual(pays["99351"], "Tunisie")
        self.assertEqual(pays["99699"], "Antarctique")

    def test_code_by_code_or_by_name(self) -> None:
        self.assertEqual(pays_code_for("99350"), "99350")
        self.assertEqual(pays_code_for(" MAROC "), "99350")
        self.assertEqual(pays_code_for("cote d'ivoire"), "99326")
        self.assertEqual(pays_code_for("Etats Unis"), "99404")
        self.assertEqual(pays_code_for("Atlantide"), "")
        self.assertEqual(pays_libelle("99326"), "Côte d\u2019Ivoire")
        self.assertEqual(pays_libelle("99100"), "")

    def test_validator(self) -> None:
        validate_code_pays("99131")
        with self.assertRaisesMessage(ValidationError, "« Belgique » n'est pas"):
            validate_code_pays("Belgique")

    def test_choices_sorted_as_french_reads_them(self) -> None:
        noms = [nom for _code, nom in pays_choices()]
        self.assertEqual(noms[:3], ["Afghanistan", "Afrique du Sud", "Åland"])
        self.assertLess(noms.index("Égypte"), noms.index("Espagne"))
