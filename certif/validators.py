"""Validators shared by every app."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What XML 1.0 cannot carry (§2.2 « Char »): control characters other than tab,
# line feed and carriage return, lone surrogates, U+FFFE and U+FFFF. A text that
# may reach an XML file (the declaration to the Caisse des Dépôts) is refused with
# them at input, so that no file is ever built from it.
_XML_INTERDITS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def validate_xml_text(value: str) -> None:
    if _XML_INTERDITS.search(value):
        raise ValidationError(
            _("Ce texte contient un caractère de contrôle invisible : retapez-le."),
            code="xml_char",
        )
