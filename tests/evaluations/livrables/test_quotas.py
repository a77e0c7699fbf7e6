"""Upload quotas of a candidate's file (total size, number of stored files) and
office documents whose ZIP declares too much once inflated (issue 12, item 9)."""

import io
import threading
import zipfile
from unittest import skipUnless

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from evaluations.livrables.models import Livrable
from evaluations.livrables.services import Depot, livrable_retirer, livrables_deposer
from referentiel.models import Modalite
from tests.evaluations.factories import ooxml_bytes, pdf_bytes, upload
from tests.evaluations.livrables.test_services import LivrableTestCase, stored_files
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    small_data,
)


def big_docx(inflated: int) -> bytes:
    """A real-looking DOCX with one member of ``inflated`` zero bytes (a few
    kilobytes once compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<x/>")
        archive.writestr("word/media/image1.bmp", b"\0" * inflated)
    return buffer.getvalue()


class ZipDeclaredSizeTests(LivrableTestCase):
    @override_settings(UPLOAD_ZIP_MAX_DECOMPRESSE=1024 * 1024)
    def test_an_office_document_inflating_past_the_limit_is_refused(self) -> None:
        content = big_docx(2 * 1024 * 1024)
        self.assertLess(len(content), 20_000)
        with self.assertRaises(ValidationError) as raised:
            self.deposer(("rapport.docx", content))
        self.assertEqual(
            raised.exception.messages,
            [
                "« rapport.docx » se décompresse en plus de 1\xa0Mo : ce n'est pas "
                "un document ordinaire, fichier refusé."
            ],
        )
        self.assertEqual(Livrable.objects.count(), 0)

    @override_settings(UPLOAD_ZIP_MAX_DECOMPRESSE=1024 * 1024)
    def test_below_the_limit_it_is_kept(self) -> None:
        (livrable,) = self.deposer(("rapport.docx", big_docx(512 * 1024)))
        self.assertEqual(livrable.nom_original, "rapport.docx")


class QuotaTests(LivrableTestCase):
    @override_settings(LIVRABLES_QUOTA_FICHIERS=3)
    def test_number_of_files_versions_and_withdrawn_included(self) -> None:
        (first,) = self.deposer(("a.pdf", pdf_bytes()))
        self.deposer(("a.pdf", pdf_bytes(b"v2")))  # version 2
        livrable_retirer(livrable=first, by=self.user)
        self.deposer(("b.pdf", pdf_bytes()))
        before = stored_files()
        with self.assertRaisesMessage(
            ValidationError,
            "Votre dossier a atteint la limite de 3 fichiers déposés (versions et "
            "fichiers retirés compris) : demandez à l'administrateur de la session.",
        ):
            self.deposer(("c.pdf", pdf_bytes()))
        self.assertEqual(Livrable.objects.count(), 3)
        self.assertEqual(stored_files(), before)

    @override_settings(LIVRABLES_QUOTA_FICHIERS=2)
    def test_a_batch_past_the_count_stores_nothing(self) -> None:
        before = stored_files()
        with self.assertRaisesMessage(ValidationError, "limite de 2 fichiers"):
            self.deposer(
                ("a.pdf", pdf_bytes()), ("b.pdf", pdf_bytes()), ("c.pdf", pdf_bytes())
            )
        self.assertEqual(Livrable.objects.count(), 0)
        self.assertEqual(stored_files(), before)

    @override_settings(LIVRABLES_QUOTA_OCTETS=3000)
    def test_total_size(self) -> None:
        self.deposer(("a.pdf", pdf_bytes(b"x" * 1500)))
        self.assertEqual(Livrable.objects.get().taille, 1625)
        before = stored_files()
        with self.assertRaises(ValidationError) as raised:
            self.deposer(("b.pdf", pdf_bytes(b"x" * 1500)))
        self.assertEqual(
            raised.exception.messages,
            [
                "« b.pdf » dépasserait l'espace de votre dossier (2,9\xa0ko, versions et "
                "fichiers retirés compris ; 1,3\xa0ko libres) : déposez un fichier plus "
                "léger ou demandez à l'administrateur de la session."
            ],
        )
        self.assertEqual(Livrable.objects.count(), 1)
        self.assertEqual(stored_files(), before)

    @override_settings(LIVRABLES_QUOTA_OCTETS=3000)
    def test_total_size_of_a_stream_without_declared_size(self) -> None:
        self.deposer(("a.pdf", pdf_bytes(b"x" * 1500)))
        before = stored_files()
        with self.assertRaisesMessage(ValidationError, "dépasserait l'espace"):
            livrables_deposer(
                inscription=self.inscription,
                modalite=self.modalite,
                depots=[Depot(fichier=io.BytesIO(pdf_bytes(b"x" * 1500)), nom="b.pdf")],
                by=self.user,
            )
        self.assertEqual(Livrable.objects.count(), 1)
        self.assertEqual(stored_files(), before)

    @override_settings(LIVRABLES_QUOTA_FICHIERS=1)
    def test_the_page_shows_the_message(self) -> None:
        self.deposer(("a.docx", ooxml_bytes("word")))
        self.client.force_login(self.user)
        response = self.client.post(
            reverse("evaluations:depot", args=[self.inscription.pk, self.modalite.pk]),
            {"fichiers": upload("b.pdf")},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["refus"].messages,
            [
                "Votre dossier a atteint la limite de 1 fichier déposé (versions et "
                "fichiers retirés compris) : demandez à l'administrateur de la session."
            ],
        )
        self.assertEqual(Livrable.objects.count(), 1)


@skipUnless(connection.vendor == "postgresql", "needs concurrent transactions")
class ConcurrentQuotaTests(TransactionTestCase):
    """Four uploads at the same instant with room for one: the quota is read under
    the enrolment's lock, so exactly one file is stored."""

    @override_settings(LIVRABLES_QUOTA_FICHIERS=1)
    def test_simultaneous_uploads_never_pass_the_quota_together(self) -> None:
        referentiel = make_referentiel(small_data(blocs=1, criteres=1))
        candidat = make_candidat("course@example.org")
        inscription = make_inscription(candidat, make_session(referentiel))
        modalite = Modalite.objects.get(competence__referentiel=referentiel)
        before = stored_files()
        barrier = threading.Barrier(4)
        outcomes: list[str] = []

        def deposit(index: int) -> None:
            try:
                barrier.wait(timeout=10)
                livrables_deposer(
                    inscription=inscription,
                    modalite=modalite,
                    depots=[
                        Depot(fichier=upload(f"f{index}.pdf"), nom=f"f{index}.pdf")
                    ],
                    by=candidat.user,
                )
                outcomes.append("stored")
            except ValidationError as exc:
                outcomes.append(exc.messages[0])
            finally:
                connection.close()

        threads = [threading.Thread(target=deposit, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        refused = (
            "Votre dossier a atteint la limite de 1 fichier déposé (versions et "
            "fichiers retirés compris) : demandez à l'administrateur de la session."
        )
        self.assertEqual(sorted(outcomes), [refused] * 3 + ["stored"])
        self.assertEqual(Livrable.objects.filter(inscription=inscription).count(), 1)
        self.assertEqual(len(stored_files() - before), 1)
