"""Backups and the restore drill: build data, back up, restore into a fresh
database and an empty storage (other processes, as an operator would), then check
the counts, a document's verification page and a deposit's SHA-256."""

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import skipUnless

import psycopg2
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import SimpleTestCase, TestCase, TransactionTestCase
from django.utils import timezone
from psycopg2 import sql

from certif.formats import accord
from certif.sauvegarde import (
    SauvegardeError,
    sauvegarde_restaurer,
    sauvegarde_verifier,
    sauvegardes_purger,
    table_counts,
)
from evaluations.documents.models import Document
from evaluations.documents.services import inscription_documents_issue
from evaluations.sessions.models import Session
from handicap.services import mois_avant
from referentiel.models import Modalite
from tests.evaluations.factories import make_livrable, pdf_bytes
from tests.evaluations.factories_documents import make_scenario
from tests.factories import make_candidat, make_inscription, make_session
from tests.handicap.factories import make_demande

# Run in the restored database (another process): what the drill checks.
PROBE = r"""
import hashlib, json, re, sys
import django
django.setup()
from django.core.files.storage import default_storage
from django.test import Client
from certif.sauvegarde import (
    SauvegardeError,
    sauvegarde_restaurer,
    sauvegarde_verifier,
    sauvegardes_purger,
    table_counts,
)
from evaluations.documents.models import Document
from evaluations.livrables.models import Livrable
from handicap.models import PieceJustificative

code, livrable_pk = sys.argv[1], int(sys.argv[2])
page = Client().get(f"/verification/{code}/")
document = Document.objects.get(code=code)
livrable = Livrable.objects.get(pk=livrable_pk)
with default_storage.open(livrable.fichier.name, "rb") as handle:
    deposit = hashlib.sha256(handle.read()).hexdigest()
with default_storage.open(document.fichier.name, "rb") as handle:
    issued = hashlib.sha256(handle.read()).hexdigest()
print(json.dumps({
    "status": page.status_code,
    "code_shown": f"<code>{document.code_affiche}</code>" in page.content.decode(),
    "status_shown": re.search(
        r'Statut</dt><dd class="col-sm-8">([^<]*)</dd>', page.content.decode()
    ).group(1),
    "deposit_sha256_ok": deposit == livrable.sha256,
    "issued_sha256_ok": issued == document.sha256,
    "pieces": sorted(
        (p.demande.inscription.session.nom, default_storage.exists(p.fichier.name))
        for p in PieceJustificative.objects.select_related("demande__inscription__session")
    ),
}))
"""


def _server_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _admin(statement: sql.Composable) -> None:
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres",
        user=db.get("USER") or "postgres",
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        password=db.get("PASSWORD") or None,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(statement)
    conn.close()


@skipUnless(connection.vendor == "postgresql", "pg_dump / pg_restore need PostgreSQL")
class RestoreDrillTests(TransactionTestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="certif-drill-"))
        self.fresh = f"certif_drill_{secrets.token_hex(4)}"
        _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.fresh)))

    def tearDown(self) -> None:
        _admin(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(self.fresh)
            )
        )
        shutil.rmtree(self.tmp, ignore_errors=True)

    def manage(self, *args: str, storage: Path) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.tmp),
            "DJANGO_SETTINGS_MODULE": "certif.settings.base",
            "DEBUG": "true",
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": _server_url(self.fresh),
            "PRIVATE_STORAGE_ROOT": str(storage),
            "CERTIF_VAR_DIR": str(self.tmp / "var"),
            "LOG_LEVEL": "WARNING",
        }
        return subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def build(self) -> tuple[Document, int]:
        scenario = make_scenario()
        documents = inscription_documents_issue(
            inscription_id=scenario.certifie.pk, by=scenario.admin
        )
        ouverte = make_session(scenario.referentiel, nom="Ouverte")
        inscription = make_inscription(make_candidat("depot@test.fr"), ouverte)
        modalite = Modalite.objects.filter(
            competence__referentiel=scenario.referentiel
        ).first()
        assert modalite is not None
        livrable = make_livrable(inscription, modalite, content=pdf_bytes(b"drill"))
        # Handicap documents: one session closed 25 months ago (past retention:
        # not restored), one closed 23 months ago (kept).
        for nom, mois in (("Ancienne", 25), ("Recente", 23)):
            session = make_session(scenario.referentiel, nom=nom)
            make_demande(
                make_inscription(make_candidat(f"{nom.lower()}@test.fr"), session)
            )
            Session.objects.filter(pk=session.pk).update(
                statut=Session.Statut.CLOSE,
                close_le=mois_avant(timezone.now(), mois) - timedelta(days=1),
            )
        parchemin = next(d for d in documents if d.nature == "parchemin")
        return parchemin, livrable.pk

    def test_backup_then_restore_into_a_fresh_database(self) -> None:
        document, livrable_pk = self.build()
        out = StringIO()
        call_command("sauvegarder", str(self.tmp / "sauvegardes"), stdout=out)
        (backup,) = (self.tmp / "sauvegardes").iterdir()
        self.assertRegex(backup.name, r"^certif-\d{8}-\d{6}$")
        self.assertEqual(
            sorted(p.name for p in backup.iterdir()),
            ["base.dump", "fichiers.tar", "manifest.json"],
        )
        manifest = json.loads((backup / "manifest.json").read_text())
        self.assertEqual(
            manifest["base"]["sha256"],
            hashlib.sha256((backup / "base.dump").read_bytes()).hexdigest(),
        )
        self.assertEqual(
            manifest["lignes"]["evaluations_document"], Document.objects.count()
        )
        # The scenario's exemption request holds one, and the two below.
        self.assertEqual(manifest["lignes"]["handicap_piecejustificative"], 3)
        # Files: the deposit, the issued documents (and the certifier's images),
        # the two supporting documents.
        stored = sorted(
            str(p.relative_to(settings.PRIVATE_STORAGE_ROOT))
            for p in Path(settings.PRIVATE_STORAGE_ROOT).rglob("*")
            if p.is_file()
            and p.relative_to(settings.PRIVATE_STORAGE_ROOT).parts[0] != "sante"
        )
        self.assertEqual(manifest["fichiers"]["nombre"], len(stored))
        self.assertIn(document.fichier.name, stored)
        self.assertIn(
            f"Sauvegarde {backup} : base {manifest['base']['octets']} octets, "
            f"{accord(len(stored), 'fichier', 'fichiers')}, ",
            out.getvalue(),
        )

        storage = self.tmp / "restaure"
        # A damaged backup: refused before anything is touched.
        damaged = self.tmp / "abimee"
        shutil.copytree(backup, damaged)
        with (damaged / "fichiers.tar").open("r+b") as handle:
            handle.seek(600)
            byte = handle.read(1)
            handle.seek(600)
            handle.write(bytes([byte[0] ^ 0xFF]))
        refused = self.manage("manage.py", "restaurer", str(damaged), storage=storage)
        self.assertEqual(refused.returncode, 1)
        self.assertIn(
            "CommandError: fichiers.tar ne correspond pas à son empreinte SHA-256 : "
            "sauvegarde altérée ou incomplète, rien n'a été restauré.",
            refused.stderr,
        )
        self.assertFalse(storage.exists())

        restored = self.manage("manage.py", "restaurer", str(backup), storage=storage)
        self.assertEqual(restored.returncode, 0, restored.stderr)
        self.assertEqual(
            restored.stdout,
            f"Restaurée : {sum(manifest['lignes'].values())} lignes dans "
            f"{len(manifest['lignes'])} tables, "
            f"{accord(manifest['fichiers']['nombre'], 'fichier', 'fichiers')}. "
            "Purge : 1 pièce supprimée — conservation 24 mois\n",
        )
        probe = self.manage(
            "-c", PROBE, document.code, str(livrable_pk), storage=storage
        )
        self.assertEqual(probe.returncode, 0, probe.stderr)
        self.assertEqual(
            json.loads(probe.stdout),
            {
                "status": 200,
                "code_shown": True,
                "status_shown": "Valide",
                "deposit_sha256_ok": True,
                "issued_sha256_ok": True,
                # Past retention: neither the row nor the file came back.
                "pieces": [["Recente", True], ["Session juin", True]],
            },
        )

        # Restoring again over the restored data: refused.
        again = self.manage(
            "manage.py", "restaurer", str(backup), storage=self.tmp / "vide"
        )
        self.assertEqual(again.returncode, 1)
        self.assertIn(
            "La base de données cible n'est pas vide : la restauration se fait dans "
            "une base neuve (createdb), jamais par-dessus des données.",
            again.stderr,
        )

    def test_retention_keeps_the_most_recent(self) -> None:
        destination = self.tmp / "sauvegardes"
        for day in range(1, 5):
            (destination / f"certif-2026110{day}-023000").mkdir(parents=True)
            (destination / f"certif-2026110{day}-023000" / "manifest.json").write_text(
                "{}"
            )
        (
            destination / ".certif-20261105-023000-abc"
        ).mkdir()  # interrupted: not counted
        out = StringIO()
        call_command("sauvegarder", str(destination), "--garder", "2", stdout=out)
        names = sorted(
            p.name for p in destination.iterdir() if not p.name.startswith(".")
        )
        self.assertEqual(len(names), 2)
        self.assertEqual(names[0], "certif-20261104-023000")
        self.assertRegex(names[1], r"^certif-\d{8}-\d{6}$")
        self.assertIn(
            f"Supprimée (au-delà de --garder) : {destination / 'certif-20261101-023000'}",
            out.getvalue(),
        )


class SqliteRefusedTests(SimpleTestCase):
    @skipUnless(connection.vendor == "sqlite", "the SQLite refusal")
    def test_sqlite_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "La sauvegarde exige PostgreSQL"):
            call_command("sauvegarder", tempfile.mkdtemp(prefix="certif-drill-"))

    def test_checked_only(self) -> None:
        with (
            tempfile.TemporaryDirectory(prefix="certif-drill-") as tmp,
            self.assertRaisesMessage(CommandError, "Manifeste illisible"),
        ):
            call_command("restaurer", tmp, "--verifier")


class BackupPartsTests(TestCase):
    """The parts of a backup that need no pg_dump: the files' archive, the
    manifest's check, the retention of backups; on every database."""

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="certif-parts-"))

    def tearDown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def backup(self) -> Path:
        from certif.sauvegarde import FORMAT, _archive_files, _sha256

        chemin = self.tmp / "certif-20261201-023000"
        chemin.mkdir()
        (chemin / "base.dump").write_bytes(b"PGDMP fake")
        root = Path(settings.PRIVATE_STORAGE_ROOT)
        (root / "parts").mkdir(exist_ok=True)
        (root / "parts" / "a.pdf").write_bytes(b"%PDF-a")
        nombre = _archive_files(chemin / "fichiers.tar")
        manifest = {
            "format": FORMAT,
            "cree_le": "2026-12-01T02:30:00+00:00",
            "base": {"fichier": "base.dump", "sha256": _sha256(chemin / "base.dump")},
            "fichiers": {
                "fichier": "fichiers.tar",
                "sha256": _sha256(chemin / "fichiers.tar"),
                "nombre": nombre,
            },
            "lignes": table_counts(),
        }
        (chemin / "manifest.json").write_text(json.dumps(manifest))
        return chemin

    def test_archive_and_check(self) -> None:
        chemin = self.backup()
        with tarfile.open(chemin / "fichiers.tar") as tar:
            self.assertIn("parts/a.pdf", tar.getnames())
            self.assertFalse(any(n.startswith("sante/") for n in tar.getnames()))
        self.assertEqual(sauvegarde_verifier(chemin=chemin)["format"], 1)
        out = StringIO()
        call_command("restaurer", str(chemin), "--verifier", stdout=out)
        self.assertEqual(
            out.getvalue(), "Sauvegarde intacte (2026-12-01T02:30:00+00:00).\n"
        )
        (chemin / "base.dump").write_bytes(b"PGDMP altered")
        with self.assertRaisesMessage(
            CommandError,
            "base.dump ne correspond pas à son empreinte SHA-256 : sauvegarde "
            "altérée ou incomplète, rien n'a été restauré.",
        ):
            call_command("restaurer", str(chemin), "--verifier")

    def test_unknown_format(self) -> None:
        chemin = self.backup()
        (chemin / "manifest.json").write_text(json.dumps({"format": 99}))
        with self.assertRaisesMessage(
            SauvegardeError, "Format de sauvegarde inconnu : 99"
        ):
            sauvegarde_verifier(chemin=chemin)

    def test_counts_name_every_table(self) -> None:
        counts = table_counts()
        self.assertEqual(counts["evaluations_document"], 0)
        self.assertIn("handicap_piecejustificative", counts)
        self.assertEqual(list(counts), sorted(counts))

    def test_retention_of_backups(self) -> None:
        for day in range(1, 5):
            (self.tmp / f"certif-2026110{day}-023000").mkdir()
            (self.tmp / f"certif-2026110{day}-023000" / "manifest.json").write_text(
                "{}"
            )
        (self.tmp / "certif-20261105-023000").mkdir()  # no manifest: not complete
        removed = sauvegardes_purger(destination=self.tmp, garder=2)
        self.assertEqual(
            [p.name for p in removed],
            ["certif-20261101-023000", "certif-20261102-023000"],
        )
        with self.assertRaisesMessage(SauvegardeError, "Il faut garder au moins une"):
            sauvegardes_purger(destination=self.tmp, garder=0)

    @skipUnless(connection.vendor == "sqlite", "the SQLite refusal")
    def test_restore_refused_on_sqlite(self) -> None:
        with self.assertRaisesMessage(
            SauvegardeError, "La sauvegarde exige PostgreSQL"
        ):
            sauvegarde_restaurer(chemin=self.backup())
