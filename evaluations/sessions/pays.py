"""The INSEE list of foreign countries and territories: the code (``99xxx``) that
describes a birth abroad on the state's forms and in the declaration of holders to
the Caisse des Dépôts.

The list is shipped as data, ``data/pays_insee_2025.csv`` (its source and date are
in ``data/README.md``); it is read once per process. A newer INSEE edition replaces
the file and its name here."""

import csv
import unicodedata
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PAYS_CSV = Path(__file__).resolve().parent / "data" / "pays_insee_2025.csv"


def _key(value: str) -> str:
    """The comparison key of a country's name: no accents, case, apostrophe kind
    or repeated spaces (« cote d'ivoire » finds « Côte d\u2019Ivoire »)."""
    decomposed = unicodedata.normalize("NFKD", value.replace("\u2019", "'"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("-", " ").split())


@cache
def pays_insee() -> dict[str, str]:
    """INSEE code (``99xxx``) → the country's or territory's name, in file order."""
    with PAYS_CSV.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: row["libelle"] for row in csv.DictReader(handle, delimiter=";")
        }


@cache
def _codes_by_name() -> dict[str, str]:
    return {_key(libelle): code for code, libelle in pays_insee().items()}


def pays_libelle(code: str) -> str:
    """The name of the country ``code`` designates, or "" if it is not on the list."""
    return pays_insee().get(code, "")


def pays_code_for(value: str) -> str:
    """The INSEE code that ``value`` designates: the code itself, or the country's
    name as the list writes it (accents and case aside); "" if neither."""
    value = value.strip()
    if value in pays_insee():
        return value
    return _codes_by_name().get(_key(value), "")


def validate_code_pays(value: str) -> None:
    if value not in pays_insee():
        raise ValidationError(
            _(
                "« %(value)s » n'est pas un pays de la liste INSEE : indiquez son "
                "code (99xxx, par exemple 99350 pour le Maroc) ou son nom tel que "
                "la liste l'écrit."
            ),
            code="pays_inconnu",
            params={"value": value},
        )


def pays_choices() -> list[tuple[str, str]]:
    """The list for a select box, sorted by name as French sorts (accents aside)."""
    return sorted(pays_insee().items(), key=lambda item: _key(item[1]))
