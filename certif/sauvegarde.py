"""Backups and their restore (``manage.py sauvegarder`` / ``manage.py restaurer``).

A backup is a directory ``certif-<UTC date and time>/`` holding:

- ``base.dump``: the PostgreSQL database, ``pg_dump`` custom format (one
  consistent snapshot, taken while the site runs);
- ``fichiers.tar``: the private files (deposits, supporting documents, issued
  documents, archives), copied *after* the snapshot, so that every file the
  database names is there (files are never deleted, except handicap documents
  past their retention);
  With ``STORAGE_BACKEND=s3``, ``inventaire.json`` instead: the bucket's objects
  (name, size, ETag); the bucket keeps the bytes by its own versioning, and a
  restore checks that every object named is there;
- ``manifest.json``: the SHA-256 and size of each part, the number of files, and
  the number of rows of each table of the platform (what a restore drill
  compares).

The directory is written under a temporary name and renamed once complete: a
backup interrupted half-way is never taken for a good one. ``restaurer`` checks
every SHA-256 before it touches anything, refuses a database or a storage that
is not empty, restores, then compares the row counts with the manifest. The
restore deletes again the handicap documents past their retention (the purge
runs right after, ``manage.py purger_pieces_handicap``): a backup never brings
back what the retention removed.

PostgreSQL only (``pg_dump`` and ``pg_restore`` of the server's major version,
Debian's ``postgresql-client``)."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from certif.formats import accord

FORMAT = 1
APPS = ("certif", "referentiel", "evaluations", "handicap")
NOM = re.compile(r"^certif-\d{8}-\d{6}$")


class SauvegardeError(Exception):
    """A backup or a restore refused, with the reason for the operator."""


@dataclass(frozen=True)
class Sauvegarde:
    chemin: Path
    manifest: dict[str, Any]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg() -> tuple[list[str], dict[str, str]]:
    """Connection arguments of ``pg_dump``/``pg_restore`` for the default
    database, and the environment carrying its password."""
    if connection.vendor != "postgresql":
        raise SauvegardeError(
            "La sauvegarde exige PostgreSQL (DATABASE_URL) : la base SQLite de "
            "développement se copie telle quelle (var/certif.sqlite3)."
        )
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SauvegardeError(
            f"{name} est introuvable : installez postgresql-client (la version "
            "majeure du serveur)."
        )
    return path


def _storage_root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT)


def table_counts() -> dict[str, int]:
    """Rows of every table of the platform's models (history tables included)."""
    counts = {}
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            counts[model._meta.db_table] = model._default_manager.count()
    return dict(sorted(counts.items()))


def _bucket() -> Any:
    """The S3 bucket behind the default storage, or None on the file system."""
    return getattr(default_storage, "bucket", None)


def _archive_files(archive: Path) -> int:
    """The private files of the local storage in a tar; their number."""
    fichiers = 0
    root = _storage_root()
    with tarfile.open(archive, "w") as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.relative_to(root).parts[0] != "sante":
                    tar.add(path, arcname=str(path.relative_to(root)))
                    fichiers += 1
    return fichiers


def _inventory_bucket(inventory: Path) -> int:
    """The objects of the bucket (name, size, ETag), one listing request per
    thousand: the bucket itself is kept by its own versioning and replication,
    the inventory says what the database needs from it."""
    objets = [
        {"nom": obj.key, "octets": obj.size, "etag": obj.e_tag.strip('"')}
        for obj in _bucket().objects.all()
        if not obj.key.startswith("sante/")
    ]
    inventory.write_text(json.dumps(objets, indent=1, ensure_ascii=False) + "\n")
    return len(objets)


def sauvegarde_create(*, destination: Path, now: datetime | None = None) -> Sauvegarde:
    """Write a complete backup under ``destination``; return it."""
    args, env = _pg()
    now = now or datetime.now(tz=UTC)
    destination.mkdir(parents=True, exist_ok=True)
    nom = f"certif-{now:%Y%m%d-%H%M%S}"
    final = destination / nom
    if final.exists():
        raise SauvegardeError(f"{final} existe déjà.")
    travail = Path(tempfile.mkdtemp(prefix=f".{nom}-", dir=destination))
    try:
        dump = travail / "base.dump"
        subprocess.run(  # noqa: S603 - fixed program, arguments from the settings
            [
                _program("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(dump),
                *args,
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        # The counts after the snapshot: rows added meanwhile make them larger
        # than the dump's; the drill checks an idle database.
        counts = table_counts()
        if _bucket() is None:
            archive = travail / "fichiers.tar"
            fichiers = _archive_files(archive)
        else:
            archive = travail / "inventaire.json"
            fichiers = _inventory_bucket(archive)
        manifest = {
            "format": FORMAT,
            "cree_le": now.isoformat(),
            "base": {
                "fichier": "base.dump",
                "sha256": _sha256(dump),
                "octets": dump.stat().st_size,
            },
            "fichiers": {
                "fichier": archive.name,
                "sha256": _sha256(archive),
                "octets": archive.stat().st_size,
                "nombre": fichiers,
            },
            "lignes": counts,
        }
        (travail / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        )
        travail.chmod(0o700)
        travail.rename(final)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(travail, ignore_errors=True)
        raise SauvegardeError(
            f"pg_dump a échoué : {exc.stderr.decode(errors='replace').strip()}"
        ) from None
    except BaseException:
        shutil.rmtree(travail, ignore_errors=True)
        raise
    return Sauvegarde(chemin=final, manifest=manifest)


def sauvegardes_purger(*, destination: Path, garder: int) -> list[Path]:
    """Delete the complete backups older than the ``garder`` most recent ones."""
    if garder < 1:
        raise SauvegardeError("Il faut garder au moins une sauvegarde.")
    completes = sorted(
        p
        for p in destination.iterdir()
        if p.is_dir() and NOM.match(p.name) and (p / "manifest.json").is_file()
    )
    anciennes = completes[:-garder]
    for path in anciennes:
        shutil.rmtree(path)
    return anciennes


def sauvegarde_verifier(*, chemin: Path) -> dict[str, Any]:
    """The manifest of a backup whose every part has its recorded SHA-256."""
    try:
        manifest: dict[str, Any] = json.loads((chemin / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise SauvegardeError(f"Manifeste illisible dans {chemin} : {exc}") from None
    if manifest.get("format") != FORMAT:
        raise SauvegardeError(
            f"Format de sauvegarde inconnu : {manifest.get('format')!r}"
        )
    for partie in ("base", "fichiers"):
        path = chemin / manifest[partie]["fichier"]
        if not path.is_file() or _sha256(path) != manifest[partie]["sha256"]:
            raise SauvegardeError(
                f"{path.name} ne correspond pas à son empreinte SHA-256 : "
                "sauvegarde altérée ou incomplète, rien n'a été restauré."
            )
    return manifest


def _database_empty() -> bool:
    return not connection.introspection.table_names()


def sauvegarde_restaurer(*, chemin: Path) -> dict[str, Any]:
    """Restore a verified backup into the empty database and storage of the
    settings; return the manifest."""
    args, env = _pg()
    manifest = sauvegarde_verifier(chemin=chemin)
    inventaire = manifest["fichiers"]["fichier"] == "inventaire.json"
    if inventaire and _bucket() is None:
        raise SauvegardeError(
            "Cette sauvegarde inventorie un seau S3 : restaurez-la avec "
            "STORAGE_BACKEND=s3, le seau restauré par son versionnage."
        )
    if not inventaire and _bucket() is not None:
        raise SauvegardeError(
            "Cette sauvegarde contient les fichiers d'un stockage local : restaurez-la "
            "avec STORAGE_BACKEND=filesystem, puis copiez les fichiers dans le seau."
        )
    if not _database_empty():
        raise SauvegardeError(
            "La base de données cible n'est pas vide : la restauration se fait dans "
            "une base neuve (createdb), jamais par-dessus des données."
        )
    root = _storage_root()
    if (
        not inventaire
        and root.exists()
        and any(p for p in root.iterdir() if p.name != "sante")
    ):
        raise SauvegardeError(
            f"Le stockage cible {root} n'est pas vide : la restauration se fait dans "
            "un dossier vide."
        )
    try:
        subprocess.run(  # noqa: S603 - fixed program, arguments from the settings
            [
                _program("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                *args,
                str(chemin / manifest["base"]["fichier"]),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as exc:
        raise SauvegardeError(
            f"pg_restore a échoué : {exc.stderr.decode(errors='replace').strip()}"
        ) from None
    if inventaire:
        attendus = json.loads((chemin / "inventaire.json").read_text())
        presents = {obj.key for obj in _bucket().objects.all()}
        manquants = [o["nom"] for o in attendus if o["nom"] not in presents]
        if manquants:
            raise SauvegardeError(
                f"{accord(len(manquants), 'objet', 'objets')} de l'inventaire "
                f"{'absent' if len(manquants) <= 1 else 'absents'} du seau, "
                f"par exemple {manquants[0]} : restaurez le seau (versionnage) "
                "avant de relancer."
            )
    else:
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(chemin / manifest["fichiers"]["fichier"]) as tar:
            # The "data" filter refuses absolute names, "..", links out of the
            # tree and special files.
            tar.extractall(root, filter="data")
    connection.close()  # the restored schema: no cached state of the old one
    return manifest
