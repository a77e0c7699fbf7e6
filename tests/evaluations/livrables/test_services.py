"""Deliverables: upload checks (content, extension, size, name, deadline, path),
versions, withdrawal, all-or-nothing storage, and permission-checked download."""

import hashlib
import io
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from certif.roles import Role
from certif.uploads import BUREAUTIQUE, sanitise_name
from evaluations.jury.models import Affectation, ConflitInterets, MembreJury
from evaluations.livrables.models import Livrable
from evaluations.livrables.services import Depot, livrable_retirer, livrables_deposer
from evaluations.sessions.models import Session
from tests.evaluations.factories import (
    make_livrable,
    modalites_of,
    odf_bytes,
    ooxml_bytes,
    pdf_bytes,
    upload,
)
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
)


def stored_files() -> set[Path]:
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    return {path for path in root.rglob("*") if path.is_file()}


class CutConnection(io.BytesIO):
    """An upload whose stream breaks after its first block, like a connection
    cut in the middle of the transfer."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        if self.reads > 2:  # the type check, then one block written
            raise OSError("connexion interrompue")
        return super().read(size)


class LivrableTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel()
        cls.session = make_session(cls.referentiel)
        cls.candidat = make_candidat("candidat@example.org")
        cls.inscription = make_inscription(cls.candidat, cls.session, blocs=["A1"])
        cls.user = cls.candidat.user
        modalites = modalites_of(cls.inscription)
        cls.modalite = modalites[0]
        cls.hors_parcours = (
            cls.referentiel.blocs.get(code="A2")
            .activites.first()
            .competences.first()
            .modalite
        )

    def deposer(self, *depots: tuple[str, bytes], inscription=None) -> list[Livrable]:  # type: ignore[no-untyped-def]
        return livrables_deposer(
            inscription=inscription or self.inscription,
            modalite=self.modalite,
            depots=[Depot(fichier=upload(n, c), nom=n) for n, c in depots],
            by=self.user,
        )

    def assert_refused(self, message: str, *depots: tuple[str, bytes]) -> None:
        before = stored_files()
        with self.assertRaisesMessage(ValidationError, message):
            self.deposer(*depots)
        self.assertEqual(Livrable.objects.count(), 0)
        self.assertEqual(stored_files(), before)


class UploadTests(LivrableTestCase):
    def test_pdf_upload_with_receipt_data(self) -> None:
        content = pdf_bytes(b"x" * 100_000)
        before = stored_files()
        (livrable,) = self.deposer(("Mon dossier.pdf", content))
        self.assertEqual(livrable.nom_original, "Mon dossier.pdf")
        self.assertEqual(livrable.taille, len(content))
        self.assertEqual(livrable.sha256, hashlib.sha256(content).hexdigest())
        self.assertEqual(livrable.type_mime, "application/pdf")
        self.assertEqual(livrable.version, 1)
        self.assertEqual(livrable.depose_par, self.user)
        self.assertRegex(
            str(livrable.fichier.name),
            rf"^livrables/{self.inscription.pk}/[0-9a-f]{{32}}\.pdf$",
        )
        (new_file,) = stored_files() - before
        self.assertEqual(new_file.read_bytes(), content)
        self.assertEqual(new_file.stat().st_mode & 0o777, 0o600)

    def test_every_accepted_format(self) -> None:
        contents = {
            ".pdf": pdf_bytes(),
            ".docx": ooxml_bytes("word"),
            ".xlsx": ooxml_bytes("xl"),
            ".pptx": ooxml_bytes("ppt"),
            ".odt": odf_bytes(BUREAUTIQUE.types[".odt"]),
            ".ods": odf_bytes(BUREAUTIQUE.types[".ods"]),
            ".odp": odf_bytes(BUREAUTIQUE.types[".odp"]),
        }
        livrables = self.deposer(*((f"fichier{ext}", c) for ext, c in contents.items()))
        self.assertEqual(
            {livrable.nom_original: livrable.type_mime for livrable in livrables},
            {f"fichier{ext}": BUREAUTIQUE.types[ext] for ext in contents},
        )

    def test_upper_case_extension(self) -> None:
        (livrable,) = self.deposer(("RAPPORT.PDF", pdf_bytes()))
        self.assertEqual(livrable.type_mime, "application/pdf")

    def test_empty_file(self) -> None:
        self.assert_refused("Le fichier « vide.pdf » est vide.", ("vide.pdf", b""))

    def test_executable_renamed_pdf(self) -> None:
        exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
        self.assert_refused(
            "Le contenu de « setup.pdf » n'est pas un document PDF, DOCX, ODT, PPTX, "
            "ODP, XLSX, ODS : fichier refusé.",
            ("setup.pdf", exe),
        )

    def test_pdf_named_docx(self) -> None:
        self.assert_refused(
            "Le contenu de « rapport.docx » est un fichier PDF, pas DOCX : renommez-le "
            "avec la bonne extension.",
            ("rapport.docx", pdf_bytes()),
        )

    def test_unknown_extension(self) -> None:
        self.assert_refused(
            "Format non accepté (« photo.exe ») : déposez un fichier PDF, DOCX, ODT, "
            "PPTX, ODP, XLSX, ODS.",
            ("photo.exe", pdf_bytes()),
        )

    def test_zip_that_is_not_an_office_document(self) -> None:
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("virus.js", "alert(1)")
        self.assert_refused(
            "n'est pas un document", ("archive.docx", buffer.getvalue())
        )

    @override_settings(UPLOAD_MAX_BYTES=1000)
    def test_too_large(self) -> None:
        before = stored_files()
        with self.assertRaises(ValidationError) as raised:
            self.deposer(("gros.pdf", pdf_bytes(b"x" * 1000)))
        self.assertEqual(
            raised.exception.messages,
            ["Le fichier dépasse la taille maximale de 1\xa0000 octets."],
        )
        self.assertEqual(Livrable.objects.count(), 0)
        self.assertEqual(stored_files(), before)

    @override_settings(UPLOAD_MAX_BYTES=1000)
    def test_too_large_while_streaming(self) -> None:
        """A stream without a declared size is stopped as it grows."""
        before = stored_files()
        with self.assertRaisesMessage(ValidationError, "taille maximale"):
            livrables_deposer(
                inscription=self.inscription,
                modalite=self.modalite,
                depots=[Depot(fichier=io.BytesIO(pdf_bytes(b"x" * 5000)), nom="a.pdf")],
                by=self.user,
            )
        self.assertEqual(Livrable.objects.count(), 0)
        self.assertEqual(stored_files(), before)

    def test_names_with_separators_or_control_characters(self) -> None:
        for name, message in [
            ("../../etc/passwd.pdf", "Le nom du fichier ne doit pas contenir de « / »"),
            ("dossier\\rapport.pdf", "Le nom du fichier ne doit pas contenir de « / »"),
            (
                "rapport\x00.pdf",
                "Le nom du fichier contient des caractères de contrôle",
            ),
            ("rapport\n.pdf", "Le nom du fichier contient des caractères de contrôle"),
            (
                "rapport\u202e.pdf",
                "Le nom du fichier contient des caractères de contrôle",
            ),
        ]:
            with self.subTest(name=name):
                self.assert_refused(message, (name, pdf_bytes()))

    def test_name_sanitised_for_display(self) -> None:
        decomposed = "  Me\u0301moire   final.pdf "
        self.assertEqual(sanitise_name(decomposed), "Mémoire final.pdf")
        long_name = "a" * 300 + ".pdf"
        self.assertEqual(sanitise_name(long_name), "a" * 146 + ".pdf")

    def test_after_the_deadline(self) -> None:
        Session.objects.filter(pk=self.session.pk).update(
            date_limite_depot=timezone.now() - timedelta(minutes=1)
        )
        self.assert_refused(
            "La date limite de dépôt est passée : le dossier est en lecture seule.",
            ("a.pdf", pdf_bytes()),
        )

    def test_session_not_open(self) -> None:
        Session.objects.filter(pk=self.session.pk).update(statut="en_evaluation")
        self.assert_refused(
            "Les dépôts sont fermés : la session est au statut « En évaluation ».",
            ("a.pdf", pdf_bytes()),
        )

    def test_modality_outside_the_path(self) -> None:
        with self.assertRaisesMessage(
            ValidationError, "Cette modalité ne fait pas partie de votre parcours."
        ):
            livrables_deposer(
                inscription=self.inscription,
                modalite=self.hors_parcours,
                depots=[Depot(fichier=upload("a.pdf"), nom="a.pdf")],
                by=self.user,
            )
        self.assertEqual(Livrable.objects.count(), 0)

    def test_one_bad_file_refuses_the_batch(self) -> None:
        self.assert_refused("est vide", ("bon.pdf", pdf_bytes()), ("vide.pdf", b""))

    def test_connection_cut_leaves_no_row_and_no_file(self) -> None:
        before = stored_files()
        stream = CutConnection(pdf_bytes(b"y" * 200_000))
        with self.assertRaisesMessage(OSError, "connexion interrompue"):
            livrables_deposer(
                inscription=self.inscription,
                modalite=self.modalite,
                depots=[
                    Depot(fichier=upload("premier.pdf"), nom="premier.pdf"),
                    Depot(fichier=stream, nom="coupé.pdf"),
                ],
                by=self.user,
            )
        self.assertEqual(stream.reads, 3)
        self.assertEqual(Livrable.objects.count(), 0)
        self.assertEqual(stored_files(), before)


class VersionTests(LivrableTestCase):
    def test_reupload_creates_version_two_and_keeps_one(self) -> None:
        first = make_livrable(self.inscription, self.modalite, name="Rapport.pdf")
        second = make_livrable(
            self.inscription,
            self.modalite,
            name="rapport.pdf",
            content=pdf_bytes(b"v2"),
        )
        other = make_livrable(self.inscription, self.modalite, name="annexe.pdf")
        self.assertEqual((second.version, second.remplace), (2, first))
        self.assertEqual((other.version, other.remplace), (1, None))
        first.refresh_from_db()
        self.assertEqual(first.remplace_par, second)
        self.assertIs(first.fichier.storage.exists(str(first.fichier.name)), True)
        self.assertNotEqual(first.sha256, second.sha256)
        third = make_livrable(self.inscription, self.modalite, name="Rapport.pdf")
        self.assertEqual((third.version, third.remplace), (3, second))

    def test_withdraw_keeps_the_row(self) -> None:
        livrable = make_livrable(self.inscription, self.modalite)
        livrable = livrable_retirer(livrable=livrable, by=self.user)
        self.assertIsNotNone(livrable.retire_le)
        self.assertEqual(livrable.retire_par, self.user)
        self.assertEqual(Livrable.objects.filter(pk=livrable.pk).count(), 1)
        self.assertIs(livrable.fichier.storage.exists(str(livrable.fichier.name)), True)
        with self.assertRaisesMessage(ValidationError, "Ce fichier est déjà retiré."):
            livrable_retirer(livrable=livrable, by=self.user)

    def test_withdraw_refused_after_deadline(self) -> None:
        livrable = make_livrable(self.inscription, self.modalite)
        Session.objects.filter(pk=self.session.pk).update(
            date_limite_depot=timezone.now() - timedelta(seconds=1)
        )
        with self.assertRaisesMessage(
            ValidationError, "La date limite de dépôt est passée"
        ):
            livrable_retirer(livrable=livrable, by=self.user)
        livrable.refresh_from_db()
        self.assertIsNone(livrable.retire_le)


class DownloadTests(LivrableTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.autre = make_candidat("autre@example.org", nom="Autre")
        make_inscription(cls.autre, cls.session)
        cls.referent = make_user("referent@example.org", Role.REFERENT_HANDICAP)
        cls.jury = make_user("jury@example.org", Role.MEMBRE_JURY)
        cls.jury_conflit = make_user("conflit@example.org", Role.MEMBRE_JURY)
        cls.jury_autre = make_user("jury2@example.org", Role.MEMBRE_JURY)
        cls.president = make_user(
            "president@example.org", Role.PRESIDENT, Role.MEMBRE_JURY
        )
        membre = MembreJury.objects.create(session=cls.session, user=cls.jury)
        conflit = MembreJury.objects.create(session=cls.session, user=cls.jury_conflit)
        MembreJury.objects.create(session=cls.session, user=cls.jury_autre)
        MembreJury.objects.create(
            session=cls.session, user=cls.president, role="president"
        )
        Affectation.objects.create(membre=membre, inscription=cls.inscription)
        Affectation.objects.create(membre=conflit, inscription=cls.inscription)
        ConflitInterets.objects.create(
            membre=conflit, inscription=cls.inscription, nature="employeur"
        )

    def setUp(self) -> None:
        self.content = pdf_bytes(b"contenu")
        self.livrable = make_livrable(
            self.inscription, self.modalite, name="Mémoire.pdf", content=self.content
        )
        self.url = reverse("evaluations:livrable_download", args=[self.livrable.pk])

    def test_allowed_users_get_the_file_as_attachment(self) -> None:
        for user in (self.user, self.admin, self.jury, self.president):
            with self.subTest(user=user.email):
                self.client.force_login(user)
                response = self.client.get(self.url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(b"".join(response.streaming_content), self.content)
                self.assertEqual(response["Content-Type"], "application/pdf")
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertEqual(
                    response["Content-Disposition"],
                    "attachment; filename*=utf-8''M%C3%A9moire.pdf",
                )

    def test_inline_pdf(self) -> None:
        self.client.force_login(self.jury)
        response = self.client.get(self.url + "?inline=1")
        self.assertEqual(
            response["Content-Disposition"], "inline; filename*=utf-8''M%C3%A9moire.pdf"
        )
        # Read to the end: the test client then closes the file (an explicit
        # close() would also end the database connection on PostgreSQL).
        self.assertEqual(b"".join(response.streaming_content), self.content)

    @override_settings(X_ACCEL_REDIRECT_PREFIX="/_prive/")
    def test_behind_nginx_the_file_is_handed_to_nginx(self) -> None:
        """After the permission check, an empty body and the file's place in the
        internal location: nginx sends the bytes."""
        self.client.force_login(self.jury)
        response = self.client.get(self.url + "?inline=1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        self.assertEqual(
            response["X-Accel-Redirect"],
            "/_prive/" + quote(str(self.livrable.fichier.name)),
        )
        self.assertEqual(
            (
                settings.PRIVATE_STORAGE_ROOT / str(self.livrable.fichier.name)
            ).read_bytes(),
            self.content,
        )
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            response["Content-Disposition"], "inline; filename*=utf-8''M%C3%A9moire.pdf"
        )
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Cache-Control"], "private, no-store")

    @override_settings(X_ACCEL_REDIRECT_PREFIX="/_prive/")
    def test_behind_nginx_outsiders_get_no_redirect(self) -> None:
        self.client.force_login(self.jury_autre)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("X-Accel-Redirect", response)
        self.client.force_login(self.referent)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("X-Accel-Redirect", response)

    def test_outsiders_get_404(self) -> None:
        for user in (self.autre.user, self.jury_conflit, self.jury_autre):
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_referent_handicap_forbidden(self) -> None:
        self.client.force_login(self.referent)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_anonymous_redirected(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(
            response, f"/connexion/?next={self.url}", fetch_redirect_response=False
        )

    def test_wrong_method(self) -> None:
        self.client.force_login(self.user)
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_unknown(self) -> None:
        self.client.force_login(self.admin)
        url = reverse("evaluations:livrable_download", args=[999999])
        self.assertEqual(self.client.get(url).status_code, 404)
