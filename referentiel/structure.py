"""The structure of a référentiel version (blocs → activities → competencies with
their modality → criteria), read once per process for a published version.

A published version never changes (only a draft is edited), so its structure is
the same for every enrolment, every evaluator and every request: the grid, the
consolidation, the vote and the documents read it here instead of querying it
each time. A draft is read afresh at every call, so an edit is seen at once.

The cache lives in the process (a dict keyed by the version's id, a few versions
at most). It is emptied whenever a version or any part of one is saved or deleted
in this process (a new version may reuse an id in a test database whose rows were
rolled back); other processes need no notice, since a published version's
content cannot change. ``StructureVersion.fragments`` keeps what callers derive from the
structure (rendered HTML, for instance) for as long as the structure stays
cached, and goes with it."""

from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from django.db.models.signals import post_delete, post_save

from referentiel.models import (
    Activite,
    Bloc,
    Competence,
    Critere,
    Modalite,
    Referentiel,
)

# Versions kept per process; beyond it, the oldest read goes first.
CACHE_VERSIONS = 16

_cache: dict[int, "StructureVersion"] = {}
_lock = Lock()


@dataclass(frozen=True)
class StructureVersion:
    """Blocs in order; for each bloc its competencies in order (activity, then
    competency), each with its modality and activity loaded; for each competency
    its criteria in order. Shared between requests: never modify these objects."""

    referentiel_id: int
    publie: bool
    blocs: tuple[Bloc, ...]
    competences: dict[int, tuple[Competence, ...]]  # bloc id -> competencies
    criteres: dict[int, tuple[Critere, ...]]  # competence id -> criteria
    fragments: dict[Any, Any] = field(default_factory=dict, compare=False)


def _read(referentiel_id: int, *, publie: bool) -> StructureVersion:
    """Three queries: blocs, competencies (with modality and activity), criteria."""
    blocs = tuple(
        Bloc.objects.filter(referentiel_id=referentiel_id).order_by("ordre", "code")
    )
    competences: dict[int, list[Competence]] = {b.pk: [] for b in blocs}
    # Competencies and criteria in two queries: a single joined query would
    # repeat each competency's long texts once per criterion.
    liste = list(
        Competence.objects.filter(referentiel_id=referentiel_id)
        .select_related("modalite", "activite")
        .order_by(
            "activite__bloc__ordre",
            "activite__bloc__code",
            "activite__ordre",
            "activite__code",
            "ordre",
            "code",
        )
    )
    for competence in liste:
        competences[competence.activite.bloc_id].append(competence)
    criteres: dict[int, list[Critere]] = {c.pk: [] for c in liste}
    for critere in (
        Critere.objects.filter(referentiel_id=referentiel_id)
        .only("pk", "competence_id", "code", "intitule", "ordre")
        .order_by("ordre", "code")
    ):
        criteres[critere.competence_id].append(critere)
    return StructureVersion(
        referentiel_id=referentiel_id,
        publie=publie,
        blocs=blocs,
        competences={pk: tuple(v) for pk, v in competences.items()},
        criteres={pk: tuple(v) for pk, v in criteres.items()},
    )


def est_fige(statut: str) -> bool:
    """Whether a version with this status can no longer change: published,
    superseded or archived (only a draft is edited)."""
    return statut != Referentiel.Statut.BROUILLON


def structure_version(*, referentiel_id: int, statut: str) -> StructureVersion:
    """The structure of a version: from the process's cache when the version is
    no longer a draft (``statut`` as the caller read it with the version), read
    afresh for a draft (and never cached)."""
    if not est_fige(statut):
        return _read(referentiel_id, publie=False)
    structure = _cache.get(referentiel_id)
    if structure is not None:
        return structure
    structure = _read(referentiel_id, publie=True)
    with _lock:
        if len(_cache) >= CACHE_VERSIONS:
            _cache.pop(next(iter(_cache)))
        _cache.setdefault(referentiel_id, structure)
        return _cache[referentiel_id]


def structure_cache_clear() -> None:
    with _lock:
        _cache.clear()


def _version_changed(**kwargs: Any) -> None:
    structure_cache_clear()


for _model in (Referentiel, Bloc, Activite, Competence, Modalite, Critere):
    post_save.connect(
        _version_changed, sender=_model, dispatch_uid=f"structure_{_model.__name__}"
    )
    post_delete.connect(
        _version_changed, sender=_model, dispatch_uid=f"structure_d_{_model.__name__}"
    )
