"""The electronic seal: every issued PDF sealed (PAdES) when a certificate is
configured, verified by poppler's pdfsig over the whole document; issued as
PDF/A-3b; the public « is this the issued file » check works on sealed files."""

import io
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import pypdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from certif.sceau import pkcs12_self_signed
from evaluations.documents.models import Document
from evaluations.documents.tasks import emission_launch
from handicap.models import DemandeAmenagement
from tests.evaluations.factories_documents import make_scenario

PASSWORD = "mot-de-passe-du-sceau"


def pdfsig(content: bytes) -> str:
    binary = shutil.which("pdfsig")
    if binary is None:  # pragma: no cover - poppler-utils is installed by .ci/run
        raise unittest.SkipTest("pdfsig (poppler-utils) is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        result = subprocess.run(  # noqa: S603 - fixed binary, our own file
            [binary, "-nocert", handle.name],
            capture_output=True,
            text=True,
            check=False,
        )
    return result.stdout


def content_of(document: Document) -> bytes:
    with document.fichier.open("rb") as handle:
        return handle.read()


class SealTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.folder = tempfile.TemporaryDirectory()
        cls.p12 = Path(cls.folder.name) / "sceau.p12"
        cls.p12.write_bytes(
            pkcs12_self_signed(
                nom="Institut Exemple de Certification", password=PASSWORD
            )
        )
        with override_settings(
            SCEAU_PKCS12=str(cls.p12), SCEAU_PKCS12_PASSWORD=PASSWORD
        ):
            cls.sc = make_scenario()
            emission_launch(session=cls.sc.session, by=cls.sc.admin)

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        cls.folder.cleanup()

    def test_every_issued_pdf_is_sealed_over_the_whole_document(self) -> None:
        natures = []
        for document in Document.objects.order_by("pk"):
            report = pdfsig(content_of(document))
            natures.append(document.nature)
            with self.subTest(document=str(document)):
                self.assertIn("Signature Field Name: Sceau", report)
                self.assertIn(
                    "Signer Certificate Common Name: Institut Exemple de Certification",
                    report,
                )
                self.assertIn("Signature Type: ETSI.CAdES.detached", report)
                self.assertIn("Total document signed", report)
                self.assertIn("Signature Validation: Signature is Valid.", report)
        self.assertEqual(
            sorted(set(natures)), ["attestation", "parchemin", "pv", "releve"]
        )

    def test_decision_letter_is_sealed(self) -> None:
        demande = DemandeAmenagement.objects.exclude(courrier="").get()
        with demande.courrier.open("rb") as handle:
            report = pdfsig(handle.read())
        self.assertIn("Signature Validation: Signature is Valid.", report)
        self.assertIn("Total document signed", report)

    def test_a_modified_file_fails_the_seal(self) -> None:
        content = bytearray(content_of(Document.objects.filter(nature="releve")[0]))
        index = content.index(b"/Producer")
        content[index + 1 : index + 9] = b"Producex"
        self.assertIn("Signature Validation: Digest Mismatch.", pdfsig(bytes(content)))

    def test_issued_as_pdf_a_3b(self) -> None:
        reader = pypdf.PdfReader(
            io.BytesIO(content_of(Document.objects.filter(nature="parchemin")[0]))
        )
        metadata = reader.xmp_metadata
        assert metadata is not None
        xml = metadata.stream.get_data().decode()
        self.assertIn('pdfaid:part="3" pdfaid:conformance="B"', xml)

    def test_public_comparison_recognises_the_sealed_file(self) -> None:
        document = Document.objects.filter(nature="parchemin")[0]
        url = reverse("evaluations:verification_code", args=[document.code])
        response = self.client.post(
            url,
            {
                "fichier": SimpleUploadedFile(
                    "parchemin.pdf", content_of(document), "application/pdf"
                )
            },
        )
        self.assertContains(response, "Ce fichier est exactement le document émis.")


class UnsealedTests(TestCase):
    def test_without_a_certificate_documents_are_not_sealed(self) -> None:
        sc = make_scenario()
        emission_launch(session=sc.session, by=sc.admin)
        document = Document.objects.filter(nature="parchemin")[0]
        self.assertIn("does not contain any signatures", pdfsig(content_of(document)))
