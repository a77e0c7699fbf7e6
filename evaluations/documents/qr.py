"""QR codes of the awards, as SVG for the PDF engine.

segno encodes the URL (version, error correction, masking); this module only
writes segno's module matrix as one SVG path. segno's own SVG draws every
horizontal run of dark modules, about 290 strokes for a verification URL.
WeasyPrint parses an SVG path in Python, stroke by stroke, and that parsing was
the largest single cost of a certificate. Here a dark module alone in its row is
drawn by the vertical run it belongs to, when that run is longer, and a row run
whose modules are all drawn that way is left out: about a quarter fewer strokes,
the same modules (tests/evaluations/documents/test_qr.py checks that exactly the dark
modules are painted)."""

import base64
from collections.abc import Sequence

import segno

# A stroke: column, row, length in modules, and whether it runs down the column.
Stroke = tuple[int, int, int, bool]


def qr_svg(url: str, *, scale: int = 3, border: int = 4, dark: str = "#111") -> str:
    """The QR code of ``url`` as an inline ``<svg>`` element (no file, no network).

    The mask is fixed: every mask is valid, and letting segno score all eight
    costs more than the rest of the QR code."""
    matrix = segno.make(url, error="m", mask=0, micro=False).matrix
    return svg_of(
        strokes_of(matrix), modules=len(matrix), scale=scale, border=border, dark=dark
    )


def qr_img(url: str) -> str:
    """The QR code of ``url`` as an ``<img>`` of its SVG (a ``data:`` URL): the same
    drawing as the inline ``<svg>``, but WeasyPrint's HTML parser (pure Python) no
    longer reads the path character by character, and its SVG is parsed by
    ElementTree: ~0.8 ms less on a certificate."""
    svg = base64.b64encode(qr_svg(url).encode("ascii")).decode("ascii")
    return f'<img class="doc-qr" src="data:image/svg+xml;base64,{svg}" alt="">'


def strokes_of(matrix: Sequence[Sequence[int]]) -> list[Stroke]:
    """Strokes of width one module that paint exactly the dark modules."""
    n = len(matrix)
    # For each dark module, the top row and the length of its vertical run.
    top = [[0] * n for _ in range(n)]
    length = [[0] * n for _ in range(n)]
    for x in range(n):
        y = 0
        while y < n:
            if not matrix[y][x]:
                y += 1
                continue
            start = y
            while y < n and matrix[y][x]:
                y += 1
            for k in range(start, y):
                top[k][x] = start
                length[k][x] = y - start

    rows: list[list[tuple[int, int]]] = []
    vertical: dict[tuple[int, int], int] = {}
    for y, row in enumerate(matrix):
        runs = []
        x = 0
        while x < n:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < n and row[x]:
                x += 1
            runs.append((start, x - start))
            if x - start == 1 and length[y][start] > 1:
                vertical[(start, top[y][start])] = length[y][start]
        rows.append(runs)

    strokes: list[Stroke] = [(x, y, n_, True) for (x, y), n_ in vertical.items()]
    for y, runs in enumerate(rows):
        for start, run in runs:
            if not all(
                length[y][x] > 1 and (x, top[y][x]) in vertical
                for x in range(start, start + run)
            ):
                strokes.append((start, y, run, False))
    return strokes


def svg_of(
    strokes: list[Stroke], *, modules: int, scale: int, border: int, dark: str
) -> str:
    side = modules + 2 * border
    path = "".join(
        f"M{x + border + 0.5:g} {y + border}v{n}"
        if down
        else f"M{x + border} {y + border + 0.5:g}h{n}"
        for x, y, n, down in strokes
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side * scale}" '
        f'height="{side * scale}" viewBox="0 0 {side} {side}">'
        f'<path fill="none" stroke="{dark}" d="{path}"/></svg>'
    )
