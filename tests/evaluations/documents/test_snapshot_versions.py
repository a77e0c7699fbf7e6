"""Snapshots carry a schema version, and a version-1 snapshot (stored before the
classes gained the certifier, the registration and the holder's birth) is still
read, and its verification page still renders."""

import json
from pathlib import Path

from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse

from evaluations.documents.models import Document
from evaluations.documents.snapshots import (
    SNAPSHOT_SCHEMA,
    CertificateurInfo,
    DistinctionSnapshot,
    PVSnapshot,
    ReleveSnapshot,
    document_snapshot,
    snapshot_from_json,
    snapshot_schema,
    snapshot_to_json,
)
from tests.evaluations.factories_documents import make_scenario

FIXTURES = Path(__file__).parent / "fixtures"


def v1(nature: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (FIXTURES / f"snapshot_v1_{nature}.json").read_text()
    )
    return data


class SnapshotVersionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()

    def document(self, nature: str) -> Document:
        document = Document(
            nature=nature,
            session=self.sc.session,
            inscription=None if nature == "pv" else self.sc.certifie,
            nom_fichier=f"{nature}.pdf",
            sha256="0" * 64,
            snapshot=v1(nature),
        )
        document.fichier.save(f"{nature}.pdf", ContentFile(b"%PDF-1.7"), save=False)
        document.save()
        return document

    def test_fixtures_are_version_1(self) -> None:
        for nature in ("parchemin", "attestation", "releve", "pv"):
            with self.subTest(nature=nature):
                self.assertNotIn("schema", v1(nature))
                self.assertEqual(snapshot_schema(v1(nature)), 1)

    def test_version_1_snapshots_read_with_defaults(self) -> None:
        parchemin = document_snapshot(self.document("parchemin"))
        self.assertIsInstance(parchemin, DistinctionSnapshot)
        self.assertEqual(parchemin.titulaire.nom_complet, "Marie DUPONT")
        self.assertEqual(parchemin.titulaire.date_naissance, "")
        self.assertEqual(parchemin.certificateur, CertificateurInfo())
        self.assertEqual([b.code_rncp for b in parchemin.blocs], ["", ""])
        releve = document_snapshot(self.document("releve"))
        self.assertIsInstance(releve, ReleveSnapshot)
        self.assertEqual(releve.certification.niveau_libelle, "")
        pv = document_snapshot(self.document("pv"))
        self.assertIsInstance(pv, PVSnapshot)
        self.assertEqual(([m.qualite for m in pv.membres], pv.lieu), (["", "", ""], ""))

    def test_verification_page_of_version_1_awards_renders(self) -> None:
        for nature in ("parchemin", "attestation"):
            with self.subTest(nature=nature):
                Document.objects.filter(nature=nature).delete()
                document = self.document(nature)
                response = self.client.get(
                    reverse("evaluations:verification_code", args=[document.code])
                )
                self.assertContains(response, "Document valide.")
                self.assertContains(response, "RNCP99999")
                self.assertNotContains(response, "SPÉCIMEN")

    def test_new_snapshots_carry_the_current_version(self) -> None:
        data = snapshot_to_json(
            snapshot_from_json(DistinctionSnapshot, v1("parchemin"))
        )
        self.assertEqual((data["schema"], SNAPSHOT_SCHEMA), (2, 2))
        self.assertEqual(
            snapshot_from_json(DistinctionSnapshot, data),
            snapshot_from_json(DistinctionSnapshot, v1("parchemin")),
        )

    def test_a_missing_field_without_default_is_reported(self) -> None:
        data = v1("parchemin")
        del data["titulaire"]
        with self.assertRaisesMessage(
            ValueError, "DistinctionSnapshot.titulaire missing from the snapshot"
        ):
            snapshot_from_json(DistinctionSnapshot, data)
