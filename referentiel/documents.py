from django.template.loader import render_to_string

from certif.pdf import RenderedFile, html_to_pdf
from referentiel.models import Referentiel


def referentiel_pdf(referentiel: Referentiel) -> RenderedFile:
    """The whole référentiel as a printable PDF (``referentiel`` comes from
    ``referentiel_tree``)."""
    html = render_to_string(
        "referentiel/pdf/referentiel.html", {"referentiel": referentiel}
    )
    filename = (
        f"referentiel-{referentiel.certification.code}-v{referentiel.version}.pdf"
    )
    return RenderedFile(filename, "application/pdf", html_to_pdf(html))
