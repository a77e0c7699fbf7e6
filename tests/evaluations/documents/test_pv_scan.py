"""The signed scan of the PV, attached to the PV's record: a PDF read in its
content, by an administrator; read by those who see the PV."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from evaluations.documents.models import Document
from evaluations.documents.tasks import emission_launch
from tests.evaluations.factories_documents import make_scenario

SCAN = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def scan(content: bytes = SCAN, name: str = "pv-signe.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")


class PVScanTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        emission_launch(session=cls.sc.session, by=cls.sc.admin)
        cls.pv = Document.objects.get(nature="pv")
        cls.url = reverse("evaluations:pv_scan_attach", args=[cls.pv.pk])
        cls.download = reverse("evaluations:pv_scan_download", args=[cls.pv.pk])

    def test_admin_attaches_the_scan_and_a_jury_member_reads_it(self) -> None:
        sha256 = self.pv.sha256
        self.client.force_login(self.sc.admin)
        response = self.client.post(self.url, {"fichier": scan()}, follow=True)
        self.assertContains(response, "Le scan signé est joint au procès-verbal.")
        self.assertContains(response, "Scan signé")
        pv = Document.objects.get(pk=self.pv.pk)
        self.assertEqual((pv.scan_depose_par, pv.sha256), (self.sc.admin, sha256))
        self.client.force_login(self.sc.membre.user)
        response = self.client.get(self.download)
        self.assertEqual(b"".join(response.streaming_content), SCAN)
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="pv-signe-{pv.code}.pdf"',
        )

    def test_not_a_pdf_refused_nothing_stored(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.post(
            self.url, {"fichier": scan(b"GIF89a not a pdf")}, follow=True
        )
        self.assertContains(
            response,
            "Le contenu de « pv-signe.pdf » n&#x27;est pas un document PDF : "
            "fichier refusé.",
        )
        self.assertEqual(Document.objects.get(pk=self.pv.pk).scan_signe.name, "")

    def test_missing_file_refused(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.post(self.url, {}, follow=True)
        self.assertContains(response, "Choisissez le fichier PDF du scan.")

    def test_only_a_pv_takes_a_scan(self) -> None:
        releve = Document.objects.filter(nature="releve")[0]
        self.client.force_login(self.sc.admin)
        response = self.client.post(
            reverse("evaluations:pv_scan_attach", args=[releve.pk]),
            {"fichier": scan()},
            follow=True,
        )
        self.assertContains(response, "Seul un procès-verbal reçoit un scan signé.")
        self.assertEqual(Document.objects.get(pk=releve.pk).scan_signe.name, "")

    def test_roles_and_methods(self) -> None:
        self.client.force_login(self.sc.membre.user)
        self.assertEqual(
            self.client.post(self.url, {"fichier": scan()}).status_code, 403
        )
        self.client.force_login(self.sc.certifie.candidat.user)
        self.assertEqual(self.client.get(self.download).status_code, 404)
        self.client.force_login(self.sc.admin)
        self.assertEqual(self.client.get(self.url).status_code, 405)
        self.assertEqual(self.client.get(self.download).status_code, 404)  # no scan yet
        self.assertEqual(Document.objects.get(pk=self.pv.pk).scan_signe.name, "")
