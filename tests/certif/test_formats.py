"""Sizes in French units: « ko », « Mo », « Go », never Django's « Kio », « Mio »."""

from django.template import Context, Template
from django.test import SimpleTestCase

from certif.formats import accord, octets_exacts, taille_et_octets, taille_lisible


class TailleTests(SimpleTestCase):
    def test_readable_sizes(self) -> None:
        for octets, attendu in (
            (0, "0 octets"),
            (1, "1 octet"),
            (1023, "1\xa0023 octets"),
            (1024, "1\xa0ko"),
            (1536, "1,5\xa0ko"),
            (3125, "3,1\xa0ko"),
            (20 * 1024 * 1024, "20\xa0Mo"),
            (1234567, "1,2\xa0Mo"),
            (3 * 1024**3, "3\xa0Go"),
        ):
            with self.subTest(octets=octets):
                self.assertEqual(taille_lisible(octets), attendu)

    def test_exact_sizes(self) -> None:
        self.assertEqual(octets_exacts(1), "1 octet")
        self.assertEqual(octets_exacts(1234567), "1\xa0234\xa0567 octets")
        self.assertEqual(taille_et_octets(512), "512 octets")
        self.assertEqual(taille_et_octets(3125), "3,1\xa0ko (3\xa0125 octets)")

    def test_template_filters(self) -> None:
        template = Template(
            "{% load certif_tags %}{{ a|taille }}|{{ a|taille_exacte }}|{{ b|taille }}"
        )
        self.assertEqual(
            template.render(Context({"a": 2 * 1024 * 1024 + 1, "b": None})),
            "2\xa0Mo|2\xa0Mo (2\xa0097\xa0153 octets)|",
        )

    def test_accord(self) -> None:
        self.assertEqual(
            [accord(n, "fichier", "fichiers") for n in (0, 1, 2)],
            ["0 fichier", "1 fichier", "2 fichiers"],
        )
