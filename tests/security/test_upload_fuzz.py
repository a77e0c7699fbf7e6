"""Upload fuzzing (hypothesis) against the deliverable upload endpoint.

Random bytes (sometimes behind a real magic number), random names (control
characters, separators, long, unicode), random declared content types and sizes
around the limit. Whatever is sent: never a 500; the answer is a redirect, to the
receipt when the file is accepted (then exactly one row and one stored file, whose
SHA-256 is the content's) or back to the file with a French error message (then no
row and no file at all)."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, event, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from certif.uploads import BUREAUTIQUE
from evaluations.livrables.models import Livrable
from referentiel.models import Modalite
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    small_data,
)

TYPES = BUREAUTIQUE.types
LIMIT = 2048

MAGIC = st.sampled_from(
    [
        b"",
        b"%PDF-1.7\n",
        b"PK\x03\x04",
        b"MZ\x90\x00",
        b"\x7fELF\x02\x01\x01",
        b"\x89PNG\r\n\x1a\n",
        b"<html><script>alert(1)</script>",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # old MS Office
    ]
)
CONTENT = st.builds(
    lambda magic, body: magic + body, MAGIC, st.binary(max_size=LIMIT + 512)
)
STEM = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60
)
EXTENSION = st.sampled_from(
    [*TYPES, ".PDF", ".exe", ".pdf.exe", ".html", "", ".", ".docx ", ".pdf\x00"]
)
CONTENT_TYPE = st.one_of(
    st.sampled_from(
        [
            "application/pdf",
            "application/octet-stream",
            "text/html",
            "application/x-msdownload",
            "image/svg+xml",
            "",
        ]
    ),
    st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40
    ),
)


BOUNDARY = "certif-fuzz-boundary-7c1d0e"


def multipart(
    name: str,
    content: bytes,
    content_type: str,
    *,
    field: str = "fichiers",
    fields: dict[str, str] | None = None,
) -> bytes:
    """The body a browser would send, with the name and type exactly as given
    (the test client would sanitise the name itself)."""
    body = b""
    for key, value in (fields or {}).items():
        body += (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        ).encode()
    head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    )
    return body + head.encode("utf-8") + content + f"\r\n--{BOUNDARY}--\r\n".encode()


# Random cases, and cases close to a valid PDF (a real magic number, a plain name
# ending in .pdf, any declared type, sizes around the limit), so that both outcomes
# are exercised.
RANDOM_CASE = st.tuples(CONTENT, STEM, EXTENSION, CONTENT_TYPE)
PLAUSIBLE_CASE = st.tuples(
    st.builds(
        lambda body: b"%PDF-1.7\n" + body, st.binary(min_size=0, max_size=LIMIT + 64)
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéè-_0123456789", min_size=1),
    st.sampled_from([".pdf", ".PDF", ".docx"]),
    CONTENT_TYPE,
)


FUZZ_SETTINGS = hypothesis_settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def stored_files() -> set[Path]:
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    return {path for path in root.rglob("*") if path.is_file()}


@override_settings(UPLOAD_MAX_BYTES=LIMIT)
class UploadFuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        referentiel = make_referentiel(small_data(blocs=1, criteres=1))
        session = make_session(referentiel)
        candidat = make_candidat("fuzz@example.fr")
        cls.user = candidat.user
        cls.inscription = make_inscription(candidat, session)
        cls.url = reverse(
            "evaluations:depot",
            args=[
                cls.inscription.pk,
                Modalite.objects.get(competence__referentiel=referentiel).pk,
            ],
        )
        cls.receipt = reverse("evaluations:depot_recu", args=[cls.inscription.pk])
        cls.dossier = reverse("evaluations:dossier", args=[cls.inscription.pk])

    @hypothesis_settings(FUZZ_SETTINGS, max_examples=40)
    @given(case=RANDOM_CASE)
    @example(case=(b"MZ\x90\x00", "rapport", ".pdf", "application/pdf"))
    def test_random_uploads(self, case: tuple[bytes, str, str, str]) -> None:
        self.check_upload(*case)

    @hypothesis_settings(FUZZ_SETTINGS, max_examples=20)
    @given(case=PLAUSIBLE_CASE)
    @example(case=(b"%PDF-1.7\n%%EOF\n", "rapport", ".pdf", "text/plain"))
    def test_plausible_uploads(self, case: tuple[bytes, str, str, str]) -> None:
        self.check_upload(*case)

    def check_upload(
        self, content: bytes, stem: str, extension: str, content_type: str
    ) -> None:
        """Accepted whole (one row, one file, its SHA-256) or refused without trace
        (no row, no file, a French message); never a 500."""
        self.client.force_login(self.user)
        files_before = stored_files()
        response = self.client.post(
            self.url,
            data=multipart(stem + extension, content, content_type),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )

        refus = response.context.get("refus") if response.context else None
        if response.status_code == 400 and refus is None:
            # A part without a file name is a plain form field: a NUL character in
            # it is refused for every view (certif.middleware.RefuseNulMiddleware).
            self.assertIn(b"\x00", content)
            self.assertContains(
                response, "La requête contient un caractère nul", status_code=400
            )
            self.assertEqual(stored_files(), files_before)
            self.assertEqual(Livrable.objects.count(), 0)
            return
        levels = [m.level_tag for m in get_messages(response.wsgi_request)]
        new_files = stored_files() - files_before
        livrables = list(Livrable.objects.filter(inscription=self.inscription))
        accepted = refus is None
        event("accepted" if accepted else "refused")
        if accepted:
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(self.receipt))
            self.assertEqual(levels, ["success"])
            self.assertEqual(len(livrables), 1)
            self.assertEqual(len(new_files), 1)
            livrable = livrables[0]
            self.assertEqual(livrable.sha256, hashlib.sha256(content).hexdigest())
            self.assertEqual(livrable.taille, len(content))
            self.assertIn(livrable.type_mime, set(TYPES.values()))
            self.assertEqual(new_files.pop().read_bytes(), content)
            self.assertNotIn("/", livrable.nom_original)
            Path(livrable.fichier.path).unlink()  # the next example starts clean
        else:
            # The dossier again, the French message next to the field.
            self.assertEqual(response.status_code, 400)
            assert refus is not None
            self.assertNotEqual(refus.messages, [])
            self.assertContains(response, 'role="alert"', status_code=400)
            self.assertEqual(levels, [])
            self.assertEqual(livrables, [])
            self.assertEqual(new_files, set())

    def test_an_accepted_pdf_for_reference(self) -> None:
        """The oracle above is not vacuous: a real PDF goes through."""
        self.client.force_login(self.user)
        upload = SimpleUploadedFile("rapport.pdf", b"%PDF-1.7\n%%EOF\n", "text/plain")
        response = self.client.post(self.url, {"fichiers": upload})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(self.receipt))
        self.assertEqual(
            list(
                Livrable.objects.filter(inscription=self.inscription).values_list(
                    "nom_original", "type_mime"
                )
            ),
            [("rapport.pdf", "application/pdf")],
        )


PIECE_CASE = st.tuples(
    st.builds(
        lambda magic, body: magic + body,
        st.sampled_from([b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"]),
        st.binary(max_size=LIMIT + 64),
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_0123456789", min_size=1),
    st.sampled_from([".pdf", ".png", ".jpg", ".jpeg", ".PNG", ".docx"]),
    CONTENT_TYPE,
)


@override_settings(UPLOAD_MAX_BYTES=LIMIT)
class AccommodationDocumentFuzzTests(TestCase):
    """The same for the confidential supporting documents of an accommodation
    request (PDF, JPEG, PNG): a refused file leaves no request, no row, no file."""

    @classmethod
    def setUpTestData(cls) -> None:
        referentiel = make_referentiel(small_data(blocs=1, criteres=1))
        candidat = make_candidat("fuzz@example.fr")
        cls.user = candidat.user
        cls.inscription = make_inscription(candidat, make_session(referentiel))
        cls.url = reverse("handicap:demande_create", args=[cls.inscription.pk])

    @hypothesis_settings(FUZZ_SETTINGS, max_examples=30)
    @given(case=RANDOM_CASE)
    @example(case=(b"\x89PNG\r\n\x1a\n0000", "scan", ".pdf", "application/pdf"))
    @example(case=(b"MZ\x90\x00", "", "", "application/pdf"))
    def test_random_documents(self, case: tuple[bytes, str, str, str]) -> None:
        self.check_document(*case)

    @hypothesis_settings(FUZZ_SETTINGS, max_examples=20)
    @given(case=PIECE_CASE)
    @example(case=(b"\x89PNG\r\n\x1a\n0000", "scan", ".png", "image/png"))
    def test_plausible_documents(self, case: tuple[bytes, str, str, str]) -> None:
        self.check_document(*case)

    def check_document(
        self, content: bytes, stem: str, extension: str, content_type: str
    ) -> None:
        from handicap.models import DemandeAmenagement, PieceJustificative

        self.client.force_login(self.user)
        files_before = stored_files()
        response = self.client.post(
            self.url,
            data=multipart(
                stem + extension,
                content,
                content_type,
                field="pieces",
                fields={"besoins": "Besoin de temps.", "consentement": "on"},
            ),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )
        if response.status_code == 400:
            # A part without a file name is a plain form field: a NUL character in
            # it is refused for every view (certif.middleware.RefuseNulMiddleware).
            self.assertIn(b"\x00", content)
            self.assertEqual(stem + extension, "")
            self.assertContains(
                response, "La requête contient un caractère nul", status_code=400
            )
            self.assertEqual(stored_files(), files_before)
            self.assertFalse(
                DemandeAmenagement.objects.filter(inscription=self.inscription).exists()
            )
            return
        new_files = stored_files() - files_before
        demandes = list(DemandeAmenagement.objects.filter(inscription=self.inscription))
        pieces = list(PieceJustificative.objects.filter(demande__in=demandes))
        event("accepted" if demandes else "refused")
        if demandes:
            self.assertEqual(response.status_code, 302)
            self.assertEqual(response["Location"], demandes[0].get_absolute_url())
            # An empty file name is no file at all for the browser and for Django.
            self.assertLessEqual(len(pieces), 1)
            self.assertEqual(len(new_files), len(pieces))
            for piece in pieces:
                self.assertEqual(piece.sha256, hashlib.sha256(content).hexdigest())
                self.assertIn(
                    piece.type_mime, {"application/pdf", "image/png", "image/jpeg"}
                )
                self.assertEqual(new_files.pop().read_bytes(), content)
                Path(piece.fichier.path).unlink()
        else:
            self.assertEqual(response.status_code, 200)
            self.assertEqual(pieces, [])
            self.assertEqual(new_files, set())
            self.assertTrue(response.context["form"].errors)
