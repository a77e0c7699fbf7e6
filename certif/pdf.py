"""The one place that talks to the PDF engine (WeasyPrint).

WeasyPrint is imported lazily so that processes that never render a PDF do not pay
for it. Documents never fetch anything over the network: the print stylesheet is read
from ``static/css/print.css``; images are ``data:`` URLs or bytes given to the render
(``image_url``).
"""

import atexit
import hashlib
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class RenderedFile:
    filename: str
    content_type: str
    content: bytes


@cache
def _engine() -> tuple[Any, Any, Any]:
    from weasyprint import CSS, HTML  # noqa: PLC0415 - heavy import, only when rendering
    from weasyprint.html import UA, UA_COUNTER_STYLE  # noqa: PLC0415
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

    # WeasyPrint's user-agent stylesheet without its footnote and note rules
    # (``::footnote-call``, ``::footnote-marker``, ``::note-*``): no document floats
    # anything to a footnote or a note, yet each rule gave every element of every
    # document one more computed style. ~1 ms of a certificate (5 %), same pages.
    user_agent = CSS(
        string="\n".join(
            line
            for line in UA.splitlines()
            if not line.startswith(("::footnote-", "::note-"))
        ),
        counter_style=UA_COUNTER_STYLE,
    )

    class DocumentHTML(HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return super()._ua_stylesheets(forms) if forms else [user_agent]

    fonts = FontConfiguration()
    # The stylesheet's @font-face rules copy the project's fonts into a temporary
    # folder that the font configuration removes when it is collected: drop the
    # cached engine before the interpreter tears its modules down.
    atexit.register(_engine.cache_clear)
    stylesheet = CSS(
        filename=str(settings.BASE_DIR / "static" / "css" / "print.css"),
        font_config=fonts,
    )
    return DocumentHTML, stylesheet, fonts


_ONCE: dict[Any, Any] = {}


def _serialized_once(stream_class: Any) -> Any:
    """``stream_class`` whose serialized bytes are computed once per object."""
    if stream_class not in _ONCE:
        _ONCE[stream_class] = type(
            f"Once{stream_class.__name__}",
            (stream_class,),
            {"data": cached_property(stream_class.data.fget)},
        )
    return _ONCE[stream_class]


def _archive_finisher(_document: Any, pdf: Any) -> None:
    """The last touches of a PDF/A file, once WeasyPrint has built it:

    - PDF/A forbids an image's ``/Interpolate true`` (ISO 19005-2, 6.2.8), which
      WeasyPrint (70) writes for every image not drawn ``image-rendering:
      pixelated`` (the logo, the signature) even in ``pdf/a-3b``: the key is
      removed (its default is false);
    - PDF/A needs a file identifier: pydyf (0.13) derives it from a hash of every
      object, serializing each stream a second time, zlib at level 9 included
      (fonts, page, images, colour profile): each stream keeps its first
      serialization. Same bytes, ~1 ms less on a certificate."""
    import pydyf  # noqa: PLC0415 - heavy import, only when rendering

    for pdf_object in pdf.objects:
        if isinstance(pdf_object, pydyf.Stream):
            if pdf_object.extra.get("Subtype") == "/Image":
                pdf_object.extra.pop("Interpolate", None)
            pdf_object.__class__ = _serialized_once(type(pdf_object))


# Issued documents are archived for decades: PDF/A-3b, fonts embedded (the
# project's fonts are always embedded by WeasyPrint).
ARCHIVE_VARIANT = "pdf/a-3b"


# Images given as bytes (the certifier's logo and signature) are addressed by the
# SHA-256 of their content: the HTML carries a short address instead of a ``data:``
# URL that WeasyPrint's HTML parser (pure Python) would read character by character
# (~0.04 ms per kB, 20 ms for a 512 kB logo), and the fetcher below serves the bytes.
IMAGE_SCHEME = "certif-image"


def image_url(content: bytes) -> str:
    """The address of the image ``content`` in a document given ``images=[content]``
    (empty without content)."""
    if not content:
        return ""
    return f"{IMAGE_SCHEME}:{hashlib.sha256(content).hexdigest()}"


@cache
def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415

    class Fetcher(URLFetcher):
        """``data:`` URLs, and the images given to the render by their address."""

        def __init__(self, images: dict[str, bytes]) -> None:
            super().__init__(allowed_protocols={"data"})
            self._images = images

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url in self._images:
                return URLFetcherResponse(url, self._images[url])
            return super().fetch(url, headers)

    return Fetcher


# The certifier's images (given as bytes, at their ``image_url``), decoded once per
# process and shared by its renders: each render gets a dictionary of its own that
# starts with them, and the images it was given are kept afterwards. A changed logo
# has another address, seen at once. Nothing else is kept: a document's own images
# (its QR code, a ``data:`` URL) would otherwise fill the shared cache within a few
# documents. Bounded: a full cache is replaced by an empty one.
IMAGE_CACHE_ENTRIES = 16
_images: dict[str, Any] = {}


@cache
def _once_image_class() -> Any:
    import pydyf  # noqa: PLC0415 - heavy import, only when rendering
    from weasyprint.images import RasterImage  # noqa: PLC0415

    def copy(x_object: Any) -> Any:
        # The PDF writer replaces the mask of the stream it is given by a reference
        # to it in that file: each document gets its own dictionaries.
        extra = pydyf.Dictionary(x_object.extra)
        if "SMask" in extra:
            mask = extra["SMask"]
            extra["SMask"] = pydyf.Stream(mask.stream, pydyf.Dictionary(mask.extra))
        return pydyf.Stream(x_object.stream, extra)

    class OnceRasterImage(RasterImage):
        """A decoded raster image whose PDF image (WeasyPrint 70 decodes and
        re-encodes a PNG for every document that shows it: ~0.5 ms for a small
        logo and signature, more for a large logo) is computed once."""

        def get_x_object(self, interpolate: bool, dpi_ratio: float) -> Any:
            done = self.__dict__.setdefault("_x_objects", {})
            key = (interpolate, dpi_ratio)
            if key not in done:
                done[key] = super().get_x_object(interpolate, dpi_ratio)
            return copy(done[key])

    return RasterImage, OnceRasterImage


def _keep_images(cache: dict[str, Any], urls: Iterable[str]) -> None:
    """Keep in the process-wide cache the given images that ``cache`` decoded."""
    global _images  # the process-wide cache, replaced when full
    raster, once = _once_image_class()
    for url in urls:
        image = cache.get(url)
        if image is None or url in _images:
            continue
        if len(_images) >= IMAGE_CACHE_ENTRIES:
            _images = {}
        if type(image) is raster:
            image.__class__ = once
        _images[url] = image


def html_to_pdf(
    html: str, *, archive: bool = False, images: Iterable[bytes] = ()
) -> bytes:
    """Render an HTML document to PDF bytes with the project's print stylesheet;
    as PDF/A-3b when ``archive`` (issued documents). ``images``: contents that the
    HTML shows at their ``image_url``."""
    html_class, stylesheet, fonts = _engine()
    given = {image_url(content): content for content in images if content}
    cache = {url: _images[url] for url in given if url in _images}
    document = html_class(
        string=html,
        base_url=str(settings.BASE_DIR),
        url_fetcher=_fetcher_class()(given),
    )
    if not archive:
        pdf = document.write_pdf(
            stylesheets=[stylesheet], font_config=fonts, cache=cache
        )
    else:
        # WeasyPrint (70) opens its sRGB output-intent profile for PDF/A and never
        # closes it: the file is collected inside write_pdf with a ResourceWarning.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            pdf = document.write_pdf(
                stylesheets=[stylesheet],
                font_config=fonts,
                pdf_variant=ARCHIVE_VARIANT,
                cache=cache,
                finisher=_archive_finisher,
            )
    _keep_images(cache, given)
    return pdf
