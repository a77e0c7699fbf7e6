"""Pages of the results area: a candidate's results (« Mes résultats », the
result page) and the administrator's publication of a session's results (on the
session desk, and its own page with the progress and the history)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.models import User
from certif.pagination import paginate
from certif.roles import Role
from certif.workers import workers_alive
from evaluations.resultats.forms import PublicationForm
from evaluations.resultats.models import PublicationResultats
from evaluations.resultats.sections import sections_for
from evaluations.resultats.selectors import (
    get_inscription_for_resultat,
    get_session_for_publication,
    mes_resultats_for,
    publication_blocker,
    publication_of,
    resultat_of,
)
from evaluations.resultats.services import publication_cancel
from evaluations.resultats.tasks import publication_launch, publication_resume_launch
from evaluations.sessions.bureau import Panneau
from evaluations.sessions.models import Session


@require_GET
@login_required
@role_required(Role.CANDIDAT)
def mes_resultats_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, mes_resultats_for(user=request.user), per_page=20)
    return render(request, "evaluations/resultats/mes_resultats.html", {"page": page})


@require_GET
@login_required
@role_required(Role.CANDIDAT, Role.ADMINISTRATEUR)
def resultat_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inscription = get_inscription_for_resultat(request.user, pk)
    resultat = resultat_of(inscription=inscription, user=request.user)
    return render(
        request,
        "evaluations/resultats/resultat.html",
        {
            "r": resultat,
            # What higher areas add (the appeals), once the results are out.
            "sections": sections_for(inscription=inscription, user=request.user)
            if resultat.publie
            else [],
        },
    )


def _publication_context(*, session: Session) -> dict[str, object]:
    publication = publication_of(session=session)
    return {
        "session": session,
        "publication": publication,
        "blocker": publication_blocker(session=session)
        if publication is None or publication.modifiable
        else None,
        "form": PublicationForm(
            initial={"prevue_le": publication.prevue_le}
            if publication is not None and publication.modifiable
            else None
        ),
        "sans_worker": publication is not None
        and publication.en_cours
        and not workers_alive(),
    }


def publication_panneau(*, session: Session, user: User) -> Panneau | None:
    """The publication of the results on the session desk, once the session is
    deliberated."""
    if not session.est_terminee:
        return None
    return Panneau(
        "evaluations/resultats/_bureau.html", _publication_context(session=session)
    )


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def publication_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The publication's page: state, progress (htmx refreshes it while it runs)
    and history."""
    session = get_session_for_publication(request.user, pk)
    contexte = _publication_context(session=session)
    publication = contexte["publication"]
    if request.headers.get("HX-Request"):
        return render(
            request,
            "evaluations/resultats/publication.html#progression",
            {"p": contexte},
        )
    historique = (
        publication.history.select_related("history_user").order_by("history_date")
        if isinstance(publication, PublicationResultats)
        else []
    )
    return render(
        request,
        "evaluations/resultats/publication.html",
        {"p": contexte, "session": session, "historique": historique},
    )


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def publication_schedule_view(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponse:
    session = get_session_for_publication(request.user, pk)
    form = PublicationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect(session)
    try:
        publication = publication_launch(
            session=session, prevue_le=form.moment(), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(session)
    if publication.est_publiee:
        messages.success(request, _("La publication des résultats est lancée."))
        return redirect("evaluations:publication_resultats", pk=session.pk)
    messages.success(
        request,
        _("Publication des résultats programmée le %(date)s (heure de Paris).")
        % {"date": _date_heure(publication)},
    )
    return redirect(session)


def _date_heure(publication: PublicationResultats) -> str:
    return date_format(timezone.localtime(publication.prevue_le), "j F Y à H:i")


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def publication_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_publication(request.user, pk)
    publication = publication_of(session=session)
    if publication is None:
        messages.error(request, _("Aucune publication n'est programmée."))
        return redirect(session)
    try:
        publication_cancel(publication=publication, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("La publication programmée est annulée."))
    return redirect(session)


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def publication_resume_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_publication(request.user, pk)
    publication = publication_of(session=session)
    if publication is None:
        messages.error(request, _("Aucune publication à reprendre."))
        return redirect(session)
    try:
        publication_resume_launch(publication=publication, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Les échecs de la publication sont repris."))
    return redirect("evaluations:publication_resultats", pk=session.pk)
