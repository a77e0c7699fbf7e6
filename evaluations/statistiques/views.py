"""Pages of the statistics area: the figures (filters, tables, charts), each table
as CSV or XLSX, and the background exports (launch, progress, download)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.pagination import paginate
from certif.responses import private_file_response, rendered_file_response
from certif.roles import Role
from certif.workers import workers_alive
from evaluations.statistiques.documents import XLSX_TYPE, csv_file, xlsx_file
from evaluations.statistiques.forms import ExportForm, FiltreForm
from evaluations.statistiques.models import Export
from evaluations.statistiques.selectors import (
    exports_of,
    get_export_for,
    perimetre_statistiques,
    statistiques_of,
    tableau_of,
)
from evaluations.statistiques.services import statistiques_refresh
from evaluations.statistiques.tasks import export_launch

STATISTIQUES_ROLES = (Role.ADMINISTRATEUR, Role.PRESIDENT)


@require_GET
@login_required
@role_required(*STATISTIQUES_ROLES)
def statistiques_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FiltreForm(request.GET, user=request.user)
    tableaux = []
    filtre_qs = ""
    if form.is_valid():
        filtre = form.filtre()
        perimetre = perimetre_statistiques(user=request.user, filtre=filtre)
        statistiques_refresh(perimetre=perimetre)
        tableaux = statistiques_of(perimetre)
        filtre_qs = urlencode(filtre.as_params())
    return render(
        request,
        "evaluations/statistiques/statistiques.html",
        {
            "form": form,
            "tableaux": tableaux,
            "filtre_qs": filtre_qs,
            "exports": paginate(
                request, exports_of(user=request.user), per_page=5, param="exports"
            ),
            "natures": Export.Nature.choices,
        },
        status=200 if form.is_valid() else 400,
    )


@require_GET
@login_required
@role_required(*STATISTIQUES_ROLES)
def tableau_export_view(
    request: AuthenticatedHttpRequest, cle: str, format: str
) -> HttpResponseBase:
    if format not in {"csv", "xlsx"}:
        raise Http404
    form = FiltreForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(
            request,
            "evaluations/statistiques/statistiques.html",
            {"form": form, "tableaux": []},
            status=400,
        )
    perimetre = perimetre_statistiques(user=request.user, filtre=form.filtre())
    statistiques_refresh(perimetre=perimetre)
    tableau = tableau_of(perimetre, cle=cle)
    nom = f"statistiques-{cle}.{format}"
    if format == "csv":
        rendu = csv_file(nom, tableau.colonnes, tableau.lignes)
    else:
        rendu = xlsx_file(nom, [(tableau.titre, tableau.colonnes, tableau.lignes)])
    return rendered_file_response(rendu)


@require_POST
@login_required
@role_required(*STATISTIQUES_ROLES)
def export_launch_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FiltreForm(request.POST, user=request.user)
    export_form = ExportForm(request.POST)
    if not (form.is_valid() and export_form.is_valid()):
        for errors in (*form.errors.values(), *export_form.errors.values()):
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("evaluations:statistiques")
    try:
        export = export_launch(
            nature=export_form.cleaned_data["nature"],
            filtre=form.filtre(),
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evaluations:statistiques")
    return redirect(export)


@require_GET
@login_required
@role_required(*STATISTIQUES_ROLES)
def export_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    export = get_export_for(request.user, pk)
    template = "evaluations/statistiques/export.html"
    if request.headers.get("HX-Request") == "true":
        template += "#progression"
    return render(
        request,
        template,
        {
            "export": export,
            "sans_worker": export.en_cours and not workers_alive().exists(),
            "conservation": settings.EXPORTS_CONSERVATION_JOURS,
        },
    )


@require_GET
@login_required
@role_required(*STATISTIQUES_ROLES)
def export_download_view(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponseBase:
    export = get_export_for(request.user, pk)
    if not export.fichier:
        raise Http404
    content_type = (
        "application/pdf" if export.nom_fichier.endswith(".pdf") else XLSX_TYPE
    )
    return private_file_response(
        export.fichier, filename=export.nom_fichier, content_type=content_type
    )
