"""Views of the handicap app. Every row is reached through ``handicap.access``;
every page showing the needs description and every document download is written to
the access log before the response is built."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.pagination import paginate
from certif.responses import private_file_response
from certif.roles import Role, has_role
from handicap.access import get_demande_for, get_inscription_for_candidat, get_piece_for
from handicap.forms import (
    AmenagementFormSet,
    AvisForm,
    DemandeForm,
    PiecesForm,
    PropositionFormSet,
)
from handicap.models import AccesConfidentiel, Amenagement, DemandeAmenagement
from handicap.selectors import (
    amenagements_for_jury,
    demandes_desk,
    demandes_par_statut,
    formats_a_confirmer,
    inscriptions_du_candidat,
    journal_acces,
    pieces_de,
)
from handicap.services import (
    COURRIER_NOM,
    AmenagementSaisi,
    PropositionSaisie,
    acces_enregistrer,
    demande_decider,
    demande_deposer,
    demande_instruire,
    format_adapte_confirmer,
    pieces_ajouter,
)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- candidate -------------------------------------------------------------------


@require_GET
@login_required
@role_required(Role.CANDIDAT)
def mes_demandes_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, inscriptions_du_candidat(user=request.user))
    return render(request, "handicap/mes_demandes.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.CANDIDAT)
def demande_create_view(
    request: AuthenticatedHttpRequest, inscription_pk: int
) -> HttpResponse:
    inscription = get_inscription_for_candidat(request.user, inscription_pk)
    existante = DemandeAmenagement.objects.filter(inscription=inscription).first()
    if existante is not None:
        return redirect(existante)
    form = DemandeForm(
        request.POST or None, request.FILES or None, inscription=inscription
    )
    if request.method == "POST" and form.is_valid():
        try:
            demande = demande_deposer(
                inscription=inscription,
                besoins=form.cleaned_data["besoins"],
                modalites=list(form.cleaned_data["modalites"]),
                consentement=form.cleaned_data["consentement"],
                pieces=form.cleaned_data["pieces"],
                by=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Votre demande est déposée. Le référent handicap l'instruira ; "
                    "vous recevrez sa décision par courriel."
                ),
            )
            return redirect(demande)
    return render(
        request,
        "handicap/demande_form.html",
        {"form": form, "inscription": inscription},
    )


# --- request page (candidate and référent) -----------------------------------------


def _detail_context(
    request: AuthenticatedHttpRequest,
    demande: DemandeAmenagement,
    forms: dict[str, Any],
) -> dict[str, Any]:
    referent = has_role(request.user, Role.REFERENT_HANDICAP)
    inscription = demande.inscription
    decidee = demande.statut == DemandeAmenagement.Statut.DECIDEE
    context: dict[str, Any] = {
        "demande": demande,
        "referent": referent,
        "pieces": list(pieces_de(demande=demande)),
        "modalites": list(demande.modalites.select_related("competence")),
        "decision": amenagements_for_jury(inscription_id=inscription.pk)
        if decidee
        else None,
    }
    if not referent and not decidee:
        context["pieces_form"] = forms.get("pieces_form") or PiecesForm()
    if referent and not decidee:
        kwargs = {"inscription": inscription}
        context["avis_form"] = forms.get("avis_form") or AvisForm(prefix="avis")
        context["amenagements_formset"] = forms.get(
            "amenagements_formset"
        ) or AmenagementFormSet(prefix="amenagements", form_kwargs=kwargs)
        context["propositions_formset"] = forms.get(
            "propositions_formset"
        ) or PropositionFormSet(prefix="propositions", form_kwargs=kwargs)
    return context


def _render_detail(
    request: AuthenticatedHttpRequest,
    demande: DemandeAmenagement,
    **forms: Any,
) -> HttpResponse:
    """The page shows the needs: log the read first."""
    acces_enregistrer(
        user=request.user,
        demande=demande,
        objet=AccesConfidentiel.Objet.BESOINS,
        action=AccesConfidentiel.Action.CONSULTATION,
    )
    return render(
        request,
        "handicap/demande_detail.html",
        _detail_context(request, demande, forms),
    )


@require_GET
@login_required
@role_required()
def demande_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_demande_for(request.user, pk))


@require_GET
@login_required
@role_required()
def piece_download_view(
    request: AuthenticatedHttpRequest, pk: int, piece_pk: int
) -> HttpResponseBase:
    piece = get_piece_for(request.user, pk, piece_pk)
    response = private_file_response(
        piece.fichier, filename=piece.nom_original, content_type=piece.type_mime
    )
    acces_enregistrer(
        user=request.user,
        demande=piece.demande,
        objet=AccesConfidentiel.Objet.PIECE,
        action=AccesConfidentiel.Action.TELECHARGEMENT,
        piece=piece,
    )
    return response


@require_POST
@login_required
@role_required()
def pieces_ajouter_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    demande = get_demande_for(request.user, pk)
    if has_role(request.user, Role.REFERENT_HANDICAP):
        raise PermissionDenied
    form = PiecesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            ajoutees = pieces_ajouter(
                demande=demande, pieces=form.cleaned_data["pieces"], by=request.user
            )
        except ValidationError as exc:
            if demande.statut == DemandeAmenagement.Statut.DECIDEE:
                # The page no longer shows the form: say it above the decision.
                messages.error(request, " ".join(exc.messages))
                return redirect(demande)
            form.add_error("pieces", exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d pièce ajoutée à votre demande.",
                    "%(n)d pièces ajoutées à votre demande.",
                    len(ajoutees),
                )
                % {"n": len(ajoutees)},
            )
            return redirect(demande)
    return _render_detail(request, demande, pieces_form=form)


@require_GET
@login_required
@role_required()
def courrier_download_view(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponseBase:
    demande = get_demande_for(request.user, pk)
    if not demande.courrier:
        raise Http404
    return private_file_response(
        demande.courrier, filename=COURRIER_NOM, content_type="application/pdf"
    )


# --- référent handicap -------------------------------------------------------------


@require_GET
@login_required
@role_required(Role.REFERENT_HANDICAP, Role.ADMINISTRATEUR)
def bureau_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    statut = request.GET.get("statut", "")
    if statut not in DemandeAmenagement.Statut.values:
        statut = ""
    page = paginate(request, demandes_desk(statut=statut))
    comptes = demandes_par_statut()
    onglets = [
        (value, label, comptes[value])
        for value, label in DemandeAmenagement.Statut.choices
    ]
    return render(
        request,
        "handicap/bureau.html",
        {
            "page": page,
            "statut": statut,
            "onglets": onglets,
            "total": sum(comptes.values()),
            "query_string": f"statut={statut}" if statut else "",
            "referent": has_role(request.user, Role.REFERENT_HANDICAP),
        },
    )


@require_POST
@login_required
@role_required()
def demande_instruire_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    demande = get_demande_for(request.user, pk, write=True)
    try:
        demande_instruire(demande=demande, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("La demande est en instruction."))
    return redirect(demande)


@require_POST
@login_required
@role_required()
def demande_decider_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    demande = get_demande_for(request.user, pk, write=True)
    if demande.statut == DemandeAmenagement.Statut.DECIDEE:
        messages.error(request, _("Cette demande est déjà décidée."))
        return redirect(demande)
    kwargs = {"inscription": demande.inscription}
    avis_form = AvisForm(request.POST, prefix="avis")
    amenagements_formset = AmenagementFormSet(
        request.POST, prefix="amenagements", form_kwargs=kwargs
    )
    propositions_formset = PropositionFormSet(
        request.POST, prefix="propositions", form_kwargs=kwargs
    )
    forms_ok = all(
        [
            avis_form.is_valid(),
            amenagements_formset.is_valid(),
            propositions_formset.is_valid(),
        ]
    )
    if forms_ok:
        amenagements = [
            AmenagementSaisi(
                type=data["type"],
                description=data.get("description", ""),
                modalite=data.get("modalite"),
                precision=data.get("precision", ""),
                majoration_pourcent=data.get("majoration_pourcent"),
            )
            for data in amenagements_formset.cleaned_data
            if data.get("type")
        ]
        propositions = [
            PropositionSaisie(critere=data["critere"], motif=data.get("motif", ""))
            for data in propositions_formset.cleaned_data
            if data.get("critere")
        ]
        try:
            demande_decider(
                demande=demande,
                amenagements=amenagements,
                avis=avis_form.cleaned_data["avis"],
                propositions=propositions,
                by=request.user,
            )
        except ValidationError as exc:
            avis_form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "La décision est enregistrée ; le courrier de décision a été "
                    "envoyé au candidat."
                ),
            )
            return redirect(demande)
    return _render_detail(
        request,
        demande,
        avis_form=avis_form,
        amenagements_formset=amenagements_formset,
        propositions_formset=propositions_formset,
    )


@require_GET
@login_required
@role_required(Role.REFERENT_HANDICAP, Role.ADMINISTRATEUR)
def journal_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, journal_acces(), per_page=50)
    return render(request, "handicap/journal.html", {"page": page})


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def formats_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Format adaptations advised by the référent, to confirm for the certifier."""
    page = paginate(request, formats_a_confirmer())
    return render(request, "handicap/formats.html", {"page": page})


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def format_confirmer_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    amenagement = Amenagement.objects.filter(
        pk=pk, type=Amenagement.Type.FORMAT_ADAPTE
    ).first()
    if amenagement is None:
        raise Http404
    try:
        format_adapte_confirmer(amenagement=amenagement, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Adaptation du format confirmée."))
    return redirect("handicap:formats")


# --- president of the jury ---------------------------------------------------------
