"""The règlement d'examen: public pages (the version in force, any published
version) and the administrator's pages (versions, draft, publication)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.pagination import paginate
from certif.roles import Role
from referentiel.models import Certification, ReglementExamen
from referentiel.reglement.forms import ReglementForm
from referentiel.reglement.markdown import markdown_html
from referentiel.reglement.selectors import (
    certifications_reglements,
    reglement_en_vigueur,
)
from referentiel.reglement.services import (
    reglement_brouillon_create,
    reglement_publish,
    reglement_update,
)


@require_GET
def reglement_view(request: HttpRequest, certification_pk: int) -> HttpResponse:
    """The règlement in force of a certification: public, as candidates read it
    before enrolling."""
    certification = get_object_or_404(Certification, pk=certification_pk)
    reglement = reglement_en_vigueur(certification.pk)
    if reglement is None:
        raise Http404
    return render(
        request, "referentiel/reglement/detail.html", {"reglement": reglement}
    )


@require_GET
def reglement_version_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A published version (a draft is not public)."""
    reglement = get_object_or_404(
        ReglementExamen.objects.select_related("certification"),
        pk=pk,
        statut=ReglementExamen.Statut.PUBLIE,
    )
    en_vigueur = reglement_en_vigueur(reglement.certification_id)
    return render(
        request,
        "referentiel/reglement/detail.html",
        {"reglement": reglement, "en_vigueur": en_vigueur},
    )


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def reglements_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, certifications_reglements())
    return render(request, "referentiel/reglement/list.html", {"page": page})


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def reglement_nouveau_view(
    request: AuthenticatedHttpRequest, certification_pk: int
) -> HttpResponse:
    certification = get_object_or_404(Certification, pk=certification_pk)
    brouillon = reglement_brouillon_create(certification=certification, by=request.user)
    return redirect("referentiel:reglement_edit", pk=brouillon.pk)


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def reglement_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Edit a draft, with its preview; a published version is shown read-only."""
    reglement = get_object_or_404(
        ReglementExamen.objects.select_related("certification"), pk=pk
    )
    form = ReglementForm(
        request.POST if request.method == "POST" else None, instance=reglement
    )
    if request.method == "POST" and form.is_valid():
        try:
            reglement_update(
                reglement=reglement,
                texte=form.cleaned_data["texte"],
                delai_recours_mois=form.cleaned_data["delai_recours_mois"],
                delai_amenagements_jours=form.cleaned_data["delai_amenagements_jours"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Brouillon enregistré."))
            return redirect("referentiel:reglement_edit", pk=reglement.pk)
    apercu = markdown_html(
        form.data.get("texte", reglement.texte) if form.is_bound else reglement.texte
    )
    return render(
        request,
        "referentiel/reglement/edit.html",
        {"reglement": reglement, "form": form, "apercu": apercu},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def reglement_publier_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reglement = get_object_or_404(ReglementExamen, pk=pk)
    try:
        reglement = reglement_publish(reglement=reglement, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("referentiel:reglement_edit", pk=reglement.pk)
    messages.success(
        request,
        _("Version %(version)d publiée : elle est en vigueur.")
        % {"version": reglement.version},
    )
    return redirect("referentiel:reglements")
