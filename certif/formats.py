"""How sizes are written for French readers: « ko », « Mo », « Go » (never the
binary units that Django's ``filesizeformat`` prints in French), with a decimal
comma and a non-breaking space before the unit.

A kilo-octet here is 1 024 octets, as the platform's limits are declared
(``UPLOAD_MAX_BYTES = 20 * 1024 * 1024`` reads « 20 Mo »): a candidate compares the
sizes the site prints with each other, and with what their file manager shows."""

from django.utils.formats import number_format
from django.utils.translation import ngettext

_UNITES = (
    (1024**3, "Go"),
    (1024**2, "Mo"),
    (1024, "ko"),
)


def taille_lisible(octets: int) -> str:
    """« 512 octets », « 12 ko », « 1,5 Mo », « 2 Go »: one decimal at most,
    none when the value is whole."""
    for facteur, unite in _UNITES:
        if octets >= facteur:
            valeur = round(octets / facteur, 1)
            if valeur == int(valeur):
                chiffre = number_format(int(valeur), use_l10n=True)
            else:
                chiffre = number_format(valeur, 1, use_l10n=True)
            return f"{chiffre}\xa0{unite}"
    return octets_exacts(octets)


def octets_exacts(octets: int) -> str:
    """« 1 234 567 octets »: the exact size, digits grouped as French does."""
    return ngettext("%(n)s octet", "%(n)s octets", octets) % {
        "n": number_format(octets, use_l10n=True, force_grouping=True)
    }


def taille_et_octets(octets: int) -> str:
    """« 3,1 ko (3 125 octets) »: the readable size and the exact one, as a
    receipt states it; « 512 octets » alone below one ko."""
    lisible = taille_lisible(octets)
    if octets < 1024:
        return lisible
    return f"{lisible} ({octets_exacts(octets)})"


def accord(n: int, singulier: str, pluriel: str) -> str:
    """« 0 fichier », « 1 fichier », « 3 fichiers »: a count and its noun agreed
    as French does (singular up to one), for what is not translated (commands'
    output, logs); translated text uses ``ngettext``."""
    return f"{n} {singulier if n <= 1 else pluriel}"
