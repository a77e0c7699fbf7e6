"""What the platform writes reads as French, not as a form letter: no
parenthesised plural or feminine (« critère(s) noté(s) », « inscrit(e) ») where
the text can be written whole — a count takes ``ngettext`` or ``{% blocktranslate
count %}``, a person a neutral noun (« inscription », « naissance ») — and sizes
in « ko », « Mo », « Go », never the « Kio », « Mio » of Django's French
``filesizeformat`` (``certif.formats`` writes them).

Scanned: every template, the string literals of the four apps' Python sources
(migrations aside: Django wrote them and they never change), and the project's
own JavaScript."""

import io
import re
import tokenize
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

APPS = ("certif", "referentiel", "evaluations", "handicap")
# « noté(s) », « inscrit(e) », « inscrit(es) », « citoyen(ne) »: a letter, then the
# ending in parentheses. « %(n)s » is a placeholder, « http(s) » a protocol, and
# code such as « str(e) » is not scanned (only string literals are).
PARENTHESE = re.compile(
    r"(?<=[^\W\d_])(?<!http)\((?:s|e|es|x|ne|nes|le|les)\)", re.IGNORECASE
)
UNITE_BINAIRE = re.compile(r"\b[KMGT]i(?:o|B)\b")


def offenses(text: str) -> list[str]:
    return [m.group(0) for m in PARENTHESE.finditer(text)] + [
        m.group(0) for m in UNITE_BINAIRE.finditer(text)
    ]


def python_strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module (docstrings and f-strings included), with
    their line; comments and code are left out."""
    source = path.read_text(encoding="utf-8")
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.STRING]


class WordingTests(SimpleTestCase):
    def test_templates(self) -> None:
        found = []
        root = Path(settings.BASE_DIR)
        for path in sorted((root / "templates").rglob("*")):
            if not path.is_file():
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                for offense in offenses(line):
                    found.append(f"{path.relative_to(root)}:{number}: {offense}")
        self.assertEqual(found, [])

    def test_python_strings(self) -> None:
        found = []
        root = Path(settings.BASE_DIR)
        for app in APPS:
            for path in sorted((root / app).rglob("*.py")):
                if "migrations" in path.parts:
                    continue
                for number, string in python_strings(path):
                    for offense in offenses(string):
                        found.append(f"{path.relative_to(root)}:{number}: {offense}")
        self.assertEqual(found, [])

    def test_javascript(self) -> None:
        found = []
        root = Path(settings.BASE_DIR)
        for path in sorted((root / "static" / "js").rglob("*.js")):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                for offense in offenses(line):
                    found.append(f"{path.relative_to(root)}:{number}: {offense}")
        self.assertEqual(found, [])

    def test_the_scan_finds_what_it_forbids(self) -> None:
        self.assertEqual(
            offenses(
                "3 critère(s) noté(s) ; inscrit(e) ; Né(E) ; inscrit(es) ; "
                "citoyen(ne) ; 1,0\xa0Mio ; 2 Kio ; 5 MiB"
            ),
            ["(s)", "(s)", "(e)", "(E)", "(es)", "(ne)", "Mio", "Kio", "MiB"],
        )
        self.assertEqual(
            offenses("%(n)s critères ; %(e)s ; http(s) ; (s) ; 20 Mo ; 512 ko ; Miou"),
            [],
        )

    def test_python_strings_are_read_from_the_tokens(self) -> None:
        path = Path(settings.BASE_DIR) / "certif" / "formats.py"
        strings = [string for _line, string in python_strings(path)]
        self.assertIn('"Mo"', strings)
        self.assertNotIn("#", "".join(s[:1] for s in strings))
