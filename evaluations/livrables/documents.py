"""The deposit receipt as a PDF: a pure renderer, a ``RecuDepot`` in (read from
the stored deposit by ``recu_of``), a ``RenderedFile`` out. No database access
here; the PDF engine stays behind ``certif.pdf``."""

from django.template.loader import render_to_string
from django.utils.text import slugify

from certif.pdf import RenderedFile, html_to_pdf
from evaluations.livrables.selectors import RecuDepot


def recu_filename(recu: RecuDepot) -> str:
    """``accuse-depot-<reference>-<file name>.pdf``, ASCII."""
    nom = slugify(recu.fichier.rsplit(".", 1)[0])[:60] or "fichier"
    return f"accuse-depot-{recu.reference}-{nom}.pdf"


def recu_pdf(recu: RecuDepot) -> RenderedFile:
    html = render_to_string("evaluations/pdf/recu_depot.html", {"recu": recu})
    return RenderedFile(recu_filename(recu), "application/pdf", html_to_pdf(html))
