"""The scoring grid's body as HTML, rendered once per published version.

A grid prints 71 criteria. Each criterion's markup depends on the criterion
(identical for every candidate on the same version), on whether the grid is read
only, whether the criterion is exempted and the evaluator's result (a handful of
variants), and on two values of the request: the grid's address and the
evaluator's comment. The template ``evaluations/jury/_critere_grille.html`` is
rendered once per variant with markers in place of those two values, and kept in
the version's ``fragments`` (``referentiel.structure``: for as long as the
published version's structure stays cached; for a draft, for one request). A
request then only joins the pieces with its two values, the comment escaped.

The jump list and the blocs around the criteria (``_grille_corps.html``) are
rendered the same way once per path (its blocs) and kind of enrolment, with a
marker in each slot that differs between candidates: the counts of the jump
list, each competency's roll-up line, sitting, adapted format, deliverables and
criteria. A request fills the slots in order, rendering only the slots that show
something other than their usual variant."""

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from referentiel.models import Competence, Critere
from referentiel.structure import StructureVersion

if TYPE_CHECKING:
    from evaluations.notation.selectors import Grille, LigneCompetence

TEMPLATE = "evaluations/jury/_critere_grille.html"
TEMPLATE_COMPETENCE = "evaluations/jury/_competence_grille.html"
TEMPLATE_CORPS = "evaluations/jury/_grille_corps.html"
# Markers for the request's values: a NUL character never reaches stored text
# (refused at input) and escaping leaves it as it is.
_URL = "\x00url\x00"
_COMMENTAIRE = "\x00commentaire\x00"
_SLOTS = re.compile("(\x00url\x00|\x00commentaire\x00)")
_MARQUE = re.compile("\x00(\\w+)\x00")


def _marque(nom: str) -> SafeString:
    return mark_safe(f"\x00{nom}\x00")  # noqa: S308 - a marker, no outside text


def _decoupe(html: str) -> tuple[str, ...]:
    """A rendering cut at its markers: the odd items are the slots' names."""
    return tuple(_MARQUE.split(html))


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


def _critere_pieces(
    version: StructureVersion,
    critere: Critere,
    *,
    langue: str,
    numero: int,
    lecture_seule: bool,
    dispense: bool,
    resultat: str,
) -> tuple[str, ...]:
    """One criterion's fieldset in the grid, cut at its two markers."""
    key: Any = (
        "critere_grille",
        langue,
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
    return pieces


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
    langue = get_language()
    valeurs = {_URL: conditional_escape(url), _COMMENTAIRE: ""}
    for bloc in grille.blocs:
        for competence in bloc.competences:
            competence.html_entete, competence.html_modalite = competence_html(
                version,
                competence.competence,
                dossier_professionnel=bool(competence.dossier_professionnel),
            )
            for ligne in competence.criteres:
                dispense = ligne.dispense
                pieces = _critere_pieces(
                    version,
                    ligne.critere,
                    langue=langue,
                    numero=ligne.numero,
                    lecture_seule=lecture_seule,
                    dispense=dispense,
                    resultat="" if dispense else ligne.resultat,
                )
                commentaire = "" if dispense else ligne.commentaire
                valeurs[_COMMENTAIRE] = (
                    conditional_escape(commentaire) if commentaire else ""
                )
                # Template output; the two values are escaped.
                ligne.html = mark_safe(  # noqa: S308
                    "".join([valeurs.get(piece, piece) for piece in pieces])
                )


_SLOTS_SAUTS = {"n": _marque("n"), "total": _marque("total")}
_FIN = _marque("fin")
_SLOTS_BLOCS = {
    nom: _marque(nom)
    for nom in ("resultat", "passage", "format", "livrables", "criteres")
}


def _rendu(partial: str, context: dict[str, Any]) -> str:
    return get_template(f"{TEMPLATE_CORPS}#{partial}").render(context)


def _resultat_html(version: StructureVersion, ligne: "LigneCompetence") -> str:
    """The competency's roll-up line: one rendering per status, the reason
    escaped into it."""
    resultat = ligne.resultat
    if resultat is None:
        return ""
    key: Any = ("resultat_competence", get_language(), str(resultat.statut))
    pieces = version.fragments.get(key)
    if pieces is None:
        pieces = _decoupe(
            _rendu(
                "resultat",
                {
                    "ligne": {
                        "resultat": {
                            "statut": resultat.statut,
                            "raison": _marque("raison"),
                        }
                    }
                },
            )
        )
        version.fragments[key] = pieces
    raison = conditional_escape(resultat.raison)
    return "".join(raison if i % 2 else piece for i, piece in enumerate(pieces))


def _livrables_html(
    version: StructureVersion, competences: list["LigneCompetence"]
) -> list[str]:
    """Each competency's deliverables: the usual « aucun » kept per language, the
    others rendered in one go (one rendering per competency would cost more)."""
    key: Any = ("livrables_aucun", get_language())
    aucun = version.fragments.get(key)
    if aucun is None:
        aucun = version.fragments[key] = _rendu("livrables", {"ligne": {}})
    avec = [c for c in competences if c.livrables]
    rendus = iter(
        _rendu("livrables_lot", {"lignes": avec, "fin": _FIN}).split(_FIN)
        if avec
        else ()
    )
    return [next(rendus) if c.livrables else str(aucun) for c in competences]


def _remplit(pieces: tuple[str, ...], valeurs: dict[str, Iterator[str]]) -> SafeString:
    """The pieces with each slot filled by the next value of its name."""
    return mark_safe(  # noqa: S308 - template output; each value escaped or rendered
        "".join(
            next(valeurs[piece]) if i % 2 else piece for i, piece in enumerate(pieces)
        )
    )


def grille_corps_html(grille: "Grille") -> None:
    """Fill the grid's ``html_sauts`` (the jump list's items) and ``html_blocs``
    (the blocs, their competencies and criteria) once ``grille_html`` has filled
    the criteria and the competencies' headings and modalities. The skeleton is
    kept per path (its blocs) and per modality markup (with or without the
    dossier professionnel's instruction)."""
    version = grille.version
    assert version is not None  # noqa: S101 - grille_for always sets it
    competences = [c for bloc in grille.blocs for c in bloc.competences]
    key: Any = (
        "grille_corps",
        get_language(),
        tuple(bloc.bloc.pk for bloc in grille.blocs),
        tuple(bool(c.dossier_professionnel) for c in competences),
    )
    squelettes = version.fragments.get(key)
    if squelettes is None:
        squelettes = (
            _decoupe(_rendu("sauts", {"grille": grille, "slots": _SLOTS_SAUTS})),
            _decoupe(_rendu("blocs", {"grille": grille, "slots": _SLOTS_BLOCS})),
        )
        version.fragments[key] = squelettes
    sauts, blocs = squelettes
    grille.html_sauts = _remplit(
        sauts,
        {
            "n": iter([str(c.nb_notes) for c in competences]),
            "total": iter([str(c.nb_a_noter) for c in competences]),
        },
    )
    grille.html_blocs = _remplit(
        blocs,
        {
            "resultat": iter([_resultat_html(version, c) for c in competences]),
            "passage": iter(
                [
                    _rendu("passage", {"ligne": c}) if c.passage else ""
                    for c in competences
                ]
            ),
            "format": iter(
                [
                    _rendu("format", {"ligne": c}) if c.format_adapte else ""
                    for c in competences
                ]
            ),
            "livrables": iter(_livrables_html(version, competences)),
            "criteres": iter(
                ["".join(ligne.html for ligne in c.criteres) for c in competences]
            ),
        },
    )
