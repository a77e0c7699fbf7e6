"""Every write to a référentiel.

A version other than a draft is read-only: every function that changes a version's
content calls ``referentiel_check_modifiable`` first. A change to a published version
is made on a new draft copied from it (``referentiel_new_draft``).
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from referentiel.models import (
    Activite,
    Bloc,
    Certification,
    Competence,
    Critere,
    Modalite,
    Referentiel,
)
from referentiel.schema import validate_document
from referentiel.selectors import referentiel_tree


class ReferentielVerrouilleError(ValidationError):
    """A published or archived version was asked to change."""


@dataclass(frozen=True)
class LoadResult:
    referentiel: Referentiel
    created: bool
    changed: bool


def referentiel_check_modifiable(referentiel: Referentiel) -> None:
    if not referentiel.est_modifiable:
        raise ReferentielVerrouilleError(
            _(
                "La version %(version)s est %(statut)s : elle ne peut plus être "
                "modifiée. Créez une nouvelle version brouillon à partir d'elle."
            )
            % {
                "version": referentiel.version,
                "statut": {
                    Referentiel.Statut.ARCHIVE: _("archivée"),
                    Referentiel.Statut.REMPLACE: _("remplacée"),
                }.get(Referentiel.Statut(referentiel.statut), _("publiée")),
            }
        )


def referentiel_export(*, referentiel: Referentiel) -> dict[str, Any]:
    """The version as a JSON-ready dict, in the documented format."""
    tree = referentiel_tree(pk=referentiel.pk)
    certification = tree.certification
    return {
        "certification": {
            "code": certification.code,
            "intitule": certification.intitule,
            "niveau": certification.niveau,
        },
        "version": tree.version,
        "dispositions": [
            {"titre": d["titre"], "texte": d["texte"]} for d in tree.dispositions
        ],
        "blocs": [
            {
                "code": bloc.code,
                "intitule": bloc.intitule,
                "activites": [
                    {
                        "code": activite.code,
                        "intitule": activite.intitule,
                        "competences": [
                            _export_competence(competence)
                            for competence in activite.competences.all()
                        ],
                    }
                    for activite in bloc.activites.all()
                ],
            }
            for bloc in tree.blocs.all()
        ],
    }


def _export_competence(competence: Competence) -> dict[str, Any]:
    modalite = competence.modalite
    export_modalite = {
        "type": modalite.type,
        "intitule": modalite.intitule,
        "description": modalite.description,
        "description_capitalisation": modalite.description_capitalisation,
    }
    if modalite.cadre_amenagements:  # optional: written only when set
        export_modalite["cadre_amenagements"] = modalite.cadre_amenagements
    return {
        "code": competence.code,
        "intitule": competence.intitule,
        "details": competence.details,
        "modalite": export_modalite,
        "criteres": [
            {"code": critere.code, "intitule": critere.intitule}
            for critere in competence.criteres.all()
        ],
    }


@transaction.atomic
def referentiel_import(*, data: Any, version: str | None = None) -> Referentiel:
    """Create a new draft version from a document in the JSON format.

    Raises ReferentielFormatError (nothing written) when the document is malformed,
    ValidationError when the version label is already taken.
    """
    validate_document(data)
    certification = _certification_upsert(data["certification"])
    label = version or data["version"]
    if Referentiel.objects.filter(certification=certification, version=label).exists():
        raise ValidationError(
            _(
                "La version %(version)s de %(code)s existe déjà ; "
                "choisissez un autre numéro de version."
            )
            % {"version": label, "code": certification.code}
        )
    referentiel = Referentiel(
        certification=certification,
        version=label,
        dispositions=_dispositions(data),
    )
    referentiel.full_clean()
    referentiel.save()
    _create_tree(referentiel, data["blocs"])
    return referentiel


@transaction.atomic
def referentiel_load(*, data: Any, publish: bool = False) -> LoadResult:
    """Idempotent load of a document (the seed fixture), by certification code and
    version label.

    - The version does not exist: create it (as ``referentiel_import`` does).
    - Its content (blocs and everything under them) is identical: leave it alone.
    - It differs and the version is a draft: replace the draft's content, and bring
      the certification in line with the document.
    - It differs and the version is published or archived: refuse
      (ReferentielVerrouilleError), nothing written.

    An existing certification's title and level are left alone when the version's
    content is unchanged: they are set in the admin once the certifier knows them,
    and running the load again (``make run``) must not undo that.
    """
    validate_document(data)
    referentiel = (
        Referentiel.objects.select_related("certification")
        .filter(certification__code=data["certification"]["code"])
        .filter(version=data["version"])
        .first()
    )
    created = changed = False
    if referentiel is None:
        referentiel = referentiel_import(data=data)
        created = changed = True
    elif (
        referentiel_export(referentiel=referentiel)["blocs"]
        != _normalised(data)["blocs"]
    ):
        referentiel_check_modifiable(referentiel)
        _certification_upsert(data["certification"])
        referentiel.blocs.all().delete()
        _create_tree(referentiel, data["blocs"])
        changed = True
    dispositions = _dispositions(data)
    if referentiel.dispositions != dispositions:
        # A version loaded before the format carried its general provisions gets
        # them once; any other change is a change of the version's content.
        if referentiel.dispositions:
            referentiel_check_modifiable(referentiel)
        referentiel.dispositions = dispositions
        referentiel.save(update_fields=["dispositions"])
        changed = True
    if publish and referentiel.statut == Referentiel.Statut.BROUILLON:
        referentiel = referentiel_publish(referentiel=referentiel)
        changed = True
    return LoadResult(referentiel=referentiel, created=created, changed=changed)


def _dispositions(data: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"titre": d["titre"], "texte": d["texte"]} for d in data.get("dispositions", [])
    ]


def _normalised_modalite(modalite: dict[str, Any]) -> dict[str, Any]:
    """A modality as export writes it: the optional ``cadre_amenagements`` only
    when set."""
    keys = ["type", "intitule", "description", "description_capitalisation"]
    if modalite.get("cadre_amenagements"):
        keys.append("cadre_amenagements")
    return {key: modalite[key] for key in keys}


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    """The document as export would write it (only the known keys)."""
    certification = data["certification"]
    return {
        "certification": {
            "code": certification["code"],
            "intitule": certification["intitule"],
            "niveau": certification["niveau"],
        },
        "version": data["version"],
        "blocs": [
            {
                "code": bloc["code"],
                "intitule": bloc["intitule"],
                "activites": [
                    {
                        "code": activite["code"],
                        "intitule": activite["intitule"],
                        "competences": [
                            {
                                "code": competence["code"],
                                "intitule": competence["intitule"],
                                "details": competence["details"],
                                "modalite": _normalised_modalite(
                                    competence["modalite"]
                                ),
                                "criteres": [
                                    {"code": c["code"], "intitule": c["intitule"]}
                                    for c in competence["criteres"]
                                ],
                            }
                            for competence in activite["competences"]
                        ],
                    }
                    for activite in bloc["activites"]
                ],
            }
            for bloc in data["blocs"]
        ],
    }


def _certification_upsert(data: dict[str, Any]) -> Certification:
    certification = Certification.objects.filter(code=data["code"]).first()
    if certification is None:
        certification = Certification(code=data["code"])
    if (certification.intitule, certification.niveau) != (
        data["intitule"],
        data["niveau"],
    ):
        certification.intitule = data["intitule"]
        certification.niveau = data["niveau"]
        certification.full_clean()
        certification.save()
    return certification


def _create_tree(referentiel: Referentiel, blocs: list[dict[str, Any]]) -> None:
    """Create the whole tree with one INSERT per level."""
    bloc_rows = Bloc.objects.bulk_create(
        Bloc(referentiel=referentiel, code=b["code"], intitule=b["intitule"], ordre=i)
        for i, b in enumerate(blocs)
    )
    activite_rows, activite_data = [], []
    for bloc, bloc_data in zip(bloc_rows, blocs, strict=True):
        for i, a in enumerate(bloc_data["activites"]):
            activite_rows.append(
                Activite(
                    referentiel=referentiel,
                    bloc=bloc,
                    code=a["code"],
                    intitule=a["intitule"],
                    ordre=i,
                )
            )
            activite_data.append(a)
    activite_rows = Activite.objects.bulk_create(activite_rows)
    competence_rows, competence_data = [], []
    for activite, a in zip(activite_rows, activite_data, strict=True):
        for i, c in enumerate(a["competences"]):
            competence_rows.append(
                Competence(
                    referentiel=referentiel,
                    activite=activite,
                    code=c["code"],
                    intitule=c["intitule"],
                    details=c["details"],
                    ordre=i,
                )
            )
            competence_data.append(c)
    competence_rows = Competence.objects.bulk_create(competence_rows)
    Modalite.objects.bulk_create(
        Modalite(
            competence=competence,
            type=c["modalite"]["type"],
            intitule=c["modalite"]["intitule"],
            description=c["modalite"]["description"],
            description_capitalisation=c["modalite"]["description_capitalisation"],
            cadre_amenagements=c["modalite"].get("cadre_amenagements", ""),
        )
        for competence, c in zip(competence_rows, competence_data, strict=True)
    )
    Critere.objects.bulk_create(
        Critere(
            referentiel=referentiel,
            competence=competence,
            code=k["code"],
            intitule=k["intitule"],
            ordre=i,
        )
        for competence, c in zip(competence_rows, competence_data, strict=True)
        for i, k in enumerate(c["criteres"])
    )


@transaction.atomic
def referentiel_publish(*, referentiel: Referentiel) -> Referentiel:
    referentiel = Referentiel.objects.select_for_update().get(pk=referentiel.pk)
    referentiel_check_modifiable(referentiel)
    if not Critere.objects.filter(referentiel=referentiel).exists():
        raise ValidationError(
            _("Une version sans aucun critère d'évaluation ne peut pas être publiée.")
        )
    referentiel.statut = Referentiel.Statut.PUBLIE
    referentiel.publie_le = timezone.now()
    referentiel.save(update_fields=["statut", "publie_le"])
    # The versions published before it are superseded: still valid for their
    # sessions and enrolments, no longer offered for new sessions.
    Referentiel.objects.filter(
        certification_id=referentiel.certification_id,
        statut=Referentiel.Statut.PUBLIE,
    ).exclude(pk=referentiel.pk).update(statut=Referentiel.Statut.REMPLACE)
    return referentiel


@transaction.atomic
def referentiel_archive(*, referentiel: Referentiel) -> Referentiel:
    referentiel = Referentiel.objects.select_for_update().get(pk=referentiel.pk)
    if referentiel.statut not in (
        Referentiel.Statut.PUBLIE,
        Referentiel.Statut.REMPLACE,
    ):
        raise ValidationError(_("Seule une version publiée peut être archivée."))
    referentiel.statut = Referentiel.Statut.ARCHIVE
    referentiel.save(update_fields=["statut"])
    return referentiel


@transaction.atomic
def referentiel_new_draft(*, referentiel: Referentiel, version: str) -> Referentiel:
    """Copy a version (usually a published one) into a new draft to be edited."""
    data = referentiel_export(referentiel=referentiel)
    draft = referentiel_import(data=data, version=version)
    draft.source = referentiel
    draft.save(update_fields=["source"])
    return draft
