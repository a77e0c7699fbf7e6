"""Objects of the sessions area for tests: tiny valid office files, uploads and
deliverables. Real rows and real files in the test storage, no mocks."""

import io
import zipfile
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from certif.models import User
from certif.roles import Role
from evaluations.livrables.models import Livrable
from evaluations.livrables.services import Depot, livrables_deposer
from evaluations.sessions.models import Candidat, Inscription
from referentiel.models import Modalite
from tests.factories import make_user

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_bytes(extra: bytes = b"") -> bytes:
    return PDF + extra


def _zip(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(entries):
            if stored_first and index == 0:
                archive.writestr(zipfile.ZipInfo(name), content)
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


def ooxml_bytes(kind: str) -> bytes:
    """A minimal Office Open XML package: kind is "word", "xl" or "ppt"."""
    part = {"word": "document.xml", "xl": "workbook.xml", "ppt": "presentation.xml"}
    return _zip(
        [
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            (f"{kind}/{part[kind]}", b"<x/>"),
        ]
    )


def odf_bytes(mimetype: str) -> bytes:
    """A minimal OpenDocument package with its ``mimetype`` first entry."""
    return _zip(
        [("mimetype", mimetype.encode()), ("content.xml", b"<x/>")],
        stored_first=True,
    )


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, pdf_bytes() if content is None else content, "application/pdf"
    )


def make_candidat_complet(email: str, **overrides: Any) -> Candidat:
    """A candidate with a full identity (account with the Candidat role)."""
    user = make_user(
        email,
        Role.CANDIDAT,
        first_name=overrides.get("prenom1", "Léa"),
        last_name=overrides.get("nom_naissance", "Martin"),
    )
    values: dict[str, Any] = {
        "nom_naissance": "MARTIN",
        "prenom1": "Léa",
        "date_naissance": date(1990, 5, 4),
        "sexe": "F",
        "commune_naissance": "Ajaccio",
        "code_insee_naissance": "2A004",
        **overrides,
    }
    return Candidat.objects.create(user=user, **values)


def modalites_of(inscription: Inscription) -> list[Modalite]:
    return list(
        Modalite.objects.filter(
            competence__activite__bloc__in=inscription.blocs.all()
        ).order_by(
            "competence__activite__bloc__ordre",
            "competence__activite__ordre",
            "competence__ordre",
            "competence__code",
        )
    )


def make_livrable(
    inscription: Inscription,
    modalite: Modalite,
    *,
    name: str = "dossier.pdf",
    content: bytes | None = None,
    by: User | None = None,
) -> Livrable:
    """A deliverable uploaded through the service (the session must be open)."""
    return livrables_deposer(
        inscription=inscription,
        modalite=modalite,
        depots=[Depot(fichier=upload(name, content), nom=name)],
        by=by or inscription.candidat.user,
    )[0]
