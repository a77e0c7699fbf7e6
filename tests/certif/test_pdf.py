"""The PDF engine wrapper: images decoded once per process, keyed by their bytes."""

import io

from PIL import Image

from certif import pdf
from evaluations.documents.renderers import Visuels


def _png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _page(content: bytes) -> str:
    return f'<img src="{Visuels.data_url(content)}" alt="">'


def test_the_image_cache_is_keyed_by_content(monkeypatch):
    monkeypatch.setattr(pdf, "_images", {})
    red, blue = _png((255, 0, 0)), _png((0, 0, 255))
    pdf.html_to_pdf(_page(red))
    decoded = pdf._images[Visuels.data_url(red)]
    pdf.html_to_pdf(_page(red), archive=True)
    assert pdf._images[Visuels.data_url(red)] is decoded
    pdf.html_to_pdf(_page(blue))
    assert [key for key in pdf._images if key.startswith("data:")] == [
        Visuels.data_url(red),
        Visuels.data_url(blue),
    ]


def test_a_full_image_cache_is_replaced(monkeypatch):
    monkeypatch.setattr(pdf, "IMAGE_CACHE_ENTRIES", 2)
    full = {"a": None, "b": None}
    monkeypatch.setattr(pdf, "_images", full)
    pdf.html_to_pdf(_page(_png((0, 128, 0))))
    assert pdf._images is not full
    assert full == {"a": None, "b": None}
    assert [key for key in pdf._images if key.startswith("data:")] == [
        Visuels.data_url(_png((0, 128, 0)))
    ]
