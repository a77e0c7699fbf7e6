"""The PDF engine wrapper: images given as bytes, addressed by their content and
decoded once per process."""

import base64
import hashlib
import io
import subprocess

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


def test_only_the_given_images_are_kept(monkeypatch):
    monkeypatch.setattr(pdf, "_images", {})
    red, blue = _png((255, 0, 0)), _png((0, 0, 255))
    data = "data:image/png;base64," + base64.b64encode(blue).decode("ascii")
    html = _page(red) + f'<img src="{data}" alt="">'
    assert _pages_images(pdf.html_to_pdf(html, images=[red])) == 2
    assert list(pdf._images) == [pdf.image_url(red)]


def test_a_kept_image_gives_the_same_file_each_time(monkeypatch):
    monkeypatch.setattr(pdf, "_images", {})
    # A transparent signature: its PDF image has a mask (SMask), in each file.
    image = Image.new("RGBA", (8, 4), (0, 0, 128, 0))
    image.putpixel((3, 2), (0, 0, 128, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    signature = buffer.getvalue()
    files = [
        pdf.html_to_pdf(_page(signature), archive=True, images=[signature])
        for _ in range(3)
    ]
    assert files[1] == files[0] and files[2] == files[0]
    assert files[0].count(b"/SMask") == 1
    kept = pdf._images[pdf.image_url(signature)]
    assert type(kept).__name__ == "OnceRasterImage"


def _interpolation(document: bytes, tmp_path) -> list[str]:
    """The « interp » column of ``pdfimages -list`` (poppler), one per image."""
    path = tmp_path / "document.pdf"
    path.write_bytes(document)
    listing = subprocess.run(  # noqa: S603 - fixed arguments
        ["pdfimages", "-list", str(path)],  # noqa: S607 - poppler-utils
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    return [line.split()[9] for line in listing]


def test_an_archived_document_interpolates_no_image(tmp_path):
    # PDF/A forbids /Interpolate true (ISO 19005-2, 6.2.8), which WeasyPrint
    # writes for images drawn smoothly: the logo and the signature, with their
    # transparency mask.
    buffer = io.BytesIO()
    Image.new("RGBA", (4, 4), (255, 0, 0, 128)).save(buffer, format="PNG")
    signature = buffer.getvalue()
    page = _page(signature)
    assert _interpolation(pdf.html_to_pdf(page, images=[signature]), tmp_path) == [
        "yes",
        "yes",
    ]
    archived = pdf.html_to_pdf(page, archive=True, images=[signature])
    assert _interpolation(archived, tmp_path) == ["no", "no"]


def test_the_trimmed_user_agent_stylesheet_still_holds():
    # certif.pdf overrides WeasyPrint's (private) _ua_stylesheets to drop the
    # footnote and note rules line by line: a WeasyPrint upgrade that renames the
    # hook or writes those rules on several lines must fail here, not silently.
    from weasyprint import HTML
    from weasyprint.html import UA

    assert "_ua_stylesheets" in vars(HTML)
    removed = [
        line for line in UA.splitlines() if line.startswith(("::footnote-", "::note-"))
    ]
    assert len(removed) == 5
    assert all(line.count("{") == 1 and line.rstrip().endswith("}") for line in removed)
    document_class = pdf._engine()[0]
    assert document_class._ua_stylesheets is not HTML._ua_stylesheets
    (user_agent,) = document_class(string="<p>x</p>")._ua_stylesheets()
    (default,) = HTML(string="<p>x</p>")._ua_stylesheets()
    assert user_agent is not default
