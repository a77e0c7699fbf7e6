"""The president's pages: consolidation, deliberation (vote, re-opening) and the
audit history of an enrolment."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.http import AuthenticatedHttpRequest
from evaluations.forms_jury import DeliberationForm, ReouvertureForm
from evaluations.models import Deliberation
from evaluations.selectors.grille import ConsolidationTable, consolidation_for
from evaluations.selectors.jury import (
    get_inscription_for_president,
    historique_for,
    presents_possibles,
)
from evaluations.services.deliberation import (
    DeliberationVerrouilleeError,
    deliberation_record,
    deliberation_reopen,
)
from evaluations.services.notation import (
    ConsolidationConflitError,
    consolidation_record,
)

View = Callable[..., HttpResponse]


def verrou_409(view: View) -> View:
    """Turn DeliberationVerrouilleeError (the single lock guard of the services)
    into an HTTP 409 with its French message: a page, or a fragment for htmx."""

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


def _saisie_consolidation(post: QueryDict) -> dict[int, tuple[str, str, int]]:
    valeurs: dict[int, tuple[str, str, int]] = {}
    for key in post:
        if not key.startswith("version-"):
            continue
        try:
            pk = int(key.removeprefix("version-"))
            version = int(post[key])
        except ValueError:
            continue
        valeurs[pk] = (
            post.get(f"resultat-{pk}", ""),
            post.get(f"commentaire-{pk}", ""),
            version,
        )
    return valeurs


def _prefill(
    table: ConsolidationTable, saisie: dict[int, tuple[str, str, int]] | None
) -> None:
    """What each row's inputs show: the president's own input when a save was
    refused, else the jury's result, else the evaluators' common result."""
    for bloc in table.blocs:
        for competence in bloc.competences:
            for ligne in competence.criteres:
                consolidation = ligne.consolidation
                pk = ligne.critere.pk
                if saisie is not None and pk in saisie:
                    resultat, commentaire, version = saisie[pk]
                else:
                    resultat = (
                        consolidation.resultat if consolidation else ligne.propose
                    )
                    commentaire = consolidation.commentaire if consolidation else ""
                    version = consolidation.version if consolidation else 0
                ligne.saisie_resultat = resultat  # type: ignore[attr-defined]
                ligne.saisie_commentaire = commentaire  # type: ignore[attr-defined]
                ligne.version_vue = version  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
@login_required
@verrou_409
def consolidation_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_inscription_for_president(
        request.user, pk, write=request.method == "POST"
    )
    inscription = access.inscription
    saisie = None
    erreurs: list[str] = []
    conflit = None
    status = 200
    if request.method == "POST":
        saisie = _saisie_consolidation(request.POST)
        try:
            ecrits = consolidation_record(
                inscription=inscription, valeurs=saisie, by=request.user
            )
        except ConsolidationConflitError as exc:
            conflit = exc
            status = 409
        except ValidationError as exc:
            erreurs = exc.messages
            status = 400
        else:
            messages.success(
                request,
                _("Consolidation enregistrée (%(n)d résultat(s) modifié(s)).")
                % {"n": ecrits},
            )
            return redirect("evaluations:consolidation", pk=inscription.pk)
    table = consolidation_for(inscription=inscription)
    _prefill(table, saisie)
    return render(
        request,
        "evaluations/jury/consolidation.html",
        {
            "access": access,
            "inscription": inscription,
            "table": table,
            "erreurs": erreurs,
            "conflit": conflit,
            "verrouillee": _verrouillee(inscription),
        },
        status=status,
    )


def _verrouillee(inscription: Any) -> bool:
    try:
        return bool(inscription.deliberation.verrouillee)
    except Deliberation.DoesNotExist:
        return False


def _deliberation_or_none(inscription: Any) -> Deliberation | None:
    try:
        return inscription.deliberation  # type: ignore[no-any-return]
    except Deliberation.DoesNotExist:
        return None


@require_http_methods(["GET", "POST"])
@login_required
@verrou_409
def deliberation_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_inscription_for_president(
        request.user, pk, write=request.method == "POST"
    )
    inscription = access.inscription
    table = consolidation_for(inscription=inscription)
    form = DeliberationForm(
        request.POST or None, presents=presents_possibles(inscription=inscription)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                deliberation_record(
                    inscription=inscription,
                    rollup=table.rollup,
                    motif=form.cleaned_data["motif"],
                    presents=form.cleaned_data["presents"],
                    by=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Décision votée ; les résultats sont verrouillés.")
                )
                return redirect("evaluations:deliberation", pk=inscription.pk)
        status = 400
    deliberation = _deliberation_or_none(inscription)
    return render(
        request,
        "evaluations/jury/deliberation.html",
        {
            "access": access,
            "inscription": inscription,
            "table": table,
            "form": form,
            "deliberation": deliberation,
            "reouverture_form": ReouvertureForm(),
            "reouvertures": list(
                deliberation.reouvertures.select_related("par") if deliberation else []
            ),
            "presents": list(deliberation.presents.select_related("user"))
            if deliberation
            else [],
        },
        status=status,
    )


@require_POST
@login_required
def deliberation_rouvrir_view(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponse:
    access = get_inscription_for_president(request.user, pk, write=True)
    deliberation = _deliberation_or_none(access.inscription)
    if deliberation is None:
        raise Http404
    form = ReouvertureForm(request.POST)
    if form.is_valid():
        try:
            deliberation_reopen(
                deliberation=deliberation,
                motif=form.cleaned_data["motif"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Délibération rouverte : les résultats peuvent être corrigés."),
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("evaluations:deliberation", pk=access.inscription.pk)


@require_GET
@login_required
def historique_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_inscription_for_president(request.user, pk)
    page = Paginator(historique_for(inscription=access.inscription), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "evaluations/jury/historique.html",
        {"access": access, "inscription": access.inscription, "page": page},
    )
