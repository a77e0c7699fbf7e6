"""Pages of the appeals area: the candidate files an appeal from their result
page; the administrator and the session's president list the appeals, read
each one with its documents, instruct and decide it, re-issue the documents
after a new vote, and issue the addendum to the session's PV."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.models import User
from certif.pagination import paginate
from certif.responses import private_file_response
from certif.roles import Role
from evaluations.livrables.services import Depot
from evaluations.recours.forms import DecisionForm, FiltreForm, RecoursForm
from evaluations.recours.models import Recours
from evaluations.recours.selectors import (
    depot_refus,
    get_inscription_for_recours,
    get_piece_for,
    get_recours_for,
    get_session_id_for_addendum,
    recours_list_for,
    recours_of,
    recours_vue_of,
)
from evaluations.recours.services import (
    addendum_issue,
    recours_decider,
    recours_deposer,
    recours_documents_reissue,
    recours_instruire,
)
from evaluations.resultats.selectors import date_limite_recours
from evaluations.sessions.bureau import Panneau
from evaluations.sessions.models import Inscription


def recours_section(*, inscription: Inscription, user: User) -> Panneau:
    """The appeals on the result page (once the results are published): the
    candidate's appeals with their state, and the link « Former un recours »
    with the deadline while it is open."""
    candidat = inscription.candidat.user_id == user.pk
    return Panneau(
        "evaluations/recours/_section.html",
        {
            "inscription": inscription,
            "recours": recours_of(inscription=inscription),
            "candidat": candidat,
            "refus": depot_refus(inscription=inscription) if candidat else None,
            "limite": date_limite_recours(inscription),
        },
    )


def _messages_erreur(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.CANDIDAT)
def recours_deposer_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inscription = get_inscription_for_recours(request.user, pk)
    form = RecoursForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                recours = recours_deposer(
                    inscription=inscription,
                    texte=form.cleaned_data["texte"],
                    pieces=[
                        Depot(fichier=f, nom=f.name or "") for f in form.fichiers()
                    ],
                    by=request.user,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for champ, erreurs in exc.error_dict.items():
                        form.add_error(champ if champ in form.fields else None, erreurs)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Votre recours %(reference)s est enregistré. Vous recevez un "
                        "accusé de réception par courriel."
                    )
                    % {"reference": recours.reference},
                )
                return redirect("evaluations:resultat", pk=inscription.pk)
        status = 400
    return render(
        request,
        "evaluations/recours/deposer.html",
        {
            "inscription": inscription,
            "form": form,
            "refus": depot_refus(inscription=inscription),
            "limite": date_limite_recours(inscription),
        },
        status=status,
    )


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR, Role.PRESIDENT)
def recours_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    filtre = FiltreForm(request.GET or None)
    statut = filtre.cleaned_data["statut"] if filtre.is_valid() else ""
    page = paginate(request, recours_list_for(user=request.user, statut=statut))
    return render(
        request,
        "evaluations/recours/list.html",
        {
            "page": page,
            "filtre": filtre,
            "query_string": f"statut={statut}" if statut else "",
        },
    )


@require_GET
@login_required
def recours_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recours = get_recours_for(request.user, pk)
    return render(
        request,
        "evaluations/recours/detail.html",
        {
            "v": recours_vue_of(recours=recours, user=request.user),
            "form": DecisionForm(),
            "historique": recours.history.select_related("history_user").order_by(
                "history_date", "history_id"
            ),
        },
    )


@require_POST
@login_required
def recours_instruire_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recours = get_recours_for(request.user, pk)
    try:
        recours_instruire(recours=recours, by=request.user)
    except ValidationError as exc:
        _messages_erreur(request, exc)
    else:
        messages.success(request, _("Le recours est en instruction."))
    return redirect(recours)


@require_POST
@login_required
def recours_decider_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recours = get_recours_for(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for erreurs in form.errors.values():
            for erreur in erreurs:
                messages.error(request, erreur)  # type: ignore[arg-type]
        return redirect(recours)
    try:
        recours = recours_decider(
            recours=recours,
            issue=form.cleaned_data["issue"],
            motif=form.cleaned_data["motif"],
            by=request.user,
        )
    except ValidationError as exc:
        _messages_erreur(request, exc)
        return redirect(recours)
    if recours.issue == Recours.Issue.REVISEE:
        messages.success(
            request,
            _(
                "Décision révisée : la délibération est rouverte. Le président vote "
                "de nouveau, puis les documents sont réédités depuis cette page."
            ),
        )
    else:
        messages.success(request, _("Décision maintenue."))
    return redirect(recours)


@require_POST
@login_required
def recours_reediter_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recours = get_recours_for(request.user, pk)
    try:
        documents = recours_documents_reissue(recours=recours, by=request.user)
    except ValidationError as exc:
        _messages_erreur(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d document réédité ; le candidat est prévenu.",
                "%(n)d documents réédités ; le candidat est prévenu.",
                len(documents),
            )
            % {"n": len(documents)},
        )
    return redirect(recours)


@require_POST
@login_required
def recours_addendum_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recours = get_recours_for(request.user, pk)
    session_id = get_session_id_for_addendum(request.user, recours)
    try:
        document = addendum_issue(session_id=session_id, by=request.user)
    except ValidationError as exc:
        _messages_erreur(request, exc)
    else:
        messages.success(
            request,
            _("Addendum au procès-verbal émis (version %(v)d).")
            % {"v": document.version}
            if document is not None
            else _("L'addendum au procès-verbal est à jour."),
        )
    return redirect(recours)


@require_GET
@login_required
def piece_download_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    piece = get_piece_for(request.user, pk)
    return private_file_response(
        piece.fichier, filename=piece.nom_original, content_type=piece.type_mime
    )
