"""The one place that talks to the PDF engine (WeasyPrint).

WeasyPrint is imported lazily so that processes that never render a PDF do not pay
for it. Documents never fetch anything over the network: the print stylesheet is read
from ``static/css/print.css``; images are ``data:`` URLs or bytes given to the render
(``image_url``).
"""

import atexit
import copy
import hashlib
import re
import threading
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


class _RegexCache(dict[tuple[Any, bool], Any]):
    """tinyhtml5's cache of the patterns of ``chars_until``, filled under the key it
    reads: tinyhtml5 (2.1.0) stores each pattern under the pattern itself (a chained
    assignment binds its first target first), so every call missed and rebuilt it,
    ~1 ms of a certificate's parsing. Same patterns, built once."""

    def __missing__(self, key: tuple[Any, bool]) -> Any:
        characters, opposite = key
        pattern = "".join(f"\\x{ord(character):02x}" for character in characters)
        regex = re.compile(f"[{pattern}]+" if opposite else f"[^{pattern}]+")
        self[key] = regex
        return regex


@cache
def _engine() -> tuple[Any, Any, Any]:
    import tinyhtml5.inputstream  # noqa: PLC0415 - heavy import, only when rendering
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

    tinyhtml5.inputstream.characters_until_regex = _RegexCache()
    fonts = FontConfiguration()
    # The stylesheet's @font-face rules copy the project's fonts into a temporary
    # folder that the font configuration removes when it is collected: drop the
    # cached engine before the interpreter tears its modules down.
    atexit.register(_engine.cache_clear)
    atexit.register(forget_zones)
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

    # Building an opener (ten urllib handlers) costs ~0.3 ms: built once, shared by
    # the fetchers of every render (no handler keeps state between requests).
    prototype = URLFetcher(allowed_protocols={"data"})

    class Fetcher(URLFetcher):
        """``data:`` URLs, and the images given to the render by their address."""

        def __init__(self, images: dict[str, bytes]) -> None:
            self.__dict__.update(prototype.__dict__)
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


# Zones: the parts of a document that are the same for many documents (the
# certifier's header, the certification's registration, the signatory) are laid out
# and drawn once per process and thread, then reused. A template marks them
# ``{% zone %}…{% endzone %}`` (``certif/templatetags/pdf_zones.py``); rendered with
# a list at ``ZONES``, the tag collects each zone's HTML there and leaves
# ``ZONE_MARK`` in its place (escaped data never contains ``<``, so no data can
# forge it). The first document lays a zone out in place, then its boxes are drawn
# once more, alone, to record the PDF operators (``_Drawing``). The next documents
# get an empty block of the same height instead, laid out with the rest, and drawn
# as a replaced box that replays the operators. Same pages, same text order
# (tests/certif/test_pdf_zones.py); a certificate in ~2/3 of the time.
#
# A zone is laid out alone (``display: flow-root``: no margin crosses its edge, no
# float enters or leaves it), so its boxes depend on its HTML, its width and what it
# inherits. A kept zone is reused only where the block has the same width and
# inherited style as where it was laid out; otherwise, and whenever the document is
# not one page or is tagged, the document is laid out again with every zone in
# place. A zone that the rest of the document reads (link, anchor, bookmark, running
# string, counter) or with a background is never kept.
ZONES = "pdf_zones"
ZONE_MARK = "<certif-zone>"
ZONE_CACHE_ENTRIES = 64
_zones = threading.local()  # each thread its own boxes: drawing re-shapes their text


def zone_html(inner: str, index: int | None = None, height: float | None = None) -> str:
    """A zone's block: its content in place, or an empty block ``height`` px high."""
    attributes = "" if index is None else f' data-zone="{index}"'
    if height is not None:
        return f'<div class="doc-zone"{attributes} style="height: {height!r}px"></div>'
    return f'<div class="doc-zone"{attributes}>{inner}</div>'


class _Drawing:
    """A kept zone as WeasyPrint draws it: the PDF operators drawn once, with what
    they use (the glyphs of each font, the images, the transparency states),
    replayed in each document at the place of the zone's empty block. Shown by a
    block-level replaced box, like an image, so that its text keeps its place in the
    page's content (the order in which text is extracted and read)."""

    def __init__(self, block: Any, page: Any, document: Any) -> None:
        from weasyprint.pdf.stream import Stream  # noqa: PLC0415

        # The page without its boxes (what a stacking context reads of it): the
        # document it was laid out in is not kept.
        self.block, self.page = block, page.copy_with_children([])
        self.width, self.height = block.width, block.height
        # The zone drawn alone, its content box's corner at the origin.
        resources: dict[str, Any] = {
            name: {} for name in ("ExtGState", "XObject", "Pattern", "Shading")
        }
        resources["ColorSpace"] = None  # a group's colour spaces: the page's
        stream = Stream(
            {},
            (0, 0, page.margin_width(), page.margin_height()),
            resources,
            {},
            None,
            document.color_profiles,
            document.output_intent,
        )
        self._draw_boxes(stream)
        self.operators = list(stream.stream)
        self.fonts = dict(stream._fonts)
        self.images = stream._images
        self.states = resources["ExtGState"]
        self.replayable = (
            all(isinstance(operator, bytes) for operator in self.operators)
            and not resources["Pattern"]
            and not resources["Shading"]
            and set(resources["XObject"]) == set(self.images)
            and all(key[0] in "aA" for key in self.states)
            and not any(
                font.missing or font.used_in_forms for font in self.fonts.values()
            )
        )

    def _draw_boxes(self, stream: Any) -> None:
        from weasyprint.draw import draw_stacking_context  # noqa: PLC0415
        from weasyprint.stacking import StackingContext  # noqa: PLC0415

        block = self.block.deepcopy()
        block.translate(-block.content_box_x(), -block.content_box_y())
        draw_stacking_context(stream, StackingContext.from_box(block, self.page))

    def get_intrinsic_size(self, _resolution: Any, _font_size: Any) -> tuple[Any, ...]:
        return self.width, self.height, self.width / self.height

    def draw(self, stream: Any, _width: Any, _height: Any, _style: Any) -> None:
        if not self.replayable:  # e.g. a transparency group: drawn box by box
            self._draw_boxes(stream)
            return
        stream.stream.extend(self.operators)
        for key, font in self.fonts.items():
            used = stream._fonts.get(key)
            if used is None:
                # This document's font: its own glyphs, the same font file.
                used = stream._fonts[key] = copy.copy(font)
                used.widths, used.to_unicode, used.missing = {}, {}, {}
                used.variations = dict(font.variations)
            used.widths.update(font.widths)
            used.to_unicode.update(font.to_unicode)
        for image in self.images.values():
            for ratio in image["dpi_ratios"]:
                stream.add_image(image["image"], image["interpolate"], ratio)
        for key, state in self.states.items():
            stream._resources["ExtGState"].setdefault(key, state)


@dataclass
class _Zone:
    drawing: _Drawing  # the laid-out block, its size and its operators
    inherited: tuple[Any, ...]  # what it inherited where it was laid out


def _zone_cache(fonts: Any) -> dict[tuple[int, str], _Zone]:
    """This thread's kept zones, laid out with the font configuration ``fonts``;
    bounded: a full cache is replaced by an empty one."""
    cache: dict[tuple[int, str], _Zone] | None = getattr(_zones, "cache", None)
    if (
        cache is None
        or len(cache) >= ZONE_CACHE_ENTRIES
        or getattr(_zones, "fonts", None) is not fonts
    ):
        cache = _zones.cache = {}
        _zones.fonts = fonts
    return cache


def forget_zones() -> None:
    """Kept boxes hold the font configuration: drop them with the engine."""
    _zones.__dict__.clear()


def _zone_blocks(box: Any) -> Iterable[tuple[Any, int, Any]]:
    """(parent, index, block) of each zone's block under ``box``, outermost first."""
    for index, child in enumerate(getattr(box, "children", ())):
        element = getattr(child, "element", None)
        if element is not None and element.get("data-zone") is not None:
            yield box, index, child
        else:
            yield from _zone_blocks(child)


@cache
def _inherited_properties() -> tuple[str, ...]:
    from weasyprint.css.properties import INHERITED  # noqa: PLC0415

    return tuple(sorted(INHERITED))


def _inherited(box: Any) -> tuple[Any, ...]:
    return tuple(str(box.style[name]) for name in _inherited_properties())


def _keepable(block: Any) -> bool:
    """Whether a laid-out zone can be drawn elsewhere as it is: plain boxes only (no
    out-of-flow placeholder), no background (laid out at absolute positions), nothing
    that the rest of the document reads (link, anchor, bookmark, running string,
    counter)."""
    from weasyprint.formatting_structure.boxes import Box  # noqa: PLC0415

    for box in block.descendants(placeholders=True):
        if not isinstance(box, Box) or getattr(box, "background", None) is not None:
            return False
        style = box.style
        if (
            getattr(box, "link", None)
            or box.is_input()
            or style["anchor"] is not None
            or style["bookmark_level"] != "none"
            or style["string_set"] != "none"
            or style["counter_increment"] != "auto"
            or style["counter_reset"]
            or style["counter_set"]
            or style["display"][0] == "list-item"
        ):
            return False
    return True


def _with_zones(html: str, zones: list[str], cached: dict[int, _Zone]) -> str:
    parts = html.split(ZONE_MARK)
    if len(parts) != len(zones) + 1:
        raise ValueError("A {% zone %} cannot hold another one.")
    out = [parts[0]]
    for index, inner in enumerate(zones):
        zone = cached.get(index)
        out.append(zone_html(inner, index, zone.drawing.height if zone else None))
        out.append(parts[index + 1])
    return "".join(out)


def _keep_zones(document: Any, zones: list[str], kept: dict[Any, _Zone]) -> None:
    """Keep the zones laid out in place in ``document`` (one page: a zone split
    between pages is not one block)."""
    if len(document.pages) != 1:
        return
    page = document.pages[0]._page_box
    for _parent, _position, block in _zone_blocks(page):
        index = int(block.element.get("data-zone"))
        if not block.children or not block.height or not _keepable(block):
            continue
        kept[(index, zones[index])] = _Zone(
            _Drawing(block, page, document), _inherited(block)
        )


def _tagged(options: dict[str, Any]) -> bool:
    from weasyprint.pdf import VARIANTS  # noqa: PLC0415

    variant = options.get("pdf_variant")
    properties = VARIANTS[variant][1] if variant else {}
    return bool(properties.get("pdf_tags", options.get("pdf_tags")))


def _render(make: Any, html: str, zones: list[str], options: dict[str, Any]) -> Any:
    """The laid-out document of ``html`` whose zones are ``zones``: each kept zone
    drawn in its empty block, the others laid out in place and kept."""
    from weasyprint.formatting_structure.boxes import BlockReplacedBox  # noqa: PLC0415

    if _tagged(options):  # the structure tree is built from every box
        return make(_with_zones(html, zones, {})).render(**options)
    kept = _zone_cache(options["font_config"])
    cached = {
        index: kept[(index, inner)]
        for index, inner in enumerate(zones)
        if (index, inner) in kept
    }
    document = make(_with_zones(html, zones, cached)).render(**options)
    grafts = []
    if cached and len(document.pages) == 1:
        for parent, position, block in _zone_blocks(document.pages[0]._page_box):
            zone = cached.get(int(block.element.get("data-zone")))
            if zone is None:
                continue
            if block.width != zone.drawing.width or _inherited(block) != zone.inherited:
                break
            grafts.append((parent, position, block, zone))
        else:
            cached = {}  # every kept zone fits its block
    if cached:  # laid out again with every zone in place
        document = make(_with_zones(html, zones, {})).render(**options)
        grafts = []
    _keep_zones(document, zones, kept)
    for parent, position, block, zone in grafts:
        # The empty block, as a replaced box that draws the zone.
        drawn = BlockReplacedBox(block.element_tag, block.style, block.element, None)
        drawn.__dict__.update(block.__dict__)
        drawn.replacement = zone.drawing
        parent.children[position] = drawn
    return document


def html_to_pdf(
    html: str,
    *,
    archive: bool = False,
    images: Iterable[bytes] = (),
    zones: list[str] | None = None,
) -> bytes:
    """Render an HTML document to PDF bytes with the project's print stylesheet;
    as PDF/A-3b when ``archive`` (issued documents). ``images``: contents that the
    HTML shows at their ``image_url``. ``zones``: the list given to the template at
    ``ZONES``, whose marks ``html`` holds."""
    html_class, stylesheet, fonts = _engine()
    given = {image_url(content): content for content in images if content}
    cache = {url: _images[url] for url in given if url in _images}
    options: dict[str, Any] = {"stylesheets": [stylesheet], "cache": cache}
    if archive:
        options["pdf_variant"] = ARCHIVE_VARIANT

    def make(text: str) -> Any:
        return html_class(
            string=text,
            base_url=str(settings.BASE_DIR),
            url_fetcher=_fetcher_class()(given),
        )

    # WeasyPrint (70) opens its sRGB output-intent profile for PDF/A and never
    # closes it: the file is collected inside write_pdf with a ResourceWarning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        if zones is None:
            document = make(html).render(font_config=fonts, **options)
        else:
            options_fonts = {**options, "font_config": fonts}
            document = _render(make, html, zones, options_fonts)
        pdf = document.write_pdf(
            finisher=_archive_finisher if archive else None, **options
        )
    _keep_images(cache, given)
    return pdf
