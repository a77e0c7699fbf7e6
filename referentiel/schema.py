"""Validation of the référentiel JSON format (import, export, fixture).

The format is documented in the README. Validation walks the whole document and
collects every error with the path of the faulty element, e.g.
``blocs[2].activites[0].competences[1].criteres : champ manquant``, so that the user
fixes the file in one go; nothing is written while any error remains.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from referentiel.models import (
    Activite,
    Bloc,
    Certification,
    Competence,
    Critere,
    Modalite,
    Referentiel,
)

MODALITE_TYPES = frozenset(Modalite.Type.values)

# list key -> (model, required string fields, child list key)
_LEVELS: dict[str, tuple[type[Model], tuple[str, ...], str | None]] = {
    "blocs": (Bloc, ("code", "intitule"), "activites"),
    "activites": (Activite, ("code", "intitule"), "competences"),
    "competences": (Competence, ("code", "intitule", "details"), "criteres"),
    "criteres": (Critere, ("code", "intitule"), None),
}
_OPTIONAL_BLANK = frozenset({"details"})


def _max_length(model: type[Model], field: str) -> int | None:
    return getattr(model._meta.get_field(field), "max_length", None)


class ReferentielFormatError(ValueError):
    """The document does not follow the format. ``errors`` lists every problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


def validate_document(data: Any) -> None:
    """Raise ReferentielFormatError listing every problem in ``data``."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise ReferentielFormatError(["(document) : un objet JSON est attendu"])
    certification = data.get("certification")
    if certification is None:
        errors.append("certification : champ manquant")
    elif not isinstance(certification, dict):
        errors.append("certification : un objet est attendu")
    else:
        for key in ("code", "intitule"):
            _check_string(
                certification,
                key,
                "certification",
                errors,
                max_length=_max_length(Certification, key),
            )
        code = certification.get("code")
        if isinstance(code, str) and code.strip():
            try:
                Certification._meta.get_field("code").run_validators(code)
            except ValidationError as exc:
                errors.append(f"certification.code : {' '.join(exc.messages)}")
        niveau = certification.get("niveau")
        if niveau is None:
            errors.append("certification.niveau : champ manquant")
        elif type(niveau) is not int or not 1 <= niveau <= 8:
            errors.append("certification.niveau : un entier de 1 à 8 est attendu")
    _check_string(
        data, "version", "", errors, max_length=_max_length(Referentiel, "version")
    )
    _check_dispositions(data, errors)
    seen: dict[str, dict[str, str]] = {level: {} for level in _LEVELS}
    _check_list(data, "blocs", "", errors, seen)
    if errors:
        raise ReferentielFormatError(errors)


# The general provisions: optional, a list of titled paragraphs, word for word.
DISPOSITION_TITRE_MAX = 300
DISPOSITION_TEXTE_MAX = 20000


def _check_dispositions(data: dict[str, Any], errors: list[str]) -> None:
    items = data.get("dispositions", [])
    if not isinstance(items, list):
        errors.append("dispositions : une liste est attendue")
        return
    for index, item in enumerate(items):
        path = f"dispositions[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{path} : un objet est attendu")
            continue
        _check_string(item, "titre", path, errors, max_length=DISPOSITION_TITRE_MAX)
        _check_string(item, "texte", path, errors, max_length=DISPOSITION_TEXTE_MAX)
        for key in ("titre", "texte"):
            if isinstance(item.get(key), str) and "\x00" in item[key]:
                errors.append(f"{path}.{key} : caractère nul interdit")


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _check_string(
    obj: dict[str, Any],
    key: str,
    prefix: str,
    errors: list[str],
    *,
    max_length: int | None = None,
) -> None:
    path = _join(prefix, key)
    if key not in obj:
        errors.append(f"{path} : champ manquant")
    elif not isinstance(obj[key], str):
        errors.append(f"{path} : une chaîne de caractères est attendue")
    elif key not in _OPTIONAL_BLANK and not obj[key].strip():
        errors.append(f"{path} : ne doit pas être vide")
    elif max_length is not None and len(obj[key]) > max_length:
        errors.append(
            f"{path} : {max_length} caractères au plus ({len(obj[key])} reçus)"
        )


def _check_list(
    obj: dict[str, Any],
    level: str,
    prefix: str,
    errors: list[str],
    seen: dict[str, dict[str, str]],
) -> None:
    path = _join(prefix, level)
    items = obj.get(level)
    if items is None:
        errors.append(f"{path} : champ manquant")
        return
    if not isinstance(items, list):
        errors.append(f"{path} : une liste est attendue")
        return
    if not items:
        errors.append(f"{path} : la liste ne doit pas être vide")
        return
    model, fields, child = _LEVELS[level]
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{item_path} : un objet est attendu")
            continue
        for key in fields:
            _check_string(
                item, key, item_path, errors, max_length=_max_length(model, key)
            )
        code = item.get("code")
        if isinstance(code, str) and code.strip():
            if code in seen[level]:
                errors.append(
                    f"{item_path}.code : le code {code!r} est déjà utilisé "
                    f"par {seen[level][code]}"
                )
            else:
                seen[level][code] = item_path
        if level == "competences":
            _check_modalite(item, item_path, errors)
        if child is not None:
            _check_list(item, child, item_path, errors, seen)


def _check_modalite(competence: dict[str, Any], prefix: str, errors: list[str]) -> None:
    path = f"{prefix}.modalite"
    modalite = competence.get("modalite")
    if modalite is None:
        errors.append(f"{path} : champ manquant")
        return
    if not isinstance(modalite, dict):
        errors.append(f"{path} : un objet est attendu")
        return
    type_ = modalite.get("type")
    if type_ is None:
        errors.append(f"{path}.type : champ manquant")
    elif type_ not in MODALITE_TYPES:
        allowed = ", ".join(sorted(MODALITE_TYPES))
        errors.append(f"{path}.type : {type_!r} n'est pas l'un de {allowed}")
    for key in ("intitule", "description", "description_capitalisation"):
        _check_string(
            modalite, key, path, errors, max_length=_max_length(Modalite, key)
        )
    cadre = modalite.get("cadre_amenagements", "")
    if not isinstance(cadre, str):
        errors.append(
            f"{path}.cadre_amenagements : une chaîne de caractères est attendue"
        )
    elif "\x00" in cadre:
        errors.append(f"{path}.cadre_amenagements : caractère nul interdit")
