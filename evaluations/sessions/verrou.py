"""The enrolment's lock. Once the jury's deliberation on an enrolment is voted,
every write to its scores, consolidation, exemptions or decision is refused until
an explicit, logged re-opening.

Each such write calls ``inscription_lock`` first, inside its transaction: it takes
the enrolment's row lock, then reads the deliberation in a new statement, so that
a write that waited behind a vote sees the vote (a read made before the wait would
not). Views turn the refusal into an HTTP 409 with ``verrou_409``."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from evaluations.sessions.models import Inscription


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
    ``select_related("deliberation")`` (no query), one query otherwise."""
    # A missing one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    deliberation = getattr(inscription, "deliberation", None)
    return deliberation is not None and bool(deliberation.verrouillee)


def deliberation_assert_open(*, inscription: Inscription) -> None:
    """Raise DeliberationVerrouilleeError when the enrolment is locked (voted,
    its candidate withdrew: InscriptionDesisteeError, or it was deferred:
    InscriptionReporteeError)."""
    if est_verrouillee(inscription):
        raise DeliberationVerrouilleeError(inscription)
    if inscription.est_desistee:
        raise InscriptionDesisteeError(inscription)
    if inscription.est_reportee:
        raise InscriptionReporteeError(inscription)


def inscription_lock(*, inscription_id: int, ouverte: bool = True) -> Inscription:
    """Take the enrolment's row lock for the rest of the transaction and return the
    enrolment read after the lock (session, référentiel and deliberation joined).
    With ``ouverte`` (the default), refuse a locked enrolment."""
    # Two statements on purpose: under READ COMMITTED a row read by the statement
    # that waited for the lock is the version seen before the wait.
    list(
        Inscription.objects.select_for_update()
        .filter(pk=inscription_id)
        .values_list("pk", flat=True)
    )
    inscription = Inscription.objects.select_related(
        "session__referentiel", "deliberation"
    ).get(pk=inscription_id)
    if ouverte:
        deliberation_assert_open(inscription=inscription)
    return inscription


View = Callable[..., HttpResponse]


def verrou_409(view: View) -> View:
    """Turn DeliberationVerrouilleeError into an HTTP 409 with its French message:
    a page, or a fragment for htmx."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DeliberationVerrouilleeError as exc:
            template = "evaluations/jury/verrouille.html"
            if request.headers.get("HX-Request"):
                template += "#message"
            return render(request, template, {"message": str(exc)}, status=409)

    return wrapper
