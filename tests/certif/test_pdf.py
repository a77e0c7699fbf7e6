"""The PDF engine wrapper: images given as bytes, addressed by their content and
decoded once per process."""

import hashlib
import io

from PIL import Image

from certif import pdf


def _png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _page(content: bytes) -> str:
    return f'<img src="{pdf.image_url(content)}" alt="">'


def _pages_images(document: bytes) -> int:
    return document.count(b"/Subtype /Image")


def test_image_url_names_the_content():
    red = _png((255, 0, 0))
    assert pdf.image_url(red) == (f"certif-image:{hashlib.sha256(red).hexdigest()}")
    assert pdf.image_url(b"") == ""


def test_an_image_given_as_bytes_is_embedded():
    red = _png((255, 0, 0))
    assert _pages_images(pdf.html_to_pdf(_page(red), images=[red])) == 1
    # Not given: nothing is fetched, nothing is drawn.
    assert _pages_images(pdf.html_to_pdf(_page(_png((1, 2, 3))), images=[red])) == 0


def test_the_image_cache_is_keyed_by_content(monkeypatch):
    monkeypatch.setattr(pdf, "_images", {})
    red, blue = _png((255, 0, 0)), _png((0, 0, 255))
    pdf.html_to_pdf(_page(red), images=[red])
    decoded = pdf._images[pdf.image_url(red)]
    pdf.html_to_pdf(_page(red), archive=True, images=[red])
    assert pdf._images[pdf.image_url(red)] is decoded
    pdf.html_to_pdf(_page(blue), images=[blue])
    assert [key for key in pdf._images if key.startswith("certif-image:")] == [
        pdf.image_url(red),
        pdf.image_url(blue),
    ]


def test_a_full_image_cache_is_replaced(monkeypatch):
    monkeypatch.setattr(pdf, "IMAGE_CACHE_ENTRIES", 2)
    full = {"a": None, "b": None}
    monkeypatch.setattr(pdf, "_images", full)
    green = _png((0, 128, 0))
    pdf.html_to_pdf(_page(green), images=[green])
    assert pdf._images is not full
    assert full == {"a": None, "b": None}
    assert [key for key in pdf._images if key.startswith("certif-image:")] == [
        pdf.image_url(green)
    ]
