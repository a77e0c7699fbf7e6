"""Pure renderers of the issued documents: a frozen snapshot (and, for awards, the
verification code and URL) in, a ``RenderedFile`` out. No database access here;
the PDF engine stays behind ``certif.pdf``."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils.text import slugify

from certif.pdf import ZONES, RenderedFile, html_to_pdf, image_url
from evaluations.documents.qr import qr_img
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
    """The certifier's images: its logo at the top of each document, the
    signatory's signature at the bottom right. Read from storage by the service
    that issues, not frozen in the snapshot (the PDF carries them). The templates
    show them at ``logo_url`` and ``signature_url``; the PDF engine is given the
    bytes (it fetches nothing)."""

    logo: bytes = b""
    signature: bytes = b""

    @property
    def logo_url(self) -> str:
        return image_url(self.logo)

    @property
    def signature_url(self) -> str:
        return image_url(self.signature)


def _groupes(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _filename(prefix: str, nom: str, code: str) -> str:
    return f"{prefix}-{slugify(nom)}-{code}.pdf"


def _issued(template: str, filename: str, context: dict[str, Any]) -> RenderedFile:
    """An issued document: ``template`` rendered with ``context`` as PDF/A-3b,
    its ``{% zone %}`` parts laid out once per process."""
    visuels: Visuels = context["visuels"]
    zones: list[str] = []
    html = render_to_string(template, context | {ZONES: zones})
    return RenderedFile(
        filename,
        PDF,
        html_to_pdf(
            html, archive=True, images=(visuels.logo, visuels.signature), zones=zones
        ),
    )


def _context(
    snapshot: Any,
    *,
    code: str,
    emis_le: datetime,
    visuels: Visuels,
    url: str | None = None,
) -> dict[str, Any]:
    """What every issued document's template reads; with ``url``, the address of
    its verification page and its QR code."""
    context: dict[str, Any] = {
        "s": snapshot,
        "code": _groupes(code),
        "emis_le": emis_le,
        "visuels": visuels,
    }
    if url is not None:
        context |= {"url": url, "qr": qr_img(url)}
    return context


def parchemin_pdf(
    snapshot: DistinctionSnapshot,
    *,
    code: str,
    url: str,
    emis_le: datetime,
    visuels: Visuels = Visuels(),
) -> RenderedFile:
    return _issued(
        "evaluations/pdf/parchemin.html",
        _filename("parchemin", snapshot.titulaire.nom_complet, code),
        _context(snapshot, code=code, emis_le=emis_le, visuels=visuels, url=url),
    )


def attestation_pdf(
    snapshot: DistinctionSnapshot,
    *,
    code: str,
    url: str,
    emis_le: datetime,
    visuels: Visuels = Visuels(),
) -> RenderedFile:
    return _issued(
        "evaluations/pdf/attestation.html",
        _filename("attestation", snapshot.titulaire.nom_complet, code),
        _context(snapshot, code=code, emis_le=emis_le, visuels=visuels, url=url),
    )


def releve_pdf(
    snapshot: ReleveSnapshot,
    *,
    code: str,
    emis_le: datetime,
    visuels: Visuels = Visuels(),
) -> RenderedFile:
    return _issued(
        "evaluations/pdf/releve.html",
        _filename("releve", snapshot.titulaire.nom_complet, code),
        _context(snapshot, code=code, emis_le=emis_le, visuels=visuels),
    )


def pv_pdf(
    snapshot: PVSnapshot,
    *,
    code: str,
    emis_le: datetime,
    visuels: Visuels = Visuels(),
) -> RenderedFile:
    return _issued(
        "evaluations/pdf/pv.html",
        f"pv-{slugify(snapshot.session)}-{code}.pdf",
        _context(snapshot, code=code, emis_le=emis_le, visuels=visuels),
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
    context = _context(snapshot, code=code, emis_le=emis_le, visuels=visuels, url=url)
    context["r"] = snapshot.releve
    return _issued(
        "evaluations/pdf/lettre_resultat.html",
        _filename("lettre-resultat", snapshot.titulaire.nom_complet, code),
        context,
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
    return _issued(
        "evaluations/pdf/addendum_pv.html",
        f"addendum-pv-{slugify(snapshot.session)}-{code}.pdf",
        _context(snapshot, code=code, emis_le=emis_le, visuels=visuels),
    )
