"""QR codes of the awards, as PNG images for the PDF engine.

segno encodes the URL (version, error correction, masking); this module writes
segno's module matrix as a greyscale PNG of one pixel per module, quiet zone
included (a few hundred bytes). The document shows it enlarged, with
``image-rendering: pixelated`` (``static/css/print.css``): WeasyPrint then writes
the image with ``/Interpolate false``, so viewers and printers paint each module as
a sharp square at any resolution (checked with ``pdftoppm -r 300``: two grey levels,
no anti-aliased edge). Drawn as an SVG path instead, the code cost ~3 ms of a
certificate: WeasyPrint parses and draws a path in Python, stroke by stroke."""

import base64
import io
from collections.abc import Sequence

import segno
from PIL import Image

DARK = 0x11  # #111, the documents' text colour
LIGHT = 0xFF


def qr_matrix(url: str) -> tuple[bytearray, ...]:
    """segno's module matrix of ``url`` (1 for a dark module).

    The mask is fixed: every mask is valid, and letting segno score all eight
    costs more than the rest of the QR code."""
    return segno.make(url, error="m", mask=0, micro=False).matrix


def png_of(matrix: Sequence[Sequence[int]], *, border: int = 4) -> bytes:
    """``matrix`` as a greyscale PNG, one pixel per module, with a quiet zone of
    ``border`` modules."""
    side = len(matrix) + 2 * border
    margin = bytes([LIGHT]) * border
    quiet = [bytes([LIGHT]) * side] * border
    rows = [
        margin + bytes(DARK if module else LIGHT for module in row) + margin
        for row in matrix
    ]
    image = Image.frombytes("L", (side, side), b"".join(quiet + rows + quiet))
    png = io.BytesIO()
    image.save(png, format="PNG")
    return png.getvalue()


def qr_img(url: str, *, scale: int = 3, border: int = 4) -> str:
    """The QR code of ``url`` as an ``<img>`` (a ``data:`` URL, no file, no
    network), ``scale`` CSS pixels per module."""
    matrix = qr_matrix(url)
    side = len(matrix) + 2 * border
    png = base64.b64encode(png_of(matrix, border=border)).decode("ascii")
    return (
        f'<img class="doc-qr" src="data:image/png;base64,{png}" '
        f'style="width: {side * scale}px" alt="">'
    )
