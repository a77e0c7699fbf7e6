"""Presentation filters only: no business rule lives here."""

from datetime import date

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from certif.formats import taille_et_octets, taille_lisible

register = template.Library()


@register.filter
def lignes(text: str) -> SafeString:
    """Render référentiel text: lines starting with "- " become a bulleted list,
    other lines paragraphs. Everything is escaped."""
    blocks: list[tuple[str, list[str]]] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("- "):
            if not blocks or blocks[-1][0] != "ul":
                blocks.append(("ul", []))
            blocks[-1][1].append(line[2:])
        else:
            blocks.append(("p", [line]))
    parts = []
    for kind, items in blocks:
        if kind == "ul":
            parts.append(
                format_html(
                    "<ul>{}</ul>",
                    format_html_join("", "<li>{}</li>", ((i,) for i in items)),
                )
            )
        else:
            parts.append(format_html("<p>{}</p>", items[0]))
    return SafeString("".join(parts))


@register.filter(expects_localtime=True)
def date_longue(value: date | None) -> str:
    """A date as French prints it in full: « 1er juillet 2026 », « 2 juillet
    2026 » (Django's ``j F Y`` gives « 1 juillet »). Aware datetimes are shown in
    the current time zone, as the ``date`` filter does."""
    if not value:
        return ""
    jour = date_filter(value, "j")
    return f"{jour}{'er' if jour == '1' else ''} {date_filter(value, 'F Y')}"


@register.filter
def taille(octets: int | None) -> str:
    """A size in French units (« 12 ko », « 1,5 Mo »): see ``certif.formats``."""
    return "" if octets is None else taille_lisible(int(octets))


@register.filter
def taille_exacte(octets: int | None) -> str:
    """« 3,1 ko (3 125 octets) »: see ``certif.formats.taille_et_octets``."""
    return "" if octets is None else taille_et_octets(int(octets))
