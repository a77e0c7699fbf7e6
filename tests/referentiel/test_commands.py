"""export_referentiel, import_referentiel and load_referentiel."""

import json
import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from referentiel.models import Critere, Referentiel
from referentiel.services import referentiel_export
from tests.factories import make_referentiel, seed_data, small_data
from tests.referentiel.test_services import deep_doc, row_counts


class CommandTestCase(TestCase):
    def setUp(self) -> None:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.dir = Path(directory.name)

    def write(self, name: str, data: Any) -> str:
        path = self.dir / name
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        return str(path)

    def call(self, *args: str) -> str:
        out = StringIO()
        call_command(*args, stdout=out, stderr=StringIO())
        return out.getvalue()


class ExportCommandTests(CommandTestCase):
    def test_export_version_to_file(self) -> None:
        seed = make_referentiel()
        make_referentiel(small_data())
        output = self.dir / "out.json"

        self.call(
            "export_referentiel", "--version", str(seed.pk), "--output", str(output)
        )

        self.assertEqual(json.loads(output.read_text(encoding="utf-8")), seed_data())

    def test_export_latest_to_stdout(self) -> None:
        make_referentiel()
        latest = make_referentiel(small_data())
        out = self.call("export_referentiel")
        self.assertEqual(json.loads(out), referentiel_export(referentiel=latest))

    def test_unwritable_output(self) -> None:
        make_referentiel(small_data())
        path = str(self.dir / "absent" / "out.json")
        with self.assertRaisesMessage(
            CommandError, f"Impossible d'écrire {path} : No such file or directory"
        ):
            self.call("export_referentiel", "--output", path)

    def test_unknown_version(self) -> None:
        with self.assertRaisesMessage(
            CommandError, "Aucune version de référentiel ne correspond."
        ):
            self.call("export_referentiel", "--version", "999")


class ImportCommandTests(CommandTestCase):
    def test_import_creates_a_draft(self) -> None:
        out = self.call("import_referentiel", self.write("r.json", seed_data()))
        referentiel = Referentiel.objects.get()
        self.assertEqual(out, f"Version brouillon 1 créée (id {referentiel.pk}).\n")
        self.assertEqual(referentiel.statut, Referentiel.Statut.BROUILLON)
        self.assertEqual(referentiel_export(referentiel=referentiel), seed_data())

    def test_import_under_another_label(self) -> None:
        make_referentiel(small_data())
        path = self.write("r.json", small_data())
        self.call("import_referentiel", path, "--version", "2025-b")
        self.assertEqual(
            list(Referentiel.objects.order_by("pk").values_list("version", flat=True)),
            ["1", "2025-b"],
        )

    def test_malformed_json(self) -> None:
        path = self.write("r.json", '{"certification": ')
        before = row_counts()
        with self.assertRaisesMessage(
            CommandError,
            f"{path} n'est pas un JSON valide (ligne 1, colonne 19 : Expecting value)",
        ):
            self.call("import_referentiel", path)
        self.assertEqual(row_counts(), before)

    def test_missing_file(self) -> None:
        path = str(self.dir / "absent.json")
        with self.assertRaisesMessage(
            CommandError, f"Impossible de lire {path} : No such file or directory"
        ):
            self.call("import_referentiel", path)

    def test_malformed_document(self) -> None:
        before = row_counts()
        with self.assertRaises(CommandError) as caught:
            self.call("import_referentiel", self.write("r.json", deep_doc()))
        self.assertEqual(
            str(caught.exception),
            "Fichier invalide, rien n'a été importé :\n"
            "blocs[2].activites[0].competences[1].criteres : champ manquant",
        )
        self.assertEqual(row_counts(), before)

    def test_duplicate_label(self) -> None:
        make_referentiel(small_data())
        before = row_counts()
        with self.assertRaisesMessage(
            CommandError,
            "La version 1 de RNCP99999 existe déjà ; choisissez un autre numéro de "
            "version.",
        ):
            self.call("import_referentiel", self.write("r.json", small_data()))
        self.assertEqual(row_counts(), before)


class LoadCommandTests(CommandTestCase):
    def test_load_twice(self) -> None:
        path = self.write("r.json", seed_data())
        first = self.call("load_referentiel", path, "--publish")
        referentiel = Referentiel.objects.get()
        self.assertEqual(
            first,
            f"RNCP00000 version 1 créée (publié, id {referentiel.pk}).\n",
        )
        counts = row_counts()
        second = self.call("load_referentiel", path, "--publish")
        self.assertEqual(
            second,
            f"RNCP00000 version 1 inchangée (publié, id {referentiel.pk}).\n",
        )
        self.assertEqual(row_counts(), counts)

    def test_load_changed_published_version_refused(self) -> None:
        referentiel = make_referentiel(small_data())
        data = small_data(criteres=2)
        before = row_counts()
        with self.assertRaisesMessage(
            CommandError, "La version 1 est publiée : elle ne peut plus être modifiée."
        ):
            self.call("load_referentiel", self.write("r.json", data))
        self.assertEqual(row_counts(), before)
        self.assertEqual(Critere.objects.filter(referentiel=referentiel).count(), 1)

    def test_load_malformed_document(self) -> None:
        before = row_counts()
        with self.assertRaisesMessage(
            CommandError,
            "Fichier invalide, rien n'a été chargé :\n"
            "blocs[2].activites[0].competences[1].criteres : champ manquant",
        ):
            self.call("load_referentiel", self.write("r.json", deep_doc()))
        self.assertEqual(row_counts(), before)
