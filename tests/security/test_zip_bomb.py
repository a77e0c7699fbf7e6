"""An office document is a ZIP: its type is read from its members. A crafted
OpenDocument whose « mimetype » entry inflates to hundreds of megabytes (a zip bomb
of a few hundred kilobytes) must be refused without the server inflating it (found
by this issue: the whole entry was read into memory, about 20 GB for a 20 MB upload)."""

import io
import tracemalloc
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from evaluations.livrables.models import Livrable
from referentiel.models import Modalite
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    small_data,
)

INFLATED = 100 * 1024 * 1024


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype", b" " * INFLATED + b"application/vnd.oasis.opendocument.text"
        )
    return buffer.getvalue()


class ZipBombTests(TestCase):
    def test_a_zip_bomb_is_refused_without_being_inflated(self) -> None:
        referentiel = make_referentiel(small_data(blocs=1, criteres=1))
        candidat = make_candidat("bomb@example.fr")
        inscription = make_inscription(candidat, make_session(referentiel))
        url = reverse(
            "evaluations:depot",
            args=[
                inscription.pk,
                Modalite.objects.get(competence__referentiel=referentiel).pk,
            ],
        )
        content = zip_bomb()
        self.assertLess(len(content), 200_000)
        self.client.force_login(candidat.user)
        tracemalloc.start()
        try:
            response = self.client.post(
                url,
                {"fichiers": SimpleUploadedFile("dossier.odt", content)},
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        self.assertLess(peak, 20 * 1024 * 1024)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["refus"].messages,
            [
                "Le contenu de « dossier.odt » n'est pas un document PDF, DOCX, ODT, "
                "PPTX, ODP, XLSX, ODS : fichier refusé."
            ],
        )
        self.assertEqual(Livrable.objects.count(), 0)
