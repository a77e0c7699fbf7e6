"""The enrolment's lock. Once the jury's deliberation on an enrolment is voted,
every write to its scores, consolidation, exemptions, evaluators or decision is
refused until an explicit, logged re-opening.

This module is the rule's only home. Each such write calls ``inscription_lock``
(or ``inscriptions_lock`` for several enrolments) first, inside its transaction:
it takes the enrolment's row lock, then reads the enrolment and its deliberation
in a new statement, so that a write that waited behind a vote sees the vote (a
read made before the wait would not). The write then works on the enrolment that
``inscription_lock`` returns, never on a copy read before. Views turn the refusal
into an HTTP 409 with ``verrou_409``, which also records the refused attempt
(``EcritureRefusee``) for the enrolment's audit history."""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from certif.models import User
from evaluations.sessions.models import EcritureRefusee, Inscription


class DeliberationVerrouilleeError(Exception):
    """A write to an enrolment whose deliberation is voted and locked."""

    def __init__(self, inscription: Inscription | None = None) -> None:
        self.inscription = inscription
        super().__init__(
            _(
                "La délibération de ce candidat est votée et verrouillée : plus aucune "
                "modification n'est possible. Le président du jury peut la rouvrir en "
                "indiquant le motif."
            )
        )


class InscriptionDesisteeError(DeliberationVerrouilleeError):
    """A write to an enrolment whose candidate withdrew."""

    def __init__(self, inscription: Inscription) -> None:
        self.inscription = inscription
        Exception.__init__(
            self,
            _(
                "Le candidat s'est désisté le %(date)s : plus aucune évaluation, "
                "dispense ni décision n'est enregistrée pour cette inscription."
            )
            % {"date": f"{inscription.desiste_le:%d/%m/%Y}"},
        )


class InscriptionReporteeError(DeliberationVerrouilleeError):
    """A write to an enrolment deferred to a later session."""

    def __init__(self, inscription: Inscription) -> None:
        self.inscription = inscription
        Exception.__init__(
            self,
            _(
                "Cette inscription est reportée à une session ultérieure : le "
                "candidat y est évalué, plus ici."
            ),
        )


def est_verrouillee(inscription: Inscription) -> bool:
    """Whether the enrolment's deliberation is voted and locked. Uses the cached
    ``inscription.deliberation`` when the caller loaded it with
    ``select_related("deliberation")`` (no query), one query otherwise. For a
    display only: a write asks ``inscription_lock``."""
    # A missing one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    deliberation = getattr(inscription, "deliberation", None)
    return deliberation is not None and bool(deliberation.verrouillee)


def deliberation_assert_open(
    *, inscription: Inscription, verrouillee: bool | None = None
) -> None:
    """Raise DeliberationVerrouilleeError when the enrolment is locked (voted,
    its candidate withdrew: InscriptionDesisteeError, or it was deferred:
    InscriptionReporteeError). Only on an enrolment returned by
    ``inscription_lock`` in the same transaction, or read after the row lock by
    the caller's own statement (the criterion save of ``notation.services``, one
    round trip): that caller gives the deliberation's state read there as
    ``verrouillee``, and ``desiste_le``, ``reportee_vers_id`` on ``inscription``."""
    if est_verrouillee(inscription) if verrouillee is None else verrouillee:
        raise DeliberationVerrouilleeError(inscription)
    if inscription.est_desistee:
        raise InscriptionDesisteeError(inscription)
    if inscription.est_reportee:
        raise InscriptionReporteeError(inscription)


def inscriptions_lock(
    *, inscription_ids: Iterable[int], ouverte: bool = True
) -> list[Inscription]:
    """Take the row locks of several enrolments (in id order, so that two writers
    never wait for each other) and return them read after the locks, ordered by
    id. With ``ouverte``, refuse when any of them is locked."""
    ids = sorted(set(inscription_ids))
    if not ids:
        return []
    # Two statements on purpose: under READ COMMITTED a row read by the statement
    # that waited for the lock is the version seen before the wait, and a
    # deliberation inserted meanwhile would not be joined.
    list(
        Inscription.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    inscriptions = list(
        Inscription.objects.select_related(
            "candidat", "session__referentiel", "deliberation"
        )
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if ouverte:
        for inscription in inscriptions:
            deliberation_assert_open(inscription=inscription)
    return inscriptions


def inscription_lock(*, inscription_id: int, ouverte: bool = True) -> Inscription:
    """Take the enrolment's row lock for the rest of the transaction and return the
    enrolment read after the lock (candidate, session, référentiel and deliberation
    joined). With ``ouverte`` (the default), refuse a locked enrolment."""
    inscriptions = inscriptions_lock(inscription_ids=[inscription_id], ouverte=ouverte)
    if not inscriptions:
        raise Inscription.DoesNotExist
    return inscriptions[0]


def ecriture_refusee_record(
    *, inscription_id: int, action: str, by: User | None
) -> EcritureRefusee:
    """Record a write refused by the lock. Called after the refused transaction
    rolled back, so that the record stays."""
    if action not in EcritureRefusee.Action.values:
        action = EcritureRefusee.Action.AUTRE
    ecriture = EcritureRefusee(inscription_id=inscription_id, action=action, par=by)
    ecriture.full_clean(exclude=["inscription", "par"])
    ecriture.save()
    return ecriture


View = Callable[..., HttpResponse]


def verrou_409(view: View) -> View:
    """Turn DeliberationVerrouilleeError into an HTTP 409 with its French message
    (a page, or a fragment for htmx) and record the refused attempt, named after
    the URL (``EcritureRefusee.Action``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DeliberationVerrouilleeError as exc:
            if exc.inscription is not None:
                match = request.resolver_match
                user = request.user
                ecriture_refusee_record(
                    inscription_id=exc.inscription.pk,
                    action=(match.url_name or "") if match else "",
                    by=user if isinstance(user, User) else None,
                )
            template = "evaluations/jury/verrouille.html"
            if request.headers.get("HX-Request"):
                template += "#message"
            return render(request, template, {"message": str(exc)}, status=409)

    return wrapper
