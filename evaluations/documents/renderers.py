"""Pure renderers of the issued documents: a frozen snapshot (and, for awards, the
verification code and URL) in, a ``RenderedFile`` out. No database access here;
the PDF engine stays behind ``certif.pdf``."""

import base64
from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils.text import slugify

from certif.pdf import RenderedFile, html_to_pdf
from evaluations.documents.qr import qr_svg
from evaluations.documents.snapshots import (
    AddendumSnapshot,
    DistinctionSnapshot,
    LettreSnapshot,
    PVSnapshot,
    ReleveSnapshot,
)

PDF = "application/pdf"


@dataclass(frozen=True)
class Visuels:
    """The certifier's images as ``data:`` URLs (the PDF engine fetches nothing):
    its logo at the top of each document, the signatory's signature at the bottom
    right. Read from storage by the service that issues, not frozen in the
    snapshot (the PDF carries them)."""

    logo: str = ""
    signature: str = ""

    @staticmethod
    def data_url(content: bytes) -> str:
        if not content:
            return ""
        mime = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
        return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def _groupes(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _filename(prefix: str, nom: str, code: str) -> str:
    return f"{prefix}-{slugify(nom)}-{code}.pdf"


def parchemin_pdf(
    snapshot: DistinctionSnapshot,
    *,
    code: str,
    url: str,
    emis_le: datetime,
    visuels: Visuels = Visuels(),
) -> RenderedFile:
    html = render_to_string(
        "evaluations/pdf/parchemin.html",
        {
            "s": snapshot,
            "code": _groupes(code),
            "url": url,
            "qr": qr_svg(url),
            "emis_le": emis_le,
            "visuels": visuels,
        },
    )
    return RenderedFile(
        _filename("parchemin", snapshot.titulaire.nom_complet, code),
        PDF,
        html_to_pdf(html, archive=True),
    )


def attestation_pdf(
    snapshot: DistinctionSnapshot,
    *,
    code: str,
    url: str,
    emis_le: datetime,
    visuels: Visuels = Visuels(),
) -> RenderedFile:
    html = render_to_string(
        "evaluations/pdf/attestation.html",
        {
            "s": snapshot,
            "code": _groupes(code),
            "url": url,
            "qr": qr_svg(url),
            "emis_le": emis_le,
            "visuels": visuels,
        },
    )
    return RenderedFile(
        _filename("attestation", snapshot.titulaire.nom_complet, code),
        PDF,
        html_to_pdf(html, archive=True),
    )


def releve_pdf(
    snapshot: ReleveSnapshot,
    *,
    code: str,
    emis_le: datetime,
    visuels: Visuels = Visuels(),
) -> RenderedFile:
    html = render_to_string(
        "evaluations/pdf/releve.html",
        {"s": snapshot, "code": _groupes(code), "emis_le": emis_le, "visuels": visuels},
    )
    return RenderedFile(
        _filename("releve", snapshot.titulaire.nom_complet, code),
        PDF,
        html_to_pdf(html, archive=True),
    )


def pv_pdf(
    snapshot: PVSnapshot,
    *,
    code: str,
    emis_le: datetime,
    visuels: Visuels = Visuels(),
) -> RenderedFile:
    html = render_to_string(
        "evaluations/pdf/pv.html",
        {"s": snapshot, "code": _groupes(code), "emis_le": emis_le, "visuels": visuels},
    )
    return RenderedFile(
        f"pv-{slugify(snapshot.session)}-{code}.pdf",
        PDF,
        html_to_pdf(html, archive=True),
    )


def lettre_pdf(
    snapshot: LettreSnapshot,
    *,
    code: str,
    url: str,
    emis_le: datetime,
    visuels: Visuels = Visuels(),
) -> RenderedFile:
    """The result letter: decision, motive, blocs, validity, appeal route and
    deadline, with the verification code and QR of its page."""
    html = render_to_string(
        "evaluations/pdf/lettre_resultat.html",
        {
            "s": snapshot,
            "r": snapshot.releve,
            "code": _groupes(code),
            "url": url,
            "qr": qr_svg(url),
            "emis_le": emis_le,
            "visuels": visuels,
        },
    )
    return RenderedFile(
        _filename("lettre-resultat", snapshot.titulaire.nom_complet, code),
        PDF,
        html_to_pdf(html, archive=True),
    )


def addendum_pdf(
    snapshot: AddendumSnapshot,
    *,
    code: str,
    emis_le: datetime,
    visuels: Visuels = Visuels(),
) -> RenderedFile:
    """The addendum to the session's PV: each decided appeal, its outcome and
    motive, and for a revised decision the new decision once voted."""
    html = render_to_string(
        "evaluations/pdf/addendum_pv.html",
        {"s": snapshot, "code": _groupes(code), "emis_le": emis_le, "visuels": visuels},
    )
    return RenderedFile(
        f"addendum-pv-{slugify(snapshot.session)}-{code}.pdf",
        PDF,
        html_to_pdf(html, archive=True),
    )
