"""Object storage (STORAGE_BACKEND=s3) against a real S3-protocol server: moto in
server mode, started here on 127.0.0.1 in its own process. Deposits, issued
documents and handicap documents go to a private bucket; downloads stay behind
the same permission checks (streamed by Django: no X-Accel-Redirect, no public
URL); the SHA-256 checks and the retention purge work the same."""

import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar
from unittest import SkipTest, skipUnless

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from certif.roles import Role
from certif.sauvegarde import (
    SauvegardeError,
    sauvegarde_create,
    sauvegarde_restaurer,
    sauvegarde_verifier,
)
from evaluations.documents.services import inscription_documents_issue
from evaluations.sessions.models import Session
from handicap.services import mois_avant, pieces_purger
from referentiel.models import Modalite
from tests.evaluations.factories import make_livrable, pdf_bytes
from tests.evaluations.factories_documents import make_scenario
from tests.factories import make_candidat, make_inscription, make_session, make_user
from tests.handicap.factories import make_demande

KEY = "certif-test"
SECRET = "certif-test-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class S3Server:
    """``moto_server`` on 127.0.0.1, in its own process, for this module."""

    process: ClassVar[subprocess.Popen[bytes] | None] = None
    url: ClassVar[str] = ""

    @classmethod
    def start(cls) -> str:
        if cls.process is not None:
            return cls.url
        if importlib.util.find_spec("moto") is None:
            raise SkipTest("moto[server] is not installed (requirements-dev.txt)")
        port = _free_port()
        cls.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
        )
        cls.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(cls.url + "/moto-api/", timeout=1).close()  # noqa: S310 - loopback
                return cls.url
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        cls.stop()
        raise SkipTest("the local S3 server (moto) did not start within 30 s")

    @classmethod
    def stop(cls) -> None:
        if cls.process is not None:
            cls.process.terminate()
            cls.process.wait(timeout=10)
            cls.process = None


def tearDownModule() -> None:
    S3Server.stop()


def s3_storages(url: str, bucket: str) -> dict[str, Any]:
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": url,
                "region_name": "eu-west-3",
                "access_key": KEY,
                "secret_key": SECRET,
                "default_acl": "private",
                "file_overwrite": False,
                "querystring_auth": True,
                "querystring_expire": 60,
            },
        },
    }


class S3Case(TestCase):
    """A private bucket of its own on the local S3 server, as the storage."""

    url: ClassVar[str]
    bucket: ClassVar[str]

    @classmethod
    def setUpClass(cls) -> None:
        cls.url = S3Server.start()
        cls.bucket = f"certif-{uuid.uuid4().hex[:12]}"
        cls.client_s3().create_bucket(
            Bucket=cls.bucket,
            CreateBucketConfiguration={"LocationConstraint": "eu-west-3"},
        )
        cls.enterClassContext(
            override_settings(
                STORAGES=s3_storages(cls.url, cls.bucket),
                X_ACCEL_REDIRECT_PREFIX="/_prive/",
            )
        )
        super().setUpClass()

    @classmethod
    def client_s3(cls) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=cls.url,
            region_name="eu-west-3",
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
        )

    def keys(self) -> list[str]:
        listing = self.client_s3().list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def object_bytes(self, key: str) -> bytes:
        body = self.client_s3().get_object(Bucket=self.bucket, Key=key)["Body"]
        return bytes(body.read())


class S3StorageTests(S3Case):
    def test_deposit_stored_in_the_bucket_and_downloaded_after_the_check(self) -> None:
        referentiel = make_scenario().referentiel
        session = make_session(referentiel, nom="Ouverte")
        inscription = make_inscription(make_candidat("depot@test.fr"), session)
        modalite = Modalite.objects.filter(competence__referentiel=referentiel).first()
        assert modalite is not None
        content = pdf_bytes(b"objet")
        livrable = make_livrable(inscription, modalite, content=content)
        self.assertIn(livrable.fichier.name, self.keys())
        self.assertEqual(self.object_bytes(str(livrable.fichier.name)), content)
        self.assertEqual(livrable.sha256, hashlib.sha256(content).hexdigest())

        url = reverse("evaluations:livrable_download", args=[livrable.pk])
        self.client.force_login(inscription.candidat.user)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        # Streamed by Django from the bucket: nginx cannot reach a bucket by
        # X-Accel-Redirect to a local path, and no presigned URL leaves.
        self.assertNotIn("X-Accel-Redirect", response)
        self.assertEqual(b"".join(response.streaming_content), content)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.client.force_login(make_user("intrus@test.fr", Role.CANDIDAT))
        self.assertEqual(self.client.get(url).status_code, 404)

        # The bucket is private: the object without a signature is refused.
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(  # noqa: S310 - loopback
                f"{self.url}/{self.bucket}/{livrable.fichier.name}", timeout=5
            )
        self.assertEqual(refused.exception.code, 403)

    def test_issued_documents_in_the_bucket_with_their_sha256(self) -> None:
        scenario = make_scenario()
        documents = inscription_documents_issue(
            inscription_id=scenario.certifie.pk, by=scenario.admin
        )
        self.assertEqual(sorted(d.nature for d in documents), ["parchemin", "releve"])
        for document in documents:
            stored = self.object_bytes(str(document.fichier.name))
            self.assertEqual(stored[:5], b"%PDF-")
            self.assertEqual(hashlib.sha256(stored).hexdigest(), document.sha256)
        parchemin = next(d for d in documents if d.nature == "parchemin")
        self.client.force_login(scenario.admin)
        response = self.client.get(
            reverse("evaluations:document_download", args=[parchemin.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            hashlib.sha256(b"".join(response.streaming_content)).hexdigest(),
            parchemin.sha256,
        )

    def test_retention_purge_deletes_the_objects(self) -> None:
        referentiel = make_scenario().referentiel
        ancienne = make_session(referentiel, nom="Ancienne")
        demande = make_demande(
            make_inscription(make_candidat("ancienne@test.fr"), ancienne), pieces=2
        )
        names = sorted(demande.pieces.values_list("fichier", flat=True))
        self.assertEqual(len(names), 2)
        self.assertTrue(set(names) <= set(self.keys()))
        Session.objects.filter(pk=ancienne.pk).update(
            statut=Session.Statut.CLOSE,
            close_le=mois_avant(timezone.now(), 25) - timedelta(days=1),
        )
        purgees = pieces_purger(dry_run=False)
        self.assertEqual(
            sorted(p.demande_id for p in purgees), [demande.pk, demande.pk]
        )
        self.assertEqual(set(names) & set(self.keys()), set())

    def test_inventory_of_the_bucket(self) -> None:
        from certif.sauvegarde import _inventory_bucket

        default_storage.save("livrables/9/x.pdf", ContentFile(b"%PDF-x"))
        inventory = Path(tempfile.mkdtemp(prefix="certif-inv-")) / "inventaire.json"
        try:
            self.assertEqual(_inventory_bucket(inventory), len(self.keys()))
            objets = json.loads(inventory.read_text())
        finally:
            shutil.rmtree(inventory.parent, ignore_errors=True)
        mine = next(o for o in objets if o["nom"] == "livrables/9/x.pdf")
        self.assertEqual(
            mine,
            {
                "nom": "livrables/9/x.pdf",
                "octets": 6,
                "etag": hashlib.md5(b"%PDF-x", usedforsecurity=False).hexdigest(),
            },
        )

    def test_health_writes_and_reads_the_bucket(self) -> None:
        response = self.client.get(reverse("sante"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["storage"], "ok")
        self.assertEqual([k for k in self.keys() if k.startswith("sante/")], [])


@skipUnless(connection.vendor == "postgresql", "pg_dump needs PostgreSQL")
class S3BackupTests(S3Case):
    """With the bucket, a backup holds its inventory (the bucket keeps the bytes,
    by its own versioning); a restore refuses a storage of the other kind."""

    def test_backup_inventories_the_bucket(self) -> None:
        referentiel = make_scenario().referentiel
        session = make_session(referentiel, nom="Ouverte")
        inscription = make_inscription(make_candidat("inv@test.fr"), session)
        modalite = Modalite.objects.filter(competence__referentiel=referentiel).first()
        assert modalite is not None
        content = pdf_bytes(b"inventaire")
        livrable = make_livrable(inscription, modalite, content=content)
        destination = Path(tempfile.mkdtemp(prefix="certif-s3-backup-"))
        try:
            sauvegarde = sauvegarde_create(destination=destination)
            self.assertEqual(
                sorted(p.name for p in sauvegarde.chemin.iterdir()),
                ["base.dump", "inventaire.json", "manifest.json"],
            )
            inventaire = json.loads((sauvegarde.chemin / "inventaire.json").read_text())
            self.assertEqual(sorted(o["nom"] for o in inventaire), self.keys())
            mine = next(o for o in inventaire if o["nom"] == livrable.fichier.name)
            self.assertEqual(mine["octets"], len(content))
            self.assertEqual(
                sauvegarde.manifest["fichiers"]["nombre"], len(self.keys())
            )
            self.assertEqual(
                sauvegarde_verifier(chemin=sauvegarde.chemin)["fichiers"]["fichier"],
                "inventaire.json",
            )
            # The same backup on a file-system storage: refused, nothing touched.
            with (
                override_settings(STORAGES=settings_storages_local()),
                self.assertRaisesMessage(
                    SauvegardeError, "Cette sauvegarde inventorie un seau S3"
                ),
            ):
                sauvegarde_restaurer(chemin=sauvegarde.chemin)
            # A backup of a file-system storage, restored with the bucket: refused.
            with override_settings(STORAGES=settings_storages_local()):
                locale = sauvegarde_create(destination=destination / "locale")
            with self.assertRaisesMessage(
                SauvegardeError,
                "Cette sauvegarde contient les fichiers d'un stockage local",
            ):
                sauvegarde_restaurer(chemin=locale.chemin)
        finally:
            shutil.rmtree(destination, ignore_errors=True)


def settings_storages_local() -> dict[str, Any]:
    from certif.settings import test as test_settings

    return dict(test_settings.STORAGES)
