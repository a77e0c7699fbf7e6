"""The QR code's PNG is segno's module matrix, one pixel per module, with its quiet
zone, shown enlarged and not interpolated."""

import base64
import io
import re
import subprocess
import tempfile
from pathlib import Path

import segno
from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from certif.pdf import html_to_pdf
from evaluations.documents.qr import DARK, LIGHT, png_of, qr_img, qr_matrix

URLS = [
    "http://127.0.0.1:8000/verification/ABCDEFGHIJKLMNOP/",
    "https://certification.exemple.fr/verification/Z7Z7Z7Z7Z7Z7Z7Z7/",
    "https://a.fr/verification/QQQQQQQQQQQQQQQQ/",
]
IMG = re.compile(
    r'<img class="doc-qr" src="data:image/png;base64,([A-Za-z0-9+/=]+)" '
    r'style="width: (\d+)px" alt="">'
)


def pixels(png: bytes) -> tuple[str, tuple[int, int], list[list[int]]]:
    image = Image.open(io.BytesIO(png))
    width, height = image.size
    data = image.tobytes()
    return (
        image.mode,
        image.size,
        [list(data[y * width : (y + 1) * width]) for y in range(height)],
    )


def expected(matrix: list[list[int]] | tuple, border: int) -> list[list[int]]:
    side = len(matrix) + 2 * border
    rows = [[LIGHT] * side for _ in range(side)]
    for y, row in enumerate(matrix):
        for x, module in enumerate(row):
            rows[y + border][x + border] = DARK if module else LIGHT
    return rows


class QrPngTests(SimpleTestCase):
    def test_png_is_segno_matrix_with_quiet_zone(self) -> None:
        for url in URLS:
            with self.subTest(url=url):
                matrix = qr_matrix(url)
                self.assertEqual(
                    matrix, segno.make(url, error="m", mask=0, micro=False).matrix
                )
                side = len(matrix) + 8
                self.assertEqual(
                    pixels(png_of(matrix)), ("L", (side, side), expected(matrix, 4))
                )

    def test_qr_img_is_the_png_as_a_data_url_three_pixels_per_module(self) -> None:
        url = URLS[0]
        match = IMG.fullmatch(qr_img(url))
        assert match is not None
        matrix = qr_matrix(url)
        self.assertEqual(len(matrix), 33)
        self.assertEqual(base64.b64decode(match.group(1)), png_of(matrix))
        self.assertEqual(match.group(2), str((33 + 8) * 3))

    def test_pdf_image_is_not_interpolated(self) -> None:
        html = f"<!doctype html><html><body>{qr_img(URLS[0])}</body></html>"
        with tempfile.TemporaryDirectory() as folder:
            pdf = Path(folder) / "qr.pdf"
            pdf.write_bytes(html_to_pdf(html, archive=True))
            listing = subprocess.run(  # noqa: S603 - fixed arguments, test only
                ["/usr/bin/pdfimages", "-list", str(pdf)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.splitlines()
        # page num type width height color comp bpc enc interp ...
        self.assertEqual(len(listing), 3)
        self.assertEqual(
            listing[2].split()[:10],
            ["1", "0", "image", "41", "41", "gray", "1", "8", "image", "no"],
        )

    @given(
        st.integers(min_value=1, max_value=21).flatmap(
            lambda n: st.lists(
                st.lists(st.integers(0, 1), min_size=n, max_size=n),
                min_size=n,
                max_size=n,
            )
        ),
        st.integers(min_value=0, max_value=4),
    )
    def test_any_matrix_is_drawn_exactly(
        self, matrix: list[list[int]], border: int
    ) -> None:
        side = len(matrix) + 2 * border
        self.assertEqual(
            pixels(png_of(matrix, border=border)),
            ("L", (side, side), expected(matrix, border)),
        )
