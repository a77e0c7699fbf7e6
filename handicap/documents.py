"""The decision letter sent to the candidate (PDF through ``certif.pdf``)."""

from django.template.loader import render_to_string

from certif.pdf import RenderedFile, html_to_pdf
from handicap.selectors import CourrierSnapshot


def courrier_decision_pdf(courrier: CourrierSnapshot) -> RenderedFile:
    """The référent's decision: accommodations and avis motivé. The snapshot holds
    no needs description nor any document, so the letter cannot show them."""
    html = render_to_string("handicap/pdf/courrier.html", {"c": courrier})
    return RenderedFile(
        "decision-amenagement.pdf", "application/pdf", html_to_pdf(html, archive=True)
    )
