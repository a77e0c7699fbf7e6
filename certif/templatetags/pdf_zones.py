"""``{% zone %}…{% endzone %}``: a part of a PDF document laid out once per process
and reused by the next documents that show the same HTML there (``certif/pdf.py``,
``ZONES``). What is around a zone must not depend on the data: the same zone must
have the same width and inherited style in every document of the template."""

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from certif.pdf import ZONE_MARK, ZONES, zone_html

register = template.Library()


class ZoneNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        inner = self.nodelist.render(context)
        zones: list[str] | None = context.get(ZONES)
        if zones is None:  # rendered for something else than a PDF: in place
            return mark_safe(zone_html(inner))  # noqa: S308 - rendered template text
        zones.append(inner)
        return mark_safe(ZONE_MARK)  # noqa: S308 - a constant


@register.tag
def zone(parser: Any, token: template.base.Token) -> ZoneNode:
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% zone %} takes no argument")
    nodelist = parser.parse(("endzone",))
    parser.delete_first_token()
    return ZoneNode(nodelist)
