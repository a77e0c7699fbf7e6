"""Markdown of the règlement d'examen, rendered safely: CommonMark with tables,
raw HTML escaped (never interpreted), no images (nothing fetched from
elsewhere), links only to http(s) and mailto addresses."""

from markdown_it import MarkdownIt

_SCHEMES = ("http://", "https://", "mailto:")


def _lien_sur(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(_SCHEMES) or url.startswith(("/", "#"))


def markdown_html(texte: str) -> str:
    """HTML of ``texte``, safe to insert in a page."""
    md = (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable("table")
        .disable("image")
    )
    md.validateLink = _lien_sur  # type: ignore[method-assign]
    return md.render(texte)
