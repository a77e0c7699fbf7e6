"""The criteria of the scoring grid as HTML, rendered once per published version.

A grid prints 71 criteria. Each criterion's markup depends on the criterion
(identical for every candidate on the same version), on whether the grid is read
only, whether the criterion is exempted and the evaluator's result (a handful of
variants), and on two values of the request: the grid's address and the
evaluator's comment. The template ``evaluations/jury/_critere_grille.html`` is
rendered once per variant with markers in place of those two values, and kept in
the version's ``fragments`` (``referentiel.structure``: for as long as the
published version's structure stays cached; for a draft, for one request). A
request then only joins the pieces with its two values, the comment escaped."""

import re
from typing import TYPE_CHECKING, Any

from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from referentiel.models import Competence, Critere
from referentiel.structure import StructureVersion

if TYPE_CHECKING:
    from evaluations.notation.selectors import Grille

TEMPLATE = "evaluations/jury/_critere_grille.html"
TEMPLATE_COMPETENCE = "evaluations/jury/_competence_grille.html"
# Markers for the request's values: a NUL character never reaches stored text
# (refused at input) and escaping leaves it as it is.
_URL = "\x00url\x00"
_COMMENTAIRE = "\x00commentaire\x00"
_SLOTS = re.compile("(\x00url\x00|\x00commentaire\x00)")


def _pieces(
    critere: Critere,
    *,
    numero: int,
    lecture_seule: bool,
    dispense: bool,
    resultat: str,
) -> tuple[str, ...]:
    html = get_template(TEMPLATE).render(
        {
            "critere": critere,
            "id": critere.pk,
            "numero": numero,
            "lecture_seule": lecture_seule,
            "dispense": dispense,
            "resultat": resultat,
            "url": _URL,
            "commentaire": _COMMENTAIRE,
        }
    )
    return tuple(_SLOTS.split(html))


def critere_html(
    version: StructureVersion,
    critere: Critere,
    *,
    numero: int,
    lecture_seule: bool,
    dispense: bool,
    resultat: str,
    url: str,
    commentaire: str,
) -> SafeString:
    """One criterion's fieldset in the grid."""
    key: Any = (
        "critere_grille",
        get_language(),
        critere.pk,
        numero,
        lecture_seule,
        dispense,
        resultat,
    )
    pieces = version.fragments.get(key)
    if pieces is None:
        pieces = _pieces(
            critere,
            numero=numero,
            lecture_seule=lecture_seule,
            dispense=dispense,
            resultat=resultat,
        )
        version.fragments[key] = pieces
    valeurs = {
        _URL: conditional_escape(url),
        _COMMENTAIRE: conditional_escape(commentaire),
    }
    return mark_safe(  # noqa: S308 - template output; the two values are escaped
        "".join(valeurs.get(piece, piece) for piece in pieces)
    )


def competence_html(
    version: StructureVersion, competence: Competence, *, dossier_professionnel: bool
) -> tuple[SafeString, SafeString]:
    """A competency's heading and its modality (with the dossier professionnel's
    instruction on a blocs-only path), as the grid prints them."""
    key: Any = (
        "competence_grille",
        get_language(),
        competence.pk,
        dossier_professionnel,
    )
    html = version.fragments.get(key)
    if html is None:
        context = {
            "competence": competence,
            "dossier_professionnel": dossier_professionnel,
        }
        # A template's output is already marked safe.
        html = (
            SafeString(get_template(f"{TEMPLATE_COMPETENCE}#entete").render(context)),
            SafeString(get_template(f"{TEMPLATE_COMPETENCE}#modalite").render(context)),
        )
        version.fragments[key] = html
    return html


def grille_html(grille: "Grille", *, lecture_seule: bool, url: str) -> None:
    """Fill each criterion line's ``html`` for the grid page."""
    version = grille.version
    assert version is not None  # noqa: S101 - grille_for always sets it
    for bloc in grille.blocs:
        for competence in bloc.competences:
            competence.html_entete, competence.html_modalite = competence_html(
                version,
                competence.competence,
                dossier_professionnel=bool(competence.dossier_professionnel),
            )
            for ligne in competence.criteres:
                ligne.html = critere_html(
                    version,
                    ligne.critere,
                    numero=ligne.numero,
                    lecture_seule=lecture_seule,
                    dispense=ligne.dispense,
                    resultat="" if ligne.dispense else ligne.resultat,
                    url=url,
                    commentaire="" if ligne.dispense else ligne.commentaire,
                )
