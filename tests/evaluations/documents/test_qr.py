"""The QR code's SVG paints exactly segno's dark modules, with fewer strokes."""

import base64
import re

import segno
from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from evaluations.documents.qr import qr_img, qr_svg, strokes_of, svg_of

URLS = [
    "http://127.0.0.1:8000/verification/ABCDEFGHIJKLMNOP/",
    "https://certification.exemple.fr/verification/Z7Z7Z7Z7Z7Z7Z7Z7/",
    "https://a.fr/verification/QQQQQQQQQQQQQQQQ/",
]
STROKE = re.compile(r"M([\d.]+) ([\d.]+)([hv])(\d+)")


def dark_modules(matrix: list[list[int]] | tuple) -> set[tuple[int, int]]:
    return {(x, y) for y, row in enumerate(matrix) for x, v in enumerate(row) if v}


def painted_by_svg(svg: str, *, border: int) -> set[tuple[int, int]]:
    """Modules under the strokes of the SVG's path (stroke width one module)."""
    match = re.search(r' d="([^"]*)"', svg)
    assert match is not None
    path = match.group(1)
    strokes = STROKE.findall(path)
    assert "".join(f"M{x} {y}{d}{n}" for x, y, d, n in strokes) == path
    painted = set()
    for x, y, direction, n in strokes:
        if direction == "h":
            column, row = float(x) - border, float(y) - border - 0.5
            assert column.is_integer() and row.is_integer()
            painted |= {(int(column) + k, int(row)) for k in range(int(n))}
        else:
            column, row = float(x) - border - 0.5, float(y) - border
            assert column.is_integer() and row.is_integer()
            painted |= {(int(column), int(row) + k) for k in range(int(n))}
    return painted


class QrSvgTests(SimpleTestCase):
    def test_svg_paints_exactly_the_dark_modules_for_every_mask(self) -> None:
        for url in URLS:
            for mask in range(8):
                with self.subTest(url=url, mask=mask):
                    matrix = segno.make(url, error="m", mask=mask, micro=False).matrix
                    svg = svg_of(
                        strokes_of(matrix),
                        modules=len(matrix),
                        scale=3,
                        border=4,
                        dark="#111",
                    )
                    self.assertEqual(
                        painted_by_svg(svg, border=4), dark_modules(matrix)
                    )

    def test_qr_svg_is_segno_symbol_with_quiet_zone(self) -> None:
        url = URLS[0]
        matrix = segno.make(url, error="m", mask=0, micro=False).matrix
        svg = qr_svg(url)
        side = len(matrix) + 8
        self.assertTrue(
            svg.startswith(
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{side * 3}" '
                f'height="{side * 3}" viewBox="0 0 {side} {side}">'
            )
        )
        self.assertIn('stroke="#111"', svg)
        self.assertEqual(painted_by_svg(svg, border=4), dark_modules(matrix))

    def test_qr_img_is_the_svg_as_a_data_url(self) -> None:
        url = URLS[0]
        img = qr_img(url)
        prefix = '<img class="doc-qr" src="data:image/svg+xml;base64,'
        self.assertTrue(img.startswith(prefix))
        self.assertTrue(img.endswith('" alt="">'))
        encoded = img.removeprefix(prefix).removesuffix('" alt="">')
        self.assertEqual(base64.b64decode(encoded).decode("ascii"), qr_svg(url))

    def test_fewer_strokes_than_row_runs(self) -> None:
        matrix = segno.make(URLS[0], error="m", mask=0, micro=False).matrix
        row_runs = sum(len(re.findall(rb"\x01+", bytes(row))) for row in matrix)
        self.assertEqual(row_runs, 287)
        self.assertEqual(len(strokes_of(matrix)), 231)

    @given(
        st.integers(min_value=1, max_value=21).flatmap(
            lambda n: st.lists(
                st.lists(st.integers(0, 1), min_size=n, max_size=n),
                min_size=n,
                max_size=n,
            )
        )
    )
    def test_any_matrix_is_painted_exactly(self, matrix: list[list[int]]) -> None:
        painted = set()
        for x, y, n, down in strokes_of(matrix):
            cells = {(x, y + k) if down else (x + k, y) for k in range(n)}
            self.assertEqual(len(cells), n)
            painted |= cells
        self.assertEqual(painted, dark_modules(matrix))
