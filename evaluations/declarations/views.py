"""Pages of the declarations area (administrators): the certified holders and
their declaration state, the batches, the deposit and the CDC's answers."""

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.pagination import paginate
from certif.pdf import RenderedFile
from certif.responses import rendered_file_response
from certif.roles import Role
from evaluations.declarations.documents import schema_errors
from evaluations.declarations.forms import (
    CertificationFiltreForm,
    LotForm,
    ReponseForm,
)
from evaluations.declarations.models import DeclarationCDC, LotCDC
from evaluations.declarations.selectors import (
    declarations_of,
    echeances_for,
    get_declaration_for,
    get_lot_for,
    identifiants_cdc,
    lots_for,
    titulaires_for,
)
from evaluations.declarations.services import (
    declaration_answer,
    lot_accept_all,
    lot_deposit,
)
from evaluations.declarations.tasks import lot_launch

TITULAIRES_PAR_PAGE = 50


def _form_messages(request: AuthenticatedHttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        messages.error(request, " ".join(str(error) for error in errors))


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def declarations_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    filtre = CertificationFiltreForm(request.GET or None)
    certification = filtre.cleaned_data["certification"] if filtre.is_valid() else None
    tous = titulaires_for()
    titulaires = (
        [t for t in tous if t.certification == certification.code]
        if certification is not None
        else tous
    )
    declarables = [t for t in titulaires if t.declarable]
    echeances = echeances_for(titulaires=tous)
    form = LotForm(initial={"certification": certification})
    return render(
        request,
        "evaluations/declarations/index.html",
        {
            "filtre": filtre,
            "certification": certification,
            "form": form,
            "echeances": echeances,
            # Overdue first, then due: one list, paginated.
            "echeances_page": paginate(
                request,
                [(t, True) for t in echeances.en_retard]
                + [(t, False) for t in echeances.dues],
                per_page=TITULAIRES_PAR_PAGE,
                param="echeances",
            ),
            "page": paginate(request, titulaires, per_page=TITULAIRES_PAR_PAGE),
            "nb_declarables": len(declarables),
            "nb_incomplets": sum(1 for t in declarables if t.manquants),
            "lots": paginate(
                request, lots_for(certification=certification), param="lots"
            ),
            "identifiants_refus": (
                identifiants_cdc(certification).refus
                if certification is not None
                else ""
            ),
        },
    )


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def lot_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open a batch and build it in the background; the batch's page shows the
    progress."""
    form = LotForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
        return redirect("evaluations:declarations")
    try:
        lot = lot_launch(
            certification=form.cleaned_data["certification"],
            by=request.user,
            mode=form.cleaned_data["mode"],
            inscription_ids=form.cleaned_data["inscriptions"] or None,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("evaluations:declarations")
    return redirect("evaluations:lot_cdc", pk=lot.pk)


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def lot_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lot = get_lot_for(request.user, pk)
    template = "evaluations/declarations/lot.html"
    if request.headers.get("HX-Request") == "true":
        template += "#progression"
    return render(
        request,
        template,
        {
            "lot": lot,
            "page": paginate(request, declarations_of(lot), per_page=50),
            # Holders left out, kept in the batch's row: paginated as well.
            "exclus": paginate(request, lot.exclus or [], per_page=50, param="exclus"),
            "reponse_form": ReponseForm(),
            "a_repondre": lot.declarations.filter(
                statut=DeclarationCDC.Statut.DEPOSE
            ).count(),
        },
    )


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def lot_fichier_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The batch's file, offered only if it is the one built (same SHA-256) and
    valid against the schema."""
    lot = get_lot_for(request.user, pk)
    if lot.statut not in (LotCDC.Statut.CONSTRUIT, LotCDC.Statut.DEPOSE):
        return _conflict(_("Le fichier de ce lot n'est pas prêt."))
    with lot.fichier.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != lot.sha256 or schema_errors(content):
        return _conflict(
            _(
                "Le fichier enregistré ne correspond plus à son empreinte ou au "
                "schéma : il n'est pas proposé. Construisez un nouveau lot."
            )
        )
    return rendered_file_response(
        RenderedFile(lot.nom_fichier, "application/xml", content)
    )


def _conflict(message: str) -> HttpResponse:
    return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def lot_deposit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lot = get_lot_for(request.user, pk)
    try:
        lot_deposit(lot=lot, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Dépôt du lot n° %(n)s enregistré ; saisissez la réponse de la CDC.")
            % {"n": lot.pk},
        )
    return redirect("evaluations:lot_cdc", pk=lot.pk)


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def lot_accept_all_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lot = get_lot_for(request.user, pk)
    try:
        n = lot_accept_all(lot=lot, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if not n:
            messages.info(request, _("Aucun titulaire n'attendait de réponse."))
            return redirect("evaluations:lot_cdc", pk=lot.pk)
        messages.success(
            request,
            ngettext(
                "%(n)d titulaire marqué accepté.",
                "%(n)d titulaires marqués acceptés.",
                n,
            )
            % {"n": n},
        )
    return redirect("evaluations:lot_cdc", pk=lot.pk)


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def declaration_answer_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    declaration = get_declaration_for(request.user, pk)
    form = ReponseForm(request.POST)
    if form.is_valid():
        try:
            declaration_answer(
                declaration=declaration,
                accepte=form.cleaned_data["reponse"] == "accepte",
                motif=form.cleaned_data["motif"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Réponse enregistrée pour %(nom)s.")
                % {"nom": declaration.inscription.candidat.nom_complet},
            )
    else:
        _form_messages(request, form)
    return redirect("evaluations:lot_cdc", pk=declaration.lot_id)
